// exec_test.cpp - run_program: no shell, ENOENT, timeouts that kill the whole
// process group, bounded output, exit codes and the pseudo-terminal option.
#include "probes/exec.hpp"

#include <catch2/catch.hpp>

#include <csignal>
#include <fstream>
#include <thread>

using namespace pft::probes;
using namespace std::chrono_literals;

TEST_CASE("exec: arguments are passed as words, never through a shell", "[exec]") {
    auto r = run_program({"echo", "a;b", "$HOME", "`id`", "|", "x"}, 5s, 4096);
    REQUIRE(r.ok());
    CHECK(r.out == "a;b $HOME `id` | x\n");
    CHECK(r.exit_code == 0);
}

TEST_CASE("exec: a program that does not exist is 'not found'", "[exec]") {
    auto r = run_program({"pftriage-no-such-program"}, 5s, 4096);
    CHECK(r.not_found);
    CHECK_FALSE(r.started);
    CHECK(r.describe() == "not found");
    auto abs = run_program({"/nonexistent/bin/postconf"}, 5s, 4096);
    CHECK(abs.not_found);
    // a command line with a ';' is one (missing) program name, not two commands
    auto semi = run_program({"echo hi; id"}, 5s, 4096);
    CHECK(semi.not_found);
}

TEST_CASE("exec: exit status and stderr are reported", "[exec]") {
    auto r = run_program({"ls", "/nonexistent-pftriage-dir"}, 5s, 4096);
    CHECK(r.started);
    CHECK_FALSE(r.ok());
    CHECK(r.exit_code == 2);
    CHECK(r.err.find("nonexistent-pftriage-dir") != std::string::npos);
    CHECK(r.describe() == "exited 2");
}

TEST_CASE("exec: the timeout kills the process and its whole group", "[exec]") {
    auto start = std::chrono::steady_clock::now();
    // The shell here is the test's own program under test, not something pftriage runs.
    auto r = run_program({"sh", "-c", "sleep 30 & echo $!; wait"}, 700ms, 4096);
    auto took = std::chrono::steady_clock::now() - start;
    CHECK(r.timed_out);
    CHECK(r.signal == SIGKILL);
    CHECK(took < 5s);
    CHECK(r.describe().find("timed out") == 0);
    pid_t grandchild = std::atoi(r.out.c_str());
    REQUIRE(grandchild > 0);
    bool gone = false;
    for (int i = 0; i < 50 && !gone; ++i) {
        std::ifstream st("/proc/" + std::to_string(grandchild) + "/stat");
        std::string pid, comm, state;
        gone = !(st >> pid >> comm >> state) || state == "Z" || comm != "(sleep)";
        if (!gone) std::this_thread::sleep_for(20ms);
    }
    CHECK(gone);
}

TEST_CASE("exec: output beyond the cap is dropped and marked, the child still finishes", "[exec]") {
    auto r = run_program({"head", "-c", "1000000", "/dev/zero"}, 10s, 1000);
    CHECK(r.ok());
    CHECK(r.out.size() == 1000);
    CHECK(r.out_truncated);
}

TEST_CASE("exec: the environment is fixed, not inherited", "[exec]") {
    ::setenv("PFTRIAGE_SECRET_TEST", "leak", 1);
    auto r = run_program({"env"}, 5s, 65536);
    REQUIRE(r.ok());
    CHECK(r.out.find("PFTRIAGE_SECRET_TEST") == std::string::npos);
    CHECK(r.out.find("LC_ALL=C") != std::string::npos);
}

TEST_CASE("exec: output_on_tty gives the child a terminal on stdout and stderr", "[exec]") {
    ExecOptions o;
    o.output_on_tty = true;
    auto r = run_program({"sh", "-c", "test -t 2 && echo tty-out; echo to-err >&2"}, 5s, 4096, o);
    REQUIRE(r.ok());
    CHECK(r.out == "tty-out\nto-err\n");
    CHECK(r.err.empty());
    auto plain = run_program({"sh", "-c", "test -t 2 && echo tty-out; echo to-err >&2"}, 5s, 4096);
    CHECK(plain.out.empty());
    CHECK(plain.err == "to-err\n");
}
