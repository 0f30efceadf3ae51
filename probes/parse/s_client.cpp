// s_client.cpp - the line shapes s_client prints; unknown lines are ignored.
#include "probes/parse/s_client.hpp"

#include "engine/fact.hpp"
#include "probes/parse/line_cursor.hpp"

namespace pft::probes::parse {

namespace {
constexpr std::size_t max_chain = 16;
constexpr std::size_t max_pem = 64 * 1024;
} // namespace

SClientOutput parse_s_client(std::string_view text) {
    SClientOutput r;
    LineCursor cur(text, 16384);
    Line l;
    bool in_chain = false, in_pem = false;
    std::string pem;
    auto set_error = [&](std::string_view e) {
        if (r.error.empty()) r.error = engine::printable(trim(e), 200);
    };
    while (cur.next(l)) {
        std::string_view t = l.text;
        std::string_view tt = trim(t);
        if (in_pem) {
            if (pem.size() < max_pem) pem += std::string(tt) + "\n";
            if (tt == "-----END CERTIFICATE-----") {
                in_pem = false;
                if (!r.chain.empty() && r.chain.back().pem.empty()) r.chain.back().pem = pem;
            }
            continue;
        }
        if (tt.rfind("CONNECTED(", 0) == 0) {
            r.connected = true;
            continue;
        }
        if (tt == "Certificate chain") {
            in_chain = true;
            continue;
        }
        if (tt == "---") {
            in_chain = false;
            continue;
        }
        if (tt == "-----BEGIN CERTIFICATE-----") {
            in_pem = true;
            pem = std::string(tt) + "\n";
            continue;
        }
        if (in_chain) {
            auto f = split_fields(tt, 2);
            if (f.size() == 2 && to_int(f[0]) && f[1].rfind("s:", 0) == 0) {
                if (r.chain.size() >= max_chain) continue;
                PresentedCert c;
                c.subject = engine::printable(trim(tt.substr(tt.find("s:") + 2)), 300);
                r.chain.push_back(std::move(c));
            } else if (tt.rfind("i:", 0) == 0 && !r.chain.empty() && r.chain.back().issuer.empty()) {
                r.chain.back().issuer = engine::printable(trim(tt.substr(2)), 300);
            }
            continue;
        }
        if (tt.rfind("New, ", 0) == 0) {
            auto c = tt.find(", Cipher is ");
            if (c != std::string_view::npos) {
                std::string proto(trim(tt.substr(5, c - 5)));
                std::string cipher(trim(tt.substr(c + 12)));
                if (proto != "(NONE)" && cipher != "(NONE)") {
                    r.protocol = engine::printable(proto, 40);
                    r.cipher = engine::printable(cipher, 80);
                    r.handshake_ok = true;
                }
            }
            continue;
        }
        if (tt.rfind("Verify return code: ", 0) == 0) {
            auto rest = tt.substr(20);
            auto sp = rest.find(' ');
            r.verify_code = to_int(rest.substr(0, sp));
            if (sp != std::string_view::npos) {
                auto txt = trim(rest.substr(sp));
                if (txt.size() >= 2 && txt.front() == '(' && txt.back() == ')') txt = txt.substr(1, txt.size() - 2);
                r.verify_text = engine::printable(txt, 120);
            }
            continue;
        }
        if (tt.find("connect:errno=") != std::string_view::npos || tt.find("Connection refused") != std::string_view::npos ||
            tt.rfind("Didn't find STARTTLS", 0) == 0 || tt.find(":error:") != std::string_view::npos ||
            tt.rfind("error:", 0) == 0 || tt.rfind("connect: ", 0) == 0)
            set_error(tt);
    }
    if (!r.handshake_ok && r.error.empty() && r.connected) r.error = "no TLS session was negotiated";
    if (!r.connected && r.error.empty()) r.error = "no connection";
    return r;
}

} // namespace pft::probes::parse
