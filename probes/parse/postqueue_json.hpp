// postqueue_json.hpp - parses `postqueue -j` output: one JSON object per line (Postfix 3.1+).
// A bad line is a warning with its number and the rest is still parsed. Pure: it
// checks depth and size before handing a line to nlohmann::json.
#pragma once

#include "probes/parse/queue_listing.hpp"

#include <string_view>

namespace pft::probes::parse {

QueueListing parse_postqueue_json(std::string_view text, const QueueLimits& limits = {});

} // namespace pft::probes::parse
