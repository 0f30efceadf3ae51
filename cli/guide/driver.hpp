// driver.hpp - the conversation of a guided session over abstract input: a person
// at a terminal, lines on standard input, or an answers file all go through the
// same loop. It prints to the stream it is given; it opens no terminal itself.
#pragma once

#include "cli/guide/answers_file.hpp"
#include "cli/guide/session.hpp"
#include "cli/render.hpp"

#include <istream>
#include <optional>
#include <ostream>
#include <string>

namespace pft::cli::guide {

struct InputLine {
    std::string text;
    bool paste = false; // the text is pasted evidence, whatever it looks like
};

class Input {
public:
    virtual ~Input() = default;
    // The reply to a prompt (q is null at the symptom menu); nullopt when input ended.
    virtual std::optional<InputLine> next(const rules::QuestionDef* q) = 0;
    virtual std::string who() const = 0; // recorded in the transcript: "person", "answers file a.yaml"
    virtual bool echo() const = 0;       // print the reply (input is not typed on a terminal)
    virtual bool interactive() const { return false; }
};

// Lines from a stream (a terminal, or a pipe). "paste" starts a multi-line paste
// that ends at an empty line.
class StreamInput : public Input {
public:
    StreamInput(std::istream& in, std::string who, bool terminal) : in_(in), who_(std::move(who)), terminal_(terminal) {}
    std::optional<InputLine> next(const rules::QuestionDef* q) override;
    std::string who() const override { return who_; }
    bool echo() const override { return !terminal_; }
    bool interactive() const override { return terminal_; }

private:
    std::istream& in_;
    std::string who_;
    bool terminal_;
};

// Replies from an answers file; a question it does not answer is skipped.
class ScriptInput : public Input {
public:
    explicit ScriptInput(AnswersFile af) : af_(std::move(af)) {}
    std::optional<InputLine> next(const rules::QuestionDef* q) override;
    std::string who() const override { return "answers file " + af_.path; }
    bool echo() const override { return true; }

private:
    AnswersFile af_;
    bool symptom_given_ = false;
};

struct DriverOptions {
    bool live = false;         // checks can only run on the live host
    bool allow_checks = false; // --allow-checks: run allow-listed checks without asking
    bool color = false;
    std::size_t max_questions = 40;
};

struct DriverResult {
    std::string ended_because;
    bool quit = false;
    std::size_t asked = 0; // questions put to the input
};

// The symptom menu: numbers or free words; nullopt when input ended or on quit.
std::optional<SymptomMatch> choose_symptom(const Knowledge& k, Input& in, std::ostream& out);

void print_top(const Session& s, std::ostream& out, std::size_t n, bool color);

// Asks until one cause is clearly ahead, no useful question is left, or quit / end of input.
DriverResult run_questions(Session& s, Input& in, std::ostream& out, const DriverOptions& o);

} // namespace pft::cli::guide
