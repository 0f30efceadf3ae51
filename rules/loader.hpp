// loader.hpp - knowledge/*.yaml -> checked model -> compiled rule base.
// Every problem is reported with file:line:column, all of them, not only the
// first; a knowledge base with errors is not used (exit 65).
#pragma once

#include "rules/diagnostics.hpp"
#include "rules/model.hpp"

#include <filesystem>
#include <string>
#include <vector>

namespace pft::rules {

struct LoadOptions {
    // Read dir/tests/, the knowledge base's self-tests (`kb test`, `kb lint`). A triage
    // does not need them, and not parsing them is a sixth of loading.
    bool tests = true;
};

// Loads every *.yaml / *.yml under dir (sorted by path). Top-level keys other
// than symptoms/causes/rules/questions/tests are left to their owners
// (`signatures:` belongs to the log probe) and ignored here; the directory
// knowledge/signatures/ is not read here at all. Files under dir/tests/ may hold
// only `tests:`: a triage skips that directory, so anything else there would be
// seen by `kb test` and never by a triage.
KnowledgeBase load_knowledge(const std::filesystem::path& dir, Diagnostics& diags, LoadOptions options = {});

// Same, from in-memory documents (name -> YAML text); for tests and fuzzing.
KnowledgeBase load_knowledge_texts(const std::vector<std::pair<std::string, std::string>>& docs, Diagnostics& diags);

// Splits a plan command into words with placeholders; reports bad quoting or braces.
std::vector<CommandWord> parse_command(const std::string& run, const Location& loc, Diagnostics& diags);

} // namespace pft::rules
