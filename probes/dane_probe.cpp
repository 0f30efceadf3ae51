// dane_probe.cpp - does the TLSA record (DANE) of our own MX host match the
// certificate this server uses? Senders that check DANE accept only a certificate
// or key that a TLSA record describes, so a renewal with a new key and no new record
// stops their mail to us. Reads the same artefacts as the DNS and TLS probes:
// dig/MX_DOMAIN.txt, dig/TLSA__25._tcp.HOST.txt and tls/PARAM.pem. Only MX hosts
// that are ours are judged: myhostname, or a name the certificate covers (an MX run
// by a filtering service presents its own certificate, not ours).
#include "probes/builtin_probes.hpp"
#include "probes/config_view.hpp"
#include "probes/evidence.hpp"
#include "probes/parse/dig_output.hpp"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <memory>
#include <set>

namespace pft::probes {

namespace {

struct X509Free {
    void operator()(X509* x) const { X509_free(x); }
};
using CertPtr = std::unique_ptr<X509, X509Free>;

std::vector<CertPtr> pem_certs(const std::string& text) {
    std::vector<CertPtr> v;
    BIO* b = BIO_new_mem_buf(text.data(), static_cast<int>(std::min<std::size_t>(text.size(), 4u << 20)));
    while (b && v.size() < 32) {
        X509* x = PEM_read_bio_X509(b, nullptr, nullptr, nullptr);
        if (!x) break;
        v.emplace_back(x);
    }
    BIO_free(b);
    return v;
}

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

bool covers(X509* x, const std::string& host) {
    return X509_check_host(x, host.data(), host.size(), 0, nullptr) == 1;
}

// DER of the certificate (selector 0) or of its SubjectPublicKeyInfo (selector 1).
std::string der(X509* x, int selector) {
    unsigned char* buf = nullptr;
    int n = selector == 0 ? i2d_X509(x, &buf) : i2d_X509_PUBKEY(X509_get_X509_PUBKEY(x), &buf);
    std::string s;
    if (n > 0 && buf) s.assign(reinterpret_cast<const char*>(buf), static_cast<std::size_t>(n));
    OPENSSL_free(buf);
    return s;
}

std::string hex_upper(const unsigned char* p, std::size_t n) {
    static const char* d = "0123456789ABCDEF";
    std::string s;
    for (std::size_t i = 0; i < n; ++i) {
        s += d[p[i] >> 4];
        s += d[p[i] & 15];
    }
    return s;
}

// The association data for matching type 0 (full), 1 (SHA-256) or 2 (SHA-512), upper-case hex.
std::string association(const std::string& data, int mtype) {
    if (mtype == 0) return hex_upper(reinterpret_cast<const unsigned char*>(data.data()), data.size());
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    const EVP_MD* m = mtype == 1 ? EVP_sha256() : EVP_sha512();
    if (!EVP_Digest(data.data(), data.size(), md, &len, m, nullptr)) return {};
    return hex_upper(md, len);
}

struct Tlsa {
    int usage = -1, selector = -1, mtype = -1;
    std::string data; // upper-case hex
};

// Does one of the records match the chain (leaf first)? Usages 1 and 3 name the
// leaf, 0 and 2 an issuer in the chain.
bool tlsa_matches_chain(const std::vector<Tlsa>& recs, const std::vector<CertPtr>& chain) {
    for (const auto& r : recs) {
        if (r.selector < 0 || r.selector > 1 || r.mtype < 0 || r.mtype > 2) continue;
        for (std::size_t i = 0; i < chain.size(); ++i) {
            bool leaf_usage = r.usage == 1 || r.usage == 3;
            if (leaf_usage != (i == 0)) continue;
            if (association(der(chain[i].get(), r.selector), r.mtype) == r.data) return true;
        }
    }
    return false;
}

class DaneProbe : public Probe {
public:
    std::string name() const override { return "dane"; }
    std::vector<std::string> produces() const override { return {"dane.tlsa_matches"}; }

