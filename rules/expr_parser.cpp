// expr_parser.cpp - a small Pratt-style recursive-descent parser for conditions.
// Literal regexes are parsed here (RE2: linear time, so no pattern can be
// catastrophically slow), so a bad pattern is a load error, not a run-time one;
// they are compiled on first use (engine::LazyRegex).
#include "rules/expr_parser.hpp"

// GCC 12 reports a false -Wmaybe-uninitialized on destroying a std::variant temporary
// (engine::Value) once the parser's recursion guard changes inlining.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

#include <re2/re2.h>
#include <re2/set.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <unordered_map>

namespace pft::rules {

using engine::Expr;
using engine::ExprPtr;
using engine::Op;
using engine::Value;

namespace {

enum class Tok { End, Ident, Fact, Number, String, Sym, Error };

struct Token {
    Tok kind = Tok::End;
    std::string text; // identifier, symbol, string contents or number text
    std::size_t pos = 0;
    std::size_t end = 0;
};

bool is_ident_start(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; }
bool is_ident_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-'; }

class Lexer {
public:
    explicit Lexer(const std::string& s) : s_(s) {}
    Token next() {
        while (i_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[i_]))) ++i_;
        Token t;
        t.pos = i_;
        if (i_ >= s_.size()) {
            t.kind = Tok::End;
            t.end = i_;
            return t;
        }
        char c = s_[i_];
        if (is_ident_start(c)) {
            std::size_t st = i_;
            bool dotted = false;
            while (i_ < s_.size()) {
                if (is_ident_char(s_[i_])) {
                    ++i_;
                } else if (s_[i_] == '.' && i_ + 1 < s_.size() && is_ident_char(s_[i_ + 1])) {
                    dotted = true;
                    ++i_;
                } else {
                    break;
                }
            }
            t.kind = dotted ? Tok::Fact : Tok::Ident;
            t.text = s_.substr(st, i_ - st);
        } else if (std::isdigit(static_cast<unsigned char>(c)) ||
                   (c == '.' && i_ + 1 < s_.size() && std::isdigit(static_cast<unsigned char>(s_[i_ + 1])))) {
            std::size_t st = i_;
            while (i_ < s_.size() && (std::isdigit(static_cast<unsigned char>(s_[i_])) || s_[i_] == '.')) ++i_;
            while (i_ < s_.size() && (std::isalpha(static_cast<unsigned char>(s_[i_])) || s_[i_] == '%')) ++i_;
            t.kind = Tok::Number;
            t.text = s_.substr(st, i_ - st);
        } else if (c == '"' || c == '\'') {
            char q = c;
            ++i_;
            std::string out;
            bool closed = false;
            while (i_ < s_.size()) {
                char d = s_[i_++];
                if (d == q) {
                    closed = true;
                    break;
                }
                if (d == '\\' && i_ < s_.size()) {
                    char e = s_[i_++];
                    // Keep backslashes that are regex escapes; unescape quotes and backslashes.
                    if (e == q || e == '\\')
                        out += e;
                    else if (e == 'n')
                        out += '\n';
                    else if (e == 't')
                        out += '\t';
                    else {
                        out += '\\';
                        out += e;
                    }
                    continue;
                }
                out += d;
            }
            t.kind = closed ? Tok::String : Tok::Error;
            t.text = closed ? out : "unterminated string";
        } else {
            static const char* two[] = {"==", "!=", "<=", ">=", "=~", "!~", "&&", "||"};
            t.kind = Tok::Sym;
            for (const char* op : two) {
                if (s_.compare(i_, 2, op) == 0) {
                    t.text = op;
                    i_ += 2;
                    t.end = i_;
                    return t;
                }
            }
            if (std::string("()[],:+-*/<>!").find(c) != std::string::npos) {
                t.text = std::string(1, c);
                ++i_;
            } else {
                t.kind = Tok::Error;
                t.text = std::string("unexpected character '") + c + "'";
                ++i_;
            }
        }
        t.end = i_;
        return t;
    }

private:
    const std::string& s_;
    std::size_t i_ = 0;
};

