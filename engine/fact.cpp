// fact.cpp - cleaning of outside bytes before they are kept as evidence.
#include "engine/fact.hpp"

#include <algorithm>

namespace pft::engine {

std::string printable(std::string_view s, std::size_t max) {
    std::string out;
    out.reserve(std::min(s.size(), max) + 3);
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (out.size() >= max) {
            out += "...";
            break;
        }
        unsigned char c = static_cast<unsigned char>(s[i]);
        // Keep printable ASCII and UTF-8 bytes; replace control characters.
        out += (c >= 0x20 && c != 0x7f) || c == '\t' ? static_cast<char>(c) : '?';
    }
    return out;
}

} // namespace pft::engine
