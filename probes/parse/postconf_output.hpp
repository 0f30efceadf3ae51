// postconf_output.hpp - parses `postconf` / `postconf -n` output: `name = value` lines.
// Pure: takes the text, returns entries with line numbers and warnings. It does
// not expand $name references and does not know which parameters exist.
#pragma once

#include "probes/parse/parse_warning.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace pft::probes::parse {

struct PostconfEntry {
    std::string name;
    std::string value;
    std::size_t line = 0;
};

struct PostconfOutput {
    std::vector<PostconfEntry> entries;
    std::vector<ParseWarning> warnings;

    const PostconfEntry* find(std::string_view name) const; // the last entry of that name
};

PostconfOutput parse_postconf(std::string_view text);

// True for names postconf prints: letters, digits, '_', '.', '-', '/' (service/type/param).
bool is_parameter_name(std::string_view s);

} // namespace pft::probes::parse
