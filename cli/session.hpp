// session.hpp - what most commands need first: the knowledge base loaded (with
// its diagnostics printed), a Source opened (bundle or live host), and the
// symptom the user named resolved. Errors become the contract's exit codes.
#pragma once

#include "cli/command.hpp"
#include "cli/symptom_match.hpp"
#include "cli/triage.hpp"
#include "probes/live_source.hpp"
#include "probes/source.hpp"

#include <memory>
#include <optional>
#include <ostream>

namespace pft::cli {

// Loads the knowledge base; prints diagnostics to stderr; on failure sets *code (65).
// with_tests as for load_all_knowledge.
std::optional<Knowledge> load_knowledge_or_report(const Common& c, int* code, bool with_tests = false);

// Opens --from BUNDLE, or the live host; on failure prints why and sets *code.
std::unique_ptr<probes::Source> open_source(const Common& c, int* code);
// The live source's options from the command line (timeouts, resolver, ...).
probes::LiveOptions live_options(const Common& c);

// Resolves --symptom; nullopt (and *code = 64, known symptoms listed) when it
// does not match; an empty optional with *code = 0 when no symptom was given.
std::optional<SymptomMatch> resolve_symptom(const Common& c, const Knowledge& k, int* code);

void list_symptoms(const rules::KnowledgeBase& kb, std::ostream& out);

// Sets up spdlog on stderr from -v / -q.
void setup_logging(const Common& c);

} // namespace pft::cli
