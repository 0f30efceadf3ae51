// kb_test.cpp - the knowledge base's self-tests.
#include "rules/kb_test.hpp"

#include "engine/certainty.hpp"
#include "engine/engine.hpp"
#include "engine/explain.hpp"

#include <cstdio>

namespace pft::rules {

namespace {

std::string cf_text(double cf) {
    char b[32];
    std::snprintf(b, sizeof b, "%.2f", cf);
    return b;
}

} // namespace

std::vector<KbTestResult> run_kb_tests(const KnowledgeBase& kb, engine::TimePoint now) {
    std::vector<KbTestResult> out;
    if (!kb.compiled) return out;
    for (const auto& t : kb.tests) {
        KbTestResult res;
        res.name = t.name;
        res.loc = t.loc;
        engine::Engine eng(kb.compiled, now);
        for (const auto& f : t.facts) eng.add_fact(f);
        eng.run();
        for (const auto& id : t.expect) {
            auto it = kb.cause_index.find(id);
            if (it == kb.cause_index.end()) continue;
            double cf = eng.cause_cf(it->second);
            if (cf >= engine::kConcludeThreshold) continue;
            res.passed = false;
            std::string line = "expected " + id + " but its certainty is " + cf_text(cf);
            for (const auto& w : engine::why_not(eng, it->second, 2)) {
                line += "\n      rule " + w.rule_id + (w.binding.empty() ? "" : " [" + w.binding + "]") + ": " + w.reason;
                for (const auto& u : w.unknowns)
                    line += "\n        unknown: " + u.fact + (u.subject.empty() ? "" : "[" + u.subject + "]") + " (" + u.unknown_reason + ")";
                for (const auto& e : w.evidence)
                    line += "\n        read: " + e.fact + (e.subject.empty() ? "" : "[" + e.subject + "]") + " = " + e.value;
            }
            res.failures.push_back(line);
        }
        for (const auto& id : t.expect_not) {
            auto it = kb.cause_index.find(id);
            if (it == kb.cause_index.end()) continue;
            double cf = eng.cause_cf(it->second);
            if (cf < engine::kConcludeThreshold) continue;
            res.passed = false;
            std::string line = "did not expect " + id + " but its certainty is " + cf_text(cf);
            for (const auto& d : engine::explain_cause(eng, it->second, 1)) {
                line += "\n      rule " + d.rule_id + (d.binding.empty() ? "" : " [" + d.binding + "]") + " cf " + cf_text(d.cf);
                for (const auto& e : d.evidence)
                    line += "\n        read: " + e.fact + (e.subject.empty() ? "" : "[" + e.subject + "]") + " = " +
                            (e.known ? e.value : "unknown");
            }
            res.failures.push_back(line);
        }
        out.push_back(std::move(res));
    }
    return out;
}

} // namespace pft::rules
