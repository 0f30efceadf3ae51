// expr_parser.hpp - the condition language's parser: text -> engine::Expr.
// Reports every problem with file:line:column; evaluates nothing.
#pragma once

#include "engine/expr.hpp"
#include "engine/symbols.hpp"
#include "rules/diagnostics.hpp"

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace pft::rules {

struct ExprContext {
    engine::SymbolTable* names = nullptr;
    engine::SymbolTable* subjects = nullptr;
    // Resolves cause("id") to an index; returns -1 for an unknown id.
    std::function<int(const std::string&)> cause_index;
    std::vector<std::string> scope; // variable names; index = slot
    int max_slots = 0;
    Location where; // location of the first character of the text
    Diagnostics* diags = nullptr;
    // Fact names referenced, with the location of each reference (for lint).
    std::vector<std::pair<std::string, Location>>* fact_refs = nullptr;
};

// Parses a whole expression; returns null after reporting errors.
engine::ExprPtr parse_expression(const std::string& text, ExprContext& ctx);

// Parses a literal with an optional unit (14d, 10MB, 90%); used for tests' fact values too.
std::optional<engine::Value> parse_unit_literal(const std::string& text);

} // namespace pft::rules
