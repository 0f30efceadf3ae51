// dns_probe_test.cpp - the dig parser, SPF/DMARC/DKIM and the DNS probe on real dig
// outputs captured from nsd (tests/lab/make-dns-fixtures.py), and the live DNS
// client against an nsd this test starts on loopback (stopped by pid, always).
#include "probe_test_support.hpp"
#include "probes/builtin_probes.hpp"
#include "probes/dns_client.hpp"
#include "probes/live_source.hpp"
#include "probes/parse/dig_output.hpp"
#include "probes/parse/mail_auth_records.hpp"
#include "probes/parse/spf.hpp"

#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <csignal>
#include <fcntl.h>
#include <netinet/in.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <filesystem>
#include <fstream>
#include <thread>
#include <unistd.h>

using namespace pft::probes;
using namespace pft::probes::test;
using pft::probes::parse::parse_dig;

namespace {

std::string dig_fixture(const std::string& name) { return slurp(fixture_dir() + "/dig/" + name); }

// Answers from the fixture directory; "MISSING" for names not captured.
parse::DigAnswer fixture_lookup(const std::string& type, const std::string& name) {
    std::string path = fixture_dir() + "/dig/" + type + "_" + name + ".txt";
    if (::access(path.c_str(), R_OK) != 0) {
        parse::DigAnswer m;
        m.rcode = "MISSING";
        return m;
    }
    return parse_dig(slurp(path));
}

} // namespace

TEST_CASE("dig parser: status, NODATA and NXDOMAIN are told apart", "[dns][parse]") {
    auto mx = parse_dig(dig_fixture("MX_lab.example.txt"));
    CHECK(mx.rcode == "NOERROR");
    CHECK(mx.status("MX") == "NOERROR");
    REQUIRE(mx.of_type("MX").size() == 1);
    CHECK(mx.of_type("MX")[0]->fields == std::vector<std::string>{"10", "mx.lab.example"});
    CHECK(mx.qname == "lab.example");
    CHECK(mx.warnings.empty());
    CHECK(parse_dig(dig_fixture("AAAA_lab.example.txt")).status("AAAA") == "NODATA");
    CHECK(parse_dig(dig_fixture("MX_nosuch.lab.example.txt")).status("MX") == "NXDOMAIN");
    CHECK(parse_dig(dig_fixture("MX_broken.example.txt")).status("MX") == "SERVFAIL");
    CHECK(parse_dig(dig_fixture("MX_timeout.example.txt")).status("MX") == "TIMEOUT");
}

TEST_CASE("dig parser: CNAME chains, multi-string TXT and TLSA", "[dns][parse]") {
    auto www = parse_dig(dig_fixture("A_www.lab.example.txt"));
    REQUIRE(www.of_type("A").size() == 1);
    CHECK(www.of_type("A")[0]->fields[0] == "192.0.2.25");
    CHECK(www.of_type("CNAME").size() == 1);
    auto many = parse_dig(dig_fixture("TXT_spf-many.lab.example.txt"));
    REQUIRE(many.of_type("TXT").size() == 1);
    CHECK(many.of_type("TXT")[0]->text.rfind("v=spf1 include:s0.lab.example include:s1.lab.example", 0) == 0);
    auto tlsa = parse_dig(dig_fixture("TLSA__25._tcp.mx.lab.example.txt"));
    REQUIRE(tlsa.of_type("TLSA").size() == 1);
    CHECK(tlsa.of_type("TLSA")[0]->fields[0] == "3");
    CHECK(parse::reverse_name("192.0.2.25") == "25.2.0.192.in-addr.arpa");
    CHECK(parse::reverse_name("2001:db8::1").size() == 72);
    CHECK(parse::reverse_name("x").empty());
}

TEST_CASE("dig parser: hostile input gives warnings, not a crash", "[dns][parse]") {
    auto a = parse_dig(";; ->>HEADER<<- opcode: QUERY, status: NOERROR, id: 1\n;; ANSWER SECTION:\n"
                       "x. 300 IN MX notanumber\n" + std::string(100000, 'a') + "\n");
    CHECK(a.rcode == "NOERROR");
    CHECK(a.answer.empty());
    CHECK_FALSE(a.warnings.empty());
    CHECK(parse_dig("").rcode.empty());
}

