// dns_probe.cpp - what the world sees of the server in DNS: MX/A/AAAA of the mail
// domains and myhostname, PTR with forward confirmation, SPF evaluated for the
// server's addresses, DMARC, DKIM keys, TLSA of the MX hosts, DNS blocklists.
// Reads dig/TYPE_NAME.txt artefacts (the live source answers them by querying its
// resolver in parallel under one time budget). It does not judge the records; rules do.
#include "probes/builtin_probes.hpp"
#include "probes/config_view.hpp"
#include "probes/evidence.hpp"
#include "probes/parse/dig_output.hpp"
#include "probes/parse/mail_auth_records.hpp"
#include "probes/parse/spf.hpp"

#include <algorithm>
#include <future>
#include <map>
#include <mutex>
#include <set>

namespace pft::probes {

namespace {

// Checked when the configuration names none; the configuration's own are added.
const std::vector<std::string> default_blocklists = {"zen.spamhaus.org", "bl.spamcop.net", "b.barracudacentral.org"};
constexpr std::size_t parallel_queries = 16;

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

struct Answer {
    parse::DigAnswer dig;
    std::string artefact, origin, error; // error: why there is no answer (missing file)
    bool ok = false;
};

// Every DNS answer this probe reads, fetched once (in parallel batches).
class Answers {
public:
    Answers(Source& src, FactSink& out) : src_(src), out_(out) {}

    static std::string artefact(const std::string& type, const std::string& name) {
        return "dig/" + type + "_" + name + ".txt";
    }

    void prefetch(const std::vector<std::pair<std::string, std::string>>& qs) {
        std::vector<std::pair<std::string, std::string>> pending;
        {
            std::lock_guard lk(mu_);
            for (const auto& q : qs)
                if (!cache_.count(artefact(q.first, q.second))) pending.push_back(q);
        }
        for (std::size_t i = 0; i < pending.size(); i += parallel_queries) {
            std::vector<std::future<void>> fs;
            for (std::size_t j = i; j < std::min(pending.size(), i + parallel_queries); ++j)
                fs.push_back(std::async(std::launch::async, [this, q = pending[j]] { get(q.first, q.second); }));
            for (auto& f : fs) f.get();
        }
    }

    const Answer& get(const std::string& type, const std::string& name) {
        std::string key = artefact(type, name);
        {
            std::lock_guard lk(mu_);
            auto it = cache_.find(key);
            if (it != cache_.end()) return it->second;
        }
        Answer a;
        a.artefact = key;
        Artifact art = src_.get(key);
        a.origin = art.origin.rfind("bundle:", 0) == 0 ? key : art.origin;
        if (art.ok) {
            a.ok = true;
            a.dig = parse::parse_dig(art.text);
            std::size_t n = 0;
            for (const auto& w : a.dig.warnings)
                if (++n <= 5) out_.warn(key + (w.line ? ":" + std::to_string(w.line) : "") + ": " + w.message);
        } else {
            a.error = art.error.empty() ? key + " is not available" : art.error;
        }
        std::lock_guard lk(mu_);
        return cache_.emplace(key, std::move(a)).first->second;
    }

    // For the SPF evaluator: a missing answer is "MISSING", never an empty NOERROR.
    parse::DigAnswer lookup(const std::string& type, const std::string& name) {
        const Answer& a = get(type, name);
        if (!a.ok || a.dig.rcode.empty()) {
            parse::DigAnswer m;
            m.rcode = "MISSING";
            return m;
        }
        return a.dig;
    }

private:
    Source& src_;
    FactSink& out_;
    std::mutex mu_;
    std::map<std::string, Answer> cache_;
};

engine::Provenance prov(const Answer& a, const std::string& excerpt, std::size_t line = 0) {
    std::string src = a.origin;
    if (line && src == a.artefact) src += ":" + std::to_string(line);
    return engine::Provenance{"dns", src, engine::printable(excerpt, 160)};
}

class DnsProbe : public Probe {
public:
    std::string name() const override { return "dns"; }
    std::vector<std::string> produces() const override {
        return {"dns.status", "dns.mx.status", "dns.a.status", "dns.mx", "dns.a", "dns.aaaa", "dns.ptr",
                "dns.ptr_confirmed", "dns.ptr_matches_hostname", "dns.tlsa_present", "spf.record", "spf.count",
                "spf.result", "spf.reason", "spf.lookups", "spf.void_lookups", "dmarc.record", "dmarc.count",
                "dmarc.policy", "dmarc.valid", "dmarc.problem", "dkim.key_present", "dkim.valid", "dkim.key_bits",
                "dnsbl.listed", "dnsbl.answer"};
    }

