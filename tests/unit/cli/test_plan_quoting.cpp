// test_plan_quoting.cpp - printed commands are safe to paste: every value from
// a log, DNS or a bundle is shell-quoted so that a real POSIX shell parses the
// printed command back into exactly the intended argument vector.
#include "cli/plan.hpp"
#include "rules/loader.hpp"

#include <catch2/catch.hpp>

#include <cstdio>
#include <random>
#include <sys/wait.h>
#include <unistd.h>

using namespace pft;

namespace {

// Runs /bin/sh on "printf '%s\0' WORDS" and returns the words it saw.
std::vector<std::string> shell_words(const std::string& words) {
    std::string script = "printf '%s\\0' " + words;
    int fds[2];
    REQUIRE(pipe(fds) == 0);
    pid_t pid = fork();
    if (pid == 0) {
        dup2(fds[1], 1);
        close(fds[0]);
        execl("/bin/sh", "sh", "-c", script.c_str(), static_cast<char*>(nullptr));
        _exit(127);
    }
    close(fds[1]);
    std::string out;
    char buf[4096];
    ssize_t n;
    while ((n = read(fds[0], buf, sizeof buf)) > 0) out.append(buf, static_cast<std::size_t>(n));
    close(fds[0]);
    int st = 0;
    waitpid(pid, &st, 0);
    std::vector<std::string> v;
    std::size_t i = 0;
    while (i < out.size()) {
        auto j = out.find('\0', i);
        if (j == std::string::npos) break;
        v.push_back(out.substr(i, j - i));
        i = j + 1;
    }
    return v;
}

const char* kKb = R"(
symptoms: [{id: s, title: S}]
causes:
  - id: c
    title: C
    severity: warning
    symptoms: [s]
    explain: x
    plan:
      - {kind: check, run: "postqueue -j", risk: safe, why: w}
      - {kind: fix, run: "postsuper -h {q}", risk: disruptive, why: w}
      - {kind: check, run: "postconf -n > /tmp/main.cf.bak", risk: safe, why: w}
      - {kind: check, run: "dig MX {queue.dest.top_reason[q]}", risk: safe, why: w}
rules:
  - {id: r, for: q in queue.held_id, conclude: c, cf: 0.9}
)";

} // namespace

TEST_CASE("shell_quote leaves plain words bare and quotes the rest", "[cli][plan]") {
    REQUIRE(cli::shell_quote("postsuper") == "postsuper");
    REQUIRE(cli::shell_quote("/etc/postfix/main.cf") == "/etc/postfix/main.cf");
    REQUIRE(cli::shell_quote("") == "''");
    REQUIRE(cli::shell_quote("a b") == "'a b'");
    REQUIRE(cli::shell_quote("it's") == "'it'\\''s'");
}

TEST_CASE("hostile values survive a real shell as one argument each (property test)", "[cli][plan][safety]") {
    std::vector<std::string> hostile = {"$(rm -rf /)", "`id`", "a;b", "a|b", "a&&b", "x' ; echo pwned '", "\"q\"", "$HOME",
                                        "a\nb", "*", "?", "~root", "-rf", "{a,b}", "a\\b", "!event", "#comment", "%s%n",
                                        std::string("nul\x01" "ctl"), "tab\there", "back\\'slash"};
    std::mt19937 rng(42);
    const std::string alphabet = "ab $`'\"\\;|&<>()*?[]{}~!#%\n\t-=";
    for (int i = 0; i < 300; ++i) {
        std::string s;
        int len = static_cast<int>(rng() % 12);
        for (int j = 0; j < len; ++j) s += alphabet[rng() % alphabet.size()];
        hostile.push_back(s);
    }
    for (const auto& h : hostile) {
        std::string cmd = cli::shell_quote("first") + " " + cli::shell_quote(h) + " " + cli::shell_quote("last");
        auto words = shell_words(cmd);
        INFO("value: " << h << "  printed: " << cmd);
        REQUIRE(words == std::vector<std::string>{"first", h, "last"});
    }
}

TEST_CASE("plans are filled with bound values and facts, quoted, and say what they left out", "[cli][plan]") {
    rules::Diagnostics d;
    auto kb = rules::load_knowledge_texts({{"k.yaml", kKb}}, d);
    REQUIRE_FALSE(d.has_errors());
    engine::Engine e(kb.compiled, engine::parse_rfc3339("2026-11-24T00:00:00Z").value());
    std::string evil = "ABC123;touch /tmp/pwned";
    e.add_fact(engine::Fact::known_fact("queue.held_id", evil, true, {"queue", "postqueue-j.txt:1", ""}));
    e.run();
    std::vector<std::string> notes;
    auto plan = cli::render_plan(kb.causes[0], 0, e, &notes);
    REQUIRE(plan.size() == 3); // the dig step has no value for its placeholder
    REQUIRE(plan[1].argv == std::vector<std::string>{"postsuper", "-h", evil});
    REQUIRE(shell_words(plan[1].command) == plan[1].argv);
    REQUIRE(plan[2].command == "postconf -n > /tmp/main.cf.bak");
    REQUIRE(plan[2].argv.empty()); // a pipeline is not one argument vector
    REQUIRE(notes.size() == 1);
    REQUIRE(notes[0].find("dig MX") != std::string::npos);
}
