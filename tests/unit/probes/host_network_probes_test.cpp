// host_network_probes_test.cpp - sockets, tables, TLS and role probes: parsers on real
// outputs (tests/lab/make-probe-fixtures.py), certificates made with openssl here
// (valid, expired at the reference time, wrong name, other key, incomplete chain,
// key mode 0644), and a real TLS handshake with `openssl s_server` on loopback.
#include "probe_test_support.hpp"
#include "probes/builtin_probes.hpp"
#include "probes/exec.hpp"
#include "probes/live_source.hpp"
#include "probes/parse/s_client.hpp"
#include "probes/parse/sockets.hpp"
#include "probes/parse/stat_lines.hpp"
#include "probes/tls_client.hpp"

#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <csignal>
#include <fcntl.h>
#include <netinet/in.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

using namespace pft::probes;
using namespace pft::probes::test;

namespace {

std::string real(const std::string& n) { return slurp(fixture_dir() + "/real/" + n); }

std::string val(const std::vector<pft::engine::Fact>& f, const std::string& n, const std::string& s) {
    auto* x = find_fact(f, n, s);
    if (!x) return "absent";
    return x->known() ? x->value->to_string() : "unknown: " + x->unknown_reason;
}

ProbeRun run_one(Source& src, std::unique_ptr<Probe> p) {
    std::vector<std::unique_ptr<Probe>> v;
    v.push_back(std::move(p));
    return run_all(src, v, false);
}

bool openssl(const std::vector<std::string>& args) {
    std::vector<std::string> argv{"openssl"};
    argv.insert(argv.end(), args.begin(), args.end());
    return run_program(argv, std::chrono::seconds(60), 1 << 20).ok();
}

// A CA, and leaf certificates signed by it, in a temp dir.
struct Pki {
    TempDir dir;
    bool ok = true;
    Pki() {
        ok = openssl({"req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", dir / "ca.key", "-out", dir / "ca.pem",
                      "-days", "3650", "-subj", "/CN=pftriage test CA"});
        ok = ok && leaf("good", "mx.lab.example", 30) && leaf("wrong", "other.example", 30) &&
             openssl({"genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", dir / "other.key"});
        spit(dir / "good-chain.pem", slurp(dir / "good.pem") + slurp(dir / "ca.pem"));
        ::chmod((dir / "good.key").c_str(), 0600);
    }
    bool leaf(const std::string& n, const std::string& cn, int days) {
        spit(dir / (n + ".ext"), "subjectAltName = DNS:" + cn + "\n");
        return openssl({"req", "-newkey", "rsa:2048", "-nodes", "-keyout", dir / (n + ".key"), "-out", dir / (n + ".csr"),
                        "-subj", "/CN=" + cn}) &&
               openssl({"x509", "-req", "-in", dir / (n + ".csr"), "-CA", dir / "ca.pem", "-CAkey", dir / "ca.key",
                        "-CAcreateserial", "-out", dir / (n + ".pem"), "-days", std::to_string(days), "-extfile",
                        dir / (n + ".ext")});
    }
};

} // namespace

TEST_CASE("sockets: /proc/net/tcp and ss -tlnp of the same moment agree", "[sockets][parse]") {
    auto proc = parse::parse_proc_net_tcp(real("proc-net-tcp.txt"), false);
    auto ss = parse::parse_ss_tlnp(real("ss-tlnp.txt"));
    CHECK(proc.warnings.empty());
    CHECK(ss.warnings.empty());
    REQUIRE(!ss.items.empty());
    bool found = false;
    for (const auto& l : ss.items)
        if (l.address == "127.0.0.25" && l.port == 25) {
            found = true;
            CHECK(l.process == "master");
            CHECK(l.pid > 0);
        }
    CHECK(found);
    found = false;
    for (const auto& l : proc.items) found = found || (l.address == "127.0.0.25" && l.port == 25 && l.inode > 0);
    CHECK(found);
    auto back = parse::parse_ss_tlnp(parse::render_ss_tlnp(proc.items));
    CHECK(back.items.size() == proc.items.size());
    CHECK(parse::parse_proc_net_tcp(real("proc-net-tcp6.txt"), true).warnings.empty());
}