class Parser {
public:
    Parser(const std::string& text, ExprContext& ctx) : text_(text), ctx_(ctx), lex_(text) { advance(); }

    ExprPtr parse_all() {
        ExprPtr e = parse_or();
        if (e && cur_.kind != Tok::End) {
            error(cur_.pos, "unexpected '" + cur_.text + "' after the end of the expression");
            return nullptr;
        }
        return failed_ ? nullptr : std::move(e);
    }

private:
    void advance() {
        prev_end_ = cur_.end;
        cur_ = lex_.next();
    }
    bool is_sym(const char* s) const { return cur_.kind == Tok::Sym && cur_.text == s; }
    bool is_kw(const char* s) const { return cur_.kind == Tok::Ident && cur_.text == s; }

    // Line and column of text_[pos], counted from ctx_.where (without copying its file name).
    void line_col_at(std::size_t pos, int* line, int* column) const {
        int l = ctx_.where.line, c = ctx_.where.column;
        for (std::size_t i = 0; i < pos && i < text_.size(); ++i) {
            if (text_[i] == '\n') {
                ++l;
                c = 1;
            } else if (c > 0) {
                ++c;
            }
        }
        *line = l;
        *column = c;
    }
    Location loc_at(std::size_t pos) const {
        Location l = ctx_.where;
        line_col_at(pos, &l.line, &l.column);
        return l;
    }
    void error(std::size_t pos, const std::string& msg) {
        if (!failed_ && ctx_.diags) ctx_.diags->error(loc_at(pos), msg);
        failed_ = true;
    }
    ExprPtr make(Op op, std::size_t start) {
        auto e = std::make_unique<Expr>();
        e->op = op;
        line_col_at(start, &e->line, &e->column);
        start_.emplace_back(e.get(), start);
        return e;
    }
    void finish(Expr& e, std::size_t end) {
        // The node being finished is almost always one of the last made: search from the back.
        std::size_t st = 0;
        for (auto it = start_.rbegin(); it != start_.rend(); ++it)
            if (it->first == &e) {
                st = it->second;
                break;
            }
        if (end > st && end <= text_.size()) {
            e.text = text_.substr(st, end - st);
            while (!e.text.empty() && std::isspace(static_cast<unsigned char>(e.text.back()))) e.text.pop_back();
        }
    }
    bool expect_sym(const char* s) {
        if (!is_sym(s)) {
            error(cur_.pos, std::string("expected '") + s + "'" + (cur_.kind == Tok::End ? " at the end" : ", found '" + cur_.text + "'"));
            return false;
        }
        advance();
        return true;
    }

    ExprPtr binary(Op op, ExprPtr a, ExprPtr b, std::size_t start) {
        if (!a || !b) return nullptr;
        auto e = make(op, start);
        e->kids.push_back(std::move(a));
        e->kids.push_back(std::move(b));
        return e;
    }

