// manifest_probe.cpp - who the host is: name, public addresses, mail domains.
// Reads the MANIFEST (or the live host's own answers); mail domains fall back to
// the domains named in postconf (mydestination, virtual domains) with $name
// references expanded. It does no DNS and does not guess addresses.
#include "probes/builtin_probes.hpp"
#include "probes/config_view.hpp"
#include "probes/evidence.hpp"
#include "probes/parse/line_cursor.hpp"
#include "probes/parse/postconf_output.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <map>
#include <set>

namespace pft::probes {

namespace {

constexpr std::size_t max_subjects = 1000;

std::vector<std::string> words(const std::string& s) {
    std::vector<std::string> out;
    std::string cur;
    for (char c : s) {
        if (c == ' ' || c == '\t' || c == ',') {
            if (!cur.empty()) out.push_back(std::move(cur));
            cur.clear();
        } else {
            cur += c;
        }
    }
    if (!cur.empty()) out.push_back(cur);
    return out;
}

bool is_ip(const std::string& s) {
    unsigned char buf[16];
    return ::inet_pton(AF_INET, s.c_str(), buf) == 1 || ::inet_pton(AF_INET6, s.c_str(), buf) == 1;
}

std::optional<std::string> as_domain(std::string s) {
    if (s.size() < 3 || s.size() > 253) return std::nullopt;
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (!s.empty() && s.back() == '.') s.pop_back();
    for (char c : s)
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '_')) return std::nullopt;
    if (s.find('.') == std::string::npos || s.front() == '.' || s.find("..") != std::string::npos) return std::nullopt;
    if (s.rfind("localhost", 0) == 0) return std::nullopt;
    return s;
}

class ManifestProbe : public Probe {
public:
    std::string name() const override { return "manifest"; }
    std::vector<std::string> produces() const override {
        return {"host.name", "host.server_ip", "host.mail_domain"};
    }

    void run(Source& src, FactSink& out) override {
        std::string where = src.is_live() ? "live host" : "MANIFEST";
        auto prov = [&](const std::string& excerpt) {
            return engine::Provenance{name(), where, engine::printable(excerpt, 160)};
        };

        if (auto h = src.manifest("hostname"); h && !h->empty())
            out.known("host.name", "", engine::printable(*h, 253), prov("hostname: " + *h));
        else
            out.unknown("host.name", "", where + " has no hostname", prov(""));

        if (auto ips = src.manifest("server_ips"); ips && !ips->empty()) {
            std::size_t n = 0;
            for (const auto& ip : words(*ips)) {
                if (!is_ip(ip)) {
                    out.warn("MANIFEST: server_ips: '" + engine::printable(ip, 60) + "' is not an IP address");
                    continue;
                }
                if (++n > max_subjects) break;
                out.known("host.server_ip", ip, true, prov("server_ips: " + *ips));
            }
        } else {
            out.unknown("host.server_ip", "", where + " has no server_ips", prov(""));
        }

        if (auto doms = src.manifest("mail_domains"); doms && !doms->empty()) {
            std::size_t n = 0;
            for (const auto& w : words(*doms)) {
                auto d = as_domain(w);
                if (!d) {
                    out.warn("MANIFEST: mail_domains: '" + engine::printable(w, 60) + "' is not a domain name");
                    continue;
                }
                if (++n > max_subjects) break;
                out.known("host.mail_domain", *d, true, prov("mail_domains: " + *doms));
            }
            return;
        }
        domains_from_postconf(src, out, where);
    }

private:
    void domains_from_postconf(Source& src, FactSink& out, const std::string& where) {
        Evidence ev(src, name(), "postconf.txt", out);
        if (!ev.ok()) {
            out.unknown("host.mail_domain", "", where + " has no mail_domains and " + ev.missing_reason(),
                        ev.whole());
            return;
        }
        auto pc = parse::parse_postconf(ev.text()); // its warnings are the postconf probe's to report
        const ConfigView cv = ConfigView::load(src); // the one $name expansion (bounded) of all probes
        std::set<std::string> seen;
        for (const char* p : {"mydestination", "virtual_alias_domains", "virtual_mailbox_domains"}) {
            const auto* e = pc.find(p);
            if (!e) continue;
            for (const auto& w : words(cv.param(p).value_or(e->value))) {
                if (w.find_first_of(":/${}") != std::string::npos) continue; // a table, not a name
                auto d = as_domain(w);
                if (!d || !seen.insert(*d).second || seen.size() > max_subjects) continue;
                out.known("host.mail_domain", *d, true, ev.at(e->line, e->name + " = " + e->value));
            }
        }
        if (seen.empty())
            out.unknown("host.mail_domain", "", where + " has no mail_domains and postconf names no domain",
                        ev.whole());
    }
};

} // namespace

std::unique_ptr<Probe> make_manifest_probe() { return std::make_unique<ManifestProbe>(); }

} // namespace pft::probes
