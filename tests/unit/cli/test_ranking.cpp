// test_ranking.cpp - causes are ranked by confidence x severity x relevance to
// the chosen symptom, ties broken by severity and then id; the exit status
// follows the worst concluded severity.
#include "cli/triage.hpp"
#include "rules/loader.hpp"

#include <catch2/catch.hpp>

using namespace pft;

namespace {

cli::Knowledge knowledge(const std::string& yaml) {
    rules::Diagnostics d;
    cli::Knowledge k;
    k.kb = rules::load_knowledge_texts({{"rank.yaml", yaml}}, d);
    for (const auto& x : d.items()) UNSCOPED_INFO(x.to_string());
    REQUIRE_FALSE(d.has_errors());
    return k;
}

const char* kKb = R"(
symptoms: [{id: s1, title: S1}, {id: s2, title: S2}]
causes:
  - {id: b-warn, title: B, severity: warning, symptoms: [s1], explain: x, plan: [{kind: check, run: "true", risk: safe, why: w}]}
  - {id: a-warn, title: A, severity: warning, symptoms: [s1], explain: x, plan: [{kind: check, run: "true", risk: safe, why: w}]}
  - {id: crit, title: C, severity: critical, symptoms: [s1], explain: x, plan: [{kind: check, run: "true", risk: safe, why: w}]}
  - {id: other, title: O, severity: critical, symptoms: [s2], explain: x, plan: [{kind: check, run: "true", risk: safe, why: w}]}
  - {id: info, title: I, severity: info, symptoms: [s1], explain: x, plan: [{kind: check, run: "true", risk: safe, why: w}]}
rules:
  - {id: r1, when: 'x.a == 1', conclude: b-warn, cf: 0.6}
  - {id: r2, when: 'x.a == 1', conclude: a-warn, cf: 0.6}
  - {id: r3, when: 'x.a == 1', conclude: crit, cf: 0.6}
  - {id: r4, when: 'x.a == 1', conclude: other, cf: 0.9}
  - {id: r5, when: 'x.a == 1', conclude: info, cf: 0.9}
)";

// The report of a run with no rule fired (the facts below matter to the report only).
cli::Report report_of(const cli::Knowledge& k, const cli::GatheredFacts& g) {
    engine::Engine e(k.kb.compiled, engine::parse_rfc3339("2026-11-24T00:00:00Z").value());
    e.run();
    return cli::build_report(k, e, std::nullopt, g);
}

engine::Fact known(const std::string& name, engine::Value v, const std::string& subject = "") {
    return engine::Fact::known_fact(name, subject, std::move(v), {"t", "t", ""});
}

std::vector<std::string> order(const cli::Report& r) {
    std::vector<std::string> v;
    for (const auto& c : r.causes) v.push_back(c.id);
    return v;
}

} // namespace

TEST_CASE("ranking: confidence x severity x relevance, ties by severity then id", "[cli][rank]") {
    auto k = knowledge(kKb);
    engine::Engine e(k.kb.compiled, engine::parse_rfc3339("2026-11-24T00:00:00Z").value());
    e.add_fact(engine::Fact::known_fact("x.a", "", 1, {"t", "t", ""}));
    e.run();
    cli::GatheredFacts g;
    g.facts.push_back(engine::Fact::known_fact("x.a", "", 1, {"t", "t", ""}));

    // Health check: every cause relevant. other 0.9x1.0, crit 0.6x1.0, info 0.9x0.6 = 0.54, a/b 0.6x0.85.
    auto health = cli::build_report(k, e, std::nullopt, g);
    REQUIRE(order(health) == std::vector<std::string>{"other", "crit", "info", "a-warn", "b-warn"});
    REQUIRE(health.exit_code == 2);

    // With symptom s1, "other" (a cause of s2) is halved: 0.45 < 0.51 of the warnings.
    cli::SymptomMatch sm{.input = "s1", .id = "s1", .confidence = 0, .how = {}, .ranked = {}};
    auto rep = cli::build_report(k, e, sm, g);
    REQUIRE(order(rep) == std::vector<std::string>{"crit", "info", "a-warn", "b-warn", "other"});
    REQUIRE_FALSE(rep.causes.back().relevant);
}

TEST_CASE("exit status: nothing probed is 3", "[cli][rank]") {
    auto k = knowledge(kKb);
    engine::Engine e(k.kb.compiled, engine::parse_rfc3339("2026-11-24T00:00:00Z").value());
    e.run();
    cli::GatheredFacts g; // no facts at all
    auto rep = cli::build_report(k, e, std::nullopt, g);
    REQUIRE(rep.causes.empty());
    REQUIRE(rep.exit_code == 3);
}

TEST_CASE("exit status 3 when Postfix is not installed on the live host, with what to do", "[cli][rank]") {
    auto k = knowledge(kKb);
    cli::GatheredFacts g;
    g.facts.push_back(known("host.name", std::string("web1")));
    auto installed = report_of(k, g);
    REQUIRE(installed.not_probed.empty());
    REQUIRE(installed.exit_code == 0);

    g.facts.push_back(known("postfix.installed", false));
    auto missing = report_of(k, g);
    REQUIRE(missing.not_probed.find("not seem to be installed") != std::string::npos);
    REQUIRE(missing.not_probed.find("--from BUNDLE") != std::string::npos);
    REQUIRE(missing.exit_code == 3);
}

TEST_CASE("not root on a live host: a notice, or exit 3 when the configuration cannot be read", "[cli][rank]") {
    auto k = knowledge(kKb);
    cli::GatheredFacts g;
    g.live = true;
    g.facts.push_back(known("host.name", std::string("mx1")));
    g.facts.push_back(engine::Fact::unknown_fact("tls.key_mode", "smtpd_tls_key_file",
                                                 "/etc/ssl/private/mx.key: Permission denied", {"tls", "t", ""}));
    auto as_root = report_of(k, g); // root: the reason is only listed
    REQUIRE(as_root.notices.empty());
    REQUIRE(as_root.not_probed.empty());

    g.non_root_user = "support";
    auto partial = report_of(k, g);
    REQUIRE(partial.notices.size() == 1);
    REQUIRE(partial.notices[0].find("user 'support', not root: 1 fact(s) could not be read") != std::string::npos);
    REQUIRE(partial.exit_code == 0);

    g.facts.push_back(known("postconf.fatal", std::string("open /etc/postfix/main.cf: Permission denied")));
    auto closed = report_of(k, g);
    REQUIRE(closed.not_probed.find("may not read Postfix's configuration") != std::string::npos);
    REQUIRE(closed.exit_code == 3);
}
