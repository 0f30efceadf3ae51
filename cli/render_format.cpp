// render_format.cpp - picks the renderer named by --format. It holds no formatting
// of its own; the list of names here and in app.cpp's --format check must agree.
#include "cli/render.hpp"

namespace pft::cli {

void render_report(const Report& r, const std::string& format, std::ostream& out, const TextStyle& style) {
    if (format == "json") render_json(r, out);
    else if (format == "markdown") render_markdown(r, out);
    else if (format == "html") render_html(r, out);
    else if (format == "prometheus") render_prometheus(r, out);
    else if (format == "nagios") render_nagios(r, out, style.verbose);
    else render_text(r, out, style);
}

} // namespace pft::cli
