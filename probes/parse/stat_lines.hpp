// stat_lines.hpp - parses the stat-style bundle files: tables.txt
// (`stat -c '%Y %s %a %u %g %n'` or `missing PATH`), tls/PARAM.stat
// (`stat -c '%a %u %g %n'` or `missing PATH`) and `ls -ln --time-style=full-iso`.
// Pure: it does not decide what is stale or unsafe.
#pragma once

#include "probes/parse/parse_warning.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pft::probes::parse {

struct FileStat {
    std::string path;
    bool missing = false;
    std::optional<std::int64_t> mtime;   // epoch seconds (tables.txt, ls)
    std::optional<std::int64_t> size;
    int mode = 0;                        // permission bits, e.g. 0644
    std::int64_t uid = -1, gid = -1;
    char kind = '-';                     // ls: '-', 'd', 'l' ...
    std::size_t line = 0;
};

struct FileStats {
    std::vector<FileStat> files;
    std::vector<ParseWarning> warnings;
    const FileStat* find(const std::string& path) const;
};

FileStats parse_tables_txt(std::string_view text);  // %Y %s %a %u %g %n
FileStats parse_stat_mode(std::string_view text);   // %a %u %g %n
FileStats parse_ls_ln(std::string_view text);       // ls -ln --time-style=full-iso (names without directory)

// Renderers used by the live source, in the same formats.
std::string render_tables_line(const FileStat& f);
std::string render_stat_mode_line(const FileStat& f);

} // namespace pft::probes::parse
