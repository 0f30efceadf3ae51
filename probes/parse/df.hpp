// df.hpp - parses `df -P` and `df -Pi` output (POSIX format, one line per file system).
// Tells blocks from inodes by the header. Pure: does not pick which row matters.
#pragma once

#include "probes/parse/parse_warning.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pft::probes::parse {

struct DfRow {
    std::string filesystem;
    std::optional<std::int64_t> total, used, available; // blocks or inodes; nullopt for "-"
    std::optional<double> used_pct;                      // Capacity / IUse%
    std::string mount;
    std::size_t line = 0;
    std::string excerpt;
};

struct DfOutput {
    bool inodes = false;         // header says Inodes (df -i)
    std::int64_t block_size = 0; // bytes per block from "1024-blocks"; 0 for inodes or unknown
    std::vector<DfRow> rows;
    std::vector<ParseWarning> warnings;
};

DfOutput parse_df(std::string_view text);

} // namespace pft::probes::parse
