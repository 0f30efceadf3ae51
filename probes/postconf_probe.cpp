// postconf_probe.cpp - the configuration as Postfix sees it: parameters, warnings,
// main.cf duplicates and master.cf services. Reads postconf.txt, postconf-n.txt,
// postconf-warnings.txt, main.cf and postconf-M.txt (master.cf as a fallback).
// It does not judge any value; rules do that.
#include "probes/builtin_probes.hpp"
#include "probes/evidence.hpp"
#include "probes/parse/main_cf.hpp"
#include "probes/parse/master_services.hpp"
#include "probes/parse/postconf_output.hpp"
#include "probes/parse/postfix_diagnostics.hpp"

#include <map>
#include <set>

namespace pft::probes {

namespace {

constexpr std::size_t max_value = 64 * 1024;
constexpr std::int64_t postfix_default_process_limit = 100;

class PostconfProbe : public Probe {
public:
    std::string name() const override { return "postconf"; }
    std::vector<std::string> produces() const override {
        return {"postconf.param",   "postconf.explicit",  "postconf.unused_param",   "postconf.overriding",
                "postconf.warning_count", "postconf.fatal", "postfix.installed", "maincf.duplicate", "master.service_enabled", "master.maxproc",
                "master.chroot"};
    }

    void run(Source& src, FactSink& out) override {
        auto all = params(src, out, "postconf.txt", "postconf.param");
        auto expl = params(src, out, "postconf-n.txt", "postconf.explicit");
        warnings(src, out);
        duplicates(src, out);
        std::optional<std::int64_t> limit;
        for (const auto* m : {&all, &expl}) {
            auto it = m->find("default_process_limit");
            if (it != m->end() && !limit) {
                try {
                    limit = std::stoll(it->second);
                } catch (...) {
                }
            }
        }
        services(src, out, limit.value_or(postfix_default_process_limit), limit.has_value());
    }

private:
    std::map<std::string, std::string> params(Source& src, FactSink& out, const char* file, const char* fact) {
        std::map<std::string, std::string> m;
        Evidence ev(src, name(), file, out);
        const bool first = std::string(file) == "postconf.txt"; // also says whether Postfix is there
        if (!ev.ok()) {
            out.unknown(fact, "", ev.missing_reason(), ev.whole());
            if (first && ev.artifact().program_missing)
                out.known("postfix.installed", "", false, ev.whole("postconf is not installed"));
            else if (first)
                out.unknown("postfix.installed", "", ev.missing_reason(), ev.whole());
            return m;
        }
        if (first) out.known("postfix.installed", "", true, ev.whole("postconf ran"));
        auto pc = parse::parse_postconf(ev.text());
        ev.report(pc.warnings);
        std::map<std::string, std::size_t> last; // the last entry of a name wins
        for (std::size_t i = 0; i < pc.entries.size(); ++i) {
            m[pc.entries[i].name] = pc.entries[i].value;
            last[pc.entries[i].name] = i;
        }
        for (std::size_t i = 0; i < pc.entries.size(); ++i) {
            const auto& e = pc.entries[i];
            if (last[e.name] != i) continue;
            out.known(fact, e.name, engine::printable(e.value, max_value), ev.at(e.line, e.name + " = " + e.value));
        }
        return m;
    }

