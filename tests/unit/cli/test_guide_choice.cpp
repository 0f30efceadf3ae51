// test_guide_choice.cpp - guided diagnosis on a small knowledge base written in
// the rule language: information gain picks the separating question; back, skip,
// why and replies behave. No terminal, no bundle.
#include "cli/guide/answers_file.hpp"
#include "cli/guide/question_choice.hpp"
#include "cli/guide/session.hpp"
#include "rules/loader.hpp"

#include <catch2/catch.hpp>

using namespace pft;
using namespace pft::cli::guide;

namespace {

const char* kKb = R"(
symptoms:
  - {id: s1, title: S1}
causes:
  - {id: c1, title: C1, severity: warning, symptoms: [s1], explain: x, plan: [{kind: check, run: "true", risk: safe, why: w}]}
  - {id: c2, title: C2, severity: warning, symptoms: [s1], explain: x, plan: [{kind: check, run: "true", risk: safe, why: w}]}
  - {id: c3, title: C3, severity: warning, symptoms: [s1], explain: x, plan: [{kind: check, run: "true", risk: safe, why: w}]}
rules:
  - {id: r1, when: 'user.a == true', conclude: c1, cf: 0.9}
  - {id: r2, when: 'user.a == false', conclude: c1, cf: -0.9}
  - {id: r3, when: 'user.a == false', conclude: c2, cf: 0.9}
  - {id: r4, when: 'user.a == true', conclude: c2, cf: -0.9}
  - {id: r5, when: 'user.b == true', conclude: c3, cf: 0.3}
questions:
  - id: weak
    text: Weak?
    for: [c3]
    answers:
      yes: {fact: user.b, value: true}
      no: {fact: user.b, value: false}
  - id: strong
    text: Strong?
    for: [c1, c2]
    answers:
      yes: {fact: user.a, value: true}
      no: {fact: user.a, value: false}
  - id: choice
    text: Which?
    for: [c1]
    answers:
      connects: {fact: user.a, value: true, label: "It connects"}
      times-out: {fact: user.a, value: false, label: "It times out"}
)";

const cli::Knowledge& small() {
    static cli::Knowledge k = [] {
        cli::Knowledge k;
        rules::Diagnostics d;
        k.kb = rules::load_knowledge_texts({{"small.yaml", kKb}}, d);
        for (const auto& x : d.items()) UNSCOPED_INFO(x.to_string());
        return k;
    }();
    return k;
}

auto now() { return engine::parse_rfc3339("2026-11-24T12:00:00Z").value(); }

Session fresh() {
    cli::SymptomMatch sm{.input = "s1", .id = "s1", .confidence = 0, .how = {}, .ranked = {}};
    return Session(small(), sm, cli::GatheredFacts{}, now());
}

std::string id_of(const Session& s, const QuestionScore& q) { return s.knowledge().kb.questions[static_cast<std::size_t>(q.question)].id; }

} // namespace

TEST_CASE("certainties become a distribution; ruled-out causes drop out", "[cli][guide]") {
    std::vector<double> cfs{0.0, 0.0, -0.9, 0.9};
    auto p = belief_distribution(cfs, {0, 1, 2, 3});
    REQUIRE(p[2] == 0.0);
    REQUIRE(p[3] > p[0]);
    REQUIRE(p[0] + p[1] + p[2] + p[3] == Approx(1.0));
    REQUIRE(entropy_bits({0.5, 0.5}) == Approx(1.0));
    REQUIRE(entropy_bits({1.0, 0.0}) == Approx(0.0));
    REQUIRE(clearly_ahead({0.9, 0.5}, {0, 1}));
    REQUIRE_FALSE(clearly_ahead({0.9, 0.7}, {0, 1}));
    REQUIRE_FALSE(clearly_ahead({0.7, -0.9}, {0, 1}));
}

TEST_CASE("information gain picks the question that separates the candidates", "[cli][guide]") {
    Session s = fresh();
    auto scores = s.scores();
    REQUIRE(scores.size() == 3);
    auto best = s.next_question();
    REQUIRE(best);
    REQUIRE(id_of(s, *best) == "strong");
    double weak_gain = 0;
    for (const auto& q : scores)
        if (id_of(s, q) == "weak") weak_gain = q.gain;
    REQUIRE(best->gain > weak_gain + 0.1);
    // "choice" sets the same fact: once "strong" is answered it is closed too.
    REQUIRE(s.answer("strong", "yes", "test"));
    REQUIRE(s.cfs()[0] == Approx(0.9));
    REQUIRE(s.clearly_ahead());
    for (int q : s.open_questions()) REQUIRE(s.knowledge().kb.questions[static_cast<std::size_t>(q)].id == "weak");
}

