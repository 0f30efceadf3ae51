// config_view.hpp - the Postfix configuration as the newer probes need it: effective
// parameters (postconf.txt, $name expanded), master.cf services (postconf-M.txt,
// else master.cf), the lookup tables and TLS files they name, the mail domains,
// server addresses and DKIM selectors. Read through a Source; it judges nothing
// and reports its parse warnings through nobody (the postconf probe does that).
#pragma once

#include "probes/parse/master_services.hpp"
#include "probes/source.hpp"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace pft::probes {

struct TableRef {
    std::string type;        // hash, btree, lmdb, cdb, dbm
    std::string path;        // source file, as written
    std::string index_path;  // path + .db/.lmdb/.cdb/.pag
    std::string param;       // "transport_maps" or "submission/inet:smtpd_sender_login_maps"
};

struct TlsFileRef {
    std::string param;       // smtpd_tls_cert_file ...
    std::string path;
    bool is_key = false;     // a private key may be in it: never copied
};

class ConfigView {
public:
    // Reads postconf.txt and postconf-M.txt (else master.cf) from the source.
    static ConfigView load(Source& src);

    bool ok() const { return ok_; }
    const std::string& error() const { return error_; }
    // The effective value with $name/${name} expanded (bounded depth); nullopt when absent.
    std::optional<std::string> param(const std::string& name) const;
    const std::vector<parse::MasterService>& services() const { return services_; }
    bool services_ok() const { return services_ok_; }

    std::vector<TableRef> tables() const;                 // sorted by path, unique per path
    std::vector<TlsFileRef> tls_files() const;            // in parameter order
    std::vector<std::string> sasl_password_files() const; // files named by smtp_sasl_password_maps
    std::vector<std::string> mail_domains(Source& src) const; // MANIFEST, else mydestination/virtual domains
    std::vector<std::string> server_ips(Source& src) const;   // MANIFEST server_ips (validated)
    std::string myhostname() const;
    // dkim-selectors.txt (the live host reads OpenDKIM's Selector lines), else "default".
    std::vector<std::string> dkim_selectors(Source& src) const;

    // The TLS parameters that name certificate or key files, in a stable order.
    static const std::vector<std::string>& tls_params();

private:
    std::string expand(const std::string& v, int depth) const;
    bool ok_ = false, services_ok_ = false;
    std::string error_;
    std::map<std::string, std::string> raw_;
    std::vector<parse::MasterService> services_;
};

// Whitespace/comma separated words of a parameter value.
std::vector<std::string> config_words(const std::string& v);
bool is_ip_address(const std::string& s);
bool is_domain_name(const std::string& s);

} // namespace pft::probes
