// render_markdown.cpp - the report as Markdown to paste into a ticket: summary,
// ranked causes with evidence tables and plan steps in code blocks, the queue table.
// It only formats; every value from outside is escaped for tables or fenced safely.
#include "cli/render.hpp"

#include "engine/fact.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace pft::cli {

namespace {

// Inline text: no line breaks, and the characters that make tables, code, links,
// emphasis or raw HTML are backslash-escaped.
std::string md(std::string_view raw, std::size_t max = 300) {
    std::string flat(raw);
    for (char& ch : flat)
        if (ch == '\n' || ch == '\r' || ch == '\t') ch = ' ';
    while (!flat.empty() && flat.back() == ' ') flat.pop_back();
    std::string s = engine::printable(flat, max), o;
    for (char ch : s) {
        if (ch == '\n' || ch == '\r') { o += ' '; continue; }
        if (std::string_view("\\`*_[]{}<>|#!~").find(ch) != std::string_view::npos) o += '\\';
        o += ch;
    }
    return o;
}

// A code span outside tables: backslashes are literal there, so backticks are
// replaced instead of escaped.
std::string code(std::string_view raw, std::size_t max = 120) {
    std::string s = engine::printable(raw, max);
    for (char& ch : s)
        if (ch == '`' || ch == '\n' || ch == '\r') ch = '\'';
    return "`" + s + "`";
}

// A fenced block whose fence is longer than any run of backticks inside it.
std::string fenced(const std::string& body, const char* lang) {
    std::size_t run = 0, best = 0;
    for (char ch : body) {
        run = ch == '`' ? run + 1 : 0;
        best = std::max(best, run);
    }
    std::string fence(std::max<std::size_t>(3, best + 1), '`');
    return fence + lang + "\n" + body + "\n" + fence + "\n";
}

std::string pct(double x) {
    char b[16];
    std::snprintf(b, sizeof b, "%.0f%%", std::round(x * 100));
    return b;
}

std::string age(double s) { return engine::format_duration(engine::Duration(static_cast<long long>(s))); }

std::string sev(const std::string& s) { return s == "critical" ? "CRITICAL" : s == "warning" ? "WARNING" : "INFO"; }

void cause(const CauseReport& c, std::size_t n, std::ostream& out) {
    out << "\n## " << n << ". " << sev(c.severity) << ": " << md(c.title) << "\n\n";
    out << code(c.id) << " · " << pct(c.confidence) << " sure\n\n";
    if (!c.explain.empty()) out << md(c.explain, 2000) << "\n\n";
    if (!c.plan.empty()) {
        out << "**Plan**\n\n";
        std::size_t i = 0;
        for (const auto& s : c.plan) {
            out << ++i << ". **" << md(s.kind) << "** (" << md(s.risk) << ")" << (s.why.empty() ? "" : " — " + md(s.why, 400))
                << "\n\n";
            std::string block = fenced(engine::printable(s.command, 2000), "sh");
            // indent the block under the list item
            std::string ind(std::to_string(i).size() + 2, ' '); // the list item's content column
            std::size_t p = 0;
            while (p < block.size()) {
                std::size_t e = block.find('\n', p);
                out << ind << block.substr(p, e - p) << "\n";
                p = e == std::string::npos ? block.size() : e + 1;
            }
            out << "\n";
        }
        for (const auto& note : c.plan_notes) out << "_" << md(note, 300) << "_\n\n";
    }
    if (!c.evidence.empty()) {
        out << "**Evidence**\n\n| fact | value | source |\n| --- | --- | --- |\n";
        for (const auto& e : c.evidence) {
            std::string f = e.subject.empty() ? e.fact : e.fact + "[" + e.subject + "]";
            out << "| " << md(f, 120) << " | " << md(e.value, 160) << " | " << md(e.source, 120) << " |\n";
        }
        out << "\n";
    }
    if (!c.doc.empty()) out << "Docs: <" << md(c.doc, 200) << ">\n";
}

} // namespace

