// parsers_test.cpp - the pure parsers of probes/parse/ on real Postfix 3.7.11 output
// (tests/fixtures/probes/, captured from a throwaway instance) and on broken input.
#include "probe_test_support.hpp"
#include "probes/parse/df.hpp"
#include "probes/parse/loadavg.hpp"
#include "probes/parse/mailq.hpp"
#include "probes/parse/main_cf.hpp"
#include "probes/parse/master_services.hpp"
#include "probes/parse/meminfo.hpp"
#include "probes/parse/postconf_output.hpp"
#include "probes/parse/postfix_diagnostics.hpp"
#include "probes/parse/postfix_status.hpp"
#include "probes/parse/postqueue_json.hpp"

#include <catch2/catch.hpp>

#include <set>

using namespace pft::probes::parse;
using pft::probes::test::bundle_fixture;
using pft::probes::test::fixture_dir;
using pft::probes::test::slurp;

namespace {
std::string fx(const std::string& name) { return slurp(bundle_fixture() + "/" + name); }
constexpr std::int64_t arrival_of_fixture = 1795608257; // 2026-11-25T12:04:17Z
} // namespace

TEST_CASE("postconf output: every parameter of a real postconf with its line", "[parse][postconf]") {
    auto pc = parse_postconf(fx("postconf.txt"));
    CHECK(pc.warnings.empty());
    CHECK(pc.entries.size() == 1043);
    REQUIRE(pc.find("relayhost"));
    CHECK(pc.find("relayhost")->value == "[127.0.0.1]:10999");
    CHECK(pc.find("relayhost")->line == 587);
    CHECK(pc.find("mail_version")->value == "3.7.11");
    REQUIRE(pc.find("alias_maps"));
    CHECK(pc.find("mynetworks_style") != nullptr);
}

TEST_CASE("postconf output: empty values, folded lines and bad lines", "[parse][postconf]") {
    auto pc = parse_postconf("a = 1\nempty =\nfolded = x,\n    y\nthis is not a parameter\n"
                             "postconf: warning: /etc/postfix/main.cf: unused parameter: z=1\nlast=2\n");
    REQUIRE(pc.entries.size() == 4);
    CHECK(pc.find("empty")->value.empty());
    CHECK(pc.find("folded")->value == "x, y");
    CHECK(pc.find("last")->value == "2");
    REQUIRE(pc.warnings.size() == 2);
    CHECK(pc.warnings[0].line == 5);
    CHECK(pc.warnings[1].line == 6);
    CHECK(pc.warnings[1].message.find("diagnostic") != std::string::npos);
}

TEST_CASE("postconf -n: explicit parameters", "[parse][postconf]") {
    auto pc = parse_postconf(fx("postconf-n.txt"));
    CHECK(pc.warnings.empty());
    REQUIRE(pc.find("smtpd_recipient_restrictions"));
    CHECK(pc.find("smtpd_recipient_restrictions")->value == "permit_mynetworks, reject_unauth_destination");
    CHECK_FALSE(pc.find("myhostnme")); // postconf -n leaves out parameters it does not know
}

TEST_CASE("postconf warnings: unused parameter and overriding earlier entry as Postfix 3.7 prints them",
          "[parse][diagnostics]") {
    auto d = parse_postfix_diagnostics(fx("postconf-warnings.txt"));
    CHECK(d.warnings.empty());
    REQUIRE(d.items.size() == 4);
    CHECK(d.items[0].kind == DiagnosticKind::OverridingEntry);
    CHECK(d.items[0].program == "postconf");
    CHECK(d.items[0].severity == "warning");
    CHECK(d.items[0].file == "/tmp/pfx-probes/etc/main.cf");
    CHECK(d.items[0].file_line == 44);
    CHECK(d.items[0].name == "relayhost");
    CHECK(d.items[0].value == "[127.0.0.1]:10999"); // the earlier value being overridden
    CHECK(d.items[1].file_line == 49);
    CHECK(d.items[2].kind == DiagnosticKind::UnusedParameter);
    CHECK(d.items[2].name == "myhostnme");
    CHECK(d.items[2].value == "typo.probes.test");
    CHECK_FALSE(d.items[2].file_line);
    CHECK(d.items[3].file == "/tmp/pfx-probes/etc/master.cf");
    CHECK(d.items[3].name == "smtpd_bogus_knob");
}

TEST_CASE("postfix check output: every line is a diagnostic of some Postfix program", "[parse][diagnostics]") {
    auto d = parse_postfix_diagnostics(fx("postfix-check.txt"));
    CHECK(d.warnings.empty());
    REQUIRE(d.items.size() > 10);
    CHECK(d.items[0].program == "postfix");
    CHECK(d.items[2].program == "/usr/sbin/postconf");
    bool symlink = false;
    for (const auto& i : d.items) symlink = symlink || i.message.find("symlink leaves directory") != std::string::npos;
    CHECK(symlink);
}

