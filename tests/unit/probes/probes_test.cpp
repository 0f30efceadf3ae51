// probes_test.cpp - every built-in probe on the real fixture bundle, on missing and
// broken artefacts, and against the fact catalog probes/facts.yaml.
#include "probe_test_support.hpp"
#include "probes/bundle_source.hpp"
#include "probes/run_probes.hpp"

#include <catch2/catch.hpp>
#include "rules/yaml_cpp.hpp"

#include <set>

using namespace pft::probes;
using namespace pft::probes::test;
using pft::engine::Fact;
using pft::engine::Value;
using pft::engine::ValueType;

namespace {

ProbeRun run_fixture(bool concurrent = false) {
    std::string err;
    auto b = open_bundle(bundle_fixture(), &err);
    REQUIRE(b);
    return run_all(*b, all_probes(), concurrent);
}

const Fact& get(const ProbeRun& r, const std::string& name, const std::string& subject = "") {
    const Fact* f = find_fact(r.facts, name, subject);
    if (!f) FAIL("no fact " << name << "[" << subject << "]");
    return *f;
}

template <class T> T val(const ProbeRun& r, const std::string& name, const std::string& subject = "") {
    const Fact& f = get(r, name, subject);
    if (!f.known()) FAIL(name << "[" << subject << "] is unknown: " << f.unknown_reason);
    const T* p = f.value->get_if<T>();
    if (!p) FAIL(name << "[" << subject << "] has type " << pft::engine::value_type_name(f.value->type()));
    return *p;
}

std::map<std::string, std::string> catalog() {
    std::map<std::string, std::string> types;
    YAML::Node root = YAML::LoadFile(std::string(PFT_SOURCE_DIR) + "/probes/facts.yaml");
    for (const auto& f : root["facts"]) types[f["name"].as<std::string>()] = f["type"].as<std::string>();
    return types;
}

bool has_warning(const ProbeRun& r, const std::string& needle) {
    for (const auto& w : r.warnings)
        if (w.find(needle) != std::string::npos) return true;
    return false;
}

} // namespace

TEST_CASE("probes: every fact emitted on the fixture bundle is declared in facts.yaml with its type",
          "[probes][catalog]") {
    auto types = catalog();
    auto run = run_fixture();
    REQUIRE(run.facts.size() > 1000);
    for (const auto& f : run.facts) {
        CAPTURE(f.name, f.subject);
        REQUIRE(types.count(f.name));
        CHECK_FALSE(f.prov.probe.empty());
        CHECK_FALSE(f.prov.source.empty());
        if (!f.known()) continue;
        auto want = pft::engine::value_type_from_name(types[f.name]);
        REQUIRE(want);
        CHECK(pft::engine::value_type_name(f.value->type()) == std::string(pft::engine::value_type_name(*want)));
    }
    for (const auto& p : all_probes())
        for (const auto& n : p->produces()) {
            CAPTURE(p->name(), n);
            CHECK(types.count(n));
        }
}

TEST_CASE("probes: an empty bundle makes the main facts unknown with the reason, never false", "[probes][missing]") {
    MemorySource empty;
    auto types = catalog();
    auto run = run_all(empty, all_probes(), false);
    for (const auto& f : run.facts) {
        CAPTURE(f.name, f.subject);
        CHECK(types.count(f.name));
        CHECK_FALSE(f.known());
        CHECK_FALSE(f.unknown_reason.empty());
    }
    CHECK(get(run, "postfix.running").unknown_reason == "postfix-status.txt not in bundle");
    CHECK(get(run, "postfix.check_clean").unknown_reason == "postfix-check.txt not in bundle");
    CHECK(get(run, "queue.count").unknown_reason == "postqueue-j.txt not in bundle; mailq.txt not in bundle");
    CHECK(get(run, "postconf.param").unknown_reason == "postconf.txt not in bundle");
    CHECK(get(run, "host.queue_fs.used_pct").unknown_reason == "df.txt not in bundle");
    CHECK(get(run, "master.service_enabled").unknown_reason ==
          "postconf-M.txt not in bundle; master.cf not in bundle");
    CHECK(get(run, "host.name").unknown_reason == "MANIFEST has no hostname");
    for (const auto& p : all_probes()) {
        std::set<std::string> emitted;
        for (const auto& f : run.facts)
            if (f.prov.probe == p->name()) emitted.insert(f.name);
        CAPTURE(p->name());
        CHECK_FALSE(emitted.empty());
    }
}

