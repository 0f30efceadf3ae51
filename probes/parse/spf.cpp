// spf.cpp - check_host() with lookup counting; errors are results, never exceptions.
#include "probes/parse/spf.hpp"

#include "engine/fact.hpp"
#include "probes/parse/line_cursor.hpp"

#include <arpa/inet.h>
#include <algorithm>
#include <cctype>
#include <cstring>

namespace pft::probes::parse {

namespace {

constexpr int max_lookups = 10;
constexpr int max_void = 2;
constexpr std::size_t max_mx_names = 10;

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

bool is_v4(const std::string& ip) {
    in_addr a{};
    return inet_pton(AF_INET, ip.c_str(), &a) == 1;
}

struct Eval {
    const DnsLookup& lookup;
    std::optional<std::string> ip;
    int lookups = 0, voids = 0;

    struct Outcome {
        std::string result, reason;
    };

    // Returns an error outcome when a limit is passed.
    std::optional<Outcome> count_lookup(const std::string& term) {
        if (++lookups > max_lookups)
            return Outcome{"permerror", "more than 10 DNS lookups (at '" + term + "')"};
        return std::nullopt;
    }

    // A query made for a mechanism: temperror, unknown, or records (maybe none: a void lookup).
    std::optional<Outcome> query(const std::string& type, const std::string& name, const std::string& term,
                                 std::vector<const DnsRecord*>& recs, DigAnswer& keep) {
        keep = lookup(type, name);
        if (keep.rcode == "MISSING")
            return Outcome{"unknown", "no " + type + " answer for " + name + " in the evidence (for '" + term + "')"};
        if (keep.rcode == "NXDOMAIN" || keep.status(type) == "NODATA") {
            recs.clear();
            if (++voids > max_void)
                return Outcome{"permerror", "more than 2 void lookups (at '" + term + "')"};
            return std::nullopt;
        }
        if (keep.rcode != "NOERROR")
            return Outcome{"temperror", type + " " + name + ": " + (keep.rcode.empty() ? "no answer" : keep.rcode)};
        recs = keep.of_type(type);
        return std::nullopt;
    }

    std::string expand(const std::string& spec, const std::string& domain, bool& ok) {
        std::string out;
        for (std::size_t i = 0; i < spec.size(); ++i) {
            if (spec[i] != '%') {
                out += spec[i];
                continue;
            }
            if (i + 1 >= spec.size()) {
                ok = false;
                return {};
            }
            char c = spec[++i];
            if (c == '%') out += '%';
            else if (c == '_') out += ' ';
            else if (c == '-') out += "%20";
            else if (c == '{') {
                auto e = spec.find('}', i);
                if (e == std::string::npos || e == i + 1) {
                    ok = false;
                    return {};
                }
                char m = static_cast<char>(std::tolower(static_cast<unsigned char>(spec[i + 1])));
                std::string v;
                if (m == 'd' || m == 'o' || m == 'h') v = domain;
                else if (m == 'i') {
                    if (!ip) {
                        v = "0.0.0.0";
                    } else if (is_v4(*ip)) {
                        v = *ip;
                    } else {
                        std::string r = reverse_name(*ip); // nibbles reversed; undo the order
                        std::vector<std::string> n;
                        std::size_t p = 0;
                        while (n.size() < 32) {
                            auto d = r.find('.', p);
                            n.push_back(r.substr(p, d - p));
                            p = d + 1;
                        }
                        std::reverse(n.begin(), n.end());
                        for (const auto& x : n) v += (v.empty() ? "" : ".") + x;
                    }
                } else if (m == 's') v = "postmaster@" + domain;
                else if (m == 'l') v = "postmaster";
                else if (m == 'v') v = ip && !is_v4(*ip) ? "ip6" : "in-addr";
                else {
                    ok = false;
                    return {};
                }
                out += v;
                i = e;
            } else {
                ok = false;
                return {};
            }
        }
        return out;
    }

