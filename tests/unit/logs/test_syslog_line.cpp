// test_syslog_line.cpp - the syslog line splitter on the time formats we meet:
// RFC 3164 (year-less, localised months), RFC 3339, journalctl short-iso, postlogd.
// It does not test message matching.
#include "probes/parse/syslog_line.hpp"

#include <catch2/catch.hpp>

using namespace pft;
using namespace std::chrono;
using probes::LineKind;
using probes::parse_syslog_line;

namespace {

engine::TimePoint at(int y, unsigned mo, unsigned d, int h = 0, int mi = 0, int s = 0) {
    return engine::TimePoint{sys_days{year{y} / mo / d}} + hours{h} + minutes{mi} + seconds{s};
}

} // namespace

TEST_CASE("traditional syslog line", "[syslog]") {
    auto l = parse_syslog_line("Nov 24 04:02:00 mail postfix/smtp[123]: 5270320179: to=<a@b.c>, status=sent (ok)",
                               at(2026, 11, 25));
    CHECK(l.kind == LineKind::Postfix);
    REQUIRE(l.time);
    CHECK(*l.time == at(2026, 11, 24, 4, 2, 0));
    CHECK(l.host == "mail");
    CHECK(l.syslog_name == "postfix");
    CHECK(l.program == "smtp");
    CHECK(l.service.empty());
    CHECK(l.pid == 123);
    CHECK(l.message == "5270320179: to=<a@b.c>, status=sent (ok)");
    CHECK(l.queue_id == "5270320179");
}

TEST_CASE("single-digit day padded with a space, or with a zero (postlogd)", "[syslog]") {
    auto ref = at(2026, 12, 1);
    auto a = parse_syslog_line("Mar  7 02:09:33 server postfix/smtpd[27246]: connect from x[1.2.3.4]", ref);
    auto b = parse_syslog_line("Mar 07 02:09:33 server postfix/smtpd[27246]: connect from x[1.2.3.4]", ref);
    auto c = parse_syslog_line("Mar 7 02:09:33 server postfix/smtpd[27246]: connect from x[1.2.3.4]", ref);
    REQUIRE(a.time);
    CHECK(*a.time == at(2026, 3, 7, 2, 9, 33));
    CHECK(b.time == a.time);
    CHECK(c.time == a.time);
}

TEST_CASE("year roll-over: a December stamp read in January is last year", "[syslog]") {
    auto l = parse_syslog_line("Dec 31 23:59:59 mx postfix/qmgr[1]: ABCDEF1234: removed", at(2027, 1, 1, 0, 5));
    REQUIRE(l.time);
    CHECK(*l.time == at(2026, 12, 31, 23, 59, 59));
    // Up to a day ahead of the reference (clock skew, time zones) stays in this year.
    l = parse_syslog_line("Jan  2 10:00:00 mx postfix/qmgr[1]: ABCDEF1234: removed", at(2027, 1, 1, 12));
    REQUIRE(l.time);
    CHECK(*l.time == at(2027, 1, 2, 10));
    // More than a day ahead: last year.
    l = parse_syslog_line("Jan  5 10:00:00 mx postfix/qmgr[1]: ABCDEF1234: removed", at(2027, 1, 1, 12));
    REQUIRE(l.time);
    CHECK(*l.time == at(2026, 1, 5, 10));
    // 29 February only exists in leap years: the latest one not in the future.
    l = parse_syslog_line("Feb 29 10:00:00 mx postfix/qmgr[1]: ABCDEF1234: removed", at(2026, 3, 1));
    REQUIRE(l.time);
    CHECK(*l.time == at(2024, 2, 29, 10));
}

TEST_CASE("localised month names (German, Italian)", "[syslog]") {
    auto ref = at(2026, 12, 1);
    auto l = parse_syslog_line("Okt 15 23:48:15 c3 postfix/lmtp[48460]: C88761F60D: to=<u@x>, status=bounced (x)", ref);
    REQUIRE(l.time);
    CHECK(*l.time == at(2026, 10, 15, 23, 48, 15));
    l = parse_syslog_line("ott 13 00:40:47 localhost.localdomain postfix/cleanup[5810]: warning: x", ref);
    REQUIRE(l.time);
    CHECK(*l.time == at(2026, 10, 13, 0, 40, 47));
    CHECK(l.host == "localhost.localdomain");
}

TEST_CASE("RFC 3339 with fraction and offset", "[syslog]") {
    auto l = parse_syslog_line(
        "2026-11-24T04:02:00.123456+01:00 host postfix/submission/smtpd[2634372]: warning: non-SMTP command from "
        "unknown[192.168.1.1]: GET / HTTP/1.1",
        at(2000, 1, 1));
    CHECK(l.kind == LineKind::Postfix);
    REQUIRE(l.time);
    CHECK(*l.time == at(2026, 11, 24, 3, 2, 0));
    CHECK(l.program == "smtpd");
    CHECK(l.service == "submission");
    CHECK(l.syslog_name == "postfix");
    CHECK(l.queue_id.empty());
}

TEST_CASE("journalctl -o short-iso (offset without colon) and Z", "[syslog]") {
    auto l = parse_syslog_line("2026-11-24T04:02:00+0000 host postfix/smtp[123]: connect to x[1.2.3.4]:25: Connection timed out",
                               at(2000, 1, 1));
    REQUIRE(l.time);
    CHECK(*l.time == at(2026, 11, 24, 4, 2, 0));
    l = parse_syslog_line("2026-11-24T04:02:00-0230 host postfix/smtp[123]: x", at(2000, 1, 1));
    REQUIRE(l.time);
    CHECK(*l.time == at(2026, 11, 24, 6, 32, 0));
    l = parse_syslog_line("2026-11-24T04:02:00Z host postfix/smtp[123]: x", at(2000, 1, 1));
    REQUIRE(l.time);
    CHECK(*l.time == at(2026, 11, 24, 4, 2, 0));
}