TEST_CASE("manifest probe: host name, server addresses and mail domains", "[probes][manifest]") {
    auto run = run_fixture();
    CHECK(val<std::string>(run, "host.name") == "pfx-probes.test");
    CHECK(val<bool>(run, "host.server_ip", "192.0.2.10"));
    CHECK(val<bool>(run, "host.server_ip", "2001:db8::10"));
    CHECK(val<bool>(run, "host.mail_domain", "probes.test"));
    CHECK(get(run, "host.name").prov.source == "MANIFEST");
}

TEST_CASE("manifest probe: without mail_domains, domains come from mydestination with $names expanded",
          "[probes][manifest]") {
    MemorySource s;
    s.files["postconf.txt"] = slurp(bundle_fixture() + "/postconf.txt");
    s.keys["server_ips"] = "192.0.2.1 not-an-ip";
    FactSink sink;
    auto probes = all_probes();
    probes[0]->run(s, sink);
    auto facts = sink.take_facts();
    auto warnings = sink.take_warnings();
    const Fact* d = find_fact(facts, "host.mail_domain", "pfx-probes.test");
    REQUIRE(d);
    CHECK(d->prov.source.rfind("postconf.txt:", 0) == 0);
    CHECK(count_facts(facts, "host.mail_domain") == 1); // localhost is not a mail domain
    CHECK(count_facts(facts, "host.server_ip") == 1);
    REQUIRE(warnings.size() == 1);
    CHECK(warnings[0].find("not-an-ip") != std::string::npos);
}

TEST_CASE("postconf probe: parameters, explicit settings, warnings, duplicates, services", "[probes][postconf]") {
    auto run = run_fixture();
    CHECK(val<std::string>(run, "postconf.param", "relayhost") == "[127.0.0.1]:10999");
    CHECK(get(run, "postconf.param", "relayhost").prov.source == "postconf.txt:587");
    CHECK(get(run, "postconf.param", "relayhost").prov.excerpt == "relayhost = [127.0.0.1]:10999");
    CHECK(val<std::string>(run, "postconf.explicit", "myhostname") == "pfx-probes.test");
    CHECK_FALSE(find_fact(run.facts, "postconf.explicit", "mynetworks_style"));
    CHECK(val<std::int64_t>(run, "postconf.warning_count") == 4);
    CHECK(val<bool>(run, "postconf.unused_param", "myhostnme"));
    CHECK(val<bool>(run, "postconf.unused_param", "smtpd_bogus_knob"));
    CHECK(get(run, "postconf.unused_param", "myhostnme").prov.source == "postconf-warnings.txt:3");
    CHECK(val<std::int64_t>(run, "postconf.overriding", "relayhost") == 49);
    CHECK(val<std::int64_t>(run, "maincf.duplicate", "relayhost") == 3);
    CHECK(get(run, "maincf.duplicate", "relayhost").prov.source == "main.cf:44");
    CHECK(count_facts(run.facts, "maincf.duplicate") == 1);
    CHECK(val<bool>(run, "master.service_enabled", "127.0.0.1:10525/inet"));
    CHECK_FALSE(find_fact(run.facts, "master.service_enabled", "submission/inet"));
    CHECK(val<std::int64_t>(run, "master.maxproc", "pickup/unix") == 1);
    CHECK(val<std::int64_t>(run, "master.maxproc", "smtp/unix") == 100); // '-' = default_process_limit
    CHECK(val<std::int64_t>(run, "master.maxproc", "cleanup/unix") == 0);
    CHECK(get(run, "master.maxproc", "pickup/unix").prov.source == "postconf-M.txt:2");
}

