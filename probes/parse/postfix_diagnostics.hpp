// postfix_diagnostics.hpp - parses Postfix diagnostics such as postconf's stderr.
// Recognises `PROG: warning: FILE[, line N]: unused parameter: n=v` and
// `... overriding earlier entry: n=v` (Postfix 3.7 wording); other diagnostic
// lines are kept as Other. Pure: no I/O, no judgement of what a warning means.
#pragma once

#include "probes/parse/parse_warning.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pft::probes::parse {

enum class DiagnosticKind { UnusedParameter, OverridingEntry, Other };

struct PostfixDiagnostic {
    std::size_t line = 0;         // line in the text parsed
    std::string program;          // "postconf", "/usr/sbin/postconf", "" if the line had no prefix
    std::string severity;         // "warning", "fatal", "error", "panic", "" if unknown
    std::string file;             // "/etc/postfix/main.cf" when the message names one
    std::optional<long> file_line; // "FILE, line N"
    DiagnosticKind kind = DiagnosticKind::Other;
    std::string name, value;      // for UnusedParameter / OverridingEntry
    std::string message;          // the text after the file (cleaned, bounded)
};

struct PostfixDiagnostics {
    std::vector<PostfixDiagnostic> items; // one per non-empty line
    std::vector<ParseWarning> warnings;
};

PostfixDiagnostics parse_postfix_diagnostics(std::string_view text);

} // namespace pft::probes::parse
