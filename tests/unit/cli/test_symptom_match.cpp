// test_symptom_match.cpp - free words onto catalog symptom ids with the real
// knowledge/symptoms.yaml: aliases, stems, typos, pasted error text, and no
// silent guess when nothing matches.
#include "cli/symptom_match.hpp"
#include "rules/loader.hpp"

#include <catch2/catch.hpp>

using namespace pft;

namespace {

const rules::KnowledgeBase& real_kb() {
    static rules::KnowledgeBase kb = [] {
        rules::Diagnostics d;
        auto k = rules::load_knowledge(std::string(PFT_SOURCE_DIR) + "/knowledge", d);
        for (const auto& x : d.items()) UNSCOPED_INFO(x.to_string());
        return k;
    }();
    return kb;
}

std::string match(const std::string& s) { return cli::match_symptom(s, real_kb()).id; }

} // namespace

TEST_CASE("edit distance and stems", "[cli][symptom]") {
    REQUIRE(cli::edit_distance("acess", "access") == 1);
    REQUIRE(cli::edit_distance("relya", "relay") == 1); // transposition
    REQUIRE(cli::stem_word("delivering") == cli::stem_word("delivered"));
    REQUIRE(cli::stem_word("queues") == "queue");
}

TEST_CASE("every catalog symptom id matches itself exactly", "[cli][symptom]") {
    for (const auto& s : real_kb().symptoms) {
        auto m = cli::match_symptom(s.id, real_kb());
        REQUIRE(m.id == s.id);
        REQUIRE(m.confidence == Approx(1.0));
    }
    REQUIRE(real_kb().symptoms.size() >= 11);
}

TEST_CASE("phrases, typos and pasted errors choose the right symptom", "[cli][symptom]") {
    CHECK(match("mail stuck") == "mail-stuck");
    CHECK(match("Mail is stuck in the queue") == "mail-stuck");
    CHECK(match("deferred mail piling up") == "mail-stuck");
    CHECK(match("recipient never got it") == "mail-not-delivered");
    CHECK(match("relay acess denied") == "relay-denied");
    CHECK(match("554 5.7.1 <bob@example.org>: Relay access denied") == "relay-denied");
    CHECK(match("connection refused on port 587") == "cannot-connect");
    CHECK(match("certificate expired") == "tls-errors");
    CHECK(match("SASL authentication failed") == "sasl-auth-failing");
    CHECK(match("postfix fails to start") == "wont-start");
    CHECK(match("our mail goes to spam at gmail") == "rejected-as-spam");
    CHECK(match("high cpu load") == "high-load");
}

TEST_CASE("an unrelated phrase matches nothing instead of guessing", "[cli][symptom]") {
    auto m = cli::match_symptom("the coffee machine is broken", real_kb());
    REQUIRE(m.id.empty());
    REQUIRE_FALSE(m.ranked.empty());
}
