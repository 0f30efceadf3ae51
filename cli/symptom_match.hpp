// symptom_match.hpp - free words ("mail stuck", "relay acess denied", a pasted
// "554 5.7.1 ... Relay access denied") onto a catalog symptom id, with how sure
// the match is. Never guesses silently: below the threshold it returns no id.
#pragma once

#include "rules/model.hpp"

#include <string>
#include <vector>

namespace pft::cli {

struct SymptomCandidate {
    std::string id;
    double score = 0; // 0..1
    std::string how;  // "exact id", "alias", "error text", "words: stuck, queue"
};

struct SymptomMatch {
    std::string input;
    std::string id;       // empty when nothing matched well enough
    double confidence = 0;
    std::string how;
    std::vector<SymptomCandidate> ranked; // all candidates, best first
};

inline constexpr double kSymptomThreshold = 0.45;

SymptomMatch match_symptom(const std::string& input, const rules::KnowledgeBase& kb);

// Helpers, exposed for tests.
std::string stem_word(const std::string& w);
int edit_distance(const std::string& a, const std::string& b); // Damerau-Levenshtein (optimal string alignment)

} // namespace pft::cli
