// session.hpp - the state of a guided diagnosis: the symptom, the facts the
// probes gathered, and the person's answers so far; what the engine concludes
// from them, which question comes next and why. No terminal and no I/O here
// (see driver.hpp), so every step can be tested with plain values.
#pragma once

#include "cli/guide/question_choice.hpp"
#include "cli/report.hpp"
#include "cli/triage.hpp"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace pft::cli::guide {

enum class StepKind { Answer, DontKnow, Skip, Pasted };
const char* step_kind_name(StepKind k);

// One thing the person did, in order. `back` removes the last one.
struct Step {
    StepKind kind = StepKind::Answer;
    std::string question;   // question id ("" for text pasted outside a question)
    std::string answer;     // answer key, for StepKind::Answer
    std::string text;       // pasted text (bounded), for StepKind::Pasted
    std::string by;         // "person", "answers file", "check: dig +short MX gmail.com"
    std::vector<engine::Fact> facts;   // what it added
    std::vector<std::string> matched;  // signatures the pasted text matched
    double gain = 0;        // expected bits when the question was chosen (0 if not chosen)
    std::vector<std::pair<std::string, double>> after; // top candidates once it was taken into account
};

// What a person typed at a prompt, once read against the current question.
struct Reply {
    enum Kind { Answer, DontKnow, Skip, Back, Why, Quit, Help, Run, Text, Empty, Invalid };
    Kind kind = Invalid;
    std::string answer; // the answer key, for Answer
    std::string text;   // for Text
};
// `q` may be null (a prompt with no question, where only commands and text apply).
Reply parse_reply(const rules::QuestionDef* q, const std::string& line);
// "yes / no / don't know" or "1 connects, 2 refused, 3 times-out / don't know".
std::string accepted_answers(const rules::QuestionDef& q);

struct RankedCause {
    int index = -1;
    std::string id, title;
    double cf = 0;
    bool ruled_out = false;
};

class Session {
public:
    Session(const Knowledge& k, SymptomMatch symptom, GatheredFacts gathered, engine::TimePoint now);

    const Knowledge& knowledge() const { return k_; }
    const SymptomMatch& symptom() const { return symptom_; }
    const GatheredFacts& gathered() const { return gathered_; }
    engine::TimePoint now() const { return now_; }

    const std::vector<int>& candidates() const { return candidates_; }
    const std::vector<double>& cfs() const { return cfs_; }
    // Candidates best first (ruled-out ones last).
    std::vector<RankedCause> ranking() const;
    bool clearly_ahead() const { return guide::clearly_ahead(cfs_, candidates_); }
    double entropy() const { return entropy_bits(belief_distribution(cfs_, candidates_)); }

    const rules::QuestionDef* question(const std::string& id) const;
    // Questions not answered or skipped, whose facts are not known, that name a live candidate.
    std::vector<int> open_questions() const;
    // All open questions scored, best first (runs the engine once per distinct answer).
    std::vector<QuestionScore> scores() const;
    // The best question, when it is expected to remove at least kMinGain bits.
    std::optional<QuestionScore> next_question() const;

    // Record a step. Return false (and change nothing) when it does not apply:
    // an unknown question or answer key, or pasted text that matched nothing.
    bool answer(const std::string& qid, const std::string& key, const std::string& by, double gain = 0);
    bool dont_know(const std::string& qid, const std::string& by, double gain = 0);
    bool skip(const std::string& qid, const std::string& by, double gain = 0);
    bool paste(const std::string& qid, const std::string& text, const std::string& by);
    bool back();
    const std::vector<Step>& steps() const { return steps_; }
    std::size_t questions_answered() const; // steps about a question (answers, don't know, skip)

    // Why this question: which causes it separates and how each answer moves them.
    std::string why(const QuestionScore& s) const;

    // Certainties of all causes with the base facts plus `extra` (merged as steps are).
    std::vector<double> evaluate(const std::vector<engine::Fact>& extra) const;
    // Every fact the answers and pasted text added, merged.
    std::vector<engine::Fact> extra_facts() const;
    // The full report for the current state (base facts + answers).
    Report report() const;

private:
    void recompute();
    void record(Step s); // appends, recomputes, notes the top candidates
    std::vector<engine::Fact> merged(const std::vector<engine::Fact>& extra) const;
    bool closed(const rules::QuestionDef& q) const;

    const Knowledge& k_;
    SymptomMatch symptom_;
    GatheredFacts gathered_;
    engine::TimePoint now_;
    std::map<std::pair<std::string, std::string>, std::size_t> base_index_;
    std::vector<int> candidates_;
    std::vector<double> cfs_;
    std::vector<Step> steps_;
};

std::string percent(double cf); // "85%", "ruled out"

} // namespace pft::cli::guide
