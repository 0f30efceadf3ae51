// test_loader.cpp - the rule-language loader: every error with file:line:column,
// all of them reported together; expression parsing; plan command parsing.
#include "rules/expr_parser.hpp"
#include "rules/lint.hpp"
#include "rules/loader.hpp"

#include <catch2/catch.hpp>

#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <fstream>

using namespace pft;

namespace {

rules::Diagnostics load(const std::string& yaml) {
    rules::Diagnostics d;
    rules::load_knowledge_texts({{"kb/x.yaml", yaml}}, d);
    return d;
}

bool has(const rules::Diagnostics& d, const std::string& where, const std::string& text) {
    for (const auto& x : d.items())
        if (x.to_string().find(where) != std::string::npos && x.message.find(text) != std::string::npos) return true;
    return false;
}

std::string all(const rules::Diagnostics& d) {
    std::string s;
    for (const auto& x : d.sorted()) s += x.to_string() + "\n";
    return s;
}

} // namespace

TEST_CASE("a YAML syntax error is reported with file, line and column", "[rules][loader]") {
    auto d = load("causes:\n  - id: a\n    title: [unclosed\n");
    INFO(all(d));
    REQUIRE(d.has_errors());
    REQUIRE(d.items()[0].loc.file == "kb/x.yaml");
    REQUIRE(d.items()[0].loc.line >= 3);
    REQUIRE(d.items()[0].loc.column > 0);
}

TEST_CASE("every schema error is reported, not only the first", "[rules][loader]") {
    auto d = load(R"(causes:
  - id: a
    title: A
    severity: severe
    explain: x
    colour: red
    plan:
      - {kind: fix, run: "postfix reload", risk: risky, why: w}
rules:
  - id: r1
    when: 'queue.count["hold"] >'
    conclude: a
  - id: r2
    when: 'x.y =~ "(unclosed"'
    conclude: nope
)");
    INFO(all(d));
    REQUIRE(has(d, "kb/x.yaml:4:", "severity must be critical, warning or info"));
    REQUIRE(has(d, "kb/x.yaml:6:", "unknown key 'colour'"));
    REQUIRE(has(d, "kb/x.yaml:8:", "risk must be safe, disruptive or destructive"));
    REQUIRE(has(d, "kb/x.yaml:11:", "expected a value"));
    REQUIRE(has(d, "kb/x.yaml:14:", "regular expression does not compile"));
    REQUIRE(has(d, "kb/x.yaml:13:", "unknown cause 'nope'"));
    REQUIRE(d.error_count() >= 6);
}

TEST_CASE("expression errors point at the column inside the expression", "[rules][expr]") {
    rules::Diagnostics d;
    engine::SymbolTable names, subjects;
    rules::ExprContext ctx;
    ctx.names = &names;
    ctx.subjects = &subjects;
    ctx.diags = &d;
    ctx.where = {"f.yaml", 7, 11};
    auto e = rules::parse_expression("a.b > 1 and zz < 3", ctx);
    REQUIRE(e == nullptr);
    REQUIRE(d.items().size() == 1);
    REQUIRE(d.items()[0].loc.line == 7);
    REQUIRE(d.items()[0].loc.column == 11 + 12);
    REQUIRE(d.items()[0].message.find("unknown name 'zz'") != std::string::npos);
}

TEST_CASE("unit literals", "[rules][expr]") {
    using engine::Duration;
    REQUIRE(*rules::parse_unit_literal("14d") == engine::Value(Duration(14 * 86400)));
    REQUIRE(*rules::parse_unit_literal("2h") == engine::Value(Duration(7200)));
    REQUIRE(*rules::parse_unit_literal("10MB") == engine::Value(10'000'000));
    REQUIRE(*rules::parse_unit_literal("1KiB") == engine::Value(1024));
    REQUIRE(*rules::parse_unit_literal("90%") == engine::Value(90.0));
    REQUIRE_FALSE(rules::parse_unit_literal("5parsecs"));
}

