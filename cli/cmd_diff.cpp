// cmd_diff.cpp - `pftriage diff OLD.json NEW.json`: which findings appeared, cleared,
// or changed confidence or severity between two JSON reports (pftriage.report/1).
// It compares reports only; it never probes or re-runs rules. Exit 1 when a new
// warning or critical finding appeared (or one rose to that level), else 0.
#include "cli/app.hpp"
#include "cli/command.hpp"
#include "engine/fact.hpp"

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>

namespace pft::cli {

namespace {

using json = nlohmann::json;

constexpr std::size_t kMaxReportBytes = 64u << 20;

struct Finding {
    std::string severity, title;
    double confidence = 0;
};

int sev_rank(const std::string& s) { return s == "critical" ? 2 : s == "warning" ? 1 : 0; }

// Reads one report; on failure prints why and returns nullopt.
std::optional<std::map<std::string, Finding>> read_report(const std::string& path, json* doc) {
    std::ifstream f(path, std::ios::binary);
    if (!f) {
        std::cerr << "pftriage: cannot read " << path << "\n";
        return std::nullopt;
    }
    std::string text;
    text.resize(kMaxReportBytes + 1);
    f.read(text.data(), static_cast<std::streamsize>(text.size()));
    text.resize(static_cast<std::size_t>(f.gcount()));
    if (text.size() > kMaxReportBytes) {
        std::cerr << "pftriage: " << path << ": larger than " << (kMaxReportBytes >> 20) << " MiB, not a report\n";
        return std::nullopt;
    }
    *doc = json::parse(text, nullptr, false);
    if (doc->is_discarded() || !doc->is_object() || doc->value("schema", "") != "pftriage.report/1" ||
        !(*doc)["causes"].is_array()) {
        std::cerr << "pftriage: " << path << ": not a pftriage.report/1 JSON report\n";
        return std::nullopt;
    }
    std::map<std::string, Finding> out;
    for (const auto& c : (*doc)["causes"]) {
        if (!c.is_object() || !c.contains("id") || !c["id"].is_string()) continue;
        Finding x;
        x.severity = c.value("severity", "info");
        x.title = c.value("title", "");
        x.confidence = c.contains("confidence") && c["confidence"].is_number() ? c["confidence"].get<double>() : 0.0;
        out[c["id"].get<std::string>()] = std::move(x);
    }
    return out;
}

std::string pct(double x) {
    char b[16];
    std::snprintf(b, sizeof b, "%.0f%%", std::round(x * 100));
    return b;
}

class DiffCommand : public Command {
public:
    CLI::App* add(CLI::App& app, Common& c) override {
        auto* s = app.add_subcommand("diff", "Compare two JSON reports: findings that appeared, cleared, or changed "
                                             "confidence or severity (exit 1 when a new warning or critical appeared)");
        s->add_option("old", old_, "The earlier report (pftriage --format json)")->required();
        s->add_option("new", new_, "The later report")->required();
        s->add_option("--format", c.format, "Output format: text or json")->check(CLI::IsMember({"text", "json"}));
        s->add_option("--min-change", min_change_, "Smallest confidence change to report (default 0.1)")->check(CLI::Range(0.0, 1.0));
        add_common_options(s, c);
        return s;
    }
    int run(Common& c) override {
        json jo, jn;
        auto a = read_report(old_, &jo);
        if (!a) return kDataErr;
        auto b = read_report(new_, &jn);
        if (!b) return kDataErr;
        json appeared = json::array(), cleared = json::array(), changed = json::array();
        bool worse = false;
        for (const auto& [id, f] : *b) {
            auto it = a->find(id);
            if (it == a->end()) {
                appeared.push_back({{"id", id}, {"severity", f.severity}, {"confidence", f.confidence}, {"title", f.title}});
                worse = worse || sev_rank(f.severity) >= 1;
                continue;
            }
            const auto& o = it->second;
            bool sev_changed = o.severity != f.severity;
            if (sev_changed || std::fabs(o.confidence - f.confidence) >= min_change_ - 1e-9) {
                changed.push_back({{"id", id}, {"severity", f.severity}, {"old_severity", o.severity}, {"confidence", f.confidence},
                                   {"old_confidence", o.confidence}, {"title", f.title}});
                worse = worse || (sev_rank(f.severity) > sev_rank(o.severity) && sev_rank(f.severity) >= 1);
            }
        }
        for (const auto& [id, f] : *a)
            if (!b->count(id))
                cleared.push_back({{"id", id}, {"severity", f.severity}, {"confidence", f.confidence}, {"title", f.title}});
        int code = worse ? kWarning : kOk;
        if (c.format == "json") {
            nlohmann::ordered_json out;
            out["schema"] = "pftriage.diff/1";
            out["old"] = {{"file", old_}, {"reference_time", jo.value("reference_time", "")}};
            out["new"] = {{"file", new_}, {"reference_time", jn.value("reference_time", "")}};
            out["appeared"] = appeared;
            out["cleared"] = cleared;
            out["changed"] = changed;
            out["exit_code"] = code;
            std::cout << out.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
            return code;
        }
        auto P = [](const json& j, const char* k) { return engine::printable(j.value(k, ""), 120); };
        std::cout << "pftriage diff: " << P(jo, "reference_time") << " -> " << P(jn, "reference_time") << "\n";
        for (const auto& x : appeared)
            std::cout << "+ appeared  " << P(x, "severity") << "  " << P(x, "id") << " (" << pct(x["confidence"].get<double>()) << ")  "
                      << P(x, "title") << "\n";
        for (const auto& x : cleared)
            std::cout << "- cleared   " << P(x, "severity") << "  " << P(x, "id") << "  " << P(x, "title") << "\n";
        for (const auto& x : changed) {
            std::cout << "~ changed   " << P(x, "id") << ":";
            if (x["severity"] != x["old_severity"]) std::cout << " severity " << P(x, "old_severity") << " -> " << P(x, "severity");
            std::cout << " confidence " << pct(x["old_confidence"].get<double>()) << " -> " << pct(x["confidence"].get<double>()) << "\n";
        }
        if (jo.contains("metrics") && jn.contains("metrics") && jo["metrics"].is_object() && jn["metrics"].is_object()) {
            auto qa = jo["metrics"].value("queue_total", json()), qb = jn["metrics"].value("queue_total", json());
            if (qa.is_number() && qb.is_number() && qa != qb) std::cout << "  queue total " << qa.dump() << " -> " << qb.dump() << "\n";
        }
        if (appeared.empty() && cleared.empty() && changed.empty()) std::cout << "no change in findings\n";
        return code;
    }

private:
    std::string old_, new_;
    double min_change_ = 0.1;
};

} // namespace

std::unique_ptr<Command> make_diff_command() { return std::make_unique<DiffCommand>(); }

} // namespace pft::cli
