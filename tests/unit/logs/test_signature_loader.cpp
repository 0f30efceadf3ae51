// test_signature_loader.cpp - the signature loader reports problems as values with
// file:line:column and keeps the good signatures; daemon groups narrow the matching.
// It does not test the shipped knowledge (see test_signature_examples.cpp).
#include "probes/logsig.hpp"

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include <unistd.h>

using namespace pft::probes;

namespace {

std::shared_ptr<SignatureSet> load(const std::string& label, const std::string& yaml) {
    return SignatureSet::load_texts({{label, yaml}});
}

bool has_error(const SignatureSet& s, const std::string& text) {
    for (const auto& e : s.errors())
        if (e.to_string().find(text) != std::string::npos) return true;
    return false;
}

const char* kGood = R"(signatures:
  - id: relay_denied
    daemon: smtpd
    pattern: 'reject: RCPT from (?P<client_host>[^\[]*)\[(?P<client_ip>[^\]]*)\]: .*Relay access denied'
    fields: [client_host, client_ip]
    severity: warning
    meaning: Relay refused.
)";

} // namespace

TEST_CASE("a regex that does not compile is an error naming file:line:column", "[logsig][loader]") {
    auto set = load("bad.yaml", std::string(kGood) + R"(  - id: broken
    daemon: smtp
    pattern: 'status=(?P<status>sent'
    fields: [status]
    severity: info
    meaning: Unbalanced group.
)");
    REQUIRE(set->errors().size() == 1);
    const LoadError& e = set->errors()[0];
    CHECK(e.file == "bad.yaml");
    CHECK(e.line == 10);
    CHECK(e.column == 14);
    CHECK(e.to_string().rfind("bad.yaml:10:14: signature broken: pattern does not compile: ", 0) == 0);
    // The good signature still works.
    REQUIRE(set->signatures().size() == 1);
    CHECK(set->match("smtpd", "NOQUEUE: reject: RCPT from unknown[192.0.2.1]: 554 5.7.1 <a@b>: Relay access denied").size() == 1);
}

TEST_CASE("RE2-incompatible syntax (backreference, lookahead) is refused", "[logsig][loader]") {
    auto set = load("re2.yaml", R"(signatures:
  - {id: a, daemon: smtp, pattern: '(a)\1', fields: [], severity: info, meaning: x}
  - {id: b, daemon: smtp, pattern: 'x(?=y)', fields: [], severity: info, meaning: x}
)");
    CHECK(set->errors().size() == 2);
    CHECK(has_error(*set, "re2.yaml:2:"));
    CHECK(has_error(*set, "re2.yaml:3:"));
    CHECK(set->signatures().empty());
}

TEST_CASE("a YAML syntax error is reported with file:line:column", "[logsig][loader]") {
    auto set = load("syntax.yaml", "signatures:\n  - id: x\n    daemon: [smtp\n    pattern: 'a'\n");
    REQUIRE(set->errors().size() == 1);
    const LoadError& e = set->errors()[0];
    CHECK(e.file == "syntax.yaml");
    CHECK(e.line >= 3);
    CHECK(e.column >= 1);
    CHECK(e.to_string().find("syntax.yaml:") == 0);
    CHECK(e.message.rfind("YAML: ", 0) == 0);
}

TEST_CASE("schema problems are collected, not thrown", "[logsig][loader]") {
    auto set = load("schema.yaml", R"(signatures:
  - id: no_fields
    daemon: smtp
    pattern: 'to=<(?P<rcpt>[^>]*)>'
    fields: []
    severity: info
    meaning: x
  - id: bad_severity
    daemon: smtp
    pattern: 'x'
    fields: []
    severity: loud
    meaning: x
  - id: bad_fact
    daemon: smtp
    pattern: 'x(?P<a>y)'
    fields: [a]
    severity: info
    meaning: x
    facts:
      - {name: log.x, subject: '{b}', count: true}
  - id: no_fields
    daemon: smtp
    pattern: 'y'
    fields: []
    severity: info
    meaning: x
  - id: bad_example
    daemon: smtp
    pattern: '^status=sent'
    fields: []
    severity: info
    meaning: x
    examples: ['status=deferred (x)']
  - id: unknown_key
    daemon: smtp
    pattern: 'z'
    fields: []
    severity: info
    meaning: x
    colour: red
oops: 1
)");
    CHECK(has_error(*set, "schema.yaml:5:13: signature no_fields: group (?P<rcpt>...) is not listed in fields"));
    CHECK(has_error(*set, "schema.yaml:12:15: severity 'loud'"));
    CHECK(has_error(*set, "uses unknown field {b}"));
    CHECK(has_error(*set, "schema.yaml:22:"));
    CHECK(has_error(*set, "unknown key 'colour'"));
    CHECK(has_error(*set, "unknown top-level key 'oops'"));
    // An example is matched by check_examples() (`kb lint`, `kb test`), not at load:
    // start-up parses the patterns but compiles none.
    CHECK_FALSE(has_error(*set, "example"));
    REQUIRE(set->signatures().size() == 1);
    CHECK(set->signatures()[0].id == "bad_example");
    auto ex = set->check_examples();
    REQUIRE(ex.size() == 1);
    CHECK(ex[0].to_string() == "schema.yaml:34:16: signature bad_example: example does not match the pattern");
}

