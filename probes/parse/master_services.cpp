// master_services.cpp - master.cf logical lines into services.
// `-o { name = value }` (Postfix 3.0 brace syntax) is accepted as well as `-o name=value`.
#include "probes/parse/master_services.hpp"

#include "engine/fact.hpp"
#include "probes/parse/line_cursor.hpp"

namespace pft::probes::parse {

namespace {
constexpr std::size_t max_services = 10000;
constexpr std::size_t max_logical = 256 * 1024;

bool is_yn(std::string_view s) { return s == "y" || s == "n" || s == "-" || s == "yes" || s == "no"; }

bool all_digits(std::string_view s) {
    if (s.empty()) return false;
    for (char c : s)
        if (c < '0' || c > '9') return false;
    return true;
}

// Words of a logical line; "{ ... }" groups are one word without the braces.
std::vector<std::string> words(std::string_view s, bool& unbalanced) {
    std::vector<std::string> out;
    unbalanced = false;
    std::size_t i = 0;
    while (i < s.size() && out.size() < 4096) {
        while (i < s.size() && is_blank(s[i])) ++i;
        if (i >= s.size()) break;
        if (s[i] == '{') {
            auto close = s.find('}', i);
            if (close == std::string_view::npos) {
                unbalanced = true;
                close = s.size();
            }
            out.emplace_back(trim(s.substr(i + 1, close - i - 1)));
            i = close + 1;
            continue;
        }
        std::size_t j = i;
        while (j < s.size() && !is_blank(s[j])) ++j;
        out.emplace_back(s.substr(i, j - i));
        i = j;
    }
    return out;
}

void parse_logical(std::string_view text, std::size_t line, MasterServices& out) {
    bool unbalanced = false;
    auto w = words(text, unbalanced);
    if (unbalanced) out.warnings.push_back({line, "'{' without a closing '}'"});
    if (w.size() < 8) {
        out.warnings.push_back({line, "expected 8 or more fields (service type private unpriv chroot wakeup "
                                      "maxproc command), got: " + engine::printable(text, 80)});
        return;
    }
    static const std::vector<std::string_view> types = {"inet", "unix", "unix-dgram", "fifo", "pass"};
    bool type_ok = false;
    for (auto t : types) type_ok = type_ok || w[1] == t;
    if (!type_ok) {
        out.warnings.push_back({line, "unknown service type '" + engine::printable(w[1], 40) + "'"});
        return;
    }
    if (!is_yn(w[2]) || !is_yn(w[3]) || !is_yn(w[4])) {
        out.warnings.push_back({line, "private/unpriv/chroot must be y, n or -: " + engine::printable(text, 80)});
        return;
    }
    if (w[6] != "-" && !all_digits(w[6])) {
        out.warnings.push_back({line, "maxproc must be a number or -, got '" + engine::printable(w[6], 40) + "'"});
        return;
    }
    MasterService s;
    s.service = engine::printable(w[0], 256);
    s.type = w[1];
    s.private_flag = w[2];
    s.unpriv = w[3];
    s.chroot = w[4];
    s.wakeup = engine::printable(w[5], 40);
    s.maxproc = w[6];
    s.command = engine::printable(w[7], 256);
    s.line = line;
    for (std::size_t i = 8; i < w.size(); ++i) {
        if (w[i] == "-o" && i + 1 < w.size()) {
            const std::string& a = w[++i];
            auto eq = a.find('=');
            if (eq == std::string::npos) {
                out.warnings.push_back({line, "-o without name=value: " + engine::printable(a, 80)});
                continue;
            }
            s.overrides.emplace_back(std::string(trim(std::string_view(a).substr(0, eq))),
                                     engine::printable(trim(std::string_view(a).substr(eq + 1)), 1024));
        } else {
            s.args.push_back(engine::printable(w[i], 1024));
        }
    }
    out.services.push_back(std::move(s));
}
} // namespace

MasterServices parse_master_services(std::string_view text) {
    MasterServices out;
    LineCursor cur(text);
    Line l;
    std::string logical;
    std::size_t start = 0;
    auto flush = [&] {
        if (start != 0 && out.services.size() < max_services) parse_logical(logical, start, out);
        logical.clear();
        start = 0;
    };
    while (cur.next(l)) {
        if (l.cut) out.warnings.push_back({l.number, "line longer than 64 KiB, cut"});
        std::string_view t = trim(l.text);
        if (t.empty() || t.front() == '#') continue;
        if (is_blank(l.text.front())) {
            if (start == 0) {
                out.warnings.push_back({l.number, "continuation line without a service before it"});
            } else if (logical.size() < max_logical) {
                logical += ' ';
                logical += t;
            }
            continue;
        }
        flush();
        if (out.services.size() >= max_services) {
            out.warnings.push_back({l.number, "more than 10000 services; the rest is ignored"});
            break;
        }
        logical = std::string(t);
        start = l.number;
    }
    flush();
    return out;
}

} // namespace pft::probes::parse