TEST_CASE("postconf probe: master.cf is used when postconf -M output is absent", "[probes][postconf]") {
    MemorySource s;
    s.files["master.cf"] = slurp(bundle_fixture() + "/master.cf");
    FactSink sink;
    all_probes()[1]->run(s, sink);
    auto facts = sink.take_facts();
    const Fact* f = find_fact(facts, "master.service_enabled", "127.0.0.1:10525/inet");
    REQUIRE(f);
    CHECK(f->prov.source == "master.cf:12");
    CHECK(find_fact(facts, "master.maxproc", "smtp/unix")->value == Value(100)); // the Postfix default
}

TEST_CASE("postconf probe: a fatal error, main.cf missing from the directory, Postfix not installed", "[probes][postconf]") {
    SECTION("postconf cannot open main.cf (Postfix 3.7's wording)") {
        MemorySource s;
        s.files["postconf-warnings.txt"] = "postconf: fatal: open /etc/postfix/main.cf: No such file or directory\n";
        s.files["ls-etc-postfix.txt"] =
            "total 24\n"
            "-rw-r--r-- 1 0 0 27464 2026-12-05 03:31:14.596031293 +0000 main.cf.proto\n"
            "-rw-r--r-- 1 0 0  6944 2026-12-05 03:31:14.403930442 +0000 master.cf\n";
        auto run = run_all(s, all_probes(), false);
        CHECK(val<std::string>(run, "postconf.fatal") == "open /etc/postfix/main.cf: No such file or directory");
        CHECK(get(run, "postconf.fatal").prov.source == "postconf-warnings.txt:1");
        CHECK(val<bool>(run, "config.main_cf_present") == false);
        CHECK(get(run, "postfix.installed").unknown_reason.find("not in bundle") != std::string::npos);
    }
    SECTION("a line postconf cannot parse: file and line kept") {
        MemorySource s;
        s.files["postconf-warnings.txt"] =
            "postconf: fatal: /tmp/pfc/main.cf, line 2: missing '=' after attribute name: \"this line is garbage\"\n";
        s.files["ls-etc-postfix.txt"] = "-rw-r--r-- 1 0 0 40 2026-12-05 03:31:14.596031293 +0000 main.cf\n";
        s.files["postconf.txt"] = "";
        auto run = run_all(s, all_probes(), false);
        CHECK(val<std::string>(run, "postconf.fatal") ==
              "/tmp/pfc/main.cf, line 2: missing '=' after attribute name: \"this line is garbage\"");
        CHECK(val<bool>(run, "config.main_cf_present") == true);
        CHECK(get(run, "config.main_cf_present").prov.source == "ls-etc-postfix.txt:1");
        CHECK(val<bool>(run, "postfix.installed") == true);
    }
    SECTION("warnings only: no fatal error") {
        MemorySource s;
        s.files["postconf-warnings.txt"] = "postconf: warning: /etc/postfix/main.cf: unused parameter: myhostnme=x\n";
        auto run = run_all(s, all_probes(), false);
        CHECK(val<std::string>(run, "postconf.fatal").empty());
    }
    SECTION("live, postconf not installed") {
        MemorySource s;
        s.live = true;
        s.program_missing["postconf.txt"] = true;
        auto run = run_all(s, all_probes(), false);
        CHECK(val<bool>(run, "postfix.installed") == false);
    }
}

TEST_CASE("postfix status and check probes on the fixture", "[probes][postfix]") {
    auto run = run_fixture();
    CHECK(val<bool>(run, "postfix.running") == true);
    CHECK(val<std::int64_t>(run, "postfix.master_pid") == 7401);
    CHECK(get(run, "postfix.running").prov.source == "postfix-status.txt:5");
    CHECK(val<bool>(run, "postfix.check_clean") == false);
    CHECK(val<std::string>(run, "postfix.check_warning", "1").find("overriding earlier entry") != std::string::npos);
}

