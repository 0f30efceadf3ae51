// render_html.cpp - the report as one self-contained HTML file: inline CSS and SVG
// drawn here (the top cause's derivation graph, the queue by destination, the log
// per hour), so it opens offline. It only formats; every outside value is escaped,
// and the only links are postfix.org documentation anchors.
#include "cli/render.hpp"

#include "engine/fact.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <regex>
#include <sstream>

namespace pft::cli {

namespace {

std::string h(std::string_view raw, std::size_t max = 400) {
    std::string flat(raw); // line breaks in knowledge text are layout, not content
    for (char& ch : flat)
        if (ch == '\n' || ch == '\r' || ch == '\t') ch = ' ';
    while (!flat.empty() && flat.back() == ' ') flat.pop_back();
    std::string s = engine::printable(flat, max), o;
    o.reserve(s.size());
    for (char ch : s) {
        switch (ch) {
        case '&': o += "&amp;"; break;
        case '<': o += "&lt;"; break;
        case '>': o += "&gt;"; break;
        case '"': o += "&quot;"; break;
        case '\'': o += "&#39;"; break;
        default: o += ch;
        }
    }
    return o;
}

std::string num(double x, int decimals = 0) {
    char b[32];
    std::snprintf(b, sizeof b, "%.*f", decimals, x);
    return b;
}

std::string pct(double x) { return num(std::round(x * 100)) + "%"; }

std::string age(double s) { return engine::format_duration(engine::Duration(static_cast<long long>(s))); }

std::string sev_word(const std::string& s) { return s == "critical" ? "CRITICAL" : s == "warning" ? "WARNING" : "INFO"; }

// Only postfix.org documentation becomes a link; anything else is shown as text.
std::string doc_link(const std::string& doc) {
    static const std::regex ok(R"(^https?://www\.postfix\.org/[A-Za-z0-9_./#-]*$)");
    if (std::regex_match(doc, ok)) return "<a href=\"" + h(doc) + "\">" + h(doc) + "</a>";
    return h(doc);
}

const char* kCss = R"css(
:root{--fg:#1d2430;--muted:#5b6573;--line:#d8dde5;--bg:#f5f7fa;--card:#fff;--crit:#c62828;--warn:#b26a00;--info:#1565c0;--ok:#2e7d32}
*{box-sizing:border-box}
body{margin:0;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;color:var(--fg);background:var(--bg)}
header{background:#1d2430;color:#fff;padding:18px 28px}
header h1{margin:0 0 4px;font-size:22px}
header .meta{color:#c5ccd6;font-size:13px}
.summary{margin-top:10px;display:flex;gap:8px;flex-wrap:wrap}
.pill{border-radius:12px;padding:2px 10px;font-size:13px;font-weight:600;background:#3a4455}
.pill.critical{background:var(--crit)}.pill.warning{background:var(--warn)}.pill.info{background:var(--info)}.pill.ok{background:var(--ok)}
main{max-width:1100px;margin:0 auto;padding:8px 24px 40px}
h2{font-size:18px;margin:28px 0 10px;border-bottom:2px solid var(--line);padding-bottom:4px}
.cause{background:var(--card);border:1px solid var(--line);border-left:6px solid var(--info);border-radius:6px;padding:12px 18px;margin:14px 0}
.cause.critical{border-left-color:var(--crit)}.cause.warning{border-left-color:var(--warn)}
.cause h3{margin:0 0 4px;font-size:17px}
.badge{display:inline-block;font-size:11px;font-weight:700;color:#fff;border-radius:4px;padding:1px 6px;vertical-align:2px;background:var(--info)}
.badge.critical{background:var(--crit)}.badge.warning{background:var(--warn)}
.cid{color:var(--muted);font-size:13px}
.conf{display:inline-block;width:90px;height:8px;background:#e3e7ed;border-radius:4px;vertical-align:middle;margin:0 6px}
.conf span{display:block;height:8px;border-radius:4px;background:#607d8b}
h4{margin:12px 0 6px;font-size:14px;text-transform:uppercase;letter-spacing:.04em;color:var(--muted)}
ol.plan{padding-left:22px;margin:0}
ol.plan li{margin:6px 0}
.kind{font-weight:700;margin-right:6px}
.risk{font-size:11px;font-weight:700;border-radius:4px;padding:1px 6px;color:#fff;background:var(--ok)}
.risk.disruptive{background:var(--warn)}.risk.destructive{background:var(--crit)}
.why{color:var(--muted);font-size:13px;margin:2px 0 0}
pre{background:#0f1720;color:#e6edf3;padding:8px 10px;border-radius:5px;overflow-x:auto;margin:4px 0;font-size:13px;white-space:pre-wrap;word-break:break-all}
code{font-family:"DejaVu Sans Mono",Menlo,Consolas,monospace}
table{border-collapse:collapse;width:100%;background:var(--card);font-size:13px}
table.queues{width:auto;min-width:40%}
th,td{border:1px solid var(--line);padding:4px 8px;text-align:left;vertical-align:top}
th{background:#eef1f5}
td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
td.src{color:var(--muted);white-space:nowrap}
.agebar{height:10px;background:#e3e7ed;border-radius:3px;min-width:120px}
.agebar span{display:block;height:10px;border-radius:3px;background:var(--warn)}
.figure{background:var(--card);border:1px solid var(--line);border-radius:6px;padding:10px;overflow-x:auto;text-align:center}
.note{color:var(--muted);font-style:italic}
details summary{cursor:pointer;color:var(--muted)}
ul.plain{padding-left:20px}
footer{color:var(--muted);font-size:12px;text-align:center;padding:20px}
@media print{header{background:#fff;color:#000}header .meta{color:#333}.cause{break-inside:avoid}}
)css";

// ---- derivation graph: simple layered layout (cause on top, raw evidence at the bottom)

struct GNode {
    std::string line1, line2, tip, cls;
    int layer = 0;
    std::vector<int> parents; // nodes this one supports
    double x = 0, w = 0;
    double order = 0;
};

struct Graph {
    std::vector<GNode> nodes;
    std::map<std::string, int> fact_index; // layer|fact|subject|value -> node
    std::map<int, int> hidden;             // layer -> nodes left out
    static constexpr std::size_t kMaxPerLayer = 10;
    static constexpr int kMaxLayer = 8;

    std::size_t count_in(int layer) const {
        return static_cast<std::size_t>(std::count_if(nodes.begin(), nodes.end(), [&](const GNode& n) { return n.layer == layer; }));
    }
    int add(GNode n) {
        if (n.layer > kMaxLayer || count_in(n.layer) >= kMaxPerLayer) {
            ++hidden[n.layer];
            return -1;
        }
        nodes.push_back(std::move(n));
        return static_cast<int>(nodes.size()) - 1;
    }
    void add_rules(const std::vector<engine::DerivationNode>& ds, int parent, int layer) {
        for (const auto& d : ds) {
            GNode r;
            r.layer = layer;
            r.line1 = "rule " + d.rule_id;
            char cf[24];
            std::snprintf(cf, sizeof cf, "cf %+.2f", d.cf);
            r.line2 = std::string(cf) + (d.binding.empty() ? "" : "  [" + d.binding + "]");
            r.tip = d.rule_id + (d.because.empty() ? "" : ": " + d.because);
            r.cls = d.cf < 0 ? "rneg" : "rule";
            r.parents = {parent};
            int ri = add(std::move(r));
            if (ri < 0) continue;
            for (const auto& e : d.evidence) {
                std::string label = e.subject.empty() ? e.fact : e.fact + "[" + e.subject + "]";
                std::string val = e.known ? e.value : "unknown";
                std::string key = std::to_string(layer + 1) + "|" + label + "|" + val;
                auto it = fact_index.find(key);
                if (it != fact_index.end()) {
                    nodes[static_cast<std::size_t>(it->second)].parents.push_back(ri);
                    continue;
                }
                GNode f;
                f.layer = layer + 1;
                f.line1 = label;
                f.line2 = "= " + val;
                f.tip = label + " = " + val + (e.prov.source.empty() ? "" : "  [" + e.prov.source + "]") +
                        (e.prov.excerpt.empty() ? "" : "\n" + e.prov.excerpt);
                f.cls = e.derived ? "derived" : (e.known ? "fact" : "unknown");
                f.parents = {ri};
                int fi = add(std::move(f));
                if (fi < 0) continue;
                fact_index[key] = fi;
                if (e.derived) add_rules(e.derivation, fi, layer + 2);
            }
        }
    }
};

std::string clip(const std::string& s, std::size_t n) {
    std::string p = engine::printable(s, 1000);
    if (p.size() <= n) return p;
    return p.substr(0, n - 1) + "\xE2\x80\xA6"; // ellipsis
}

void derivation_svg(const CauseReport& c, std::ostream& out) {
    Graph g;
    GNode top;
    top.layer = 0;
    top.line1 = c.id;
    top.line2 = pct(c.confidence) + " sure";
    top.tip = c.title;
    top.cls = "cause " + c.severity;
    g.nodes.push_back(top);
    g.add_rules(c.derivation, 0, 1);

    const double kCharW = 6.6, kH = 38, kGap = 14, kLayerH = 84, kMargin = 16;
    int layers = 0;
    for (const auto& n : g.nodes) layers = std::max(layers, n.layer + 1);
    for (const auto& [l, cnt] : g.hidden) layers = std::max(layers, std::min(l, Graph::kMaxLayer) + 1);
    for (auto& n : g.nodes) {
        n.line1 = clip(n.line1, 40);
        n.line2 = clip(n.line2, 40);
        n.w = std::max(n.line1.size(), n.line2.size()) * kCharW + 20;
    }
    // Order each layer by the mean position of the nodes it supports (barycentre), then place.
    double width = 0;
    std::vector<std::vector<int>> by_layer(static_cast<std::size_t>(layers));
    for (std::size_t i = 0; i < g.nodes.size(); ++i) by_layer[static_cast<std::size_t>(g.nodes[i].layer)].push_back(static_cast<int>(i));
    std::vector<double> layer_w(static_cast<std::size_t>(layers), 0);
    for (int l = 0; l < layers; ++l) {
        auto& v = by_layer[static_cast<std::size_t>(l)];
        for (int i : v) {
            auto& n = g.nodes[static_cast<std::size_t>(i)];
            double s = 0;
            for (int p : n.parents) s += g.nodes[static_cast<std::size_t>(p)].x;
            n.order = n.parents.empty() ? 0 : s / static_cast<double>(n.parents.size());
        }
        std::stable_sort(v.begin(), v.end(), [&](int a, int b) { return g.nodes[static_cast<std::size_t>(a)].order < g.nodes[static_cast<std::size_t>(b)].order; });
        double x = 0;
        for (int i : v) {
            auto& n = g.nodes[static_cast<std::size_t>(i)];
            n.x = x + n.w / 2;
            x += n.w + kGap;
        }
        auto it = g.hidden.find(l);
        if (it != g.hidden.end()) x += 110;
        layer_w[static_cast<std::size_t>(l)] = x - kGap;
        width = std::max(width, x - kGap);
    }
    // Centre every layer.
    for (int l = 0; l < layers; ++l) {
        double off = kMargin + (width - layer_w[static_cast<std::size_t>(l)]) / 2;
        for (int i : by_layer[static_cast<std::size_t>(l)]) g.nodes[static_cast<std::size_t>(i)].x += off;
    }
    double W = width + 2 * kMargin, H = 2 * kMargin + (layers - 1) * kLayerH + kH;
    auto y_of = [&](int layer) { return kMargin + layer * kLayerH; };
    out << "<svg role=\"img\" aria-label=\"derivation of " << h(c.id) << "\" width=\"" << num(W)
        << "\" height=\"" << num(H) << "\" viewBox=\"0 0 " << num(W) << " " << num(H) << "\" style=\"max-width:100%;height:auto\" font-family=\"DejaVu Sans Mono,monospace\" font-size=\"11\">\n";
    out << "<defs><marker id=\"arr\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto-start-reverse\">"
           "<path d=\"M0,0 L10,5 L0,10 z\" fill=\"#8894a4\"/></marker></defs>\n";
    out << "<style>.n rect{stroke-width:1.2}.cause rect{fill:#fdecea;stroke:#c62828}.cause.warning rect{fill:#fff4e0;stroke:#b26a00}"
           ".cause.info rect{fill:#e8f0fb;stroke:#1565c0}.rule rect{fill:#eef3ff;stroke:#5470c6}.rneg rect{fill:#f3f3f3;stroke:#999;stroke-dasharray:4 2}"
           ".fact rect{fill:#f1f8e9;stroke:#558b2f}.derived rect{fill:#fffde7;stroke:#a68a00}.unknown rect{fill:#fafafa;stroke:#9e9e9e;stroke-dasharray:3 2}"
           ".l2{fill:#5b6573}.e{fill:none;stroke:#8894a4;stroke-width:1.2}</style>\n";
    for (const auto& n : g.nodes)
        for (int p : n.parents) {
            const auto& pn = g.nodes[static_cast<std::size_t>(p)];
            double x1 = n.x, y1 = y_of(n.layer), x2 = pn.x, y2 = y_of(pn.layer) + kH;
            double my = (y1 + y2) / 2;
            out << "<path class=\"e\" marker-end=\"url(#arr)\" d=\"M" << num(x1, 1) << "," << num(y1, 1) << " C" << num(x1, 1) << "," << num(my, 1)
                << " " << num(x2, 1) << "," << num(my, 1) << " " << num(x2, 1) << "," << num(y2 + 1, 1) << "\"/>\n";
        }
    for (const auto& n : g.nodes) {
        double x = n.x - n.w / 2, y = y_of(n.layer);
        out << "<g class=\"n " << h(n.cls) << "\"><title>" << h(n.tip, 600) << "</title><rect x=\"" << num(x, 1) << "\" y=\"" << num(y, 1)
            << "\" width=\"" << num(n.w, 1) << "\" height=\"" << num(kH) << "\" rx=\"5\"/>"
            << "<text x=\"" << num(n.x, 1) << "\" y=\"" << num(y + 15, 1) << "\" text-anchor=\"middle\" font-weight=\"bold\">" << h(n.line1)
            << "</text><text class=\"l2\" x=\"" << num(n.x, 1) << "\" y=\"" << num(y + 30, 1) << "\" text-anchor=\"middle\">" << h(n.line2)
            << "</text></g>\n";
    }
    for (const auto& [l, cnt] : g.hidden) {
        int layer = std::min(l, Graph::kMaxLayer);
        double x = kMargin + (width + layer_w[static_cast<std::size_t>(layer)]) / 2 - 100;
        out << "<text x=\"" << num(x, 1) << "\" y=\"" << num(y_of(layer) + 24, 1) << "\" fill=\"#5b6573\">+" << cnt << " more</text>\n";
    }
    out << "</svg>\n";
}

// ---- the mail log per hour: stacked bars

void log_chart_svg(const std::vector<LogHour>& hours_in, std::ostream& out) {
    std::vector<LogHour> hours(hours_in.end() - static_cast<long>(std::min<std::size_t>(hours_in.size(), 72)), hours_in.end());
    struct Series { const char* name; const char* color; long long LogHour::*field; };
    const Series series[] = {{"delivered", "#2e7d32", &LogHour::delivered},
                             {"deferred", "#ef9a00", &LogHour::deferred},
                             {"bounced", "#c62828", &LogHour::bounced},
                             {"rejected", "#6a1b9a", &LogHour::rejected}};
    long long maxv = 1;
    for (const auto& hr : hours) {
        long long s = 0;
        for (const auto& se : series) s += std::max<long long>(0, hr.*(se.field));
        maxv = std::max(maxv, s);
    }
    const double left = 48, top = 28, plot_h = 180, gap = 4;
    // Bars fill about 900 px, between 8 and 36 px wide each.
    const double bar_w = std::clamp(900.0 / static_cast<double>(std::max<std::size_t>(hours.size(), 1)) - gap, 8.0, 36.0);
    double W = left + static_cast<double>(hours.size()) * (bar_w + gap) + 20, H = top + plot_h + 46;
    W = std::max(W, 420.0);
    out << "<svg role=\"img\" aria-label=\"mail log per hour\" width=\"" << num(W) << "\" height=\"" << num(H)
        << "\" viewBox=\"0 0 " << num(W) << " " << num(H) << "\" style=\"max-width:100%;height:auto\" font-family=\"DejaVu Sans,sans-serif\" font-size=\"11\">\n";
    double lx = left;
    for (const auto& se : series) {
        out << "<rect x=\"" << num(lx) << "\" y=\"6\" width=\"10\" height=\"10\" fill=\"" << se.color << "\"/><text x=\"" << num(lx + 14)
            << "\" y=\"15\">" << se.name << "</text>\n";
        lx += 90;
    }
    for (int t = 0; t <= 4; ++t) {
        double v = static_cast<double>(maxv) * t / 4, y = top + plot_h - plot_h * t / 4;
        out << "<line x1=\"" << num(left - 4) << "\" x2=\"" << num(W - 10) << "\" y1=\"" << num(y, 1) << "\" y2=\"" << num(y, 1)
            << "\" stroke=\"#e3e7ed\"/><text x=\"" << num(left - 6) << "\" y=\"" << num(y + 4, 1) << "\" text-anchor=\"end\">" << num(v)
            << "</text>\n";
    }
    double x = left;
    std::size_t step = std::max<std::size_t>(1, hours.size() / 12);
    for (std::size_t i = 0; i < hours.size(); ++i) {
        const auto& hr = hours[i];
        double y = top + plot_h;
        std::string tip = hr.hour + ":00 UTC";
        for (const auto& se : series) {
            long long v = hr.*(se.field);
            if (v >= 0) tip += std::string("\n") + se.name + ": " + std::to_string(v);
            if (v <= 0) continue;
            double bh = plot_h * static_cast<double>(v) / static_cast<double>(maxv);
            y -= bh;
            out << "<rect x=\"" << num(x, 1) << "\" y=\"" << num(y, 1) << "\" width=\"" << num(bar_w) << "\" height=\"" << num(bh, 1)
                << "\" fill=\"" << se.color << "\"><title>" << h(tip) << "</title></rect>\n";
        }
        if (i % step == 0) {
            std::string label = hr.hour.size() >= 13 ? hr.hour.substr(11, 2) + "h" : hr.hour;
            std::string day = hr.hour.size() >= 10 ? hr.hour.substr(5, 5) : "";
            out << "<text x=\"" << num(x + bar_w / 2, 1) << "\" y=\"" << num(top + plot_h + 14) << "\" text-anchor=\"middle\">" << h(label) << "</text>";
            if (i == 0 || (i >= step && hours[i - step].hour.substr(0, 10) != hr.hour.substr(0, 10)))
                out << "<text x=\"" << num(x + bar_w / 2, 1) << "\" y=\"" << num(top + plot_h + 28) << "\" text-anchor=\"middle\" fill=\"#5b6573\">"
                    << h(day) << "</text>";
            out << "\n";
        }
        x += bar_w + gap;
    }
    out << "<line x1=\"" << num(left - 4) << "\" x2=\"" << num(W - 10) << "\" y1=\"" << num(top + plot_h) << "\" y2=\"" << num(top + plot_h)
        << "\" stroke=\"#8894a4\"/>\n</svg>\n";
}

void cause_card(const CauseReport& c, std::size_t n, std::ostream& out) {
    std::string sev = c.severity == "critical" || c.severity == "warning" ? c.severity : "info";
    out << "<article class=\"cause " << sev << "\" id=\"cause-" << h(c.id, 120) << "\">\n<h3><span class=\"badge " << sev << "\">"
        << sev_word(sev) << "</span> " << n << ". " << h(c.title) << "</h3>\n";
    out << "<div class=\"cid\"><code>" << h(c.id, 120) << "</code> <span class=\"conf\"><span style=\"width:"
        << num(std::clamp(c.confidence, 0.0, 1.0) * 100) << "%\"></span></span>" << pct(c.confidence) << " sure"
        << (c.relevant ? "" : " · not an explanation of the symptom, but worth fixing") << "</div>\n";
    if (!c.explain.empty()) out << "<p>" << h(c.explain, 3000) << "</p>\n";
    if (!c.plan.empty()) {
        out << "<h4>Plan</h4>\n<ol class=\"plan\">\n";
        for (const auto& s : c.plan) {
            std::string risk = s.risk == "disruptive" || s.risk == "destructive" ? s.risk : "safe";
            out << "<li><span class=\"kind\">" << h(s.kind, 20) << "</span><span class=\"risk " << risk << "\">" << h(s.risk, 20)
                << "</span><pre><code>" << h(s.command, 4000) << "</code></pre>";
            if (!s.why.empty()) out << "<p class=\"why\">" << h(s.why, 600) << "</p>";
            out << "</li>\n";
        }
        out << "</ol>\n";
        for (const auto& note : c.plan_notes) out << "<p class=\"note\">" << h(note) << "</p>\n";
    }
    if (!c.evidence.empty()) {
        out << "<h4>Evidence</h4>\n<table class=\"evidence\"><tr><th>fact</th><th>value</th><th>source</th></tr>\n";
        for (const auto& e : c.evidence) {
            std::string f = e.subject.empty() ? e.fact : e.fact + "[" + e.subject + "]";
            out << "<tr><td><code>" << h(f, 160) << "</code></td><td>" << h(e.value, 300);
            if (!e.excerpt.empty()) out << "<br><small class=\"cid\">" << h(e.excerpt, 300) << "</small>";
            out << "</td><td class=\"src\">" << h(e.source, 160) << "</td></tr>\n";
        }
        out << "</table>\n";
    }
    if (!c.doc.empty()) out << "<p>Postfix documentation: " << doc_link(c.doc) << "</p>\n";
    out << "</article>\n";
}

} // namespace

void render_html(const Report& r, std::ostream& out) {
    std::size_t crit = 0, warn = 0, info = 0;
    for (const auto& c : r.causes) (c.severity == "critical" ? crit : c.severity == "warning" ? warn : info)++;
    std::string title = "pftriage report" + (r.hostname.empty() ? std::string() : " - " + r.hostname);
    out << "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
           "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
           "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">\n"
        << "<title>" << h(title) << "</title>\n<style>" << kCss << "</style>\n</head>\n<body>\n";
    out << "<header>\n<h1>" << h(title) << "</h1>\n<div class=\"meta\">" << h(r.source) << " · as of " << engine::format_time(r.now);
    if (r.symptom && !r.symptom->id.empty())
        out << " · symptom <b>" << h(r.symptom->id) << "</b> from &ldquo;" << h(r.symptom->input, 200) << "&rdquo; (" << h(r.symptom->how)
            << ", " << pct(r.symptom->confidence) << " sure)";
    else
        out << " · health check (every rule evaluated)";
    out << "</div>\n<div class=\"summary\">";
    if (crit) out << "<span class=\"pill critical\">" << crit << " critical</span>";
    if (warn) out << "<span class=\"pill warning\">" << warn << " warning</span>";
    if (info) out << "<span class=\"pill info\">" << info << " info</span>";
    if (!crit && !warn) out << "<span class=\"pill ok\">nothing at warning level</span>";
    out << "<span class=\"pill\">exit status " << r.exit_code << "</span></div>\n</header>\n<main>\n";

    out << "<section id=\"plan\">\n<h2>Likely causes, ranked, with the plan</h2>\n";
    if (r.causes.empty())
        out << "<p>" << (r.symptom && !r.symptom->id.empty() ? "No cause of this symptom could be confirmed from the evidence." : "No problem found.")
            << "</p>\n";
    std::size_t n = 0;
    for (const auto& c : r.causes) cause_card(c, ++n, out);
    out << "</section>\n";

    if (!r.causes.empty()) {
        const auto& top = r.causes.front();
        out << "<section id=\"derivation\">\n<h2>Why &ldquo;" << h(top.id) << "&rdquo; was concluded</h2>\n"
            << "<p class=\"note\">From the raw evidence (bottom) through the rules that fired to the cause (top). "
               "Hover a box for its source.</p>\n<div class=\"figure\">\n";
        derivation_svg(top, out);
        out << "</div>\n</section>\n";
    }

    const auto& m = r.metrics;
    out << "<section id=\"queue\">\n<h2>Mail queue</h2>\n";
    if (m.queue_count.empty() && m.destinations.empty()) {
        out << "<p class=\"note\">The queue could not be read from this source.</p>\n";
    } else {
        if (!m.queue_count.empty()) {
            out << "<table class=\"queues\"><tr><th>queue</th><th>messages</th><th>oldest</th></tr>\n";
            for (const auto& [q, cnt] : m.queue_count) {
                auto it = m.queue_oldest_s.find(q);
                out << "<tr><td>" << h(q, 40) << "</td><td class=\"n\">" << cnt << "</td><td class=\"n\">"
                    << (it == m.queue_oldest_s.end() ? "" : age(it->second)) << "</td></tr>\n";
            }
            out << "</table>\n";
        }
        if (!m.destinations.empty()) {
            double maxage = 1;
            for (const auto& d : m.destinations) maxage = std::max(maxage, d.oldest_s.value_or(0));
            out << "<h4>Age by destination</h4>\n<table class=\"dest\"><tr><th>destination</th><th>queued</th><th>oldest</th><th style=\"width:22%\">age</th><th>most frequent reason</th></tr>\n";
            std::size_t shown = 0;
            for (const auto& d : m.destinations) {
                if (++shown > 40) {
                    out << "<tr><td colspan=\"5\" class=\"note\">" << (m.destinations.size() - 40) << " more destinations</td></tr>\n";
                    break;
                }
                out << "<tr><td><code>" << h(d.domain, 120) << "</code></td><td class=\"n\">" << d.count << "</td><td class=\"n\">"
                    << (d.oldest_s ? age(*d.oldest_s) : "") << "</td><td><div class=\"agebar\"><span style=\"width:"
                    << num(100 * d.oldest_s.value_or(0) / maxage) << "%\"></span></div></td><td>" << h(d.top_reason, 300) << "</td></tr>\n";
            }
            out << "</table>\n";
        }
    }
    out << "</section>\n";

    out << "<section id=\"log\">\n<h2>Mail log over time</h2>\n";
    if (m.log_hours.empty()) {
        out << "<p class=\"note\">No per-hour counts for this source (the mail-log probe gave no <code>log.hour.*</code> facts)";
        if (m.log_lines) out << "; " << *m.log_lines << " log lines were read in the window";
        out << ".</p>\n";
    } else {
        out << "<p class=\"note\">Deliveries, deferrals, bounces and rejections per hour (UTC)";
        if (m.deferral_rate) out << "; deferral rate over the window " << num(*m.deferral_rate * 100, 1) << "%";
        out << ".</p>\n<div class=\"figure\">\n";
        log_chart_svg(m.log_hours, out);
        out << "</div>\n";
    }
    out << "</section>\n";

    if (!m.certificates.empty()) {
        out << "<section id=\"certificates\">\n<h2>Certificates</h2>\n<table><tr><th>certificate</th><th>days left</th></tr>\n";
        for (const auto& c : m.certificates)
            out << "<tr><td><code>" << h(c.subject, 200) << "</code></td><td class=\"n\">" << num(c.days, 1) << "</td></tr>\n";
        out << "</table>\n</section>\n";
    }
    if (!r.not_concluded.empty()) {
        out << "<section id=\"not-concluded\">\n<h2>Checked and not concluded</h2>\n<ul class=\"plain\">\n";
        for (const auto& nc : r.not_concluded)
            out << "<li><code>" << h(nc.id) << "</code>" << (nc.ruled_out ? " (ruled out)" : "")
                << (nc.why_not.empty() ? "" : ": " + h(nc.why_not.front().reason, 300)) << "</li>\n";
        out << "</ul>\n</section>\n";
    }
    if (!r.questions.empty()) {
        out << "<section id=\"questions\">\n<h2>Questions that would sharpen this</h2>\n<ul class=\"plain\">\n";
        for (const auto& q : r.questions) out << "<li>" << h(q.text) << "</li>\n";
        out << "</ul>\n</section>\n";
    }
    if (!r.unknown.empty()) {
        out << "<section id=\"unknown\">\n<details><summary>" << r.unknown.size() << " fact(s) could not be established</summary>\n<ul class=\"plain\">\n";
        for (const auto& u : r.unknown)
            out << "<li><code>" << h(u.subject.empty() ? u.fact : u.fact + "[" + u.subject + "]", 160) << "</code>: " << h(u.reason) << "</li>\n";
        out << "</ul>\n</details>\n</section>\n";
    }
    if (!r.not_probed.empty())
        out << "<section id=\"not-probed\">\n<h2>Nothing about Postfix could be probed</h2>\n<p>" << h(r.not_probed)
            << "</p>\n</section>\n";
    for (const auto& n : r.notices) out << "<section class=\"notice\">\n<h2>Note</h2>\n<p>" << h(n) << "</p>\n</section>\n";
    if (!r.warnings.empty()) {
        out << "<section id=\"warnings\">\n<h2>Input warnings</h2>\n<ul class=\"plain\">\n";
        for (const auto& w : r.warnings) out << "<li>" << h(w) << "</li>\n";
        out << "</ul>\n</section>\n";
    }
    out << "</main>\n<footer>pftriage " << PFT_VERSION << " · " << r.facts_known << " facts known, " << r.facts_unknown
        << " unknown</footer>\n</body>\n</html>\n";
}

} // namespace pft::cli