TEST_CASE("SPF: evaluation with include chains, limits and qualifiers", "[dns][spf]") {
    parse::DnsLookup look = fixture_lookup;
    auto pass = parse::spf_check_host("lab.example", std::string("192.0.2.25"), look);
    CHECK(pass.result == "pass");
    CHECK(pass.lookups == 0);
    CHECK(parse::spf_check_host("lab.example", std::string("203.0.113.9"), look).result == "fail");
    auto chain = parse::spf_check_host("spf-chain.lab.example", std::string("198.51.100.7"), look);
    CHECK(chain.result == "pass"); // include:_spf1 -> include:_spf2 -> ip4:198.51.100.0/24
    auto chain_ok = parse::spf_check_host("spf-chain.lab.example", std::string("192.0.2.25"), look);
    CHECK(chain_ok.result == "pass"); // a:mx.lab.example inside the first include
    CHECK(chain_ok.lookups == 2);
    auto many = parse::spf_check_host("spf-many.lab.example", std::nullopt, look);
    CHECK(many.result == "permerror"); // 12 includes: over the 10-lookup limit
    CHECK(many.lookups == 11);
    auto gone = parse::spf_check_host("spf-chain.lab.example", std::string("198.51.100.7"),
                                      [](const std::string& t, const std::string& n) {
                                          if (n == "_spf2.lab.example") {
                                              parse::DigAnswer m;
                                              m.rcode = "MISSING";
                                              return m;
                                          }
                                          return fixture_lookup(t, n);
                                      });
    CHECK(gone.result == "unknown"); // an answer not in the evidence: unknown, never a guess
    // The limit itself, with answers made up in memory.
    parse::DnsLookup loop = [](const std::string& t, const std::string& n) {
        parse::DigAnswer a;
        a.rcode = "NOERROR";
        if (t == "TXT") {
            parse::DnsRecord r;
            r.type = "TXT";
            r.owner = n;
            r.text = n == "top.example" ? "v=spf1 include:a.example include:b.example include:c.example include:d.example "
                                          "include:e.example include:f.example include:g.example include:h.example "
                                          "include:i.example include:j.example include:k.example -all"
                                        : "v=spf1 -all";
            a.answer.push_back(r);
        }
        return a;
    };
    auto over = parse::spf_check_host("top.example", std::string("192.0.2.1"), loop);
    CHECK(over.result == "permerror");
    CHECK(over.reason.find("more than 10 DNS lookups") != std::string::npos);
    parse::DnsLookup voids = [](const std::string& t, const std::string& n) {
        parse::DigAnswer a;
        a.rcode = "NXDOMAIN";
        if (t == "TXT" && n == "v.example") {
            a.rcode = "NOERROR";
            parse::DnsRecord r;
            r.type = "TXT";
            r.text = "v=spf1 a:x1.example a:x2.example a:x3.example ~all";
            a.answer.push_back(r);
        }
        return a;
    };
    auto v = parse::spf_check_host("v.example", std::string("192.0.2.1"), voids);
    CHECK(v.result == "permerror");
    CHECK(v.void_lookups == 3);
    CHECK(parse::ip_in_cidr("198.51.100.7", "198.51.100.0", 24));
    CHECK_FALSE(parse::ip_in_cidr("198.51.101.7", "198.51.100.0", 24));
    CHECK(parse::ip_in_cidr("2001:db8::5", "2001:db8::", 64));
}

TEST_CASE("DMARC and DKIM records are parsed and checked", "[dns][auth]") {
    auto d = parse::parse_dmarc(parse_dig(dig_fixture("TXT__dmarc.lab.example.txt")).of_type("TXT")[0]->text);
    CHECK(d.valid);
    CHECK(d.policy == "quarantine");
    CHECK_FALSE(parse::parse_dmarc("p=reject; v=DMARC1").valid);
    CHECK(parse::parse_dmarc("v=DMARC1; p=maybe").problems.size() == 1);
    auto k = parse::parse_dkim_key(parse_dig(dig_fixture("TXT_default._domainkey.lab.example.txt")).of_type("TXT")[0]->text);
    CHECK(k.valid);
    CHECK(k.key_bits == 1024);
    auto revoked = parse::parse_dkim_key("v=DKIM1; k=rsa; p=");
    CHECK(revoked.revoked);
    CHECK_FALSE(revoked.valid);
}

