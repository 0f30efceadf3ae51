// kb_test.hpp - `pftriage kb test`: runs each knowledge-base test's example facts
// through the engine and checks which causes are (not) concluded.
#pragma once

#include "rules/model.hpp"

#include <string>
#include <vector>

namespace pft::rules {

struct KbTestResult {
    std::string name;
    Location loc;
    bool passed = true;
    std::vector<std::string> failures; // one line each, naming the rule and facts involved
};

std::vector<KbTestResult> run_kb_tests(const KnowledgeBase& kb, engine::TimePoint now);

} // namespace pft::rules
