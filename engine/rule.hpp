// rule.hpp - the compiled form of rules that the engine runs: conditions as
// expression trees, an optional binding over the subjects of one fact, and one
// action (conclude a cause with a certainty factor, or assert a derived fact).
// Produced by rules/ (the compiler); the engine never sees YAML.
#pragma once

#include "engine/expr.hpp"
#include "engine/symbols.hpp"

#include <string>
#include <vector>

namespace pft::engine {

enum class Action { Conclude, Assert };

struct CompiledRule {
    std::string id;
    std::string file; // where it was written, for messages
    int line = 0;
    int order = 0;     // position in the knowledge base (last tie-break)
    int salience = 0;
    SymId for_fact = kNoSym; // binding generator: one activation per subject of this fact
    int for_var = -1;
    std::string for_var_name;
    int nvars = 0;
    ExprPtr when; // null means always
    Action action = Action::Conclude;
    int cause = -1;
    double cf = 1.0;
    SymId assert_name = kNoSym;
    ExprPtr assert_subject; // null: the binding's subject (or none)
    ExprPtr assert_value;   // null: true
    std::string because;

    // Filled by analyze_rule():
    int specificity = 0;                  // number of fact references in the condition
    std::vector<SymId> reads;             // every fact name read
    std::vector<SymId> reads_keyed;       // names read only as NAME[for_var]
    std::vector<SymId> reads_nonmonotone; // names read through not/known/unknown/count/all/sum/max
    std::vector<int> causes_read;         // cause("id") references
    int stratum = 0;
};

struct RuleBase {
    SymbolTable names;
    SymbolTable subjects;
    std::vector<std::string> cause_ids;
    std::vector<CompiledRule> rules;
    int strata = 1;
    std::vector<SymId> derived_names; // names that some rule asserts
};

// Computes specificity and the read sets of a rule from its expressions.
void analyze_rule(CompiledRule& r);

} // namespace pft::engine