TEST_CASE("DNS probe on captured answers: PTR, SPF, DMARC, DKIM, TLSA, blocklists", "[dns][probe]") {
    MemorySource src;
    src.keys = {{"server_ips", "192.0.2.25"}, {"mail_domains", "lab.example"}};
    src.files["postconf.txt"] = "myhostname = mx.lab.example\nsmtpd_client_restrictions = permit_mynetworks, reject_rbl_client bl.lab.example\n";
    for (const auto& e : std::filesystem::directory_iterator(fixture_dir() + "/dig"))
        src.files["dig/" + e.path().filename().string()] = slurp(e.path().string());
    // The blocklist answers under their real query names (fixtures were captured for 127.0.0.2 and 192.0.2.25).
    std::vector<std::unique_ptr<Probe>> probes;
    probes.push_back(make_dns_probe());
    auto run = run_all(src, probes, false);
    const auto& f = run.facts;
    auto val = [&](const std::string& n, const std::string& s) -> std::string {
        auto* x = find_fact(f, n, s);
        if (!x) return "absent";
        return x->known() ? x->value->to_string() : "unknown: " + x->unknown_reason;
    };
    CHECK(val("dns.mx.status", "lab.example") == "NOERROR");
    CHECK(val("dns.status", "AAAA lab.example") == "NODATA");
    CHECK(val("dns.ptr", "192.0.2.25") == "mx.lab.example");
    CHECK(val("dns.ptr_confirmed", "192.0.2.25") == "true");
    CHECK(val("dns.ptr_matches_hostname", "192.0.2.25") == "true");
    CHECK(val("spf.result", "192.0.2.25|lab.example") == "pass");
    CHECK(val("spf.count", "lab.example") == "1");
    CHECK(val("spf.lookups", "lab.example") == "0");
    CHECK(val("dmarc.policy", "lab.example") == "quarantine");
    CHECK(val("dmarc.valid", "lab.example") == "true");
    CHECK(val("dkim.key_present", "default.lab.example") == "true");
    CHECK(val("dns.tlsa_present", "mx.lab.example") == "true");
    // 192.0.2.25 under bl.lab.example answers 127.255.255.254: an error code, so unknown, not listed.
    auto bl = val("dnsbl.listed", "192.0.2.25|bl.lab.example");
    CHECK(bl.rfind("unknown: ", 0) == 0);
    CHECK(bl.find("127.255.255.254") != std::string::npos);
    CHECK(val("dnsbl.listed", "192.0.2.25|zen.spamhaus.org").rfind("unknown: ", 0) == 0); // not in the evidence
    for (const auto& x : f) INFO(x.name << "[" << x.subject << "]");
}

TEST_CASE("DNS probe: a listing (127.0.0.2) is true, NXDOMAIN is false", "[dns][probe]") {
    MemorySource src;
    src.keys = {{"server_ips", "127.0.0.2 203.0.113.99"}, {"mail_domains", "lab.example"}};
    src.files["postconf.txt"] = "postscreen_dnsbl_sites = bl.lab.example*2\n";
    src.files["dig/A_2.0.0.127.bl.lab.example.txt"] = dig_fixture("A_2.0.0.127.bl.lab.example.txt");
    src.files["dig/A_99.113.0.203.bl.lab.example.txt"] = dig_fixture("A_99.113.0.203.bl.lab.example.txt");
    std::vector<std::unique_ptr<Probe>> probes;
    probes.push_back(make_dns_probe());
    auto run = run_all(src, probes, false);
    auto* listed = find_fact(run.facts, "dnsbl.listed", "127.0.0.2|bl.lab.example");
    REQUIRE(listed);
    CHECK(listed->value == pft::engine::Value(true));
    auto* clean = find_fact(run.facts, "dnsbl.listed", "203.0.113.99|bl.lab.example");
    REQUIRE(clean);
    CHECK(clean->value == pft::engine::Value(false));
}

