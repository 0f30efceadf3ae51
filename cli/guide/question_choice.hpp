// question_choice.hpp - which question to ask next: the one whose answer is
// expected to remove the most uncertainty (entropy, in bits) about the candidate
// causes. Pure arithmetic over an evaluation callback; it does no I/O and knows
// nothing of terminals, and it never runs the engine itself.
#pragma once

#include "engine/fact.hpp"
#include "rules/model.hpp"

#include <functional>
#include <string>
#include <vector>

namespace pft::cli::guide {

// A cause at or below this certainty is ruled out and drops from the distribution.
inline constexpr double kRuledOut = -0.2;
// Softmax sharpness: certainty 0.9 weighs e^2.7 ~ 15 times an untouched cause.
inline constexpr double kSharpness = 3.0;
// A question must be expected to remove at least this many bits to be asked.
inline constexpr double kMinGain = 0.02;

// Certainties (-1..1, one per cause of the knowledge base) of the candidate causes
// turned into a probability distribution (parallel to `candidates`).
std::vector<double> belief_distribution(const std::vector<double>& cfs, const std::vector<int>& candidates);
double entropy_bits(const std::vector<double>& p);

// The certainties of every cause after the engine ran with these extra facts.
using Evaluate = std::function<std::vector<double>(const std::vector<engine::Fact>& extra)>;

struct AnswerOutcome {
    std::string answer;             // the answer key ("yes", "times-out")
    double weight = 0;              // its prior probability
    double entropy = 0;             // bits left after it
    std::vector<double> cfs;        // certainties of all causes after it
};

struct QuestionScore {
    int question = -1;              // index into kb.questions
    double gain = 0;                // expected bits removed
    double entropy_before = 0;
    std::vector<AnswerOutcome> outcomes;
};

// The answer facts of one answer, as engine facts (provenance: the question).
std::vector<engine::Fact> answer_facts(const rules::QuestionDef& q, const rules::AnswerDef& a, const std::string& how);

// Scores every question in `open` (indices into kb.questions) with the facts that
// are already decided (`base_extra`: earlier answers, pasted text). Answers are
// weighted equally; answers that set the same fact to the same value count once.
// Best first; ties keep the knowledge base's order.
std::vector<QuestionScore> score_questions(const rules::KnowledgeBase& kb, const std::vector<int>& candidates,
                                           const std::vector<double>& cfs_now, const std::vector<int>& open,
                                           const std::vector<engine::Fact>& base_extra, const Evaluate& eval);

// Whether one candidate is clearly ahead: certainty >= 0.8 and >= 0.3 above the next.
bool clearly_ahead(const std::vector<double>& cfs, const std::vector<int>& candidates);

} // namespace pft::cli::guide