TEST_CASE("postfix diagnostics: a line that is not one is a warning with its number", "[parse][diagnostics]") {
    auto d = parse_postfix_diagnostics("postconf: fatal: open /x/main.cf: No such file or directory\nhello world\n");
    REQUIRE(d.items.size() == 2);
    CHECK(d.items[0].severity == "fatal");
    CHECK(d.items[0].file.empty()); // the message does not start with a file name
    CHECK(d.items[0].message.rfind("open /x/main.cf", 0) == 0);
    REQUIRE(d.warnings.size() == 1);
    CHECK(d.warnings[0].line == 2);
}

TEST_CASE("main.cf: duplicates, continuation lines and comments keep their line numbers", "[parse][maincf]") {
    auto mc = parse_main_cf(fx("main.cf"));
    CHECK(mc.warnings.empty());
    auto lines = mc.lines_by_name();
    CHECK(lines["relayhost"] == std::vector<std::size_t>{30, 44, 49});
    CHECK(lines["myhostname"].size() == 1);
    const MainCfEntry* srr = nullptr;
    for (const auto& e : mc.entries)
        if (e.name == "smtpd_recipient_restrictions") srr = &e;
    REQUIRE(srr);
    CHECK(srr->line == 47);
    CHECK(srr->value == "permit_mynetworks, reject_unauth_destination");
}

TEST_CASE("main.cf: a line without '=' and an orphan continuation are warned about", "[parse][maincf]") {
    auto mc = parse_main_cf("  orphan\nok = 1\nbroken line\n  its continuation\n#c\n\nlast = 2\n");
    REQUIRE(mc.entries.size() == 2);
    REQUIRE(mc.warnings.size() == 2);
    CHECK(mc.warnings[0].line == 1);
    CHECK(mc.warnings[1].line == 3);
    CHECK(mc.entries[1].line == 7);
}

TEST_CASE("postconf -M: services with -o overrides", "[parse][master]") {
    auto ms = parse_master_services(fx("postconf-M.txt"));
    CHECK(ms.warnings.empty());
    REQUIRE(ms.services.size() == 31);
    const auto& s = ms.services[0];
    CHECK(s.key() == "127.0.0.1:10525/inet");
    CHECK(s.private_flag == "n");
    CHECK(s.chroot == "y");
    CHECK(s.maxproc == "-");
    CHECK(s.command == "smtpd");
    REQUIRE(s.overrides.size() == 2);
    CHECK(s.overrides[0] == std::pair<std::string, std::string>{"smtpd_bogus_knob", "yes"});
    CHECK(ms.services[1].key() == "pickup/unix");
    CHECK(ms.services[1].wakeup == "60");
    CHECK(ms.services[1].maxproc == "1");
    bool postlog = false;
    for (const auto& x : ms.services) postlog = postlog || x.key() == "postlog/unix-dgram";
    CHECK(postlog);
}

TEST_CASE("master.cf file: same services as postconf -M, comments skipped", "[parse][master]") {
    auto from_file = parse_master_services(fx("master.cf"));
    auto from_m = parse_master_services(fx("postconf-M.txt"));
    CHECK(from_file.warnings.empty());
    REQUIRE(from_file.services.size() == from_m.services.size());
    for (std::size_t i = 0; i < from_m.services.size(); ++i) {
        CHECK(from_file.services[i].key() == from_m.services[i].key());
        CHECK(from_file.services[i].overrides == from_m.services[i].overrides);
    }
    CHECK(from_file.services[0].line == 12);
}

TEST_CASE("master.cf: brace syntax and bad lines", "[parse][master]") {
    auto ms = parse_master_services(
        "submission inet n - y - - smtpd\n  -o { smtpd_client_restrictions = permit_sasl_authenticated, reject }\n"
        "bad stream n - y - - smtpd\nshort inet n\n");
    REQUIRE(ms.services.size() == 1);
    REQUIRE(ms.services[0].overrides.size() == 1);
    CHECK(ms.services[0].overrides[0].first == "smtpd_client_restrictions");
    CHECK(ms.services[0].overrides[0].second == "permit_sasl_authenticated, reject");
    REQUIRE(ms.warnings.size() == 2);
    CHECK(ms.warnings[0].line == 3);
    CHECK(ms.warnings[1].line == 4);
}

TEST_CASE("postfix status: running with its PID", "[parse][status]") {
    auto st = parse_postfix_status(fx("postfix-status.txt"));
    CHECK(st.running == true);
    CHECK(st.master_pid == 7401);
    CHECK(st.exit_code == 0);
    CHECK(st.evidence.find("is running") != std::string::npos);
    CHECK(st.warnings.empty());
}

