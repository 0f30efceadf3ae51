// tables_probe.cpp - every indexed lookup table named in main.cf or master.cf:
// its source against its indexed file (missing, older than the source), and the
// ownership and permissions of the files in the configuration directory.
// Reads tables.txt and ls-etc-postfix.txt. It never reads a table's content.
#include "probes/builtin_probes.hpp"
#include "probes/config_view.hpp"
#include "probes/evidence.hpp"
#include "probes/parse/stat_lines.hpp"

namespace pft::probes {

namespace {

class TablesProbe : public Probe {
public:
    std::string name() const override { return "tables"; }
    std::vector<std::string> produces() const override {
        return {"table.type", "table.param", "table.index_path", "table.source_mtime", "table.index_mtime",
                "table.source_missing", "table.index_missing", "table.index_stale", "table.age_gap",
                "config.file_unsafe", "config.file_mode", "config.main_cf_present"};
    }

    void run(Source& src, FactSink& out) override {
        ConfigView cfg = ConfigView::load(src);
        tables(src, cfg, out);
        config_files(src, out);
    }

private:
    void tables(Source& src, const ConfigView& cfg, FactSink& out) {
        engine::Provenance cp{name(), "postconf.txt", ""};
        if (!cfg.ok()) {
            out.unknown("table.index_missing", "", cfg.error(), cp);
            return;
        }
        auto refs = cfg.tables();
        if (refs.empty()) return;
        Evidence ev(src, name(), "tables.txt", out);
        parse::FileStats st;
        if (ev.ok()) {
            st = parse::parse_tables_txt(ev.text());
            ev.report(st.warnings);
        }
        for (const auto& t : refs) {
            auto p = engine::Provenance{name(), "postconf.txt", t.param + " = " + t.type + ":" + t.path};
            out.known("table.type", t.path, t.type, p);
            out.known("table.param", t.path, t.param, p);
            out.known("table.index_path", t.path, t.index_path, p);
            static const char* facts[] = {"table.source_missing", "table.index_missing", "table.index_stale"};
            if (!ev.ok()) {
                for (const char* f : facts) out.unknown(f, t.path, ev.missing_reason(), ev.whole());
                continue;
            }
            const auto* s = st.find(t.path);
            const auto* i = st.find(t.index_path);
            if (!s) out.unknown("table.source_missing", t.path, "tables.txt has no line for " + t.path, ev.whole());
            else out.known("table.source_missing", t.path, s->missing, ev.at(s->line, (s->missing ? "missing " : "") + s->path));
            if (!i) out.unknown("table.index_missing", t.path, "tables.txt has no line for " + t.index_path, ev.whole());
            else out.known("table.index_missing", t.path, i->missing, ev.at(i->line, (i->missing ? "missing " : "") + i->path));
            if (s && !s->missing && s->mtime)
                out.known("table.source_mtime", t.path, engine::TimePoint{std::chrono::seconds{*s->mtime}}, ev.at(s->line, s->path));
            if (i && !i->missing && i->mtime)
                out.known("table.index_mtime", t.path, engine::TimePoint{std::chrono::seconds{*i->mtime}}, ev.at(i->line, i->path));
            if (s && i && !s->missing && !i->missing && s->mtime && i->mtime) {
                std::int64_t gap = *s->mtime - *i->mtime;
                out.known("table.index_stale", t.path, gap > 0,
                          ev.at(s->line, "source " + std::to_string(*s->mtime) + ", index " + std::to_string(*i->mtime)));
                out.known("table.age_gap", t.path, engine::Duration{gap > 0 ? gap : 0}, ev.at(s->line, s->path));
            } else if (s && i) {
                out.unknown("table.index_stale", t.path, "source or index file is missing", ev.whole());
            }
        }
    }

    void config_files(Source& src, FactSink& out) {
        Evidence ev(src, name(), "ls-etc-postfix.txt", out);
        if (!ev.ok()) {
            out.unknown("config.file_unsafe", "", ev.missing_reason(), ev.whole());
            out.unknown("config.main_cf_present", "", ev.missing_reason(), ev.whole());
            return;
        }
        auto ls = parse::parse_ls_ln(ev.text());
        ev.report(ls.warnings);
        const parse::FileStat* main_cf = nullptr;
        for (const auto& f : ls.files)
            if (f.path == "main.cf") main_cf = &f;
        if (main_cf)
            out.known("config.main_cf_present", "", true, ev.at(main_cf->line, "main.cf"));
        else
            out.known("config.main_cf_present", "", false,
                      ev.whole("no main.cf among the " + std::to_string(ls.files.size()) + " entries listed"));
        for (const auto& f : ls.files) {
            if (f.kind != '-' && f.kind != 'd') continue;
            char mode[8];
            std::snprintf(mode, sizeof mode, "%04o", f.mode);
            bool unsafe = f.uid != 0 || (f.mode & 0002) != 0;
            auto p = ev.at(f.line, std::string(mode) + " uid " + std::to_string(f.uid) + " " + f.path);
            out.known("config.file_mode", f.path, std::string(mode), p);
            out.known("config.file_unsafe", f.path, unsafe, p);
        }
    }
};

} // namespace

std::unique_ptr<Probe> make_tables_probe() { return std::make_unique<TablesProbe>(); }

} // namespace pft::probes
