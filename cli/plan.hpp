// plan.hpp - filling a cause's plan with the host's real values. Every value is
// shell-quoted when printed, so a hostile queue id or domain from a log cannot
// break out of its word; nothing here ever runs a command.
#pragma once

#include "cli/report.hpp"
#include "engine/engine.hpp"
#include "rules/model.hpp"

#include <string>
#include <vector>

namespace pft::cli {

// POSIX shell quoting: safe words stay bare, anything else is single-quoted.
std::string shell_quote(const std::string& word);

std::vector<PlanLine> render_plan(const rules::CauseDef& cause, int cause_index, const engine::Engine& eng,
                                  std::vector<std::string>* notes);

} // namespace pft::cli
