// render_text.cpp - the terminal report: ranked causes first, each with its
// evidence and a plan that can be copied step by step; then what was not
// concluded and why, what is unknown, and what a person could answer.
#include "cli/render.hpp"

#include "engine/fact.hpp"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <unistd.h>

namespace pft::cli {

bool use_color(int fd) {
    const char* nc = std::getenv("NO_COLOR");
    if (nc && *nc) return false;
    const char* term = std::getenv("TERM");
    if (term && std::string(term) == "dumb") return false;
    return isatty(fd) == 1;
}

namespace {

struct Paint {
    bool on;
    std::string operator()(const char* code, const std::string& s) const {
        if (!on) return s;
        return std::string("\033[") + code + "m" + s + "\033[0m";
    }
};

std::string pct(double x) {
    char b[16];
    std::snprintf(b, sizeof b, "%.0f%%", std::round(x * 100));
    return b;
}

std::string sev_label(const Paint& p, const std::string& sev) {
    if (sev == "critical") return p("1;31", "CRITICAL");
    if (sev == "warning") return p("1;33", "WARNING");
    return p("1;36", "INFO");
}

std::string fact_label(const std::string& fact, const std::string& subject) {
    return subject.empty() ? fact : fact + "[" + engine::printable(subject, 80) + "]";
}

std::string pad(const std::string& s, std::size_t n) { return s.size() >= n ? s + " " : s + std::string(n - s.size(), ' '); }

void wrap(std::ostream& out, const std::string& text, const std::string& indent, std::size_t width = 78) {
    std::string line;
    std::size_t i = 0;
    while (i < text.size()) {
        std::size_t j = text.find_first_of(" \n", i);
        std::string w = text.substr(i, j == std::string::npos ? std::string::npos : j - i);
        if (!line.empty() && line.size() + 1 + w.size() + indent.size() > width) {
            out << indent << line << "\n";
            line.clear();
        }
        if (!w.empty()) line += (line.empty() ? "" : " ") + w;
        if (j == std::string::npos) break;
        i = j + 1;
    }
    if (!line.empty()) out << indent << line << "\n";
}

void print_cause(const CauseReport& c, std::size_t n, std::ostream& out, const TextStyle& st, const Paint& p) {
    out << "\n" << p("1", std::to_string(n) + ". ") << sev_label(p, c.severity) << "  " << p("1", c.id) << "  ("
        << pct(c.confidence) << " sure)\n";
    out << "   " << c.title << "\n";
    wrap(out, c.explain, "   ");
    if (!c.evidence.empty()) {
        out << "   " << p("1", "Evidence") << "\n";
        std::size_t shown = 0;
        for (const auto& e : c.evidence) {
            if (!st.verbose && shown++ >= 6) {
                out << "     ... " << (c.evidence.size() - 6) << " more (use -v)\n";
                break;
            }
            out << "     - " << fact_label(e.fact, e.subject) << " = " << engine::printable(e.value, 100);
            if (!e.source.empty()) out << p("2", "   [" + e.source + "]");
            out << "\n";
            if (st.verbose && !e.excerpt.empty()) out << p("2", "         " + engine::printable(e.excerpt, 160)) << "\n";
        }
    }
    if (!c.plan.empty()) {
        out << "   " << p("1", "Plan") << "\n";
        for (const auto& s : c.plan) {
            std::string risk = s.risk == "safe" ? p("32", pad(s.risk, 11)) : (s.risk == "disruptive" ? p("33", pad(s.risk, 11)) : p("1;31", pad(s.risk, 11)));
            out << "     " << pad(s.kind, 7) << risk << s.command << "\n";
            if (!s.why.empty()) out << p("2", "                        # " + s.why) << "\n";
        }
        for (const auto& note : c.plan_notes) out << p("2", "     (" + note + ")") << "\n";
    }
    if (!c.doc.empty()) out << "   Docs: " << c.doc << "\n";
}

} // namespace

void render_text(const Report& r, std::ostream& out, const TextStyle& st) {
    Paint p{st.color};
    out << p("1", "pftriage") << " - " << r.source;
    if (!r.hostname.empty()) out << " (host " << engine::printable(r.hostname, 80) << ")";
    out << ", as of " << engine::format_time(r.now) << "\n";
    if (r.symptom && !r.symptom->id.empty())
        out << "Symptom: " << p("1", r.symptom->id) << "  from \"" << engine::printable(r.symptom->input, 100) << "\" ("
            << r.symptom->how << ", " << pct(r.symptom->confidence) << " sure)\n";
    else
        out << "Health check: every rule evaluated, every finding listed.\n";

    if (!r.not_probed.empty()) {
        out << "\n" << p("1;31", "Nothing about Postfix could be probed.") << "\n";
        wrap(out, r.not_probed, "   ");
    }
    for (const auto& n : r.notices) {
        out << "\n" << p("1;33", "Note:") << "\n";
        wrap(out, n, "   ");
    }
    std::size_t n = 0;
    std::vector<const CauseReport*> other;
    for (const auto& c : r.causes) {
        if (!c.relevant) {
            other.push_back(&c);
            continue;
        }
        print_cause(c, ++n, out, st, p);
    }
    if (n == 0) {
        if (r.symptom && !r.symptom->id.empty())
            out << "\nNo cause of \"" << r.symptom->id << "\" could be confirmed from the evidence.\n";
        else
            out << "\n" << p("32", "No problem found.") << "\n";
    }
    if (!other.empty()) {
        out << "\n" << p("1", "Other findings") << " (not explanations of this symptom, but worth fixing)\n";
        for (const auto* c : other) print_cause(*c, ++n, out, st, p);
    }
    if (!r.not_concluded.empty()) {
        out << "\n" << p("1", "Checked and not concluded") << "\n";
        std::size_t shown = 0;
        for (const auto& nc : r.not_concluded) {
            if (!st.verbose && shown++ >= 8) {
                out << "  ... " << (r.not_concluded.size() - 8) << " more (use -v)\n";
                break;
            }
            out << "  - " << nc.id << (nc.ruled_out ? " (ruled out)" : "");
            if (!nc.why_not.empty()) out << ": " << engine::printable(nc.why_not.front().reason, 140);
            out << "\n";
            if (st.verbose)
                for (const auto& w : nc.why_not)
                    for (const auto& u : w.unknowns)
                        out << p("2", "      unknown " + fact_label(u.fact, u.subject) + ": " + u.unknown_reason) << "\n";
        }
    }
    if (!r.questions.empty()) {
        out << "\n" << p("1", "Questions that would sharpen this") << " (pftriage guide asks them)\n";
        for (const auto& q : r.questions) out << "  ? " << q.text << "\n";
    }
    if (!r.unknown.empty()) {
        out << "\n" << r.unknown.size() << " fact(s) could not be established";
        if (st.verbose) {
            out << ":\n";
            for (const auto& u : r.unknown) out << "  - " << fact_label(u.fact, u.subject) << ": " << u.reason << "\n";
        } else {
            out << " (use -v to list them).\n";
        }
    }
    if (!r.warnings.empty()) {
        out << "\n" << p("33", "Input warnings") << "\n";
        for (const auto& w : r.warnings) out << "  ! " << engine::printable(w, 200) << "\n";
    }
    if (!r.commands_run.empty()) {
        // Everything pftriage ran on this host (all read-only, from its fixed allow-list).
        if (st.verbose) {
            out << "\nCommands run (read-only):\n";
            for (const auto& c : r.commands_run) out << "  $ " << engine::printable(c, 300) << "\n";
        } else {
            out << "\n" << r.commands_run.size() << " read-only commands were run on this host (-v lists them).\n";
        }
    }
    if (st.verbose && !r.timings.empty()) {
        out << "\nProbes:\n";
        for (const auto& t : r.timings) {
            char b[96];
            std::snprintf(b, sizeof b, "  %-16s %8.1f ms  %zu facts\n", t.probe.c_str(), t.ms, t.facts);
            out << b;
        }
    }
}

void render_explanation_text(const Report& r, const std::string& id, std::ostream& out, const TextStyle& st) {
    Paint p{st.color};
    for (const auto& c : r.causes) {
        if (c.id != id) continue;
        out << p("1", id) << " is concluded, " << pct(c.confidence) << " sure: " << c.title << "\n\nWhy:\n";
        std::function<void(const std::vector<engine::DerivationNode>&, int)> tree = [&](const auto& nodes, int depth) {
            std::string ind(static_cast<std::size_t>(depth) * 4, ' ');
            for (const auto& d : nodes) {
                char cf[16];
                std::snprintf(cf, sizeof cf, "%+.2f", d.cf);
                out << ind << "  rule " << p("1", d.rule_id) << (d.binding.empty() ? "" : " [" + engine::printable(d.binding, 80) + "]")
                    << " cf " << cf << (d.because.empty() ? "" : " - " + d.because) << "\n";
                for (const auto& e : d.evidence) {
                    out << ind << "      " << fact_label(e.fact, e.subject) << " = " << (e.known ? engine::printable(e.value, 100) : "unknown (" + e.unknown_reason + ")");
                    if (!e.prov.source.empty()) out << p("2", "  [" + e.prov.source + "]");
                    out << "\n";
                    if (!e.prov.excerpt.empty()) out << p("2", ind + "        > " + engine::printable(e.prov.excerpt, 160)) << "\n";
                    if (e.derived) tree(e.derivation, depth + 1);
                }
            }
        };
        tree(c.derivation, 0);
        return;
    }
    for (const auto& nc : r.not_concluded) {
        if (nc.id != id) continue;
        char cf[16];
        std::snprintf(cf, sizeof cf, "%+.2f", nc.confidence);
        out << p("1", id) << " is " << (nc.ruled_out ? "ruled out" : "not concluded") << " (certainty " << cf << ").\n\nWhy not:\n";
        if (nc.why_not.empty()) out << "  no rule could conclude it from the facts at hand.\n";
        for (const auto& w : nc.why_not) {
            out << "  rule " << p("1", w.rule_id) << (w.binding.empty() ? "" : " [" + engine::printable(w.binding, 80) + "]") << ": "
                << engine::printable(w.reason, 200) << "\n";
            for (const auto& e : w.evidence)
                out << "      " << fact_label(e.fact, e.subject) << " = " << engine::printable(e.value, 100)
                    << p("2", e.prov.source.empty() ? "" : "  [" + e.prov.source + "]") << "\n";
            for (const auto& u : w.unknowns)
                out << "      " << fact_label(u.fact, u.subject) << " is unknown: " << u.unknown_reason << "\n";
        }
        return;
    }
    out << id << ": not concluded, and not a candidate of the chosen symptom.\n";
}

} // namespace pft::cli
