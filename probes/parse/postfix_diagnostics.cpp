// postfix_diagnostics.cpp - Postfix `PROG: severity: [FILE[, line N]: ]message` lines.
// Real 3.7 examples are in tests/fixtures/probes/bundle-deferred/postconf-warnings.txt.
#include "probes/parse/postfix_diagnostics.hpp"

#include "engine/fact.hpp"
#include "probes/parse/line_cursor.hpp"
#include "probes/parse/postconf_output.hpp"

namespace pft::probes::parse {

namespace {
constexpr std::size_t max_items = 100000;

bool split_assignment(std::string_view s, std::string& name, std::string& value) {
    auto eq = s.find('=');
    if (eq == std::string_view::npos) return false;
    std::string_view n = trim(s.substr(0, eq));
    if (!is_parameter_name(n)) return false;
    name = std::string(n);
    value = engine::printable(trim(s.substr(eq + 1)), 1024);
    return true;
}
} // namespace

PostfixDiagnostics parse_postfix_diagnostics(std::string_view text) {
    PostfixDiagnostics out;
    LineCursor cur(text);
    Line l;
    while (cur.next(l)) {
        std::string_view t = trim(l.text);
        if (t.empty()) continue;
        if (out.items.size() >= max_items) {
            out.warnings.push_back({l.number, "more than 100000 diagnostics; the rest is ignored"});
            break;
        }
        PostfixDiagnostic d;
        d.line = l.number;
        std::string_view rest = t;
        auto colon = t.find(": ");
        if (colon != std::string_view::npos && colon > 0 && t.substr(0, colon).find(' ') == std::string_view::npos) {
            std::string_view after = t.substr(colon + 2);
            for (std::string_view sev : {"warning", "fatal", "error", "panic"}) {
                if (after.size() > sev.size() && after.substr(0, sev.size()) == sev && after[sev.size()] == ':') {
                    d.program = engine::printable(t.substr(0, colon), 100);
                    d.severity = std::string(sev);
                    rest = trim(after.substr(sev.size() + 1));
                    break;
                }
            }
        }
        if (d.severity.empty()) {
            out.warnings.push_back({l.number, "not a Postfix diagnostic: " + engine::printable(t, 80)});
        } else if (!rest.empty() && rest.front() == '/') {
            // "FILE: msg" or "FILE, line N: msg"
            auto sep = rest.find(": ");
            std::string_view file = sep == std::string_view::npos ? rest : rest.substr(0, sep);
            auto comma = file.find(", line ");
            if (comma != std::string_view::npos) {
                if (auto n = to_int(file.substr(comma + 7)); n && *n > 0) d.file_line = static_cast<long>(*n);
                file = file.substr(0, comma);
            }
            d.file = engine::printable(file, 512);
            rest = sep == std::string_view::npos ? std::string_view{} : trim(rest.substr(sep + 2));
        }
        constexpr std::string_view unused = "unused parameter: ";
        constexpr std::string_view overriding = "overriding earlier entry: ";
        if (rest.substr(0, unused.size()) == unused) {
            if (split_assignment(rest.substr(unused.size()), d.name, d.value)) d.kind = DiagnosticKind::UnusedParameter;
        } else if (rest.substr(0, overriding.size()) == overriding) {
            if (split_assignment(rest.substr(overriding.size()), d.name, d.value)) d.kind = DiagnosticKind::OverridingEntry;
        }
        d.message = engine::printable(rest, 300);
        out.items.push_back(std::move(d));
    }
    return out;
}

} // namespace pft::probes::parse
