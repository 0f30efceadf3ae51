// cmd_triage.cpp - the default command (triage of a symptom, or a health check)
// and `explain CAUSE` (why it was concluded, or why not).
#include "cli/app.hpp"
#include "cli/command.hpp"
#include "cli/progress.hpp"
#include "cli/render.hpp"
#include "cli/session.hpp"
#include "engine/certainty.hpp"

#include <spdlog/spdlog.h>

#include <iostream>
#include <unistd.h>

namespace pft::cli {

namespace {

struct TriageRun {
    std::optional<Knowledge> k;
    std::unique_ptr<probes::Source> src;
    std::unique_ptr<engine::Engine> eng;
    Report rep;
};

// Everything up to the report; returns an exit code > 3 on failure.
int do_triage(Common& c, TriageRun& t) {
    int code = 0;
    t.k = load_knowledge_or_report(c, &code);
    if (!t.k) return code;
    auto sm = resolve_symptom(c, *t.k, &code);
    if (code) return code;
    t.src = open_source(c, &code);
    if (!t.src) return code;
    Progress progress(c.quiet ? "" : "probing " + t.src->describe());
    auto gathered = gather_facts(*t.k, *t.src);
    t.eng = run_engine(*t.k, gathered.facts, t.src->now());
    progress.done();
    t.rep = build_report(*t.k, *t.eng, sm, gathered);
    t.rep.source = t.src->describe();
    for (const auto& w : t.rep.warnings) spdlog::warn("{}", w);
    return 0;
}

TextStyle style(const Common& c) { return TextStyle{!c.no_color && use_color(STDOUT_FILENO), c.verbose > 0}; }

class ExplainCommand : public Command {
public:
    CLI::App* add(CLI::App& app, Common& c) override {
        auto* s = app.add_subcommand("explain", "Why a cause was concluded (rules and facts down to the raw evidence), or why not");
        s->add_option("cause", cause_, "Cause id (see `pftriage kb graph` or the README)")->required();
        add_common_options(s, c);
        add_source_options(s, c);
        return s;
    }
    int run(Common& c) override {
        TriageRun t;
        if (int code = do_triage(c, t)) return code;
        auto it = t.k->kb.cause_index.find(cause_);
        if (it == t.k->kb.cause_index.end()) {
            std::cerr << "pftriage: unknown cause '" << cause_ << "'\n";
            return kUsage;
        }
        bool listed = false;
        for (const auto& x : t.rep.causes) listed = listed || x.id == cause_;
        for (const auto& x : t.rep.not_concluded) listed = listed || x.id == cause_;
        if (!listed) {
            NotConcluded nc;
            nc.id = cause_;
            nc.title = t.k->kb.causes[static_cast<std::size_t>(it->second)].title;
            nc.confidence = t.eng->cause_cf(it->second);
            nc.ruled_out = nc.confidence <= -engine::kConcludeThreshold;
            nc.why_not = engine::why_not(*t.eng, it->second, 10);
            t.rep.not_concluded.push_back(std::move(nc));
        }
        if (c.format == "json") {
            auto j = report_json(t.rep);
            nlohmann::ordered_json one = nullptr;
            for (auto& x : j["causes"])
                if (x["id"] == cause_) one = x;
            for (auto& x : j["not_concluded"])
                if (x["id"] == cause_) one = x;
            std::cout << one.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
        } else {
            render_explanation_text(t.rep, cause_, std::cout, style(c));
        }
        return t.rep.exit_code;
    }

private:
    std::string cause_;
};

} // namespace

int run_triage(Common& c) {
    TriageRun t;
    if (int code = do_triage(c, t)) return code;
    render_report(t.rep, c.format, std::cout, style(c));
    return t.rep.exit_code;
}

std::unique_ptr<Command> make_explain_command() { return std::make_unique<ExplainCommand>(); }

} // namespace pft::cli
