// test_log_history.cpp - message histories on real corpus lines: a bounce and its
// non-delivery notification, a before-queue proxy (amavis) session, an after-queue
// content-filter hop, queries by Message-ID and address, and bounded memory.
#include "corpus_support.hpp"
#include "probes/log_history.hpp"
#include "probes/log_reader.hpp"

#include <catch2/catch.hpp>

using namespace pft;
using namespace pft::probes;

namespace {

engine::TimePoint ref() {
    using namespace std::chrono;
    return engine::TimePoint{sys_days{year{2026} / 11 / 25}};
}

std::vector<MessageHistory> run(const std::vector<std::string>& lines, HistoryQuery q, HistoryLimits lim = {},
                                HistoryStats* stats = nullptr) {
    HistoryTracker t(std::move(q), lim);
    StampCache cache;
    for (const auto& l : lines) t.add(l, parse_syslog_line(l, ref(), cache));
    t.finish();
    if (stats) *stats = t.stats();
    return t.take_results();
}

std::vector<std::string> corpus(const char* name) {
    std::vector<std::string> out;
    for (auto& l : test::read_lines(test::corpus_dir() + "/maillog-real/" + name)) out.push_back(test::fill_day(l));
    return out;
}

const MessageHistory* find(const std::vector<MessageHistory>& v, std::string_view qid) {
    for (const auto& h : v)
        if (h.queue_id == qid) return &h;
    return nullptr;
}

} // namespace

TEST_CASE("a bounced message is followed into its non-delivery notification", "[history]") {
    auto lines = corpus("infohtreasure-Postfix-Maillog-Dump__postfix-lines.log");
    REQUIRE(lines.size() > 1000);
    auto r = run(lines, HistoryQuery{{"D4748404B37D"}, {}, {}, {}});
    const MessageHistory* orig = find(r, "D4748404B37D");
    const MessageHistory* ndr = find(r, "A94DF404B38D");
    REQUIRE(orig);
    REQUIRE(ndr);
    CHECK(orig->sender == "sender@tecadmin.net");
    CHECK(orig->recipients == std::vector<std::string>{"myemail@ymail.com"});
    CHECK(orig->bounced == 1);
    CHECK(orig->removed);
    CHECK(orig->status() == "bounced");
    CHECK(orig->message_id == "20220225143607.D4748404B37D@server1.alsoft.org");
    REQUIRE(orig->children.size() == 1);
    CHECK(orig->children[0] == std::make_pair(std::string("bounce notification"), std::string("A94DF404B38D")));
    CHECK(ndr->parent == "D4748404B37D");
    CHECK(ndr->parent_kind == "bounce notification");
    CHECK(ndr->sender.empty());
    CHECK(ndr->deferred >= 3);
    // The first line of the original is its smtpd client= line (with the session before it).
    REQUIRE(!orig->lines.empty());
    CHECK(orig->lines.back().find("D4748404B37D: removed") != std::string::npos);
}

TEST_CASE("asking for the notification brings back the message that caused it", "[history]") {
    auto r = run(corpus("infohtreasure-Postfix-Maillog-Dump__postfix-lines.log"), HistoryQuery{{"A94DF404B38D"}, {}, {}, {}});
    CHECK(find(r, "A94DF404B38D"));
    CHECK(find(r, "D4748404B37D"));
}

TEST_CASE("a before-queue proxy session is joined to the queue id it produced", "[history]") {
    auto r = run(corpus("modoboa-stats__mail.log"), HistoryQuery{{"1FEB7E00C4"}, {}, {}, {}});
    const MessageHistory* h = find(r, "1FEB7E00C4");
    REQUIRE(h);
    CHECK(h->parent_kind == "before-queue proxy");
    CHECK(h->client.find("misas5.babino.pl[207.154.235.157]") != std::string::npos);
    REQUIRE(h->lines.size() >= 5);
    CHECK(h->lines.front().find("connect from misas5.babino.pl") != std::string::npos);
    CHECK(h->delivered == 1);
    CHECK(h->status() == "delivered");
    CHECK(h->message_id == "de35d4cf3b0862e276fc1afc2f0c14d6@link.crazygecko.pl");
}

TEST_CASE("queries by Message-ID, sender and recipient", "[history]") {
    auto lines = corpus("modoboa-stats__mail.log");
    auto r = run(lines, HistoryQuery{{}, {"<de35d4cf3b0862e276fc1afc2f0c14d6@link.crazygecko.pl>"}, {}, {}});
    CHECK(find(r, "1FEB7E00C4"));
    r = run(lines, HistoryQuery{{}, {}, {"ZWROTY@babino.pl"}, {}});
    CHECK(find(r, "1FEB7E00C4"));
    r = run(lines, HistoryQuery{{}, {}, {}, {"info@test2.com"}});
    CHECK(find(r, "1FEB7E00C4"));
    r = run(lines, HistoryQuery{{}, {}, {}, {"nobody@nowhere.invalid"}});
    CHECK(r.empty());
}