    ExprPtr parse_or() {
        std::size_t st = cur_.pos;
        ExprPtr a = parse_and();
        if (!a) return nullptr;
        if (!(is_kw("or") || is_sym("||"))) return a;
        auto e = make(Op::Or, st);
        e->kids.push_back(std::move(a));
        while (is_kw("or") || is_sym("||")) {
            advance();
            ExprPtr b = parse_and();
            if (!b) return nullptr;
            e->kids.push_back(std::move(b));
        }
        finish(*e, prev_end_);
        return e;
    }
    ExprPtr parse_and() {
        std::size_t st = cur_.pos;
        ExprPtr a = parse_not();
        if (!a) return nullptr;
        if (!(is_kw("and") || is_sym("&&"))) return a;
        auto e = make(Op::And, st);
        e->kids.push_back(std::move(a));
        while (is_kw("and") || is_sym("&&")) {
            advance();
            ExprPtr b = parse_not();
            if (!b) return nullptr;
            e->kids.push_back(std::move(b));
        }
        finish(*e, prev_end_);
        return e;
    }
    ExprPtr parse_not() {
        // Every level of nesting ('(', 'not', '-', '[') passes here: bound the recursion
        // so a hostile "((((..." is an error, not a stack overflow (found by fuzz_expr).
        Depth depth(depth_);
        if (depth_ > max_depth) {
            error(cur_.pos, "expression nested deeper than " + std::to_string(max_depth) + " levels");
            return nullptr;
        }
        std::size_t st = cur_.pos;
        if (is_kw("not") || is_sym("!")) {
            advance();
            ExprPtr a = parse_not();
            if (!a) return nullptr;
            auto e = make(Op::Not, st);
            e->kids.push_back(std::move(a));
            finish(*e, prev_end_);
            return e;
        }
        return parse_cmp();
    }
    ExprPtr parse_cmp() {
        std::size_t st = cur_.pos;
        ExprPtr a = parse_sum();
        if (!a) return nullptr;
        Op op;
        bool negate_in = false;
        if (is_sym("==")) op = Op::Eq;
        else if (is_sym("!=")) op = Op::Ne;
        else if (is_sym("<")) op = Op::Lt;
        else if (is_sym("<=")) op = Op::Le;
        else if (is_sym(">")) op = Op::Gt;
        else if (is_sym(">=")) op = Op::Ge;
        else if (is_sym("=~")) op = Op::Match;
        else if (is_sym("!~")) op = Op::NotMatch;
        else if (is_kw("in")) op = Op::In;
        else if (is_kw("contains")) op = Op::Contains;
        else if (is_kw("not")) {
            // "x not in [..]"
            advance();
            if (!is_kw("in")) {
                error(cur_.pos, "expected 'in' after 'not'");
                return nullptr;
            }
            op = Op::In;
            negate_in = true;
        } else {
            return a;
        }
        std::size_t op_pos = cur_.pos;
        advance();
        std::size_t rhs_pos = cur_.pos;
        ExprPtr b = parse_sum();
        if (!b) return nullptr;
        auto e = binary(op, std::move(a), std::move(b), st);
        if ((op == Op::Match || op == Op::NotMatch) && e->kids[1]->op == Op::Lit) {
            const std::string* pat = e->kids[1]->lit.get_if<std::string>();
            if (!pat) {
                error(rhs_pos, "the right side of =~ must be a string (a regular expression)");
                return nullptr;
            }
            // Parsed now (a set's Add parses without compiling); compiled on first use.
            re2::RE2::Options o;
            o.set_log_errors(false);
            re2::RE2::Set syntax(o, re2::RE2::UNANCHORED);
            std::string why;
            if (syntax.Add(*pat, &why) < 0) {
                error(rhs_pos, "regular expression does not compile: " + why);
                return nullptr;
            }
            e->re = std::make_shared<const engine::LazyRegex>(*pat);
        }
        (void)op_pos;
        finish(*e, prev_end_);
        if (negate_in) {
            auto n = make(Op::Not, st);
            n->kids.push_back(std::move(e));
            finish(*n, prev_end_);
            return n;
        }
        return e;
    }
    ExprPtr parse_sum() {
        std::size_t st = cur_.pos;
        ExprPtr a = parse_term();
        while (a && (is_sym("+") || is_sym("-"))) {
            Op op = is_sym("+") ? Op::Add : Op::Sub;
            advance();
            a = binary(op, std::move(a), parse_term(), st);
            if (a) finish(*a, prev_end_);
        }
        return a;
    }
    ExprPtr parse_term() {
        std::size_t st = cur_.pos;
        ExprPtr a = parse_unary();
        while (a && (is_sym("*") || is_sym("/"))) {
            Op op = is_sym("*") ? Op::Mul : Op::Div;
            advance();
            a = binary(op, std::move(a), parse_unary(), st);
            if (a) finish(*a, prev_end_);
        }
        return a;
    }
    ExprPtr parse_unary() {
        // Every level of nesting ('(', 'not', '-', '[') passes here: bound the recursion
        // so a hostile "((((..." is an error, not a stack overflow (found by fuzz_expr).
        Depth depth(depth_);
        if (depth_ > max_depth) {
            error(cur_.pos, "expression nested deeper than " + std::to_string(max_depth) + " levels");
            return nullptr;
        }
        return parse_unary_inner();
    }
    ExprPtr parse_unary_inner() {
        std::size_t st = cur_.pos;
        if (is_sym("-")) {
            advance();
            ExprPtr a = parse_unary();
            if (!a) return nullptr;
            if (a->op == Op::Lit && a->lit.is_numeric()) {
                if (auto* i = a->lit.get_if<std::int64_t>()) a->lit = Value(-*i);
                else if (auto* d = a->lit.get_if<engine::Duration>()) a->lit = Value(-*d);
                else a->lit = Value(-a->lit.as_number());
                return a;
            }
            auto e = make(Op::Neg, st);
            e->kids.push_back(std::move(a));
            finish(*e, prev_end_);
            return e;
        }
        return parse_primary();
    }

