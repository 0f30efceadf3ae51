// syslog_line.hpp - splits one mail-log line into time, host, tag and message.
// Pure: no I/O, no allocation (views into the caller's line). It recognises the
// syslog shape and Postfix tags; it does not interpret the message text.
#pragma once

#include "engine/value.hpp"

#include <optional>
#include <string_view>

namespace pft::probes {

// Lines longer than this are cut before parsing (Postfix itself caps records near 2 KB).
inline constexpr std::size_t kMaxLogLine = 64 * 1024;

enum class LineKind {
    Postfix,   // a syslog line whose tag is a Postfix program
    Other,     // a syslog line of another program (dovecot, amavis, ...)
    Unparsed,  // no syslog shape at all (free text, a bare message)
};

struct SyslogLine {
    LineKind kind = LineKind::Unparsed;
    std::optional<engine::TimePoint> time; // UTC; year-less stamps are taken as UTC
    std::string_view host;        // may be empty (some collectors drop it)
    std::string_view syslog_name; // "postfix", "postfix-out"; the whole tag head for others
    std::string_view service;     // "submission" in postfix/submission/smtpd; else empty
    std::string_view program;     // "smtpd", "qmgr", "postfix-script"
    std::optional<long> pid;
    std::string_view message;     // everything after "tag: "
    std::string_view queue_id;    // when the message starts with "QUEUEID: "
};

// Parses one line (without its newline). `reference` picks the year of year-less
// stamps: the latest year that puts the stamp no more than one day after it.
SyslogLine parse_syslog_line(std::string_view line, engine::TimePoint reference);

// Remembers the last stamp read, so that a run of lines with the same stamp text
// (most of a busy log) skips the date arithmetic. One per thread; starts empty.
struct StampCache {
    char text[40] = {};
    std::size_t len = 0;
    std::optional<engine::TimePoint> time;
    engine::TimePoint reference{};
};

// The same, reusing `cache` when the line starts with the cached stamp text.
SyslogLine parse_syslog_line(std::string_view line, engine::TimePoint reference, StampCache& cache);

// The queue id at the start of a message ("5270320179: ...", long ids too), or empty.
std::string_view leading_queue_id(std::string_view message);

// Whether `program` is the name of a Postfix daemon or command.
bool is_postfix_program(std::string_view program);

} // namespace pft::probes
