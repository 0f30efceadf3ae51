// engine.hpp - forward chaining to a fixpoint over a compiled rule base.
// Strata run in order; within a stratum an agenda orders activations by
// salience, specificity, recency and rule order; a rule fires once per binding
// (refraction); a new or changed fact wakes only the rules that read it.
#pragma once

#include "engine/expr.hpp"
#include "engine/flat_index.hpp"
#include "engine/rule.hpp"
#include "engine/working_memory.hpp"

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

namespace pft::engine {

// One firing of a rule for one binding, and what it read.
struct Support {
    int rule = -1;
    SymId binding = 0; // subject id of the for-variable (0 when the rule binds nothing)
    double cf = 0;     // contribution: rule cf scaled by the premise certainty
    std::vector<FactRead> reads;
    std::uint64_t seq = 0; // firing order
    std::int32_t asserted_fact = -1;
};

struct RunStats {
    std::uint64_t evaluations = 0;
    std::uint64_t firings = 0;
    std::uint64_t facts = 0;
    int strata = 0;
};

class Engine {
public:
    Engine(std::shared_ptr<const RuleBase> rb, TimePoint now);

    // Base facts (observations), added before run().
    void add_fact(Fact f);
    RunStats run();

    const RuleBase& rules() const { return *rb_; }
    const WorkingMemory& memory() const { return wm_; }
    TimePoint now() const { return now_; }

    double cause_cf(int cause) const { return cause_cf_[static_cast<std::size_t>(cause)]; }
    const std::vector<double>& cause_cfs() const { return cause_cf_; }
    const std::vector<std::uint32_t>& cause_supports(int cause) const {
        return cause_supports_[static_cast<std::size_t>(cause)];
    }
    const Support& support(std::uint32_t i) const { return supports_[i]; }
    // Supports of a derived fact (by working-memory index).
    std::vector<std::uint32_t> fact_supports(std::int32_t fact_index) const;
    bool fired(int rule, SymId binding) const;

    // Evaluates a rule's condition for one binding without firing it (for "why not").
    Tri evaluate_rule(int rule, SymId binding, std::vector<FactRead>* trace) const;
    // Evaluates any expression of a rule in that rule's variable environment.
    EvalValue evaluate_in_rule(const Expr& e, int rule, SymId binding, std::vector<FactRead>* trace) const;
    // The bindings a rule would consider: subjects of its for-fact with a known value.
    std::vector<SymId> bindings_of(int rule) const;

private:
    struct Activation {
        int rule;
        SymId binding;
        int salience, specificity;
        std::uint64_t recency;
        int order;
        std::vector<FactRead> reads;
    };
    struct ActivationLess {
        bool operator()(const Activation& a, const Activation& b) const;
    };

    // Condition of a rule for one binding, with the engine's scratch variable slots.
    Tri condition(int rule, SymId binding, std::vector<FactRead>* trace);
    EvalValue eval_scratch(const Expr& e, const CompiledRule& r, SymId binding, std::vector<FactRead>* trace);
    void run_stratum(int s);
    void consider(int rule, SymId binding);
    void consider_all_bindings(int rule);
    void wake(std::int32_t fact_index);
    void fire(Activation a);
    double premise_cf(const std::vector<FactRead>& reads) const;
    void recompute_cause(int cause);
    void recompute_derived(std::int32_t fact_index);
    static std::uint64_t key(int rule, SymId binding) {
        return (static_cast<std::uint64_t>(static_cast<std::uint32_t>(rule)) << 32) | binding;
    }

    std::shared_ptr<const RuleBase> rb_;
    WorkingMemory wm_;
    TimePoint now_;
    int current_stratum_ = -1;
    std::vector<std::vector<int>> by_stratum_;
    // name -> rules that read it (index by SymId), with whether the read is keyed.
    std::vector<std::vector<std::pair<int, bool>>> readers_;
    std::vector<double> cause_cf_;
    std::vector<std::vector<std::uint32_t>> cause_supports_;
    std::vector<Support> supports_;
    // (rule, binding) -> support index once fired, or kPending while on the agenda.
    static constexpr std::uint32_t kPending = FlatIndex::kNone - 1;
    FlatIndex state_;
    std::vector<std::vector<std::uint32_t>> derived_support_; // by working-memory index
    std::vector<Activation> agenda_; // a heap
    std::vector<SymId> vars_;          // scratch variable slots (internal evaluations)
    std::vector<FactRead> reads_;      // scratch trace (internal evaluations)
    std::vector<double> cfs_;          // scratch for certainty recomputation
    RunStats stats_;
    std::uint64_t seq_ = 0;
};

} // namespace pft::engine
