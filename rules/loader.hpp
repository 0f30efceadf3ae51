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

// Loads every *.yaml / *.yml under dir (sorted by path). Top-level keys other
// than symptoms/causes/rules/questions/tests are left to their owners
// (`signatures:` belongs to the log probe) and ignored here; the directory
// knowledge/signatures/ is not read here at all.
KnowledgeBase load_knowledge(const std::filesystem::path& dir, Diagnostics& diags);

// Same, from in-memory documents (name -> YAML text); for tests and fuzzing.
KnowledgeBase load_knowledge_texts(const std::vector<std::pair<std::string, std::string>>& docs, Diagnostics& diags);

// Splits a plan command into words with placeholders; reports bad quoting or braces.
std::vector<CommandWord> parse_command(const std::string& run, const Location& loc, Diagnostics& diags);

} // namespace pft::rules
