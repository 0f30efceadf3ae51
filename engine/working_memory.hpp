// working_memory.hpp - the facts of one run, indexed by (name, subject) and by name.
// Knows nothing of rules; the engine decides what a new fact wakes.
#pragma once

#include "engine/fact.hpp"
#include "engine/flat_index.hpp"
#include "engine/symbols.hpp"

#include <cstdint>
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
        auto i = index_.find(key(name, subject));
        return i == FlatIndex::kNone ? nullptr : &at(i);
    }
    std::int32_t find_index(SymId name, SymId subject) const {
        auto i = index_.find(key(name, subject));
        return i == FlatIndex::kNone ? -1 : static_cast<std::int32_t>(i);
    }
    // Indices of every fact with this name (any subject), in assertion order.
    const std::vector<std::uint32_t>& with_name(SymId name) const;

    // References stay valid while facts are added (storage is chunked, never moved).
    const StoredFact& at(std::size_t i) const { return chunks_[i >> kChunkBits][i & kChunkMask]; }
    StoredFact& at_mut(std::size_t i) { return chunks_[i >> kChunkBits][i & kChunkMask]; }
    std::size_t size() const { return size_; }
    SymbolTable& names() { return names_; }
    SymbolTable& subjects() { return subjects_; }
    const SymbolTable& names() const { return names_; }
    const SymbolTable& subjects() const { return subjects_; }
    void reserve(std::size_t n) {
        chunks_.reserve((n >> kChunkBits) + 1);
        index_.reserve(n);
    }

private:
    static constexpr std::size_t kChunkBits = 10, kChunkMask = (std::size_t{1} << kChunkBits) - 1;
    static std::uint64_t key(SymId n, SymId s) { return (static_cast<std::uint64_t>(n) << 32) | s; }
    SymbolTable names_, subjects_;
    // Facts in chunks of 2^kChunkBits, each reserved once: growing never moves a fact.
    std::vector<std::vector<StoredFact>> chunks_;
    std::size_t size_ = 0;
    FlatIndex index_; // (name, subject) -> fact index
    std::vector<std::vector<std::uint32_t>> by_name_;
    std::uint64_t clock_ = 0;
    static const std::vector<std::uint32_t> empty_;
};

} // namespace pft::engine