TEST_CASE("sockets probe: listeners against master.cf", "[sockets][probe]") {
    MemorySource src;
    src.files["ss-tlnp.txt"] = real("ss-tlnp.txt");
    src.files["postconf-M.txt"] = "127.0.0.25:smtp inet n - n - - smtpd\nsubmission inet n - n - - smtpd\n";
    auto run = run_one(src, make_sockets_probe());
    CHECK(val(run.facts, "net.listening", "25") == "true");
    CHECK(val(run.facts, "net.loopback_only", "25") == "true");
    CHECK(val(run.facts, "net.port_owner", "25") == "master");
    CHECK(val(run.facts, "net.listening", "587") == "false");
    CHECK(val(run.facts, "net.expected_not_listening", "587") == "true");
    CHECK(val(run.facts, "net.listen_addr", "25").find("127.0.0.25") != std::string::npos);
}

TEST_CASE("sockets probe: another instance's master and another program on the port", "[sockets][probe]") {
    // Fault lab: several Postfix instances on one host. Ours (PID 200) binds 127.0.0.25:25;
    // another instance (PID 300) holds 127.0.0.26:25 and 127.0.0.26:587; python3 squats on
    // 127.0.0.27:25 before ours in the listing.
    MemorySource src;
    src.files["ss-tlnp.txt"] =
        "State  Recv-Q Send-Q Local Address:Port Peer Address:PortProcess\n"
        "LISTEN 0      100    127.0.0.27:25 0.0.0.0:*    users:((\"python3\",pid=400,fd=3))\n"
        "LISTEN 0      100    127.0.0.26:25 0.0.0.0:*    users:((\"master\",pid=300,fd=13))\n"
        "LISTEN 0      100    127.0.0.26:587 0.0.0.0:*    users:((\"master\",pid=300,fd=14))\n"
        "LISTEN 0      100    127.0.0.25:25 0.0.0.0:*    users:((\"master\",pid=200,fd=13))\n";
    src.files["postconf-M.txt"] = "127.0.0.25:smtp inet n - n - - smtpd\n";
    src.files["postfix-status.txt"] = "postfix/postfix-script: the Postfix mail system is running: PID: 200\nexit=0\n";
    auto run = run_one(src, make_sockets_probe());
    CHECK(val(run.facts, "net.port_owner", "25") == "master");     // the listener on master.cf's address
    CHECK(val(run.facts, "net.listening", "587") == "false");      // the other instance's 587 is not ours
    src.files.erase("postfix-status.txt");
    auto run2 = run_one(src, make_sockets_probe());
    CHECK(val(run2.facts, "net.listening", "587") == "true");      // without our PID: every listener counts
}

TEST_CASE("sockets probe: every holder of a socket; a stopping instance's daemons are not ours", "[sockets][probe]") {
    // ss lists every process holding a socket. Ours (master 200) and its smtpd hold :25;
    // a stopping instance's smtpd (its master 300 already gone) still holds :587, and a
    // foreign program holds :465.
    std::string ss =
        "State  Recv-Q Send-Q Local Address:Port Peer Address:PortProcess\n"
        "LISTEN 0      100    0.0.0.0:25 0.0.0.0:*    users:((\"smtpd\",pid=250,fd=6),(\"master\",pid=200,fd=13))\n"
        "LISTEN 0      100    127.0.0.1:587 0.0.0.0:*    users:((\"smtpd\",pid=350,fd=6))\n"
        "LISTEN 0      100    127.0.0.1:465 0.0.0.0:*    users:((\"stunnel\",pid=400,fd=3),(\"stunnel\",pid=401,fd=3))\n";
    auto parsed = parse::parse_ss_tlnp(ss);
    REQUIRE(parsed.items.size() == 3);
    REQUIRE(parsed.items[0].holders.size() == 2);
    CHECK(parsed.items[0].holders[1] == std::pair<std::string, int>{"master", 200});
    CHECK(parsed.items[0].process == "smtpd"); // the first holder, as before
    CHECK(parsed.items[0].pid == 250);
    // Rendered and parsed again: the same holders (the live source renders what it found in /proc).
    auto again = parse::parse_ss_tlnp(parse::render_ss_tlnp(parsed.items));
    REQUIRE(again.items.size() == 3);
    CHECK(again.items[2].holders == parsed.items[2].holders);
    MemorySource src;
    src.files["ss-tlnp.txt"] = ss;
    src.files["postconf-M.txt"] = "smtp inet n - n - - smtpd\n";
    src.files["postfix-status.txt"] = "postfix/postfix-script: the Postfix mail system is running: PID: 200\nexit=0\n";
    auto run = run_one(src, make_sockets_probe());
    CHECK(val(run.facts, "net.listening", "25") == "true");
    CHECK(val(run.facts, "net.listening", "587") == "false"); // held only by another instance's smtpd
    CHECK(val(run.facts, "net.listening", "465") == "true");  // a foreign program still counts
    CHECK(val(run.facts, "net.port_owner", "465") == "stunnel");
}