TEST_CASE("an after-queue content filter hop links to the re-injected copy", "[history]") {
    // The hop line is the real lmtp line of postfix-grok-patterns (test/lmtp_0001.yaml);
    // the re-injected copy's lines are real shapes with its queue id.
    std::vector<std::string> lines = {
        "Nov 24 10:00:00 mx postfix/smtpd[100]: connect from client.example[198.51.100.7]",
        "Nov 24 10:00:00 mx postfix/smtpd[100]: 7EE668039: client=client.example[198.51.100.7]",
        "Nov 24 10:00:00 mx postfix/cleanup[101]: 7EE668039: message-id=<m1@client.example>",
        "Nov 24 10:00:00 mx postfix/qmgr[102]: 7EE668039: from=<a@client.example>, size=350, nrcpt=1 (queue active)",
        "Nov 24 10:00:03 mx postfix/smtpd[103]: connect from localhost[127.0.0.1]",
        "Nov 24 10:00:03 mx postfix/smtpd[103]: 153053D: client=localhost[127.0.0.1]",
        "Nov 24 10:00:03 mx postfix/cleanup[101]: 153053D: message-id=<m1@client.example>",
        "Nov 24 10:00:03 mx postfix/qmgr[102]: 153053D: from=<a@client.example>, size=900, nrcpt=1 (queue active)",
        "Nov 24 10:00:04 mx postfix/lmtp[104]: 7EE668039: to=<admin@example.com>, relay=127.0.0.1[127.0.0.1]:2525, "
        "delay=3.6, delays=0.2/0.02/0.04/3.3, dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as 153053D)",
        "Nov 24 10:00:04 mx postfix/qmgr[102]: 7EE668039: removed",
        "Nov 24 10:00:05 mx postfix/local[105]: 153053D: to=<admin@example.com>, relay=local, delay=2, "
        "delays=1/0/0/1, dsn=2.0.0, status=sent (delivered to mailbox)",
        "Nov 24 10:00:05 mx postfix/qmgr[102]: 153053D: removed",
    };
    auto r = run(lines, HistoryQuery{{"7EE668039"}, {}, {}, {}});
    const MessageHistory* hop = find(r, "7EE668039");
    const MessageHistory* copy = find(r, "153053D");
    REQUIRE(hop);
    REQUIRE(copy);
    CHECK(hop->delivered == 0); // the hand-off is not a delivery
    CHECK(hop->status() == "handed to a content filter");
    CHECK(copy->parent == "7EE668039");
    CHECK(copy->parent_kind == "re-injected");
    CHECK(copy->status() == "delivered");
    // The same Message-ID finds both copies.
    r = run(lines, HistoryQuery{{}, {"m1@client.example"}, {}, {}});
    CHECK(r.size() == 2);
}

TEST_CASE("memory is bounded: old open messages are evicted and counted", "[history]") {
    std::vector<std::string> lines;
    for (int i = 0; i < 1000; ++i) {
        char id[16];
        std::snprintf(id, sizeof id, "ABC%07d", i);
        lines.push_back(std::string("Nov 24 10:00:00 mx postfix/qmgr[1]: ") + id + ": from=<a@b.example>, size=1, nrcpt=1 (queue active)");
    }
    HistoryLimits lim;
    lim.max_open = 100;
    HistoryStats st;
    HistoryQuery q{{"ABC0000999"}, {}, {}, {}};
    auto r = run(lines, q, lim, &st);
    CHECK(st.opened == 1000);
    CHECK(st.evicted == 900);
    CHECK(st.open_at_end == 100);
    REQUIRE(r.size() == 1);
    CHECK(r[0].queue_id == "ABC0000999");
    // An evicted message that was asked for is still returned, marked as cut.
    r = run(lines, HistoryQuery{{"ABC0000001"}, {}, {}, {}}, lim, &st);
    REQUIRE(r.size() == 1);
    CHECK(r[0].evicted);
}

TEST_CASE("NOQUEUE rejects of an address are reported as one-line histories", "[history]") {
    auto lines = corpus("fail2ban__postfix.log");
    std::vector<std::string> rejects;
    for (const auto& l : lines)
        if (l.find("NOQUEUE: reject: RCPT") != std::string::npos && l.find(" to=<") != std::string::npos) rejects.push_back(l);
    if (rejects.empty()) {
        WARN("no NOQUEUE reject with to=<> in the fail2ban corpus file");
        return;
    }
    auto p = rejects[0].find(" to=<") + 5;
    std::string to = rejects[0].substr(p, rejects[0].find('>', p) - p);
    auto r = run(lines, HistoryQuery{{}, {}, {}, {to}});
    REQUIRE(!r.empty());
    CHECK(r[0].rejected);
    CHECK(r[0].status() == "rejected");
}