    Outcome check_host(const std::string& domain, int depth) {
        if (depth > 12) return {"permerror", "include/redirect nesting too deep at " + domain};
        DigAnswer txt = lookup("TXT", domain);
        if (txt.rcode == "MISSING") return {"unknown", "no TXT answer for " + domain + " in the evidence"};
        if (txt.rcode == "NXDOMAIN" || txt.status("TXT") == "NODATA") return {"none", domain + ": no SPF record"};
        if (txt.rcode != "NOERROR") return {"temperror", "TXT " + domain + ": " + (txt.rcode.empty() ? "no answer" : txt.rcode)};
        auto recs = spf_records(txt);
        if (recs.records.empty()) return {"none", domain + ": no SPF record"};
        if (recs.records.size() > 1) return {"permerror", domain + ": " + std::to_string(recs.records.size()) + " SPF records"};
        const std::string& rec = recs.records.front();
        auto terms = split_fields(rec, 512);
        std::optional<std::string> redirect;
        for (std::size_t ti = 1; ti < terms.size(); ++ti) {
            std::string term = lower(std::string(terms[ti]));
            // modifiers
            auto eq = term.find('=');
            auto colon = term.find(':');
            if (eq != std::string::npos && (colon == std::string::npos || eq < colon) &&
                term.find_first_of("+-~?") != 0) {
                std::string name = term.substr(0, eq);
                if (name == "redirect") {
                    if (redirect) return {"permerror", domain + ": two redirect= modifiers"};
                    redirect = term.substr(eq + 1);
                } else if (name.empty() || !std::isalpha(static_cast<unsigned char>(name[0]))) {
                    return {"permerror", domain + ": bad term '" + term + "'"};
                }
                continue;
            }
            char q = '+';
            std::string mech = term;
            if (!mech.empty() && std::strchr("+-~?", mech[0])) {
                q = mech[0];
                mech.erase(0, 1);
            }
            std::string name = mech, arg;
            auto sep = mech.find_first_of(":/");
            if (sep != std::string::npos) {
                name = mech.substr(0, sep);
                arg = mech.substr(sep);
            }
            std::string target = domain;
            int cidr4 = 32, cidr6 = 128;
            auto parse_domain_cidr = [&](bool needs_domain) -> bool {
                std::string a = arg;
                auto dbl = a.find("//");
                if (dbl != std::string::npos) {
                    auto v = to_int(a.substr(dbl + 2));
                    if (!v || *v < 0 || *v > 128) return false;
                    cidr6 = static_cast<int>(*v);
                    a = a.substr(0, dbl);
                }
                auto sl = a.rfind('/');
                if (sl != std::string::npos && (a.empty() || a[0] != ':' || sl > a.find(':'))) {
                    auto v = to_int(a.substr(sl + 1));
                    if (!v || *v < 0 || *v > 32) return false;
                    cidr4 = static_cast<int>(*v);
                    a = a.substr(0, sl);
                }
                if (!a.empty()) {
                    if (a[0] != ':' || a.size() < 2) return false;
                    bool ok = true;
                    target = expand(a.substr(1), domain, ok);
                    if (!ok || target.empty()) return false;
                } else if (needs_domain) {
                    return false;
                }
                while (!target.empty() && target.back() == '.') target.pop_back();
                return true;
            };
            bool match = false;
            if (name == "all") {
                match = true;
            } else if (name == "ip4" || name == "ip6") {
                if (arg.size() < 2 || arg[0] != ':') return {"permerror", domain + ": bad term '" + term + "'"};
                std::string net = arg.substr(1);
                int prefix = name == "ip4" ? 32 : 128;
                auto sl = net.find('/');
                if (sl != std::string::npos) {
                    auto v = to_int(net.substr(sl + 1));
                    if (!v || *v < 0 || *v > prefix) return {"permerror", domain + ": bad prefix in '" + term + "'"};
                    prefix = static_cast<int>(*v);
                    net = net.substr(0, sl);
                }
                in6_addr tmp{};
                if (inet_pton(name == "ip4" ? AF_INET : AF_INET6, net.c_str(), &tmp) != 1)
                    return {"permerror", domain + ": bad address in '" + term + "'"};
                match = ip && ip_in_cidr(*ip, net, prefix);
            } else if (name == "a" || name == "mx") {
                if (!parse_domain_cidr(false)) return {"permerror", domain + ": bad term '" + term + "'"};
                if (auto e = count_lookup(term)) return *e;
                std::string atype = ip && !is_v4(*ip) ? "AAAA" : "A";
                std::vector<std::string> hosts;
                if (name == "mx") {
                    std::vector<const DnsRecord*> mx;
                    DigAnswer keep;
                    if (auto e = query("MX", target, term, mx, keep)) return *e;
                    if (mx.size() > max_mx_names) return {"permerror", target + ": more than 10 MX names (at '" + term + "')"};
                    for (const auto* r : mx)
                        if (r->fields.size() >= 2) hosts.push_back(r->fields[1]);
                } else {
                    hosts.push_back(target);
                }
                for (const auto& h : hosts) {
                    std::vector<const DnsRecord*> addrs;
                    DigAnswer keep;
                    if (auto e = query(atype, h, term, addrs, keep)) return *e;
                    for (const auto* r : addrs)
                        if (ip && !r->fields.empty() && ip_in_cidr(*ip, r->fields[0], atype == "A" ? cidr4 : cidr6))
                            match = true;
                    if (match) break;
                }
            } else if (name == "include" || name == "exists") {
                if (!parse_domain_cidr(true)) return {"permerror", domain + ": bad term '" + term + "'"};
                if (auto e = count_lookup(term)) return *e;
                if (name == "exists") {
                    std::vector<const DnsRecord*> a;
                    DigAnswer keep;
                    if (auto e = query("A", target, term, a, keep)) return *e;
                    match = !a.empty() && ip;
                } else {
                    auto sub = check_host(target, depth + 1);
                    if (sub.result == "pass") match = true;
                    else if (sub.result == "temperror" || sub.result == "unknown" || sub.result == "permerror") return sub;
                    else if (sub.result == "none") return {"permerror", "include:" + target + " has no SPF record"};
                }
            } else if (name == "ptr") {
                if (auto e = count_lookup(term)) return *e; // never matches here (see header)
            } else {
                return {"permerror", domain + ": unknown mechanism '" + term + "'"};
            }
            if (match) {
                static const std::pair<char, const char*> qual[] = {{'+', "pass"}, {'-', "fail"}, {'~', "softfail"}, {'?', "neutral"}};
                for (auto [c, r] : qual)
                    if (c == q) return {r, domain + ": matched '" + term + "'"};
            }
        }
        if (redirect) {
            bool ok = true;
            std::string target = expand(*redirect, domain, ok);
            if (!ok || target.empty()) return {"permerror", domain + ": bad redirect=" + *redirect};
            if (auto e = count_lookup("redirect=" + *redirect)) return *e;
            auto sub = check_host(target, depth + 1);
            if (sub.result == "none") return {"permerror", "redirect=" + target + " has no SPF record"};
            return sub;
        }
        return {"neutral", domain + ": no mechanism matched"};
    }
};

} // namespace

SpfRecords spf_records(const DigAnswer& txt) {
    SpfRecords r;
    r.rcode = txt.rcode;
    for (const auto* rec : txt.of_type("TXT")) {
        std::string l = lower(rec->text.substr(0, 7));
        if (l == "v=spf1" || l == "v=spf1 ") r.records.push_back(rec->text);
    }
    return r;
}

bool ip_in_cidr(const std::string& ip, const std::string& net, int prefix) {
    unsigned char a[16] = {}, b[16] = {};
    int bytes = 0;
    if (inet_pton(AF_INET, ip.c_str(), a) == 1 && inet_pton(AF_INET, net.c_str(), b) == 1) bytes = 4;
    else if (inet_pton(AF_INET6, ip.c_str(), a) == 1 && inet_pton(AF_INET6, net.c_str(), b) == 1) bytes = 16;
    else return false;
    if (prefix < 0 || prefix > bytes * 8) return false;
    int full = prefix / 8, rest = prefix % 8;
    if (std::memcmp(a, b, static_cast<std::size_t>(full)) != 0) return false;
    if (rest == 0) return true;
    unsigned char mask = static_cast<unsigned char>(0xff << (8 - rest));
    return (a[full] & mask) == (b[full] & mask);
}

SpfResult spf_check_host(const std::string& domain, const std::optional<std::string>& ip, const DnsLookup& lookup) {
    Eval ev{lookup, ip};
    auto o = ev.check_host(lower(domain), 0);
    SpfResult r;
    r.result = o.result;
    r.reason = engine::printable(o.reason, 300);
    r.lookups = std::min(ev.lookups, max_lookups + 1);
    r.void_lookups = ev.voids;
    return r;
}

} // namespace pft::probes::parse