TEST_CASE("plan commands split into words with placeholders and operators", "[rules][plan]") {
    rules::Diagnostics d;
    auto w = rules::parse_command("postconf -n > /tmp/main.cf.bak", {"f", 1, 1}, d);
    REQUIRE(w.size() == 4);
    REQUIRE(w[2].op);
    auto p = rules::parse_command("postsuper -H {queue.held_id[*]} 'a b' x{d}y", {"f", 1, 1}, d);
    REQUIRE(p.size() == 5);
    REQUIRE(p[2].parts[0].placeholder);
    REQUIRE(p[2].parts[0].text == "queue.held_id[*]");
    REQUIRE(p[3].parts[0].text == "a b");
    REQUIRE(p[4].parts.size() == 3);
    REQUIRE_FALSE(d.has_errors());
    rules::parse_command("echo 'unterminated", {"f", 3, 5}, d);
    REQUIRE(d.has_errors());
}

TEST_CASE("lint finds unknown facts, causes without plans or rules, and missing catalog ids", "[rules][lint]") {
    rules::Diagnostics d;
    auto kb = rules::load_knowledge_texts({{"kb/x.yaml", R"(
required: {causes: [a, missing-cause], symptoms: [s]}
symptoms: [{id: s, title: S}]
causes:
  - {id: a, title: A, severity: warning, symptoms: [s], explain: x, plan: [{kind: check, run: "postqueue -j", risk: safe, why: w}]}
  - {id: b, title: B, severity: warning, symptoms: [s], explain: x}
rules:
  - {id: r1, when: 'no.such_fact > 1', conclude: a}
)"}}, d);
    REQUIRE_FALSE(d.has_errors());
    rules::FactCatalog cat;
    rules::lint(kb, cat, d);
    INFO(all(d));
    REQUIRE(has(d, "kb/x.yaml", "unknown fact 'no.such_fact'"));
    REQUIRE(has(d, "kb/x.yaml", "cause 'b' has no plan"));
    REQUIRE(has(d, "kb/x.yaml", "cause 'b' has no rule that concludes it"));
    REQUIRE(has(d, "kb/x.yaml", "catalog cause 'missing-cause' is missing"));
}

namespace {
// A knowledge directory on disk: knowledge/{causes,tests}/..., removed at the end.
struct TempKb {
    std::filesystem::path root;
    TempKb() {
        root = std::filesystem::temp_directory_path() / ("pft-kb-" + std::to_string(::getpid()) + "-" +
                                                          std::to_string(reinterpret_cast<std::uintptr_t>(this)));
        std::filesystem::create_directories(root / "knowledge" / "causes");
        std::filesystem::create_directories(root / "knowledge" / "tests");
    }
    ~TempKb() {
        std::error_code ec;
        std::filesystem::remove_all(root, ec);
    }
    void write(const std::string& rel, const std::string& text) const {
        std::ofstream(root / "knowledge" / rel) << text;
    }
    std::filesystem::path dir() const { return root / "knowledge"; }
};

rules::LoadOptions as_triage() {
    rules::LoadOptions o;
    o.tests = false;
    return o;
}

const char* kCauses = R"(symptoms: [{id: s, title: S}]
causes:
  - {id: a, title: A, severity: warning, symptoms: [s], explain: x, plan: [{kind: check, run: "postqueue -j", risk: safe, why: w}]}
rules:
  - {id: r1, when: 'queue.total > 10', conclude: a}
)";
const char* kTests = R"(tests:
  - name: a big queue concludes a
    facts: {queue.total: 50}
    expect: [a]
  - name: a small queue does not
    facts: {queue.total: 1}
    expect_not: [a]
)";
} // namespace

