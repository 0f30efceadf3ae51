// df.cpp - `Filesystem 1024-blocks Used Available Capacity Mounted on` and the -i variant.
#include "probes/parse/df.hpp"

#include "engine/fact.hpp"
#include "probes/parse/line_cursor.hpp"

namespace pft::probes::parse {

namespace {
std::optional<std::int64_t> count(std::string_view s) {
    auto v = to_int(s);
    if (v && *v < 0) return std::nullopt;
    return v;
}
} // namespace

DfOutput parse_df(std::string_view text) {
    DfOutput out;
    LineCursor cur(text);
    Line l;
    bool header = false;
    while (cur.next(l)) {
        std::string_view t = trim(l.text);
        if (t.empty()) continue;
        auto f = split_fields(t, 64);
        if (!header) {
            if (f.size() < 6 || f[0] != "Filesystem") {
                out.warnings.push_back({l.number, "expected the df header, got: " + engine::printable(t, 80)});
                return out;
            }
            header = true;
            if (f[1] == "Inodes") {
                out.inodes = true;
            } else {
                std::string_view b = f[1];
                auto dash = b.find("-blocks");
                std::string_view n = dash == std::string_view::npos ? std::string_view{} : b.substr(0, dash);
                std::int64_t mult = 1;
                if (!n.empty() && (n.back() == 'K' || n.back() == 'k')) {
                    mult = 1024;
                    n.remove_suffix(1);
                }
                auto v = n.empty() ? std::optional<std::int64_t>(1) : to_int(n);
                if (dash == std::string_view::npos || !v || *v <= 0)
                    out.warnings.push_back({l.number, "unknown block size in header: " + engine::printable(b, 40)});
                else out.block_size = *v * mult;
            }
            continue;
        }
        if (f.size() < 6) {
            out.warnings.push_back({l.number, "expected 6 fields, got: " + engine::printable(t, 80)});
            continue;
        }
        if (out.rows.size() >= 10000) break;
        DfRow r;
        r.filesystem = engine::printable(f[0], 256);
        r.total = count(f[1]);
        r.used = count(f[2]);
        r.available = count(f[3]);
        std::string_view pct = f[4];
        if (!pct.empty() && pct.back() == '%') {
            pct.remove_suffix(1);
            if (auto v = to_real(pct); v && *v >= 0 && *v <= 100) r.used_pct = *v;
        }
        if (!r.used_pct && f[4] != "-")
            out.warnings.push_back({l.number, "bad percentage: " + engine::printable(f[4], 20)});
        // the mount point is the rest of the line (it may contain spaces)
        r.mount = engine::printable(t.substr(static_cast<std::size_t>(f[5].data() - t.data())), 1024);
        r.line = l.number;
        r.excerpt = engine::printable(t, 160);
        out.rows.push_back(std::move(r));
    }
    if (!header) out.warnings.push_back({0, "empty df output"});
    return out;
}

} // namespace pft::probes::parse
