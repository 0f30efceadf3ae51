// model.hpp - the checked knowledge base: symptoms, causes with plans, rules,
// questions and self-tests, as loaded from knowledge/*.yaml, plus the compiled
// engine rule base. Holds no YAML types; nothing here evaluates anything.
#pragma once

#include "engine/fact.hpp"
#include "engine/rule.hpp"
#include "rules/diagnostics.hpp"

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace pft::rules {

enum class Severity3 { Info, Warning, Critical };
const char* severity_name(Severity3 s);

enum class Risk { Safe, Disruptive, Destructive };
const char* risk_name(Risk r);

enum class StepKind { Check, Fix, Verify };
const char* step_kind_name(StepKind k);

struct SymptomDef {
    std::string id;
    std::string title;
    std::vector<std::string> aliases;
    std::vector<std::string> keywords;
    std::vector<std::string> errors; // RE2 patterns for pasted error text
    Location loc;
};

// One word of a plan command: literal text and placeholders, or a shell operator.
struct CommandPart {
    bool placeholder = false;
    std::string text; // literal, or the placeholder's content ("d", "postconf.param[\"relayhost\"]")
};
struct CommandWord {
    bool op = false; // |, >, >>, <, &&, ||, ;
    std::vector<CommandPart> parts;
};

struct PlanStep {
    StepKind kind = StepKind::Check;
    std::string run;                 // as written
    std::vector<CommandWord> words;  // parsed
    Risk risk = Risk::Safe;
    std::string why;
    Location loc;
};

struct CauseDef {
    std::string id;
    std::string title;
    Severity3 severity = Severity3::Warning;
    std::vector<std::string> symptoms;
    std::string explain;
    std::string doc;
    std::vector<PlanStep> plan;
    Location loc;
};

struct RuleDef {
    std::string id;
    std::string for_var, for_fact;
    std::string when;
    Location loc, when_loc, for_loc;
    std::string conclude;
    std::string assert_fact, assert_subject, assert_value;
    Location assert_loc;
    double cf = 1.0;
    int salience = 0;
    std::string because;
};

struct AnswerDef {
    std::string answer;  // "yes", "no", "dont-know", a choice key, or "text"
    std::string fact;    // user.* fact it sets
    std::string subject;
    std::optional<engine::Value> value;
    std::string label;
};

struct QuestionDef {
    std::string id;
    std::string text;
    std::string help; // how a person finds the answer (a command to run elsewhere...)
    std::vector<std::string> causes;
    std::vector<AnswerDef> answers;
    Location loc;
};

struct TestDef {
    std::string name;
    std::vector<engine::Fact> facts;
    std::vector<std::string> expect, expect_not;
    std::string symptom;
    Location loc;
};

struct KnowledgeBase {
    std::vector<SymptomDef> symptoms;
    std::vector<CauseDef> causes;
    std::vector<RuleDef> rules;
    std::vector<QuestionDef> questions;
    std::vector<TestDef> tests;
    // False when the self-tests directory (knowledge/tests/) was not read, as in a triage:
    // then `tests` holds only tests written in other files, and lint does not count them.
    bool tests_loaded = true;
    std::vector<std::string> files;
    // Ids the catalog requires (knowledge/catalog.yaml, key 'required').
    std::vector<std::string> required_symptoms, required_causes;
    Location required_loc;
    std::shared_ptr<engine::RuleBase> compiled;
    std::map<std::string, int> cause_index;
    std::map<std::string, int> symptom_index;

    const CauseDef* cause(const std::string& id) const;
    const SymptomDef* symptom(const std::string& id) const;
};

} // namespace pft::rules
