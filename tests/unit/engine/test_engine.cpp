// test_engine.cpp - the forward chainer: chaining, refraction, waking,
// stratification, certainty combination, explanation, three-valued logic.
// Rules are written in the rule language and compiled by rules/, as in use.
#include "engine/certainty.hpp"
#include "engine/engine.hpp"
#include "engine/explain.hpp"
#include "rules/loader.hpp"

#include <catch2/catch.hpp>

using namespace pft;

namespace {

rules::KnowledgeBase kb_from(const std::string& yaml, rules::Diagnostics* out = nullptr) {
    rules::Diagnostics d;
    auto kb = rules::load_knowledge_texts({{"test.yaml", yaml}}, d);
    if (out) *out = d;
    else {
        for (const auto& x : d.items()) INFO(x.to_string());
        REQUIRE_FALSE(d.has_errors());
    }
    return kb;
}

engine::Fact fact(const std::string& n, const std::string& s, engine::Value v) {
    return engine::Fact::known_fact(n, s, std::move(v), {"test", "here", ""});
}

const char* kCauses = R"(
symptoms:
  - {id: s1, title: S1}
causes:
  - {id: c1, title: C1, severity: warning, symptoms: [s1], explain: x, plan: [{kind: check, run: "true", risk: safe, why: w}]}
  - {id: c2, title: C2, severity: critical, symptoms: [s1], explain: x, plan: [{kind: check, run: "true", risk: safe, why: w}]}
)";

auto now() { return engine::parse_rfc3339("2026-11-24T12:00:00Z").value(); }

} // namespace

TEST_CASE("certainty factors combine MYCIN-style and independently of order", "[engine][cf]") {
    REQUIRE(engine::cf_combine(0.6, 0.5) == Approx(0.8));
    REQUIRE(engine::cf_combine(-0.6, -0.5) == Approx(-0.8));
    REQUIRE(engine::cf_combine(0.8, -0.4) == Approx((0.8 - 0.4) / (1 - 0.4)));
    REQUIRE(engine::cf_combine_all({0.6, -0.5, 0.5}) == Approx(engine::cf_combine_all({-0.5, 0.5, 0.6})));
    REQUIRE(engine::cf_combine_all({}) == 0.0);
}

TEST_CASE("a rule concludes a cause when its condition holds", "[engine]") {
    auto kb = kb_from(std::string(kCauses) + R"(
rules:
  - {id: r1, when: 'queue.count["hold"] > 0', conclude: c1, cf: 0.9}
)");
    engine::Engine e(kb.compiled, now());
    e.add_fact(fact("queue.count", "hold", 3));
    e.run();
    REQUIRE(e.cause_cf(0) == Approx(0.9));
    REQUIRE(e.cause_cf(1) == 0.0);
}

TEST_CASE("unknown is never false: a comparison on an unknown fact does not fire, and not() of it does not either", "[engine][tri]") {
    auto kb = kb_from(std::string(kCauses) + R"(
rules:
  - {id: r1, when: 'queue.count["hold"] > 0', conclude: c1, cf: 0.9}
  - {id: r2, when: 'not (queue.count["hold"] > 0)', conclude: c2, cf: 0.9}
)");
    engine::Engine e(kb.compiled, now());
    e.add_fact(engine::Fact::unknown_fact("queue.count", "hold", "postqueue timed out", {"queue", "cmd", ""}));
    e.run();
    REQUIRE(e.cause_cf(0) == 0.0);
    REQUIRE(e.cause_cf(1) == 0.0);
    auto wn = engine::why_not(e, 0);
    REQUIRE(wn.size() == 1);
    REQUIRE(wn[0].reason.find("unknown") != std::string::npos);
    REQUIRE(wn[0].unknowns.size() == 1);
    REQUIRE(wn[0].unknowns[0].unknown_reason == "postqueue timed out");
}

