// stratify.hpp - the rule dependency graph (Boost.Graph) and its strata.
// A rule that reads a derived fact non-monotonically (not, unknown(), count...)
// or a cause's certainty must run after every rule that can change it; a cycle
// through such a read has no stratified meaning and is reported.
#pragma once

#include "engine/rule.hpp"

#include <string>
#include <vector>

namespace pft::engine {

struct StratifyResult {
    int strata = 1;
    // Each entry: the rules (indices) of a strongly connected component that
    // contains a non-monotone dependency.
    std::vector<std::vector<int>> negative_cycles;
    bool ok() const { return negative_cycles.empty(); }
};

// Sets rule.stratum for every rule and rb.strata; fills rb.derived_names.
StratifyResult stratify(RuleBase& rb);

// Edges of the dependency graph: from -> to means "to reads what from derives".
struct DependencyEdge {
    int from = 0, to = 0;
    bool negative = false;
};
std::vector<DependencyEdge> dependency_edges(const RuleBase& rb);

} // namespace pft::engine
