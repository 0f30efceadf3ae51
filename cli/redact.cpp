// redact.cpp - see redact.hpp.
#include "cli/redact.hpp"

#include <arpa/inet.h>

#include <cctype>
#include <cstring>
#include <vector>

namespace pft::cli {
namespace {

bool is_local_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || std::strchr("._%+-=", c); }
bool is_domain_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-'; }
bool is_digit(char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; }
bool is_alnum(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; }
bool is_v6_char(char c) { return std::isxdigit(static_cast<unsigned char>(c)) || c == ':' || c == '.'; }

std::string reverse_v4(const std::string& ip) {
    std::vector<std::string> p;
    std::size_t i = 0;
    while (i <= ip.size()) {
        auto d = ip.find('.', i);
        if (d == std::string::npos) d = ip.size();
        p.push_back(ip.substr(i, d - i));
        i = d + 1;
    }
    std::string r;
    for (auto it = p.rbegin(); it != p.rend(); ++it) r += (r.empty() ? "" : ".") + *it;
    return r;
}

// inet_pton/inet_ntop round trip: the canonical text of an IPv6 address, or "".
std::string canonical_v6(std::string_view text) {
    if (text.size() > INET6_ADDRSTRLEN) return {};
    std::string s(text);
    unsigned char buf[16];
    if (::inet_pton(AF_INET6, s.c_str(), buf) != 1) return {};
    char out[INET6_ADDRSTRLEN];
    if (!::inet_ntop(AF_INET6, buf, out, sizeof out)) return {};
    return out;
}

bool v6_identifies_nobody(const std::string& canon) {
    if (canon == "::" || canon == "::1") return true;
    if (canon.rfind("ff", 0) == 0) return true;         // multicast (ff02::1 ...)
    if (canon.rfind("2001:db8:ffff:", 0) == 0) return true; // our own masks
    return false;
}

} // namespace

std::string ipv6_reverse_nibbles(const std::string& ip) {
    unsigned char buf[16];
    if (::inet_pton(AF_INET6, ip.c_str(), buf) != 1) return {};
    static const char* hex = "0123456789abcdef";
    std::string r;
    for (int i = 15; i >= 0; --i) {
        r += hex[buf[i] & 0xf];
        r += '.';
        r += hex[buf[i] >> 4];
        if (i) r += '.';
    }
    return r;
}

void Redactor::seed_ip(const std::string& ip) {
    if (!ips) return;
    if (ip.find(':') != std::string::npos) {
        std::string canon = canonical_v6(ip);
        if (canon.empty() || v6_identifies_nobody(canon)) return;
        std::string m = mask_v6(canon);
        ip_map_[ipv6_reverse_nibbles(canon)] = ipv6_reverse_nibbles(m);
    } else if (ip.find('.') != std::string::npos && ip_map_.find(ip) == ip_map_.end()) {
        std::string m = mask_v4(ip);
        ip_map_[reverse_v4(ip)] = reverse_v4(m);
    }
}

std::string Redactor::apply(std::string_view in) {
    std::string s(in);
    if (addresses) s = redact_addresses(s);
    if (ips) {
        // ip6.arpa names of the seeded addresses (dig file names, PTR questions)
        for (const auto& [from, to] : ip_map_) {
            if (from.size() != 63 || from.find(':') != std::string::npos) continue; // only nibble names
            for (auto p = s.find(from); p != std::string::npos; p = s.find(from, p + to.size())) s.replace(p, from.size(), to);
        }
        s = redact_ipv6(s); // before IPv4: "::ffff:192.0.2.1" is one address, not an IPv4 in a v6 run
        s = redact_ipv4(s);
    }
    return s;
}

std::string Redactor::mask_v4(const std::string& ip) {
    auto it = ip_map_.find(ip);
    if (it != ip_map_.end()) return it->second;
    std::size_t n = ++v4_count_;
    std::string m = "198.18." + std::to_string((n / 250) % 250) + "." + std::to_string(n % 250 + 1);
    ip_map_.emplace(ip, m);
    masks_.insert(m);
    return m;
}

std::string Redactor::mask_v6(const std::string& canon) {
    auto it = ip_map_.find(canon);
    if (it != ip_map_.end()) return it->second;
    char buf[32];
    std::snprintf(buf, sizeof buf, "%zx", ++v6_count_);
    std::string m = std::string("2001:db8:ffff::") + buf;
    ip_map_.emplace(canon, m);
    return m;
}

