// test_signature_examples.cpp - every row of the shared signatures.tsv: its example
// line parses and its signature is among the matches. It does not measure coverage
// of whole logs (see test_corpus_coverage.cpp).
#include "corpus_support.hpp"

#include <catch2/catch.hpp>

#include <map>

using namespace pft;

namespace {

engine::TimePoint reference() { return engine::TimePoint{std::chrono::sys_days{std::chrono::year{2026} / 11 / 25}}; }

// Rows whose example line shows a different event than the row id names. The
// corpus row `smtpd_connect` ("new inbound session") carries a disconnect line;
// we keep both meanings apart and check the example against the signature it shows.
const std::map<std::string, std::string>& corpus_row_fixes() {
    static const std::map<std::string, std::string> fixes{{"smtpd_connect", "smtpd_disconnect"}};
    return fixes;
}

} // namespace

TEST_CASE("shipped signatures load without errors", "[logsig]") {
    auto set = test::shipped_signatures();
    for (const auto& e : set->errors()) UNSCOPED_INFO(e.to_string());
    CHECK(set->errors().empty());
    CHECK(set->signatures().size() >= 215);
}

TEST_CASE("shipped signatures: each pattern compiles, its groups are those load found, its examples match", "[logsig]") {
    auto set = test::shipped_signatures();
    std::size_t examples = 0;
    for (const auto& s : set->signatures()) examples += s.examples.size();
    CHECK(examples >= 10); // the loader kept them for this check (13 in 2026-12)
    auto problems = set->check_examples();
    for (const auto& e : problems) UNSCOPED_INFO(e.to_string());
    CHECK(problems.empty());
}

TEST_CASE("every signatures.tsv example line matches its signature", "[logsig][corpus]") {
    auto set = test::shipped_signatures();
    auto lines = test::read_lines(test::corpus_dir() + "/signatures.tsv");
    REQUIRE(lines.size() > 200);
    std::size_t rows = 0, with_prefix = 0;
    for (std::size_t i = 1; i < lines.size(); ++i) {
        auto cols = test::split_tabs(lines[i]);
        if (cols.size() < 3) continue;
        ++rows;
        const std::string& id = cols[0];
        const std::string& daemon = cols[1];
        std::string line = test::fill_day(cols[2]);
        std::string expected = corpus_row_fixes().count(id) ? corpus_row_fixes().at(id) : id;

        INFO("signatures.tsv:" << i + 1 << " " << id << ": " << line);
        REQUIRE(set->find(id) != nullptr); // every corpus id is a signature
        probes::SyslogLine l = probes::parse_syslog_line(line, reference());
        std::string program = daemon == "any" ? "" : daemon;
        std::string_view message = line;
        if (l.kind == probes::LineKind::Postfix) {
            ++with_prefix;
            program = std::string(l.program);
            message = l.message;
            // The tag names the same program as the corpus row (postfix[pid] is the postfix command).
            if (daemon != "any") CHECK(l.program == daemon);
        } else {
            // Message-only example rows must not pass for another program's line.
            CHECK(l.kind == probes::LineKind::Unparsed);
        }
        std::vector<std::string> ids;
        for (const auto& m : set->match(program, message)) ids.push_back(m.sig->id);
        INFO("matched: " << Catch::Detail::stringify(ids));
        CHECK(std::find(ids.begin(), ids.end(), expected) != ids.end());
    }
    CHECK(rows == 215);
    CHECK(with_prefix > 120);
}

TEST_CASE("every signature names its fields and a severity", "[logsig]") {
    auto set = test::shipped_signatures();
    for (const auto& s : set->signatures()) {
        INFO(s.id);
        CHECK(!s.meaning.empty());
        CHECK(!s.daemons.empty());
        CHECK(s.meaning.size() < 300);
    }
}
