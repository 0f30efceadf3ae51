// stratify.cpp - strongly connected components and a topological order of the
// rule dependency graph give the strata (Boost.Graph).
#include "engine/stratify.hpp"

#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/strong_components.hpp>
#include <boost/graph/topological_sort.hpp>

#include <algorithm>
#include <map>
#include <unordered_map>

namespace pft::engine {

std::vector<DependencyEdge> dependency_edges(const RuleBase& rb) {
    std::unordered_map<SymId, std::vector<int>> derivers;
    std::unordered_map<int, std::vector<int>> concluders;
    for (std::size_t i = 0; i < rb.rules.size(); ++i) {
        const auto& r = rb.rules[i];
        if (r.action == Action::Assert) derivers[r.assert_name].push_back(static_cast<int>(i));
        if (r.action == Action::Conclude) concluders[r.cause].push_back(static_cast<int>(i));
    }
    std::vector<DependencyEdge> edges;
    for (std::size_t i = 0; i < rb.rules.size(); ++i) {
        const auto& r = rb.rules[i];
        for (SymId n : r.reads) {
            auto it = derivers.find(n);
            if (it == derivers.end()) continue;
            bool neg = std::find(r.reads_nonmonotone.begin(), r.reads_nonmonotone.end(), n) != r.reads_nonmonotone.end();
            for (int from : it->second) edges.push_back({from, static_cast<int>(i), neg});
        }
        for (int c : r.causes_read) {
            auto it = concluders.find(c);
            if (it == concluders.end()) continue;
            for (int from : it->second) edges.push_back({from, static_cast<int>(i), true});
        }
    }
    return edges;
}

StratifyResult stratify(RuleBase& rb) {
    using Graph = boost::adjacency_list<boost::vecS, boost::vecS, boost::directedS>;
    StratifyResult res;
    const auto n = rb.rules.size();
    rb.derived_names.clear();
    for (const auto& r : rb.rules)
        if (r.action == Action::Assert) rb.derived_names.push_back(r.assert_name);
    std::sort(rb.derived_names.begin(), rb.derived_names.end());
    rb.derived_names.erase(std::unique(rb.derived_names.begin(), rb.derived_names.end()), rb.derived_names.end());
    if (n == 0) {
        rb.strata = 1;
        return res;
    }

    auto edges = dependency_edges(rb);
    Graph g(n);
    for (const auto& e : edges) boost::add_edge(static_cast<std::size_t>(e.from), static_cast<std::size_t>(e.to), g);

    std::vector<int> comp(n);
    int ncomp = boost::strong_components(g, boost::make_iterator_property_map(comp.begin(), boost::get(boost::vertex_index, g)));

    // A negative edge inside one component is a cycle through negation.
    std::map<int, bool> bad;
    for (const auto& e : edges)
        if (e.negative && comp[static_cast<std::size_t>(e.from)] == comp[static_cast<std::size_t>(e.to)])
            bad[comp[static_cast<std::size_t>(e.from)]] = true;
    for (const auto& [c, _] : bad) {
        std::vector<int> members;
        for (std::size_t i = 0; i < n; ++i)
            if (comp[i] == c) members.push_back(static_cast<int>(i));
        res.negative_cycles.push_back(members);
    }

    // Condensation: components in topological order; stratum = longest path
    // counting only negative edges.
    Graph cg(static_cast<std::size_t>(ncomp));
    std::vector<std::vector<std::pair<int, bool>>> incoming(static_cast<std::size_t>(ncomp));
    for (const auto& e : edges) {
        int a = comp[static_cast<std::size_t>(e.from)], b = comp[static_cast<std::size_t>(e.to)];
        if (a == b) continue;
        boost::add_edge(static_cast<std::size_t>(a), static_cast<std::size_t>(b), cg);
        incoming[static_cast<std::size_t>(b)].push_back({a, e.negative});
    }
    std::vector<std::size_t> order;
    boost::topological_sort(cg, std::back_inserter(order)); // reverse topological order
    std::reverse(order.begin(), order.end());
    std::vector<int> level(static_cast<std::size_t>(ncomp), 0);
    int maxlevel = 0;
    for (std::size_t c : order) {
        int l = 0;
        for (auto [from, neg] : incoming[c]) l = std::max(l, level[static_cast<std::size_t>(from)] + (neg ? 1 : 0));
        level[c] = l;
        maxlevel = std::max(maxlevel, l);
    }
    for (std::size_t i = 0; i < n; ++i) rb.rules[i].stratum = level[static_cast<std::size_t>(comp[i])];
    rb.strata = maxlevel + 1;
    res.strata = rb.strata;
    return res;
}

} // namespace pft::engine