TEST_CASE("Kleene logic: false and unknown is false; true or unknown is true", "[engine][tri]") {
    auto kb = kb_from(std::string(kCauses) + R"(
rules:
  - {id: r1, when: 'x.a == 1 or x.missing == 2', conclude: c1, cf: 0.5}
  - {id: r2, when: 'x.a == 2 and x.missing == 2', conclude: c2, cf: 0.5}
  - {id: r3, when: 'known(x.a) and unknown(x.missing)', conclude: c2, cf: 0.5}
)");
    engine::Engine e(kb.compiled, now());
    e.add_fact(fact("x.a", "", 1));
    e.run();
    REQUIRE(e.cause_cf(0) == Approx(0.5));
    // r2 is false (not unknown) because x.a == 2 is false; r3 fires.
    REQUIRE(e.cause_cf(1) == Approx(0.5));
}

TEST_CASE("forward chaining through derived facts, per binding, with refraction", "[engine][chain]") {
    auto kb = kb_from(std::string(kCauses) + R"(
rules:
  - {id: a, for: e in obs.k1, when: 'obs.k1[e] >= 50 and known(obs.k2[e])', assert: {fact: mid.m0}}
  - {id: b, for: e in obs.k3, when: 'obs.k3[e] >= 50 and known(obs.k4[e])', assert: {fact: mid.m1}}
  - {id: c, for: e in mid.m0, when: 'known(mid.m1[e]) and known(obs.k5[e])', assert: {fact: cause.x}}
  - {id: d, for: e in cause.x, conclude: c1, cf: 0.7}
)");
    engine::Engine e(kb.compiled, now());
    for (std::string ent : {"e1", "e2"}) {
        e.add_fact(fact("obs.k1", ent, 60));
        e.add_fact(fact("obs.k2", ent, 1));
        e.add_fact(fact("obs.k3", ent, ent == "e1" ? 70 : 10));
        e.add_fact(fact("obs.k4", ent, 1));
        e.add_fact(fact("obs.k5", ent, 1));
    }
    auto st = e.run();
    // e1 completes the chain; e2 fails the k3 threshold.
    REQUIRE(e.cause_cf(0) == Approx(0.7));
    auto n = e.memory().names().find("cause.x");
    REQUIRE(e.memory().with_name(n).size() == 1);
    REQUIRE(e.memory().subjects().str(e.memory().at(e.memory().with_name(n)[0]).subject) == "e1");
    // a fires for e1 and e2, b for e1, c for e1, d for e1: five firings, once each.
    REQUIRE(st.firings == 5);
}

TEST_CASE("a new fact wakes only the rules that read it", "[engine][index]") {
    // 50 unrelated rules read other facts; only 'hit' reads trigger.x.
    std::string rules = "rules:\n";
    for (int i = 0; i < 50; ++i)
        rules += "  - {id: other" + std::to_string(i) + ", for: e in other.f" + std::to_string(i) + ", assert: {fact: d.o" + std::to_string(i) + "}}\n";
    rules += "  - {id: mk, for: e in seed.s, assert: {fact: trigger.x}}\n";
    rules += "  - {id: hit, for: e in trigger.x, conclude: c1, cf: 0.5}\n";
    auto kb = kb_from(std::string(kCauses) + rules);
    engine::Engine e(kb.compiled, now());
    e.add_fact(fact("seed.s", "a", true));
    auto st = e.run();
    REQUIRE(e.cause_cf(0) == Approx(0.5));
    // Initial pass: 50 rules with no bindings cost nothing; mk once, hit woken once by trigger.x[a].
    REQUIRE(st.evaluations <= 3);
}

TEST_CASE("negative evidence rules a cause out", "[engine][cf]") {
    auto kb = kb_from(std::string(kCauses) + R"(
rules:
  - {id: pos, when: 'x.a > 0', conclude: c1, cf: 0.4}
  - {id: neg, when: 'x.b == true', conclude: c1, cf: -0.9}
)");
    engine::Engine e(kb.compiled, now());
    e.add_fact(fact("x.a", "", 1));
    e.add_fact(fact("x.b", "", true));
    e.run();
    REQUIRE(e.cause_cf(0) < -engine::kConcludeThreshold);
}

TEST_CASE("stratification: a rule reading a derived fact through not() runs after its derivers", "[engine][strata]") {
    auto kb = kb_from(std::string(kCauses) + R"(
rules:
  # Listed first on purpose: without strata it would fire before d.flag exists.
  - {id: late, when: 'not known(d.flag)', conclude: c2, cf: 0.8}
  - {id: early, when: 'x.a == 1', assert: {fact: d.flag}}
  - {id: uses, when: 'd.flag == true', conclude: c1, cf: 0.6}
)");
    REQUIRE(kb.compiled->strata == 2);
    engine::Engine e(kb.compiled, now());
    e.add_fact(fact("x.a", "", 1));
    e.run();
    REQUIRE(e.cause_cf(0) == Approx(0.6));
    REQUIRE(e.cause_cf(1) == 0.0); // d.flag was known by the time 'late' ran
}

