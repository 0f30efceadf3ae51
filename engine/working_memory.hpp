// working_memory.hpp - the facts of one run, indexed by (name, subject) and by name.
// Knows nothing of rules; the engine decides what a new fact wakes.
#pragma once

#include "engine/fact.hpp"
#include "engine/symbols.hpp"

#include <cstdint>
#include <unordered_map>
#include <vector>

namespace pft::engine {

struct StoredFact {
    Fact fact;
    SymId name = kNoSym;
    SymId subject = 0;
    std::uint64_t time = 0; // assertion order (recency)
    bool derived = false;
    std::int32_t derived_from = -1; // index of the support record (engine's), for derived facts
};

class WorkingMemory {
public:
    WorkingMemory(SymbolTable names, SymbolTable subjects)
        : names_(std::move(names)), subjects_(std::move(subjects)) {}

    struct Put {
        std::int32_t index;
        bool is_new;
        bool changed; // new, or value / known-ness / cf changed
    };
    // Adds or replaces the fact with the same name and subject.
    Put put(Fact f, bool derived);

    const StoredFact* find(SymId name, SymId subject) const {
        auto it = index_.find(key(name, subject));
        return it == index_.end() ? nullptr : &facts_[it->second];
    }
    std::int32_t find_index(SymId name, SymId subject) const {
        auto it = index_.find(key(name, subject));
        return it == index_.end() ? -1 : static_cast<std::int32_t>(it->second);
    }
    // Indices of every fact with this name (any subject), in assertion order.
    const std::vector<std::uint32_t>& with_name(SymId name) const;

    const StoredFact& at(std::size_t i) const { return facts_[i]; }
    StoredFact& at_mut(std::size_t i) { return facts_[i]; }
    std::size_t size() const { return facts_.size(); }
    SymbolTable& names() { return names_; }
    SymbolTable& subjects() { return subjects_; }
    const SymbolTable& names() const { return names_; }
    const SymbolTable& subjects() const { return subjects_; }
    void reserve(std::size_t n) {
        facts_.reserve(n);
        index_.reserve(n);
    }

private:
    static std::uint64_t key(SymId n, SymId s) { return (static_cast<std::uint64_t>(n) << 32) | s; }
    SymbolTable names_, subjects_;
    std::vector<StoredFact> facts_;
    std::unordered_map<std::uint64_t, std::uint32_t> index_;
    std::vector<std::vector<std::uint32_t>> by_name_;
    std::uint64_t clock_ = 0;
    static const std::vector<std::uint32_t> empty_;
};

} // namespace pft::engine
