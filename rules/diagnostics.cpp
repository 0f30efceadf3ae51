// diagnostics.cpp - formatting and ordering of load diagnostics.
#include "rules/diagnostics.hpp"

#include <algorithm>
#include <tuple>

namespace pft::rules {

std::string Location::to_string() const {
    std::string s = file.empty() ? "<input>" : file;
    if (line > 0) {
        // append() rather than ":" + ...: GCC 12 warns -Wrestrict falsely on the temporary at -O3.
        s.append(":").append(std::to_string(line));
        if (column > 0) s.append(":").append(std::to_string(column));
    }
    return s;
}

std::string Diagnostic::to_string() const {
    std::string s = loc.to_string();
    s.append(severity == Severity::Error ? ": error: " : ": warning: ").append(message);
    return s;
}

bool Diagnostics::has_errors() const { return error_count() > 0; }

std::size_t Diagnostics::error_count() const {
    return static_cast<std::size_t>(std::count_if(items_.begin(), items_.end(),
                                                  [](const Diagnostic& d) { return d.severity == Severity::Error; }));
}

std::vector<Diagnostic> Diagnostics::sorted() const {
    auto v = items_;
    std::stable_sort(v.begin(), v.end(), [](const Diagnostic& a, const Diagnostic& b) {
        return std::tie(a.loc.file, a.loc.line, a.loc.column) < std::tie(b.loc.file, b.loc.line, b.loc.column);
    });
    return v;
}

} // namespace pft::rules