    void run(Source& src, FactSink& out) override {
        ConfigView cfg = ConfigView::load(src);
        Answers ans(src, out);
        auto domains = cfg.mail_domains(src);
        auto ips = cfg.server_ips(src);
        std::string host = cfg.myhostname();
        auto selectors = cfg.dkim_selectors(src);
        auto zones = blocklists(cfg);
        engine::Provenance cfgp{"dns", "postconf.txt / MANIFEST", ""};
        if (domains.empty()) out.unknown("dns.mx", "", "no mail domain is known (MANIFEST mail_domains, mydestination)", cfgp);
        if (ips.empty()) {
            out.unknown("dns.ptr", "", "no server address is known (MANIFEST server_ips, --server-ips)", cfgp);
            out.unknown("spf.result", "", "no server address is known (MANIFEST server_ips, --server-ips)", cfgp);
            out.unknown("dnsbl.listed", "", "no server address is known (MANIFEST server_ips, --server-ips)", cfgp);
        }

        // Phase 1: every name known from the configuration, in parallel.
        std::vector<std::pair<std::string, std::string>> q;
        for (const auto& d : domains) {
            for (const char* t : {"MX", "A", "AAAA", "TXT"}) q.emplace_back(t, d);
            q.emplace_back("TXT", "_dmarc." + d);
            for (const auto& s : selectors) q.emplace_back("TXT", s + "._domainkey." + d);
        }
        if (!host.empty())
            for (const char* t : {"MX", "A", "AAAA"}) q.emplace_back(t, host);
        for (const auto& ip : ips) {
            q.emplace_back("PTR", ip);
            if (auto r = parse::reverse_ipv4(ip); !r.empty())
                for (const auto& z : zones) q.emplace_back("A", r + "." + z);
        }
        ans.prefetch(q);

        // Phase 2: names learnt from phase 1 (MX hosts, PTR targets).
        q.clear();
        std::map<std::string, std::vector<std::string>> mx_of;
        for (const auto& d : domains) {
            const auto& a = ans.get("MX", d);
            if (!a.ok) continue;
            std::vector<std::pair<long, std::string>> mx;
            for (const auto* r : a.dig.of_type("MX"))
                if (r->fields.size() >= 2) mx.emplace_back(std::atol(r->fields[0].c_str()), r->fields[1]);
            std::stable_sort(mx.begin(), mx.end());
            for (auto& [p, h] : mx) {
                if (mx_of[d].size() >= 20) break;
                mx_of[d].push_back(h);
                q.emplace_back("A", h);
                q.emplace_back("TLSA", "_25._tcp." + h);
            }
        }
        std::map<std::string, std::vector<std::string>> ptr_of;
        for (const auto& ip : ips) {
            const auto& a = ans.get("PTR", ip);
            if (!a.ok) continue;
            for (const auto* r : a.dig.of_type("PTR")) {
                if (r->fields.empty() || ptr_of[ip].size() >= 10) continue;
                ptr_of[ip].push_back(r->fields[0]);
                q.emplace_back(ip.find(':') == std::string::npos ? "A" : "AAAA", r->fields[0]);
            }
        }
        ans.prefetch(q);

        names(ans, domains, host, mx_of, out);
        ptr(ans, ips, host, ptr_of, out);
        spf(ans, domains, ips, out);
        dmarc_dkim(ans, domains, selectors, out);
        dnsbl(ans, ips, zones, out);
    }

private:
    static std::vector<std::string> blocklists(const ConfigView& cfg) {
        std::vector<std::string> z = default_blocklists;
        auto add = [&](std::string w) {
            w = lower(w.substr(0, w.find_first_of("=*")));
            if (is_domain_name(w) && std::find(z.begin(), z.end(), w) == z.end() && z.size() < 32) z.push_back(w);
        };
        for (const char* p : {"smtpd_client_restrictions", "smtpd_helo_restrictions", "smtpd_sender_restrictions",
                              "smtpd_relay_restrictions", "smtpd_recipient_restrictions", "smtpd_data_restrictions"}) {
            auto v = cfg.param(p);
            if (!v) continue;
            auto w = config_words(*v);
            for (std::size_t i = 0; i + 1 < w.size(); ++i)
                if (w[i] == "reject_rbl_client") add(w[i + 1]);
        }
        if (auto v = cfg.param("postscreen_dnsbl_sites"))
            for (const auto& w : config_words(*v)) add(w);
        if (auto v = cfg.param("pftriage_dnsbl_sites")) // not a Postfix parameter; accepted for tests and sites
            for (const auto& w : config_words(*v)) add(w);
        return z;
    }

