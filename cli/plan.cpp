// plan.cpp - placeholder substitution for plan steps.
#include "cli/plan.hpp"

#include <algorithm>
#include <cstring>
#include <map>
#include <set>

namespace pft::cli {

std::string shell_quote(const std::string& w) {
    if (w.empty()) return "''";
    bool safe = true;
    for (char ch : w) {
        unsigned char c = static_cast<unsigned char>(ch);
        if (!(std::isalnum(c) || std::strchr("_./:=@%+,-", ch))) {
            safe = false;
            break;
        }
    }
    if (safe) return w;
    std::string out = "'";
    for (char c : w) {
        if (c == '\'') out += "'\\''";
        else out += c;
    }
    return out + "'";
}

namespace {

struct Placeholder {
    std::string name;    // fact name, or variable
    bool is_fact = false;
    enum { None, Star, Literal, Var } sub = None;
    std::string subject; // literal subject or variable name
};

Placeholder parse_placeholder(const std::string& t) {
    Placeholder p;
    auto lb = t.find('[');
    p.name = t.substr(0, lb);
    p.is_fact = p.name.find('.') != std::string::npos;
    if (lb != std::string::npos) {
        std::string inner = t.substr(lb + 1, t.size() - lb - 2);
        if (inner == "*") p.sub = Placeholder::Star;
        else if (inner.size() >= 2 && (inner[0] == '"' || inner[0] == '\'')) {
            p.sub = Placeholder::Literal;
            p.subject = inner.substr(1, inner.size() - 2);
        } else {
            p.sub = Placeholder::Var;
            p.subject = inner;
        }
    }
    return p;
}

// The values of a placeholder; empty when it has none. `vars` binds variables.
std::vector<std::string> values_of(const Placeholder& p, const engine::Engine& eng,
                                   const std::map<std::string, std::string>& vars) {
    const auto& wm = eng.memory();
    if (!p.is_fact) {
        auto it = vars.find(p.name);
        if (it == vars.end()) return {};
        return {it->second};
    }
    engine::SymId n = wm.names().find(p.name);
    if (n == engine::kNoSym) return {};
    if (p.sub == Placeholder::Star) {
        std::vector<std::string> out;
        for (auto idx : wm.with_name(n)) {
            const auto& f = wm.at(idx);
            if (f.fact.known() && f.fact.value->truthy()) out.push_back(wm.subjects().str(f.subject));
        }
        return out;
    }
    std::string subj;
    if (p.sub == Placeholder::Literal) subj = p.subject;
    if (p.sub == Placeholder::Var) {
        auto it = vars.find(p.subject);
        if (it == vars.end()) return {};
        subj = it->second;
    }
    engine::SymId s = wm.subjects().find(subj);
    if (s == engine::kNoSym) return {};
    const auto* f = wm.find(n, s);
    if (!f || !f->fact.known()) return {};
    return {f->fact.value->to_string()};
}

// Fills {placeholders} in free text (a step's "why"), shell-quoting each value
// since such text usually shows a command; an unknown value stays visible as such.
std::string fill_text(const std::string& text, const engine::Engine& eng, const std::map<std::string, std::string>& env) {
    std::string out;
    std::size_t i = 0;
    while (i < text.size()) {
        std::size_t open = text.find('{', i);
        if (open == std::string::npos) break;
        std::size_t close = text.find('}', open);
        if (close == std::string::npos) break;
        out += text.substr(i, open - i);
        auto vals = values_of(parse_placeholder(text.substr(open + 1, close - open - 1)), eng, env);
        if (vals.empty()) {
            out += "(unknown)";
        } else {
            for (std::size_t k = 0; k < vals.size(); ++k) {
                if (k) out += ' ';
                out += shell_quote(vals[k]);
            }
        }
        i = close + 1;
    }
    out += text.substr(i);
    return out;
}

} // namespace

std::vector<PlanLine> render_plan(const rules::CauseDef& cause, int cause_index, const engine::Engine& eng,
                                  std::vector<std::string>* notes) {
    // Bindings of the concluding rules, by variable name, in firing order.
    std::map<std::string, std::vector<std::string>> bound;
    const auto& rb = eng.rules();
    for (auto s : eng.cause_supports(cause_index)) {
        const auto& sp = eng.support(s);
        if (sp.cf <= 0) continue;
        const auto& r = rb.rules[static_cast<std::size_t>(sp.rule)];
        if (r.for_var_name.empty()) continue;
        auto& v = bound[r.for_var_name];
        std::string val = eng.memory().subjects().str(sp.binding);
        if (std::find(v.begin(), v.end(), val) == v.end()) v.push_back(val);
    }
    constexpr std::size_t kMaxRepeats = 10;
    std::vector<PlanLine> out;
    for (const auto& st : cause.plan) {
        // Which variable (if any) does this step repeat over?
        std::string var;
        for (const auto& w : st.words)
            for (const auto& p : w.parts)
                if (p.placeholder) {
                    Placeholder ph = parse_placeholder(p.text);
                    if (!ph.is_fact) var = ph.name;
                    else if (ph.sub == Placeholder::Var) var = ph.subject;
                }
        std::vector<std::map<std::string, std::string>> envs;
        if (var.empty()) {
            envs.push_back({});
        } else {
            auto it = bound.find(var);
            if (it == bound.end() || it->second.empty()) {
                if (notes) notes->push_back("left out \"" + st.run + "\": no value for {" + var + "}");
                continue;
            }
            for (std::size_t i = 0; i < it->second.size() && i < kMaxRepeats; ++i) envs.push_back({{var, it->second[i]}});
            if (it->second.size() > kMaxRepeats && notes)
                notes->push_back("\"" + st.run + "\" shown for the first " + std::to_string(kMaxRepeats) + " of " +
                                 std::to_string(it->second.size()) + " values of {" + var + "}");
        }
        for (const auto& env : envs) {
            PlanLine line;
            line.kind = rules::step_kind_name(st.kind);
            line.risk = rules::risk_name(st.risk);
            line.why = fill_text(st.why, eng, env);
            bool missing = false, has_op = false;
            std::string missing_name;
            std::vector<std::string> printed;
            for (const auto& w : st.words) {
                if (w.op) {
                    has_op = true;
                    printed.push_back(w.parts[0].text);
                    continue;
                }
                // A word made of one star placeholder expands to several words.
                if (w.parts.size() == 1 && w.parts[0].placeholder) {
                    Placeholder ph = parse_placeholder(w.parts[0].text);
                    auto vals = values_of(ph, eng, env);
                    if (vals.empty()) {
                        missing = true;
                        missing_name = w.parts[0].text;
                        break;
                    }
                    if (ph.sub == Placeholder::Star) {
                        for (const auto& v : vals) {
                            line.argv.push_back(v);
                            printed.push_back(shell_quote(v));
                        }
                        continue;
                    }
                    line.argv.push_back(vals[0]);
                    printed.push_back(shell_quote(vals[0]));
                    continue;
                }
                std::string word;
                for (const auto& p : w.parts) {
                    if (!p.placeholder) {
                        word += p.text;
                        continue;
                    }
                    auto vals = values_of(parse_placeholder(p.text), eng, env);
                    if (vals.empty()) {
                        missing = true;
                        missing_name = p.text;
                        break;
                    }
                    word += vals[0];
                }
                if (missing) break;
                line.argv.push_back(word);
                printed.push_back(shell_quote(word));
            }
            if (missing) {
                if (notes) notes->push_back("left out \"" + st.run + "\": no value for {" + missing_name + "}");
                continue;
            }
            for (std::size_t i = 0; i < printed.size(); ++i) line.command += (i ? " " : "") + printed[i];
            if (has_op) line.argv.clear();
            out.push_back(std::move(line));
        }
    }
    return out;
}

} // namespace pft::cli
