// lint.hpp - semantic checks of a loaded knowledge base against the fact
// catalog: unknown facts and ids, causes without plans or rules, rules that
// can never fire, missing catalog causes, unsafe plan order.
#pragma once

#include "rules/diagnostics.hpp"
#include "rules/fact_catalog.hpp"
#include "rules/model.hpp"

namespace pft::rules {

void lint(const KnowledgeBase& kb, const FactCatalog& cat, Diagnostics& diags);

// Every fact name a rule reads (for tests and docs).
std::vector<std::string> facts_read_by_rules(const KnowledgeBase& kb);

} // namespace pft::rules