TEST_CASE("a cycle through negation is a load error naming the rules", "[engine][strata]") {
    rules::Diagnostics d;
    kb_from(std::string(kCauses) + R"(
rules:
  - {id: p, when: 'not known(d.q)', assert: {fact: d.p}}
  - {id: q, when: 'known(d.p)', assert: {fact: d.q}}
)", &d);
    REQUIRE(d.has_errors());
    bool named = false;
    for (const auto& x : d.items())
        if (x.message.find("cycle through negation") != std::string::npos && x.message.find("p") != std::string::npos &&
            x.message.find("q") != std::string::npos)
            named = true;
    REQUIRE(named);
}

TEST_CASE("positive recursion is allowed and reaches a fixpoint", "[engine][strata]") {
    auto kb = kb_from(std::string(kCauses) + R"(
rules:
  - {id: base, for: n in edge.to, assert: {fact: reach.node, subject: 'edge.to[n]'}}
  - {id: step, for: n in reach.node, when: 'known(edge.to[n])', assert: {fact: reach.node, subject: 'edge.to[n]'}}
  - {id: done, when: 'known(reach.node["d"])', conclude: c1, cf: 1.0}
)");
    engine::Engine e(kb.compiled, now());
    e.add_fact(fact("edge.to", "a", "b"));
    e.add_fact(fact("edge.to", "b", "c"));
    e.add_fact(fact("edge.to", "c", "d"));
    e.run();
    REQUIRE(e.cause_cf(0) == Approx(1.0));
}

TEST_CASE("conflict resolution: salience first, then specificity, then recency", "[engine][agenda]") {
    auto kb = kb_from(std::string(kCauses) + R"(
rules:
  - {id: low, when: 'x.a == 1', conclude: c1, cf: 0.1}
  - {id: high, when: 'x.a == 1', conclude: c1, cf: 0.1, salience: 10}
  - {id: specific, when: 'x.a == 1 and x.b == 1', conclude: c1, cf: 0.1}
  - {id: recent, when: 'x.c == 1', conclude: c1, cf: 0.1}
)");
    engine::Engine e(kb.compiled, now());
    e.add_fact(fact("x.a", "", 1));
    e.add_fact(fact("x.b", "", 1));
    e.add_fact(fact("x.c", "", 1)); // newest fact
    e.run();
    std::vector<std::string> order;
    auto sups = e.cause_supports(0);
    std::vector<std::pair<std::uint64_t, std::string>> by_seq;
    for (auto s : sups) by_seq.push_back({e.support(s).seq, e.rules().rules[static_cast<std::size_t>(e.support(s).rule)].id});
    std::sort(by_seq.begin(), by_seq.end());
    for (auto& p : by_seq) order.push_back(p.second);
    REQUIRE(order == std::vector<std::string>{"high", "specific", "recent", "low"});
}

TEST_CASE("explanation goes from the cause down to the raw evidence", "[engine][explain]") {
    auto kb = kb_from(std::string(kCauses) + R"(
rules:
  - {id: mk, for: d in q.dest, when: 'q.dest[d] > 5', assert: {fact: d.busy}, because: many queued}
  - {id: con, for: d in d.busy, conclude: c1, cf: 0.8, because: busy destination}
)");
    engine::Engine e(kb.compiled, now());
    e.add_fact(engine::Fact::known_fact("q.dest", "example.org", 9, {"queue", "postqueue-j.txt:4", "raw line"}));
    e.run();
    auto ex = engine::explain_cause(e, 0);
    REQUIRE(ex.size() == 1);
    REQUIRE(ex[0].rule_id == "con");
    REQUIRE(ex[0].binding == "example.org");
    REQUIRE(ex[0].evidence.size() == 1);
    REQUIRE(ex[0].evidence[0].derived);
    REQUIRE(ex[0].evidence[0].derivation.size() == 1);
    const auto& leaf = ex[0].evidence[0].derivation[0].evidence[0];
    REQUIRE(leaf.fact == "q.dest");
    REQUIRE(leaf.value == "9");
    REQUIRE(leaf.prov.source == "postqueue-j.txt:4");
}

