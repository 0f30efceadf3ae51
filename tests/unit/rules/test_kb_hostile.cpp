// test_kb_hostile.cpp - every kind of knowledge-base error the loader and the expression
// parser report, each at its file:line:column; hostile YAML (deep nesting, alias bombs)
// ends quickly with an error instead of a crash; RE2 refuses what would backtrack.
#include "engine/value.hpp"
#include "rules/expr_parser.hpp"
#include "rules/loader.hpp"

#include <catch2/catch.hpp>

#include <chrono>
#include <cstdint>

using namespace pft;

namespace {

// A valid symptom and cause that each case may refer to (lines 1-9).
const std::string base = R"(symptoms:
  - id: s-one
    title: S
causes:
  - id: c-one
    title: C
    severity: warning
    symptoms: [s-one]
    explain: x
)";

struct Case {
    const char* kind;
    std::string yaml; // appended to `base` (its first line is line 10)
    int line;         // expected line of the error; column must be > 0
    const char* text; // in the message
};

std::string all(const rules::Diagnostics& d) {
    std::string s;
    for (const auto& x : d.sorted()) s += x.to_string() + "\n";
    return s;
}

} // namespace

TEST_CASE("kb: every schema error kind is reported at file:line:column", "[rules][loader][hostile]") {
    const std::vector<Case> cases = {
        {"not a mapping", "rules: 3\n", 10, "'rules' must be a list"},
        {"symptoms not a list", "rules: []\n", 0, ""}, // (control: no error)
        {"unknown key", "rules:\n  - id: r\n    when: true\n    conclude: c-one\n    colour: red\n", 14, "unknown key 'colour'"},
        {"missing key", "rules:\n  - id: r\n    when: true\n", 11, "needs exactly one of 'conclude' or 'assert'"},
        {"not a string", "rules:\n  - id: [a, b]\n    when: true\n    conclude: c-one\n", 11, "'id' must be a string"},
        {"not a number", "rules:\n  - id: r\n    when: true\n    conclude: c-one\n    cf: high\n", 14, "'cf' must be a number"},
        {"cf out of range", "rules:\n  - id: r\n    when: true\n    conclude: c-one\n    cf: 3\n", 14, "cf must be between -1 and 1"},
        {"assert with negative cf", "rules:\n  - id: r\n    when: true\n    assert: {fact: derived.x, value: 'true'}\n    cf: -0.5\n", 14,
         "needs a positive cf"},
        {"undotted asserted fact", "rules:\n  - id: r\n    when: true\n    assert: {fact: nodot, value: 'true'}\n", 13, "must be dotted"},
        {"bad for", "rules:\n  - id: r\n    for: d of postconf.x\n    when: true\n    conclude: c-one\n", 12, "'for' must read 'VAR in fact.name'"},
        {"unknown cause", "rules:\n  - id: r\n    when: true\n    conclude: c-nope\n", 11, "concludes unknown cause 'c-nope'"},
        {"duplicate rule", "rules:\n  - id: r\n    when: true\n    conclude: c-one\n  - id: r\n    when: true\n    conclude: c-one\n", 14,
         "duplicate rule id 'r'"},
        {"list of strings", "symptoms:\n  - id: s-two\n    title: T\n    aliases: [[x]]\n", 0, ""}, // top-level key twice: YAML error below
        {"bad severity", "causes:\n  - id: c-two\n    title: C\n    severity: severe\n    explain: x\n", 0, ""},
        {"unknown top-level key", "colours: [red]\n", 10, "unknown top-level key 'colours'"},
        {"questions not a list", "questions: {a: b}\n", 10, "'questions' must be a list"},
        {"question without answers", "questions:\n  - id: q-one\n    text: Is it?\n", 11, "needs 'answers'"},
        {"answer fact outside user.", "questions:\n  - id: q-one\n    text: Is it?\n    answers:\n      yes: {fact: postconf.x, value: 'true'}\n", 14,
         "answer facts must be under 'user.'"},
        {"tests not a list", "tests: 3\n", 10, "'tests' must be a list"},
        // The expression language.
        {"trailing tokens", "rules:\n  - id: r\n    when: postconf.x == 1 2\n    conclude: c-one\n", 12, "after the end of the expression"},
        {"missing operand", "rules:\n  - id: r\n    when: postconf.x >\n    conclude: c-one\n", 12, "expected a value"},
        {"unbalanced parenthesis", "rules:\n  - id: r\n    when: (postconf.x == 1\n    conclude: c-one\n", 12, "expected ')'"},
        {"regex does not compile", "rules:\n  - id: r\n    when: 'postconf.x =~ \"(a\"'\n    conclude: c-one\n", 12, "regular expression does not compile"},
        {"regex not a string", "rules:\n  - id: r\n    when: postconf.x =~ 3\n    conclude: c-one\n", 12, "right side of =~ must be a string"},
        {"backreference (would backtrack)", "rules:\n  - id: r\n    when: 'postconf.x =~ \"^(a+)+\\\\1$\"'\n    conclude: c-one\n", 12,
         "regular expression does not compile"},
        {"unknown function", "rules:\n  - id: r\n    when: frobnicate(postconf.x)\n    conclude: c-one\n", 12, "unknown function 'frobnicate'"},
        {"quantifier without in", "rules:\n  - id: r\n    when: 'any(d postconf.x: d == 1)'\n    conclude: c-one\n", 12, "expected 'in'"},
        {"quantifier over a non-fact", "rules:\n  - id: r\n    when: 'any(d in nodot: true)'\n    conclude: c-one\n", 12, "expected a fact name"},
        {"quantifier without condition", "rules:\n  - id: r\n    when: 'any(d in postconf.x)'\n    conclude: c-one\n", 12, "expected ':'"},
        {"cause() without quotes", "rules:\n  - id: r\n    when: cause(c-one) > 0\n    conclude: c-one\n", 12, "cause() expects a cause id in quotes"},
        {"cause() unknown", "rules:\n  - id: r\n    when: 'cause(\"c-nope\") > 0'\n    conclude: c-one\n", 12, "unknown cause id"},
        {"bad unit", "rules:\n  - id: r\n    when: postconf.x > 5parsecs\n    conclude: c-one\n", 12, "bad number or unit"},
        {"unknown name", "rules:\n  - id: r\n    when: zz > 1\n    conclude: c-one\n", 12, "unknown name 'zz'"},
        {"unterminated string", "rules:\n  - id: r\n    when: 'postconf.x == \"abc'\n    conclude: c-one\n", 12, ""},
        {"plan: unterminated quote", "causes:\n  - id: c-two\n    title: C\n    severity: info\n    explain: x\n    plan:\n"
                                     "      - {kind: check, run: \"echo 'a\", risk: safe, why: w}\n", 16, "unterminated quote"},
        {"plan: brace", "causes:\n  - id: c-two\n    title: C\n    severity: info\n    explain: x\n    plan:\n"
                        "      - {kind: check, run: \"echo {a\", risk: safe, why: w}\n", 16, "'{' without '}'"},
        {"plan: bad kind and risk", "causes:\n  - id: c-two\n    title: C\n    severity: info\n    explain: x\n    plan:\n"
                                    "      - {kind: nuke, run: \"echo\", risk: yolo, why: w}\n", 16, "step kind must be check, fix or verify"},
        {"duplicate cause", "causes:\n  - id: c-one\n    title: C\n    severity: info\n    explain: x\n", 0, ""},
        {"unknown symptom", "causes:\n  - id: c-two\n    title: C\n    severity: info\n    symptoms: [s-nope]\n    explain: x\n", 11,
         "names unknown symptom 's-nope'"},
        {"bad id", "causes:\n  - id: Bad_ID!\n    title: C\n    severity: info\n    explain: x\n", 11, "must be lower-case words"},
        {"YAML syntax", "rules:\n  - id: r\n    when: [unclosed\n", 0, "YAML syntax"},
    };
    for (const auto& c : cases) {
        if (c.line == 0 && std::string(c.text).empty()) continue;
        CAPTURE(c.kind);
        rules::Diagnostics d;
        std::string doc = c.kind == std::string("not a mapping") || c.kind == std::string("tests not a list") ||
                                  c.kind == std::string("questions not a list") || c.kind == std::string("unknown top-level key")
                              ? base + c.yaml
                              : base + c.yaml;
        rules::load_knowledge_texts({{"kb/hostile.yaml", doc}}, d);
        INFO(all(d));
        bool found = false;
        for (const auto& x : d.items()) {
            if (x.severity != rules::Severity::Error) continue;
            if (std::string(c.text).size() && x.message.find(c.text) == std::string::npos) continue;
            if (c.line && x.loc.line != c.line) continue;
            found = x.loc.file == "kb/hostile.yaml" && x.loc.line > 0 && x.loc.column > 0;
            if (found) break;
        }
        CHECK(found);
    }
}

