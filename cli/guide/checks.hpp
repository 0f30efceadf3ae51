// checks.hpp - the read-only checks the guide may run on the live host, with the
// person's consent, instead of asking them to: a fixed allow-list keyed by the
// user.* fact they answer. Argument vectors are constants; nothing from a bundle,
// the knowledge base or an answer is ever put into them. No shell.
#pragma once

#include "rules/model.hpp"

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace pft::cli::guide {

struct CheckDef {
    std::string fact;                       // user.* fact the check decides
    std::string what;                       // one line for the person
    std::vector<std::vector<std::string>> commands; // tried in order until one is found
    int timeout_s = 10;
};

struct CheckResult {
    bool ran = false;
    std::optional<bool> value; // nullopt: inconclusive
    std::string command;       // as run
    std::string output;        // bounded, cleaned excerpt
    std::string summary;       // "exited 0: 5 MX records", "timed out after 10s"
};

// The allow-list.
const std::vector<CheckDef>& allowed_checks();

// The check that can answer this question (it sets the check's fact to true and
// false in two of its answers), if any.
const CheckDef* check_for(const rules::QuestionDef& q);

// Reads a finished program's output into a fact value (pure, for tests).
struct ProgramOutcome {
    bool started = false, timed_out = false;
    int exit_code = -1;
    std::string out;
};
std::optional<bool> interpret_check(const CheckDef& c, const ProgramOutcome& r);

// Runs the check through probes/exec (argument vector, time limit, bounded output).
CheckResult run_check(const CheckDef& c);

} // namespace pft::cli::guide
