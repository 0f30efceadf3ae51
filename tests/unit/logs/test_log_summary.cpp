// test_log_summary.cpp - the summary's counts against gen-maillog's --truth and against
// pflogsumm on the same small log (where the definitions match), the fast paths against
// the signatures on real lines, greylisting and re-injection rules, and shape masking.
// Nothing here is timed; speed is measured by bench/logs/run.sh.
#include "corpus_support.hpp"
#include "probes/exec.hpp"
#include "probes/log_reader.hpp"
#include "probes/log_summary.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <regex>
#include <unistd.h>

using namespace pft;
using namespace pft::probes;
namespace fs = std::filesystem;

namespace {

engine::TimePoint ref() {
    using namespace std::chrono;
    return engine::TimePoint{sys_days{year{2026} / 11 / 25}};
}

// A small gen-maillog log and its truth, generated once per test run in a temp dir.
struct Generated {
    fs::path dir, log, truth;
    bool ok = false;
    std::string error;
    Generated() {
        std::string tmpl = (fs::temp_directory_path() / "pft-summary-XXXXXX").string();
        dir = ::mkdtemp(tmpl.data());
        log = dir / "mail.log";
        truth = dir / "truth.json";
        auto r = run_program({"python3", PFT_SOURCE_DIR "/../shared/bench/gen-maillog", "--size", "3M", "-o", log.string(),
                              "--truth", truth.string()},
                             std::chrono::minutes(2), 1 << 20);
        ok = r.ok() && fs::exists(log);
        if (!ok) error = r.describe() + " " + r.err;
    }
    ~Generated() {
        std::error_code ec;
        fs::remove_all(dir, ec);
    }
};

const Generated& generated() {
    static Generated g;
    return g;
}

nlohmann::json truth() {
    std::ifstream in(generated().truth);
    return nlohmann::json::parse(in)["counts"];
}

LogSummary summarise(const std::string& path, unsigned threads = 2) {
    LogReader r({LogInput{path, {}, "", ref()}});
    ScanOptions so;
    so.threads = threads;
    return scan_logs(r, test::shipped_signatures(), so);
}

LogSummary summarise_text(const std::string& text) {
    ScanOptions so;
    LogScanner sc(test::shipped_signatures(), so);
    sc.scan_chunk(LogChunk{text, 0, ref(), 0});
    return std::move(sc.summary());
}

} // namespace

TEST_CASE("summary counts equal gen-maillog's truth", "[summary]") {
    const auto& g = generated();
    if (!g.ok) FAIL("gen-maillog did not run: " << g.error);
    auto t = truth();
    LogSummary s = summarise(g.log.string());
    CHECK(s.lines == t["lines"].get<std::uint64_t>());
    CHECK(s.lines_other == t["lines_other"].get<std::uint64_t>());
    CHECK(s.connections == t["connections"].get<std::uint64_t>());
    CHECK(s.received() == t["received"].get<std::uint64_t>());
    CHECK(s.content_rejected == t["reject_content"].get<std::uint64_t>());
    CHECK(s.delivered == t["st_sent"].get<std::uint64_t>());
    CHECK(s.deferrals == t["st_deferred"].get<std::uint64_t>());
    CHECK(s.bounced == t["st_bounced"].get<std::uint64_t>());
    CHECK(s.expired == t.value("st_expired", std::uint64_t{0}));
    CHECK(s.rejected == t["rejects"].get<std::uint64_t>());
    CHECK(s.bounce_notifications == t["bounce_notifications"].get<std::uint64_t>());
    CHECK(s.fatal_lines == t.value("fatal", std::uint64_t{0}));
    std::uint64_t sasl = 0;
    for (const auto& [ip, n] : s.sasl_clients.top(1000)) sasl += n;
    CHECK(sasl == t["sasl_failures"].get<std::uint64_t>());
    // Everything the generator writes is known to the signatures.
    CHECK(s.explained_share() > 0.999);
    CHECK(s.reinjected == 0);
    CHECK(s.delays[0].count() == s.delivered);
}

