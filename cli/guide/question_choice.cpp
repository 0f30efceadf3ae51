// question_choice.cpp - expected information gain over the candidate causes.
// Deterministic: the same knowledge, facts and answers give the same question.
#include "cli/guide/question_choice.hpp"

#include <algorithm>
#include <cmath>
#include <set>

namespace pft::cli::guide {

std::vector<double> belief_distribution(const std::vector<double>& cfs, const std::vector<int>& candidates) {
    std::vector<double> p(candidates.size(), 0.0);
    double sum = 0;
    for (std::size_t i = 0; i < candidates.size(); ++i) {
        double cf = cfs[static_cast<std::size_t>(candidates[i])];
        if (cf <= kRuledOut) continue;
        p[i] = std::exp(kSharpness * cf);
        sum += p[i];
    }
    if (sum > 0)
        for (auto& x : p) x /= sum;
    return p;
}

double entropy_bits(const std::vector<double>& p) {
    double h = 0;
    for (double x : p)
        if (x > 0) h -= x * std::log2(x);
    return h;
}

std::vector<engine::Fact> answer_facts(const rules::QuestionDef& q, const rules::AnswerDef& a, const std::string& how) {
    std::vector<engine::Fact> out;
    if (a.fact.empty() || !a.value) return out;
    out.push_back(engine::Fact::known_fact(a.fact, a.subject, *a.value, {"guide", "answer: " + q.id + " = " + a.answer, how}));
    return out;
}

std::vector<QuestionScore> score_questions(const rules::KnowledgeBase& kb, const std::vector<int>& candidates,
                                           const std::vector<double>& cfs_now, const std::vector<int>& open,
                                           const std::vector<engine::Fact>& base_extra, const Evaluate& eval) {
    const double h0 = entropy_bits(belief_distribution(cfs_now, candidates));
    std::vector<QuestionScore> out;
    for (int qi : open) {
        const auto& q = kb.questions[static_cast<std::size_t>(qi)];
        QuestionScore s;
        s.question = qi;
        s.entropy_before = h0;
        std::set<std::string> seen; // fact=value already simulated
        for (const auto& a : q.answers) {
            auto facts = answer_facts(q, a, "simulated");
            if (facts.empty()) continue;
            std::string key = a.fact + "[" + a.subject + "]=" + a.value->to_string();
            if (!seen.insert(key).second) continue;
            std::vector<engine::Fact> extra = base_extra;
            extra.insert(extra.end(), facts.begin(), facts.end());
            AnswerOutcome o;
            o.answer = a.answer;
            o.cfs = eval(extra);
            o.entropy = entropy_bits(belief_distribution(o.cfs, candidates));
            s.outcomes.push_back(std::move(o));
        }
        if (s.outcomes.empty()) continue;
        double expected = 0;
        for (auto& o : s.outcomes) {
            o.weight = 1.0 / static_cast<double>(s.outcomes.size());
            expected += o.weight * o.entropy;
        }
        s.gain = h0 - expected;
        out.push_back(std::move(s));
    }
    std::stable_sort(out.begin(), out.end(), [](const QuestionScore& a, const QuestionScore& b) {
        return a.gain > b.gain + 1e-9;
    });
    return out;
}

bool clearly_ahead(const std::vector<double>& cfs, const std::vector<int>& candidates) {
    double first = -1, second = -1;
    for (int c : candidates) {
        double cf = cfs[static_cast<std::size_t>(c)];
        if (cf > first) {
            second = first;
            first = cf;
        } else if (cf > second) {
            second = cf;
        }
    }
    second = std::max(second, 0.0); // ruled-out causes are no competition
    return first >= 0.8 && first - second >= 0.3;
}

} // namespace pft::cli::guide
