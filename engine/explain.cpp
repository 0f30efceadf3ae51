// explain.cpp - turning supports and evaluation traces into explanations.
#include "engine/explain.hpp"

#include <algorithm>
#include <set>

namespace pft::engine {

EvidenceItem describe_read(const Engine& eng, const FactRead& r) {
    const auto& wm = eng.memory();
    EvidenceItem ev;
    ev.fact = wm.names().str(r.name);
    ev.subject = wm.subjects().str(r.subject);
    if (r.fact_index >= 0) {
        const auto& f = wm.at(static_cast<std::size_t>(r.fact_index));
        ev.known = f.fact.known();
        if (ev.known) ev.value = f.fact.value->to_string();
        ev.unknown_reason = f.fact.unknown_reason;
        ev.prov = f.fact.prov;
        ev.derived = f.derived;
        ev.cf = f.fact.cf;
    } else {
        ev.known = false;
        ev.unknown_reason = "no probe reported it";
    }
    return ev;
}

namespace {

DerivationNode node_for(const Engine& eng, std::uint32_t sidx, int depth, int max_depth) {
    const Support& sp = eng.support(sidx);
    const auto& rule = eng.rules().rules[static_cast<std::size_t>(sp.rule)];
    DerivationNode n;
    n.rule_id = rule.id;
    n.because = rule.because;
    n.binding = eng.memory().subjects().str(sp.binding);
    n.cf = sp.cf;
    std::set<std::pair<SymId, SymId>> seen;
    for (const auto& rd : sp.reads) {
        if (!seen.insert({rd.name, rd.subject}).second) continue;
        EvidenceItem ev = describe_read(eng, rd);
        if (ev.derived && depth < max_depth && rd.fact_index >= 0)
            for (auto s : eng.fact_supports(rd.fact_index)) ev.derivation.push_back(node_for(eng, s, depth + 1, max_depth));
        n.evidence.push_back(std::move(ev));
    }
    return n;
}

void flatten_and(const Expr& e, std::vector<const Expr*>& out) {
    if (e.op == Op::And) {
        for (const auto& k : e.kids) flatten_and(*k, out);
    } else {
        out.push_back(&e);
    }
}

} // namespace

std::vector<DerivationNode> explain_cause(const Engine& eng, int cause, int max_depth) {
    std::vector<DerivationNode> out;
    for (auto s : eng.cause_supports(cause)) out.push_back(node_for(eng, s, 0, max_depth));
    std::stable_sort(out.begin(), out.end(), [](const DerivationNode& a, const DerivationNode& b) { return a.cf > b.cf; });
    return out;
}

std::vector<WhyNotItem> why_not(const Engine& eng, int cause, std::size_t max_bindings) {
    std::vector<WhyNotItem> out;
    const auto& rb = eng.rules();
    for (std::size_t ri = 0; ri < rb.rules.size(); ++ri) {
        const auto& r = rb.rules[ri];
        if (r.action != Action::Conclude || r.cause != cause || r.cf <= 0) continue;
        int rule = static_cast<int>(ri);
        auto bindings = eng.bindings_of(rule);
        if (bindings.empty()) {
            WhyNotItem w;
            w.rule_id = r.id;
            const auto& idxs = eng.memory().with_name(r.for_fact);
            std::string fname = eng.memory().names().str(r.for_fact);
            if (idxs.empty()) {
                w.reason = "no " + fname + " facts (nothing to check " + r.for_var_name + " against)";
                FactRead rd{r.for_fact, 0, -1, false};
                w.unknowns.push_back(describe_read(eng, rd));
            } else {
                w.reason = "every " + fname + " fact is unknown";
                for (auto i : idxs) {
                    FactRead rd{r.for_fact, eng.memory().at(i).subject, static_cast<std::int32_t>(i), false};
                    w.unknowns.push_back(describe_read(eng, rd));
                }
            }
            out.push_back(std::move(w));
            continue;
        }
        std::size_t shown = 0;
        for (SymId b : bindings) {
            if (eng.fired(rule, b)) continue;
            if (shown++ >= max_bindings) break;
            WhyNotItem w;
            w.rule_id = r.id;
            w.binding = eng.memory().subjects().str(b);
            if (!r.when) {
                w.reason = "not fired";
                out.push_back(std::move(w));
                continue;
            }
            std::vector<const Expr*> conj;
            flatten_and(*r.when, conj);
            bool found = false;
            for (const Expr* c : conj) {
                std::vector<FactRead> trace;
                Tri t = truth(eng.evaluate_in_rule(*c, rule, b, &trace));
                if (t == Tri::True) continue;
                std::set<std::pair<SymId, SymId>> seen;
                for (const auto& rd : trace) {
                    if (!seen.insert({rd.name, rd.subject}).second) continue;
                    EvidenceItem ev = describe_read(eng, rd);
                    if (!ev.known)
                        w.unknowns.push_back(ev);
                    else
                        w.evidence.push_back(ev);
                }
                // Expressions may span lines in YAML; show them on one.
                std::string text;
                for (char ch : c->text) {
                    bool ws = ch == '\n' || ch == '\t' || ch == '\r' || ch == ' ';
                    if (ws) {
                        if (!text.empty() && text.back() != ' ') text += ' ';
                    } else {
                        text += ch;
                    }
                }
                w.reason = (t == Tri::False ? "condition is false: " : "condition is unknown: ") + text;
                found = true;
                break;
            }
            if (!found) w.reason = "condition held but the rule did not fire";
            out.push_back(std::move(w));
        }
    }
    return out;
}

std::vector<EvidenceItem> unknown_inputs(const Engine& eng, int cause) {
    std::vector<EvidenceItem> out;
    std::set<std::pair<std::string, std::string>> seen;
    for (const auto& w : why_not(eng, cause, 3))
        for (const auto& u : w.unknowns)
            if (seen.insert({u.fact, u.subject}).second) out.push_back(u);
    return out;
}

} // namespace pft::engine