TEST_CASE("Postfix instance names, multi-part tags and commands without a pid", "[syslog]") {
    auto ref = at(2026, 12, 1);
    auto l = parse_syslog_line("Mar 11 23:27:54 server postfix-smo/submission/smtpd[22427]: 44JCRG5tYPzCqt2: reject: BDAT", ref);
    CHECK(l.kind == LineKind::Postfix);
    CHECK(l.syslog_name == "postfix-smo");
    CHECK(l.service == "submission");
    CHECK(l.program == "smtpd");
    CHECK(l.queue_id == "44JCRG5tYPzCqt2");

    l = parse_syslog_line("Feb 26 12:16:08 server1 postfix[3281]: fatal: open /etc/postfix/main.cf: No such file", ref);
    CHECK(l.kind == LineKind::Postfix);
    CHECK(l.program == "postfix");

    l = parse_syslog_line("postfix/postfix-script: warning: group or other writable: /usr/lib/postfix/x.so", ref);
    CHECK(l.kind == LineKind::Postfix);
    CHECK(l.program == "postfix-script");
    CHECK(!l.pid);
    CHECK(!l.time);

    l = parse_syslog_line("postdrop: warning: unable to look up public/pickup: No such file or directory", ref);
    CHECK(l.kind == LineKind::Postfix);
    CHECK(l.program == "postdrop");

    // A renamed syslog_name still carries a Postfix program.
    l = parse_syslog_line("Aug 27 07:12:19 ip-10-1-2-123 example.com/smtp[76]: A4997FB6AA: to=<u@x>", ref);
    CHECK(l.kind == LineKind::Postfix);
    CHECK(l.syslog_name == "example.com");
    CHECK(l.program == "smtp");
}

TEST_CASE("lines missing the stamp or the host", "[syslog]") {
    auto ref = at(2026, 12, 1);
    auto l = parse_syslog_line("Dec  4 14:44:07 postfix/smtp[2097]: E89BD1644BA: to=<a@b>", ref);
    CHECK(l.kind == LineKind::Postfix);
    CHECK(l.host.empty());
    CHECK(l.time);
    l = parse_syslog_line("scorpion postfix/smtp[9144]: connect to x[1.2.3.4]: Connection refused (port 25)", ref);
    CHECK(l.kind == LineKind::Postfix);
    CHECK(l.host == "scorpion");
    CHECK(!l.time);
    l = parse_syslog_line("2024-12-30T12:16:32.052659+01:00 INFO    postfix/smtp[1204]: SSL_connect error to x", ref);
    CHECK(l.kind == LineKind::Postfix);
    CHECK(l.program == "smtp");
}

TEST_CASE("non-Postfix lines are recognised as such", "[syslog]") {
    auto ref = at(2026, 12, 1);
    auto l = parse_syslog_line("Nov 24 11:00:20 server amavis[14540]: (14540-09) Passed CLEAN {RelayedInbound}", ref);
    CHECK(l.kind == LineKind::Other);
    CHECK(l.program == "amavis");
    CHECK(l.time);
    l = parse_syslog_line("Nov 24 11:00:20 server dovecot: lmtp(28947): Connect from local", ref);
    CHECK(l.kind == LineKind::Other);
    l = parse_syslog_line("Nov 24 11:00:20 server sendmail[12]: x", ref);
    CHECK(l.kind == LineKind::Other);
    // Bare message text: "warning:" or "NOQUEUE:" are not tags.
    CHECK(parse_syslog_line("warning: unknown[1.2.3.4]: SASL LOGIN authentication failed", ref).kind == LineKind::Unparsed);
    CHECK(parse_syslog_line("NOQUEUE: reject: RCPT from x[1.2.3.4]: 554", ref).kind == LineKind::Unparsed);
    CHECK(parse_syslog_line("", ref).kind == LineKind::Unparsed);
    CHECK(parse_syslog_line("%(day)s 11:00:20 server postfix/qmgr[1]: x", ref).kind != LineKind::Postfix);
}

TEST_CASE("queue ids: short hex and long, not words", "[syslog]") {
    CHECK(probes::leading_queue_id("732BB407C3: to=<x>") == "732BB407C3");
    CHECK(probes::leading_queue_id("3F2A1C0D4E: removed") == "3F2A1C0D4E");
    CHECK(probes::leading_queue_id("4Bhx3G0HKfz9sWL: to=<x>") == "4Bhx3G0HKfz9sWL");
    CHECK(probes::leading_queue_id("NOQUEUE: reject").empty());
    CHECK(probes::leading_queue_id("warning: x").empty());
    CHECK(probes::leading_queue_id("statistics: x").empty());
    CHECK(probes::leading_queue_id("ABC: x").empty());
}

TEST_CASE("overlong lines are cut, not trusted", "[syslog]") {
    std::string line = "Nov 24 04:02:00 mail postfix/smtpd[1]: " + std::string(200000, 'x');
    auto l = parse_syslog_line(line, at(2026, 11, 25));
    CHECK(l.kind == LineKind::Postfix);
    CHECK(l.message.size() < probes::kMaxLogLine);
}