TEST_CASE("knowledge/tests/ is read for kb test and lint, skipped for a triage", "[rules][loader]") {
    TempKb t;
    t.write("causes/a.yaml", kCauses);
    t.write("tests/a.yaml", kTests);
    rules::FactCatalog cat;
    {
        rules::Diagnostics d;
        auto kb = rules::load_knowledge(t.dir(), d); // as `kb test` / `kb lint`
        INFO(all(d));
        REQUIRE_FALSE(d.has_errors());
        REQUIRE(kb.tests_loaded);
        REQUIRE(kb.tests.size() == 2);
        REQUIRE(kb.tests[0].loc.file == "knowledge/tests/a.yaml");
        REQUIRE(kb.tests[0].loc.line == 2);
        REQUIRE(kb.files.size() == 2);
        rules::Diagnostics ld;
        rules::lint(kb, cat, ld);
        REQUIRE_FALSE(has(ld, "", "has no test"));
        REQUIRE_FALSE(has(ld, "", "no near-miss test"));
    }
    {
        rules::Diagnostics d;
        auto kb = rules::load_knowledge(t.dir(), d, as_triage());
        INFO(all(d));
        REQUIRE_FALSE(d.has_errors());
        REQUIRE_FALSE(kb.tests_loaded);
        REQUIRE(kb.tests.empty());
        REQUIRE(kb.files == std::vector<std::string>{"knowledge/causes/a.yaml"});
        REQUIRE(kb.compiled->rules.size() == 1);
        rules::Diagnostics ld;
        rules::lint(kb, cat, ld); // the tests were not read: lint does not call the cause untested
        INFO(all(ld));
        REQUIRE_FALSE(has(ld, "", "has no test"));
    }
    {
        rules::Diagnostics d; // without any tests, lint does say so
        t.write("tests/a.yaml", "tests: []\n");
        auto kb = rules::load_knowledge(t.dir(), d);
        rules::Diagnostics ld;
        rules::lint(kb, cat, ld);
        REQUIRE(has(ld, "knowledge/causes/a.yaml", "cause 'a' has no test that concludes it"));
    }
}

TEST_CASE("knowledge/tests/ may hold only tests; tests elsewhere are a warning", "[rules][loader]") {
    TempKb t;
    t.write("causes/a.yaml", kCauses);
    // A rule under tests/ would be seen by `kb test` and never by a triage: an error.
    t.write("tests/a.yaml", std::string(kTests) + "rules:\n  - {id: r2, when: 'queue.total > 99', conclude: a}\n");
    rules::Diagnostics d;
    rules::load_knowledge(t.dir(), d);
    INFO(all(d));
    REQUIRE(has(d, "knowledge/tests/a.yaml:8:1", "a file under tests/ may hold only 'tests:'"));

    // Tests in a rule file still load, with a warning: every triage parses them.
    t.write("tests/a.yaml", "tests: []\n");
    t.write("causes/b.yaml", kTests);
    rules::Diagnostics d2;
    auto kb = rules::load_knowledge(t.dir(), d2);
    INFO(all(d2));
    REQUIRE_FALSE(d2.has_errors());
    REQUIRE(kb.tests.size() == 2);
    REQUIRE(has(d2, "knowledge/causes/b.yaml:1:1", "self-tests outside tests/ are parsed by every triage"));

    // A triage still reads them (they are in a rule file) but does not nag about it.
    rules::Diagnostics d3;
    auto kb3 = rules::load_knowledge(t.dir(), d3, as_triage());
    INFO(all(d3));
    REQUIRE(d3.items().empty());
    REQUIRE(kb3.tests.size() == 2);

    // A file named tests.yaml beside the directory is an ordinary file; a subdirectory of
    // tests/ is part of it (tests only).
    t.write("causes/b.yaml", "");
    t.write("tests.yaml", kTests);
    std::filesystem::create_directories(t.dir() / "tests" / "more");
    t.write("tests/more/x.yaml", "questions: []\n");
    rules::Diagnostics d4;
    auto kb4 = rules::load_knowledge(t.dir(), d4, as_triage());
    INFO(all(d4));
    REQUIRE_FALSE(d4.has_errors());     // tests/ is not read by a triage at all
    REQUIRE(kb4.tests.size() == 2);     // knowledge/tests.yaml is
    rules::Diagnostics d5;
    rules::load_knowledge(t.dir(), d5);
    INFO(all(d5));
    REQUIRE(has(d5, "knowledge/tests/more/x.yaml:1:1", "a file under tests/ may hold only 'tests:'"));
    REQUIRE(has(d5, "knowledge/tests.yaml:1:1", "self-tests outside tests/"));
}
