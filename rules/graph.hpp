// graph.hpp - `pftriage kb graph`: Graphviz DOT of symptoms -> causes and
// facts -> rules -> causes / derived facts, written with Boost.Graph's writer.
#pragma once

#include "rules/model.hpp"

#include <ostream>

namespace pft::rules {

void write_kb_graph(const KnowledgeBase& kb, std::ostream& out);

} // namespace pft::rules
