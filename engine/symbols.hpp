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
        auto it = ids_.find(std::string(s));
        if (it != ids_.end()) return it->second;
        SymId id = static_cast<SymId>(strs_.size());
        strs_.emplace_back(s);
        ids_.emplace(strs_.back(), id);
        return id;
    }
    SymId find(std::string_view s) const {
        auto it = ids_.find(std::string(s));
        return it == ids_.end() ? kNoSym : it->second;
    }
    const std::string& str(SymId id) const { return strs_[id]; }
    std::size_t size() const { return strs_.size(); }

private:
    std::vector<std::string> strs_;
    std::unordered_map<std::string, SymId> ids_;
};

} // namespace pft::engine
