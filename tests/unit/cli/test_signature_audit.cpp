// test_signature_audit.cpp - the audit of issue #4: every row of the shared
// signatures.tsv is recognised by a shipped signature, and that signature either
// feeds a rule of the shipped knowledge base (a rule reads one of its facts, or its
// log.signature.count/last) or is marked `informational:` with a reason. Nothing is
// mocked: the real knowledge/ directory and the real corpus are read.
#include "cli/triage.hpp"
#include "rules/lint.hpp"

#include <catch2/catch.hpp>

#include <fstream>
#include <iostream>
#include <map>
#include <set>

using namespace pft;

namespace {

const cli::Knowledge& shipped() {
    static const cli::Knowledge k = [] {
        rules::Diagnostics d;
        std::string nf;
        auto loaded = cli::load_all_knowledge(std::string(PFT_SOURCE_DIR) + "/knowledge", d, &nf);
        for (const auto& e : d.sorted()) UNSCOPED_INFO(e.to_string());
        REQUIRE(loaded);
        REQUIRE(loaded->signatures);
        return std::move(*loaded);
    }();
    return k;
}

std::vector<std::string> corpus_ids() {
    std::vector<std::string> ids;
    std::ifstream in(std::string(PFT_SOURCE_DIR) + "/../shared/corpus/signatures.tsv");
    std::string line;
    std::getline(in, line); // header
    while (std::getline(in, line))
        if (auto tab = line.find('\t'); tab != std::string::npos && tab > 0) ids.push_back(line.substr(0, tab));
    return ids;
}

} // namespace

TEST_CASE("every corpus signature feeds a rule or is marked informational", "[kb][signatures][corpus]") {
    const auto& k = shipped();
    auto uses = cli::signature_uses(*k.signatures);
    std::map<std::string, rules::SignatureUse> by_id;
    for (auto& u : uses) by_id.emplace(u.id, u);

    auto ids = corpus_ids();
    REQUIRE(ids.size() == 215);
    std::size_t feeding = 0, informational = 0;
    for (const auto& id : ids) {
        INFO("signatures.tsv row " << id);
        auto it = by_id.find(id);
        REQUIRE(it != by_id.end());
        auto fed = rules::rules_fed_by(k.kb, it->second);
        if (it->second.informational.empty()) {
            CHECK(!fed.empty()); // not informational: some rule must read it
            if (!fed.empty()) ++feeding;
        } else {
            CHECK(fed.empty()); // informational and feeding at once is a contradiction
            CHECK(it->second.informational.size() >= 10); // a reason, not a token
            ++informational;
        }
    }
    CHECK(feeding + informational == ids.size());
    std::cout << "signature audit: " << ids.size() << " corpus rows, " << feeding << " feed rules, " << informational
              << " informational\n";
}

TEST_CASE("kb lint audits every shipped signature, not only the corpus rows", "[kb][signatures]") {
    const auto& k = shipped();
    rules::Diagnostics d;
    rules::lint_signatures(k.kb, k.catalog, cli::signature_uses(*k.signatures), d);
    for (const auto& e : d.sorted()) UNSCOPED_INFO(e.to_string());
    CHECK(d.items().empty());
}

TEST_CASE("the signature audit sees both ways a rule can read a signature", "[kb][signatures]") {
    const auto& k = shipped();
    // By a fact the signature sets: smtpd_relay_denied sets log.relay_denied.client.
    rules::SignatureUse relay{"smtpd_relay_denied", "x", 1, {"log.relay_denied.client"}, ""};
    CHECK(!rules::rules_fed_by(k.kb, relay).empty());
    // By its id as the subject of log.signature.count.
    rules::SignatureUse limit{"master_process_limit_reached", "x", 1, {}, ""};
    auto fed = rules::rules_fed_by(k.kb, limit);
    CHECK(std::find(fed.begin(), fed.end(), "process-limit-signature") != fed.end());
    // A signature nobody reads, with no facts, is reported by lint.
    rules::SignatureUse nobody{"no_such_signature_id", "sig.yaml", 7, {}, ""};
    CHECK(rules::rules_fed_by(k.kb, nobody).empty());
    rules::Diagnostics d;
    rules::lint_signatures(k.kb, k.catalog, {nobody}, d);
    REQUIRE(d.items().size() == 1);
    CHECK(d.items()[0].message.find("feeds no rule") != std::string::npos);
    // A fact outside the catalog is an error.
    rules::Diagnostics d2;
    rules::lint_signatures(k.kb, k.catalog, {{"made_up", "sig.yaml", 9, {"log.no_such_fact"}, "test row"}}, d2);
    CHECK(d2.error_count() == 1);
}

TEST_CASE("every cause in the seed coverage map exists and has check, fix and verify steps", "[kb][coverage]") {
    const auto& k = shipped();
    std::ifstream in(std::string(PFT_SOURCE_DIR) + "/docs/knowledge-coverage.md");
    REQUIRE(in);
    std::size_t rows = 0, named = 0;
    for (std::string line; std::getline(in, line);) {
        if (line.rfind("| ", 0) != 0 || line.rfind("| guide section", 0) == 0 || line.rfind("| ---", 0) == 0) continue;
        auto bar = line.find(" | ");
        if (bar == std::string::npos) continue;
        std::string causes = line.substr(bar + 3);
        ++rows;
        if (causes.rfind("*(", 0) == 0) continue; // a command of pftriage, not a fault
        for (std::size_t p = causes.find('`'); p != std::string::npos; p = causes.find('`', p + 1)) {
            auto e = causes.find('`', p + 1);
            if (e == std::string::npos) break;
            std::string id = causes.substr(p + 1, e - p - 1);
            p = e;
            INFO("docs/knowledge-coverage.md names cause " << id);
            auto it = k.kb.cause_index.find(id);
            REQUIRE(it != k.kb.cause_index.end());
            ++named;
            const auto& c = k.kb.causes[static_cast<std::size_t>(it->second)];
            bool check = false, fix = false, verify = false;
            for (const auto& st : c.plan) {
                check |= st.kind == rules::StepKind::Check;
                fix |= st.kind == rules::StepKind::Fix;
                verify |= st.kind == rules::StepKind::Verify;
            }
            CHECK(check);
            CHECK(fix);
            CHECK(verify);
        }
    }
    CHECK(rows >= 20);
    CHECK(named >= 60);
}
