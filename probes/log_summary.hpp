// log_summary.hpp - a pflogsumm-class summary of mail-log lines: totals, traffic per
// hour and day, deferral/bounce reasons per destination, rejects, SASL and TLS failures,
// warnings, delay percentiles, and how many Postfix lines the signatures explain.
// Every count is per line, so chunks can be scanned on several threads and merged.
// It does not follow messages (log_history does) nor render text (cli/cmd_logs.cpp).
#pragma once

#include "probes/log_reader.hpp"
#include "probes/logsig.hpp"
#include "probes/parse/syslog_line.hpp"

#include <nlohmann/json.hpp>

#include <array>
#include <climits>
#include <functional>
#include <cstdint>
#include <cstring>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace pft::probes {

// Transparent string hash, so that lookups by string_view do not allocate.
struct StringHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};
template <class V>
using StringMap = std::unordered_map<std::string, V, StringHash, std::equal_to<>>;

// Strings to dense indexes 0, 1, 2... by open addressing; the caller keeps what it
// stores per key in a vector of its own, indexed alike. The keys live in one arena: a
// look-up touches a slot, the entry's hash and the key bytes (an unordered_map also
// touched a bucket, a node and a separately allocated key). No erase. Used by TopCounter
// and the log scanner's shape memo.
class ArenaStringIndex {
public:
    static constexpr std::uint32_t kNone = 0xffffffffu;
    explicit ArenaStringIndex(std::size_t initial_slots = 64) : initial_slots_(initial_slots) {}
    static std::uint64_t hash(std::string_view key) { return std::hash<std::string_view>{}(key); }
    // The index of key (h = hash(key)), or kNone.
    std::uint32_t find(std::string_view key, std::uint64_t h) const {
        if (slots_.empty()) return kNone;
        const std::size_t mask = slots_.size() - 1;
        for (std::size_t i = static_cast<std::size_t>(h) & mask;; i = (i + 1) & mask) {
            const std::uint32_t e = slots_[i];
            if (e == 0) return kNone;
            const Entry& x = entries_[e - 1];
            if (x.hash == h && x.key_len == key.size() && std::memcmp(keys_.data() + x.key_off, key.data(), key.size()) == 0)
                return e - 1;
        }
    }
    // Adds a key that find() did not find; its index is size() before the call. kNone
    // (nothing added) when the arena would pass 4 GiB.
    std::uint32_t insert(std::string_view key, std::uint64_t h);
    std::string_view key(std::uint32_t i) const { return {keys_.data() + entries_[i].key_off, entries_[i].key_len}; }
    std::size_t size() const { return entries_.size(); }
    void reserve_keys(std::size_t bytes) { keys_.reserve(bytes); }
    // Heap bytes one more key of this length costs (key, entry, two slots).
    static constexpr std::size_t cost(std::size_t key_len) { return key_len + sizeof(Entry) + 2 * sizeof(std::uint32_t); }

private:
    struct Entry {
        std::uint64_t hash = 0;
        std::uint32_t key_off = 0, key_len = 0;
    };
    std::vector<Entry> entries_;
    std::string keys_;
    std::vector<std::uint32_t> slots_; // entry index + 1; 0 = empty
    std::size_t initial_slots_;
};

// Count per key, bounded: past `cap` distinct keys, new keys are added to `other`.
class TopCounter {
public:
    TopCounter() = default;
    explicit TopCounter(std::size_t cap) : cap_(cap) {}
    void add(std::string_view key, std::uint64_t n = 1);
    void merge(const TopCounter& o);
    // The n largest, ties by key.
    std::vector<std::pair<std::string, std::uint64_t>> top(std::size_t n) const;
    std::uint64_t other() const { return other_; }
    std::size_t size() const { return index_.size(); }
    std::uint64_t get(std::string_view key) const;

private:
    ArenaStringIndex index_;
    std::vector<std::uint64_t> counts_; // by index_
    std::size_t cap_ = 5000;
    std::uint64_t other_ = 0;
};

// Log-scale histogram of durations (milliseconds), ~6 % resolution, for percentiles.
class DelayHistogram {
public:
    void add_ms(std::uint64_t ms);
    void merge(const DelayHistogram& o);
    std::uint64_t count() const { return count_; }
    double percentile(double p) const; // seconds; 0 when empty
    double max() const { return static_cast<double>(max_ms_) / 1000.0; }
    double mean() const { return count_ ? static_cast<double>(sum_ms_) / 1000.0 / static_cast<double>(count_) : 0.0; }

private:
    static constexpr std::size_t kBuckets = 64 * 16;
    std::array<std::uint64_t, kBuckets> n_{};
    std::uint64_t count_ = 0, sum_ms_ = 0, max_ms_ = 0;
};

