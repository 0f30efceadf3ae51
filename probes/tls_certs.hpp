// tls_certs.hpp - what the TLS probe reads from a PEM file of certificates (bundle
// tls/PARAM.pem or a live cert_file): each certificate's subject, names and expiry.
// Exposed for the tests and the fuzz target (fuzz/fuzz_pem.cpp); keys are never read.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace pft::probes {

struct PemCertSummary {
    std::string subject;
    std::vector<std::string> names; // DNS subjectAltNames, else the CN
    std::int64_t days_left = 0;     // against `now`
    bool expired = false;
    bool covers_host = false;       // a name covers `host` (wildcards one label deep)
};

// At most 32 certificates from the first 4 MiB of text; garbage gives none.
std::vector<PemCertSummary> summarize_pem_certs(const std::string& text, std::int64_t now, const std::string& host);

} // namespace pft::probes
