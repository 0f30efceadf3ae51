// test_maillog_probe.cpp - the maillog probe over a fixture log (lines adapted from the
// real corpus, re-dated into one window): window, counts, derived facts, provenance,
// cleaning, unknown facts when the log is missing, and the fact catalog.
#include "corpus_support.hpp"
#include "probes/maillog_probe.hpp"

#include <catch2/catch.hpp>
#include "rules/yaml_cpp.hpp"

#include <map>
#include <set>

using namespace pft;

namespace {

class FakeSource : public probes::Source {
public:
    FakeSource(std::optional<std::string> log, engine::TimePoint now) : log_(std::move(log)), now_(now) {}
    probes::Artifact get(const std::string& name) override {
        probes::Artifact a;
        a.origin = "bundle:" + name;
        if (name == "maillog" && log_) {
            a.ok = true;
            a.text = *log_;
        } else {
            a.error = "not in bundle";
        }
        return a;
    }
    engine::TimePoint now() const override { return now_; }
    std::optional<std::string> manifest(const std::string&) const override { return std::nullopt; }
    std::string describe() const override { return "fake"; }
    bool is_live() const override { return false; }

private:
    std::optional<std::string> log_;
    engine::TimePoint now_;
};

engine::TimePoint now() {
    using namespace std::chrono;
    return engine::TimePoint{sys_days{year{2026} / 11 / 24}} + hours{12};
}

std::string fixture() {
    std::ifstream in(PFT_SOURCE_DIR "/tests/fixtures/logs/maillog-window.log", std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

using FactMap = std::map<std::pair<std::string, std::string>, engine::Fact>;

FactMap run_probe(std::optional<std::string> log) {
    auto probe = probes::make_maillog_probe(test::shipped_signatures());
    FakeSource src(std::move(log), now());
    probes::FactSink sink;
    probe->run(src, sink);
    FactMap out;
    for (auto& f : sink.take_facts()) out.emplace(std::make_pair(f.name, f.subject), f);
    return out;
}

std::int64_t int_of(const FactMap& m, const std::string& name, const std::string& subject) {
    auto it = m.find({name, subject});
    REQUIRE(it != m.end());
    REQUIRE(it->second.known());
    const auto* v = it->second.value->get_if<std::int64_t>();
    REQUIRE(v != nullptr);
    return *v;
}

} // namespace

TEST_CASE("maillog probe: window, counts and signature facts", "[maillog]") {
    auto facts = run_probe(fixture());
    // 12 lines; the one from Nov 23 03:00 is older than 24 h; one has no time.
    CHECK(int_of(facts, "log.lines", "") == 11);
    CHECK(int_of(facts, "log.untimed_lines", "") == 1);
    CHECK(int_of(facts, "log.signature.count", "sasl_auth_failed") == 5);
    CHECK(int_of(facts, "log.signature.count", "smtpd_relay_denied") == 1);
    CHECK(int_of(facts, "log.signature.count", "master_daemon_started") == 0); // known zero, not absent
    CHECK(facts.count({"log.signature.last", "master_daemon_started"}) == 0);

    CHECK(int_of(facts, "log.sasl_failed.client", "203.0.113.10") == 4);
    CHECK(int_of(facts, "log.sasl_failed.client", "203.0.113.11") == 1);
    CHECK(facts.count({"log.sasl_failed.client", "198.51.100.7"}) == 0); // outside the window
    CHECK(int_of(facts, "log.sasl_failed.user", "postmaster@example.org") == 2); // lower-cased subject
    CHECK(int_of(facts, "log.relay_denied.client", "192.0.2.236") == 1);
    CHECK(int_of(facts, "log.deferred.domain", "tecadmin.net") == 1);
    CHECK(facts.at({"log.deferred.last_reason", "tecadmin.net"}).value->to_string().rfind("Host or domain name not found", 0) == 0);
    CHECK(facts.at({"log.loops_back", ""}).value->truthy());
    CHECK(facts.at({"log.table_older_than_source", "/etc/postfix/client_checks"}).value->truthy());
    CHECK(facts.at({"log.fatal", "127.0.0.1:25"}).value->to_string() ==
          "fatal: bind 127.0.0.1 port 25: Address already in use");
    CHECK(facts.at({"log.port_in_use", "25"}).value->truthy());
    CHECK(facts.at({"log.newest", ""}).value->to_string() == "2026-11-24T08:00:01Z");
}

TEST_CASE("maillog probe: provenance names the line, evidence is cleaned", "[maillog]") {
    auto facts = run_probe(fixture());
    const auto& last = facts.at({"log.signature.last", "sasl_auth_failed"});
    CHECK(last.prov.probe == "maillog");
    CHECK(last.prov.source == "maillog:12");
    std::string v = last.value->to_string();
    CHECK(v.find('\x1b') == std::string::npos);
    CHECK(v.find('\x07') == std::string::npos);
    CHECK(v.find("authentication failed: ??[31m") != std::string::npos);
    CHECK(facts.at({"log.relay_denied.client", "192.0.2.236"}).prov.source == "maillog:4");
}

TEST_CASE("maillog probe: a missing log gives unknown facts with the reason", "[maillog]") {
    auto facts = run_probe(std::nullopt);
    const auto& lines = facts.at({"log.lines", ""});
    CHECK_FALSE(lines.known());
    CHECK(lines.unknown_reason.find("not in bundle") != std::string::npos);
    CHECK_FALSE(facts.at({"log.sasl_failed.client", ""}).known());
}

TEST_CASE("every fact the maillog probe may emit is in probes/facts.yaml with its type", "[maillog][catalog]") {
    YAML::Node cat = YAML::LoadFile(PFT_SOURCE_DIR "/probes/facts.yaml");
    std::map<std::string, std::string> types;
    for (const auto& f : cat["facts"]) types[f["name"].as<std::string>()] = f["type"].as<std::string>();
    auto probe = probes::make_maillog_probe(test::shipped_signatures());
    CHECK(probe->name() == "maillog");
    for (const auto& n : probe->produces()) {
        INFO(n);
        CHECK(types.count(n) == 1);
    }
    // The kind of a signature fact decides its type: count -> int, value -> string, else bool.
    for (const auto& s : test::shipped_signatures()->signatures())
        for (const auto& f : s.facts) {
            INFO(s.id << " -> " << f.name);
            const char* want = f.kind == probes::SignatureFact::Kind::Count  ? "int"
                               : f.kind == probes::SignatureFact::Kind::Last ? "string"
                                                                             : "bool";
            CHECK(types[f.name] == want);
        }
    // And emitted facts are all declared.
    for (const auto& [key, f] : run_probe(fixture())) {
        INFO(key.first);
        CHECK(types.count(key.first) == 1);
    }
}