// A set of 64-bit hashes (distinct queue ids), bounded: exact up to `cap` members
// (4 MiB of slots by default), then a HyperLogLog sketch of 16 KiB that estimates the
// count within about 1 %; saturated() tells that the count is such an estimate. (The
// exact set used to grow to 4 M members, 64 MiB per thread: a log with millions of
// distinct deferred messages took the scan past its 64 MB bound.)
class HashSet64 {
public:
    HashSet64() = default;
    explicit HashSet64(std::size_t cap) : cap_(cap) {}
    void insert(std::uint64_t h);
    void merge(const HashSet64& o);
    std::size_t size() const;
    bool saturated() const { return !sketch_.empty(); }

private:
    void grow();
    void to_sketch();
    void sketch_add(std::uint64_t h);
    std::vector<std::uint64_t> slots_; // 0 = empty
    std::vector<std::uint8_t> sketch_; // HyperLogLog registers once past the cap
    std::size_t size_ = 0, cap_ = 1u << 18;
};

struct TrafficCounts {
    std::uint64_t received = 0, delivered = 0, deferred = 0, bounced = 0, rejected = 0;
    void merge(const TrafficCounts& o) {
        received += o.received, delivered += o.delivered, deferred += o.deferred, bounced += o.bounced,
            rejected += o.rejected;
    }
};

struct DomainCounts {
    std::uint64_t sent = 0, deferred = 0, bounced = 0;
    std::uint64_t delay_ms_sum = 0, delay_ms_max = 0;
};

struct NotableLine {
    std::int64_t time = 0;   // seconds since the epoch; 0 = unknown
    std::uint64_t order = 0; // input index and offset, for a stable order
    std::string text;        // cleaned, bounded
};

struct LogSummary {
    // Lines.
    std::uint64_t lines = 0, lines_postfix = 0, lines_other = 0, lines_unparsed = 0, lines_untimed = 0;
    std::uint64_t lines_outside_window = 0, lines_explained = 0, lines_fast = 0;
    std::int64_t first_time = 0, last_time = 0; // seconds since the epoch; 0 = none

    // Messages and recipients.
    std::uint64_t connections = 0;
    std::uint64_t received_lines = 0;     // smtpd client= and pickup lines (pflogsumm's "received")
    std::uint64_t delivered = 0;          // status=sent, not counting hand-offs to a content filter
    std::uint64_t forwarded = 0;          // local(8) "forwarded as"
    std::uint64_t deferrals = 0;          // status=deferred lines
    HashSet64 deferred_ids;               // distinct deferred messages
    std::uint64_t bounced = 0;            // status=bounced lines
    std::uint64_t rejected = 0;           // smtpd/postscreen/cleanup reject (not greylisting)
    std::uint64_t content_rejected = 0;   // of which cleanup/milter rejects after client=
    std::uint64_t reject_warnings = 0;
    std::uint64_t greylisted_by_us = 0;   // our 4xx greylisting: the client retries, not a rejection
    std::uint64_t greylisted_by_them = 0; // deferrals the remote server explained as greylisting
    std::uint64_t held = 0, discarded = 0, expired = 0;
    std::uint64_t bounce_notifications = 0, delay_notifications = 0;
    std::uint64_t reinjected = 0;         // hand-offs to a content filter that re-injected ("queued as" on loopback)
    std::uint64_t postsuper_deleted = 0;

    std::map<std::int64_t, TrafficCounts> per_hour; // key: hours since the epoch
    StringMap<DomainCounts> per_domain;        // bounded by kMaxDomains
    std::uint64_t domains_dropped = 0;