std::string Redactor::redact_addresses(std::string_view s) {
    std::string out;
    std::size_t last = 0;
    for (std::size_t at = s.find('@'); at != std::string::npos; at = s.find('@', at + 1)) {
        std::size_t b = at;
        while (b > last && is_local_char(s[b - 1])) --b;
        std::size_t e = at + 1;
        while (e < s.size() && is_domain_char(s[e])) ++e;
        std::string_view dom = s.substr(at + 1, e - at - 1);
        if (b == at || dom.find('.') == std::string::npos) continue;
        std::string local(s.substr(b, at - b));
        std::string lower = local;
        for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        if (lower == "postmaster" || lower == "mailer-daemon") continue;
        auto it = addr_map_.find(local);
        if (it == addr_map_.end()) it = addr_map_.emplace(local, "user" + std::to_string(addr_map_.size() + 1)).first;
        out.append(s.substr(last, b - last));
        out += it->second;
        last = at;
    }
    out.append(s.substr(last));
    return out;
}

std::string Redactor::redact_ipv4(std::string_view s) {
    std::string out;
    std::size_t i = 0;
    while (i < s.size()) {
        if (!is_digit(s[i]) || (i > 0 && (is_alnum(s[i - 1]) || s[i - 1] == '.'))) {
            out += s[i++];
            continue;
        }
        std::size_t j = i;
        int parts = 0;
        bool ok = true;
        while (parts < 4) {
            std::size_t k = j;
            int value = 0;
            while (k < s.size() && is_digit(s[k]) && k - j < 4) value = value * 10 + (s[k++] - '0');
            if (k == j || k - j > 3 || value > 255) {
                ok = false;
                break;
            }
            ++parts;
            j = k;
            if (parts < 4) {
                if (j >= s.size() || s[j] != '.') {
                    ok = false;
                    break;
                }
                ++j;
            }
        }
        // more digits, or a longer dotted name ("1.2.3.4.5", ip6.arpa nibbles): not an address
        auto nibble_at = [&](std::size_t k) { // ".x" then "." or the end: one ip6.arpa nibble label
            return k + 1 < s.size() && s[k] == '.' && std::isxdigit(static_cast<unsigned char>(s[k + 1])) &&
                   (k + 2 == s.size() || s[k + 2] == '.');
        };
        bool longer = j + 1 < s.size() && s[j] == '.' && (is_digit(s[j + 1]) || (nibble_at(j) && nibble_at(j + 2)));
        if (!ok || (j < s.size() && is_digit(s[j])) || longer) {
            out += s[i++];
            continue;
        }
        std::string ip(s.substr(i, j - i));
        if (masks_.count(ip) || ip.rfind("127.", 0) == 0 || ip == "0.0.0.0" || ip.rfind("255.", 0) == 0 ||
            (ip.size() >= 4 && ip.compare(ip.size() - 4, 4, ".127") == 0)) {
            out += ip; // loopback, wildcard, masks and reversed loopback stay: they identify nobody
        } else {
            out += mask_v4(ip);
        }
        i = j;
    }
    return out;
}

std::string Redactor::redact_ipv6(std::string_view s) {
    std::string out;
    std::size_t i = 0;
    while (i < s.size()) {
        bool after_ipv6_tag = s[i] == ':' && i >= 4 && (s.substr(i - 4, 4) == "IPv6" || s.substr(i - 4, 4) == "ipv6");
        bool starts = is_v6_char(s[i]) &&
                      (i == 0 || after_ipv6_tag || !(is_alnum(s[i - 1]) || s[i - 1] == ':' || s[i - 1] == '.'));
        if (!starts) {
            // not the start of an address: skip the whole word ("0x1f:..." inside a word stays)
            std::size_t j = i;
            while (j < s.size() && (is_alnum(s[j]) || s[j] == '_')) ++j;
            if (j == i) j = i + 1;
            out.append(s.substr(i, j - i));
            i = j;
            continue;
        }
        std::size_t j = i;
        while (j < s.size() && is_v6_char(s[j])) ++j;
        std::string_view run = s.substr(i, j - i);
        // Trailing dots (end of a sentence) and a leading "6:" of "IPv6:" are not part of it.
        std::size_t lead = after_ipv6_tag ? 1 : 0;
        std::string_view core = run.substr(lead);
        while (!core.empty() && core.back() == '.') core.remove_suffix(1);
        std::size_t colons = 0;
        for (char c : core) colons += c == ':';
        std::string canon = colons >= 2 ? canonical_v6(core) : std::string();
        if (canon.empty() || v6_identifies_nobody(canon)) {
            out.append(run);
        } else {
            out.append(run.substr(0, lead));
            auto mapped = canon.rfind("::ffff:", 0) == 0 && canon.find('.') != std::string::npos;
            out += mapped ? "::ffff:" + mask_v4(canon.substr(7)) : mask_v6(canon);
            out.append(run.substr(lead + core.size()));
        }
        i = j;
    }
    return out;
}

} // namespace pft::cli