    ExprPtr parse_fact_ref(std::size_t st, const std::string& name) {
        auto e = make(Op::FactRef, st);
        e->fact = ctx_.names->intern(name);
        if (ctx_.fact_refs) ctx_.fact_refs->push_back({name, loc_at(st)});
        if (is_sym("[")) {
            advance();
            ExprPtr s = parse_or();
            if (!s) return nullptr;
            if (s->op == Op::Lit) ctx_.subjects->intern(s->lit.to_string());
            if (!expect_sym("]")) return nullptr;
            e->kids.push_back(std::move(s));
        }
        finish(*e, prev_end_);
        return e;
    }

    int bind_var(const std::string& name) {
        ctx_.scope.push_back(name);
        int slot = static_cast<int>(ctx_.scope.size()) - 1;
        ctx_.max_slots = std::max(ctx_.max_slots, slot + 1);
        return slot;
    }

    ExprPtr parse_call(std::size_t st, const std::string& fn) {
        advance(); // '('
        static const std::pair<const char*, Op> quantifiers[] = {
            {"any", Op::Any}, {"all", Op::All}, {"count", Op::Count}, {"sum", Op::Sum}, {"max", Op::Max}};
        for (auto [qn, qop] : quantifiers) {
            if (fn != qn) continue;
            // count(fact.name) or Q(v in fact.name: body)
            if (cur_.kind == Tok::Fact && qop == Op::Count) {
                auto e = make(Op::Count, st);
                e->fact = ctx_.names->intern(cur_.text);
                if (ctx_.fact_refs) ctx_.fact_refs->push_back({cur_.text, loc_at(cur_.pos)});
                advance();
                e->var = bind_var("");
                ctx_.scope.pop_back();
                if (!expect_sym(")")) return nullptr;
                finish(*e, prev_end_);
                return e;
            }
            if (cur_.kind != Tok::Ident) {
                error(cur_.pos, fn + "() expects 'VAR in fact.name: condition'");
                return nullptr;
            }
            std::string var = cur_.text;
            advance();
            if (!is_kw("in")) {
                error(cur_.pos, "expected 'in' after the variable of " + fn + "()");
                return nullptr;
            }
            advance();
            if (cur_.kind != Tok::Fact) {
                error(cur_.pos, "expected a fact name (with a dot) after 'in'");
                return nullptr;
            }
            auto e = make(qop, st);
            e->fact = ctx_.names->intern(cur_.text);
            if (ctx_.fact_refs) ctx_.fact_refs->push_back({cur_.text, loc_at(cur_.pos)});
            advance();
            e->var = bind_var(var);
            if (is_sym(":")) {
                advance();
                ExprPtr body = parse_or();
                if (!body) return nullptr;
                e->kids.push_back(std::move(body));
            } else if (qop == Op::Any || qop == Op::All) {
                ctx_.scope.pop_back();
                error(cur_.pos, "expected ':' and a condition in " + fn + "()");
                return nullptr;
            }
            ctx_.scope.pop_back();
            if (!expect_sym(")")) return nullptr;
            finish(*e, prev_end_);
            return e;
        }
        if (fn == "known" || fn == "unknown") {
            if (cur_.kind != Tok::Fact) {
                error(cur_.pos, fn + "() expects a fact, e.g. " + fn + "(queue.count[\"hold\"])");
                return nullptr;
            }
            std::size_t fst = cur_.pos;
            std::string name = cur_.text;
            advance();
            ExprPtr ref = parse_fact_ref(fst, name);
            if (!ref) return nullptr;
            auto e = make(fn == "known" ? Op::Known : Op::Unknown, st);
            e->kids.push_back(std::move(ref));
            if (!expect_sym(")")) return nullptr;
            finish(*e, prev_end_);
            return e;
        }
        if (fn == "cause") {
            if (cur_.kind != Tok::String) {
                error(cur_.pos, "cause() expects a cause id in quotes");
                return nullptr;
            }
            auto e = make(Op::Cause, st);
            e->index = ctx_.cause_index ? ctx_.cause_index(cur_.text) : -1;
            if (e->index < 0) {
                error(cur_.pos, "unknown cause id '" + cur_.text + "' in cause()");
                return nullptr;
            }
            advance();
            if (!expect_sym(")")) return nullptr;
            finish(*e, prev_end_);
            return e;
        }
        if (fn == "now") {
            auto e = make(Op::Now, st);
            if (!expect_sym(")")) return nullptr;
            finish(*e, prev_end_);
            return e;
        }
        static const std::pair<const char*, Op> unary[] = {{"lower", Op::Lower}, {"len", Op::Len}, {"age", Op::Age}};
        for (auto [un, uop] : unary) {
            if (fn != un) continue;
            ExprPtr a = parse_or();
            if (!a) return nullptr;
            auto e = make(uop, st);
            e->kids.push_back(std::move(a));
            if (!expect_sym(")")) return nullptr;
            finish(*e, prev_end_);
            return e;
        }
        error(st, "unknown function '" + fn + "' (known: any, all, count, sum, max, known, unknown, cause, lower, len, age, now)");
        return nullptr;
    }

