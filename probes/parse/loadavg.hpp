// loadavg.hpp - parses /proc/loadavg ("0.73 0.41 0.19 2/115 7981").
// Pure: does not know the CPU count, so it does not normalise the load.
#pragma once

#include "probes/parse/parse_warning.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pft::probes::parse {

struct LoadAvg {
    std::optional<double> load1, load5, load15;
    std::optional<std::int64_t> runnable, threads; // "2/115"
    std::string excerpt;
    std::vector<ParseWarning> warnings;
};

LoadAvg parse_loadavg(std::string_view text);

} // namespace pft::probes::parse