TEST_CASE("postfix status probe: not running, and an empty postfix check is clean", "[probes][postfix]") {
    MemorySource s;
    s.files["postfix-status.txt"] = "postfix/postfix-script: the Postfix mail system is not running\nexit=1\n";
    s.files["postfix-check.txt"] = "";
    auto run = run_all(s, all_probes(), false);
    CHECK(val<bool>(run, "postfix.running") == false);
    CHECK(get(run, "postfix.master_pid").unknown_reason == "the master daemon is not running");
    CHECK(val<bool>(run, "postfix.check_clean") == true);
    CHECK(count_facts(run.facts, "postfix.check_warning") == 0);
}

TEST_CASE("queue probe: counts with zeros, ages against collected_at, destinations, reasons, senders",
          "[probes][queue]") {
    auto run = run_fixture();
    CHECK(val<std::int64_t>(run, "queue.count", "deferred") == 5);
    CHECK(val<std::int64_t>(run, "queue.count", "hold") == 1);
    CHECK(val<std::int64_t>(run, "queue.count", "active") == 0);
    CHECK(val<std::int64_t>(run, "queue.count", "incoming") == 0);
    CHECK(val<std::int64_t>(run, "queue.count", "maildrop") == 0);
    CHECK(val<std::int64_t>(run, "queue.total") == 6);
    CHECK(val<pft::engine::Duration>(run, "queue.oldest_age", "deferred") == std::chrono::hours(2));
    CHECK_FALSE(find_fact(run.facts, "queue.oldest_age", "active"));
    CHECK(val<std::int64_t>(run, "queue.dest.count", "example.com") == 3); // bob1 is held, not queued
    CHECK(val<std::int64_t>(run, "queue.dest.count", "example.net") == 1);
    CHECK(val<std::int64_t>(run, "queue.dest.count", "example.org") == 2);
    CHECK(val<pft::engine::Duration>(run, "queue.dest.oldest_age", "example.org") == std::chrono::hours(2));
    CHECK(val<std::string>(run, "queue.dest.top_reason", "example.com") ==
          "connect to 127.0.0.1[127.0.0.1]:10999: Connection refused");
    CHECK(val<std::int64_t>(run, "queue.reason.count", "connect to 127.0.0.1[127.0.0.1]:10999: Connection refused") == 3);
    CHECK(val<std::int64_t>(run, "queue.reason.count",
                            "delivery temporarily suspended: connect to 127.0.0.1[127.0.0.1]:10999: Connection refused") == 4);
    CHECK(val<bool>(run, "queue.held_id", "16724A72182"));
    CHECK(count_facts(run.facts, "queue.held_id") == 1);
    CHECK(val<std::int64_t>(run, "queue.sender.count", "alice@probes.test") == 3);
    CHECK(val<std::int64_t>(run, "queue.sender.count", "MAILER-DAEMON") == 1);
    CHECK(get(run, "queue.held_id", "16724A72182").prov.source == "postqueue-j.txt:6");
}

TEST_CASE("queue probe: mailq.txt gives the same counts when postqueue-j.txt is absent", "[probes][queue]") {
    MemorySource s;
    s.files["mailq.txt"] = slurp(bundle_fixture() + "/mailq.txt");
    s.at = *pft::engine::parse_rfc3339("2026-11-25T14:04:17Z");
    auto run = run_all(s, all_probes(), false);
    CHECK(val<std::int64_t>(run, "queue.count", "deferred") == 5);
    CHECK(val<std::int64_t>(run, "queue.count", "hold") == 1);
    CHECK_FALSE(find_fact(run.facts, "queue.count", "maildrop"));
    CHECK(val<pft::engine::Duration>(run, "queue.oldest_age", "hold") == std::chrono::hours(2));
    CHECK(val<std::int64_t>(run, "queue.dest.count", "example.com") == 3);
    CHECK(get(run, "queue.total").prov.source == "mailq.txt");
}