TEST_CASE("tables probe: stale, missing and fine indexes from tables.txt", "[tables][probe]") {
    auto t = real("tables.txt");
    auto st = parse::parse_tables_txt(t);
    REQUIRE(st.files.size() == 6);
    CHECK(st.warnings.empty());
    std::string etc = st.files[0].path.substr(0, st.files[0].path.rfind('/'));
    MemorySource src;
    src.files["tables.txt"] = t;
    src.files["postconf.txt"] = "transport_maps = hash:" + etc + "/transport\nalias_maps = hash:" + etc +
                                "/aliases\nvirtual_alias_maps = proxy:hash:" + etc + "/nosuch\n";
    src.files["postconf-M.txt"] = "submission inet n - n - - smtpd -o smtpd_sender_login_maps=lmdb:/etc/postfix/logins\n";
    src.files["ls-etc-postfix.txt"] = real("ls-etc-postfix.txt");
    auto run = run_one(src, make_tables_probe());
    CHECK(val(run.facts, "table.index_stale", etc + "/transport") == "true");
    CHECK(val(run.facts, "table.index_stale", etc + "/aliases") == "false");
    CHECK(val(run.facts, "table.source_missing", etc + "/nosuch") == "true");
    CHECK(val(run.facts, "table.index_missing", etc + "/nosuch") == "true");
    CHECK(val(run.facts, "table.param", "/etc/postfix/logins") == "submission/inet:smtpd_sender_login_maps");
    CHECK(val(run.facts, "table.index_path", "/etc/postfix/logins") == "/etc/postfix/logins.lmdb");
    CHECK(val(run.facts, "table.source_missing", "/etc/postfix/logins").rfind("unknown", 0) == 0); // no line for it
    CHECK(val(run.facts, "config.file_unsafe", "main.cf") == "false");
    CHECK(val(run.facts, "config.file_mode", "mx.lab.example.key") == "0600");
    auto ls = parse::parse_ls_ln("total 1\n-rw-rw-rw- 1 1000 0 10 2026-11-25 12:34:30.4 +0000 main.cf\n");
    REQUIRE(ls.files.size() == 1);
    CHECK(ls.files[0].mode == 0666);
    CHECK(ls.files[0].uid == 1000);
}

TEST_CASE("s_client output: a real STARTTLS session and a real handshake failure", "[tls][parse]") {
    auto ok = parse::parse_s_client(real("s_client-starttls.txt"));
    CHECK(ok.handshake_ok);
    CHECK(ok.protocol == "TLSv1.3");
    CHECK(ok.cipher == "TLS_AES_256_GCM_SHA384");
    REQUIRE(ok.chain.size() == 2);
    CHECK(ok.chain[0].subject == "CN = mx.lab.example");
    CHECK(ok.chain[0].pem.find("BEGIN CERTIFICATE") != std::string::npos);
    CHECK(ok.verify_code == 19);
    auto bad = parse::parse_s_client(real("s_client-wrongmode.txt"));
    CHECK_FALSE(bad.handshake_ok);
    CHECK(bad.error.find("wrong version number") != std::string::npos);
}

