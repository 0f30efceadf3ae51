// fuzz_expr.cpp - the rule condition language: lexer, parser, unit literals, and the
// plan-command splitter.
#include "fuzz_support.hpp"
#include "rules/expr_parser.hpp"
#include "rules/loader.hpp"

using namespace pft;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string text(fuzz::as_text(data, size));
    rules::Diagnostics d;
    engine::SymbolTable names, subjects;
    rules::ExprContext ctx;
    ctx.names = &names;
    ctx.subjects = &subjects;
    ctx.diags = &d;
    ctx.cause_index = [](const std::string& id) { return id == "relayhost-unreachable" ? 0 : -1; };
    ctx.scope = {"d"};
    ctx.max_slots = 1;
    ctx.where = {"fuzz.yaml", 3, 11};
    std::vector<std::pair<std::string, rules::Location>> refs;
    ctx.fact_refs = &refs;
    auto e = rules::parse_expression(text, ctx);
    for (const auto& i : d.items()) (void)i.to_string();
    (void)rules::parse_unit_literal(text);
    rules::Diagnostics d2;
    (void)rules::parse_command(text, {"fuzz.yaml", 1, 1}, d2);
    return 0;
}
