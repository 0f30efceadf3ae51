// test_render_formats.cpp - the Markdown, HTML, Prometheus and Nagios renderers on a
// report full of hostile values (markup, pipes, backticks, quotes, newlines), and
// collect_metrics on facts. Set PFT_HTML_SAMPLE=FILE to keep the HTML (the chromium test does).
#include "cli/metrics.hpp"
#include "cli/render.hpp"

#include <catch2/catch.hpp>

#include <cstdlib>
#include <fstream>
#include <regex>
#include <sstream>

using namespace pft;
using namespace pft::cli;

namespace {

engine::Fact fact(const std::string& n, const std::string& subj, engine::Value v) {
    return engine::Fact::known_fact(n, subj, std::move(v), {"test", "test.txt:1", ""});
}

Report hostile_report() {
    Report r;
    r.source = "bundle /tmp/<b>x</b>";
    r.hostname = "mx1.example.org";
    r.now = engine::parse_rfc3339("2026-11-24T12:00:00Z").value();
    CauseReport c;
    c.id = "relayhost-unreachable";
    c.title = "Relay host <script>alert(1)</script> | unreachable";
    c.severity = "critical";
    c.explain = "Mail waits for [relay.example.net]:587 `now`.";
    c.doc = "https://www.postfix.org/postconf.5.html#relayhost";
    c.confidence = 0.92;
    c.evidence.push_back({"log.connect_failed.host", "relay.example.net", "12 | `x`", "maillog:10", "maillog", "connect to \"relay\"", "r1", true});
    c.plan.push_back({"check", "postconf -h relayhost 'a`b`c' \"<x>\"", {}, "safe", "see the relay host's value"});
    c.plan.push_back({"fix", "postconf -e 'relayhost = [new]:587'", {}, "disruptive", "point at the working relay"});
    engine::DerivationNode d;
    d.rule_id = "relay-connect-fails";
    d.cf = 0.9;
    d.binding = "relay.example.net";
    engine::EvidenceItem e;
    e.fact = "log.connect_failed.host";
    e.subject = "relay.example.net";
    e.known = true;
    e.value = "12";
    e.prov.source = "maillog:10";
    d.evidence.push_back(e);
    e.fact = "postconf.param";
    e.subject = "relayhost";
    e.value = "[relay.example.net]:587";
    d.evidence.push_back(e);
    c.derivation.push_back(d);
    r.causes.push_back(c);
    CauseReport w = c;
    w.id = "evil|id\"x";
    w.title = "warning\nwith newline";
    w.severity = "warning";
    w.doc = "javascript:alert(1)";
    w.confidence = 0.5;
    r.causes.push_back(w);

    std::vector<engine::Fact> facts = {
        fact("queue.count", "deferred", 42), fact("queue.count", "active", 3), fact("queue.total", "", 45),
        fact("queue.oldest_age", "deferred", engine::Duration(7200)),
        fact("queue.dest.count", "example.com", 30), fact("queue.dest.oldest_age", "example.com", engine::Duration(7200)),
        fact("queue.dest.top_reason", "example.com", "connect to mx <b>refused</b>"),
        fact("queue.dest.count", "b.example", 12), fact("queue.dest.oldest_age", "b.example", engine::Duration(600)),
        fact("tls.cert.not_after", "/etc/ssl/certs/\"mail\".pem", engine::TimePoint(r.now + engine::Duration(10 * 86400))),
        fact("log.lines", "", 1234)};
    for (int hr = 0; hr < 24; ++hr) {
        char s[32];
        std::snprintf(s, sizeof s, "2026-11-24T%02d", hr);
        facts.push_back(fact("log.hour.delivered", s, 40 + hr));
        facts.push_back(fact("log.hour.deferred", s, hr > 15 ? 30 : 2));
        facts.push_back(fact("log.hour.bounced", s, 1));
        facts.push_back(fact("log.hour.rejected", s, hr % 5));
    }
    r.metrics = collect_metrics(facts, r.now);
    r.exit_code = 2;
    return r;
}

} // namespace

TEST_CASE("collect_metrics picks queue, certificate and per-hour log numbers out of facts", "[render]") {
    auto r = hostile_report();
    const auto& m = r.metrics;
    CHECK(m.queue_count.at("deferred") == 42);
    CHECK(m.queue_total == 45);
    REQUIRE(m.destinations.size() == 2);
    CHECK(m.destinations[0].domain == "example.com"); // oldest first
    REQUIRE(m.certificates.size() == 1);
    CHECK(m.certificates[0].days == Approx(10.0));
    REQUIRE(m.log_hours.size() == 24);
    CHECK(m.log_hours.front().hour == "2026-11-24T00");
    REQUIRE(m.deferral_rate);
    CHECK(*m.deferral_rate > 0.1);
    CHECK(*m.deferral_rate < 0.5);
}

