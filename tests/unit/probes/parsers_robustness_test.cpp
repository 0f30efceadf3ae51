// parsers_robustness_test.cpp - every parser survives arbitrary bytes: mutated real
// fixtures, cut lines, NULs and huge lines (a small, deterministic stand-in for fuzzing).
#include "probe_test_support.hpp"
#include "probes/parse/df.hpp"
#include "probes/parse/loadavg.hpp"
#include "probes/parse/mailq.hpp"
#include "probes/parse/main_cf.hpp"
#include "probes/parse/master_services.hpp"
#include "probes/parse/meminfo.hpp"
#include "probes/parse/postconf_output.hpp"
#include "probes/parse/postfix_diagnostics.hpp"
#include "probes/parse/postfix_status.hpp"
#include "probes/parse/postqueue_json.hpp"

#include <catch2/catch.hpp>

#include <random>

using namespace pft::probes::parse;
using pft::probes::test::bundle_fixture;
using pft::probes::test::slurp;

namespace {

std::size_t parse_everything(const std::string& t) {
    std::size_t n = 0;
    n += parse_postconf(t).entries.size();
    n += parse_postfix_diagnostics(t).items.size();
    n += parse_main_cf(t).entries.size();
    n += parse_master_services(t).services.size();
    n += parse_postfix_status(t).warnings.size();
    n += parse_postqueue_json(t).messages.size();
    n += parse_mailq(t, 1795608257).messages.size();
    n += parse_df(t).rows.size();
    n += parse_meminfo(t).entries.size();
    n += parse_loadavg(t).warnings.size();
    return n;
}

} // namespace

TEST_CASE("parsers: mutated real outputs never crash or hang", "[parse][robust]") {
    std::mt19937 rng(20261125);
    const char* files[] = {"postconf-n.txt", "postconf-warnings.txt", "main.cf", "postconf-M.txt",
                           "postfix-status.txt", "postqueue-j.txt", "mailq.txt", "df.txt", "meminfo.txt",
                           "loadavg.txt"};
    const std::string specials = std::string("\n\r\t {}[]\":,=()*!#-/\\", 21) + std::string(1, '\0') + "\xff";
    for (const char* f : files) {
        std::string base = slurp(bundle_fixture() + "/" + f);
        REQUIRE_FALSE(base.empty());
        for (int i = 0; i < 150; ++i) {
            std::string t = base;
            int edits = 1 + static_cast<int>(rng() % 20);
            for (int e = 0; e < edits && !t.empty(); ++e) {
                std::size_t pos = rng() % t.size();
                switch (rng() % 4) {
                case 0: t[pos] = specials[rng() % specials.size()]; break;
                case 1: t.erase(pos, rng() % 40); break;
                case 2: t.insert(pos, std::string(1 + rng() % 5, specials[rng() % specials.size()])); break;
                case 3: t = t.substr(0, pos); break;
                }
            }
            parse_everything(t);
        }
    }
    SUCCEED("no crash");
}

TEST_CASE("parsers: huge lines, deep JSON and binary input are bounded", "[parse][robust]") {
    std::string huge(200 * 1024, 'x');
    CHECK(parse_postconf("a = " + huge + "\n").warnings.size() == 1);
    CHECK(parse_main_cf("a = " + huge + "\n").warnings.size() == 1);
    std::string deep = "{\"queue_name\":" + std::string(100000, '[') + "\n";
    auto q = parse_postqueue_json(deep);
    CHECK(q.messages.empty());
    CHECK(q.warnings.size() == 1);
    std::string binary;
    for (int i = 0; i < 100000; ++i) binary += static_cast<char>(i * 7919 % 256);
    parse_everything(binary);
    SUCCEED("bounded");
}