TEST_CASE("postfix status: not running, from the message or from exit=1 alone", "[parse][status]") {
    auto st = parse_postfix_status("postfix/postfix-script: the Postfix mail system is not running\nexit=1\n");
    CHECK(st.running == false);
    CHECK_FALSE(st.master_pid);
    // postfix prints nothing when its stderr is not a terminal: the exit code decides.
    auto quiet = parse_postfix_status("exit=1\n");
    CHECK(quiet.running == false);
    auto fatal = parse_postfix_status("postfix: fatal: chdir /etc/postfix: No such file or directory\nexit=1\n");
    CHECK_FALSE(fatal.running);
    CHECK(fatal.undecided_reason.find("fatal") != std::string::npos);
    auto nothing = parse_postfix_status("");
    CHECK_FALSE(nothing.running);
    CHECK(nothing.warnings.size() == 1);
    auto bad = parse_postfix_status("exit=banana\n");
    CHECK(bad.warnings.size() == 2);
}

TEST_CASE("postqueue -j: deferred and held messages with delay reasons", "[parse][queue]") {
    auto q = parse_postqueue_json(fx("postqueue-j.txt"));
    CHECK(q.warnings.empty());
    REQUIRE(q.messages.size() == 6);
    const auto& m = q.messages[1];
    CHECK(m.queue_name == "deferred");
    CHECK(m.queue_id == "51416A7218F");
    CHECK(m.arrival_time == arrival_of_fixture);
    CHECK(m.message_size == 263);
    CHECK(m.sender == "carol@probes.test");
    REQUIRE(m.recipients.size() == 2);
    CHECK(m.recipients[1].address == "dave@example.net");
    CHECK(m.recipients[1].delay_reason ==
          "delivery temporarily suspended: connect to 127.0.0.1[127.0.0.1]:10999: Connection refused");
    CHECK(q.messages[5].queue_name == "hold");
    CHECK(q.messages[5].line == 6);
}

TEST_CASE("postqueue -j: active messages have no delay_reason", "[parse][queue]") {
    auto q = parse_postqueue_json(slurp(fixture_dir() + "/postqueue-j-active.txt"));
    REQUIRE(q.messages.size() == 6);
    CHECK(q.messages[0].queue_name == "active");
    CHECK(q.messages[0].recipients[0].delay_reason.empty());
}

TEST_CASE("postqueue -j: a bad line is a warning with its number and the rest is parsed", "[parse][queue]") {
    std::string deep(100, '[');
    std::string text = slurp(bundle_fixture() + "/postqueue-j.txt");
    auto nl = text.find('\n');
    text.insert(nl + 1, "{\"queue_name\": \"deferred\", broken\n" + ("{\"a\": " + deep + "\n") + "[1,2]\n" +
                            "{\"queue_id\": \"X\"}\n" + "{\"queue_name\": 5, \"queue_id\": \"ABC\"}\n");
    auto q = parse_postqueue_json(text);
    CHECK(q.messages.size() == 6);
    REQUIRE(q.warnings.size() == 5);
    CHECK(q.warnings[0].line == 2);
    CHECK(q.warnings[0].message.find("invalid JSON") != std::string::npos);
    CHECK(q.warnings[1].line == 3);
    CHECK(q.warnings[1].message.find("nested") != std::string::npos);
    CHECK(q.warnings[2].line == 4);
    CHECK(q.warnings[4].line == 6);
    CHECK(q.messages[1].line == 7);
}

TEST_CASE("postqueue -j: the number of messages is bounded", "[parse][queue]") {
    QueueLimits lim;
    lim.max_messages = 2;
    auto q = parse_postqueue_json(fx("postqueue-j.txt"), lim);
    CHECK(q.messages.size() == 2);
    CHECK(q.warnings.size() == 1);
}

TEST_CASE("mailq: the text listing gives the same messages as postqueue -j", "[parse][mailq]") {
    auto text = parse_mailq(fx("mailq.txt"), arrival_of_fixture + 7200);
    auto json = parse_postqueue_json(fx("postqueue-j.txt"));
    CHECK(text.warnings.empty());
    REQUIRE(text.messages.size() == json.messages.size());
    for (const auto& t : text.messages) {
        const QueueMessage* j = nullptr;
        for (const auto& x : json.messages)
            if (x.queue_id == t.queue_id) j = &x;
        REQUIRE(j);
        CHECK(t.queue_name == j->queue_name);
        CHECK(t.arrival_time == j->arrival_time);
        CHECK(t.message_size == j->message_size);
        CHECK(t.sender == j->sender);
        REQUIRE(t.recipients.size() == j->recipients.size());
        std::set<std::pair<std::string, std::string>> a, b;
        for (const auto& r : t.recipients) a.insert({r.address, r.delay_reason});
        for (const auto& r : j->recipients) b.insert({r.address, r.delay_reason});
        CHECK(a == b);
    }
}

