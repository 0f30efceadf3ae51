// mailq.cpp - the sendmail-compatible queue listing that showq prints.
// Layout (Postfix 3.7): "ID[*!] SIZE Dow Mon DD HH:MM:SS SENDER", then an optional
// "(reason)" line before the recipients it applies to, then indented recipients,
// a blank line between messages, and "-- N Kbytes in M Requests." at the end.
#include "probes/parse/mailq.hpp"

#include "engine/fact.hpp"
#include "probes/parse/line_cursor.hpp"

#include <chrono>

namespace pft::probes::parse {

namespace {

bool is_queue_id(std::string_view s) {
    if (s.size() < 6 || s.size() > 32) return false;
    for (char c : s) {
        bool ok = (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
        if (!ok) return false;
    }
    return true;
}

int month_number(std::string_view m) {
    static const char* names[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    for (int i = 0; i < 12; ++i)
        if (m == names[i]) return i + 1;
    return 0;
}

// "Nov 25 12:04:17" in the year that puts it at or before reference_now (+1 day of skew).
std::optional<std::int64_t> arrival(std::string_view mon, std::string_view dom, std::string_view hms,
                                    std::int64_t reference_now) {
    int m = month_number(mon);
    auto d = to_int(dom);
    if (m == 0 || !d || *d < 1 || *d > 31 || hms.size() != 8 || hms[2] != ':' || hms[5] != ':') return std::nullopt;
    auto hh = to_int(hms.substr(0, 2)), mm = to_int(hms.substr(3, 2)), ss = to_int(hms.substr(6, 2));
    if (!hh || !mm || !ss || *hh > 23 || *mm > 59 || *ss > 60) return std::nullopt;
    using namespace std::chrono;
    auto now_days = floor<days>(sys_seconds{seconds{reference_now}});
    int y = static_cast<int>(year_month_day{now_days}.year());
    for (int year_try = y; year_try >= y - 1; --year_try) {
        year_month_day ymd{year{year_try}, month{static_cast<unsigned>(m)}, day{static_cast<unsigned>(*d)}};
        if (!ymd.ok()) continue;
        auto t = sys_days{ymd} + hours{*hh} + minutes{*mm} + seconds{*ss};
        std::int64_t v = t.time_since_epoch().count();
        if (v <= reference_now + 86400) return v;
    }
    return std::nullopt;
}

} // namespace

QueueListing parse_mailq(std::string_view text, std::int64_t reference_now, const QueueLimits& limits) {
    QueueListing out;
    LineCursor cur(text);
    Line l;
    QueueMessage* msg = nullptr;
    std::string reason;
    bool stopped = false;
    while (cur.next(l)) {
        std::string_view t = trim(l.text);
        if (t.empty()) {
            msg = nullptr;
            continue;
        }
        if (l.number == 1 && t.substr(0, 10) == "-Queue ID-") continue;
        if (t == "Mail queue is empty" || (t.substr(0, 3) == "-- " && t.find("Request") != std::string_view::npos))
            continue;
        if (t.find(": warning: ") != std::string_view::npos || t.find(": fatal: ") != std::string_view::npos) {
            out.warnings.push_back({l.number, "diagnostic in the listing: " + engine::printable(t, 160)});
            continue;
        }
        if (stopped) continue;
        if (!is_blank(l.text.front()) && t.front() != '(') {
            // a message line
            auto f = split_fields(t, 16);
            std::string_view id = f.empty() ? std::string_view{} : f[0];
            char mark = id.empty() ? 0 : id.back();
            if (mark == '*' || mark == '!') id.remove_suffix(1);
            if (f.size() < 6 || !is_queue_id(id)) {
                out.warnings.push_back({l.number, "expected a queue entry, got: " + engine::printable(t, 80)});
                msg = nullptr;
                continue;
            }
            if (out.messages.size() >= limits.max_messages) {
                out.warnings.push_back({l.number, "more than " + std::to_string(limits.max_messages) +
                                                      " messages; the rest is ignored"});
                stopped = true;
                msg = nullptr;
                continue;
            }
            QueueMessage m;
            m.queue_id = std::string(id);
            m.queue_name = mark == '*' ? "active" : mark == '!' ? "hold" : "incoming";
            m.message_size = to_int(f[1]);
            // f[2] is the weekday
            m.arrival_time = f.size() >= 6 ? arrival(f[3], f[4], f[5], reference_now) : std::nullopt;
            if (!m.arrival_time) out.warnings.push_back({l.number, "bad arrival time for " + m.queue_id});
            m.sender = f.size() >= 7 ? engine::printable(f[6], 1024) : "";
            m.line = l.number;
            m.excerpt = engine::printable(t, 160);
            out.messages.push_back(std::move(m));
            msg = &out.messages.back();
            reason.clear();
            continue;
        }
        if (!msg) {
            out.warnings.push_back({l.number, "line outside a queue entry: " + engine::printable(t, 80)});
            continue;
        }
        if (t.front() == '(') {
            auto close = t.rfind(')');
            reason = engine::printable(close == std::string_view::npos || close == 0 ? t.substr(1) : t.substr(1, close - 1), 1024);
            if (msg->queue_name == "incoming") msg->queue_name = "deferred";
            continue;
        }
        if (msg->recipients.size() < limits.max_recipients)
            msg->recipients.push_back({engine::printable(t, 1024), reason});
    }
    return out;
}

} // namespace pft::probes::parse
