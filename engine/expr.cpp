// expr.cpp - evaluation of compiled conditions with three-valued logic.
// Reads only the working memory and cause certainties it is given; records
// every fact it reads so that explanations and recency come for free.
#include "engine/expr.hpp"

#include "engine/working_memory.hpp"

#include <re2/re2.h>

#include <algorithm>
#include <cctype>
#include <cmath>

namespace pft::engine {

LazyRegex::LazyRegex(std::string pattern) : pattern_(std::move(pattern)) {}
LazyRegex::~LazyRegex() = default;

const re2::RE2& LazyRegex::get() const {
    std::call_once(once_, [this] {
        re2::RE2::Options o;
        o.set_log_errors(false);
        re_ = std::make_unique<re2::RE2>(pattern_, o);
    });
    return *re_;
}

Tri truth(const EvalValue& v) {
    if (!v.known) return Tri::Unknown;
    return v.v.truthy() ? Tri::True : Tri::False;
}

namespace {

EvalValue tri_value(Tri t) {
    if (t == Tri::Unknown) return EvalValue::unknown();
    return EvalValue::of(Value(t == Tri::True));
}

std::string subject_string(const EvalEnv& env, SymId id) {
    if (env.subjects) return env.subjects->str(id);
    return env.wm->subjects().str(id);
}

// Resolves the subject id of a FactRef; kNoSym when the subject is unknown or never seen.
SymId subject_of(const Expr& ref, EvalEnv& env, bool* subject_unknown) {
    *subject_unknown = false;
    if (ref.kids.empty() || !ref.kids[0]) return 0;
    const Expr& s = *ref.kids[0];
    if (s.op == Op::Var) return (*env.vars)[static_cast<std::size_t>(s.var)];
    EvalValue v = evaluate(s, env);
    if (!v.known) {
        *subject_unknown = true;
        return kNoSym;
    }
    return env.wm->subjects().find(v.v.to_string());
}

const StoredFact* read_fact(const Expr& ref, EvalEnv& env) {
    bool su = false;
    SymId subj = subject_of(ref, env, &su);
    if (su) return nullptr;
    std::int32_t idx = subj == kNoSym ? -1 : env.wm->find_index(ref.fact, subj);
    const StoredFact* f = idx < 0 ? nullptr : &env.wm->at(static_cast<std::size_t>(idx));
    if (env.trace) {
        FactRead r;
        r.name = ref.fact;
        r.subject = subj == kNoSym ? 0 : subj;
        r.fact_index = idx;
        r.known = f && f->fact.known();
        env.trace->push_back(r);
    }
    return f;
}

int compare_values(const Value& a, const Value& b, bool* comparable) {
    *comparable = true;
    if (a.is_numeric() && b.is_numeric()) {
        double x = a.as_number(), y = b.as_number();
        return x < y ? -1 : (x > y ? 1 : 0);
    }
    if (a.type() == ValueType::Bool || b.type() == ValueType::Bool) {
        if ((a.type() == ValueType::Bool || a.is_numeric()) && (b.type() == ValueType::Bool || b.is_numeric())) {
            double x = a.as_number(), y = b.as_number();
            return x < y ? -1 : (x > y ? 1 : 0);
        }
    }
    // A string that holds a number compares with a number (postconf values are strings).
    auto as_num = [](const Value& v, double* out) {
        if (v.is_numeric()) {
            *out = v.as_number();
            return true;
        }
        if (const auto* s = v.get_if<std::string>()) {
            // Plain decimal numbers only: strtod would also take "nan", "inf" and hex.
            if (s->find_first_not_of("0123456789+-.eE") != std::string::npos) return false;
            char* end = nullptr;
            *out = std::strtod(s->c_str(), &end);
            return !s->empty() && end && *end == 0;
        }
        return false;
    };
    double x, y;
    if (as_num(a, &x) && as_num(b, &y)) return x < y ? -1 : (x > y ? 1 : 0);
    // Two strings that are not both numbers compare as text. Two numeric strings
    // ("9000000" < "10240000", two postconf sizes) compare as numbers above.
    if (a.type() == ValueType::String && b.type() == ValueType::String) {
        int c = a.get_if<std::string>()->compare(*b.get_if<std::string>());
        return c < 0 ? -1 : (c > 0 ? 1 : 0);
    }
    *comparable = false;
    return 0;
}

EvalValue arith(Op op, const Value& a, const Value& b) {
    if (!(a.is_numeric() || a.type() == ValueType::Bool) || !(b.is_numeric() || b.type() == ValueType::Bool))
        return EvalValue::unknown();
    // Durations and times keep their type through + and -.
    if (a.type() == ValueType::Time && b.type() == ValueType::Duration) {
        auto t = *a.get_if<TimePoint>();
        auto d = *b.get_if<Duration>();
        return EvalValue::of(Value(op == Op::Add ? t + d : t - d));
    }
    if (a.type() == ValueType::Time && b.type() == ValueType::Time && op == Op::Sub)
        return EvalValue::of(Value(Duration(*a.get_if<TimePoint>() - *b.get_if<TimePoint>())));
    if (a.type() == ValueType::Duration && b.type() == ValueType::Duration && (op == Op::Add || op == Op::Sub)) {
        auto x = *a.get_if<Duration>(), y = *b.get_if<Duration>();
        return EvalValue::of(Value(op == Op::Add ? x + y : x - y));
    }
    double x = a.as_number(), y = b.as_number(), r = 0;
    switch (op) {
    case Op::Add: r = x + y; break;
    case Op::Sub: r = x - y; break;
    case Op::Mul: r = x * y; break;
    case Op::Div:
        if (y == 0) return EvalValue::unknown();
        r = x / y;
        break;
    default: return EvalValue::unknown();
    }
    bool ints = a.type() == ValueType::Int && b.type() == ValueType::Int && op != Op::Div;
    if (ints) return EvalValue::of(Value(static_cast<std::int64_t>(r)));
    return EvalValue::of(Value(r));
}

// Quantifiers bind their variable to each subject of the fact with a known value.
EvalValue quantify(const Expr& e, EvalEnv& env) {
    const auto& idxs = env.wm->with_name(e.fact);
    auto slot = static_cast<std::size_t>(e.var);
    SymId saved = (*env.vars)[slot];
    bool any_true = false, any_false = false, any_unknown = false;
    std::int64_t count = 0;
    double sum = 0, mx = 0;
    bool have_max = false, sum_real = false;
    // Copy: evaluation never asserts, so the index vector is stable; iterate by position.
    for (std::size_t i = 0; i < idxs.size(); ++i) {
        const StoredFact& f = env.wm->at(idxs[i]);
        if (!f.fact.known()) continue;
        (*env.vars)[slot] = f.subject;
        Tri t = Tri::True;
        if (!e.kids.empty() && e.kids[0]) t = truth(evaluate(*e.kids[0], env));
        if (t == Tri::True) {
            any_true = true;
            ++count;
            if (e.op == Op::Sum || e.op == Op::Max) {
                const Value& v = *f.fact.value;
                double x = v.is_numeric() || v.type() == ValueType::Bool ? v.as_number() : 0.0;
                if (v.type() == ValueType::Real) sum_real = true;
                sum += x;
                if (!have_max || x > mx) mx = x;
                have_max = true;
            }
            if (e.op == Op::Any) break;
        } else if (t == Tri::False) {
            any_false = true;
            if (e.op == Op::All) break;
        } else {
            any_unknown = true;
        }
    }
    (*env.vars)[slot] = saved;
    switch (e.op) {
    case Op::Any: return any_true ? tri_value(Tri::True) : (any_unknown ? tri_value(Tri::Unknown) : tri_value(Tri::False));
    case Op::All: return any_false ? tri_value(Tri::False) : (any_unknown ? tri_value(Tri::Unknown) : tri_value(Tri::True));
    case Op::Count: return EvalValue::of(Value(count));
    case Op::Sum:
        if (sum_real) return EvalValue::of(Value(sum));
        return EvalValue::of(Value(static_cast<std::int64_t>(sum)));
    case Op::Max: return have_max ? EvalValue::of(Value(mx)) : EvalValue::unknown();
    default: return EvalValue::unknown();
    }
}

} // namespace

EvalValue evaluate(const Expr& e, EvalEnv& env) {
    switch (e.op) {
    case Op::Lit: return EvalValue::of(e.lit);
    case Op::Now: return EvalValue::of(Value(env.now));
    case Op::Var: return EvalValue::of(Value(subject_string(env, (*env.vars)[static_cast<std::size_t>(e.var)])));
    case Op::FactRef: {
        const StoredFact* f = read_fact(e, env);
        if (!f || !f->fact.known()) return EvalValue::unknown();
        return EvalValue::of(*f->fact.value);
    }
    case Op::Known:
    case Op::Unknown: {
        const StoredFact* f = read_fact(*e.kids[0], env);
        bool k = f && f->fact.known();
        return EvalValue::of(Value(e.op == Op::Known ? k : !k));
    }
    case Op::Not: {
        Tri t = truth(evaluate(*e.kids[0], env));
        if (t == Tri::Unknown) return EvalValue::unknown();
        return EvalValue::of(Value(t == Tri::False));
    }
    case Op::And: {
        bool unknown = false;
        for (const auto& k : e.kids) {
            Tri t = truth(evaluate(*k, env));
            if (t == Tri::False) return EvalValue::of(Value(false));
            if (t == Tri::Unknown) unknown = true;
        }
        return unknown ? EvalValue::unknown() : EvalValue::of(Value(true));
    }
    case Op::Or: {
        bool unknown = false;
        for (const auto& k : e.kids) {
            Tri t = truth(evaluate(*k, env));
            if (t == Tri::True) return EvalValue::of(Value(true));
            if (t == Tri::Unknown) unknown = true;
        }
        return unknown ? EvalValue::unknown() : EvalValue::of(Value(false));
    }
    case Op::Eq:
    case Op::Ne:
    case Op::Lt:
    case Op::Le:
    case Op::Gt:
    case Op::Ge: {
        EvalValue a = evaluate(*e.kids[0], env);
        EvalValue b = evaluate(*e.kids[1], env);
        if (!a.known || !b.known) return EvalValue::unknown();
        bool comparable = true;
        int c = compare_values(a.v, b.v, &comparable);
        if (!comparable) {
            if (e.op == Op::Eq) return EvalValue::of(Value(a.v == b.v));
            if (e.op == Op::Ne) return EvalValue::of(Value(a.v != b.v));
            return EvalValue::unknown();
        }
        bool r = false;
        switch (e.op) {
        case Op::Eq: r = c == 0; break;
        case Op::Ne: r = c != 0; break;
        case Op::Lt: r = c < 0; break;
        case Op::Le: r = c <= 0; break;
        case Op::Gt: r = c > 0; break;
        case Op::Ge: r = c >= 0; break;
        default: break;
        }
        return EvalValue::of(Value(r));
    }
    case Op::Match:
    case Op::NotMatch: {
        EvalValue a = evaluate(*e.kids[0], env);
        if (!a.known) return EvalValue::unknown();
        std::string s = a.v.to_string();
        bool m = false;
        if (e.re) {
            const re2::RE2& re = e.re->get();
            if (!re.ok()) return EvalValue::unknown();
            m = re2::RE2::PartialMatch(s, re);
        } else {
            EvalValue p = evaluate(*e.kids[1], env);
            if (!p.known) return EvalValue::unknown();
            re2::RE2 re(p.v.to_string(), re2::RE2::Quiet);
            if (!re.ok()) return EvalValue::unknown();
            m = re2::RE2::PartialMatch(s, re);
        }
        return EvalValue::of(Value(e.op == Op::Match ? m : !m));
    }
    case Op::In:
    case Op::Contains: {
        EvalValue a = evaluate(*e.kids[0], env);
        EvalValue b = evaluate(*e.kids[1], env);
        if (!a.known || !b.known) return EvalValue::unknown();
        const Value& needle = e.op == Op::In ? a.v : b.v;
        const Value& hay = e.op == Op::In ? b.v : a.v;
        if (const auto* l = hay.get_if<StringList>()) {
            std::string n = needle.to_string();
            return EvalValue::of(Value(std::find(l->begin(), l->end(), n) != l->end()));
        }
        if (const auto* s = hay.get_if<std::string>())
            return EvalValue::of(Value(s->find(needle.to_string()) != std::string::npos));
        return EvalValue::unknown();
    }
    case Op::ListLit: {
        StringList l;
        for (const auto& k : e.kids) {
            EvalValue v = evaluate(*k, env);
            if (!v.known) return EvalValue::unknown();
            l.push_back(v.v.to_string());
        }
        return EvalValue::of(Value(std::move(l)));
    }
    case Op::Add:
    case Op::Sub:
    case Op::Mul:
    case Op::Div: {
        EvalValue a = evaluate(*e.kids[0], env);
        EvalValue b = evaluate(*e.kids[1], env);
        if (!a.known || !b.known) return EvalValue::unknown();
        return arith(e.op, a.v, b.v);
    }
    case Op::Neg: {
        EvalValue a = evaluate(*e.kids[0], env);
        if (!a.known) return EvalValue::unknown();
        if (const auto* d = a.v.get_if<Duration>()) return EvalValue::of(Value(-*d));
        if (const auto* i = a.v.get_if<std::int64_t>()) return EvalValue::of(Value(-*i));
        if (!a.v.is_numeric()) return EvalValue::unknown();
        return EvalValue::of(Value(-a.v.as_number()));
    }
    case Op::Any:
    case Op::All:
    case Op::Count:
    case Op::Sum:
    case Op::Max: return quantify(e, env);
    case Op::Lower: {
        EvalValue a = evaluate(*e.kids[0], env);
        if (!a.known) return a;
        std::string s = a.v.to_string();
        for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        return EvalValue::of(Value(std::move(s)));
    }
    case Op::Len: {
        EvalValue a = evaluate(*e.kids[0], env);
        if (!a.known) return a;
        if (const auto* l = a.v.get_if<StringList>()) return EvalValue::of(Value(static_cast<std::int64_t>(l->size())));
        return EvalValue::of(Value(static_cast<std::int64_t>(a.v.to_string().size())));
    }
    case Op::Cause: {
        if (!env.cause_cf || e.index < 0 || static_cast<std::size_t>(e.index) >= env.cause_cf->size())
            return EvalValue::unknown();
        return EvalValue::of(Value((*env.cause_cf)[static_cast<std::size_t>(e.index)]));
    }
    case Op::Age: {
        EvalValue a = evaluate(*e.kids[0], env);
        if (!a.known) return a;
        if (const auto* t = a.v.get_if<TimePoint>()) return EvalValue::of(Value(Duration(env.now - *t)));
        return EvalValue::unknown();
    }
    }
    return EvalValue::unknown();
}

} // namespace pft::engine
