// triage.hpp - the pipeline: load the knowledge base, gather facts from a
// Source through the probes, run the engine, and build a Report. It assembles
// the layers; it knows nothing of how a report is printed.
#pragma once

#include "cli/data_dir.hpp"
#include "cli/report.hpp"
#include "probes/logsig.hpp"
#include "probes/probe.hpp"
#include "rules/diagnostics.hpp"
#include "rules/fact_catalog.hpp"
#include "rules/lint.hpp"
#include "rules/model.hpp"

#include <functional>
#include <memory>
#include <optional>
#include <ostream>
#include <string>

namespace pft::cli {

struct Knowledge {
    DataDirs dirs;
    rules::KnowledgeBase kb;
    rules::FactCatalog catalog;
    std::shared_ptr<const probes::SignatureSet> signatures;
};

// Loads and compiles; all diagnostics go into diags. Returns nullopt on errors.
// with_tests: also read the knowledge base's self-tests (knowledge/tests/), for `kb test`
// and `kb lint`; a triage does not need them.
std::optional<Knowledge> load_all_knowledge(const std::string& kb_override, rules::Diagnostics& diags,
                                            std::string* not_found, bool with_tests = false);

// The log signatures as `kb lint` audits them (rules::lint_signatures).
std::vector<rules::SignatureUse> signature_uses(const probes::SignatureSet& set);

// The probes a triage runs, in order.
std::vector<std::unique_ptr<probes::Probe>> triage_probes(const Knowledge& k);

struct GatheredFacts {
    std::vector<engine::Fact> facts;
    std::vector<std::string> warnings;
    std::vector<ProbeTiming> timings;
    std::vector<std::string> commands_run; // by a live source, with their outcomes
    bool live = false;                     // gathered from the live host
    // The user the probes ran as, when not root (live only): "" for root.
    std::string non_root_user;
};
// on_done, when set, is called once per probe as it finishes (one call at a time).
GatheredFacts gather_facts(const Knowledge& k, probes::Source& src,
                           const std::function<void(const ProbeTiming&)>& on_done = {});

// Runs the engine on gathered facts (plus extra facts, e.g. a guided session's answers).
std::unique_ptr<engine::Engine> run_engine(const Knowledge& k, const std::vector<engine::Fact>& facts,
                                           engine::TimePoint now);

Report build_report(const Knowledge& k, const engine::Engine& eng, const std::optional<SymptomMatch>& symptom,
                    const GatheredFacts& gathered);

} // namespace pft::cli
