// cmd_kb.cpp - knowledge-base tools: `kb lint`, `kb test`, `kb graph`, `kb facts` (and the hidden `kb ids`),
// and `symptoms` (the list of known symptoms).
#include "cli/app.hpp"
#include "cli/command.hpp"
#include "cli/session.hpp"
#include "cli/triage.hpp"
#include "rules/fact_catalog.hpp"
#include "rules/graph.hpp"
#include "rules/kb_test.hpp"
#include "rules/lint.hpp"

#include <fstream>
#include <iostream>

namespace pft::cli {

std::vector<rules::SignatureUse> signature_uses(const probes::SignatureSet& set) {
    std::vector<rules::SignatureUse> out;
    for (const auto& s : set.signatures()) {
        rules::SignatureUse u{s.id, s.file, s.line, {}, s.informational};
        for (const auto& f : s.facts) u.facts.push_back(f.name);
        out.push_back(std::move(u));
    }
    return out;
}

namespace {

int kb_lint(const Common& c, bool strict) {
    rules::Diagnostics diags;
    std::string nf;
    auto k = load_all_knowledge(c.kb, diags, &nf, /*with_tests=*/true);
    if (!k && !nf.empty()) {
        std::cerr << "pftriage: " << nf << "\n";
        return kDataErr;
    }
    if (k) {
        rules::lint(k->kb, k->catalog, diags);
        if (k->signatures) {
            rules::lint_signatures(k->kb, k->catalog, signature_uses(*k->signatures), diags);
            // Start-up only parses the patterns; here each is compiled and its examples run.
            for (const auto& e : k->signatures->check_examples()) {
                rules::Location l;
                l.file = e.file;
                l.line = e.line;
                l.column = e.column;
                diags.error(l, e.message);
            }
        }
    }
    std::size_t warnings = diags.items().size() - diags.error_count();
    for (const auto& d : diags.sorted()) std::cout << d.to_string() << "\n";
    std::cout << "kb lint: ";
    if (k)
        std::cout << k->kb.files.size() << " files, " << k->kb.symptoms.size() << " symptoms, " << k->kb.causes.size()
                  << " causes, " << k->kb.rules.size() << " rules, " << k->kb.questions.size() << " questions, "
                  << k->kb.tests.size() << " tests, " << (k->signatures ? k->signatures->signatures().size() : 0)
                  << " log signatures, " << k->catalog.facts.size() << " catalog facts: ";
    std::cout << diags.error_count() << " error(s), " << warnings << " warning(s)\n";
    if (diags.has_errors() || (strict && warnings > 0)) return kDataErr;
    return kOk;
}

int kb_test(const Common& c) {
    int code = 0;
    auto k = load_knowledge_or_report(c, &code, /*with_tests=*/true);
    if (!k) return code;
    // Tests are judged at a fixed reference time so that ages in them are stable.
    auto now = engine::parse_rfc3339("2026-11-24T12:00:00Z").value();
    auto results = rules::run_kb_tests(k->kb, now);
    std::size_t failed = 0;
    for (const auto& r : results) {
        if (r.passed) {
            if (c.verbose) std::cout << "ok    " << r.name << "\n";
            continue;
        }
        ++failed;
        std::cout << "FAIL  " << r.name << "  (" << r.loc.to_string() << ")\n";
        for (const auto& f : r.failures) std::cout << "      " << f << "\n";
    }
    // The log signatures' examples are tests too: each must match its own pattern.
    std::size_t examples = 0, bad_examples = 0;
    if (k->signatures) {
        for (const auto& s : k->signatures->signatures()) examples += s.examples.size();
        for (const auto& e : k->signatures->check_examples()) {
            ++bad_examples;
            std::cout << "FAIL  " << e.to_string() << "\n";
        }
    }
    std::cout << "kb test: " << (results.size() - failed) << " passed, " << failed << " failed; signature examples: "
              << examples << ", " << bad_examples << " problem(s)\n";
    if (results.empty()) {
        // The self-tests live in knowledge/tests/: none at all means that directory was
        // not read (missing, unreadable, a symbolic link the walk does not follow).
        std::cerr << "pftriage: kb test: no self-tests found (expected under " << (k->dirs.knowledge / "tests").string()
                  << ")\n";
        return kDataErr;
    }
    return failed || bad_examples ? kDataErr : kOk;
}

class KbCommand : public Command {
public:
    CLI::App* add(CLI::App& app, Common& c) override {
        kb_ = app.add_subcommand("kb", "Knowledge-base tools: lint, test, graph, facts");
        kb_->require_subcommand(1);
        lint_ = kb_->add_subcommand("lint", "Check the knowledge base against the fact catalog (exit 65 on errors)");
        lint_->add_flag("--strict", strict_, "Treat warnings as errors");
        test_ = kb_->add_subcommand("test", "Run the knowledge base's example fact sets (exit 65 on a failure)");
        graph_ = kb_->add_subcommand("graph", "Write Graphviz DOT: symptoms -> causes, facts -> rules -> causes");
        graph_->add_option("-o,--output", out_, "Output file (default: standard output)");
        facts_ = kb_->add_subcommand("facts", "Print the fact catalog (probes/facts.yaml) as Markdown");
        // Hidden: ids for shell completion (contrib/bash-completion/pftriage).
        ids_ = kb_->add_subcommand("ids", "Print symptom or cause ids, one per line (for shell completion)");
        ids_->add_option("kind", ids_kind_, "symptoms or causes")->check(CLI::IsMember({"symptoms", "causes"}));
        ids_->group("");
        for (auto* a : {kb_, lint_, test_, graph_, facts_, ids_}) add_common_options(a, c);
        return kb_;
    }
    int run(Common& c) override {
        if (*lint_) return kb_lint(c, strict_);
        if (*test_) return kb_test(c);
        int code = 0;
        auto k = load_knowledge_or_report(c, &code);
        if (!k) return code;
        if (*ids_) {
            if (ids_kind_ != "causes")
                for (const auto& x : k->kb.symptoms) std::cout << x.id << "\n";
            if (ids_kind_ != "symptoms")
                for (const auto& x : k->kb.causes) std::cout << x.id << "\n";
            return kOk;
        }
        if (*facts_) {
            std::cout << rules::fact_catalog_markdown(k->catalog);
            return kOk;
        }
        if (out_.empty() || out_ == "-") {
            rules::write_kb_graph(k->kb, std::cout);
            return kOk;
        }
        std::ofstream f(out_);
        if (!f) {
            std::cerr << "pftriage: cannot write " << out_ << "\n";
            return kDataErr;
        }
        rules::write_kb_graph(k->kb, f);
        return kOk;
    }

private:
    CLI::App *kb_ = nullptr, *lint_ = nullptr, *test_ = nullptr, *graph_ = nullptr, *facts_ = nullptr, *ids_ = nullptr;
    std::string ids_kind_;
    bool strict_ = false;
    std::string out_;
};

class SymptomsCommand : public Command {
public:
    CLI::App* add(CLI::App& app, Common& c) override {
        auto* s = app.add_subcommand("symptoms", "List the symptoms pftriage knows");
        add_common_options(s, c);
        return s;
    }
    int run(Common& c) override {
        int code = 0;
        auto k = load_knowledge_or_report(c, &code);
        if (!k) return code;
        list_symptoms(k->kb, std::cout);
        return kOk;
    }
};

} // namespace

std::unique_ptr<Command> make_kb_command() { return std::make_unique<KbCommand>(); }
std::unique_ptr<Command> make_symptoms_command() { return std::make_unique<SymptomsCommand>(); }

} // namespace pft::cli