    static void status_fact(const Answer& a, const std::string& type, const std::string& name, FactSink& out) {
        if (!a.ok) {
            out.unknown("dns.status", type + " " + name, a.error, prov(a, ""));
            if (type == "MX") out.unknown("dns.mx.status", name, a.error, prov(a, ""));
            if (type == "A") out.unknown("dns.a.status", name, a.error, prov(a, ""));
            return;
        }
        std::string st = a.dig.status(type);
        if (st.empty()) {
            out.unknown("dns.status", type + " " + name, a.artefact + ": no status in the answer", prov(a, ""));
            return;
        }
        out.known("dns.status", type + " " + name, st, prov(a, "status: " + st, a.dig.header_line));
        if (type == "MX") out.known("dns.mx.status", name, st, prov(a, "status: " + st, a.dig.header_line));
        if (type == "A") out.known("dns.a.status", name, st, prov(a, "status: " + st, a.dig.header_line));
    }

    static void list_fact(const Answer& a, const std::string& fact, const std::string& type, const std::string& subject,
                          FactSink& out, std::vector<std::string> values = {}) {
        if (!a.ok) {
            out.unknown(fact, subject, a.error, prov(a, ""));
            return;
        }
        std::string st = a.dig.status(type);
        if (st != "NOERROR" && st != "NXDOMAIN" && st != "NODATA") {
            out.unknown(fact, subject, type + " " + subject + ": " + (st.empty() ? "no answer" : st), prov(a, st));
            return;
        }
        if (values.empty())
            for (const auto* r : a.dig.of_type(type))
                if (!r->fields.empty()) values.push_back(r->fields[0]);
        std::string ex;
        for (const auto& v : values) ex += (ex.empty() ? "" : " ") + v;
        out.known(fact, subject, engine::StringList(values), prov(a, st + (ex.empty() ? "" : ": " + ex), a.dig.header_line));
    }