    ExprPtr parse_primary() {
        std::size_t st = cur_.pos;
        Token t = cur_;
        switch (t.kind) {
        case Tok::End:
            error(t.pos, "expected a value, found the end of the expression");
            return nullptr;
        case Tok::Error:
            error(t.pos, t.text);
            return nullptr;
        case Tok::Number: {
            auto v = parse_unit_literal(t.text);
            if (!v) {
                error(t.pos, "bad number or unit '" + t.text + "' (units: s m h d w, B KB MB GB KiB MiB GiB, %)");
                return nullptr;
            }
            advance();
            prev_end_ = t.end;
            auto e = make(Op::Lit, st);
            e->lit = *v;
            finish(*e, t.end);
            return e;
        }
        case Tok::String: {
            advance();
            prev_end_ = t.end;
            auto e = make(Op::Lit, st);
            e->lit = Value(t.text);
            finish(*e, t.end);
            return e;
        }
        case Tok::Fact: {
            advance();
            prev_end_ = t.end;
            return parse_fact_ref(st, t.text);
        }
        case Tok::Ident: {
            if (t.text == "true" || t.text == "false") {
                advance();
                prev_end_ = t.end;
                auto e = make(Op::Lit, st);
                e->lit = Value(t.text == "true");
                finish(*e, t.end);
                return e;
            }
            advance();
            prev_end_ = t.end;
            if (is_sym("(")) return parse_call(st, t.text);
            for (int i = static_cast<int>(ctx_.scope.size()) - 1; i >= 0; --i) {
                if (ctx_.scope[static_cast<std::size_t>(i)] == t.text) {
                    auto e = make(Op::Var, st);
                    e->var = i;
                    finish(*e, t.end);
                    return e;
                }
            }
            error(t.pos, "unknown name '" + t.text +
                             "' (fact names contain a dot; variables are bound by 'for:' or a quantifier)");
            return nullptr;
        }
        case Tok::Sym:
            if (t.text == "(") {
                advance();
                ExprPtr e = parse_or();
                if (!e) return nullptr;
                if (!expect_sym(")")) return nullptr;
                return e;
            }
            if (t.text == "[") {
                advance();
                auto e = make(Op::ListLit, st);
                if (!is_sym("]")) {
                    for (;;) {
                        ExprPtr k = parse_sum();
                        if (!k) return nullptr;
                        e->kids.push_back(std::move(k));
                        if (is_sym(",")) {
                            advance();
                            continue;
                        }
                        break;
                    }
                }
                if (!expect_sym("]")) return nullptr;
                finish(*e, prev_end_);
                return e;
            }
            error(t.pos, "unexpected '" + t.text + "'");
            return nullptr;
        }
        return nullptr;
    }

