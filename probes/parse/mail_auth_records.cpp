// mail_auth_records.cpp - DMARC and DKIM tag lists; the key size via OpenSSL.
#include "probes/parse/mail_auth_records.hpp"

#include "engine/fact.hpp"

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include <algorithm>
#include <cctype>

namespace pft::probes::parse {

namespace {

std::string trim_ws(const std::string& s) {
    std::size_t b = 0, e = s.size();
    while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
    while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
    return s.substr(b, e - b);
}

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

int key_bits(const std::string& b64) {
    std::string clean;
    for (char c : b64)
        if (!std::isspace(static_cast<unsigned char>(c))) clean += c;
    if (clean.empty() || clean.size() > 16384) return 0;
    std::string der(clean.size(), '\0');
    int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(der.data()),
                            reinterpret_cast<const unsigned char*>(clean.data()), static_cast<int>(clean.size()));
    if (n <= 0) return 0;
    const unsigned char* p = reinterpret_cast<const unsigned char*>(der.data());
    // EVP_DecodeBlock counts '=' padding as zero bytes; d2i ignores what follows the key.
    EVP_PKEY* k = d2i_PUBKEY(nullptr, &p, n);
    if (!k) return 0;
    int bits = EVP_PKEY_get_bits(k);
    EVP_PKEY_free(k);
    return bits;
}

} // namespace

std::optional<std::map<std::string, std::string>> parse_tag_list(const std::string& text) {
    std::map<std::string, std::string> tags;
    std::size_t i = 0;
    while (i <= text.size()) {
        auto semi = text.find(';', i);
        if (semi == std::string::npos) semi = text.size();
        std::string part = trim_ws(text.substr(i, semi - i));
        i = semi + 1;
        if (part.empty()) continue;
        auto eq = part.find('=');
        if (eq == std::string::npos) return std::nullopt;
        std::string k = lower(trim_ws(part.substr(0, eq)));
        if (k.empty() || tags.count(k)) return std::nullopt; // duplicate tags are invalid
        tags[k] = trim_ws(part.substr(eq + 1));
        if (tags.size() > 64) return std::nullopt;
    }
    return tags;
}

DmarcRecord parse_dmarc(const std::string& text) {
    DmarcRecord d;
    auto tags = parse_tag_list(text);
    if (!tags) {
        d.problems.push_back("not a tag=value list");
        return d;
    }
    d.tags = *tags;
    auto v = tags->find("v");
    if (v == tags->end() || v->second != "DMARC1" || text.rfind("v", 0) != 0)
        d.problems.push_back("does not start with v=DMARC1");
    auto p = tags->find("p");
    if (p == tags->end()) d.problems.push_back("no p= tag");
    else {
        d.policy = lower(p->second);
        if (d.policy != "none" && d.policy != "quarantine" && d.policy != "reject")
            d.problems.push_back("p=" + engine::printable(p->second, 40) + " is not none, quarantine or reject");
    }
    if (auto sp = tags->find("sp"); sp != tags->end()) d.subdomain_policy = lower(sp->second);
    if (auto pct = tags->find("pct"); pct != tags->end()) {
        try {
            d.pct = std::stoi(pct->second);
        } catch (...) {
            d.pct = -1;
        }
        if (d.pct < 0 || d.pct > 100) d.problems.push_back("pct= is not 0-100");
    }
    for (const char* u : {"rua", "ruf"}) {
        auto it = tags->find(u);
        if (it != tags->end() && lower(it->second).find("mailto:") == std::string::npos)
            d.problems.push_back(std::string(u) + "= has no mailto: URI");
    }
    d.valid = d.problems.empty();
    return d;
}

DkimKey parse_dkim_key(const std::string& text) {
    DkimKey k;
    auto tags = parse_tag_list(text);
    if (!tags) {
        k.problems.push_back("not a tag=value list");
        return k;
    }
    k.tags = *tags;
    if (auto v = tags->find("v"); v != tags->end() && v->second != "DKIM1") k.problems.push_back("v= is not DKIM1");
    if (auto t = tags->find("k"); t != tags->end()) k.key_type = lower(t->second);
    if (k.key_type != "rsa" && k.key_type != "ed25519") k.problems.push_back("k=" + engine::printable(k.key_type, 40) + " is not rsa or ed25519");
    auto p = tags->find("p");
    if (p == tags->end()) {
        k.problems.push_back("no p= tag");
    } else if (trim_ws(p->second).empty()) {
        k.revoked = true;
        k.problems.push_back("p= is empty: the key is revoked");
    } else if (k.key_type == "rsa") {
        k.key_bits = key_bits(p->second);
        if (k.key_bits == 0) k.problems.push_back("p= is not a readable public key");
    }
    k.valid = k.problems.empty();
    return k;
}

} // namespace pft::probes::parse
