// line_cursor.hpp - walks a text line by line with 1-based numbers and a length bound.
// Strips a trailing '\r'; a line longer than the bound is cut and flagged so
// the parser can warn. It copies nothing and knows no artefact format.
#pragma once

#include <charconv>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace pft::probes::parse {

struct Line {
    std::size_t number = 0;
    std::string_view text;
    bool cut = false; // longer than the bound; text holds the first max bytes
};

class LineCursor {
public:
    static constexpr std::size_t default_max_line = 64 * 1024;

    explicit LineCursor(std::string_view text, std::size_t max_line = default_max_line)
        : text_(text), max_line_(max_line) {}

    bool next(Line& out) {
        if (pos_ >= text_.size()) return false;
        std::size_t end = text_.find('\n', pos_);
        if (end == std::string_view::npos) end = text_.size();
        std::string_view l = text_.substr(pos_, end - pos_);
        pos_ = end + 1;
        if (!l.empty() && l.back() == '\r') l.remove_suffix(1);
        out.number = ++number_;
        out.cut = l.size() > max_line_;
        out.text = out.cut ? l.substr(0, max_line_) : l;
        return true;
    }

private:
    std::string_view text_;
    std::size_t max_line_;
    std::size_t pos_ = 0;
    std::size_t number_ = 0;
};

inline bool is_blank(char c) { return c == ' ' || c == '\t'; }

inline std::string_view trim(std::string_view s) {
    while (!s.empty() && (is_blank(s.front()) || s.front() == '\r' || s.front() == '\n')) s.remove_prefix(1);
    while (!s.empty() && (is_blank(s.back()) || s.back() == '\r' || s.back() == '\n')) s.remove_suffix(1);
    return s;
}

// Whitespace-separated fields (at most max_fields; the rest is dropped).
inline std::vector<std::string_view> split_fields(std::string_view s, std::size_t max_fields = 4096) {
    std::vector<std::string_view> out;
    std::size_t i = 0;
    while (i < s.size() && out.size() < max_fields) {
        while (i < s.size() && is_blank(s[i])) ++i;
        if (i >= s.size()) break;
        std::size_t j = i;
        while (j < s.size() && !is_blank(s[j])) ++j;
        out.push_back(s.substr(i, j - i));
        i = j;
    }
    return out;
}

inline std::optional<std::int64_t> to_int(std::string_view s) {
    std::int64_t v = 0;
    if (s.empty()) return std::nullopt;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
    return v;
}

inline std::optional<double> to_real(std::string_view s) {
    double v = 0;
    if (s.empty()) return std::nullopt;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
    return v;
}

} // namespace pft::probes::parse