namespace {

int free_udp_port() {
    int s = ::socket(AF_INET, SOCK_DGRAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a);
    socklen_t l = sizeof a;
    ::getsockname(s, reinterpret_cast<sockaddr*>(&a), &l);
    ::close(s);
    return ntohs(a.sin_port);
}

// An authoritative nsd on 127.0.0.1:PORT in a temp dir; stopped by pid in the destructor.
struct Nsd {
    TempDir dir;
    pid_t pid = -1;
    int port = 0;
    Nsd() {
        port = free_udp_port();
        spit(dir / "lab.example.zone",
             "$ORIGIN lab.example.\n$TTL 300\n@ SOA ns hostmaster 1 3600 600 86400 300\n@ NS ns\nns A 127.0.0.1\n"
             "@ MX 10 mx\nmx A 192.0.2.25\n@ TXT \"v=spf1 ip4:192.0.2.25 -all\"\n");
        std::string conf = "server:\n  ip-address: 127.0.0.1@" + std::to_string(port) + "\n  port: " + std::to_string(port) +
                           "\n  do-ip6: no\n  username: \"\"\n  chroot: \"\"\n  zonesdir: \"" + dir.path() +
                           "\"\n  database: \"\"\n  zonelistfile: \"" + dir.path() + "/zone.list\"\n  xfrdfile: \"" +
                           dir.path() + "/xfrd.state\"\n  xfrdir: \"" + dir.path() + "\"\n  pidfile: \"" + dir.path() +
                           "/nsd.pid\"\n  logfile: \"" + dir.path() + "/nsd.log\"\n  server-count: 1\n"
                           "remote-control:\n  control-enable: no\n"
                           "zone:\n  name: lab.example\n  zonefile: lab.example.zone\n"
                           "zone:\n  name: broken.example\n  zonefile: broken.example.missing\n";
        spit(dir / "nsd.conf", conf);
        std::string cf = dir / "nsd.conf";
        const char* argv[] = {"/usr/sbin/nsd", "-d", "-c", cf.c_str(), nullptr};
        posix_spawn_file_actions_t fa;
        posix_spawn_file_actions_init(&fa);
        posix_spawn_file_actions_addopen(&fa, 1, (dir / "nsd.out").c_str(), O_WRONLY | O_CREAT, 0600);
        posix_spawn_file_actions_adddup2(&fa, 1, 2);
        if (::posix_spawn(&pid, argv[0], &fa, nullptr, const_cast<char* const*>(argv), environ) != 0) pid = -1;
        posix_spawn_file_actions_destroy(&fa);
    }
    ~Nsd() {
        if (pid > 0) {
            ::kill(pid, SIGTERM);
            for (int i = 0; i < 50 && ::waitpid(pid, nullptr, WNOHANG) == 0; ++i) ::usleep(100000);
            ::kill(pid, SIGKILL);
            ::waitpid(pid, nullptr, WNOHANG);
        }
    }
    std::string resolver() const { return "127.0.0.1:" + std::to_string(port); }
};

} // namespace