TEST_CASE("mailq: '*' marks active and '!' marks held messages", "[parse][mailq]") {
    auto q = parse_mailq(slurp(fixture_dir() + "/mailq-active.txt"), arrival_of_fixture + 60);
    REQUIRE(q.messages.size() == 6);
    for (std::size_t i = 0; i < 5; ++i) CHECK(q.messages[i].queue_name == "active");
    CHECK(q.messages[5].queue_name == "hold");
    CHECK(q.messages[5].queue_id == "16724A72182");
    CHECK(q.messages[5].recipients[0].delay_reason == "connect to 127.0.0.1[127.0.0.1]:10999: Connection refused");
}

TEST_CASE("mailq: a December arrival seen in January is last year's", "[parse][mailq]") {
    // 2027-01-02T00:00:00Z
    auto q = parse_mailq("-Queue ID-  --Size-- ----Arrival Time---- -Sender/Recipient-------\n"
                         "4BB4A1A0E3      290 Thu Dec 31 23:00:00  a@example.org\n"
                         "                                         b@example.com\n\nMail queue is empty\n",
                         1798848000);
    REQUIRE(q.messages.size() == 1);
    CHECK(q.messages[0].queue_name == "incoming");
    CHECK(q.messages[0].arrival_time == 1798848000 - 25 * 3600);
}

TEST_CASE("mailq: garbage lines are warned about with their numbers", "[parse][mailq]") {
    auto q = parse_mailq("-Queue ID- header\n   stray recipient\nnot-an-id 1 2\n", 0);
    CHECK(q.messages.empty());
    REQUIRE(q.warnings.size() == 2);
    CHECK(q.warnings[0].line == 2);
    CHECK(q.warnings[1].line == 3);
}

TEST_CASE("df -P and df -Pi of the queue file system", "[parse][df]") {
    auto df = parse_df(fx("df.txt"));
    CHECK(df.warnings.empty());
    CHECK_FALSE(df.inodes);
    CHECK(df.block_size == 1024);
    REQUIRE(df.rows.size() == 1);
    CHECK(df.rows[0].available == 83207808);
    CHECK(df.rows[0].used_pct == Approx(18));
    CHECK(df.rows[0].mount == "/");
    auto di = parse_df(fx("df-i.txt"));
    CHECK(di.inodes);
    REQUIRE(di.rows.size() == 1);
    CHECK(di.rows[0].used_pct == Approx(3));
    CHECK(di.rows[0].total == 16777216);
}

TEST_CASE("df: file systems without inode counts and mount points with spaces", "[parse][df]") {
    auto di = parse_df("Filesystem Inodes IUsed IFree IUse% Mounted on\nbtrfs - - - - /var/spool my postfix\n");
    REQUIRE(di.rows.size() == 1);
    CHECK_FALSE(di.rows[0].used_pct);
    CHECK_FALSE(di.rows[0].total);
    CHECK(di.rows[0].mount == "/var/spool my postfix");
    CHECK(di.warnings.empty());
    auto bad = parse_df("nonsense\n");
    CHECK(bad.rows.empty());
    CHECK(bad.warnings.size() == 1);
}

TEST_CASE("meminfo: kB values in bytes", "[parse][meminfo]") {
    auto mi = parse_meminfo(fx("meminfo.txt"));
    CHECK(mi.warnings.empty());
    REQUIRE(mi.get("MemTotal"));
    CHECK(mi.get("MemTotal")->value == 24683620LL * 1024);
    CHECK(mi.get("MemAvailable")->value == 24099416LL * 1024);
    CHECK(mi.get("HugePages_Total"));
    auto bad = parse_meminfo("MemTotal: lots\nok: 5 kB\n");
    CHECK(bad.warnings.size() == 1);
    CHECK(bad.get("ok")->value == 5120);
}

TEST_CASE("loadavg", "[parse][loadavg]") {
    auto la = parse_loadavg(fx("loadavg.txt"));
    CHECK(la.warnings.empty());
    CHECK(la.load1 == Approx(0.73));
    CHECK(la.load15 == Approx(0.19));
    CHECK(la.threads == 115);
    CHECK(parse_loadavg("x y z\n").warnings.size() == 1);
    CHECK(parse_loadavg("").warnings.size() == 1);
}

TEST_CASE("postqueue -j: a huge float size or time is not converted (fuzz finding, UB)", "[parse][queue][hostile]") {
    auto q = parse_postqueue_json(
        R"({"queue_name": "deferred", "queue_id": "ABC123", "arrival_time": 1.88e39, "message_size": -1e300, "sender": "a@b.example", "recipients": []})"
        "\n");
    REQUIRE(q.messages.size() == 1);
    CHECK(q.messages[0].queue_id == "ABC123");
}
