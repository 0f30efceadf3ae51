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
        std::int32_t gi = wm_.find_index(r.for_fact, binding);
        if (gi < 0 || !wm_.at(static_cast<std::size_t>(gi)).fact.known()) return Tri::Unknown;
        if (trace) trace->push_back({r.for_fact, binding, gi, true});
    }
    if (!r.when) return Tri::True;
    return truth(evaluate_in_rule(*r.when, rule, binding, trace));
}

// Same as evaluate_rule / evaluate_in_rule, without allocating: the variable slots are the
// engine's scratch vector (quantifiers restore the slots they bind, and every slot is reset here).
EvalValue Engine::eval_scratch(const Expr& e, const CompiledRule& r, SymId binding, std::vector<FactRead>* trace) {
    auto n = static_cast<std::size_t>(std::max(1, r.nvars));
    if (vars_.size() < n) vars_.resize(n);
    std::fill(vars_.begin(), vars_.begin() + static_cast<std::ptrdiff_t>(n), SymId{0});
    if (r.for_var >= 0) vars_[static_cast<std::size_t>(r.for_var)] = binding;
    EvalEnv env;
    env.wm = &wm_;
    env.cause_cf = &cause_cf_;
    env.now = now_;
    env.vars = &vars_;
    env.trace = trace;
    return evaluate(e, env);
}

Tri Engine::condition(int rule, SymId binding, std::vector<FactRead>* trace) {
    const auto& r = rb_->rules[static_cast<std::size_t>(rule)];
    if (r.for_fact != kNoSym) {
        std::int32_t gi = wm_.find_index(r.for_fact, binding);
        if (gi < 0 || !wm_.at(static_cast<std::size_t>(gi)).fact.known()) return Tri::Unknown;
        if (trace) trace->push_back({r.for_fact, binding, gi, true});
    }
    if (!r.when) return Tri::True;
    return truth(eval_scratch(*r.when, r, binding, trace));
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
    std::uint32_t st = state_.find(k);
    if (st == kPending) return;
    ++stats_.evaluations;
    reads_.clear();
    if (st != FlatIndex::kNone) {
        // Already fired (refraction): only its certainty may need an update.
        if (condition(rule, binding, &reads_) != Tri::True) return;
        double cf = r.cf * premise_cf(reads_);
        Support& sp = supports_[st];
        if (std::fabs(cf - sp.cf) < 1e-12) return;
        sp.cf = cf;
        sp.reads.assign(reads_.begin(), reads_.end());
        if (r.action == Action::Conclude)
            recompute_cause(r.cause);
        else if (sp.asserted_fact >= 0)
            recompute_derived(sp.asserted_fact);
        return;
    }
    if (condition(rule, binding, &reads_) != Tri::True) return;
    std::uint64_t rec = 0;
    for (const auto& rd : reads_)
        if (rd.fact_index >= 0) rec = std::max(rec, wm_.at(static_cast<std::size_t>(rd.fact_index)).time);
    state_.set(k, kPending);
    agenda_.push_back(Activation{rule, binding, r.salience, r.specificity, rec, r.order,
                                std::vector<FactRead>(reads_.begin(), reads_.end())});
    std::push_heap(agenda_.begin(), agenda_.end(), ActivationLess{});
}

void Engine::fire(Activation a) {
    const auto& r = rb_->rules[static_cast<std::size_t>(a.rule)];
    ++stats_.firings;
    Support sp;
    sp.rule = a.rule;
    sp.binding = a.binding;
    sp.cf = r.cf * premise_cf(a.reads);
    sp.reads = std::move(a.reads);
    sp.seq = ++seq_;
    auto sidx = static_cast<std::uint32_t>(supports_.size());
    state_.set(key(a.rule, a.binding), sidx);

    if (r.action == Action::Conclude) {
        supports_.push_back(std::move(sp));
        cause_supports_[static_cast<std::size_t>(r.cause)].push_back(sidx);
        recompute_cause(r.cause);
        return;
    }
    // Assert a derived fact.
    Fact f;
    f.name = wm_.names().str(r.assert_name);
    SymId subject_id = a.binding; // the binding's subject, unless the rule computes one
    if (r.assert_subject) {
        EvalValue s = eval_scratch(*r.assert_subject, r, a.binding, nullptr);
        if (!s.known) {
            supports_.push_back(std::move(sp));
            return;
        }
        f.subject = s.v.to_string();
        subject_id = wm_.subjects().find(f.subject);
    } else {
        f.subject = wm_.subjects().str(a.binding);
    }
    if (r.assert_value) {
        EvalValue v = eval_scratch(*r.assert_value, r, a.binding, nullptr);
        if (v.known) f.value = std::move(v.v);
        else f.unknown_reason = "derived value could not be computed";
    } else {
        f.value = Value(true);
    }
    f.prov.probe = "rule";
    f.prov.source = "rule " + r.id;
    f.cf = sp.cf;
    const StoredFact* existing = subject_id == kNoSym ? nullptr : wm_.find(r.assert_name, subject_id);
    if (existing && existing->derived) f.cf = cf_combine(existing->fact.cf, sp.cf);
    auto put = wm_.put(std::move(f), true);
    sp.asserted_fact = put.index;
    supports_.push_back(std::move(sp));
    auto fi = static_cast<std::size_t>(put.index);
    if (derived_support_.size() <= fi) derived_support_.resize(std::max(fi + 1, wm_.size()));
    derived_support_[fi].push_back(sidx);
    wm_.at_mut(fi).derived_from = static_cast<std::int32_t>(sidx);
    if (put.changed) wake(put.index);
}

void Engine::recompute_cause(int cause) {
    cfs_.clear();
    for (auto s : cause_supports_[static_cast<std::size_t>(cause)]) cfs_.push_back(supports_[s].cf);
    cause_cf_[static_cast<std::size_t>(cause)] = cf_combine_all(cfs_);
}

void Engine::recompute_derived(std::int32_t fact_index) {
    cfs_.clear();
    for (auto s : derived_support_[static_cast<std::size_t>(fact_index)]) cfs_.push_back(supports_[s].cf);
    double cf = std::max(0.0, cf_combine_all(cfs_));
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
    if (fact_index < 0 || static_cast<std::size_t>(fact_index) >= derived_support_.size()) return {};
    return derived_support_[static_cast<std::size_t>(fact_index)];
}

bool Engine::fired(int rule, SymId binding) const {
    std::uint32_t st = state_.find(key(rule, binding));
    return st != FlatIndex::kNone && st != kPending;
}

} // namespace pft::engine
