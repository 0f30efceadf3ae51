// probe.hpp - the contract of a probe: read evidence through a Source, emit facts.
// Each probe lives in its own file (probes/<name>_probe.cpp), declares the fact
// names it produces (they must be in probes/facts.yaml), and turns a missing or
// unreadable artefact into unknown facts with the reason - never into "false".
#pragma once

#include "engine/fact.hpp"
#include "probes/source.hpp"

#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace pft::probes {

// Collects the facts of one or more probes. Thread-safe: live probes run concurrently.
class FactSink {
public:
    void add(engine::Fact f);
    void known(const std::string& name, const std::string& subject, engine::Value v,
               engine::Provenance p);
    void unknown(const std::string& name, const std::string& subject, const std::string& reason,
                 engine::Provenance p);
    void warn(std::string message); // a parse problem: "postconf.txt:12: ..."
    std::vector<engine::Fact> take_facts();
    std::vector<std::string> take_warnings();
    std::size_t size() const;

private:
    mutable std::mutex mu_;
    std::vector<engine::Fact> facts_;
    std::vector<std::string> warnings_;
};

class Probe {
public:
    virtual ~Probe() = default;
    virtual std::string name() const = 0;
    // Fact names this probe may emit (checked against probes/facts.yaml by tests and kb lint).
    virtual std::vector<std::string> produces() const = 0;
    virtual void run(Source& src, FactSink& out) = 0;
};

// Every built-in probe, in a stable order.
std::vector<std::unique_ptr<Probe>> all_probes();

} // namespace pft::probes