    void run(Source& src, FactSink& out) override {
        ConfigView cfg = ConfigView::load(src);
        engine::Provenance cfgp{"dane", "postconf.txt / MANIFEST", ""};
        if (!cfg.ok()) {
            out.unknown("dane.tlsa_matches", "", cfg.error(), cfgp);
            return;
        }
        std::vector<CertPtr> chain;
        std::string cert_art;
        for (const char* p : {"smtpd_tls_chain_files", "smtpd_tls_cert_file"}) {
            if (!cfg.param(p) || cfg.param(p)->empty()) continue;
            Artifact a = src.get(std::string("tls/") + p + ".pem");
            if (!a.ok) continue;
            chain = pem_certs(a.text);
            cert_art = std::string("tls/") + p + ".pem";
            if (!chain.empty()) break;
        }
        std::string host = lower(cfg.myhostname());
        std::set<std::string> done;
        auto domains = cfg.mail_domains(src);
        if (domains.empty()) {
            out.unknown("dane.tlsa_matches", "", "no mail domain is known (MANIFEST mail_domains, mydestination)", cfgp);
            return;
        }
        for (const auto& d : domains) {
            Artifact mx = src.get("dig/MX_" + d + ".txt");
            if (!mx.ok) continue;
            auto ans = parse::parse_dig(mx.text);
            for (const auto* r : ans.of_type("MX")) {
                if (r->fields.size() < 2) continue;
                std::string h = lower(r->fields[1]);
                if (h.empty() || h == "." || !done.insert(h).second || done.size() > 20) continue;
                judge(src, out, h, host, chain, cert_art);
            }
        }
    }

private:
    static void judge(Source& src, FactSink& out, const std::string& h, const std::string& myhostname,
                      const std::vector<CertPtr>& chain, const std::string& cert_art) {
        const std::string art = "dig/TLSA__25._tcp." + h + ".txt";
        engine::Provenance pv{"dane", art, ""};
        if (chain.empty()) {
            if (h == myhostname)
                out.unknown("dane.tlsa_matches", h, "no server certificate could be read (tls/smtpd_tls_cert_file.pem)", pv);
            return;
        }
        if (h != myhostname && !covers(chain.front().get(), h)) return; // not our server
        Artifact a = src.get(art);
        if (!a.ok) {
            out.unknown("dane.tlsa_matches", h, a.error.empty() ? art + " is not available" : a.error, pv);
            return;
        }
        auto ans = parse::parse_dig(a.text);
        std::string st = ans.status("TLSA");
        if (st == "NXDOMAIN" || st == "NODATA" || (st == "NOERROR" && ans.of_type("TLSA").empty())) return; // no DANE
        if (st != "NOERROR") {
            out.unknown("dane.tlsa_matches", h, "TLSA _25._tcp." + h + ": " + (st.empty() ? "no answer" : st), pv);
            return;
        }
        std::vector<Tlsa> recs;
        std::string shown;
        for (const auto* r : ans.of_type("TLSA")) {
            if (r->fields.size() < 4) continue;
            Tlsa t;
            t.usage = std::atoi(r->fields[0].c_str());
            t.selector = std::atoi(r->fields[1].c_str());
            t.mtype = std::atoi(r->fields[2].c_str());
            for (std::size_t i = 3; i < r->fields.size(); ++i) t.data += r->fields[i];
            std::transform(t.data.begin(), t.data.end(), t.data.begin(), [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
            if (shown.size() < 300) shown += (shown.empty() ? "" : "; ") + r->fields[0] + " " + r->fields[1] + " " + r->fields[2] + " " + t.data.substr(0, 16) + "...";
            recs.push_back(std::move(t));
        }
        bool ok = tlsa_matches_chain(recs, chain);
        out.known("dane.tlsa_matches", h, ok,
                  engine::Provenance{"dane", art + " + " + cert_art,
                                     engine::printable((ok ? "matches: " : "no record matches the certificate: ") + shown, 300)});
    }
};

} // namespace

std::unique_ptr<Probe> make_dane_probe() { return std::make_unique<DaneProbe>(); }

} // namespace pft::probes
