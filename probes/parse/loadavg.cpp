// loadavg.cpp - the first line of /proc/loadavg.
#include "probes/parse/loadavg.hpp"

#include "engine/fact.hpp"
#include "probes/parse/line_cursor.hpp"

namespace pft::probes::parse {

LoadAvg parse_loadavg(std::string_view text) {
    LoadAvg out;
    LineCursor cur(text, 4096);
    Line l;
    if (!cur.next(l) || trim(l.text).empty()) {
        out.warnings.push_back({1, "empty loadavg"});
        return out;
    }
    std::string_view t = trim(l.text);
    out.excerpt = engine::printable(t, 120);
    auto f = split_fields(t, 8);
    auto load = [](std::string_view s) -> std::optional<double> {
        auto v = to_real(s);
        if (v && *v >= 0 && *v < 1e9) return v;
        return std::nullopt;
    };
    if (f.size() < 3 || !load(f[0]) || !load(f[1]) || !load(f[2])) {
        out.warnings.push_back({1, "expected three load averages, got: " + engine::printable(t, 80)});
        return out;
    }
    out.load1 = load(f[0]);
    out.load5 = load(f[1]);
    out.load15 = load(f[2]);
    if (f.size() >= 4) {
        auto slash = f[3].find('/');
        if (slash != std::string_view::npos) {
            out.runnable = to_int(f[3].substr(0, slash));
            out.threads = to_int(f[3].substr(slash + 1));
        }
    }
    return out;
}

} // namespace pft::probes::parse
