// answers_file.hpp - the scripted answers of a guided session (--answers FILE):
// YAML mapping question id -> answer ("yes", "times-out", "dont-know", "skip",
// or {paste: TEXT}), plus an optional `symptom:`. Checked against the knowledge
// base before the session starts; it never runs anything it reads.
#pragma once

#include "rules/model.hpp"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace pft::cli::guide {

struct AnswersProblem {
    std::string file;
    int line = 0, column = 0; // 1-based
    std::string message;
    std::string to_string() const; // "file:line:column: message"
};

struct ScriptedAnswer {
    std::string reply;  // the answer as written ("yes", "times-out", "dont-know", "skip")
    std::string paste;  // pasted text, for {paste: TEXT}
    int line = 0;
};

struct AnswersFile {
    std::string path;
    std::string symptom;                          // optional
    std::map<std::string, ScriptedAnswer> answers; // question id -> answer
};

inline constexpr std::size_t kMaxAnswersFile = 1024 * 1024;

// Reads and checks the file; every problem (unknown question, invalid answer,
// bad YAML) is collected. Returns nullopt when there is any.
std::optional<AnswersFile> load_answers_file(const std::string& path, const rules::KnowledgeBase& kb,
                                             std::vector<AnswersProblem>& problems);
// The same from text (for tests).
std::optional<AnswersFile> parse_answers(const std::string& label, const std::string& text,
                                         const rules::KnowledgeBase& kb, std::vector<AnswersProblem>& problems);

} // namespace pft::cli::guide