    void names(Answers& ans, const std::vector<std::string>& domains, const std::string& host,
               const std::map<std::string, std::vector<std::string>>& mx_of, FactSink& out) {
        std::set<std::string> done;
        auto name_facts = [&](const std::string& n, bool with_mx) {
            if (!done.insert(n).second) return;
            for (const char* t : {"MX", "A", "AAAA"}) {
                if (!with_mx && std::string(t) == "MX") continue;
                status_fact(ans.get(t, n), t, n, out);
            }
            if (with_mx) {
                auto it = mx_of.find(n);
                list_fact(ans.get("MX", n), "dns.mx", "MX", n, out, it == mx_of.end() ? std::vector<std::string>{} : it->second);
            }
            list_fact(ans.get("A", n), "dns.a", "A", n, out);
            list_fact(ans.get("AAAA", n), "dns.aaaa", "AAAA", n, out);
        };
        for (const auto& d : domains) name_facts(d, true);
        if (!host.empty()) name_facts(host, true);
        for (const auto& [d, hosts] : mx_of)
            for (const auto& h : hosts) {
                if (!done.count(h)) {
                    status_fact(ans.get("A", h), "A", h, out);
                    list_fact(ans.get("A", h), "dns.a", "A", h, out);
                    done.insert(h);
                }
                const auto& t = ans.get("TLSA", "_25._tcp." + h);
                if (!t.ok) {
                    out.unknown("dns.tlsa_present", h, t.error, prov(t, ""));
                    continue;
                }
                std::string st = t.dig.status("TLSA");
                if (st == "NOERROR" || st == "NODATA" || st == "NXDOMAIN")
                    out.known("dns.tlsa_present", h, st == "NOERROR", prov(t, st, t.dig.header_line));
                else
                    out.unknown("dns.tlsa_present", h, "TLSA _25._tcp." + h + ": " + (st.empty() ? "no answer" : st), prov(t, st));
            }
    }

    void ptr(Answers& ans, const std::vector<std::string>& ips, const std::string& host,
             const std::map<std::string, std::vector<std::string>>& ptr_of, FactSink& out) {
        for (const auto& ip : ips) {
            const auto& a = ans.get("PTR", ip);
            status_fact(a, "PTR", ip, out);
            if (!a.ok) {
                for (const char* f : {"dns.ptr", "dns.ptr_confirmed", "dns.ptr_matches_hostname"}) out.unknown(f, ip, a.error, prov(a, ""));
                continue;
            }
            std::string st = a.dig.status("PTR");
            if (st != "NOERROR" && st != "NXDOMAIN" && st != "NODATA") {
                for (const char* f : {"dns.ptr", "dns.ptr_confirmed", "dns.ptr_matches_hostname"})
                    out.unknown(f, ip, "PTR " + ip + ": " + (st.empty() ? "no answer" : st), prov(a, st));
                continue;
            }
            auto it = ptr_of.find(ip);
            if (it == ptr_of.end() || it->second.empty()) {
                out.known("dns.ptr", ip, std::string(), prov(a, st, a.dig.header_line));
                out.known("dns.ptr_confirmed", ip, false, prov(a, "no PTR record: " + st, a.dig.header_line));
                if (!host.empty()) out.known("dns.ptr_matches_hostname", ip, false, prov(a, "no PTR record", a.dig.header_line));
                continue;
            }
            const std::string& name = it->second.front();
            out.known("dns.ptr", ip, name, prov(a, ip + " PTR " + name, a.dig.answer.empty() ? 0 : a.dig.answer.front().line));
            // Forward confirmation: some PTR name resolves back to the address.
            bool confirmed = false, any_unknown = false;
            std::string why;
            const char* ft = ip.find(':') == std::string::npos ? "A" : "AAAA";
            for (const auto& n : it->second) {
                const auto& f = ans.get(ft, n);
                if (!f.ok) {
                    any_unknown = true;
                    why = f.error;
                    continue;
                }
                std::string fs = f.dig.status(ft);
                if (fs != "NOERROR" && fs != "NXDOMAIN" && fs != "NODATA") {
                    any_unknown = true;
                    why = std::string(ft) + " " + n + ": " + fs;
                    continue;
                }
                for (const auto* r : f.dig.of_type(ft))
                    if (!r->fields.empty() && parse::ip_in_cidr(ip, r->fields[0], ft[1] ? 128 : 32)) confirmed = true;
            }
            if (confirmed || !any_unknown)
                out.known("dns.ptr_confirmed", ip, confirmed, prov(a, name + (confirmed ? " resolves back to " : " does not resolve to ") + ip));
            else
                out.unknown("dns.ptr_confirmed", ip, why, prov(a, name));
            if (!host.empty())
                out.known("dns.ptr_matches_hostname", ip,
                          std::find(it->second.begin(), it->second.end(), host) != it->second.end(),
                          prov(a, ip + " PTR " + name + "; myhostname = " + host));
        }
    }

