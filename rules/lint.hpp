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

// A log signature as the audit sees it (kept free of the probes library).
struct SignatureUse {
    std::string id;
    std::string file;
    int line = 0;
    std::vector<std::string> facts; // names of the facts its `facts:` list sets
    std::string informational;      // the reason no rule needs it; empty: it should feed one
};

// The rules a signature feeds: those that read one of its facts, or read
// log.signature.count / log.signature.last with its id as the subject.
std::vector<std::string> rules_fed_by(const KnowledgeBase& kb, const SignatureUse& sig);

// Every signature feeds some rule or is marked informational (with a reason),
// and none marked informational feeds a rule; each signature fact is in the catalog.
void lint_signatures(const KnowledgeBase& kb, const FactCatalog& cat, const std::vector<SignatureUse>& sigs,
                     Diagnostics& diags);

} // namespace pft::rules
