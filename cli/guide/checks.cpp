// checks.cpp - the allow-list of read-only checks and how their output is read.
// Nothing here changes the host: lookups, a ping, and one SMTP greeting.
#include "cli/guide/checks.hpp"

#include "engine/fact.hpp"
#include "probes/exec.hpp"

#include <algorithm>

namespace pft::cli::guide {

const std::vector<CheckDef>& allowed_checks() {
    static const std::vector<CheckDef> v = {
        {"user.dns_lookup_works", "looks up the mail servers of gmail.com with the system resolver",
         {{"dig", "+time=3", "+tries=1", "+noall", "+comments", "+answer", "MX", "gmail.com"},
          {"host", "-W", "3", "-t", "MX", "gmail.com"}},
         10},
        {"user.internet_works", "pings 1.1.1.1 twice",
         {{"ping", "-n", "-c", "2", "-W", "3", "1.1.1.1"}}, 10},
        {"user.port25_outbound_works", "opens an SMTP connection to port 25 of Gmail's mail server and reads its greeting",
         {{"posttls-finger", "-l", "none", "-t", "10", "[gmail-smtp-in.l.google.com]:25"}}, 20},
    };
    return v;
}

const CheckDef* check_for(const rules::QuestionDef& q) {
    for (const auto& c : allowed_checks()) {
        bool t = false, f = false;
        for (const auto& a : q.answers) {
            if (a.fact != c.fact || !a.subject.empty() || !a.value) continue;
            const bool* b = a.value->get_if<bool>();
            if (b) (*b ? t : f) = true;
        }
        if (t && f) return &c;
    }
    return nullptr;
}

namespace {
bool has(const std::string& s, const char* needle) {
    std::string l = s;
    std::transform(l.begin(), l.end(), l.begin(), [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
    return l.find(needle) != std::string::npos;
}
} // namespace

std::optional<bool> interpret_check(const CheckDef& c, const ProgramOutcome& r) {
    if (!r.started) return std::nullopt;
    if (c.fact == "user.dns_lookup_works") {
        // gmail.com certainly has MX records: NXDOMAIN or an empty answer means the
        // resolver cannot (or will not) look up Internet names.
        if (r.timed_out || has(r.out, "timed out") || has(r.out, "status: servfail") ||
            has(r.out, "status: refused") || has(r.out, "status: nxdomain") || has(r.out, "no servers could be reached") ||
            has(r.out, "connection refused") || has(r.out, "not found: 3(nxdomain)") || has(r.out, "not found: 2(servfail)") ||
            has(r.out, "not found: 5(refused)") || has(r.out, "has no mx record"))
            return false;
        if (r.exit_code == 0 && ((has(r.out, "status: noerror") && has(r.out, "\tmx\t")) || has(r.out, "mail is handled by")))
            return true;
        if (r.exit_code == 0 && has(r.out, "status: noerror") && has(r.out, "answer: 0")) return false;
        return std::nullopt;
    }
    if (c.fact == "user.internet_works") {
        if (r.exit_code == 0 && has(r.out, "bytes from")) return true;
        if (has(r.out, "network is unreachable")) return false;
        if (r.exit_code == 1 || r.timed_out) return false; // no reply at all
        return std::nullopt;
    }
    if (c.fact == "user.port25_outbound_works") {
        // A name-service failure says nothing about port 25: inconclusive.
        if (has(r.out, "lookup failed") || has(r.out, "name service error")) return std::nullopt;
        if (has(r.out, "connected to") || has(r.out, "< 220") || has(r.out, "connection refused")) return true;
        if (has(r.out, "timed out") || r.timed_out) return false;
        return std::nullopt;
    }
    return std::nullopt;
}

CheckResult run_check(const CheckDef& c) {
    CheckResult res;
    for (const auto& argv : c.commands) {
        auto r = probes::run_program(argv, std::chrono::seconds(c.timeout_s), 64 * 1024);
        if (r.not_found) continue;
        res.ran = true;
        res.command = probes::command_line(argv);
        ProgramOutcome o{r.started, r.timed_out, r.exit_code, r.out + "\n" + r.err};
        res.value = interpret_check(c, o);
        res.output = engine::printable(o.out, 600);
        res.summary = r.describe();
        return res;
    }
    res.summary = "none of the programs for this check is installed";
    return res;
}

} // namespace pft::cli::guide