    TopCounter deferral_reasons{20000};   // "domain\treason"
    TopCounter bounce_reasons{20000};     // "domain\treason"
    TopCounter reject_restrictions{2000}; // "reject_rbl_client zen.spamhaus.org"
    TopCounter rejected_clients{20000};   // client IP
    TopCounter reject_reasons{20000};     // restriction "\t" shape of the reply
    TopCounter sasl_clients{20000}, sasl_users{20000};
    TopCounter tls_failures{5000};        // shape of the failure
    TopCounter tls_peers{20000};          // peer of a TLS failure
    TopCounter connect_failures{20000};   // remote host[ip] we could not connect to
    TopCounter warnings{5000};            // "program\tshape"
    std::uint64_t warning_lines = 0, error_lines = 0, fatal_lines = 0, panic_lines = 0;
    std::vector<NotableLine> fatal_panic; // newest kMaxNotable fatal/panic lines
    TopCounter unmatched{5000};           // shape of Postfix lines no signature explained
    StringMap<std::string> unmatched_examples; // shape -> first line
    std::vector<std::uint64_t> signature_hits; // per signature index

    std::array<DelayHistogram, 5> delays; // total, before qmgr, in qmgr, connection setup, transmission

    static constexpr std::size_t kMaxDomains = 20000;
    static constexpr std::size_t kMaxNotable = 20;

    void merge(LogSummary&& o);
    std::uint64_t deferred_messages() const { return deferred_ids.size(); }
    // Messages received: smtpd client= and pickup lines, less those cleanup or a milter
    // rejected (never queued) and less content-filter re-injections (counted once).
    std::uint64_t received() const {
        std::uint64_t minus = content_rejected + reinjected;
        return received_lines > minus ? received_lines - minus : 0;
    }
    double explained_share() const {
        return lines_postfix ? static_cast<double>(lines_explained) / static_cast<double>(lines_postfix) : 1.0;
    }
};

struct ScanOptions {
    TimeWindow window;
    unsigned threads = 0;            // 0 = hardware concurrency, at most 2 workers
    bool collect_unmatched = true;
};

// Scans lines into a LogSummary. One per thread; the signature set is shared.
class LogScanner {
public:
    LogScanner(std::shared_ptr<const SignatureSet> sigs, const ScanOptions& opt);
    ~LogScanner();
    LogScanner(const LogScanner&) = delete;
    LogScanner& operator=(const LogScanner&) = delete;

    void scan_chunk(const LogChunk& chunk);
    void scan_line(std::string_view line, engine::TimePoint reference, std::uint64_t order = 0);
    LogSummary& summary() { return sum_; }

    // The signatures the fast path names for a line, space-separated ("" when it leaves
    // the line to the RE2 set): for tests that check the fast path agrees with the knowledge.
    std::string fast_signature(std::string_view line, engine::TimePoint reference);

private:
    struct Fast;
    int classify(const SyslogLine& l, std::int64_t hour, std::uint64_t order, std::string_view raw);
    std::shared_ptr<const SignatureSet> sigs_;
    const ScanOptions& opt_;
    std::unique_ptr<Fast> fast_;
    StampCache cache_;
    LogSummary sum_;
    std::vector<int> idx_;
    std::string scratch_, scratch2_, shape_, key_;
    // Set results per line shape (numbers, addresses, IPs masked; SMTP codes kept):
    // lines of one shape match the same signatures, and the RE2 set is the cost.
    // One ArenaStringIndex of shapes, and each shape's signature indexes in one arena
    // (unordered_map<string, vector<int>> was 7.6 % of a one-thread 1 GiB profile).
    struct MemoHits {
        std::uint32_t off = 0, len = 0; // in memo_hits_
    };
    ArenaStringIndex memo_{1024};
    std::vector<MemoHits> memo_at_; // by memo_ index
    std::vector<int> memo_hits_;
    std::size_t memo_bytes_ = 0; // heap use of the memo, bounded (kMemoBytes)
    bool key_ready_ = false; // classify() built key_ (delivery lines: without delays and address)
    std::int64_t last_hour_ = INT64_MIN;
    TrafficCounts* last_traffic_ = nullptr;
};

// The whole scan: inputs -> reader thread -> scanner threads -> merged summary.
LogSummary scan_logs(LogReader& reader, std::shared_ptr<const SignatureSet> sigs, const ScanOptions& opt,
                     const std::function<void(std::uint64_t)>& progress = {});

// Masks a text into its shape: addresses, queue ids, IPs, host names with digits,
// numbers -> placeholders, so that lines differing only in those group together.
// keep_codes keeps SMTP reply codes ("450 4.2.0") intact.
void mask_shape(std::string_view text, std::string& out, bool keep_codes = false, std::size_t max_len = 160);

nlohmann::json summary_json(const LogSummary& s, const SignatureSet* sigs, std::size_t top = 10);

} // namespace pft::probes
