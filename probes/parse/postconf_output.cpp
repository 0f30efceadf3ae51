// postconf_output.cpp - `name = value` lines as postconf prints them.
// Continuation lines (leading whitespace, as `postconf -f` folds them) are joined;
// diagnostics mixed into the output (`postconf: warning: ...`) are reported, not parsed.
#include "probes/parse/postconf_output.hpp"

#include "engine/fact.hpp"
#include "probes/parse/line_cursor.hpp"

namespace pft::probes::parse {

namespace {
constexpr std::size_t max_entries = 100000;
constexpr std::size_t max_value = 64 * 1024;

bool is_diagnostic(std::string_view l) {
    auto colon = l.find(": ");
    if (colon == std::string_view::npos || colon == 0) return false;
    std::string_view prog = l.substr(0, colon);
    if (prog.find(' ') != std::string_view::npos) return false;
    std::string_view rest = l.substr(colon + 2);
    for (std::string_view sev : {"warning:", "fatal:", "error:", "panic:"})
        if (rest.substr(0, sev.size()) == sev) return true;
    return false;
}
} // namespace

bool is_parameter_name(std::string_view s) {
    if (s.empty() || s.size() > 256) return false;
    for (char c : s) {
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
                  c == '.' || c == '-' || c == '/';
        if (!ok) return false;
    }
    return true;
}

const PostconfEntry* PostconfOutput::find(std::string_view name) const {
    for (auto it = entries.rbegin(); it != entries.rend(); ++it)
        if (it->name == name) return &*it;
    return nullptr;
}

PostconfOutput parse_postconf(std::string_view text) {
    PostconfOutput out;
    LineCursor cur(text);
    Line l;
    bool last_ok = false; // whether a continuation line has an entry to extend
    while (cur.next(l)) {
        if (l.cut) out.warnings.push_back({l.number, "line longer than 64 KiB, cut"});
        std::string_view t = trim(l.text);
        if (t.empty()) continue;
        if (is_blank(l.text.front())) {
            if (!last_ok) {
                out.warnings.push_back({l.number, "continuation line without a parameter: " +
                                                      engine::printable(t, 80)});
                continue;
            }
            auto& v = out.entries.back().value;
            if (v.size() < max_value) {
                if (!v.empty()) v += ' ';
                v += t;
            }
            continue;
        }
        last_ok = false;
        if (is_diagnostic(t)) {
            out.warnings.push_back({l.number, "diagnostic in the output: " + engine::printable(t, 160)});
            continue;
        }
        auto eq = t.find('=');
        std::string_view name = trim(t.substr(0, eq == std::string_view::npos ? 0 : eq));
        if (eq == std::string_view::npos || !is_parameter_name(name)) {
            out.warnings.push_back({l.number, "expected 'name = value', got: " + engine::printable(t, 80)});
            continue;
        }
        if (out.entries.size() >= max_entries) {
            out.warnings.push_back({l.number, "more than 100000 parameters; the rest is ignored"});
            break;
        }
        out.entries.push_back({std::string(name), std::string(trim(t.substr(eq + 1))), l.number});
        last_ok = true;
    }
    return out;
}

} // namespace pft::probes::parse
