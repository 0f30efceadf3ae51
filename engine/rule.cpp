// rule.cpp - static analysis of a compiled rule: what it reads and how.
// The engine's index ("which rules does a new fact wake") and the stratifier
// are both built from these sets.
#include "engine/rule.hpp"

#include <algorithm>
#include <set>

namespace pft::engine {

namespace {

struct Reads {
    std::set<SymId> all, keyed_only_candidates, not_keyed, nonmono;
    std::set<int> causes;
    int refs = 0;
};

void visit(const Expr& e, bool nonmono, int for_var, Reads& r) {
    bool nm = nonmono;
    switch (e.op) {
    case Op::Not:
    case Op::Known:
    case Op::Unknown:
    case Op::All:
    case Op::Count:
    case Op::Sum:
    case Op::Max: nm = true; break;
    default: break;
    }
    if (e.op == Op::FactRef || e.op == Op::Any || e.op == Op::All || e.op == Op::Count || e.op == Op::Sum ||
        e.op == Op::Max) {
        r.all.insert(e.fact);
        ++r.refs;
        if (nm) r.nonmono.insert(e.fact);
        bool keyed = e.op == Op::FactRef && for_var >= 0 && !e.kids.empty() && e.kids[0] &&
                     e.kids[0]->op == Op::Var && e.kids[0]->var == for_var;
        if (keyed)
            r.keyed_only_candidates.insert(e.fact);
        else
            r.not_keyed.insert(e.fact);
    }
    if (e.op == Op::Cause) r.causes.insert(e.index);
    for (const auto& k : e.kids)
        if (k) visit(*k, nm, for_var, r);
}

} // namespace

void analyze_rule(CompiledRule& rule) {
    Reads r;
    if (rule.when) visit(*rule.when, false, rule.for_var, r);
    if (rule.assert_subject) visit(*rule.assert_subject, false, rule.for_var, r);
    if (rule.assert_value) visit(*rule.assert_value, false, rule.for_var, r);
    if (rule.for_fact != kNoSym) r.all.insert(rule.for_fact);
    rule.specificity = r.refs;
    rule.reads.assign(r.all.begin(), r.all.end());
    rule.reads_keyed.clear();
    for (SymId n : r.keyed_only_candidates)
        if (!r.not_keyed.count(n)) rule.reads_keyed.push_back(n);
    // The generator itself wakes a single binding: its new subject.
    if (rule.for_fact != kNoSym && !r.not_keyed.count(rule.for_fact) &&
        std::find(rule.reads_keyed.begin(), rule.reads_keyed.end(), rule.for_fact) == rule.reads_keyed.end())
        rule.reads_keyed.push_back(rule.for_fact);
    rule.reads_nonmonotone.assign(r.nonmono.begin(), r.nonmono.end());
    rule.causes_read.assign(r.causes.begin(), r.causes.end());
}

} // namespace pft::engine
