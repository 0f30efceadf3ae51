// value.hpp - the typed values that facts carry.
// Bool, integer, real, string, list of strings, time (UTC seconds) and duration.
// Deliberately knows nothing about where a value came from (see fact.hpp).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace pft::engine {

using TimePoint = std::chrono::sys_seconds;
using Duration = std::chrono::seconds;
using StringList = std::vector<std::string>;

enum class ValueType { Bool, Int, Real, String, List, Time, Duration };

const char* value_type_name(ValueType t);
std::optional<ValueType> value_type_from_name(const std::string& s);

class Value {
public:
    using Storage = std::variant<bool, std::int64_t, double, std::string, StringList, TimePoint, Duration>;

    Value() : v_(false) {}
    Value(bool b) : v_(b) {}
    Value(int i) : v_(static_cast<std::int64_t>(i)) {}
    Value(long i) : v_(static_cast<std::int64_t>(i)) {}
    Value(long long i) : v_(static_cast<std::int64_t>(i)) {}
    Value(unsigned i) : v_(static_cast<std::int64_t>(i)) {}
    Value(unsigned long i) : v_(static_cast<std::int64_t>(i)) {}
    Value(unsigned long long i) : v_(static_cast<std::int64_t>(i)) {}
    Value(double d) : v_(d) {}
    Value(const char* s) : v_(std::string(s)) {}
    Value(std::string s) : v_(std::move(s)) {}
    Value(StringList l) : v_(std::move(l)) {}
    Value(TimePoint t) : v_(t) {}
    Value(Duration d) : v_(d) {}

    ValueType type() const { return static_cast<ValueType>(v_.index()); }
    bool is_numeric() const;  // int, real, duration and time compare as numbers
    double as_number() const; // seconds for durations and times
    bool truthy() const;      // bool, non-zero number, non-empty string/list

    const Storage& storage() const { return v_; }
    template <class T> const T* get_if() const { return std::get_if<T>(&v_); }

    std::string to_string() const;    // human form: "3d 4h", "2026-11-24T04:02:00Z"
    bool operator==(const Value& o) const;
    bool operator!=(const Value& o) const { return !(*this == o); }

private:
    Storage v_;
};

std::string format_duration(Duration d);
std::string format_time(TimePoint t);
// Parses RFC 3339 ("2026-11-24T04:02:00Z", "+01:00" offsets, fractions ignored).
std::optional<TimePoint> parse_rfc3339(const std::string& s);

} // namespace pft::engine
