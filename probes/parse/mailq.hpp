// mailq.hpp - parses `mailq` / `postqueue -p` text, the fallback when postqueue -j is absent.
// Queue ids marked '*' are active and '!' held; unmarked ones are deferred when
// they carry a "(reason)" and incoming otherwise (the text cannot tell maildrop
// or a deferred message without a reason apart). Arrival times have no year or
// zone: the year is the one that puts the time at or before reference_now, and
// the zone is taken as UTC. Pure: no clock, no I/O.
#pragma once

#include "probes/parse/queue_listing.hpp"

#include <cstdint>
#include <string_view>

namespace pft::probes::parse {

QueueListing parse_mailq(std::string_view text, std::int64_t reference_now, const QueueLimits& limits = {});

} // namespace pft::probes::parse