TEST_CASE("unknown facts give no metrics rather than zeros", "[render]") {
    std::vector<engine::Fact> facts = {engine::Fact::unknown_fact("queue.total", "", "postqueue failed", {})};
    auto m = collect_metrics(facts, engine::TimePoint{});
    CHECK_FALSE(m.queue_total);
    CHECK_FALSE(m.deferral_rate);
}

TEST_CASE("HTML escapes every outside value and links only to postfix.org", "[render]") {
    auto r = hostile_report();
    std::ostringstream s;
    render_html(r, s);
    std::string h = s.str();
    if (const char* keep = std::getenv("PFT_HTML_SAMPLE")) std::ofstream(keep) << h;
    CHECK(h.find("<script") == std::string::npos);
    CHECK(h.find("&lt;script&gt;alert(1)&lt;/script&gt;") != std::string::npos);
    CHECK(h.find("<b>") == std::string::npos);
    CHECK(h.find("href=\"https://www.postfix.org/postconf.5.html#relayhost\"") != std::string::npos);
    CHECK(h.find("href=\"javascript") == std::string::npos);
    CHECK(h.find(" src=") == std::string::npos);
    CHECK_FALSE(std::regex_search(h, std::regex(R"(url\((?!#))"))); // only url(#marker) inside the SVG
    // the plan, the evidence and the three pictures
    CHECK(h.find("postconf -e &#39;relayhost = [new]:587&#39;") != std::string::npos);
    CHECK(h.find("log.connect_failed.host[relay.example.net]") != std::string::npos);
    CHECK(h.find("aria-label=\"derivation of relayhost-unreachable\"") != std::string::npos);
    CHECK(h.find("aria-label=\"mail log per hour\"") != std::string::npos);
    CHECK(h.find("Age by destination") != std::string::npos);
}

TEST_CASE("Markdown escapes pipes and backticks and fences commands safely", "[render]") {
    auto r = hostile_report();
    std::ostringstream s;
    render_markdown(r, s);
    std::string md = s.str();
    CHECK(md.find("12 \\| \\`x\\`") != std::string::npos);
    CHECK(md.find("\\<script\\>") != std::string::npos);
    CHECK_FALSE(std::regex_search(md, std::regex(R"((^|[^\\])<script)"))); // only as \<script
    // a command holding a backtick is fenced with more backticks than it contains
    CHECK(md.find("```sh\n   postconf -h relayhost 'a`b`c'") != std::string::npos);
    // every table row has the same number of unescaped cell separators
    std::istringstream in(md);
    std::string line;
    std::regex sep(R"((^|[^\\])\|)");
    while (std::getline(in, line)) {
        if (line.rfind("| log.connect_failed", 0) != 0) continue;
        auto n = std::distance(std::sregex_iterator(line.begin(), line.end(), sep), std::sregex_iterator());
        CHECK(n == 4);
    }
}

TEST_CASE("the Nagios status line is one line with performance data after the only pipe", "[render]") {
    auto r = hostile_report();
    std::ostringstream s;
    render_nagios(r, s, false);
    std::string line = s.str();
    REQUIRE(std::count(line.begin(), line.end(), '\n') == 1);
    CHECK(line.rfind("PFTRIAGE CRITICAL - 1 critical, 1 warning, 0 info: relayhost-unreachable (92%)", 0) == 0);
    CHECK(std::count(line.begin(), line.end(), '|') == 1);
    CHECK(line.find(" queue_total=45;;;0") != std::string::npos);
    CHECK(line.find(" oldest_deferred=7200s;;;0") != std::string::npos);
    CHECK(line.find("'cert_days_/etc/ssl/certs/\"mail\".pem'=10;;") != std::string::npos);
    CHECK(line.find("deferral_rate=") != std::string::npos);
}

TEST_CASE("Prometheus output is valid exposition format with escaped labels", "[render]") {
    auto r = hostile_report();
    std::ostringstream s;
    render_prometheus(r, s);
    std::string p = s.str();
    std::regex sample(R"re(^[a-zA-Z_:][a-zA-Z0-9_:]*(\{([a-zA-Z_][a-zA-Z0-9_]*="([^"\\\n]|\\["\\n])*",?)*\})? -?[0-9.eE+-]+$)re");
    std::regex meta(R"(^# (HELP|TYPE) [a-zA-Z_:][a-zA-Z0-9_:]* .+$)");
    std::istringstream in(p);
    std::string line;
    while (std::getline(in, line)) {
        INFO(line);
        CHECK((std::regex_match(line, sample) || std::regex_match(line, meta)));
    }
    CHECK(p.find("pftriage_findings{severity=\"critical\"} 1") != std::string::npos);
    CHECK(p.find("pftriage_cause_confidence{cause=\"evil|id\\\"x\",severity=\"warning\"} 0.5") != std::string::npos);
    CHECK(p.find("pftriage_queue_messages{queue=\"deferred\"} 42") != std::string::npos);
    CHECK(p.find("pftriage_certificate_days_left{certificate=\"/etc/ssl/certs/\\\"mail\\\".pem\"} 10") != std::string::npos);
}
