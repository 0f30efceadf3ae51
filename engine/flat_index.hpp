// flat_index.hpp - an open-addressing hash map from a 64-bit key to a 32-bit value (linear
// probing, power-of-two capacity, no per-entry allocation), for the engine's hot indexes.
// Deliberately minimal: no erase of single keys (the engine never removes facts or firings);
// kNone is reserved and cannot be stored as a value.
#pragma once

#include <cstdint>
#include <vector>

namespace pft::engine {

class FlatIndex {
public:
    static constexpr std::uint32_t kNone = 0xffffffffu;

    // The value stored for key, or kNone.
    std::uint32_t find(std::uint64_t key) const {
        if (size_ == 0) return kNone;
        for (std::size_t i = slot(key);; i = (i + 1) & mask_) {
            const Entry& e = slots_[i];
            if (e.value == kNone) return kNone;
            if (e.key == key) return e.value;
        }
    }
    bool contains(std::uint64_t key) const { return find(key) != kNone; }
    // Inserts key -> value unless key is present; returns the value now stored.
    std::uint32_t insert(std::uint64_t key, std::uint32_t value) {
        if ((size_ + 1) * 4 > slots_.size() * 3) grow();
        for (std::size_t i = slot(key);; i = (i + 1) & mask_) {
            Entry& e = slots_[i];
            if (e.value == kNone) {
                e.key = key;
                e.value = value;
                ++size_;
                return value;
            }
            if (e.key == key) return e.value;
        }
    }
    // Inserts key -> value, or overwrites the value of a present key.
    void set(std::uint64_t key, std::uint32_t value) {
        if ((size_ + 1) * 4 > slots_.size() * 3) grow();
        for (std::size_t i = slot(key);; i = (i + 1) & mask_) {
            Entry& e = slots_[i];
            if (e.value == kNone) {
                e.key = key;
                e.value = value;
                ++size_;
                return;
            }
            if (e.key == key) {
                e.value = value;
                return;
            }
        }
    }
    void reserve(std::size_t n) {
        while (n * 4 > slots_.size() * 3) grow();
    }
    std::size_t size() const { return size_; }
    void clear() {
        slots_.clear();
        mask_ = 0;
        size_ = 0;
    }

private:
    struct Entry {
        std::uint64_t key = 0;
        std::uint32_t value = kNone;
    };
    std::size_t slot(std::uint64_t key) const {
        // Fibonacci/xor-shift mix: keys are (high id << 32 | low id), so mix both halves.
        key ^= key >> 29;
        key *= 0x9E3779B97F4A7C15ull;
        return static_cast<std::size_t>(key >> 32) & mask_;
    }
    void grow() {
        std::vector<Entry> old;
        old.swap(slots_);
        slots_.assign(old.empty() ? 16 : old.size() * 2, Entry{});
        mask_ = slots_.size() - 1;
        size_ = 0;
        for (const Entry& e : old)
            if (e.value != kNone) insert(e.key, e.value);
    }
    std::vector<Entry> slots_;
    std::size_t mask_ = 0;
    std::size_t size_ = 0;
};

} // namespace pft::engine