TEST_CASE("kb: a rule cycle through negation names the rules at file:line:column", "[rules][loader][hostile]") {
    rules::Diagnostics d;
    rules::load_knowledge_texts({{"kb/cycle.yaml", base + R"(  - id: c-two
    title: D
    severity: info
    explain: y
rules:
  - id: cyc-a
    when: not cause("c-two")
    conclude: c-one
  - id: cyc-b
    when: not cause("c-one")
    conclude: c-two
)"}},
                                d);
    INFO(all(d));
    bool found = false;
    for (const auto& x : d.items())
        if (x.message.find("cycle through negation") != std::string::npos && x.message.find("cyc-a") != std::string::npos &&
            x.message.find("cyc-b") != std::string::npos && x.loc.file == "kb/cycle.yaml" && x.loc.line >= 15 && x.loc.column > 0)
            found = true;
    CHECK(found);
}

TEST_CASE("kb: hostile YAML ends quickly with a located error, never a crash", "[rules][yaml][hostile]") {
    using clock = std::chrono::steady_clock;
    auto load_timed = [](const std::string& text, double* seconds) {
        rules::Diagnostics d;
        auto t0 = clock::now();
        rules::load_knowledge_texts({{"kb/bomb.yaml", text}}, d);
        *seconds = std::chrono::duration<double>(clock::now() - t0).count();
        return d;
    };
    double s = 0;
    SECTION("200000 nested sequences") {
        auto d = load_timed("rules:\n  - " + std::string(200000, '[') + "\n", &s);
        INFO(all(d));
        CHECK(d.has_errors());
        CHECK(d.items().front().loc.file == "kb/bomb.yaml");
        CHECK(d.items().front().loc.line > 0);
    }
    SECTION("deeply nested flow mappings") {
        std::string t = "rules:\n  - ";
        for (int i = 0; i < 50000; ++i) t += "{a: ";
        auto d = load_timed(t + "\n", &s);
        CHECK(d.has_errors());
    }
    SECTION("alias bomb (billion laughs): aliases are shared, never expanded") {
        std::string t = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n";
        for (int i = 1; i < 30; ++i) {
            std::string p = std::string("*a").append(std::to_string(i - 1));
            std::string n = std::to_string(i);
            t.append("a").append(n).append(": &a").append(n).append(" [");
            for (int k = 0; k < 10; ++k) t.append(k ? ", " : "").append(p);
            t.append("]\n");
        }
        auto d = load_timed(t + "rules: *a29\n", &s);
        INFO(all(d));
        CHECK(d.has_errors());
    }
    CHECK(s < 20.0);
}

// Found by fuzz_expr: "5555...5s" overflowed to INT64_MIN, and formatting it negated INT64_MIN.
TEST_CASE("expr: numbers beyond 64 bits are refused, extreme durations format", "[rules][expr][hostile]") {
    CHECK_FALSE(rules::parse_unit_literal("55555555555555555555555555555s"));
    CHECK_FALSE(rules::parse_unit_literal("99999999999999999999"));
    CHECK_FALSE(rules::parse_unit_literal("1e400"));
    CHECK_FALSE(rules::parse_unit_literal("99999999999GiB"));
    CHECK(rules::parse_unit_literal("15250w"));
    CHECK(engine::format_duration(engine::Duration(INT64_MIN)).rfind("-", 0) == 0);
    CHECK(engine::format_duration(engine::Duration(INT64_MAX)).find('d') != std::string::npos);
    rules::Diagnostics d;
    engine::SymbolTable names, subjects;
    rules::ExprContext ctx;
    ctx.names = &names;
    ctx.subjects = &subjects;
    ctx.diags = &d;
    CHECK_FALSE(rules::parse_expression("p1.x[5555555555555555555555555555555s] > 1", ctx));
    CHECK(d.has_errors());
}

// Found by fuzz_expr: 10 000 '(' overflowed the stack of the recursive-descent parser.
TEST_CASE("expr: deep nesting is an error at its column, not a stack overflow", "[rules][expr][hostile]") {
    for (const std::string& deep : {std::string(100000, '('), std::string(50000, '-') + "1",
                                    [] { std::string s; for (int i = 0; i < 20000; ++i) s += "not "; return s + "true"; }(),
                                    [] { std::string s = "a.b"; for (int i = 0; i < 20000; ++i) s += "[a.b"; return s; }()}) {
        rules::Diagnostics d;
        engine::SymbolTable names, subjects;
        rules::ExprContext ctx;
        ctx.names = &names;
        ctx.subjects = &subjects;
        ctx.diags = &d;
        ctx.where = {"f.yaml", 2, 11};
        CHECK_FALSE(rules::parse_expression(deep, ctx));
        REQUIRE(d.has_errors());
        CHECK(d.items().front().message.find("nested deeper than 100 levels") != std::string::npos);
        CHECK(d.items().front().loc.column > 11);
    }
}
