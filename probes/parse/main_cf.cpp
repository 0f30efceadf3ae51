// main_cf.cpp - logical lines of main.cf, as Postfix's readlline() forms them.
#include "probes/parse/main_cf.hpp"

#include "engine/fact.hpp"
#include "probes/parse/line_cursor.hpp"
#include "probes/parse/postconf_output.hpp"

namespace pft::probes::parse {

namespace {
constexpr std::size_t max_entries = 100000;
constexpr std::size_t max_value = 64 * 1024;
} // namespace

std::map<std::string, std::vector<std::size_t>> MainCf::lines_by_name() const {
    std::map<std::string, std::vector<std::size_t>> out;
    for (const auto& e : entries) out[e.name].push_back(e.line);
    return out;
}

MainCf parse_main_cf(std::string_view text) {
    MainCf out;
    LineCursor cur(text);
    Line l;
    bool in_entry = false;     // the last logical line was a good entry
    bool in_bad = false;       // the last logical line was bad; swallow its continuations
    while (cur.next(l)) {
        if (l.cut) out.warnings.push_back({l.number, "line longer than 64 KiB, cut"});
        std::string_view t = trim(l.text);
        if (t.empty() || t.front() == '#') continue;
        if (is_blank(l.text.front())) {
            if (in_entry) {
                auto& v = out.entries.back().value;
                if (v.size() < max_value) {
                    if (!v.empty()) v += ' ';
                    v += t;
                }
            } else if (!in_bad) {
                out.warnings.push_back({l.number, "continuation line without a parameter before it: " +
                                                      engine::printable(t, 80)});
            }
            continue;
        }
        in_entry = in_bad = false;
        auto eq = t.find('=');
        std::string_view name = eq == std::string_view::npos ? t : trim(t.substr(0, eq));
        if (eq == std::string_view::npos) {
            out.warnings.push_back({l.number, "missing '=' after parameter name: " + engine::printable(t, 80)});
            in_bad = true;
            continue;
        }
        if (!is_parameter_name(name)) {
            out.warnings.push_back({l.number, "bad parameter name: " + engine::printable(name, 80)});
            in_bad = true;
            continue;
        }
        if (out.entries.size() >= max_entries) {
            out.warnings.push_back({l.number, "more than 100000 entries; the rest is ignored"});
            break;
        }
        out.entries.push_back({std::string(name), std::string(trim(t.substr(eq + 1))), l.number});
        in_entry = true;
    }
    return out;
}

} // namespace pft::probes::parse
