// test_engine_storage.cpp - the engine's storage: the flat (name, subject) index, chunked working
// memory past chunk boundaries, symbol look-up by string_view, chaining over many facts.
// Correctness only: timing belongs to bench/engine, never to a unit test.
#include "engine/engine.hpp"
#include "engine/flat_index.hpp"
#include "engine/working_memory.hpp"
#include "rules/loader.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <string_view>

using namespace pft;

TEST_CASE("FlatIndex inserts, finds, overwrites and survives growth", "[engine][index]") {
    engine::FlatIndex ix;
    REQUIRE(ix.find(42) == engine::FlatIndex::kNone);
    const std::uint64_t n = 50000;
    for (std::uint64_t i = 0; i < n; ++i) REQUIRE(ix.insert((i % 97) << 32 | i, static_cast<std::uint32_t>(i)) == i);
    REQUIRE(ix.size() == n);
    REQUIRE(ix.insert(std::uint64_t{5} << 32 | 5, 999) == 5); // present: keeps the first value
    for (std::uint64_t i = 0; i < n; i += 7) REQUIRE(ix.find((i % 97) << 32 | i) == i);
    REQUIRE(ix.find(std::uint64_t{96} << 32 | 1) == engine::FlatIndex::kNone);
    ix.set(std::uint64_t{3} << 32 | 3, 7);
    REQUIRE(ix.find(std::uint64_t{3} << 32 | 3) == 7);
    ix.set(std::uint64_t{1} << 40, 8); // new key through set
    REQUIRE(ix.find(std::uint64_t{1} << 40) == 8);
    REQUIRE(ix.size() == n + 1);
    REQUIRE(ix.find(0) == 0); // key 0 is an ordinary key
}

TEST_CASE("symbol tables look strings up by view and keep ids stable", "[engine][symbols]") {
    engine::SymbolTable t;
    REQUIRE(t.find("") == 0);
    std::string buf = "queue.count";
    auto id = t.intern(std::string_view(buf).substr(0, 5)); // "queue", not NUL-terminated
    REQUIRE(t.str(id) == "queue");
    REQUIRE(t.find("queue") == id);
    REQUIRE(t.find("queue.count") == engine::kNoSym);
    for (int i = 0; i < 5000; ++i) t.intern(std::string("s").append(std::to_string(i)));
    REQUIRE(t.find("queue") == id);
    REQUIRE(t.str(t.find("s4999")) == "s4999");
}

TEST_CASE("working memory keeps facts, indexes and references across chunk boundaries", "[engine][wm]") {
    engine::WorkingMemory wm{engine::SymbolTable{}, engine::SymbolTable{}};
    const engine::StoredFact* first = nullptr;
    for (int i = 0; i < 5000; ++i) {
        auto p = wm.put(engine::Fact::known_fact(i % 2 ? "a.odd" : "a.even", std::to_string(i), engine::Value(i), {}), false);
        REQUIRE(p.is_new);
        REQUIRE(p.index == i);
        if (i == 0) first = &wm.at(0);
    }
    REQUIRE(&wm.at(0) == first); // never moved
    REQUIRE(wm.size() == 5000);
    auto odd = wm.names().find("a.odd");
    REQUIRE(wm.with_name(odd).size() == 2500);
    const auto* f = wm.find(odd, wm.subjects().find("4099"));
    REQUIRE(f);
    REQUIRE(*f->fact.value == engine::Value(4099));
    REQUIRE(wm.find_index(odd, wm.subjects().find("4098")) == -1);
    // Replacing keeps the index and reports the change only when something changed.
    auto same = wm.put(engine::Fact::known_fact("a.odd", "4099", engine::Value(4099), {}), false);
    REQUIRE_FALSE(same.changed);
    auto changed = wm.put(engine::Fact::known_fact("a.odd", "4099", engine::Value(1), {}), false);
    REQUIRE(changed.changed);
    REQUIRE(changed.index == 4099);
    REQUIRE(*wm.at(4099).fact.value == engine::Value(1));
}

TEST_CASE("chaining over thousands of subjects derives every fact once, keyed on the for-variable", "[engine]") {
    rules::Diagnostics d;
    auto kb = rules::load_knowledge_texts({{"t.yaml", R"(
rules:
  - id: l1
    for: e in obs.a
    when: 'obs.a[e] >= 50 and known(obs.b[e])'
    assert: {fact: mid.x}
  - id: l1b
    for: e in obs.b
    when: 'obs.b[e] < 10'
    assert: {fact: mid.y, value: 'obs.b[e] + 1'}
  - id: l2
    for: e in mid.x
    when: 'mid.y[e] and known(obs.c[e])'
    assert: {fact: cause.z, subject: '"all"'}
)"}}, d);
    for (const auto& x : d.items()) INFO(x.to_string());
    REQUIRE_FALSE(d.has_errors());
    engine::Engine e(kb.compiled, engine::TimePoint{});
    int expect_mid = 0;
    for (int i = 0; i < 3000; ++i) {
        auto s = std::to_string(i);
        e.add_fact(engine::Fact::known_fact("obs.a", s, engine::Value(i % 100), {}));
        if (i % 3) e.add_fact(engine::Fact::known_fact("obs.b", s, engine::Value(i % 20), {}));
        if (i % 5 == 0) e.add_fact(engine::Fact::known_fact("obs.c", s, engine::Value(true), {}));
        if (i % 100 >= 50 && i % 3) ++expect_mid;
    }
    auto st = e.run();
    const auto& wm = e.memory();
    REQUIRE(wm.with_name(wm.names().find("mid.x")).size() == static_cast<std::size_t>(expect_mid));
    auto y = wm.find(wm.names().find("mid.y"), wm.subjects().find("7"));
    REQUIRE(y);
    REQUIRE(*y->fact.value == engine::Value(8));
    auto z = wm.names().find("cause.z");
    REQUIRE(wm.with_name(z).size() == 1);
    auto zi = wm.with_name(z)[0];
    REQUIRE(wm.at(zi).derived);
    REQUIRE(e.fact_supports(static_cast<std::int32_t>(zi)).size() > 1); // several bindings support it
    REQUIRE(e.fired(2, wm.subjects().find("65")));          // a=65, b=5, c: every premise holds
    REQUIRE_FALSE(e.fired(2, wm.subjects().find("1055"))); // b=15: no mid.y
    REQUIRE(st.firings == wm.with_name(wm.names().find("mid.x")).size() + wm.with_name(wm.names().find("mid.y")).size() +
                              e.fact_supports(static_cast<std::int32_t>(zi)).size());
}
