// meminfo.hpp - parses /proc/meminfo (`Name:   value kB` lines).
// Values with a kB unit are converted to bytes; unit-less values (HugePages_*) are
// kept as counts. Pure: does not compute percentages.
#pragma once

#include "probes/parse/parse_warning.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pft::probes::parse {

struct MemInfoEntry {
    std::int64_t value = 0; // bytes when the line had "kB", else the bare number
    std::size_t line = 0;
    std::string excerpt;
};

struct MemInfo {
    std::map<std::string, MemInfoEntry> entries;
    std::vector<ParseWarning> warnings;

    const MemInfoEntry* get(const std::string& name) const {
        auto it = entries.find(name);
        return it == entries.end() ? nullptr : &it->second;
    }
};

MemInfo parse_meminfo(std::string_view text);

} // namespace pft::probes::parse
