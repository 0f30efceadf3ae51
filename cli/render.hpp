// render.hpp - reports as text (terminal), JSON (pftriage.report/1, the CLI
// contract), Markdown, HTML, and the monitoring formats. Renderers only format; they decide nothing.
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

// Markdown for a ticket; one self-contained HTML file (inline CSS and SVG, no network).
void render_markdown(const Report& r, std::ostream& out);
void render_html(const Report& r, std::ostream& out);

// Monitoring: the Nagios/Icinga status line (with -v, one line per finding after it),
// and the Prometheus text exposition format for node_exporter's textfile collector.
void render_nagios(const Report& r, std::ostream& out, bool long_output);
void render_prometheus(const Report& r, std::ostream& out);

// The renderer --format names: text, json, markdown, html, prometheus, nagios.
void render_report(const Report& r, const std::string& format, std::ostream& out, const TextStyle& style);

// Whether colours should be used on this stream (a terminal, and NO_COLOR unset).
bool use_color(int fd);

} // namespace pft::cli