TEST_CASE("TLS probe: expiry against the reference time, names, chain, key mode", "[tls][probe]") {
    Pki pki;
    REQUIRE(pki.ok);
    MemorySource src;
    src.at = pft::engine::TimePoint{std::chrono::seconds{::time(nullptr)}};
    src.files["postconf.txt"] = "myhostname = mx.lab.example\nsmtpd_tls_cert_file = /c/good.pem\nsmtpd_tls_key_file = /c/good.key\n"
                                "smtp_tls_cert_file = /c/wrong.pem\nsmtp_tls_key_file = /c/wrong.key\n";
    src.files["tls/smtpd_tls_cert_file.pem"] = slurp(pki.dir / "good-chain.pem");
    src.files["tls/smtp_tls_cert_file.pem"] = slurp(pki.dir / "wrong.pem"); // leaf only: chain incomplete
    src.files["tls/smtpd_tls_cert_file.stat"] = "644 0 0 /c/good.pem\n";
    src.files["tls/smtpd_tls_key_file.stat"] = "600 0 0 /c/good.key\n";
    src.files["tls/smtp_tls_key_file.stat"] = "644 0 0 /c/wrong.key\n";
    src.files["tls/smtp_tls_cert_file.stat"] = "missing /c/wrong.pem\n";
    auto run = run_one(src, make_tls_probe());
    const auto& f = run.facts;
    CHECK(val(f, "tls.cert.expired", "smtpd_tls_cert_file") == "false");
    auto days = std::stoi(val(f, "tls.cert.days_left", "smtpd_tls_cert_file"));
    CHECK((days == 29 || days == 30));
    CHECK(val(f, "tls.cert.name_matches", "smtpd_tls_cert_file") == "true");
    CHECK(val(f, "tls.cert.name_matches", "smtp_tls_cert_file") == "false");
    CHECK(val(f, "tls.chain.complete", "smtpd_tls_cert_file") == "true");
    CHECK(val(f, "tls.chain.complete", "smtp_tls_cert_file") == "false");
    CHECK(val(f, "tls.key.too_open", "smtpd_tls_key_file") == "false");
    CHECK(val(f, "tls.key.too_open", "smtp_tls_key_file") == "true");
    CHECK(val(f, "tls.file.missing", "smtp_tls_cert_file") == "true");
    CHECK(val(f, "tls.key.matches", "smtpd_tls_cert_file").find("a bundle never holds private keys") != std::string::npos);
    // 40 days later (a bundle collected then): expired, against the reference time, not the clock.
    src.at += std::chrono::hours(24 * 40);
    auto later = run_one(src, make_tls_probe());
    CHECK(val(later.facts, "tls.cert.expired", "smtpd_tls_cert_file") == "true");
    CHECK(std::stoi(val(later.facts, "tls.cert.days_left", "smtpd_tls_cert_file")) < 0);
}

TEST_CASE("TLS probe live: key matches certificate, or not (postconf -c on a temp config)", "[tls][live]") {
    if (::access("/usr/sbin/postconf", X_OK) != 0) {
        WARN("postconf is missing: skipping");
        return;
    }
    Pki pki;
    REQUIRE(pki.ok);
    std::string etc = pki.dir / "etc";
    std::filesystem::create_directories(etc);
    spit(etc + "/main.cf", "myhostname = mx.lab.example\nsmtpd_tls_cert_file = " + pki.dir / "good.pem" +
                           "\nsmtpd_tls_key_file = " + pki.dir / "good.key" + "\nsmtp_tls_cert_file = " +
                           pki.dir / "good.pem" + "\nsmtp_tls_key_file = " + pki.dir / "other.key" + "\n");
    spit(etc + "/master.cf", "");
    LiveOptions o;
    o.config_dir = etc;
    LiveSource live(o);
    auto run = run_one(live, make_tls_probe());
    CHECK(val(run.facts, "tls.key.matches", "smtpd_tls_cert_file") == "true");
    CHECK(val(run.facts, "tls.key.matches", "smtp_tls_cert_file") == "false");
    CHECK(val(run.facts, "tls.cert.name_matches", "smtpd_tls_cert_file") == "true");
    // Never a key in what the live source hands out.
    CHECK_FALSE(live.get("tls/smtpd_tls_key_file.pem").ok);
    auto pem = live.get("tls/smtpd_tls_cert_file.pem");
    REQUIRE(pem.ok);
    CHECK(pem.text.find("PRIVATE KEY") == std::string::npos);
}

