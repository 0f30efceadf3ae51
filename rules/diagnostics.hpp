// diagnostics.hpp - load errors and warnings with file:line:column, gathered and
// reported together (never only the first). Errors from input are values.
#pragma once

#include <string>
#include <vector>

namespace pft::rules {

struct Location {
    std::string file;
    int line = 0;   // 1-based; 0 = unknown
    int column = 0; // 1-based; 0 = unknown
    std::string to_string() const;
};

enum class Severity { Warning, Error };

struct Diagnostic {
    Severity severity = Severity::Error;
    Location loc;
    std::string message;
    std::string to_string() const; // "file:line:col: error: message"
};

class Diagnostics {
public:
    void error(Location loc, std::string msg) { items_.push_back({Severity::Error, std::move(loc), std::move(msg)}); }
    void warning(Location loc, std::string msg) { items_.push_back({Severity::Warning, std::move(loc), std::move(msg)}); }
    bool has_errors() const;
    std::size_t error_count() const;
    const std::vector<Diagnostic>& items() const { return items_; }
    std::vector<Diagnostic> sorted() const; // by file, line, column
    void append(const Diagnostics& o) { items_.insert(items_.end(), o.items_.begin(), o.items_.end()); }

private:
    std::vector<Diagnostic> items_;
};

} // namespace pft::rules