    const std::string& text_;
    ExprContext& ctx_;
    Lexer lex_;
    Token cur_;
    std::size_t prev_end_ = 0;
    bool failed_ = false;
    struct Depth {
        int& d;
        explicit Depth(int& x) : d(x) { ++d; }
        ~Depth() { --d; }
        Depth(const Depth&) = delete;
        Depth& operator=(const Depth&) = delete;
    };
    static constexpr int max_depth = 100;
    int depth_ = 0;
    std::vector<std::pair<const Expr*, std::size_t>> start_; // where each node's text starts
};

} // namespace

std::optional<Value> parse_unit_literal(const std::string& text) {
    std::size_t i = 0;
    while (i < text.size() && (std::isdigit(static_cast<unsigned char>(text[i])) || text[i] == '.')) ++i;
    std::string num = text.substr(0, i), unit = text.substr(i);
    if (num.empty() || std::count(num.begin(), num.end(), '.') > 1) return std::nullopt;
    char* end = nullptr;
    double x = std::strtod(num.c_str(), &end);
    if (!end || *end) return std::nullopt;
    bool is_int = num.find('.') == std::string::npos;
    // A number beyond what a 64-bit integer holds (after its unit) is refused, not wrapped.
    auto fits = [](double v) { return std::isfinite(v) && std::fabs(v) < 9.0e18; };
    if (unit.empty()) {
        if (is_int) {
            errno = 0;
            long long n = std::strtoll(num.c_str(), nullptr, 10);
            if (errno == ERANGE) return std::nullopt;
            return Value(static_cast<std::int64_t>(n));
        }
        return Value(x);
    }
    if (unit == "%") return Value(x);
    static const std::pair<const char*, double> durations[] = {{"s", 1}, {"m", 60}, {"h", 3600}, {"d", 86400}, {"w", 604800}};
    for (auto [u, mult] : durations)
        if (unit == u) return fits(x * mult) ? std::optional<Value>(Value(engine::Duration(std::llround(x * mult)))) : std::nullopt;
    static const std::pair<const char*, double> sizes[] = {{"B", 1}, {"KB", 1e3}, {"MB", 1e6}, {"GB", 1e9}, {"TB", 1e12},
                                                           {"KiB", 1024.0}, {"MiB", 1048576.0}, {"GiB", 1073741824.0}};
    for (auto [u, mult] : sizes)
        if (unit == u) return fits(x * mult) ? std::optional<Value>(Value(static_cast<std::int64_t>(std::llround(x * mult)))) : std::nullopt;
    return std::nullopt;
}

ExprPtr parse_expression(const std::string& text, ExprContext& ctx) {
    Parser p(text, ctx);
    return p.parse_all();
}

} // namespace pft::rules