TEST_CASE("SASL failures by client equal the truth per address", "[summary]") {
    const auto& g = generated();
    if (!g.ok) FAIL("gen-maillog did not run: " << g.error);
    std::ifstream in(g.truth);
    auto by_ip = nlohmann::json::parse(in)["sasl_failures_by_ip"];
    LogSummary s = summarise(g.log.string());
    for (auto it = by_ip.begin(); it != by_ip.end(); ++it) CHECK(s.sasl_clients.get(it.key()) == it.value().get<std::uint64_t>());
}

TEST_CASE("one thread and two threads give the same summary", "[summary]") {
    const auto& g = generated();
    if (!g.ok) FAIL("gen-maillog did not run: " << g.error);
    LogSummary a = summarise(g.log.string(), 1), b = summarise(g.log.string(), 2);
    CHECK(a.lines_explained == b.lines_explained);
    CHECK(a.delivered == b.delivered);
    CHECK(a.deferred_messages() == b.deferred_messages());
    CHECK(a.per_hour.size() == b.per_hour.size());
    CHECK(a.deferral_reasons.top(5) == b.deferral_reasons.top(5));
    CHECK(a.signature_hits == b.signature_hits);
}

TEST_CASE("counts agree with pflogsumm on the same log where the definitions match", "[summary][pflogsumm]") {
    const auto& g = generated();
    if (!g.ok) FAIL("gen-maillog did not run: " << g.error);
    if (!fs::exists("/usr/sbin/pflogsumm") && !fs::exists("/usr/bin/pflogsumm")) {
        WARN("pflogsumm is not installed (apt-get install pflogsumm): comparison skipped");
        return;
    }
    auto r = run_program({"pflogsumm", g.log.string()}, std::chrono::minutes(5), 16 << 20);
    REQUIRE(r.ok());
    auto grand = [&](const char* what) -> std::int64_t {
        std::smatch m;
        std::regex re(std::string("\\n\\s+(\\d+)k?\\s+") + what + "\\b");
        if (!std::regex_search(r.out, m, re)) return -1;
        return std::stoll(m[1]);
    };
    LogSummary s = summarise(g.log.string());
    CHECK(grand("delivered") == static_cast<std::int64_t>(s.delivered));
    CHECK(grand("bounced") == static_cast<std::int64_t>(s.bounced));
    CHECK(grand("rejected") == static_cast<std::int64_t>(s.rejected + s.greylisted_by_us));
    // pflogsumm: "deferred  (N  deferrals)": distinct messages, then lines.
    std::smatch m;
    REQUIRE(std::regex_search(r.out, m, std::regex("(\\d+)\\s+deferred\\s+\\((\\d+)\\s+deferrals\\)")));
    CHECK(std::stoull(m[1]) == s.deferred_messages());
    CHECK(std::stoull(m[2]) == s.deferrals);
    // pflogsumm's "received" counts client= lines, including messages cleanup rejected.
    CHECK(grand("received") == static_cast<std::int64_t>(s.received_lines));
}

TEST_CASE("the fast paths name the same signature the RE2 set finds", "[summary]") {
    auto sigs = test::shipped_signatures();
    ScanOptions so;
    LogScanner sc(sigs, so);
    std::vector<std::string> lines;
    for (const char* f : {"infohtreasure-Postfix-Maillog-Dump__postfix-lines.log", "modoboa-stats__mail.log",
                          "kumina-postfix_exporter__test-lines.log", "crowdsec-hub__postfix-tests.log",
                          "fail2ban__postfix.log", "ossec-hids__postfix-examples.log", "wazuh-ruleset__postfix-examples.log"})
        for (const auto& l : test::read_lines(test::corpus_dir() + "/maillog-real/" + f)) lines.push_back(test::fill_day(l));
    const auto& g = generated();
    if (g.ok) {
        auto gen = test::read_lines(g.log.string());
        lines.insert(lines.end(), gen.begin(), gen.begin() + std::min<std::size_t>(gen.size(), 20000));
    }
    std::size_t fast = 0;
    std::vector<int> idx;
    for (const auto& line : lines) {
        std::string ids = sc.fast_signature(line, ref());
        if (ids.empty()) continue;
        ++fast;
        auto l = parse_syslog_line(line, ref());
        sigs->match_indices(l.program, l.message, idx);
        std::string want;
        for (int i : idx) want += (want.empty() ? "" : " ") + sigs->signatures()[static_cast<std::size_t>(i)].id;
        INFO(line);
        CHECK(ids == want); // exactly the signatures the set finds, no more, no fewer
    }
    CHECK(fast > 1000);
}

