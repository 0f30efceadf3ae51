// hostile_peers_test.cpp - the live TLS and DNS clients against peers that misbehave on
// loopback (real sockets, a thread per peer): garbage instead of a TLS handshake, a
// connection closed mid-handshake (which used to kill the process with SIGPIPE), silence,
// and DNS replies that are garbage; the certificate reader on garbage PEM.
#include "probes/dns_client.hpp"
#include "probes/parse/s_client.hpp"
#include "probes/tls_certs.hpp"
#include "probes/tls_client.hpp"

#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <chrono>
#include <functional>
#include <string>
#include <thread>

using namespace pft::probes;

namespace {

// A TCP listener on 127.0.0.1 (any free port) that serves one connection with `peer`.
struct Peer {
    int fd = -1;
    int port = 0;
    std::thread t;
    explicit Peer(std::function<void(int)> peer) {
        fd = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
        socklen_t len = sizeof a;
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
        port = ntohs(a.sin_port);
        REQUIRE(::listen(fd, 4) == 0);
        t = std::thread([this, peer] {
            int c = ::accept(fd, nullptr, nullptr);
            if (c >= 0) {
                peer(c);
                ::close(c);
            }
        });
    }
    ~Peer() {
        ::shutdown(fd, SHUT_RDWR);
        t.join();
        ::close(fd);
    }
};

std::string read_line(int c) {
    std::string s;
    char ch;
    while (s.size() < 512 && ::recv(c, &ch, 1, 0) == 1) {
        s += ch;
        if (ch == '\n') break;
    }
    return s;
}

void smtp_to_starttls(int c) {
    ::send(c, "220 mx ESMTP\r\n", 14, MSG_NOSIGNAL);
    read_line(c); // EHLO
    const char* ehlo = "250-mx\r\n250 STARTTLS\r\n";
    ::send(c, ehlo, std::strlen(ehlo), MSG_NOSIGNAL);
    read_line(c); // STARTTLS
    ::send(c, "220 go\r\n", 8, MSG_NOSIGNAL);
}

} // namespace

TEST_CASE("TLS client: a peer that closes or sends garbage mid-handshake gives an error, never SIGPIPE",
          "[tls][live][hostile]") {
    for (int round = 0; round < 10; ++round) {
        CAPTURE(round);
        Peer p([round](int c) {
            smtp_to_starttls(c);
            if (round % 2) {
                std::string junk(3000, '\x15');
                ::send(c, junk.data(), junk.size(), MSG_NOSIGNAL);
            }
            linger l{1, 0}; // close with a reset: the client's next write gets EPIPE
            ::setsockopt(c, SOL_SOCKET, SO_LINGER, &l, sizeof l);
        });
        auto text = tls_handshake_text("127.0.0.1", p.port, true, std::chrono::seconds(5));
        auto s = parse::parse_s_client(text);
        CHECK_FALSE(s.handshake_ok);
        CHECK_FALSE(s.error.empty());
    }
}

TEST_CASE("TLS client: a port that accepts and never speaks ends at the time limit", "[tls][live][hostile]") {
    std::atomic<bool> done{false};
    Peer p([&](int) {
        while (!done) std::this_thread::sleep_for(std::chrono::milliseconds(20));
    });
    auto t0 = std::chrono::steady_clock::now();
    auto text = tls_handshake_text("127.0.0.1", p.port, false, std::chrono::milliseconds(1500)); // wrapper mode
    auto secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    done = true;
    CHECK(secs < 5);
    CHECK(text.find("timed out") != std::string::npos);
    auto text2 = [&] {
        std::atomic<bool> d2{false};
        Peer q([&](int) {
            while (!d2) std::this_thread::sleep_for(std::chrono::milliseconds(20));
        });
        auto r = tls_handshake_text("127.0.0.1", q.port, true, std::chrono::milliseconds(1500)); // no banner
        d2 = true;
        return r;
    }();
    CHECK(text2.find("no SMTP banner") != std::string::npos);
}

TEST_CASE("DNS wire replies: garbage, truncation and foreign questions are refused with a reason", "[dns][hostile]") {
    std::string err;
    CHECK_FALSE(dns_wire_text("", "example.org", "MX", &err));
    CHECK(err == "empty reply");
    CHECK_FALSE(dns_wire_text(std::string("\x12\x34\x81\x80\x00\x01", 6), "example.org", "MX", &err));
    CHECK(err == "unreadable reply");
    // A well-formed reply to another question.
    std::string other = std::string("\x12\x34\x81\x80\x00\x01\x00\x00\x00\x00\x00\x00", 12) + "\x05other\x03org" +
                        std::string("\x00\x00\x0f\x00\x01", 5);
    CHECK_FALSE(dns_wire_text(other, "example.org", "MX", &err));
    CHECK(err == "reply does not match the query");
    // A compression pointer loop in the answer.
    std::string loop = std::string("\x12\x34\x81\x80\x00\x01\x00\x01\x00\x00\x00\x00", 12) + "\x07" "example\x03org" +
                       std::string("\x00\x00\x0f\x00\x01\xc0\x1d\x00\x0f\x00\x01\x00\x00\x00\x3c\x00\x04\x00\x0a\xc0\x1d", 21);
    CHECK_FALSE(dns_wire_text(loop, "example.org", "MX", &err));
    auto ok = dns_wire_text(std::string("\x12\x34\x81\x80\x00\x01\x00\x00\x00\x00\x00\x00", 12) + "\x07" "example\x03org" +
                                std::string("\x00\x00\x0f\x00\x01", 5),
                            "example.org", "MX", &err);
    REQUIRE(ok);
    CHECK(ok->find("status: NOERROR") != std::string::npos);
}

TEST_CASE("certificate reader: garbage and truncated PEM give no certificate, not a crash", "[tls][hostile]") {
    CHECK(summarize_pem_certs("", 0, "x").empty());
    CHECK(summarize_pem_certs("-----BEGIN CERTIFICATE-----\nMIIB\x00\xff\n-----END CERTIFICATE-----\n", 0, "x").empty());
    CHECK(summarize_pem_certs(std::string(100000, '-'), 0, "x").empty());
    CHECK(summarize_pem_certs("-----BEGIN CERTIFICATE-----\n" + std::string(5000, 'A'), 0, "x").empty());
}