    void spf(Answers& ans, const std::vector<std::string>& domains, const std::vector<std::string>& ips, FactSink& out) {
        parse::DnsLookup lookup = [&](const std::string& t, const std::string& n) { return ans.lookup(t, n); };
        for (const auto& d : domains) {
            const auto& a = ans.get("TXT", d);
            if (!a.ok) {
                for (const char* f : {"spf.record", "spf.count", "spf.lookups"}) out.unknown(f, d, a.error, prov(a, ""));
                continue;
            }
            std::string st = a.dig.status("TXT");
            if (st != "NOERROR" && st != "NXDOMAIN" && st != "NODATA") {
                for (const char* f : {"spf.record", "spf.count", "spf.lookups"})
                    out.unknown(f, d, "TXT " + d + ": " + (st.empty() ? "no answer" : st), prov(a, st));
                continue;
            }
            auto recs = parse::spf_records(a.dig);
            out.known("spf.count", d, static_cast<std::int64_t>(recs.records.size()), prov(a, st, a.dig.header_line));
            if (!recs.records.empty()) out.known("spf.record", d, engine::printable(recs.records.front(), 2000), prov(a, recs.records.front()));
            else out.known("spf.record", d, std::string(), prov(a, "no v=spf1 record"));
            auto walk = parse::spf_check_host(d, std::nullopt, lookup);
            if (walk.result == "unknown" || walk.result == "temperror") {
                out.unknown("spf.lookups", d, walk.reason, prov(a, walk.reason));
            } else {
                out.known("spf.lookups", d, static_cast<std::int64_t>(walk.lookups), prov(a, walk.result + ": " + walk.reason));
                out.known("spf.void_lookups", d, static_cast<std::int64_t>(walk.void_lookups), prov(a, walk.reason));
            }
            for (const auto& ip : ips) {
                auto r = parse::spf_check_host(d, ip, lookup);
                std::string subj = ip + "|" + d;
                if (r.result == "unknown") {
                    out.unknown("spf.result", subj, r.reason, prov(a, r.reason));
                    continue;
                }
                out.known("spf.result", subj, r.result, prov(a, r.reason));
                out.known("spf.reason", subj, r.reason, prov(a, r.reason));
            }
        }
    }

    void dmarc_dkim(Answers& ans, const std::vector<std::string>& domains, const std::vector<std::string>& selectors,
                    FactSink& out) {
        auto records = [](const Answer& a, const char* prefix) {
            std::vector<const parse::DnsRecord*> v;
            for (const auto* r : a.dig.of_type("TXT"))
                if (lower(r->text).rfind(prefix, 0) == 0) v.push_back(r);
            return v;
        };
        for (const auto& d : domains) {
            const auto& a = ans.get("TXT", "_dmarc." + d);
            std::string st = a.ok ? a.dig.status("TXT") : "";
            if (!a.ok || (st != "NOERROR" && st != "NXDOMAIN" && st != "NODATA")) {
                std::string why = a.ok ? "TXT _dmarc." + d + ": " + (st.empty() ? "no answer" : st) : a.error;
                for (const char* f : {"dmarc.count", "dmarc.policy", "dmarc.valid"}) out.unknown(f, d, why, prov(a, st));
            } else {
                auto recs = records(a, "v=dmarc1");
                out.known("dmarc.count", d, static_cast<std::int64_t>(recs.size()), prov(a, st, a.dig.header_line));
                if (recs.size() == 1) {
                    auto dm = parse::parse_dmarc(recs.front()->text);
                    auto p = prov(a, recs.front()->text, recs.front()->line);
                    out.known("dmarc.record", d, engine::printable(recs.front()->text, 1000), p);
                    out.known("dmarc.valid", d, dm.valid, p);
                    if (!dm.policy.empty()) out.known("dmarc.policy", d, dm.policy, p);
                    else out.unknown("dmarc.policy", d, "the record has no valid p= tag", p);
                    if (!dm.problems.empty()) out.known("dmarc.problem", d, dm.problems.front(), p);
                } else {
                    out.known("dmarc.valid", d, false, prov(a, std::to_string(recs.size()) + " DMARC records"));
                    out.known("dmarc.policy", d, std::string("absent"), prov(a, std::to_string(recs.size()) + " DMARC records"));
                    if (recs.size() > 1) out.known("dmarc.problem", d, std::string("more than one DMARC record"), prov(a, st));
                }
            }
            for (const auto& s : selectors) {
                std::string subj = s + "." + d;
                const auto& k = ans.get("TXT", s + "._domainkey." + d);
                std::string ks = k.ok ? k.dig.status("TXT") : "";
                if (!k.ok || (ks != "NOERROR" && ks != "NXDOMAIN" && ks != "NODATA")) {
                    std::string why = k.ok ? "TXT " + s + "._domainkey." + d + ": " + (ks.empty() ? "no answer" : ks) : k.error;
                    out.unknown("dkim.key_present", subj, why, prov(k, ks));
                    continue;
                }
                auto txt = k.dig.of_type("TXT");
                if (txt.empty()) {
                    out.known("dkim.key_present", subj, false, prov(k, ks, k.dig.header_line));
                    continue;
                }
                auto key = parse::parse_dkim_key(txt.front()->text);
                auto p = prov(k, txt.front()->text.substr(0, 80), txt.front()->line);
                out.known("dkim.key_present", subj, !key.revoked && key.tags.count("p") > 0, p);
                out.known("dkim.valid", subj, key.valid, p);
                if (key.key_bits) out.known("dkim.key_bits", subj, static_cast<std::int64_t>(key.key_bits), p);
            }
        }
    }

