// The guide's consented read-only checks: how real program outputs are read, and a
// real run of the DNS check on this machine (it must decide, within its time limit).
#include "cli/guide/checks.hpp"

#include <catch2/catch.hpp>

#include <chrono>

using namespace pft::cli::guide;

namespace {
const CheckDef& def(const std::string& fact) {
    for (const auto& c : allowed_checks())
        if (c.fact == fact) return c;
    FAIL("no check for " << fact);
    throw 0;
}
ProgramOutcome ran(int code, std::string out, bool timed_out = false) { return {true, timed_out, code, std::move(out)}; }
} // namespace

TEST_CASE("Every check is read-only and runs a fixed argument vector", "[guide][checks]") {
    for (const auto& c : allowed_checks()) {
        CHECK(c.fact.rfind("user.", 0) == 0);
        CHECK(c.timeout_s > 0);
        CHECK(c.timeout_s <= 30);
        REQUIRE_FALSE(c.commands.empty());
        for (const auto& argv : c.commands) {
            REQUIRE_FALSE(argv.empty());
            // only lookup and probing programs, never a shell or anything that writes
            const std::string p = argv[0];
            CHECK((p == "dig" || p == "host" || p == "ping" || p == "posttls-finger"));
            for (const auto& a : argv) CHECK(a.find_first_of(";|&`$<>") == std::string::npos);
        }
    }
}

TEST_CASE("DNS check: real dig and host outputs", "[guide][checks]") {
    const auto& c = def("user.dns_lookup_works");
    // dig +noall +comments +answer, captured on a host whose resolver answers NXDOMAIN for gmail.com
    CHECK(interpret_check(c, ran(0, ";; Got answer:\n;; ->>HEADER<<- opcode: QUERY, status: NXDOMAIN, id: 44262\n"
                                    ";; flags: qr rd ra; QUERY: 1, ANSWER: 0, AUTHORITY: 0, ADDITIONAL: 1\n")) == false);
    CHECK(interpret_check(c, ran(9, ";; communications error to 127.0.0.1#1: connection refused\n;; no servers could be reached\n")) == false);
    CHECK(interpret_check(c, ran(0, ";; Got answer:\n;; ->>HEADER<<- opcode: QUERY, status: NOERROR, id: 5\n"
                                    ";; flags: qr rd ra; QUERY: 1, ANSWER: 5, AUTHORITY: 0, ADDITIONAL: 1\n\n"
                                    "gmail.com.\t\t3600\tIN\tMX\t5 gmail-smtp-in.l.google.com.\n")) == true);
    CHECK(interpret_check(c, ran(1, "Host gmail.com not found: 3(NXDOMAIN)\n")) == false);
    CHECK(interpret_check(c, ran(0, "gmail.com mail is handled by 5 gmail-smtp-in.l.google.com.\n")) == true);
    CHECK(interpret_check(c, ran(0, "", true)) == false);
    CHECK_FALSE(interpret_check(c, ProgramOutcome{}).has_value()); // never started: undecided
}

TEST_CASE("Port 25 check: a name-service failure does not decide it", "[guide][checks]") {
    const auto& c = def("user.port25_outbound_works");
    CHECK_FALSE(interpret_check(c, ran(0, "posttls-finger: Destination address lookup failed: Host or domain name not found. "
                                          "Name service error for name=gmail-smtp-in.l.google.com type=AAAA: Host not found\n"))
                     .has_value());
    CHECK(interpret_check(c, ran(0, "posttls-finger: Connected to gmail-smtp-in.l.google.com[142.250.1.27]:25\n"
                                    "posttls-finger: < 220 mx.google.com ESMTP\n")) == true);
    CHECK(interpret_check(c, ran(0, "posttls-finger: connect to gmail-smtp-in.l.google.com[142.250.1.27]:25: Connection timed out\n")) == false);
}

TEST_CASE("Internet check: ping outputs", "[guide][checks]") {
    const auto& c = def("user.internet_works");
    CHECK(interpret_check(c, ran(0, "64 bytes from 1.1.1.1: icmp_seq=1 ttl=57 time=3.1 ms\n")) == true);
    CHECK(interpret_check(c, ran(2, "ping: connect: Network is unreachable\n")) == false);
    CHECK(interpret_check(c, ran(1, "2 packets transmitted, 0 received, 100% packet loss\n")) == false);
}

TEST_CASE("The DNS check really runs here and decides within its time limit", "[guide][checks][live]") {
    const auto& c = def("user.dns_lookup_works");
    auto t0 = std::chrono::steady_clock::now();
    CheckResult r = run_check(c);
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    INFO(r.summary << "\n" << r.output);
    REQUIRE(r.ran); // dig (dnsutils) is installed by the test dependencies
    CHECK(r.command == "dig +time=3 +tries=1 +noall +comments +answer MX gmail.com");
    CHECK(r.value.has_value()); // any resolver answers or fails in a way the check reads
    CHECK(secs < c.timeout_s + 2);
}