TEST_CASE("why-not names the condition that failed, per binding", "[engine][explain]") {
    auto kb = kb_from(std::string(kCauses) + R"(
rules:
  - {id: r, for: d in q.dest, when: 'q.dest[d] > 5 and q.age[d] > 1d', conclude: c1, cf: 0.8}
)");
    engine::Engine e(kb.compiled, now());
    e.add_fact(fact("q.dest", "a.example", 9));
    e.add_fact(fact("q.age", "a.example", engine::Value(engine::Duration(3600))));
    e.run();
    auto wn = engine::why_not(e, 0);
    REQUIRE(wn.size() == 1);
    REQUIRE(wn[0].binding == "a.example");
    REQUIRE(wn[0].reason == "condition is false: q.age[d] > 1d");
}

TEST_CASE("quantifiers, counting and regex over subjects", "[engine][expr]") {
    auto kb = kb_from(std::string(kCauses) + R"(
rules:
  - {id: r1, when: 'count(r in q.reason: r =~ "(?i)timed out") >= 2 and sum(r in q.reason: r =~ "timed out") > 10', conclude: c1, cf: 0.6}
  - {id: r2, when: 'all(r in q.reason: q.reason[r] > 100)', conclude: c2, cf: 0.6}
)");
    engine::Engine e(kb.compiled, now());
    e.add_fact(fact("q.reason", "connect to a: Connection timed out", 4));
    e.add_fact(fact("q.reason", "connect to b: Connection timed out", 8));
    e.add_fact(fact("q.reason", "host said 550", 1));
    e.run();
    REQUIRE(e.cause_cf(0) == Approx(0.6));
    REQUIRE(e.cause_cf(1) == 0.0);
}

TEST_CASE("durations, sizes and percentages compare with typed facts", "[engine][expr]") {
    auto kb = kb_from(std::string(kCauses) + R"(
rules:
  - {id: r1, when: 'q.age > 2h and q.size >= 10MB and disk.pct > 90%', conclude: c1, cf: 0.5}
)");
    engine::Engine e(kb.compiled, now());
    e.add_fact(fact("q.age", "", engine::Value(engine::Duration(3 * 3600))));
    e.add_fact(fact("q.size", "", 10'000'000));
    e.add_fact(fact("disk.pct", "", 95.5));
    e.run();
    REQUIRE(e.cause_cf(0) == Approx(0.5));
}

TEST_CASE("two numeric strings compare as numbers, other strings as text", "[engine][expr]") {
    auto kb = kb_from(std::string(kCauses) + R"(
rules:
  - {id: sizes, when: 'p.v["mailbox"] < p.v["message"]', conclude: c1, cf: 0.5}
  - {id: words, when: 'p.v["a"] < p.v["b"] and p.v["nan"] != p.v["zero"]', conclude: c2, cf: 0.5}
)");
    engine::Engine e(kb.compiled, now());
    e.add_fact(fact("p.v", "mailbox", "9000000"));  // as text "9000000" > "10240000"
    e.add_fact(fact("p.v", "message", "10240000"));
    e.add_fact(fact("p.v", "a", "apple"));
    e.add_fact(fact("p.v", "b", "banana"));
    e.add_fact(fact("p.v", "nan", "nan")); // not a number: no NaN that equals everything
    e.add_fact(fact("p.v", "zero", "0"));
    e.run();
    REQUIRE(e.cause_cf(0) == Approx(0.5));
    REQUIRE(e.cause_cf(1) == Approx(0.5));
}

TEST_CASE("a rule reading derived facts scales its certainty by theirs", "[engine][cf]") {
    auto kb = kb_from(std::string(kCauses) + R"(
rules:
  - {id: weak, when: 'x.a == 1', assert: {fact: d.x}, cf: 0.5}
  - {id: use, when: 'd.x == true', conclude: c1, cf: 0.8}
)");
    engine::Engine e(kb.compiled, now());
    e.add_fact(fact("x.a", "", 1));
    e.run();
    REQUIRE(e.cause_cf(0) == Approx(0.4));
}
