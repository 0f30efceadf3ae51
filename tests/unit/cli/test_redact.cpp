// Redaction of bundles made by `pftriage collect --redact --redact-ips`.
#include "cli/redact.hpp"

#include <catch2/catch.hpp>

#include <regex>

using pft::cli::Redactor;

namespace {
Redactor ips_only() {
    Redactor r;
    r.ips = true;
    return r;
}
} // namespace

TEST_CASE("IPv4 addresses are masked consistently, loopback and masks stay", "[redact]") {
    Redactor r = ips_only();
    std::string a = r.apply("connect from mail.example[203.0.113.7]: 203.0.113.7 and 198.51.100.1");
    CHECK(a.find("203.0.113.7") == std::string::npos);
    CHECK(a.find("198.51.100.1") == std::string::npos);
    // the same original gets the same mask, in another file too
    std::string b = r.apply("client=unknown[203.0.113.7]");
    std::smatch m;
    REQUIRE(std::regex_search(a, m, std::regex(R"(\[(198\.18\.\d+\.\d+)\])")));
    CHECK(b == "client=unknown[" + m[1].str() + "]");
    CHECK(r.apply("inet_interfaces = 127.0.0.1, 0.0.0.0/0 255.255.255.0") == "inet_interfaces = 127.0.0.1, 0.0.0.0/0 255.255.255.0");
    CHECK(r.apply("version 1.2.3.4.5 and 1.2.3") == "version 1.2.3.4.5 and 1.2.3");
}

TEST_CASE("IPv6 addresses are masked in their usual spellings", "[redact]") {
    Redactor r = ips_only();
    std::string log = "connect from unknown[2a01:4f8:c17:1::5] and IPv6:2A01:04F8:0C17:0001:0000:0000:0000:0005";
    std::string a = r.apply(log);
    CHECK(a.find("2a01") == std::string::npos);
    CHECK(a.find("2A01") == std::string::npos);
    // both spellings are one address: one mask
    CHECK(a == "connect from unknown[2001:db8:ffff::1] and IPv6:2001:db8:ffff::1");
    CHECK(r.apply("mynetworks = [2a01:4f8:c17:1::5]/128 [fe80::1%eth0]") .find("[2001:db8:ffff::1]/128") != std::string::npos);
    CHECK(r.apply("listen [::]:25 [::1]:10025 ff02::1") == "listen [::]:25 [::1]:10025 ff02::1");
}

TEST_CASE("Things that look like IPv6 but are not stay", "[redact]") {
    Redactor r = ips_only();
    const char* keep[] = {
        "Nov 25 12:34:56 host postfix/smtpd[123]: 4F2B31C0A5: client=x",
        "fingerprint AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89",
        "ether 00:11:22:33:44:55",
        "at 12:30:45 and 10:15",
        "word deadbeef:1::2x",
    };
    for (const char* s : keep) CHECK(r.apply(s) == s);
}

TEST_CASE("IPv4-mapped IPv6 addresses use the IPv4 mask", "[redact]") {
    Redactor r = ips_only();
    std::string a = r.apply("from ::ffff:203.0.113.9 then 203.0.113.9");
    std::smatch m;
    REQUIRE(std::regex_search(a, m, std::regex(R"(::ffff:(198\.18\.\d+\.\d+) then (198\.18\.\d+\.\d+))")));
    CHECK(m[1].str() == m[2].str());
}

TEST_CASE("Seeded server addresses also mask their reverse-DNS names", "[redact]") {
    Redactor r = ips_only();
    r.seed_ip("203.0.113.25");
    r.seed_ip("2a01:4f8::25");
    CHECK(r.apply("203.0.113.25") == "198.18.0.2");
    CHECK(r.apply("dig/PTR_25.113.0.203.txt") == "dig/PTR_2.0.18.198.txt");
    // blocklist query names: the reversed address under a zone whose first label is one letter
    CHECK(r.apply("dig/A_25.113.0.203.b.barracudacentral.org.txt") == "dig/A_2.0.18.198.b.barracudacentral.org.txt");
    std::string nib = pft::cli::ipv6_reverse_nibbles("2a01:4f8::25");
    REQUIRE(nib.size() == 63);
    CHECK(nib.rfind("5.2.0.0.", 0) == 0);
    std::string masked = r.apply(nib + ".ip6.arpa. PTR mail.example.");
    CHECK(masked == pft::cli::ipv6_reverse_nibbles("2001:db8:ffff::1") + ".ip6.arpa. PTR mail.example.");
}

TEST_CASE("Local parts become userN, postmaster and MAILER-DAEMON stay", "[redact]") {
    Redactor r;
    r.addresses = true;
    CHECK(r.apply("from=<carol.secret@lab.example> to=<postmaster@lab.example>") ==
          "from=<user1@lab.example> to=<postmaster@lab.example>");
    CHECK(r.apply("orig_to=<carol.secret@other.example>") == "orig_to=<user1@other.example>");
    CHECK(r.apply("MAILER-DAEMON@lab.example user@localhost") == "MAILER-DAEMON@lab.example user@localhost");
}