    void dnsbl(Answers& ans, const std::vector<std::string>& ips, const std::vector<std::string>& zones, FactSink& out) {
        for (const auto& ip : ips) {
            std::string rev = parse::reverse_ipv4(ip);
            for (const auto& z : zones) {
                std::string subj = ip + "|" + z;
                if (rev.empty()) {
                    out.unknown("dnsbl.listed", subj, "IPv6 addresses are not checked against DNS blocklists",
                                engine::Provenance{"dns", "MANIFEST server_ips", ip});
                    continue;
                }
                const auto& a = ans.get("A", rev + "." + z);
                if (!a.ok) {
                    out.unknown("dnsbl.listed", subj, a.error, prov(a, ""));
                    continue;
                }
                std::string st = a.dig.status("A");
                if (st == "NXDOMAIN" || st == "NODATA") {
                    out.known("dnsbl.listed", subj, false, prov(a, st, a.dig.header_line));
                    continue;
                }
                if (st != "NOERROR") {
                    out.unknown("dnsbl.listed", subj, "A " + rev + "." + z + ": " + (st.empty() ? "no answer" : st), prov(a, st));
                    continue;
                }
                std::string codes;
                bool error_code = false, listing = false;
                for (const auto* r : a.dig.of_type("A")) {
                    if (r->fields.empty()) continue;
                    const std::string& v = r->fields[0];
                    codes += (codes.empty() ? "" : " ") + v;
                    // 127.255.255.x: the list refuses the query (open resolver, over quota): not a listing.
                    if (v.rfind("127.255.255.", 0) == 0) error_code = true;
                    else if (v.rfind("127.", 0) == 0) listing = true;
                    else error_code = true; // answers outside 127/8 are not blocklist codes
                }
                out.known("dnsbl.answer", subj, codes, prov(a, codes));
                if (listing) out.known("dnsbl.listed", subj, true, prov(a, "A " + codes));
                else if (error_code)
                    out.unknown("dnsbl.listed", subj, z + " answered " + codes + ": an error code (query refused), not a listing", prov(a, codes));
                else
                    out.known("dnsbl.listed", subj, false, prov(a, st));
            }
        }
    }
};

} // namespace

std::unique_ptr<Probe> make_dns_probe() { return std::make_unique<DnsProbe>(); }

} // namespace pft::probes
