// postfix_status.cpp - postfix-script's status message plus the `exit=N` line.
// postfix-script exits 1 only when the master is not running, so `exit=1` without
// a fatal message is read as "not running" even when the message itself is
// missing (postfix logs only to syslog when its stderr is not a terminal).
#include "probes/parse/postfix_status.hpp"

#include "engine/fact.hpp"
#include "probes/parse/line_cursor.hpp"

namespace pft::probes::parse {

PostfixStatus parse_postfix_status(std::string_view text) {
    PostfixStatus st;
    std::optional<bool> said;
    std::string said_line, fatal_line, exit_line;
    std::size_t said_no = 0, fatal_no = 0, exit_no = 0;
    LineCursor cur(text);
    Line l;
    while (cur.next(l)) {
        std::string_view t = trim(l.text);
        if (t.empty()) continue;
        if (t.substr(0, 5) == "exit=") {
            auto n = to_int(t.substr(5));
            if (!n || *n < 0 || *n > 255) {
                st.warnings.push_back({l.number, "bad exit status: " + engine::printable(t, 40)});
                continue;
            }
            st.exit_code = static_cast<int>(*n);
            exit_line = std::string(t);
            exit_no = l.number;
            continue;
        }
        constexpr std::string_view running = "the Postfix mail system is running";
        constexpr std::string_view not_running = "the Postfix mail system is not running";
        if (t.find(not_running) != std::string_view::npos) {
            said = false;
            said_line = engine::printable(t, 200);
            said_no = l.number;
        } else if (auto p = t.find(running); p != std::string_view::npos) {
            said = true;
            said_line = engine::printable(t, 200);
            said_no = l.number;
            auto pid = t.find("PID:", p);
            if (pid != std::string_view::npos) {
                auto v = to_int(trim(t.substr(pid + 4)));
                if (v && *v > 0) st.master_pid = *v;
                else st.warnings.push_back({l.number, "bad PID in: " + engine::printable(t, 100)});
            }
        } else if (t.find(": fatal: ") != std::string_view::npos && fatal_line.empty()) {
            fatal_line = engine::printable(t, 200);
            fatal_no = l.number;
        }
    }
    if (said) {
        st.running = said;
        st.evidence = said_line;
        st.evidence_line = said_no;
        if (st.exit_code && (*st.exit_code == 0) != *said)
            st.warnings.push_back({exit_no, "exit status " + std::to_string(*st.exit_code) +
                                                " disagrees with the message on line " + std::to_string(said_no)});
        return st;
    }
    if (!fatal_line.empty()) {
        st.undecided_reason = "postfix status failed: " + fatal_line;
        st.evidence = fatal_line;
        st.evidence_line = fatal_no;
        return st;
    }
    if (st.exit_code) {
        st.evidence = exit_line;
        st.evidence_line = exit_no;
        if (*st.exit_code == 0) st.running = true;
        else if (*st.exit_code == 1) st.running = false;
        else st.undecided_reason = "postfix status exited " + std::to_string(*st.exit_code) + " without a message";
        return st;
    }
    st.undecided_reason = "no status message and no exit=N line";
    st.warnings.push_back({0, st.undecided_reason});
    return st;
}

} // namespace pft::probes::parse
