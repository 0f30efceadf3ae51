// run_probes.hpp - runs a set of probes against one Source and gathers the result.
// Probes run concurrently when asked (for a live host, where they wait on commands);
// results are merged in probe order so a run is deterministic. It does not choose
// which probes to run.
#pragma once

#include "probes/probe.hpp"

#include <chrono>
#include <memory>
#include <string>
#include <vector>

namespace pft::probes {

struct ProbeTiming {
    std::string probe;
    std::chrono::milliseconds wall{0};
    std::size_t facts = 0;
};

struct ProbeRun {
    std::vector<engine::Fact> facts;     // in probe order
    std::vector<std::string> warnings;   // probe warnings, then the source's own
    std::vector<ProbeTiming> timings;    // one per probe, in probe order
};

ProbeRun run_all(Source& src, const std::vector<std::unique_ptr<Probe>>& probes, bool concurrent);

} // namespace pft::probes
