// run_probes.cpp - one FactSink per probe, std::async when concurrent, merge in order.
// A probe that throws has broken an invariant: its facts become unknown with the
// reason and the run goes on.
#include "probes/run_probes.hpp"

#include <exception>
#include <future>

namespace pft::probes {

namespace {

struct One {
    FactSink sink;
    std::chrono::milliseconds wall{0};
};

void run_one(Probe& p, Source& src, One& r) {
    auto start = std::chrono::steady_clock::now();
    try {
        p.run(src, r.sink);
    } catch (const std::exception& e) {
        std::string why = "probe " + p.name() + " failed: " + engine::printable(e.what(), 200);
        r.sink.warn(why);
        for (const auto& f : p.produces()) r.sink.unknown(f, "", why, engine::Provenance{p.name(), "", ""});
    }
    r.wall = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
}

} // namespace

ProbeRun run_all(Source& src, const std::vector<std::unique_ptr<Probe>>& probes, bool concurrent) {
    std::vector<One> results(probes.size());
    if (concurrent) {
        std::vector<std::future<void>> fs;
        for (std::size_t i = 0; i < probes.size(); ++i)
            fs.push_back(std::async(std::launch::async, [&, i] { run_one(*probes[i], src, results[i]); }));
        for (auto& f : fs) f.get();
    } else {
        for (std::size_t i = 0; i < probes.size(); ++i) run_one(*probes[i], src, results[i]);
    }
    ProbeRun run;
    for (std::size_t i = 0; i < probes.size(); ++i) {
        auto facts = results[i].sink.take_facts();
        run.timings.push_back({probes[i]->name(), results[i].wall, facts.size()});
        for (auto& f : facts) run.facts.push_back(std::move(f));
        for (auto& w : results[i].sink.take_warnings()) run.warnings.push_back(std::move(w));
    }
    for (auto& w : src.warnings()) run.warnings.push_back(std::move(w));
    return run;
}

} // namespace pft::probes
