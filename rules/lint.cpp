// lint.cpp - `pftriage kb lint`.
#include "rules/lint.hpp"

#include <map>
#include <set>

namespace pft::rules {

namespace {

Location rule_loc(const engine::CompiledRule& r) { return Location{r.file, r.line, 0}; }

bool is_user_fact(const std::string& n) { return n.rfind("user.", 0) == 0; }

// Literal subjects of NAME["subject"] references in an expression tree.
void literal_subjects(const engine::Expr* e, engine::SymId name, std::set<std::string>& out) {
    if (!e) return;
    if (e->op == engine::Op::FactRef && e->fact == name && !e->kids.empty() && e->kids[0] &&
        e->kids[0]->op == engine::Op::Lit)
        if (const auto* str = e->kids[0]->lit.get_if<std::string>()) out.insert(*str);
    for (const auto& k : e->kids) literal_subjects(k.get(), name, out);
}

} // namespace

std::vector<std::string> rules_fed_by(const KnowledgeBase& kb, const SignatureUse& sig) {
    std::vector<std::string> out;
    if (!kb.compiled) return out;
    const auto& rb = *kb.compiled;
    std::set<std::string> facts(sig.facts.begin(), sig.facts.end());
    for (const auto& r : rb.rules) {
        bool fed = false;
        for (auto n : r.reads) {
            const std::string& name = rb.names.str(n);
            if (facts.count(name)) fed = true;
            if (!fed && (name == "log.signature.count" || name == "log.signature.last")) {
                std::set<std::string> subjects;
                literal_subjects(r.when.get(), n, subjects);
                literal_subjects(r.assert_value.get(), n, subjects);
                if (subjects.count(sig.id)) fed = true;
            }
            if (fed) break;
        }
        if (fed) out.push_back(r.id);
    }
    return out;
}

void lint_signatures(const KnowledgeBase& kb, const FactCatalog& cat, const std::vector<SignatureUse>& sigs,
                     Diagnostics& diags) {
    for (const auto& s : sigs) {
        Location loc{s.file, s.line, 0};
        for (const auto& f : s.facts)
            if (!cat.find(f)) diags.error(loc, "signature '" + s.id + "' sets fact '" + f + "', which is not in the fact catalog");
        auto fed = rules_fed_by(kb, s);
        if (fed.empty() && s.informational.empty())
            diags.warning(loc, "signature '" + s.id + "' feeds no rule (no rule reads its facts or its log.signature.count) "
                               "and is not marked informational");
        if (!fed.empty() && !s.informational.empty())
            diags.warning(loc, "signature '" + s.id + "' is marked informational but feeds rule '" + fed.front() + "'");
    }
}

std::vector<std::string> facts_read_by_rules(const KnowledgeBase& kb) {
    std::set<std::string> out;
    if (!kb.compiled) return {};
    for (const auto& r : kb.compiled->rules)
        for (auto n : r.reads) out.insert(kb.compiled->names.str(n));
    return {out.begin(), out.end()};
}

void lint(const KnowledgeBase& kb, const FactCatalog& cat, Diagnostics& diags) {
    if (!kb.compiled) return;
    const auto& rb = *kb.compiled;
    std::set<std::string> derived;
    for (auto n : rb.derived_names) derived.insert(rb.names.str(n));
    std::set<std::string> answered;
    for (const auto& q : kb.questions)
        for (const auto& a : q.answers) answered.insert(a.fact);

    // Derived facts must not shadow observed ones.
    for (const auto& r : rb.rules)
        if (r.action == engine::Action::Assert && cat.find(rb.names.str(r.assert_name)))
            diags.error(rule_loc(r), "rule '" + r.id + "' asserts '" + rb.names.str(r.assert_name) +
                                         "', which is an observed fact in the catalog; derived facts need their own names");

    // Unknown facts: a rule that reads a fact nobody produces can never use it.
    for (const auto& r : rb.rules) {
        for (auto nid : r.reads) {
            const std::string& n = rb.names.str(nid);
            if (cat.find(n) || derived.count(n)) continue;
            if (is_user_fact(n)) {
                if (!answered.count(n))
                    diags.warning(rule_loc(r), "rule '" + r.id + "' reads '" + n + "', which no question's answer sets");
                continue;
            }
            diags.error(rule_loc(r), "rule '" + r.id + "' reads unknown fact '" + n +
                                         "' (not in the fact catalog, not derived by any rule)");
        }
        if (r.for_fact != engine::kNoSym) {
            const std::string& n = rb.names.str(r.for_fact);
            if (!cat.find(n) && !derived.count(n) && !is_user_fact(n))
                diags.error(rule_loc(r), "rule '" + r.id + "' can never fire: nothing produces its 'for' fact '" + n + "'");
        }
        if (r.when && r.when->op == engine::Op::Lit && !r.when->lit.truthy())
            diags.warning(rule_loc(r), "rule '" + r.id + "' can never fire: its condition is always false");
    }

    // Causes: rules, plans, symptoms.
    std::map<int, int> positive_rules;
    for (const auto& r : rb.rules)
        if (r.action == engine::Action::Conclude && r.cf > 0) ++positive_rules[r.cause];
    for (std::size_t i = 0; i < kb.causes.size(); ++i) {
        const auto& c = kb.causes[i];
        if (!positive_rules.count(static_cast<int>(i)))
            diags.error(c.loc, "cause '" + c.id + "' has no rule that concludes it");
        if (c.plan.empty()) diags.error(c.loc, "cause '" + c.id + "' has no plan");
        if (c.symptoms.empty()) diags.warning(c.loc, "cause '" + c.id + "' lists no symptoms");
        if (c.doc.empty()) diags.warning(c.loc, "cause '" + c.id + "' has no 'doc' link");
        bool has_check = false, safer_fix_before = false;
        for (const auto& st : c.plan) {
            if (st.kind == StepKind::Check) {
                has_check = true;
                if (st.risk != Risk::Safe)
                    diags.error(st.loc, "a check step must be read-only (risk: safe) in cause '" + c.id + "'");
            }
            if (st.kind == StepKind::Fix && st.risk != Risk::Destructive) safer_fix_before = true;
            if (st.risk == Risk::Destructive && !safer_fix_before)
                diags.error(st.loc, "destructive step in cause '" + c.id + "' comes before any safer fix");
            // Placeholders: a variable of every concluding rule, or a known fact.
            for (const auto& w : st.words)
                for (const auto& p : w.parts) {
                    if (!p.placeholder) continue;
                    std::string base = p.text.substr(0, p.text.find('['));
                    if (base.find('.') != std::string::npos) {
                        if (!cat.find(base) && !derived.count(base) && !is_user_fact(base))
                            diags.error(st.loc, "placeholder {" + p.text + "} names unknown fact '" + base + "'");
                        continue;
                    }
                    bool bound = false;
                    for (const auto& r : rb.rules)
                        if (r.action == engine::Action::Conclude && r.cause == static_cast<int>(i) && r.for_var_name == base)
                            bound = true;
                    if (!bound)
                        diags.error(st.loc, "placeholder {" + p.text + "} is not a variable of any rule concluding '" + c.id + "'");
                }
        }
        if (!c.plan.empty() && !has_check) diags.warning(c.loc, "cause '" + c.id + "' has no check step");
    }

    // Questions and tests name real causes.
    for (const auto& q : kb.questions)
        for (const auto& c : q.causes)
            if (!kb.cause_index.count(c)) diags.error(q.loc, "question '" + q.id + "' names unknown cause '" + c + "'");
    for (const auto& t : kb.tests) {
        for (const auto& c : t.expect)
            if (!kb.cause_index.count(c)) diags.error(t.loc, "test '" + t.name + "' expects unknown cause '" + c + "'");
        for (const auto& c : t.expect_not)
            if (!kb.cause_index.count(c)) diags.error(t.loc, "test '" + t.name + "' names unknown cause '" + c + "'");
        for (const auto& f : t.facts)
            if (!cat.find(f.name) && !is_user_fact(f.name))
                diags.error(t.loc, "test '" + t.name + "' sets unknown fact '" + f.name + "'");
    }

    // Catalog coverage.
    for (const auto& s : kb.required_symptoms)
        if (!kb.symptom_index.count(s)) diags.warning(kb.required_loc, "catalog symptom '" + s + "' is missing");
    for (const auto& c : kb.required_causes)
        if (!kb.cause_index.count(c)) diags.warning(kb.required_loc, "catalog cause '" + c + "' is missing");
    if (!kb.tests_loaded) return; // the self-tests were not read: nothing to count
    std::map<std::string, int> tests_for;
    for (const auto& t : kb.tests)
        for (const auto& c : t.expect) ++tests_for[c];
    std::map<std::string, int> near_miss;
    for (const auto& t : kb.tests)
        for (const auto& c : t.expect_not) ++near_miss[c];
    for (const auto& c : kb.causes) {
        if (!tests_for.count(c.id)) diags.warning(c.loc, "cause '" + c.id + "' has no test that concludes it");
        if (!near_miss.count(c.id)) diags.warning(c.loc, "cause '" + c.id + "' has no near-miss test (expect_not)");
    }
}

} // namespace pft::rules