TEST_CASE("signature hits equal the RE2 set's on every real line (fast paths and shape memo)", "[summary]") {
    auto sigs = test::shipped_signatures();
    std::string text;
    for (const auto& e : std::filesystem::directory_iterator(test::corpus_dir() + "/maillog-real"))
        if (e.path().extension() == ".log")
            for (const auto& l : test::read_lines(e.path().string())) text += test::fill_day(l) + "\n";
    const auto& g = generated();
    if (g.ok) {
        std::ifstream in(g.log, std::ios::binary);
        text += std::string(std::istreambuf_iterator<char>(in), {});
    }
    std::vector<std::uint64_t> want(sigs->signatures().size(), 0);
    std::uint64_t explained = 0;
    std::vector<int> idx;
    for_each_line(text, [&](std::string_view line) {
        auto l = parse_syslog_line(line, ref());
        if (l.kind != LineKind::Postfix) return;
        sigs->match_indices(l.program, l.message, idx);
        if (!idx.empty()) ++explained;
        for (int i : idx) want[static_cast<std::size_t>(i)] += 2;
    });
    ScanOptions so;
    LogScanner sc(sigs, so);
    sc.scan_chunk(LogChunk{text, 0, ref(), 0}); // twice: the second pass answers from the memo
    sc.scan_chunk(LogChunk{text, 0, ref(), 0});
    CHECK(sc.summary().lines_explained == 2 * explained);
    for (std::size_t i = 0; i < want.size(); ++i) {
        INFO(sigs->signatures()[i].id);
        CHECK(sc.summary().signature_hits[i] == want[i]);
    }
}

TEST_CASE("greylisting is a deferral on their side, not our rejection", "[summary]") {
    auto s = summarise_text(
        "Nov 24 10:00:00 mx postfix/smtpd[1]: NOQUEUE: reject: RCPT from unknown[192.0.2.7]: 450 4.2.0 <u@example.org>: "
        "Recipient address rejected: Greylisted, see http://postgrey.schweikert.ch/help/example.org.html; "
        "from=<a@b.example> to=<u@example.org> proto=ESMTP helo=<x>\n"
        "Nov 24 10:00:01 mx postfix/smtpd[1]: NOQUEUE: reject: RCPT from unknown[192.0.2.8]: 554 5.7.1 <u@x.example>: "
        "Relay access denied; from=<a@b.example> to=<u@x.example> proto=ESMTP helo=<x>\n"
        "Nov 24 10:00:02 mx postfix/smtp[2]: ABCDE12345: to=<b@kasanet.fr>, relay=mx1.kasanet.fr[198.51.100.130]:25, "
        "delay=0.12, delays=0/0.02/0.09/0.21, dsn=4.2.0, status=deferred (host mx1.kasanet.fr[198.51.100.130] said: 450 "
        "4.2.0 <b@kasanet.fr>: Recipient address rejected: Greylisted, see http://postgrey.schweikert.ch/help/kasanet.fr.html "
        "(in reply to RCPT TO command))\n");
    CHECK(s.greylisted_by_us == 1);
    CHECK(s.rejected == 1);
    CHECK(s.reject_restrictions.get("reject_unauth_destination") == 1);
    CHECK(s.rejected_clients.get("192.0.2.8") == 1);
    CHECK(s.deferrals == 1);
    CHECK(s.greylisted_by_them == 1);
    auto reasons = s.deferral_reasons.top(1);
    REQUIRE(reasons.size() == 1);
    CHECK(reasons[0].first.rfind("kasanet.fr\thost mxN.kasanet.fr[IP] said: 450 4.2.0 <ADDR>", 0) == 0);
}

