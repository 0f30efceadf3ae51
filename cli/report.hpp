// report.hpp - the outcome of a triage, independent of how it is rendered:
// ranked causes with evidence, derivation and a filled-in plan; candidate
// causes that were not concluded and why; unknown facts; questions to ask.
#pragma once

#include "cli/metrics.hpp"
#include "cli/symptom_match.hpp"
#include "engine/engine.hpp"
#include "engine/explain.hpp"
#include "rules/model.hpp"

#include <optional>
#include <string>
#include <vector>

namespace pft::cli {

struct PlanLine {
    std::string kind;    // check | fix | verify
    std::string command; // printable, every value shell-quoted
    std::vector<std::string> argv; // the argument vector (empty for pipelines)
    std::string risk;
    std::string why;
};

struct EvidenceLine {
    std::string fact, subject, value, source, probe, excerpt, rule;
    bool known = true;
};

struct CauseReport {
    std::string id, title, severity, explain, doc;
    double confidence = 0;
    double score = 0;
    bool relevant = true; // explains the chosen symptom (always true in a health check)
    std::vector<EvidenceLine> evidence;
    std::vector<PlanLine> plan;
    std::vector<std::string> plan_notes; // steps left out, and why
    std::vector<engine::DerivationNode> derivation;
};

struct NotConcluded {
    std::string id, title;
    double confidence = 0;
    bool ruled_out = false;
    std::vector<engine::WhyNotItem> why_not;
};

struct UnknownFact {
    std::string fact, subject, reason, probe;
};

struct QuestionReport {
    std::string id, text, help;
    std::vector<std::string> answers;
    std::vector<std::string> causes;
};

struct ProbeTiming {
    std::string probe;
    double ms = 0;
    std::size_t facts = 0;
};

struct Report {
    std::optional<SymptomMatch> symptom;
    std::string source;     // "bundle examples/bundles/x" or "live host"
    std::string hostname;
    engine::TimePoint now{};
    std::vector<CauseReport> causes;
    std::vector<NotConcluded> not_concluded;
    std::vector<UnknownFact> unknown;
    std::vector<QuestionReport> questions;
    std::vector<std::string> warnings;
    std::vector<std::string> commands_run;
    std::vector<ProbeTiming> timings;
    std::size_t facts_known = 0, facts_unknown = 0;
    engine::RunStats stats;
    Metrics metrics; // queue sizes, ages, certificates, log per hour (monitoring and pictures)
    // Set when a conclusion was impossible although facts were gathered (Postfix is not
    // installed on the live host): what to tell the user; the exit status is then 3.
    std::string not_probed;
    // Said before the findings: what limits this report (e.g. not run as root).
    std::vector<std::string> notices;
    int exit_code = 0;
};

// Exit status of the contract: 0 nothing at warning level, 1 warning, 2 critical, 3 nothing probed.
int exit_code_for(const Report& r);

} // namespace pft::cli
