// main_cf.hpp - parses main.cf text into logical `name = value` entries with line numbers.
// Follows postconf(5): lines starting with whitespace continue the previous one,
// blank and '#' lines are ignored. It does not expand $name or judge values.
#pragma once

#include "probes/parse/parse_warning.hpp"

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace pft::probes::parse {

struct MainCfEntry {
    std::string name;
    std::string value;    // continuation lines joined with one space
    std::size_t line = 0; // the line where the entry starts
};

struct MainCf {
    std::vector<MainCfEntry> entries; // in file order, duplicates kept
    std::vector<ParseWarning> warnings;

    // Start lines of every entry, per parameter name.
    std::map<std::string, std::vector<std::size_t>> lines_by_name() const;
};

MainCf parse_main_cf(std::string_view text);

} // namespace pft::probes::parse
