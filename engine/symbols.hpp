// symbols.hpp - interning of fact names and subjects into small integer ids,
// so the working memory and rule index compare integers, not strings.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace pft::engine {

using SymId = std::uint32_t;
inline constexpr SymId kNoSym = 0xffffffffu;

class SymbolTable {
public:
    SymbolTable() { intern(""); } // id 0 is the empty string (no subject)
    SymId intern(std::string_view s) {
        auto it = ids_.find(s);
        if (it != ids_.end()) return it->second;
        SymId id = static_cast<SymId>(strs_.size());
        strs_.emplace_back(s);
        ids_.emplace(strs_.back(), id);
        return id;
    }
    SymId find(std::string_view s) const {
        auto it = ids_.find(s);
        return it == ids_.end() ? kNoSym : it->second;
    }
    const std::string& str(SymId id) const { return strs_[id]; }
    std::size_t size() const { return strs_.size(); }

    void reserve(std::size_t n) {
        strs_.reserve(n);
        ids_.reserve(n);
    }

private:
    // Transparent hash and equality: find() and intern() look a string_view up without
    // building a std::string.
    struct Hash {
        using is_transparent = void;
        std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
    };
    struct Eq {
        using is_transparent = void;
        bool operator()(std::string_view a, std::string_view b) const noexcept { return a == b; }
    };
    std::vector<std::string> strs_;
    std::unordered_map<std::string, SymId, Hash, Eq> ids_;
};

} // namespace pft::engine
