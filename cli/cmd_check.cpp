// cmd_check.cpp - `pftriage check`: the health check as a Nagios/Icinga plugin (one
// status line with performance data, exit 0-3), optionally also writing the JSON
// report and a Prometheus textfile in one run. It adds no rules of its own.
#include "cli/app.hpp"
#include "cli/command.hpp"
#include "cli/progress.hpp"
#include "cli/render.hpp"
#include "cli/session.hpp"

#include <spdlog/spdlog.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <unistd.h>

namespace pft::cli {

namespace {

// Writes next to the target and renames, so a reader (node_exporter, a fleet
// collector) never sees half a file.
bool write_atomically(const std::string& path, const std::string& body) {
    std::string tmp = path + ".tmp." + std::to_string(getpid());
    {
        std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
        if (!f || !(f << body) || !f.flush()) {
            std::remove(tmp.c_str());
            return false;
        }
    }
    std::error_code ec;
    std::filesystem::rename(tmp, path, ec);
    if (ec) std::remove(tmp.c_str());
    return !ec;
}

class CheckCommand : public Command {
public:
    CLI::App* add(CLI::App& app, Common& c) override {
        auto* s = app.add_subcommand("check", "Health check for monitoring: one Nagios/Icinga status line with performance data "
                                              "(queue sizes, oldest message age, certificate days left, deferral rate); exit 0-3");
        add_common_options(s, c);
        add_source_options(s, c);
        s->add_option("--json-out", json_out_, "Also write the JSON report (pftriage.report/1) to FILE, atomically");
        s->add_option("--prometheus-out", prom_out_, "Also write Prometheus metrics to FILE (node_exporter textfile collector, *.prom), atomically");
        return s;
    }
    int run(Common& c) override {
        int code = 0;
        auto k = load_knowledge_or_report(c, &code);
        if (!k) return unknown("the knowledge base could not be loaded (see standard error)");
        auto sm = resolve_symptom(c, *k, &code);
        if (code) return unknown("the symptom was not recognised");
        auto src = open_source(c, &code);
        if (!src) return unknown("the evidence could not be opened (see standard error)");
        Progress progress(c.quiet ? "" : "checking " + src->describe());
        auto gathered = gather_facts(*k, *src);
        auto eng = run_engine(*k, gathered.facts, src->now());
        progress.done();
        Report rep = build_report(*k, *eng, sm, gathered);
        rep.source = src->describe();
        for (const auto& w : rep.warnings) spdlog::info("{}", w);
        bool ok = true;
        if (!json_out_.empty()) ok = write_file(json_out_, rep, "json") && ok;
        if (!prom_out_.empty()) ok = write_file(prom_out_, rep, "prometheus") && ok;
        std::string fmt = c.format == "text" ? "nagios" : c.format;
        render_report(rep, fmt, std::cout, TextStyle{false, c.verbose > 0});
        if (!ok) return rep.exit_code == 0 ? kNoConclusion : rep.exit_code;
        return rep.exit_code;
    }

private:
    static int unknown(const std::string& why) {
        std::cout << "PFTRIAGE UNKNOWN - " << why << "\n";
        return kNoConclusion;
    }
    static bool write_file(const std::string& path, const Report& rep, const std::string& fmt) {
        std::ostringstream s;
        render_report(rep, fmt, s, TextStyle{});
        if (write_atomically(path, s.str())) return true;
        spdlog::error("cannot write {}", path);
        return false;
    }
    std::string json_out_, prom_out_;
};

} // namespace

std::unique_ptr<Command> make_check_command() { return std::make_unique<CheckCommand>(); }

} // namespace pft::cli
