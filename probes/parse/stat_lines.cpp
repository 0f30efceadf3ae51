// stat_lines.cpp - fixed-column stat lines; paths may contain spaces (the rest of the line).
#include "probes/parse/stat_lines.hpp"

#include "engine/fact.hpp"
#include "engine/value.hpp"
#include "probes/parse/line_cursor.hpp"

#include <cstdio>

namespace pft::probes::parse {

namespace {

constexpr std::size_t max_files = 10000;

std::optional<int> octal_mode(std::string_view s) {
    if (s.empty() || s.size() > 5) return std::nullopt;
    int m = 0;
    for (char c : s) {
        if (c < '0' || c > '7') return std::nullopt;
        m = m * 8 + (c - '0');
    }
    return m;
}

// The text after the first n fields.
std::string_view rest_after(std::string_view t, std::size_t n) {
    std::size_t i = 0;
    for (std::size_t k = 0; k < n; ++k) {
        while (i < t.size() && is_blank(t[i])) ++i;
        while (i < t.size() && !is_blank(t[i])) ++i;
    }
    while (i < t.size() && is_blank(t[i])) ++i;
    return t.substr(i);
}

FileStats parse_stat(std::string_view text, bool with_time) {
    FileStats r;
    LineCursor cur(text, 4096);
    Line l;
    const std::size_t nf = with_time ? 5 : 3;
    while (cur.next(l)) {
        auto t = trim(l.text);
        if (t.empty()) continue;
        if (r.files.size() >= max_files) {
            r.warnings.push_back({l.number, "too many lines; the rest is ignored"});
            break;
        }
        FileStat f;
        f.line = l.number;
        if (t.rfind("missing ", 0) == 0) {
            f.missing = true;
            f.path = std::string(trim(t.substr(8)));
            r.files.push_back(std::move(f));
            continue;
        }
        auto fs = split_fields(t, nf);
        std::string_view path = rest_after(t, nf);
        if (fs.size() < nf || path.empty()) {
            r.warnings.push_back({l.number, "not a stat line: " + engine::printable(t, 80)});
            continue;
        }
        std::size_t i = 0;
        if (with_time) {
            f.mtime = to_int(fs[i++]);
            f.size = to_int(fs[i++]);
        }
        auto mode = octal_mode(fs[i++]);
        auto uid = to_int(fs[i++]);
        auto gid = to_int(fs[i++]);
        if (!mode || !uid || !gid || (with_time && (!f.mtime || !f.size))) {
            r.warnings.push_back({l.number, "not a stat line: " + engine::printable(t, 80)});
            continue;
        }
        f.mode = *mode;
        f.uid = *uid;
        f.gid = *gid;
        f.path = std::string(path);
        r.files.push_back(std::move(f));
    }
    return r;
}

} // namespace

const FileStat* FileStats::find(const std::string& path) const {
    for (const auto& f : files)
        if (f.path == path) return &f;
    return nullptr;
}

FileStats parse_tables_txt(std::string_view text) { return parse_stat(text, true); }
FileStats parse_stat_mode(std::string_view text) { return parse_stat(text, false); }

FileStats parse_ls_ln(std::string_view text) {
    FileStats r;
    LineCursor cur(text, 4096);
    Line l;
    while (cur.next(l)) {
        auto t = trim(l.text);
        if (t.empty() || t.rfind("total ", 0) == 0) continue;
        auto fs = split_fields(t, 8);
        if (fs.size() < 8 || fs[0].size() < 10) {
            r.warnings.push_back({l.number, "not an ls -ln line: " + engine::printable(t, 80)});
            continue;
        }
        FileStat f;
        f.line = l.number;
        f.kind = fs[0][0];
        int mode = 0;
        for (int k = 0; k < 9; ++k) {
            char c = fs[0][1 + k];
            if (c != '-') mode |= 1 << (8 - k);
            if ((k == 2 || k == 5) && (c == 'S')) mode &= ~(1 << (8 - k));
            if (k == 8 && c == 'T') mode &= ~1;
        }
        f.mode = mode;
        auto uid = to_int(fs[2]);
        auto gid = to_int(fs[3]);
        f.size = to_int(fs[4]);
        if (!uid || !gid) {
            r.warnings.push_back({l.number, "not an ls -ln line: " + engine::printable(t, 80)});
            continue;
        }
        f.uid = *uid;
        f.gid = *gid;
        std::string stamp = std::string(fs[5]) + "T" + std::string(fs[6].substr(0, 8));
        std::string tz(fs[7]);
        if (tz.size() == 5) stamp += tz.substr(0, 3) + ":" + tz.substr(3);
        else stamp += "Z";
        if (auto tp = engine::parse_rfc3339(stamp)) f.mtime = tp->time_since_epoch().count();
        std::string name(rest_after(t, 8));
        auto arrow = f.kind == 'l' ? name.find(" -> ") : std::string::npos;
        if (arrow != std::string::npos) name.erase(arrow);
        f.path = name;
        if (r.files.size() >= max_files) break;
        r.files.push_back(std::move(f));
    }
    return r;
}

std::string render_tables_line(const FileStat& f) {
    if (f.missing) return "missing " + f.path + "\n";
    char mode[16];
    std::snprintf(mode, sizeof mode, "%o", f.mode);
    return std::to_string(f.mtime.value_or(0)) + " " + std::to_string(f.size.value_or(0)) + " " + mode + " " +
           std::to_string(f.uid) + " " + std::to_string(f.gid) + " " + f.path + "\n";
}

std::string render_stat_mode_line(const FileStat& f) {
    if (f.missing) return "missing " + f.path + "\n";
    char mode[16];
    std::snprintf(mode, sizeof mode, "%o", f.mode);
    return std::string(mode) + " " + std::to_string(f.uid) + " " + std::to_string(f.gid) + " " + f.path + "\n";
}

} // namespace pft::probes::parse
