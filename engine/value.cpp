// value.cpp - typed values: comparison, truthiness and human formatting.
// Parsing of rule-language literals (units like 14d, 10MB) lives in rules/.
#include "engine/value.hpp"

#include <cctype>
#include <cmath>
#include <cstdio>
#include <ctime>

namespace pft::engine {

const char* value_type_name(ValueType t) {
    switch (t) {
    case ValueType::Bool: return "bool";
    case ValueType::Int: return "int";
    case ValueType::Real: return "real";
    case ValueType::String: return "string";
    case ValueType::List: return "list";
    case ValueType::Time: return "time";
    case ValueType::Duration: return "duration";
    }
    return "?";
}

std::optional<ValueType> value_type_from_name(const std::string& s) {
    if (s == "bool") return ValueType::Bool;
    if (s == "int" || s == "integer" || s == "bytes" || s == "count") return ValueType::Int;
    if (s == "real" || s == "percent" || s == "ratio") return ValueType::Real;
    if (s == "string") return ValueType::String;
    if (s == "list") return ValueType::List;
    if (s == "time") return ValueType::Time;
    if (s == "duration") return ValueType::Duration;
    return std::nullopt;
}

bool Value::is_numeric() const {
    auto t = type();
    return t == ValueType::Int || t == ValueType::Real || t == ValueType::Duration || t == ValueType::Time;
}

double Value::as_number() const {
    switch (type()) {
    case ValueType::Bool: return std::get<bool>(v_) ? 1.0 : 0.0;
    case ValueType::Int: return static_cast<double>(std::get<std::int64_t>(v_));
    case ValueType::Real: return std::get<double>(v_);
    case ValueType::Duration: return static_cast<double>(std::get<Duration>(v_).count());
    case ValueType::Time: return static_cast<double>(std::get<TimePoint>(v_).time_since_epoch().count());
    case ValueType::String:
    case ValueType::List: return std::nan("");
    }
    return std::nan("");
}

bool Value::truthy() const {
    switch (type()) {
    case ValueType::Bool: return std::get<bool>(v_);
    case ValueType::String: return !std::get<std::string>(v_).empty();
    case ValueType::List: return !std::get<StringList>(v_).empty();
    default: return as_number() != 0.0;
    }
}

std::string format_duration(Duration d) {
    // The magnitude as unsigned: -INT64_MIN does not fit a long long.
    unsigned long long s = d.count() < 0 ? 0ULL - static_cast<unsigned long long>(d.count())
                                          : static_cast<unsigned long long>(d.count());
    std::string sign = d.count() < 0 ? "-" : "";
    unsigned long long days = s / 86400, hours = (s % 86400) / 3600, mins = (s % 3600) / 60, secs = s % 60;
    char buf[64];
    if (days > 0)
        std::snprintf(buf, sizeof buf, "%llud %lluh", days, hours);
    else if (hours > 0)
        std::snprintf(buf, sizeof buf, "%lluh %llum", hours, mins);
    else if (mins > 0)
        std::snprintf(buf, sizeof buf, "%llum %llus", mins, secs);
    else
        std::snprintf(buf, sizeof buf, "%llus", secs);
    return sign + buf;
}

std::string format_time(TimePoint t) {
    std::time_t tt = static_cast<std::time_t>(t.time_since_epoch().count());
    std::tm tm{};
    gmtime_r(&tt, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

std::optional<TimePoint> parse_rfc3339(const std::string& s) {
    int Y, M, D, h, m, sec;
    char T;
    int n = 0;
    if (std::sscanf(s.c_str(), "%4d-%2d-%2d%c%2d:%2d:%2d%n", &Y, &M, &D, &T, &h, &m, &sec, &n) != 7) return std::nullopt;
    if (T != 'T' && T != 't' && T != ' ') return std::nullopt;
    if (M < 1 || M > 12 || D < 1 || D > 31 || h > 23 || m > 59 || sec > 60) return std::nullopt;
    std::size_t i = static_cast<std::size_t>(n);
    if (i < s.size() && s[i] == '.') {
        ++i;
        while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i;
    }
    long offset = 0;
    if (i < s.size()) {
        char z = s[i];
        if (z == 'Z' || z == 'z') {
            ++i;
        } else if (z == '+' || z == '-') {
            int oh, om;
            if (std::sscanf(s.c_str() + i + 1, "%2d:%2d", &oh, &om) != 2) return std::nullopt;
            offset = (oh * 3600L + om * 60L) * (z == '+' ? 1 : -1);
            i += 6;
        } else {
            return std::nullopt;
        }
    }
    using namespace std::chrono;
    auto ymd = year{Y} / month{static_cast<unsigned>(M)} / day{static_cast<unsigned>(D)};
    if (!ymd.ok()) return std::nullopt;
    auto tp = sys_days{ymd} + hours{h} + minutes{m} + seconds{sec} - seconds{offset};
    return time_point_cast<seconds>(tp);
}

std::string Value::to_string() const {
    switch (type()) {
    case ValueType::Bool: return std::get<bool>(v_) ? "true" : "false";
    case ValueType::Int: return std::to_string(std::get<std::int64_t>(v_));
    case ValueType::Real: {
        char buf[64];
        std::snprintf(buf, sizeof buf, "%g", std::get<double>(v_));
        return buf;
    }
    case ValueType::String: return std::get<std::string>(v_);
    case ValueType::List: {
        std::string out = "[";
        const auto& l = std::get<StringList>(v_);
        for (std::size_t i = 0; i < l.size(); ++i) out += (i ? ", " : "") + l[i];
        return out + "]";
    }
    case ValueType::Time: return format_time(std::get<TimePoint>(v_));
    case ValueType::Duration: return format_duration(std::get<Duration>(v_));
    }
    return "";
}

bool Value::operator==(const Value& o) const {
    if (is_numeric() && o.is_numeric()) return as_number() == o.as_number();
    if (type() == ValueType::Bool && o.is_numeric()) return as_number() == o.as_number();
    if (o.type() == ValueType::Bool && is_numeric()) return as_number() == o.as_number();
    return v_ == o.v_;
}

} // namespace pft::engine