TEST_CASE("back undoes the last answer exactly", "[cli][guide]") {
    Session s = fresh();
    auto before = s.cfs();
    REQUIRE(s.answer("strong", "no", "test"));
    REQUIRE(s.cfs()[1] == Approx(0.9));
    REQUIRE(s.back());
    REQUIRE(s.cfs() == before);
    REQUIRE(s.steps().empty());
    REQUIRE_FALSE(s.back());
    REQUIRE(id_of(s, *s.next_question()) == "strong");
}

TEST_CASE("skip and don't know close a question without adding facts", "[cli][guide]") {
    Session s = fresh();
    REQUIRE(s.skip("strong", "test"));
    auto next = s.next_question();
    REQUIRE(next);
    REQUIRE(id_of(s, *next) == "choice"); // the same fact under another question
    REQUIRE(s.dont_know("choice", "test"));
    REQUIRE(s.extra_facts().empty());
    REQUIRE(id_of(s, *s.next_question()) == "weak");
    REQUIRE(s.questions_answered() == 2);
    REQUIRE_FALSE(s.answer("strong", "maybe", "test"));
    REQUIRE_FALSE(s.answer("nonexistent", "yes", "test"));
}

TEST_CASE("why names the causes the question separates and how each answer moves them", "[cli][guide]") {
    Session s = fresh();
    auto q = s.next_question();
    REQUIRE(q);
    std::string w = s.why(*q);
    INFO(w);
    REQUIRE(w.find("separates") != std::string::npos);
    REQUIRE(w.find("c1") != std::string::npos);
    REQUIRE(w.find("c2") != std::string::npos);
    REQUIRE(w.find("If you answer \"yes\"") != std::string::npos);
    REQUIRE(w.find("ruled out") != std::string::npos);
}

TEST_CASE("replies: answers, numbers, prefixes, commands and pasted text", "[cli][guide]") {
    const auto* choice = &small().kb.questions[2];
    const auto* yn = &small().kb.questions[1];
    REQUIRE(parse_reply(yn, "Y").kind == Reply::Answer);
    REQUIRE(parse_reply(yn, " yes ").answer == "yes");
    REQUIRE(parse_reply(yn, "n").answer == "no");
    REQUIRE(parse_reply(yn, "don\xe2\x80\x99t know").kind == Reply::DontKnow);
    REQUIRE(parse_reply(yn, "3").kind == Reply::DontKnow);
    REQUIRE(parse_reply(yn, "9").kind == Reply::Invalid);
    REQUIRE(parse_reply(choice, "2").answer == "times-out");
    REQUIRE(parse_reply(choice, "time").answer == "times-out");
    REQUIRE(parse_reply(choice, "It connects").answer == "connects");
    REQUIRE(parse_reply(choice, "back").kind == Reply::Back);
    REQUIRE(parse_reply(choice, "why").kind == Reply::Why);
    REQUIRE(parse_reply(choice, "skip").kind == Reply::Skip);
    REQUIRE(parse_reply(choice, "quit").kind == Reply::Quit);
    REQUIRE(parse_reply(choice, "run it").kind == Reply::Run);
    REQUIRE(parse_reply(choice, "maybe").kind == Reply::Invalid);
    REQUIRE(parse_reply(choice, "host mx.example.com[192.0.2.1] said: 550 5.7.1 rejected").kind == Reply::Text);
    REQUIRE(parse_reply(nullptr, "quit").kind == Reply::Quit);
}

TEST_CASE("answers files: unknown questions and invalid answers are located", "[cli][guide]") {
    std::vector<AnswersProblem> p;
    auto ok = parse_answers("a.yaml", "strong: yes\nchoice: times-out\nweak: dont-know\n", small().kb, p);
    REQUIRE(ok);
    REQUIRE(p.empty());
    REQUIRE(ok->answers.at("choice").reply == "times-out");
    REQUIRE(ok->answers.at("weak").reply == "dont-know");

    auto bad = parse_answers("b.yaml", "strong: yes\nnope: yes\nchoice: sometimes\n", small().kb, p);
    REQUIRE_FALSE(bad);
    REQUIRE(p.size() == 2);
    REQUIRE(p[0].to_string().rfind("b.yaml:2:1: unknown question 'nope'", 0) == 0);
    REQUIRE(p[1].to_string().rfind("b.yaml:3:9: invalid answer 'sometimes'", 0) == 0);

    p.clear();
    REQUIRE_FALSE(parse_answers("c.yaml", "- just\n- a list\n", small().kb, p));
    REQUIRE(p.size() == 1);
    p.clear();
    REQUIRE_FALSE(parse_answers("d.yaml", "strong: [yes\n", small().kb, p));
    REQUIRE(p.size() == 1);
    REQUIRE(p[0].line >= 1);
}
