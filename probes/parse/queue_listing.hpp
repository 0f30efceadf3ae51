// queue_listing.hpp - the messages of a Postfix queue listing, whatever format it came in.
// Filled by parse_postqueue_json (postqueue -j) or parse_mailq (mailq text);
// holds data only, no counting or ageing (that is the queue probe's job).
#pragma once

#include "probes/parse/parse_warning.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace pft::probes::parse {

struct QueueRecipient {
    std::string address;
    std::string delay_reason; // "" when none was given
};

struct QueueMessage {
    std::string queue_name;                  // maildrop, incoming, active, deferred, hold, ...
    std::string queue_id;
    std::optional<std::int64_t> arrival_time; // UNIX seconds
    std::optional<std::int64_t> message_size;
    std::string sender;                      // as printed ("MAILER-DAEMON" for the null sender)
    std::vector<QueueRecipient> recipients;
    std::size_t line = 0;                    // where the message starts in the text
    std::string excerpt;                     // that line, cleaned and bounded
};

struct QueueListing {
    std::vector<QueueMessage> messages;
    std::vector<ParseWarning> warnings;
};

struct QueueLimits {
    std::size_t max_messages = 1000000;
    std::size_t max_recipients = 100000; // per message
    std::size_t max_line = 16 * 1024 * 1024;
    int max_depth = 8;                   // JSON nesting; postqueue -j needs 3
};

} // namespace pft::probes::parse