TEST_CASE("queue probe: a broken postqueue -j line is a FILE:LINE warning and the rest still counts",
          "[probes][queue]") {
    MemorySource s;
    std::string text = slurp(bundle_fixture() + "/postqueue-j.txt");
    s.files["postqueue-j.txt"] = "{not json\n" + text;
    auto run = run_all(s, all_probes(), false);
    CHECK(has_warning(run, "postqueue-j.txt:1: invalid JSON"));
    CHECK(val<std::int64_t>(run, "queue.total") == 6);
}

TEST_CASE("queue probe: an empty queue is known to be empty", "[probes][queue]") {
    MemorySource s;
    s.files["postqueue-j.txt"] = "";
    auto run = run_all(s, all_probes(), false);
    CHECK(val<std::int64_t>(run, "queue.total") == 0);
    CHECK(val<std::int64_t>(run, "queue.count", "deferred") == 0);
    CHECK(count_facts(run.facts, "queue.dest.count") == 0);
}

TEST_CASE("host probe: disk, inodes, memory and load", "[probes][host]") {
    auto run = run_fixture();
    CHECK(val<double>(run, "host.queue_fs.used_pct") == Approx(18));
    CHECK(val<std::int64_t>(run, "host.queue_fs.avail_bytes") == 83207808LL * 1024);
    CHECK(val<double>(run, "host.queue_fs.inodes_used_pct") == Approx(3));
    CHECK(val<double>(run, "host.mem.available_pct") == Approx(100.0 * 24099416 / 24683620));
    CHECK(val<double>(run, "host.load1") == Approx(0.73));
    CHECK_FALSE(get(run, "host.load1_per_cpu").known());
    CHECK(get(run, "host.queue_fs.used_pct").prov.source == "df.txt:2");
}

TEST_CASE("host probe: parse problems are FILE:LINE warnings", "[probes][host]") {
    MemorySource s;
    s.files["meminfo.txt"] = "MemTotal: 100 kB\ngarbage\nMemAvailable: 25 kB\n";
    s.files["df.txt"] = "what is this\n";
    auto run = run_all(s, all_probes(), false);
    CHECK(has_warning(run, "meminfo.txt:2: expected"));
    CHECK(has_warning(run, "df.txt:1: expected the df header"));
    CHECK(val<double>(run, "host.mem.available_pct") == Approx(25));
    CHECK_FALSE(get(run, "host.queue_fs.used_pct").known());
}

TEST_CASE("run_all: concurrent and sequential runs give the same facts in the same order", "[probes][run]") {
    auto a = run_fixture(false);
    auto b = run_fixture(true);
    REQUIRE(a.facts.size() == b.facts.size());
    for (std::size_t i = 0; i < a.facts.size(); ++i) {
        CHECK(a.facts[i].name == b.facts[i].name);
        CHECK(a.facts[i].subject == b.facts[i].subject);
        CHECK(a.facts[i].value == b.facts[i].value);
    }
    REQUIRE(b.timings.size() == all_probes().size());
    CHECK(b.timings[0].probe == "manifest");
    std::size_t total = 0;
    for (const auto& t : b.timings) total += t.facts;
    CHECK(total == b.facts.size());
}

TEST_CASE("run_all: a probe that throws yields unknown facts and a warning", "[probes][run]") {
    struct Boom : Probe {
        std::string name() const override { return "boom"; }
        std::vector<std::string> produces() const override { return {"postfix.running"}; }
        void run(Source&, FactSink&) override { throw std::runtime_error("kaput"); }
    };
    std::vector<std::unique_ptr<Probe>> ps;
    ps.push_back(std::make_unique<Boom>());
    MemorySource s;
    auto run = run_all(s, ps, true);
    REQUIRE(run.facts.size() == 1);
    CHECK_FALSE(run.facts[0].known());
    CHECK(run.facts[0].unknown_reason.find("kaput") != std::string::npos);
    CHECK(has_warning(run, "probe boom failed"));
}
