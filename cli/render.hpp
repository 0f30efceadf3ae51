// render.hpp - reports as text (terminal) and JSON (pftriage.report/1, the CLI
// contract). Renderers only format; they decide nothing.
#pragma once

#include "cli/report.hpp"

#include <nlohmann/json.hpp>

#include <ostream>

namespace pft::cli {

struct TextStyle {
    bool color = false;
    bool verbose = false;
};

void render_text(const Report& r, std::ostream& out, const TextStyle& style);
nlohmann::ordered_json report_json(const Report& r);
void render_json(const Report& r, std::ostream& out);

// Explanation of one cause (pftriage explain CAUSE).
void render_explanation_text(const Report& r, const std::string& cause_id, std::ostream& out, const TextStyle& style);

// Whether colours should be used on this stream (a terminal, and NO_COLOR unset).
bool use_color(int fd);

} // namespace pft::cli