    void warnings(Source& src, FactSink& out) {
        Evidence ev(src, name(), "postconf-warnings.txt", out);
        if (!ev.ok()) {
            out.unknown("postconf.warning_count", "", ev.missing_reason(), ev.whole());
            out.unknown("postconf.unused_param", "", ev.missing_reason(), ev.whole());
            out.unknown("postconf.overriding", "", ev.missing_reason(), ev.whole());
            out.unknown("postconf.fatal", "", ev.missing_reason(), ev.whole());
            return;
        }
        auto d = parse::parse_postfix_diagnostics(ev.text());
        ev.report(d.warnings);
        // A fatal error: postconf could not read the configuration at all (main.cf missing,
        // unreadable, or a line it cannot parse), so every parameter fact is unknown.
        const parse::PostfixDiagnostic* fatal = nullptr;
        for (const auto& w : d.items)
            if (w.severity == "fatal" || w.severity == "panic") {
                fatal = &w;
                break;
            }
        if (fatal) {
            std::string text = fatal->file;
            if (fatal->file_line) text += ", line " + std::to_string(*fatal->file_line);
            if (!text.empty()) text += ": ";
            text += fatal->message;
            out.known("postconf.fatal", "", text, ev.at(fatal->line, fatal->program + ": " + fatal->severity + ": " + text));
        } else {
            out.known("postconf.fatal", "", std::string(), ev.whole("(no fatal error)"));
        }
        std::int64_t count = 0;
        std::map<std::string, const parse::PostfixDiagnostic*> unused, overriding;
        for (const auto& w : d.items) {
            ++count;
            if (w.kind == parse::DiagnosticKind::UnusedParameter && !unused.count(w.name)) unused[w.name] = &w;
            if (w.kind == parse::DiagnosticKind::OverridingEntry && w.file_line) {
                auto& cur = overriding[w.name];
                if (!cur || *w.file_line > *cur->file_line) cur = &w; // the entry that finally wins
            }
        }
        out.known("postconf.warning_count", "", count,
                  ev.whole(d.items.empty() ? "(no warnings)" : d.items.front().message));
        for (const auto& [n, w] : unused)
            out.known("postconf.unused_param", n, true, ev.at(w->line, w->program + ": " + w->message));
        for (const auto& [n, w] : overriding)
            out.known("postconf.overriding", n, static_cast<std::int64_t>(*w->file_line),
                      ev.at(w->line, w->file + ", line " + std::to_string(*w->file_line) + ": " + w->message));
    }

    void duplicates(Source& src, FactSink& out) {
        Evidence ev(src, name(), "main.cf", out);
        if (!ev.ok()) {
            out.unknown("maincf.duplicate", "", ev.missing_reason(), ev.whole());
            return;
        }
        auto mc = parse::parse_main_cf(ev.text());
        ev.report(mc.warnings);
        for (const auto& [n, lines] : mc.lines_by_name()) {
            if (lines.size() < 2) continue;
            std::string at = "set on lines";
            for (auto l : lines) {
                at += ' ';
                at += std::to_string(l);
            }
            out.known("maincf.duplicate", n, static_cast<std::int64_t>(lines.size()), ev.at(lines[1], n + ": " + at));
        }
    }

    void services(Source& src, FactSink& out, std::int64_t default_limit, bool limit_known) {
        Evidence ev(src, name(), "postconf-M.txt", out);
        if (!ev.ok()) {
            Evidence cf(src, name(), "master.cf", out);
            if (!cf.ok()) {
                std::string why = ev.missing_reason() + "; " + cf.missing_reason();
                out.unknown("master.service_enabled", "", why, ev.whole());
                out.unknown("master.maxproc", "", why, ev.whole());
                out.unknown("master.chroot", "", why, ev.whole());
                return;
            }
            emit_services(cf, out, default_limit, limit_known);
            return;
        }
        emit_services(ev, out, default_limit, limit_known);
    }

    void emit_services(const Evidence& ev, FactSink& out, std::int64_t default_limit, bool limit_known) {
        auto ms = parse::parse_master_services(ev.text());
        ev.report(ms.warnings);
        std::set<std::string> seen;
        for (const auto& s : ms.services) {
            std::string key = s.key();
            if (!seen.insert(key).second) {
                out.warn(ev.name() + ":" + std::to_string(s.line) + ": service " + key + " defined twice");
                continue;
            }
            std::string excerpt = s.service + " " + s.type + " ... " + s.maxproc + " " + s.command;
            out.known("master.service_enabled", key, true, ev.at(s.line, excerpt));
            // Fifth field: y = chrooted; n, and '-' (the compiled-in default since Postfix 3.0), = not.
            if (s.chroot == "y" || s.chroot == "n" || s.chroot == "-")
                out.known("master.chroot", key, s.chroot == "y",
                          ev.at(s.line, s.service + " " + s.type + " chroot=" + s.chroot));
            if (s.maxproc == "-") {
                out.known("master.maxproc", key, default_limit,
                          ev.at(s.line, excerpt + " (- = default_process_limit " + std::to_string(default_limit) +
                                            (limit_known ? ")" : ", the Postfix default)")));
            } else {
                try {
                    out.known("master.maxproc", key, static_cast<std::int64_t>(std::stoll(s.maxproc)),
                              ev.at(s.line, excerpt));
                } catch (...) {
                    out.warn(ev.name() + ":" + std::to_string(s.line) + ": maxproc out of range");
                }
            }
        }
    }
};

} // namespace

std::unique_ptr<Probe> make_postconf_probe() { return std::make_unique<PostconfProbe>(); }

} // namespace pft::probes
