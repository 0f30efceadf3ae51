// log_history.hpp - per-message histories from a mail log read in time order: the
// lines of one queue id across smtpd, cleanup, qmgr, the delivery agents, bounce and
// postsuper, linked to the bounce notification or re-injected copy they gave rise to.
// Memory is bounded: only open messages are kept, the oldest evicted (and counted).
// It does not count traffic (log_summary) and keeps only messages a query asks for.
#pragma once

#include "probes/parse/syslog_line.hpp"

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace pft::probes {

// What to keep: messages with one of these queue ids, Message-IDs, senders or
// recipients (addresses compared case-insensitively, with or without <>).
struct HistoryQuery {
    std::vector<std::string> queue_ids;
    std::vector<std::string> message_ids;
    std::vector<std::string> senders;
    std::vector<std::string> recipients;
    bool empty() const { return queue_ids.empty() && message_ids.empty() && senders.empty() && recipients.empty(); }
};

struct HistoryLimits {
    std::size_t max_open = 200000;             // open messages kept
    std::size_t max_bytes = 24u << 20;          // bytes of lines held by open messages
    std::size_t max_lines_per_message = 500;
    std::size_t max_line = 1000;                // bytes kept of one line
    std::size_t max_results = 10000;            // histories returned
    std::size_t recent_closed = 4096;           // closed messages kept for late links
};

struct MessageHistory {
    std::string host, queue_id;
    std::string message_id, sender;
    std::vector<std::string> recipients;
    std::vector<std::string> lines;             // cleaned
    std::string client;                         // "host[ip]" from client= or the proxy session
    std::string parent;                         // queue id this one came from
    std::string parent_kind;                    // "bounce notification", "re-injected", "proxy"
    std::vector<std::pair<std::string, std::string>> children; // (kind, queue id)
    int delivered = 0, deferred = 0, bounced = 0, expired = 0;
    bool removed = false, rejected = false, evicted = false, truncated = false;
    std::int64_t first = 0, last = 0;           // seconds since the epoch
    std::uint64_t seq = 0;                      // order of the first line
    std::string status() const;                 // "delivered", "bounced", "deferred (still queued)", ...
};

struct HistoryStats {
    std::uint64_t opened = 0, closed = 0, evicted = 0, open_at_end = 0, lines = 0, lines_dropped = 0;
};

class HistoryTracker {
public:
    explicit HistoryTracker(HistoryQuery q, HistoryLimits lim = {});
    ~HistoryTracker();
    // Feed lines in time order; `raw` is the whole line as read.
    void add(std::string_view raw, const SyslogLine& l);
    // Ends the log: matching messages still open are returned as they are.
    void finish();
    // The histories asked for (and the ones linked to them), in order of first line.
    std::vector<MessageHistory> take_results();
    const HistoryStats& stats() const { return stats_; }
    std::size_t open_count() const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
    HistoryStats stats_;
};

} // namespace pft::probes
