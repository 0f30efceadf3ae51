// tls_client.hpp - pftriage's own TLS handshake with an SMTP server: implicit TLS,
// or banner, EHLO and STARTTLS spoken over the socket, then SSL_connect, all
// before one deadline. Answers in `openssl s_client -showcerts` form so the
// bundle's tls/s_client-PORT.txt and the live host share one parser.
// It sends no mail, no AUTH, and never trusts or stores what it is shown.
#pragma once

#include <chrono>
#include <string>

namespace pft::probes {

std::string tls_handshake_text(const std::string& host, int port, bool starttls, std::chrono::milliseconds timeout);

} // namespace pft::probes
