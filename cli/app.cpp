// app.cpp - commands: triage (default), explain, symptoms, kb lint|test|graph|facts.
#include "cli/app.hpp"

#include "cli/render.hpp"
#include "cli/symptom_match.hpp"
#include "cli/triage.hpp"
#include "engine/certainty.hpp"
#include "probes/bundle_source.hpp"
#include "rules/graph.hpp"
#include "rules/kb_test.hpp"
#include "rules/lint.hpp"
#if __has_include("probes/live_source.hpp")
#include "probes/live_source.hpp"
#define PFT_HAVE_LIVE 1
#endif

#include <CLI/CLI.hpp>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <fstream>
#include <iostream>
#include <unistd.h>

namespace pft::cli {

namespace {

struct Options {
    std::string symptom;
    std::string from;
    std::string format = "text";
    std::string kb;
    std::string config_dir;
    std::string explain_cause;
    std::string graph_out;
    int verbose = 0;
    bool quiet = false;
    bool no_color = false;
    bool strict = false;
};

void setup_logging(const Options& o) {
    auto logger = spdlog::stderr_color_mt("pftriage");
    spdlog::set_default_logger(logger);
    spdlog::set_pattern("pftriage: %^%l%$: %v");
    if (o.quiet) spdlog::set_level(spdlog::level::err);
    else if (o.verbose >= 2) spdlog::set_level(spdlog::level::debug);
    else spdlog::set_level(spdlog::level::warn);
}

std::optional<Knowledge> load_or_report(const Options& o, int* code) {
    rules::Diagnostics diags;
    std::string nf;
    auto k = load_all_knowledge(o.kb, diags, &nf);
    for (const auto& d : diags.sorted()) std::cerr << d.to_string() << "\n";
    if (!k) {
        if (!nf.empty()) std::cerr << "pftriage: " << nf << "\n";
        else std::cerr << "pftriage: the knowledge base has " << diags.error_count() << " error(s); nothing was analysed\n";
        *code = kDataErr;
    }
    return k;
}

void list_symptoms(const rules::KnowledgeBase& kb, std::ostream& out) {
    out << "Known symptoms (use the id, or describe it in your own words):\n";
    for (const auto& s : kb.symptoms) {
        out << "  " << s.id << std::string(s.id.size() < 22 ? 22 - s.id.size() : 1, ' ') << s.title;
        if (!s.aliases.empty()) out << "  (e.g. \"" << s.aliases.front() << "\")";
        out << "\n";
    }
}

std::unique_ptr<probes::Source> open_source(const Options& o, int* code) {
    if (!o.from.empty()) {
        std::string err;
        auto src = probes::open_bundle(o.from, &err);
        if (!src) {
            std::cerr << "pftriage: " << o.from << ": " << err << "\n";
            *code = kDataErr;
        }
        return src;
    }
#ifdef PFT_HAVE_LIVE
    probes::LiveOptions lo;
    if (!o.config_dir.empty()) lo.config_dir = o.config_dir;
    return std::make_unique<probes::LiveSource>(lo);
#else
    std::cerr << "pftriage: live probing is not built in; use --from BUNDLE\n";
    *code = kUsage;
    return nullptr;
#endif
}

int triage(const Options& o, bool explain) {
    int code = 0;
    auto k = load_or_report(o, &code);
    if (!k) return code;
    std::optional<SymptomMatch> sm;
    if (!o.symptom.empty()) {
        sm = match_symptom(o.symptom, k->kb);
        if (sm->id.empty()) {
            std::cerr << "pftriage: no known symptom matches \"" << o.symptom << "\".\n";
            if (!sm->ranked.empty() && sm->ranked.front().score > 0)
                std::cerr << "Closest: " << sm->ranked.front().id << " (" << sm->ranked.front().how << ")\n";
            list_symptoms(k->kb, std::cerr);
            return kUsage;
        }
    }
    auto src = open_source(o, &code);
    if (!src) return code;
    auto gathered = gather_facts(*k, *src);
    auto eng = run_engine(*k, gathered.facts, src->now());
    Report rep = build_report(*k, *eng, sm, gathered);
    rep.source = src->describe();
    for (const auto& w : rep.warnings) spdlog::warn("{}", w);

    if (explain) {
        auto it = k->kb.cause_index.find(o.explain_cause);
        if (it == k->kb.cause_index.end()) {
            std::cerr << "pftriage: unknown cause '" << o.explain_cause << "'\n";
            return kUsage;
        }
        bool listed = false;
        for (const auto& c : rep.causes) listed = listed || c.id == o.explain_cause;
        for (const auto& c : rep.not_concluded) listed = listed || c.id == o.explain_cause;
        if (!listed) {
            NotConcluded nc;
            nc.id = o.explain_cause;
            nc.title = k->kb.causes[static_cast<std::size_t>(it->second)].title;
            nc.confidence = eng->cause_cf(it->second);
            nc.ruled_out = nc.confidence <= -engine::kConcludeThreshold;
            nc.why_not = engine::why_not(*eng, it->second, 10);
            rep.not_concluded.push_back(std::move(nc));
        }
        if (o.format == "json") {
            auto j = report_json(rep);
            nlohmann::json one = nullptr;
            for (auto& c : j["causes"])
                if (c["id"] == o.explain_cause) one = c;
            for (auto& c : j["not_concluded"])
                if (c["id"] == o.explain_cause) one = c;
            std::cout << one.dump(2) << "\n";
        } else {
            render_explanation_text(rep, o.explain_cause, std::cout, TextStyle{!o.no_color && use_color(STDOUT_FILENO), o.verbose > 0});
        }
        return rep.exit_code;
    }
    if (o.format == "json") render_json(rep, std::cout);
    else render_text(rep, std::cout, TextStyle{!o.no_color && use_color(STDOUT_FILENO), o.verbose > 0});
    return rep.exit_code;
}

int kb_lint(const Options& o) {
    rules::Diagnostics diags;
    std::string nf;
    auto k = load_all_knowledge(o.kb, diags, &nf);
    if (!k && !nf.empty()) {
        std::cerr << "pftriage: " << nf << "\n";
        return kDataErr;
    }
    if (k) rules::lint(k->kb, k->catalog, diags);
    std::size_t warnings = diags.items().size() - diags.error_count();
    for (const auto& d : diags.sorted()) std::cout << d.to_string() << "\n";
    if (k)
        std::cout << "kb lint: " << k->kb.files.size() << " files, " << k->kb.symptoms.size() << " symptoms, "
                  << k->kb.causes.size() << " causes, " << k->kb.rules.size() << " rules, " << k->kb.questions.size()
                  << " questions, " << k->kb.tests.size() << " tests, " << (k->signatures ? k->signatures->signatures().size() : 0)
                  << " log signatures, " << k->catalog.facts.size() << " catalog facts: ";
    else
        std::cout << "kb lint: ";
    std::cout << diags.error_count() << " error(s), " << warnings << " warning(s)\n";
    if (diags.has_errors() || (o.strict && warnings > 0)) return kDataErr;
    return kOk;
}

int kb_test(const Options& o) {
    int code = 0;
    auto k = load_or_report(o, &code);
    if (!k) return code;
    // Tests are judged at a fixed reference time so that ages in them are stable.
    auto now = engine::parse_rfc3339("2026-11-24T12:00:00Z").value();
    auto results = rules::run_kb_tests(k->kb, now);
    std::size_t failed = 0;
    for (const auto& r : results) {
        if (r.passed) {
            if (o.verbose) std::cout << "ok    " << r.name << "\n";
            continue;
        }
        ++failed;
        std::cout << "FAIL  " << r.name << "  (" << r.loc.to_string() << ")\n";
        for (const auto& f : r.failures) std::cout << "      " << f << "\n";
    }
    std::cout << "kb test: " << (results.size() - failed) << " passed, " << failed << " failed\n";
    return failed ? kDataErr : kOk;
}

int kb_graph(const Options& o) {
    int code = 0;
    auto k = load_or_report(o, &code);
    if (!k) return code;
    if (o.graph_out.empty() || o.graph_out == "-") {
        rules::write_kb_graph(k->kb, std::cout);
    } else {
        std::ofstream f(o.graph_out);
        if (!f) {
            std::cerr << "pftriage: cannot write " << o.graph_out << "\n";
            return kDataErr;
        }
        rules::write_kb_graph(k->kb, f);
    }
    return kOk;
}

int kb_facts(const Options& o) {
    int code = 0;
    auto k = load_or_report(o, &code);
    if (!k) return code;
    std::cout << rules::fact_catalog_markdown(k->catalog);
    return kOk;
}

} // namespace

int run_app(int argc, char** argv) {
    Options o;
    CLI::App app{"pftriage - troubleshoot a Postfix mail server: ranked causes, evidence and a plan.\n"
                 "With --symptom, explains that symptom; without it, runs a health check of every rule.\n"
                 "Reads the live host by default, or an evidence bundle with --from (directory or .tar.gz).",
                 "pftriage"};
    app.set_version_flag("--version", std::string("pftriage ") + PFT_VERSION);
    app.require_subcommand(0, 1);
    auto add_common = [&o](CLI::App* a) {
        a->add_option("--kb", o.kb, "Knowledge directory (default: installed share/pftriage or the source tree)");
        a->add_flag("-v,--verbose", o.verbose, "More detail: all evidence, unknown facts, probe timings (-vv: debug log)");
        a->add_flag("-q,--quiet", o.quiet, "Only errors on standard error");
        a->add_flag("--no-color", o.no_color, "Never colour the output (NO_COLOR is honoured too)");
    };
    auto add_triage = [&o](CLI::App* a) {
        a->add_option("-s,--symptom", o.symptom, "What is wrong, in your words or as a symptom id (\"mail stuck\", relay-denied)");
        a->add_option("-f,--from", o.from, "Analyse an evidence bundle (directory or .tar.gz) instead of this host");
        a->add_option("--format", o.format, "Output format")->check(CLI::IsMember({"text", "json"}));
        a->add_option("-c,--config-dir", o.config_dir, "Postfix configuration directory of the live instance (like postconf -c)");
    };
    add_common(&app);
    add_triage(&app);

    auto* explain = app.add_subcommand("explain", "Why a cause was concluded, or why not");
    explain->add_option("cause", o.explain_cause, "Cause id")->required();
    add_common(explain);
    add_triage(explain);

    auto* symptoms = app.add_subcommand("symptoms", "List the symptoms pftriage knows");
    add_common(symptoms);

    auto* kb = app.add_subcommand("kb", "Knowledge-base tools");
    kb->require_subcommand(1);
    auto* lint = kb->add_subcommand("lint", "Check the knowledge base against the fact catalog");
    lint->add_flag("--strict", o.strict, "Treat warnings as errors");
    auto* test = kb->add_subcommand("test", "Run the knowledge base's own example tests");
    auto* graph = kb->add_subcommand("graph", "Write the rule graph as Graphviz DOT");
    graph->add_option("-o,--output", o.graph_out, "Output file (default: standard output)");
    auto* facts = kb->add_subcommand("facts", "Print the fact catalog as Markdown");
    for (auto* a : {kb, lint, test, graph, facts}) add_common(a);

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        int r = app.exit(e);
        return r == 0 ? kOk : kUsage;
    }
    setup_logging(o);
    if (*explain) return triage(o, true);
    if (*symptoms) {
        int code = 0;
        auto k = load_or_report(o, &code);
        if (!k) return code;
        list_symptoms(k->kb, std::cout);
        return kOk;
    }
    if (*lint) return kb_lint(o);
    if (*test) return kb_test(o);
    if (*graph) return kb_graph(o);
    if (*facts) return kb_facts(o);
    return triage(o, false);
}

} // namespace pft::cli
