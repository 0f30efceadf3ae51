// sockets.cpp - /proc/net/tcp hex addresses and ss columns.
#include "probes/parse/sockets.hpp"

#include "engine/fact.hpp"
#include "probes/parse/line_cursor.hpp"

#include <arpa/inet.h>
#include <cstring>

namespace pft::probes::parse {

namespace {

constexpr std::size_t max_listeners = 10000;

int hexval(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
}

bool hex_bytes(std::string_view h, unsigned char* out, std::size_t n) {
    if (h.size() != n * 2) return false;
    for (std::size_t i = 0; i < n; ++i) {
        int a = hexval(h[2 * i]), b = hexval(h[2 * i + 1]);
        if (a < 0 || b < 0) return false;
        out[i] = static_cast<unsigned char>(a * 16 + b);
    }
    return true;
}

// "0100007F:0019" -> 127.0.0.1, 25. The kernel prints each 32-bit word in host order.
bool proc_addr(std::string_view f, bool v6, std::string& addr, int& port) {
    auto c = f.find(':');
    if (c == std::string_view::npos) return false;
    unsigned char raw[16];
    std::size_t n = v6 ? 16 : 4;
    if (!hex_bytes(f.substr(0, c), raw, n)) return false;
    unsigned char fixed[16];
    for (std::size_t w = 0; w < n / 4; ++w)
        for (int b = 0; b < 4; ++b) fixed[w * 4 + b] = raw[w * 4 + 3 - b]; // little-endian words
    char buf[INET6_ADDRSTRLEN];
    if (!inet_ntop(v6 ? AF_INET6 : AF_INET, fixed, buf, sizeof buf)) return false;
    addr = buf;
    unsigned char p[2];
    if (!hex_bytes(f.substr(c + 1), p, 2)) return false;
    port = p[0] * 256 + p[1];
    return true;
}

} // namespace

bool is_loopback_address(const std::string& a) {
    return a.rfind("127.", 0) == 0 || a == "::1" || a.rfind("::ffff:127.", 0) == 0;
}

bool is_wildcard_address(const std::string& a) { return a == "0.0.0.0" || a == "::" || a == "*"; }

Listeners parse_proc_net_tcp(std::string_view text, bool v6) {
    Listeners r;
    LineCursor cur(text, 4096);
    Line l;
    while (cur.next(l)) {
        auto f = split_fields(l.text, 12);
        if (f.empty() || f[0] == "sl") continue;
        if (f.size() < 10) {
            r.warnings.push_back({l.number, "short line"});
            continue;
        }
        if (f[3] != "0A") continue; // TCP_LISTEN
        Listener x;
        if (!proc_addr(f[1], v6, x.address, x.port)) {
            r.warnings.push_back({l.number, "unreadable local address " + engine::printable(f[1], 60)});
            continue;
        }
        if (x.address.rfind("::ffff:", 0) == 0 && x.address.find('.') != std::string::npos) x.address.erase(0, 7);
        auto ino = to_int(f[9]);
        x.inode = ino && *ino > 0 ? static_cast<std::uint64_t>(*ino) : 0;
        x.line = l.number;
        if (r.items.size() >= max_listeners) break;
        r.items.push_back(std::move(x));
    }
    return r;
}

Listeners parse_ss_tlnp(std::string_view text) {
    Listeners r;
    LineCursor cur(text, 8192);
    Line l;
    while (cur.next(l)) {
        auto f = split_fields(l.text, 16);
        if (f.empty() || f[0] == "State" || f[0] == "Netid") continue;
        std::size_t i = 0;
        if (f[0] == "tcp") ++i; // ss -tlnpa style with a Netid column
        if (f.size() < i + 5 || f[i] != "LISTEN") continue;
        std::string_view local = f[i + 3];
        auto c = local.rfind(':');
        if (c == std::string_view::npos) {
            r.warnings.push_back({l.number, "no port in " + engine::printable(local, 60)});
            continue;
        }
        Listener x;
        std::string a(local.substr(0, c));
        if (a.size() >= 2 && a.front() == '[' && a.back() == ']') a = a.substr(1, a.size() - 2);
        auto pct = a.find('%'); // 127.0.0.53%lo
        if (pct != std::string::npos) a.erase(pct);
        if (a == "*") a = "0.0.0.0";
        if (a.rfind("::ffff:", 0) == 0 && a.find('.') != std::string::npos) a.erase(0, 7);
        x.address = a;
        auto p = to_int(local.substr(c + 1));
        if (!p || *p <= 0 || *p > 65535) {
            r.warnings.push_back({l.number, "bad port in " + engine::printable(local, 60)});
            continue;
        }
        x.port = static_cast<int>(*p);
        // users:(("master",pid=1,fd=13),("smtpd",pid=7,fd=6)): every holder, in order.
        if (auto u = l.text.find("users:(("); u != std::string_view::npos) {
            std::string_view rest = l.text.substr(u + 7);
            while (rest.size() > 1 && rest[0] == '(' && rest[1] == '"' && x.holders.size() < 64) {
                auto e = rest.find('"', 2);
                if (e == std::string_view::npos) break;
                std::string name = engine::printable(rest.substr(2, e - 2), 64);
                auto close = rest.find(')', e);
                std::string_view attrs = rest.substr(e, close == std::string_view::npos ? std::string_view::npos : close - e);
                int pid = 0;
                if (auto pp = attrs.find("pid="); pp != std::string_view::npos) {
                    auto pe = attrs.find_first_of(",)", pp);
                    if (auto v = to_int(attrs.substr(pp + 4, pe == std::string_view::npos ? std::string_view::npos : pe - pp - 4)))
                        pid = static_cast<int>(*v);
                }
                x.holders.emplace_back(std::move(name), pid);
                if (close == std::string_view::npos) break;
                rest.remove_prefix(close + 1);
                if (!rest.empty() && rest[0] == ',') rest.remove_prefix(1);
            }
            if (!x.holders.empty()) {
                x.process = x.holders.front().first;
                x.pid = x.holders.front().second;
            }
        }
        x.line = l.number;
        if (r.items.size() >= max_listeners) break;
        r.items.push_back(std::move(x));
    }
    return r;
}

std::string render_ss_tlnp(const std::vector<Listener>& ls) {
    std::string s = "State  Recv-Q Send-Q Local Address:Port Peer Address:PortProcess\n";
    for (const auto& l : ls) {
        bool v6 = l.address.find(':') != std::string::npos;
        std::string local = (v6 ? "[" + l.address + "]" : l.address) + ":" + std::to_string(l.port);
        s += "LISTEN 0      0      " + local + " " + (v6 ? "[::]:*" : "0.0.0.0:*");
        if (!l.holders.empty()) {
            s += "    users:(";
            for (std::size_t i = 0; i < l.holders.size(); ++i)
                s += (i ? ",(\"" : "(\"") + l.holders[i].first + "\",pid=" + std::to_string(l.holders[i].second) + ",fd=0)";
            s += ")";
        } else if (!l.process.empty()) {
            s += "    users:((\"" + l.process + "\",pid=" + std::to_string(l.pid) + ",fd=0))";
        }
        s += "\n";
    }
    return s;
}

} // namespace pft::probes::parse
