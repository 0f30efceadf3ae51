// log_reader.hpp - streams mail logs as chunks of whole lines: plain or gzip files,
// rotated sets put in time order, standard input, or text already in memory; plus
// the time window (--since/--until) shared by `pftriage logs` and the maillog probe.
// It does not interpret lines (parse/syslog_line.hpp) nor count anything (log_summary).
#pragma once

#include "engine/value.hpp"

#include <atomic>
#include <cstdint>
#include <cstring>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pft::probes {

// A window of time; an open end is unbounded. Lines without a time are kept.
struct TimeWindow {
    std::optional<engine::TimePoint> since; // inclusive
    std::optional<engine::TimePoint> until; // exclusive
    bool bounded() const { return since || until; }
    bool contains(engine::TimePoint t) const { return (!since || t >= *since) && (!until || t < *until); }
};

// "2026-11-24T10:00:00Z" (RFC 3339), "2026-11-24 10:00[:SS]" and "2026-11-24" (UTC),
// or relative to `reference`: "90s", "30m", "2h", "3d", "1w" (that long before it).
std::optional<engine::TimePoint> parse_time_spec(std::string_view spec, engine::TimePoint reference,
                                                 std::string* error = nullptr);

// The window the triage looks at: the 24 hours before the reference time.
TimeWindow default_triage_window(engine::TimePoint reference);

// One input of a scan: a file path, "-" (standard input), or text in memory.
struct LogInput {
    std::string path;                        // "-" = standard input; "" = use `text`
    std::string_view text;                   // in-memory input (caller keeps it alive)
    std::string label;                       // for messages; defaults to the path
    std::optional<engine::TimePoint> reference; // year of year-less stamps; default: file mtime or now
};

// The rotated set a path belongs to, oldest first: "mail.log" gives mail.log.3.gz
// mail.log.2.gz mail.log.1 mail.log (also mail.log-20261124[.gz]). Several paths are
// each expanded only when `expand` is set; the result is ordered oldest first by
// rotation rank and de-duplicated.
std::vector<std::string> rotated_set(const std::vector<std::string>& paths, bool expand);

// Bounded line iteration over a buffer: calls fn(line) for every line (without the
// newline, a trailing '\r' removed), cut to kMaxLogLine bytes.
template <class Fn>
void for_each_line(std::string_view text, Fn&& fn);

// A chunk of whole lines handed to a worker. `text` ends with '\n' (or is the last,
// unterminated piece of an input).
struct LogChunk {
    std::string_view text;
    std::size_t input = 0;             // index into the inputs
    engine::TimePoint reference{};     // for year-less stamps
    std::uint64_t offset = 0;          // byte offset of text in its input (decompressed)
};

struct ReadStats {
    std::uint64_t bytes = 0;           // bytes read (decompressed)
    std::uint64_t long_lines_cut = 0;  // lines longer than a chunk, cut
    std::vector<std::string> long_line_inputs; // the inputs (paths or labels) they were in, each once
    std::vector<std::string> errors;   // "mail.log.2.gz: corrupt gzip data at ..."
};

class LogReader {
public:
    // chunk_size bounds the memory: at most `buffers` chunks exist at once.
    explicit LogReader(std::vector<LogInput> inputs, std::size_t chunk_size = 1u << 20);
    ~LogReader();
    LogReader(const LogReader&) = delete;
    LogReader& operator=(const LogReader&) = delete;

    // Single-threaded: the next chunk, valid until the next call. False at the end.
    bool next(LogChunk& chunk);

    // Reads on a background thread and runs `work(chunk, worker)` on `workers` threads
    // (worker = 0..workers-1); chunks arrive in no particular order. At most
    // `workers + 2` chunk buffers exist. `progress(bytes)` (optional) is called by the
    // reading thread after each chunk.
    void run_parallel(unsigned workers, const std::function<void(const LogChunk&, unsigned)>& work,
                      const std::function<void(std::uint64_t)>& progress = {});

    const std::vector<LogInput>& inputs() const { return inputs_; }
    const ReadStats& stats() const { return stats_; }
    // Sum of the sizes of the inputs that are regular files (compressed size for .gz).
    std::uint64_t total_file_bytes() const;

private:
    struct Impl;
    bool fill(std::string& buf, LogChunk& chunk);
    std::vector<LogInput> inputs_;
    std::size_t chunk_size_;
    std::unique_ptr<Impl> impl_;
    std::unique_ptr<std::string> single_buf_;
    ReadStats stats_;
};

// The newest stamp near the end of a plain file (its last 64 KiB), if any.
std::optional<engine::TimePoint> newest_time_at_end(const std::string& path, engine::TimePoint reference);

// ---- implementation of the template -------------------------------------------
std::size_t max_log_line();

template <class Fn>
void for_each_line(std::string_view text, Fn&& fn) {
    const std::size_t cap = max_log_line();
    std::size_t pos = 0;
    while (pos < text.size()) {
        const char* start = text.data() + pos;
        const void* nl = std::memchr(start, '\n', text.size() - pos);
        std::size_t end = nl ? static_cast<std::size_t>(static_cast<const char*>(nl) - text.data()) : text.size();
        std::string_view line(start, end - pos);
        pos = end + 1;
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        if (line.size() > cap) line = line.substr(0, cap);
        fn(line);
    }
}

} // namespace pft::probes