TEST_CASE("TLS client: a real handshake with openssl s_server on loopback", "[tls][live]") {
    Pki pki;
    REQUIRE(pki.ok);
    int s = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a);
    socklen_t l = sizeof a;
    ::getsockname(s, reinterpret_cast<sockaddr*>(&a), &l);
    ::close(s);
    int port = ntohs(a.sin_port);
    std::string accept = "127.0.0.1:" + std::to_string(port);
    std::string cert = pki.dir / "good.pem", key = pki.dir / "good.key", ca = pki.dir / "ca.pem";
    const char* argv[] = {"/usr/bin/openssl", "s_server", "-quiet", "-accept", accept.c_str(), "-cert", cert.c_str(),
                          "-key", key.c_str(), "-cert_chain", ca.c_str(), "-naccept", "1", nullptr};
    pid_t pid = -1;
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
    REQUIRE(::posix_spawn(&pid, argv[0], &fa, nullptr, const_cast<char* const*>(argv), environ) == 0);
    posix_spawn_file_actions_destroy(&fa);
    struct Stop {
        pid_t pid;
        ~Stop() {
            ::kill(pid, SIGKILL);
            ::waitpid(pid, nullptr, 0);
        }
    } stop{pid};
    std::string text;
    for (int i = 0; i < 50; ++i) { // until s_server listens
        text = tls_handshake_text("127.0.0.1", port, false, std::chrono::seconds(3));
        if (text.find("CONNECTED") != std::string::npos) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    auto r = parse::parse_s_client(text);
    CHECK(r.handshake_ok);
    CHECK(r.protocol.rfind("TLSv1.", 0) == 0);
    REQUIRE(r.chain.size() == 2);
    CHECK(r.chain[0].subject == "CN = mx.lab.example");
    // Nothing listens any more: a refused connection is an error, quickly.
    auto refused = parse::parse_s_client(tls_handshake_text("127.0.0.1", 1, true, std::chrono::seconds(2)));
    CHECK_FALSE(refused.handshake_ok);
    CHECK_FALSE(refused.error.empty());
}

TEST_CASE("role probe: relay-only null client vs inbound MX with submission", "[role][probe]") {
    MemorySource nc;
    nc.files["postconf.txt"] = "relayhost = [smarthost.example]:587\ninet_interfaces = loopback-only\nmydestination =\n";
    nc.files["postconf-M.txt"] = "smtp inet n - y - - smtpd\n";
    auto a = run_one(nc, make_role_probe());
    CHECK(val(a.facts, "role.null_client", "") == "true");
    CHECK(val(a.facts, "role.relay_only", "") == "true");
    CHECK(val(a.facts, "role.inbound_mx", "") == "false");
    MemorySource mx;
    mx.files["postconf.txt"] = "relayhost =\ninet_interfaces = all\nmydestination = $myhostname, localhost, example.org\nmyhostname = mx.example.org\n";
    mx.files["postconf-M.txt"] = "smtp inet n - y - - smtpd\nsubmission inet n - y - - smtpd -o smtpd_tls_security_level=encrypt\n";
    auto b = run_one(mx, make_role_probe());
    CHECK(val(b.facts, "role.inbound_mx", "") == "true");
    CHECK(val(b.facts, "role.submission", "") == "true");
    CHECK(val(b.facts, "role.null_client", "") == "false");
    CHECK(val(b.facts, "role.relay_only", "") == "false");
}