TEST_CASE("live DNS against a real nsd: NOERROR, NODATA, NXDOMAIN, SERVFAIL, REFUSED, TIMEOUT", "[dns][live]") {
    if (::access("/usr/sbin/nsd", X_OK) != 0 || ::geteuid() != 0) {
        WARN("nsd or root is missing: skipping the live DNS test");
        return;
    }
    Nsd nsd;
    REQUIRE(nsd.pid > 0);
    DnsServer server{"127.0.0.1", static_cast<unsigned short>(nsd.port)};
    std::string status;
    for (int i = 0; i < 100; ++i) { // nsd needs a moment to load its zones
        status = parse_dig(dns_query_text(server, "SOA", "lab.example", std::chrono::milliseconds(300))).rcode;
        if (status == "NOERROR") break;
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    REQUIRE(status == "NOERROR");
    LiveOptions o;
    o.resolver = nsd.resolver();
    o.dns_timeout = std::chrono::milliseconds(1500);
    LiveSource live(o);
    auto q = [&](const std::string& n, const std::string& type) { return parse_dig(live.get(n).text).status(type); };
    CHECK(q("dig/MX_lab.example.txt", "MX") == "NOERROR");
    auto mx = parse_dig(live.get("dig/MX_lab.example.txt").text);
    REQUIRE(mx.of_type("MX").size() == 1);
    CHECK(mx.of_type("MX")[0]->fields[1] == "mx.lab.example");
    CHECK(q("dig/AAAA_lab.example.txt", "AAAA") == "NODATA");
    CHECK(q("dig/MX_nosuch.lab.example.txt", "MX") == "NXDOMAIN");
    CHECK(q("dig/MX_broken.example.txt", "MX") == "SERVFAIL");
    CHECK(q("dig/A_2.0.0.127.zen.spamhaus.org.txt", "A") == "REFUSED");
    CHECK(parse_dig(live.get("dig/TXT_lab.example.txt").text).of_type("TXT")[0]->text == "v=spf1 ip4:192.0.2.25 -all");

    // A UDP port that never answers: TIMEOUT, within the per-query limit.
    int silent = ::socket(AF_INET, SOCK_DGRAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::bind(silent, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
    socklen_t l = sizeof a;
    ::getsockname(silent, reinterpret_cast<sockaddr*>(&a), &l);
    LiveOptions t;
    t.resolver = "127.0.0.1:" + std::to_string(ntohs(a.sin_port));
    t.dns_timeout = std::chrono::milliseconds(700);
    t.dns_budget = std::chrono::milliseconds(1500);
    LiveSource dead(t);
    auto start = std::chrono::steady_clock::now();
    CHECK(parse_dig(dead.get("dig/MX_lab.example.txt").text).rcode == "TIMEOUT");
    auto one = std::chrono::steady_clock::now() - start;
    CHECK(one < std::chrono::milliseconds(1200));
    // It never answered: the next query fails at once, without waiting another timeout.
    start = std::chrono::steady_clock::now();
    auto again = dead.get("dig/A_mx.lab.example.txt");
    CHECK(parse_dig(again.text).rcode == "TIMEOUT");
    CHECK(again.text.find("taken as unreachable") != std::string::npos);
    CHECK(std::chrono::steady_clock::now() - start < std::chrono::milliseconds(300));
    // The whole DNS probe against the silent server stays within the budget, its facts unknown or TIMEOUT.
    MemorySource cfg_only; // not used: the probe reads through the live source
    (void)cfg_only;
    std::vector<std::unique_ptr<Probe>> probes;
    probes.push_back(make_dns_probe());
    LiveOptions t2 = t;
    t2.mail_domains = "lab.example example.net";
    t2.server_ips = "192.0.2.25";
    // The probe also runs postconf; give it a configuration of its own, so the host's does
    // not count (without /etc/postfix/main.cf postconf's fatal error sleeps 1 s, three times),
    // dated an hour back (Postfix waits 300 ms for a main.cf modified in the last seconds).
    auto cfg = std::filesystem::temp_directory_path() / ("pft-dns-cfg-" + std::to_string(::getpid()));
    std::filesystem::create_directories(cfg);
    { std::ofstream(cfg / "main.cf") << "myhostname = mx.lab.example\nmydomain = lab.example\n"; }
    { std::ofstream(cfg / "master.cf") << ""; }
    for (const char* f : {"main.cf", "master.cf"})
        std::filesystem::last_write_time(cfg / f, std::filesystem::file_time_type::clock::now() - std::chrono::hours(1));
    t2.config_dir = cfg.string();
    LiveSource dead2(t2);
    start = std::chrono::steady_clock::now();
    auto run = run_all(dead2, probes, true);
    auto all = std::chrono::steady_clock::now() - start;
    // One query's timeout (not the 3-round budget) plus slack for a loaded machine.
    CHECK(all < std::chrono::milliseconds(700 + 1000));
    auto* st = find_fact(run.facts, "dns.mx.status", "lab.example");
    REQUIRE(st);
    CHECK(st->value == pft::engine::Value("TIMEOUT"));
    ::close(silent);
    std::filesystem::remove_all(cfg);
}
