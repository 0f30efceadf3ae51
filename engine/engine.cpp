// engine.cpp - the agenda-driven forward chainer.
// Monotone within a stratum: facts are only added (or gain certainty), so a
// condition that held when an activation was queued still holds when it fires.
#include "engine/engine.hpp"

#include "engine/certainty.hpp"

#include <algorithm>
#include <cmath>

namespace pft::engine {

bool Engine::ActivationLess::operator()(const Activation& a, const Activation& b) const {
    // true when a has LOWER priority than b (std heap keeps the greatest on top)
    if (a.salience != b.salience) return a.salience < b.salience;
    if (a.specificity != b.specificity) return a.specificity < b.specificity;
    if (a.recency != b.recency) return a.recency < b.recency;
    if (a.order != b.order) return a.order > b.order;
    return a.binding > b.binding;
}

Engine::Engine(std::shared_ptr<const RuleBase> rb, TimePoint now)
    : rb_(std::move(rb)), wm_(rb_->names, rb_->subjects), now_(now) {
    by_stratum_.resize(static_cast<std::size_t>(std::max(1, rb_->strata)));
    int maxvars = 1;
    for (std::size_t i = 0; i < rb_->rules.size(); ++i) {
        const auto& r = rb_->rules[i];
        by_stratum_[static_cast<std::size_t>(r.stratum)].push_back(static_cast<int>(i));
        maxvars = std::max(maxvars, r.nvars);
        for (SymId n : r.reads) {
            if (readers_.size() <= n) readers_.resize(n + 1);
            bool keyed = std::find(r.reads_keyed.begin(), r.reads_keyed.end(), n) != r.reads_keyed.end();
            readers_[n].push_back({static_cast<int>(i), keyed});
        }
    }
    vars_.assign(static_cast<std::size_t>(maxvars), 0);
    cause_cf_.assign(rb_->cause_ids.size(), 0.0);
    cause_supports_.resize(rb_->cause_ids.size());
}

void Engine::add_fact(Fact f) {
    f.cf = 1.0;
    wm_.put(std::move(f), false);
}

RunStats Engine::run() {
    for (std::size_t s = 0; s < by_stratum_.size(); ++s) run_stratum(static_cast<int>(s));
    current_stratum_ = static_cast<int>(by_stratum_.size());
    stats_.facts = wm_.size();
    stats_.strata = static_cast<int>(by_stratum_.size());
    return stats_;
}

void Engine::run_stratum(int s) {
    current_stratum_ = s;
    for (int r : by_stratum_[static_cast<std::size_t>(s)]) consider_all_bindings(r);
    ActivationLess less;
    while (!agenda_.empty()) {
        std::pop_heap(agenda_.begin(), agenda_.end(), less);
        Activation a = std::move(agenda_.back());
        agenda_.pop_back();
        fire(std::move(a));
    }
}

std::vector<SymId> Engine::bindings_of(int rule) const {
    const auto& r = rb_->rules[static_cast<std::size_t>(rule)];
    std::vector<SymId> out;
    if (r.for_fact == kNoSym) {
        out.push_back(0);
        return out;
    }
    for (auto idx : wm_.with_name(r.for_fact)) {
        const auto& f = wm_.at(idx);
        if (f.fact.known()) out.push_back(f.subject);
    }
    return out;
}

void Engine::consider_all_bindings(int rule) {
    const auto& r = rb_->rules[static_cast<std::size_t>(rule)];
    if (r.for_fact == kNoSym) {
        consider(rule, 0);
        return;
    }
    const auto& idxs = wm_.with_name(r.for_fact);
    for (std::size_t i = 0; i < idxs.size(); ++i) consider(rule, wm_.at(idxs[i]).subject);
}

EvalValue Engine::evaluate_in_rule(const Expr& e, int rule, SymId binding, std::vector<FactRead>* trace) const {
    const auto& r = rb_->rules[static_cast<std::size_t>(rule)];
    std::vector<SymId> vars(static_cast<std::size_t>(std::max(1, r.nvars)), 0);
    if (r.for_var >= 0) vars[static_cast<std::size_t>(r.for_var)] = binding;
    EvalEnv env;
    env.wm = &wm_;
    env.cause_cf = &cause_cf_;
    env.now = now_;
    env.vars = &vars;
    env.trace = trace;
    return evaluate(e, env);
}

Tri Engine::evaluate_rule(int rule, SymId binding, std::vector<FactRead>* trace) const {
    const auto& r = rb_->rules[static_cast<std::size_t>(rule)];
    if (r.for_fact != kNoSym) {
        const StoredFact* g = wm_.find(r.for_fact, binding);
        if (!g || !g->fact.known()) return Tri::Unknown;
        if (trace) trace->push_back({r.for_fact, binding, wm_.find_index(r.for_fact, binding), true});
    }
    if (!r.when) return Tri::True;
    return truth(evaluate_in_rule(*r.when, rule, binding, trace));
}

double Engine::premise_cf(const std::vector<FactRead>& reads) const {
    double m = 1.0;
    for (const auto& rd : reads) {
        if (rd.fact_index < 0) continue;
        const auto& f = wm_.at(static_cast<std::size_t>(rd.fact_index));
        if (f.derived && f.fact.known()) m = std::min(m, f.fact.cf);
    }
    return m;
}

void Engine::consider(int rule, SymId binding) {
    const auto& r = rb_->rules[static_cast<std::size_t>(rule)];
    std::uint64_t k = key(rule, binding);
    if (pending_.count(k)) return;
    ++stats_.evaluations;
    auto sit = support_of_.find(k);
    if (sit != support_of_.end()) {
        // Already fired (refraction): only its certainty may need an update.
        std::vector<FactRead> reads;
        if (evaluate_rule(rule, binding, &reads) != Tri::True) return;
        double cf = r.cf * premise_cf(reads);
        Support& sp = supports_[sit->second];
        if (std::fabs(cf - sp.cf) < 1e-12) return;
        sp.cf = cf;
        sp.reads = std::move(reads);
        if (r.action == Action::Conclude)
            recompute_cause(r.cause);
        else if (sp.asserted_fact >= 0)
            recompute_derived(sp.asserted_fact);
        return;
    }
    std::vector<FactRead> reads;
    if (evaluate_rule(rule, binding, &reads) != Tri::True) return;
    std::uint64_t rec = 0;
    for (const auto& rd : reads)
        if (rd.fact_index >= 0) rec = std::max(rec, wm_.at(static_cast<std::size_t>(rd.fact_index)).time);
    pending_.emplace(k, true);
    agenda_.push_back(Activation{rule, binding, r.salience, r.specificity, rec, r.order, std::move(reads)});
    std::push_heap(agenda_.begin(), agenda_.end(), ActivationLess{});
}

void Engine::fire(Activation a) {
    const auto& r = rb_->rules[static_cast<std::size_t>(a.rule)];
    pending_.erase(key(a.rule, a.binding));
    ++stats_.firings;
    Support sp;
    sp.rule = a.rule;
    sp.binding = a.binding;
    sp.cf = r.cf * premise_cf(a.reads);
    sp.reads = std::move(a.reads);
    sp.seq = ++seq_;
    auto sidx = static_cast<std::uint32_t>(supports_.size());
    support_of_.emplace(key(a.rule, a.binding), sidx);

    if (r.action == Action::Conclude) {
        supports_.push_back(std::move(sp));
        cause_supports_[static_cast<std::size_t>(r.cause)].push_back(sidx);
        recompute_cause(r.cause);
        return;
    }
    // Assert a derived fact.
    Fact f;
    f.name = wm_.names().str(r.assert_name);
    if (r.assert_subject) {
        EvalValue s = evaluate_in_rule(*r.assert_subject, a.rule, a.binding, nullptr);
        if (!s.known) {
            supports_.push_back(std::move(sp));
            return;
        }
        f.subject = s.v.to_string();
    } else {
        f.subject = wm_.subjects().str(a.binding);
    }
    if (r.assert_value) {
        EvalValue v = evaluate_in_rule(*r.assert_value, a.rule, a.binding, nullptr);
        if (v.known) f.value = v.v;
        else f.unknown_reason = "derived value could not be computed";
    } else {
        f.value = Value(true);
    }
    f.prov.probe = "rule";
    f.prov.source = "rule " + r.id;
    f.cf = sp.cf;
    const StoredFact* existing = wm_.find(wm_.names().find(f.name), wm_.subjects().find(f.subject));
    if (existing && existing->derived) f.cf = cf_combine(existing->fact.cf, sp.cf);
    auto put = wm_.put(std::move(f), true);
    sp.asserted_fact = put.index;
    supports_.push_back(std::move(sp));
    derived_support_[put.index].push_back(sidx);
    wm_.at_mut(static_cast<std::size_t>(put.index)).derived_from = static_cast<std::int32_t>(sidx);
    if (put.changed) wake(put.index);
}

void Engine::recompute_cause(int cause) {
    std::vector<double> cfs;
    for (auto s : cause_supports_[static_cast<std::size_t>(cause)]) cfs.push_back(supports_[s].cf);
    cause_cf_[static_cast<std::size_t>(cause)] = cf_combine_all(cfs);
}

void Engine::recompute_derived(std::int32_t fact_index) {
    std::vector<double> cfs;
    for (auto s : derived_support_[fact_index]) cfs.push_back(supports_[s].cf);
    double cf = std::max(0.0, cf_combine_all(cfs));
    auto& f = wm_.at_mut(static_cast<std::size_t>(fact_index));
    if (std::fabs(f.fact.cf - cf) < 1e-12) return;
    f.fact.cf = cf;
    wake(fact_index);
}

void Engine::wake(std::int32_t fact_index) {
    const auto& f = wm_.at(static_cast<std::size_t>(fact_index));
    if (f.name >= readers_.size()) return;
    SymId subj = f.subject;
    // Copy: consider() may not add readers, but keep the loop independent of f.
    const auto& rs = readers_[f.name];
    for (auto [rule, keyed] : rs) {
        if (rb_->rules[static_cast<std::size_t>(rule)].stratum != current_stratum_) continue;
        if (keyed)
            consider(rule, subj);
        else
            consider_all_bindings(rule);
    }
}

std::vector<std::uint32_t> Engine::fact_supports(std::int32_t fact_index) const {
    auto it = derived_support_.find(fact_index);
    if (it == derived_support_.end()) return {};
    return it->second;
}

bool Engine::fired(int rule, SymId binding) const { return support_of_.count(key(rule, binding)) > 0; }

} // namespace pft::engine
