// s_client.hpp - parses `openssl s_client [-starttls smtp] -showcerts` output (and the
// same format written by pftriage's own TLS client): connection, protocol, cipher,
// the presented chain (subjects, issuers, PEM) and the handshake error.
// Pure: it does not decode or verify the certificates (the TLS probe does).
#pragma once

#include "probes/parse/parse_warning.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pft::probes::parse {

struct PresentedCert {
    std::string subject, issuer, pem;
};

struct SClientOutput {
    bool connected = false;
    bool handshake_ok = false;           // a protocol and cipher were negotiated
    std::string protocol, cipher;        // "TLSv1.3", "TLS_AES_256_GCM_SHA384"
    std::vector<PresentedCert> chain;
    std::optional<int> verify_code;
    std::string verify_text;
    std::string error;                   // first error line, cleaned; "" when none
    std::vector<ParseWarning> warnings;
};

SClientOutput parse_s_client(std::string_view text);

} // namespace pft::probes::parse