TEST_CASE("a content-filter hop is not a delivery and its re-injection not a second receipt", "[summary]") {
    auto s = summarise_text(
        "Nov 24 10:00:00 mx postfix/smtpd[1]: 7EE668039: client=client.example[198.51.100.7]\n"
        "Nov 24 10:00:03 mx postfix/smtpd[3]: 153053D: client=localhost[127.0.0.1]\n"
        "Nov 24 10:00:04 mx postfix/lmtp[4]: 7EE668039: to=<admin@example.com>, relay=127.0.0.1[127.0.0.1]:2525, "
        "delay=3.6, delays=0.2/0.02/0.04/3.3, dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as 153053D)\n"
        "Nov 24 10:00:05 mx postfix/local[5]: 153053D: to=<admin@example.com>, relay=local, delay=2, "
        "delays=1/0/0/1, dsn=2.0.0, status=sent (delivered to mailbox)\n");
    CHECK(s.received_lines == 2);
    CHECK(s.received() == 1);
    CHECK(s.reinjected == 1);
    CHECK(s.delivered == 1);
}

TEST_CASE("shapes mask numbers, queue ids, addresses and IPs", "[summary]") {
    std::string out;
    mask_shape("4jHFMR5vrkzH7fp: to=<bob@example.org>, relay=mx1.example.org[198.51.100.1]:25, delay=0.5", out);
    CHECK(out == "QID: to=<ADDR>, relay=mxN.example.org[IP]:N, delay=N.N");
    mask_shape("DD959A72121: host x[2001:db8::1] said: 450 4.2.0 try later", out, true);
    CHECK(out == "QID: host x[IP] said: 450 4.2.0 try later");
    mask_shape("warning: \x01odd\xff", out);
    CHECK(out == "warning: ?odd?");
}

TEST_CASE("unexplained Postfix lines are grouped by shape with an example", "[summary]") {
    auto s = summarise_text("Nov 24 10:00:00 mx postfix/smtpd[1]: something new happened 42 times\n"
                            "Nov 24 10:00:01 mx postfix/smtpd[2]: something new happened 7 times\n");
    CHECK(s.lines_postfix == 2);
    CHECK(s.lines_explained == 0);
    CHECK(s.unmatched.get("smtpd: something new happened N times") == 2);
    CHECK(s.unmatched_examples.count("smtpd: something new happened N times") == 1);
}

TEST_CASE("the JSON summary carries every section", "[summary]") {
    auto s = summarise_text("Nov 24 10:00:00 mx postfix/smtpd[1]: connect from a.example[192.0.2.1]\n");
    auto j = summary_json(s, test::shipped_signatures().get());
    for (const char* k : {"period", "lines", "totals", "per_hour", "per_day", "deferral_reasons", "bounce_reasons",
                          "reject_restrictions", "rejected_clients", "sasl_failures", "tls_failures", "warnings",
                          "fatal_panic", "delays_seconds", "domains", "unmatched", "signature_hits"})
        CHECK(j.contains(k));
    CHECK(j["signature_hits"]["smtpd_connect"] == 1);
    CHECK(j["delays_seconds"].contains("connection_setup"));
}

TEST_CASE("distinct deferred messages: exact up to the cap, then a bounded estimate", "[summary]") {
    auto id = [](std::uint64_t i) { return (i * 0x9E3779B97F4A7C15ull) ^ 0x5bd1e995ull; };
    auto near = [](std::size_t got, double want) { return std::abs(static_cast<double>(got) - want) <= want * 0.03; };
    HashSet64 a(1000), b(1000);
    for (std::uint64_t i = 1; i <= 900; ++i) a.insert(id(i));
    for (std::uint64_t i = 1; i <= 900; ++i) a.insert(id(i)); // again: no change
    CHECK(a.size() == 900);
    CHECK(!a.saturated());
    for (std::uint64_t i = 901; i <= 200000; ++i) a.insert(id(i));
    CHECK(a.saturated());
    CHECK(near(a.size(), 200000));
    for (std::uint64_t i = 100001; i <= 300000; ++i) b.insert(id(i));
    a.merge(b); // overlapping: 300 000 distinct
    CHECK(near(a.size(), 300000));
    HashSet64 c(1000);
    for (std::uint64_t i = 1; i <= 10; ++i) c.insert(id(i));
    c.merge(a); // an exact set takes in a sketch
    CHECK(c.saturated());
    CHECK(near(c.size(), 300000));
}