void render_markdown(const Report& r, std::ostream& out) {
    std::size_t crit = 0, warn = 0, info = 0;
    for (const auto& c : r.causes) (c.severity == "critical" ? crit : c.severity == "warning" ? warn : info)++;
    out << "# pftriage report" << (r.hostname.empty() ? "" : ": " + md(r.hostname, 100)) << "\n\n";
    out << "- **Source:** " << md(r.source, 200) << "\n- **As of:** " << engine::format_time(r.now) << "\n";
    if (r.symptom && !r.symptom->id.empty())
        out << "- **Symptom:** " << code(r.symptom->id, 80) << " from \"" << md(r.symptom->input, 200) << "\" (" << md(r.symptom->how, 60)
            << ", " << pct(r.symptom->confidence) << " sure)\n";
    else
        out << "- **Health check:** every rule evaluated\n";
    out << "- **Result:** " << crit << " critical, " << warn << " warning, " << info << " info (exit status " << r.exit_code << ")\n";
    if (r.causes.empty()) out << "\nNo cause was concluded from the evidence.\n";
    std::size_t n = 0;
    for (const auto& c : r.causes) cause(c, ++n, out);

    const auto& m = r.metrics;
    if (!m.queue_count.empty() || !m.destinations.empty()) {
        out << "\n## Mail queue\n\n";
        if (!m.queue_count.empty()) {
            out << "| queue | messages | oldest |\n| --- | ---: | --- |\n";
            for (const auto& [q, cnt] : m.queue_count) {
                auto it = m.queue_oldest_s.find(q);
                out << "| " << md(q, 40) << " | " << cnt << " | " << (it == m.queue_oldest_s.end() ? "" : age(it->second)) << " |\n";
            }
            out << "\n";
        }
        if (!m.destinations.empty()) {
            out << "| destination | queued | oldest | most frequent reason |\n| --- | ---: | --- | --- |\n";
            for (const auto& d : m.destinations)
                out << "| " << md(d.domain, 100) << " | " << d.count << " | " << (d.oldest_s ? age(*d.oldest_s) : "") << " | "
                    << md(d.top_reason, 160) << " |\n";
            out << "\n";
        }
    }
    if (!m.certificates.empty()) {
        out << "\n## Certificates\n\n| certificate | days left |\n| --- | ---: |\n";
        for (const auto& c : m.certificates) {
            char b[32];
            std::snprintf(b, sizeof b, "%.1f", c.days);
            out << "| " << md(c.subject, 160) << " | " << b << " |\n";
        }
    }
    if (!r.not_concluded.empty()) {
        out << "\n## Checked and not concluded\n\n";
        for (const auto& nc : r.not_concluded)
            out << "- " << code(nc.id) << (nc.ruled_out ? " (ruled out)" : "")
                << (nc.why_not.empty() ? "" : ": " + md(nc.why_not.front().reason, 200)) << "\n";
    }
    if (!r.questions.empty()) {
        out << "\n## Questions that would sharpen this\n\n";
        for (const auto& q : r.questions) out << "- " << md(q.text, 300) << "\n";
    }
    if (!r.unknown.empty()) {
        out << "\n<details><summary>" << r.unknown.size() << " fact(s) could not be established</summary>\n\n";
        for (const auto& u : r.unknown)
            out << "- " << md(u.subject.empty() ? u.fact : u.fact + "[" + u.subject + "]", 120) << ": " << md(u.reason, 200) << "\n";
        out << "\n</details>\n";
    }
    if (!r.not_probed.empty()) out << "\n**Nothing about Postfix could be probed.** " << md(r.not_probed, 400) << "\n";
    for (const auto& n : r.notices) out << "\n**Note:** " << md(n, 400) << "\n";
    if (!r.warnings.empty()) {
        out << "\n## Input warnings\n\n";
        for (const auto& w : r.warnings) out << "- " << md(w, 300) << "\n";
    }
}

} // namespace pft::cli
