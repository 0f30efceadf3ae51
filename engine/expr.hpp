// expr.hpp - the compiled condition language: an expression tree over facts,
// evaluated with Kleene three-valued logic (true / false / unknown).
// Built by rules/ from text; the engine never parses anything.
#pragma once

#include "engine/symbols.hpp"
#include "engine/value.hpp"

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace re2 {
class RE2;
}

namespace pft::engine {

class WorkingMemory;

// A literal regex of a condition (`x =~ "..."`). The loader has parsed it (RE2 syntax,
// a load error otherwise); it is compiled the first time a rule evaluates it, since most
// rules never reach their regex on a given host and compiling them all was a tenth of
// start-up. Thread-safe (call_once).
class LazyRegex {
public:
    explicit LazyRegex(std::string pattern);
    ~LazyRegex();
    LazyRegex(const LazyRegex&) = delete;
    LazyRegex& operator=(const LazyRegex&) = delete;
    const std::string& pattern() const { return pattern_; }
    // The compiled form; ok() is false only if RE2 refuses it now (memory limit).
    const re2::RE2& get() const;

private:
    std::string pattern_;
    mutable std::once_flag once_;
    mutable std::unique_ptr<re2::RE2> re_;
};

enum class Op {
    Lit,       // lit
    FactRef,   // fact name, optional kids[0] = subject expression
    Var,       // var slot
    Not, And, Or,
    Eq, Ne, Lt, Le, Gt, Ge,
    Match, NotMatch, // kids[0] =~ regex (re, or kids[1] computed)
    In,        // kids[0] in kids[1] (list or substring)
    Contains,  // kids[0] contains kids[1]
    Add, Sub, Mul, Div, Neg,
    Known, Unknown, // kids[0] is a FactRef
    Any, All, Count, Sum, Max, // var bound over subjects of fact; kids[0] = body (may be null for Count)
    ListLit,   // kids = elements
    Lower, Len,
    Cause,     // certainty of cause index `index`
    Now,       // the reference time
    Age,       // now - kids[0] (a time)
};

struct Expr {
    Op op = Op::Lit;
    Value lit;
    SymId fact = kNoSym;   // FactRef / Known / Unknown / quantifiers
    int var = -1;          // Var slot, or quantifier's bound slot
    int index = -1;        // Cause index
    std::shared_ptr<const LazyRegex> re;
    std::vector<std::unique_ptr<Expr>> kids;
    std::string text;      // source text of this node (for explanations)
    int line = 0, column = 0;
};
using ExprPtr = std::unique_ptr<Expr>;

// A fact read during evaluation, for explanation and recency.
struct FactRead {
    SymId name = kNoSym;
    SymId subject = 0;
    std::int32_t fact_index = -1; // index in working memory, -1 if absent
    bool known = false;
};

// The result of evaluating an expression: a value, or unknown.
struct EvalValue {
    bool known = false;
    Value v;
    static EvalValue unknown() { return {}; }
    static EvalValue of(Value x) { return {true, std::move(x)}; }
};

// What an evaluation may read: the working memory, cause certainties, the
// reference time, and where to record the facts it read.
struct EvalEnv {
    const WorkingMemory* wm = nullptr;
    const std::vector<double>* cause_cf = nullptr;
    TimePoint now{};
    std::vector<SymId>* vars = nullptr; // variable slots hold subject ids
    std::vector<FactRead>* trace = nullptr;
    const SymbolTable* subjects = nullptr; // to turn subject ids into strings
};

EvalValue evaluate(const Expr& e, EvalEnv& env);

// True/false/unknown of a condition: known bool, or unknown.
enum class Tri { False, True, Unknown };
Tri truth(const EvalValue& v);

// Visits every node (pre-order).
template <class F> void walk(const Expr& e, F&& f) {
    f(e);
    for (const auto& k : e.kids)
        if (k) walk(*k, f);
}

} // namespace pft::engine
