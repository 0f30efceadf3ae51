// config_view.cpp - parameter expansion and the table/TLS-file/domain lists.
#include "probes/config_view.hpp"

#include "probes/dns_client.hpp"
#include "probes/parse/postconf_output.hpp"

#include <arpa/inet.h>
#include <algorithm>
#include <fstream>
#include <set>

namespace pft::probes {

namespace {

constexpr std::size_t max_subjects = 1000;

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

const char* index_suffix(const std::string& type) {
    if (type == "hash" || type == "btree") return ".db";
    if (type == "lmdb") return ".lmdb";
    if (type == "cdb") return ".cdb";
    if (type == "dbm") return ".pag";
    return nullptr;
}

// Tables in one value: "proxy:hash:/etc/postfix/x, lmdb:/y" -> (type, path).
void tables_in(const std::string& value, const std::string& param, std::map<std::string, TableRef>& out) {
    for (auto w : config_words(value)) {
        while (w.rfind("proxy:", 0) == 0) w.erase(0, 6);
        auto c = w.find(':');
        if (c == std::string::npos) continue;
        std::string type = w.substr(0, c), path = w.substr(c + 1);
        const char* sfx = index_suffix(type);
        if (!sfx || path.empty() || path.front() != '/' || path.size() > 1024) continue;
        if (out.size() >= max_subjects || out.count(path)) continue;
        out[path] = TableRef{type, path, path + sfx, param};
    }
}

} // namespace

std::vector<std::string> config_words(const std::string& v) {
    std::vector<std::string> out;
    std::string cur;
    for (char c : v) {
        if (c == ' ' || c == '\t' || c == ',' || c == '\n' || c == '\r') {
            if (!cur.empty()) out.push_back(std::move(cur));
            cur.clear();
        } else {
            cur += c;
        }
        if (out.size() > 10000) break;
    }
    if (!cur.empty()) out.push_back(cur);
    return out;
}

bool is_ip_address(const std::string& s) {
    in6_addr a{};
    return s.size() <= 45 && (inet_pton(AF_INET, s.c_str(), &a) == 1 || inet_pton(AF_INET6, s.c_str(), &a) == 1);
}

bool is_domain_name(const std::string& s) {
    return is_queryable_name(s) && s.find('.') != std::string::npos && s.find('*') == std::string::npos;
}

const std::vector<std::string>& ConfigView::tls_params() {
    static const std::vector<std::string> p = {
        "smtpd_tls_cert_file", "smtpd_tls_key_file",   "smtpd_tls_chain_files", "smtpd_tls_eccert_file",
        "smtpd_tls_eckey_file", "smtpd_tls_dcert_file", "smtpd_tls_dkey_file",  "smtpd_tls_CAfile",
        "smtp_tls_cert_file",  "smtp_tls_key_file",    "smtp_tls_chain_files",  "smtp_tls_CAfile"};
    return p;
}

ConfigView ConfigView::load(Source& src) {
    ConfigView v;
    Artifact a = src.get("postconf.txt");
    if (a.ok) {
        auto pc = parse::parse_postconf(a.text);
        for (const auto& e : pc.entries) v.raw_[e.name] = e.value;
        v.ok_ = true;
    } else {
        v.error_ = a.error.empty() ? "postconf.txt is not available" : a.error;
    }
    Artifact m = src.get("postconf-M.txt");
    if (!m.ok) m = src.get("master.cf");
    if (m.ok) {
        v.services_ = parse::parse_master_services(m.text).services;
        v.services_ok_ = true;
    }
    return v;
}

std::string ConfigView::expand(const std::string& v, int depth) const {
    if (depth > 8 || v.find('$') == std::string::npos) return v;
    std::string out;
    for (std::size_t i = 0; i < v.size();) {
        if (v[i] != '$' || i + 1 >= v.size()) {
            out += v[i++];
            continue;
        }
        std::size_t j = i + 1;
        char close = 0;
        if (v[j] == '{') close = '}';
        else if (v[j] == '(') close = ')';
        if (close) ++j;
        std::size_t k = j;
        while (k < v.size() && (std::isalnum(static_cast<unsigned char>(v[k])) || v[k] == '_')) ++k;
        std::string name = v.substr(j, k - j);
        if (close && (k >= v.size() || v[k] != close)) { // ${name?value} and friends: left as they are
            out += v[i++];
            continue;
        }
        auto it = raw_.find(name);
        if (name.empty() || it == raw_.end()) out += v.substr(i, k + (close ? 1 : 0) - i);
        else out += expand(it->second, depth + 1);
        i = k + (close ? 1 : 0);
        if (out.size() > 256 * 1024) break;
    }
    return out;
}

std::optional<std::string> ConfigView::param(const std::string& name) const {
    auto it = raw_.find(name);
    if (it == raw_.end()) return std::nullopt;
    return expand(it->second, 0);
}

// Caches that Postfix daemons create and update themselves (verify(8),
// postscreen(8), tlsmgr(8), the SASL auth cache): never built with postmap, and
// absent until first used, so they are not lookup tables to compare with a source.
static bool is_daemon_cache(const std::string& param) {
    auto ends = [&](const char* sfx) {
        std::size_t n = std::char_traits<char>::length(sfx);
        return param.size() >= n && param.compare(param.size() - n, n, sfx) == 0;
    };
    // proxy_read_maps / proxy_write_maps only list what proxymap(8) may open
    // (their defaults name the caches above); the tables themselves are named
    // by their own parameters.
    return param == "address_verify_map" || param == "proxy_read_maps" || param == "proxy_write_maps" ||
           ends("_cache_map") || ends("_cache_database") || ends("_cache_name");
}

std::vector<TableRef> ConfigView::tables() const {
    std::map<std::string, TableRef> out;
    // Parameters that look like "*_maps" defaults derived from others (e.g.
    // address_verify_transport_maps = $transport_maps) come after the ones
    // they derive from, so a table is named by the parameter a person sets.
    std::vector<std::pair<std::string, std::string>> derived;
    for (const auto& [n, v] : raw_) {
        if (is_daemon_cache(n)) continue;
        if (v.find('$') != std::string::npos) {
            derived.push_back({n, v});
            continue;
        }
        tables_in(expand(v, 0), n, out);
    }
    for (const auto& [n, v] : derived) tables_in(expand(v, 0), n, out);
    for (const auto& s : services_)
        for (const auto& [n, v] : s.overrides)
            if (!is_daemon_cache(n)) tables_in(expand(v, 0), s.key() + ":" + n, out);
    std::vector<TableRef> r;
    for (auto& [p, t] : out) r.push_back(std::move(t));
    return r;
}

std::vector<std::string> ConfigView::sasl_password_files() const {
    std::vector<std::string> out;
    std::vector<std::string> values;
    if (auto v = param("smtp_sasl_password_maps")) values.push_back(*v);
    for (const auto& s : services_)
        for (const auto& [n, v] : s.overrides)
            if (n == "smtp_sasl_password_maps") values.push_back(expand(v, 0));
    for (const auto& v : values)
        for (auto w : config_words(v)) {
            while (w.rfind("proxy:", 0) == 0) w.erase(0, 6);
            auto c = w.find(':');
            std::string path = c == std::string::npos ? w : w.substr(c + 1);
            if (!path.empty() && path.front() == '/') {
                out.push_back(path);
                for (const char* sfx : {".db", ".lmdb", ".cdb", ".pag", ".dir"}) out.push_back(path + sfx);
            }
        }
    return out;
}

std::vector<TlsFileRef> ConfigView::tls_files() const {
    std::vector<TlsFileRef> out;
    for (const auto& p : tls_params()) {
        auto v = param(p);
        if (!v) continue;
        bool key = p.find("key_file") != std::string::npos || p.find("dkey") != std::string::npos;
        // chain files hold the key with its certificates
        bool chain = p.find("chain_files") != std::string::npos;
        for (const auto& w : config_words(*v)) {
            if (w.empty() || w.front() != '/' || w.size() > 1024) continue;
            out.push_back({p, w, key || chain});
            if (out.size() > 64) return out;
        }
    }
    return out;
}

std::string ConfigView::myhostname() const {
    auto v = param("myhostname");
    if (!v) return {};
    std::string h = lower(*v);
    while (!h.empty() && h.back() == '.') h.pop_back();
    return is_domain_name(h) ? h : std::string();
}

std::vector<std::string> ConfigView::mail_domains(Source& src) const {
    std::vector<std::string> out;
    std::set<std::string> seen;
    auto add = [&](std::string d) {
        d = lower(d);
        while (!d.empty() && d.back() == '.') d.pop_back();
        if (is_domain_name(d) && seen.insert(d).second && out.size() < 100) out.push_back(d);
    };
    if (auto m = src.manifest("mail_domains"); m && !m->empty()) {
        for (const auto& w : config_words(*m)) add(w);
        return out;
    }
    for (const char* p : {"mydestination", "virtual_alias_domains", "virtual_mailbox_domains"}) {
        auto v = param(p);
        if (!v) continue;
        for (const auto& w : config_words(*v)) {
            if (w.find_first_of(":/${}") != std::string::npos) continue;
            if (w.rfind("localhost", 0) == 0) continue;
            add(w);
        }
    }
    return out;
}

std::vector<std::string> ConfigView::server_ips(Source& src) const {
    std::vector<std::string> out;
    if (auto m = src.manifest("server_ips"))
        for (const auto& w : config_words(*m))
            if (is_ip_address(w) && out.size() < 64) out.push_back(w);
    return out;
}

std::vector<std::string> ConfigView::dkim_selectors(Source& src) const {
    std::vector<std::string> out;
    Artifact a = src.get("dkim-selectors.txt");
    if (a.ok) {
        for (const auto& w : config_words(a.text))
            if (is_queryable_name(w) && w.size() <= 63 && out.size() < 16 &&
                std::find(out.begin(), out.end(), w) == out.end())
                out.push_back(w);
    }
    if (out.empty()) out.push_back("default");
    return out;
}

} // namespace pft::probes
