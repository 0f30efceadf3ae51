// fuzz_pem.cpp - the certificate reader of the TLS probe (OpenSSL PEM -> subject,
// subjectAltNames, expiry, host coverage) on a bundle's tls/PARAM.pem.
#include "fuzz_support.hpp"
#include "probes/tls_certs.hpp"

using namespace pft;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string text(fuzz::as_text(data, size));
    (void)probes::summarize_pem_certs(text, 1795608257, "mx.example.org");
    return 0;
}