TEST_CASE("fields are checked against the named groups without compiling, classes and escapes included",
          "[logsig][loader]") {
    // Parentheses inside classes, escapes and \Q...\E are not groups; (?P<x> and (?<x> are.
    auto set = load("groups.yaml", R"(signatures:
  - id: tricky
    daemon: smtp
    pattern: '[(?P<no>)]\(?P<no2>x\)\Q(?P<no3>\E[]a(][^]][[:alpha:](]+(?P<one>a)(?:(?P<two>b))|(?i:(?P<three>[)]))'
    fields: [one, two, three]
    severity: info
    meaning: x
    examples: ['?P<no2>x)(?P<no3>]zzab', 'Z)']
  - id: missing
    daemon: smtp
    pattern: '[(?P<no>x)](?P<yes>y)'
    fields: [no, yes]
    severity: info
    meaning: x
)");
    CHECK(has_error(*set, "signature missing: field 'no' is not a named group of the pattern"));
    REQUIRE(set->signatures().size() == 1);
    CHECK(set->check_examples().empty()); // RE2's own groups agree with the scan; the examples match
    auto m = set->match("smtp", "Z)");
    REQUIRE(m.size() == 1);
    CHECK(m[0].field("three") == ")");
}

TEST_CASE("macros from any file expand in patterns; unknown ones are errors", "[logsig][loader]") {
    auto set = SignatureSet::load_texts({
        {"b.yaml", R"(signatures:
  - {id: sasl, daemon: smtpd, pattern: '^warning: %{CLIENT}: SASL \w+ authentication failed', fields: [client_host, client_ip], severity: notice, meaning: x}
  - {id: nope, daemon: smtpd, pattern: '%{NOPE}', fields: [], severity: info, meaning: x}
)"},
        {"a.yaml", "macros:\n  CLIENT: '(?P<client_host>[^\\s\\[]*)\\[(?P<client_ip>[^\\]]*)\\]'\n"},
    });
    CHECK(has_error(*set, "b.yaml:3:"));
    CHECK(has_error(*set, "unknown macro %{NOPE}"));
    REQUIRE(set->signatures().size() == 1);
    auto m = set->match("smtpd", "warning: unknown[2001:db8::1]: SASL LOGIN authentication failed: x");
    REQUIRE(m.size() == 1);
    CHECK(m[0].field("client_ip") == "2001:db8::1");
}

TEST_CASE("daemon groups: a signature only sees its own programs", "[logsig][matcher]") {
    auto set = load("d.yaml", R"(signatures:
  - {id: smtp_only, daemon: smtp, pattern: 'lost connection', fields: [], severity: info, meaning: x}
  - {id: both, daemon: [smtp, lmtp], pattern: 'connect to', fields: [], severity: info, meaning: x}
  - {id: everywhere, daemon: any, pattern: '^fatal: ', fields: [], severity: critical, meaning: x}
)");
    REQUIRE(set->errors().empty());
    std::vector<int> idx;
    set->match_indices("smtp", "lost connection with x", idx);
    CHECK(idx.size() == 1);
    set->match_indices("postfix-out/smtp", "lost connection with x", idx);
    CHECK(idx.size() == 1);
    set->match_indices("smtpd", "lost connection after x", idx);
    CHECK(idx.empty());
    set->match_indices("lmtp", "connect to x: refused", idx);
    CHECK(idx.size() == 1);
    set->match_indices("qmgr", "fatal: boom", idx);
    CHECK(idx.size() == 1);
    set->match_indices("whatever", "fatal: boom", idx);
    CHECK(idx.size() == 1);
    set->match_indices("", "fatal: lost connection; connect to", idx); // unknown program: all
    CHECK(idx.size() == 3);
}

TEST_CASE("load_directory reads every .yaml below the directory, in path order", "[logsig][loader]") {
    namespace fs = std::filesystem;
    fs::path dir = fs::temp_directory_path() / ("pft_logsig_" + std::to_string(::getpid()));
    fs::create_directories(dir / "sub");
    std::ofstream(dir / "a.yaml") << kGood;
    std::ofstream(dir / "sub" / "b.yaml") << "signatures:\n  - {id: x, daemon: smtp, pattern: '(', fields: [], severity: info, meaning: x}\n";
    std::ofstream(dir / "notes.txt") << "ignored";
    auto set = SignatureSet::load_directory(dir.string());
    fs::remove_all(dir);
    CHECK(set->signatures().size() == 1);
    REQUIRE(set->errors().size() == 1);
    CHECK(set->errors()[0].file.find("sub/b.yaml") != std::string::npos);
    CHECK(set->errors()[0].line == 2);
}
