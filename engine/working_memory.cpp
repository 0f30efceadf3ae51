// working_memory.cpp - storing facts; replacing a fact keeps its index.
#include "engine/working_memory.hpp"

namespace pft::engine {

const std::vector<std::uint32_t> WorkingMemory::empty_;

WorkingMemory::Put WorkingMemory::put(Fact f, bool derived) {
    SymId n = names_.intern(f.name);
    SymId s = subjects_.intern(f.subject);
    auto k = key(n, s);
    auto found = index_.find(k);
    if (found != FlatIndex::kNone) {
        StoredFact& old = at_mut(found);
        bool changed = old.fact.known() != f.known() || (f.known() && *old.fact.value != *f.value) ||
                       old.fact.cf != f.cf;
        if (changed) {
            old.fact = std::move(f);
            old.derived = derived;
            old.time = ++clock_;
        }
        return {static_cast<std::int32_t>(found), false, changed};
    }
    auto idx = static_cast<std::uint32_t>(size_);
    StoredFact sf;
    sf.fact = std::move(f);
    sf.name = n;
    sf.subject = s;
    sf.time = ++clock_;
    sf.derived = derived;
    if ((size_ & kChunkMask) == 0) {
        chunks_.emplace_back();
        chunks_.back().reserve(kChunkMask + 1);
    }
    chunks_.back().push_back(std::move(sf));
    ++size_;
    index_.insert(k, idx);
    if (by_name_.size() <= n) by_name_.resize(n + 1);
    by_name_[n].push_back(idx);
    return {static_cast<std::int32_t>(idx), true, true};
}

const std::vector<std::uint32_t>& WorkingMemory::with_name(SymId name) const {
    if (name >= by_name_.size()) return empty_;
    return by_name_[name];
}

} // namespace pft::engine
