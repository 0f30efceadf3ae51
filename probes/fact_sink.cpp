// fact_sink.cpp - the thread-safe collector that probes emit facts into.
#include "probes/probe.hpp"

namespace pft::probes {

void FactSink::add(engine::Fact f) {
    std::lock_guard lk(mu_);
    facts_.push_back(std::move(f));
}

void FactSink::known(const std::string& name, const std::string& subject, engine::Value v, engine::Provenance p) {
    add(engine::Fact::known_fact(name, subject, std::move(v), std::move(p)));
}

void FactSink::unknown(const std::string& name, const std::string& subject, const std::string& reason,
                       engine::Provenance p) {
    add(engine::Fact::unknown_fact(name, subject, reason, std::move(p)));
}

void FactSink::warn(std::string message) {
    std::lock_guard lk(mu_);
    warnings_.push_back(std::move(message));
}

std::vector<engine::Fact> FactSink::take_facts() {
    std::lock_guard lk(mu_);
    return std::move(facts_);
}

std::vector<std::string> FactSink::take_warnings() {
    std::lock_guard lk(mu_);
    return std::move(warnings_);
}

std::size_t FactSink::size() const {
    std::lock_guard lk(mu_);
    return facts_.size();
}

} // namespace pft::probes
