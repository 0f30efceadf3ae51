// postfix_status.hpp - parses `postfix status 2>&1; echo "exit=$?"` output.
// Decides running / not running / undecided from the postfix-script message and
// the exit code. Pure: it never looks at processes or pid files itself.
#pragma once

#include "probes/parse/parse_warning.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pft::probes::parse {

struct PostfixStatus {
    std::optional<int> exit_code;            // from the `exit=N` line
    std::optional<bool> running;             // nullopt: the output does not tell
    std::optional<std::int64_t> master_pid;  // from "... is running: PID: 1234"
    std::string evidence;                    // the line that decided (cleaned)
    std::size_t evidence_line = 0;
    std::string undecided_reason;            // why running is nullopt
    std::vector<ParseWarning> warnings;
};

PostfixStatus parse_postfix_status(std::string_view text);

} // namespace pft::probes::parse
