// graph.cpp - building the knowledge graph and writing it as DOT.
#include "rules/graph.hpp"

// GCC 12 reports a false -Wmaybe-uninitialized inside Boost's edge iterator
// when write_graphviz is inlined (boost/graph/detail/adj_list_edge_iterator.hpp).
#pragma GCC diagnostic push
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/graphviz.hpp>

#include <map>

namespace pft::rules {

namespace {

struct VertexProps {
    std::string label;
    std::string shape;
    std::string color;
};

std::string dot_escape(const std::string& s) {
    std::string o;
    for (char c : s) {
        if (c == '"' || c == '\\') o += '\\';
        o += c;
    }
    return o;
}

} // namespace

void write_kb_graph(const KnowledgeBase& kb, std::ostream& out) {
    using Graph = boost::adjacency_list<boost::vecS, boost::vecS, boost::directedS, VertexProps>;
    Graph g;
    std::map<std::string, Graph::vertex_descriptor> v;
    auto vertex = [&](const std::string& key, const std::string& label, const char* shape, const char* color) {
        auto it = v.find(key);
        if (it != v.end()) return it->second;
        auto d = boost::add_vertex(VertexProps{label, shape, color}, g);
        v.emplace(key, d);
        return d;
    };
    for (const auto& s : kb.symptoms) vertex("s:" + s.id, s.id, "diamond", "lightblue");
    for (const auto& c : kb.causes) {
        auto cv = vertex("c:" + c.id, c.id, "box", c.severity == Severity3::Critical ? "salmon" : "khaki");
        for (const auto& s : c.symptoms) boost::add_edge(vertex("s:" + s, s, "diamond", "lightblue"), cv, g);
    }
    if (kb.compiled) {
        const auto& rb = *kb.compiled;
        for (const auto& r : rb.rules) {
            auto rv = vertex("r:" + r.id, r.id + "\\ncf " + std::to_string(r.cf).substr(0, 5), "ellipse", "white");
            for (auto n : r.reads) {
                const auto& name = rb.names.str(n);
                boost::add_edge(vertex("f:" + name, name, "note", "gray90"), rv, g);
            }
            if (r.action == engine::Action::Conclude) {
                const auto& cid = rb.cause_ids[static_cast<std::size_t>(r.cause)];
                boost::add_edge(rv, vertex("c:" + cid, cid, "box", "khaki"), g);
            } else {
                const auto& name = rb.names.str(r.assert_name);
                boost::add_edge(rv, vertex("f:" + name, name, "note", "gray90"), g);
            }
        }
    }
    boost::write_graphviz(
        out, g,
        [&g](std::ostream& os, Graph::vertex_descriptor d) {
            const auto& p = g[d];
            os << "[label=\"" << dot_escape(p.label) << "\", shape=" << p.shape << ", style=filled, fillcolor=\""
               << p.color << "\"]";
        },
        boost::default_writer(),
        [](std::ostream& os) { os << "rankdir=LR;\nnode [fontname=\"Helvetica\", fontsize=10];\n"; });
}

} // namespace pft::rules

#pragma GCC diagnostic pop
