// tls_probe.cpp - the certificates and keys named in main.cf (expiry against the
// reference time, names, chain completeness, key match, key file mode) and what
// the server presents on its SMTP ports (protocol, cipher, chain, handshake error).
// Reads tls/PARAM.pem, tls/PARAM.stat, tls/s_client-PORT.txt and, live only,
// tls-keymatch/PARAM. It never reads or stores a private key itself.
#include "probes/builtin_probes.hpp"
#include "probes/config_view.hpp"
#include "probes/evidence.hpp"
#include "probes/parse/dig_output.hpp"
#include "probes/parse/s_client.hpp"
#include "probes/parse/stat_lines.hpp"
#include "probes/tls_certs.hpp"

#include <openssl/bio.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <memory>
#include <future>
#include <set>

namespace pft::probes {

namespace {

struct X509Free {
    void operator()(X509* x) const { X509_free(x); }
};
using CertPtr = std::unique_ptr<X509, X509Free>;

std::vector<CertPtr> read_pem_certs(const std::string& text) {
    std::vector<CertPtr> v;
    BIO* b = BIO_new_mem_buf(text.data(), static_cast<int>(std::min<std::size_t>(text.size(), 4u << 20)));
    while (v.size() < 32) {
        X509* x = PEM_read_bio_X509(b, nullptr, nullptr, nullptr);
        if (!x) break;
        v.emplace_back(x);
    }
    BIO_free(b);
    return v;
}

std::string subject_of(X509* x) {
    BIO* b = BIO_new(BIO_s_mem());
    X509_NAME_print_ex(b, X509_get_subject_name(x), 0, XN_FLAG_ONELINE & ~ASN1_STRFLGS_ESC_MSB);
    char* d = nullptr;
    long n = BIO_get_mem_data(b, &d);
    std::string s(d, static_cast<std::size_t>(n));
    BIO_free(b);
    return engine::printable(s, 300);
}

std::vector<std::string> names_of(X509* x) {
    std::vector<std::string> v;
    auto* sans = static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(x, NID_subject_alt_name, nullptr, nullptr));
    for (int i = 0; sans && i < sk_GENERAL_NAME_num(sans) && v.size() < 100; ++i) {
        GENERAL_NAME* g = sk_GENERAL_NAME_value(sans, i);
        if (g->type != GEN_DNS) continue;
        const unsigned char* p = ASN1_STRING_get0_data(g->d.dNSName);
        v.push_back(engine::printable(std::string(reinterpret_cast<const char*>(p), static_cast<std::size_t>(ASN1_STRING_length(g->d.dNSName))), 253));
    }
    if (sans) GENERAL_NAMES_free(sans);
    if (v.empty()) {
        char cn[256] = {};
        if (X509_NAME_get_text_by_NID(X509_get_subject_name(x), NID_commonName, cn, sizeof cn) > 0) v.push_back(engine::printable(cn, 253));
    }
    return v;
}

bool name_covers(const std::vector<std::string>& names, const std::string& host) {
    for (auto n : names) {
        std::transform(n.begin(), n.end(), n.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        if (n == host) return true;
        if (n.rfind("*.", 0) == 0) {
            auto dot = host.find('.');
            if (dot != std::string::npos && host.substr(dot) == n.substr(1)) return true;
        }
    }
    return false;
}

std::int64_t days_left(X509* x, std::int64_t now) {
    ASN1_TIME* t = ASN1_TIME_new();
    ASN1_TIME_set(t, static_cast<time_t>(now));
    int days = 0, secs = 0;
    ASN1_TIME_diff(&days, &secs, t, X509_get0_notAfter(x));
    ASN1_TIME_free(t);
    if (days == 0 && secs < 0) return -1;
    return days < 0 && secs != 0 ? days - 1 : days;
}

bool expired_at(X509* x, std::int64_t now) {
    time_t t = static_cast<time_t>(now);
    return X509_cmp_time(X509_get0_notAfter(x), &t) < 0;
}

// Chain completeness: every issuer up to a self-signed root is in the file, or the
// last certificate's issuer is in the system trust store. Expiry is not judged here.
struct ChainCheck {
    bool complete = false;
    std::string detail;
};

ChainCheck chain_complete(const std::vector<CertPtr>& certs, std::int64_t now) {
    ChainCheck c;
    X509_STORE* store = X509_STORE_new();
    X509_STORE_set_default_paths(store);
    STACK_OF(X509)* untrusted = sk_X509_new_null();
    for (std::size_t i = 1; i < certs.size(); ++i) sk_X509_push(untrusted, certs[i].get());
    X509_STORE_CTX* ctx = X509_STORE_CTX_new();
    X509_STORE_CTX_init(ctx, store, certs.front().get(), untrusted);
    X509_VERIFY_PARAM_set_time(X509_STORE_CTX_get0_param(ctx), static_cast<time_t>(now));
    int ok = X509_verify_cert(ctx);
    int err = X509_STORE_CTX_get_error(ctx);
    if (ok == 1) {
        c.complete = true;
        c.detail = "verifies against the system trust store";
    } else if (err == X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY || err == X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT ||
               err == X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE) {
        c.complete = false;
        c.detail = std::string("issuer missing: ") + X509_verify_cert_error_string(err);
    } else {
        // Self-signed root in the file, expired, or another trust problem: the chain itself is all there.
        c.complete = true;
        c.detail = std::string("chain present (") + X509_verify_cert_error_string(err) + ")";
    }
    X509_STORE_CTX_free(ctx);
    sk_X509_free(untrusted);
    X509_STORE_free(store);
    return c;
}

bool is_key_param(const std::string& p) { return p.find("key_file") != std::string::npos || p.find("dkey") != std::string::npos; }
bool is_cert_param(const std::string& p) {
    return p.find("cert_file") != std::string::npos || p.find("chain_files") != std::string::npos;
}

class TlsProbe : public Probe {
public:
    std::string name() const override { return "tls"; }
    std::vector<std::string> produces() const override {
        return {"tls.file.missing",  "tls.file.mode",      "tls.key.too_open",   "tls.key.matches",
                "tls.cert.subject",  "tls.cert.names",     "tls.cert.days_left", "tls.cert.expired",
                "tls.cert.name_matches", "tls.cert.mx_names_covered", "tls.chain.complete", "tls.presented.handshake_ok",
                "tls.presented.protocol", "tls.presented.cipher", "tls.presented.subject", "tls.presented.chain_length",
                "tls.presented.error", "tls.presented.days_left", "tls.presented.name_matches", "tls.presented.verify"};
    }

    void run(Source& src, FactSink& out) override {
        ConfigView cfg = ConfigView::load(src);
        engine::Provenance cp{name(), "postconf.txt", ""};
        if (!cfg.ok()) {
            out.unknown("tls.cert.days_left", "", cfg.error(), cp);
            return;
        }
        const std::int64_t now = src.now().time_since_epoch().count();
        std::string host = cfg.myhostname();
        // Live: the handshakes do not need the MX answers, so they start now, beside the
        // MX lookups (a silent DNS server then costs one timeout, not timeout + handshakes).
        // The source keeps each handshake's result; the facts are emitted in the usual order.
        std::future<void> handshakes;
        if (src.is_live())
            handshakes = std::async(std::launch::async, [&src, ps = ports(cfg)] {
                for (int port : ps) (void)src.get("tls/s_client-" + std::to_string(port) + ".txt");
            });
        auto mx = mx_names(src, cfg);
        std::set<std::string> params;
        for (const auto& f : cfg.tls_files()) params.insert(f.param);
        for (const auto& p : ConfigView::tls_params()) {
            if (!params.count(p)) continue;
            stat_facts(src, p, out);
            if (is_cert_param(p)) cert_facts(src, p, now, host, mx, out);
        }
        if (handshakes.valid()) handshakes.wait();
        for (int port : ports(cfg)) presented(src, port, now, host, out);
    }

private:
    static std::vector<std::string> mx_names(Source& src, const ConfigView& cfg) {
        std::vector<std::string> v;
        for (const auto& d : cfg.mail_domains(src)) {
            Artifact a = src.get("dig/MX_" + d + ".txt");
            if (!a.ok) continue;
            auto dig = parse::parse_dig(a.text);
            for (const auto* r : dig.of_type("MX"))
                if (r->fields.size() >= 2 && v.size() < 20) v.push_back(r->fields[1]);
        }
        return v;
    }

    // SMTP ports of the inet smtpd services in master.cf, plus 25 when nothing is known.
    static std::vector<int> ports(const ConfigView& cfg) {
        std::set<int> p;
        for (const auto& s : cfg.services()) {
            if (s.type != "inet" || s.command != "smtpd") continue;
            std::string svc = s.service;
            auto c = svc.rfind(':');
            if (c != std::string::npos) svc = svc.substr(c + 1);
            int port = 0;
            if (svc == "smtp") port = 25;
            else if (svc == "submission") port = 587;
            else if (svc == "smtps" || svc == "submissions") port = 465;
            else if (!svc.empty() && svc.size() <= 5 && std::all_of(svc.begin(), svc.end(), ::isdigit)) port = std::stoi(svc);
            if (port > 0 && port < 65536) p.insert(port);
        }
        if (!cfg.services_ok()) p.insert(25);
        return {p.begin(), p.end()};
    }

    void stat_facts(Source& src, const std::string& p, FactSink& out) {
        Evidence ev(src, name(), "tls/" + p + ".stat", out);
        if (!ev.ok()) {
            out.unknown("tls.file.missing", p, ev.missing_reason(), ev.whole());
            if (is_key_param(p)) out.unknown("tls.key.too_open", p, ev.missing_reason(), ev.whole());
            return;
        }
        auto st = parse::parse_stat_mode(ev.text());
        ev.report(st.warnings);
        if (st.files.empty()) {
            out.unknown("tls.file.missing", p, ev.name() + " lists no file", ev.whole());
            return;
        }
        bool missing = false;
        for (const auto& f : st.files) missing = missing || f.missing;
        const auto& first = st.files.front();
        out.known("tls.file.missing", p, missing, ev.at(first.line, (first.missing ? "missing " : "") + first.path));
        if (missing) return;
        char mode[8];
        std::snprintf(mode, sizeof mode, "%04o", first.mode);
        out.known("tls.file.mode", p, std::string(mode), ev.at(first.line, first.path));
        bool holds_key = is_key_param(p) || p.find("chain_files") != std::string::npos ||
                         (p.find("cert_file") != std::string::npos && !has_own_key_param(src, p));
        if (holds_key) {
            bool open = (first.mode & 0077) != 0 || first.uid != 0;
            out.known("tls.key.too_open", p, open,
                      ev.at(first.line, std::string(mode) + " uid " + std::to_string(first.uid) + " " + first.path));
        }
    }

    // True when a separate key parameter names a different file than the certificate.
    static bool has_own_key_param(Source& src, const std::string& cert_param) {
        ConfigView cfg = ConfigView::load(src);
        std::string kp = cert_param;
        auto pos = kp.find("cert_file");
        if (pos == std::string::npos) return true;
        kp.replace(pos, 9, "key_file");
        auto c = cfg.param(cert_param), k = cfg.param(kp);
        return k && !k->empty() && (!c || *k != *c);
    }

    void cert_facts(Source& src, const std::string& p, std::int64_t now, const std::string& host,
                    const std::vector<std::string>& mx, FactSink& out) {
        Evidence ev(src, name(), "tls/" + p + ".pem", out);
        static const char* facts[] = {"tls.cert.days_left", "tls.cert.expired", "tls.cert.name_matches", "tls.chain.complete"};
        if (!ev.ok()) {
            for (const char* f : facts) out.unknown(f, p, ev.missing_reason(), ev.whole());
        } else {
            auto certs = read_pem_certs(ev.text());
            if (certs.empty()) {
                for (const char* f : facts) out.unknown(f, p, ev.name() + " holds no readable certificate", ev.whole());
            } else {
                X509* leaf = certs.front().get();
                std::string subj = subject_of(leaf);
                auto pr = ev.whole(subj);
                auto names = names_of(leaf);
                out.known("tls.cert.subject", p, subj, pr);
                out.known("tls.cert.names", p, engine::StringList(names), pr);
                out.known("tls.cert.days_left", p, days_left(leaf, now), pr);
                out.known("tls.cert.expired", p, expired_at(leaf, now), pr);
                if (!host.empty()) out.known("tls.cert.name_matches", p, name_covers(names, host), ev.whole(subj + "; myhostname = " + host));
                else out.unknown("tls.cert.name_matches", p, "myhostname is not known", pr);
                if (!mx.empty()) {
                    bool all = true;
                    for (const auto& m : mx) all = all && name_covers(names, m);
                    out.known("tls.cert.mx_names_covered", p, all, pr);
                }
                auto ch = chain_complete(certs, now);
                out.known("tls.chain.complete", p, ch.complete, ev.whole(ch.detail));
            }
        }
        if (p.find("CAfile") != std::string::npos) return;
        if (!src.is_live()) {
            out.unknown("tls.key.matches", p, "a bundle never holds private keys; check on the host with "
                        "`openssl x509 -noout -pubkey -in CERT` against `openssl pkey -pubout -in KEY`",
                        engine::Provenance{name(), src.describe(), ""});
            return;
        }
        Evidence km(src, name(), "tls-keymatch/" + p, out);
        if (!km.ok()) out.unknown("tls.key.matches", p, km.missing_reason(), km.whole());
        else out.known("tls.key.matches", p, km.text().rfind("match", 0) == 0, km.whole(km.text().substr(0, 20)));
    }

    void presented(Source& src, int port, std::int64_t now, const std::string& host, FactSink& out) {
        std::string subj = std::to_string(port);
        Evidence ev(src, name(), "tls/s_client-" + subj + ".txt", out);
        if (!ev.ok()) {
            out.unknown("tls.presented.handshake_ok", subj, ev.missing_reason(), ev.whole());
            return;
        }
        auto s = parse::parse_s_client(ev.text());
        ev.report(s.warnings);
        out.known("tls.presented.handshake_ok", subj, s.handshake_ok,
                  ev.whole(s.handshake_ok ? s.protocol + " " + s.cipher : s.error));
        if (!s.handshake_ok) {
            out.known("tls.presented.error", subj, s.error, ev.whole(s.error));
            return;
        }
        out.known("tls.presented.protocol", subj, s.protocol, ev.whole(s.protocol));
        out.known("tls.presented.cipher", subj, s.cipher, ev.whole(s.cipher));
        out.known("tls.presented.chain_length", subj, static_cast<std::int64_t>(s.chain.size()), ev.whole());
        if (!s.verify_text.empty()) out.known("tls.presented.verify", subj, s.verify_text, ev.whole(s.verify_text));
        if (s.chain.empty()) return;
        out.known("tls.presented.subject", subj, s.chain.front().subject, ev.whole(s.chain.front().subject));
        auto certs = read_pem_certs(s.chain.front().pem);
        if (certs.empty()) return;
        out.known("tls.presented.days_left", subj, days_left(certs.front().get(), now), ev.whole(s.chain.front().subject));
        if (!host.empty())
            out.known("tls.presented.name_matches", subj, name_covers(names_of(certs.front().get()), host),
                      ev.whole(s.chain.front().subject + "; myhostname = " + host));
    }
};

} // namespace

std::unique_ptr<Probe> make_tls_probe() { return std::make_unique<TlsProbe>(); }

std::vector<PemCertSummary> summarize_pem_certs(const std::string& text, std::int64_t now, const std::string& host) {
    std::vector<PemCertSummary> out;
    for (const auto& c : read_pem_certs(text)) {
        PemCertSummary s;
        s.subject = subject_of(c.get());
        s.names = names_of(c.get());
        s.days_left = days_left(c.get(), now);
        s.expired = expired_at(c.get(), now);
        s.covers_host = name_covers(s.names, host);
        out.push_back(std::move(s));
    }
    return out;
}

} // namespace pft::probes
