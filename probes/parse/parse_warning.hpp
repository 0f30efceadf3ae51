// parse_warning.hpp - a problem met while parsing one artefact, with its line.
// Parsers return these as values next to what they could parse; they never
// throw on bad input and never know which file or command the text came from.
#pragma once

#include <cstddef>
#include <string>

namespace pft::probes::parse {

struct ParseWarning {
    std::size_t line = 0; // 1-based; 0 when the problem is about the whole text
    std::string message;  // already cleaned (engine::printable) where it quotes input
};

} // namespace pft::probes::parse
