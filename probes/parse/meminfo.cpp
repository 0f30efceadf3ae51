// meminfo.cpp - /proc/meminfo lines.
#include "probes/parse/meminfo.hpp"

#include "engine/fact.hpp"
#include "probes/parse/line_cursor.hpp"

namespace pft::probes::parse {

MemInfo parse_meminfo(std::string_view text) {
    MemInfo out;
    LineCursor cur(text, 4096);
    Line l;
    while (cur.next(l)) {
        std::string_view t = trim(l.text);
        if (t.empty()) continue;
        auto colon = t.find(':');
        auto f = colon == std::string_view::npos ? std::vector<std::string_view>{} : split_fields(t.substr(colon + 1), 4);
        std::optional<std::int64_t> v = f.empty() ? std::nullopt : to_int(f[0]);
        bool kb = f.size() == 2 && (f[1] == "kB" || f[1] == "KB");
        if (colon == std::string_view::npos || colon == 0 || !v || *v < 0 || f.size() > 2 || (f.size() == 2 && !kb)) {
            out.warnings.push_back({l.number, "expected 'Name: number [kB]', got: " + engine::printable(t, 80)});
            continue;
        }
        if (out.entries.size() >= 1000) break;
        constexpr std::int64_t max_kb = INT64_MAX / 1024;
        std::int64_t bytes = kb ? (*v > max_kb ? INT64_MAX : *v * 1024) : *v;
        out.entries[engine::printable(t.substr(0, colon), 64)] = {bytes, l.number, engine::printable(t, 120)};
    }
    return out;
}

} // namespace pft::probes::parse
