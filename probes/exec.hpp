// exec.hpp - runs one program by argument vector, with a timeout and bounded output.
// posix_spawn, never a shell; stdin is /dev/null, the child gets its own process
// group (killed whole on timeout) and a fixed PATH and C locale. It does not
// decide which programs may run: that allow-list lives in live_source.cpp.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

namespace pft::probes {

struct ExecOptions {
    // Give the child a pseudo-terminal as stdout and stderr (both land in `out`,
    // in order). Postfix's `postfix` command only prints its messages when its
    // stderr is a terminal; otherwise they go to syslog alone.
    bool output_on_tty = false;
};

struct ExecResult {
    bool started = false;    // the program was found and spawned
    bool not_found = false;  // ENOENT: no such program in the fixed PATH
    bool timed_out = false;  // killed (with its process group) at the deadline
    int exit_code = -1;      // when it exited normally
    int signal = 0;          // when a signal ended it
    std::string out, err;
    bool out_truncated = false, err_truncated = false;
    std::string error;       // spawn failure text
    std::chrono::milliseconds elapsed{0};

    bool ok() const { return started && !timed_out && signal == 0 && exit_code == 0; }
    // "exited 1", "timed out after 5s", "not found", "killed by signal 9"
    std::string describe() const;
};

// argv[0] without a '/' is looked up in /usr/sbin:/usr/bin:/sbin:/bin only.
ExecResult run_program(const std::vector<std::string>& argv, std::chrono::milliseconds timeout,
                       std::size_t max_output);
ExecResult run_program(const std::vector<std::string>& argv, std::chrono::milliseconds timeout,
                       std::size_t max_output, const ExecOptions& options);

// The words of argv joined by spaces, for provenance ("postqueue -j").
std::string command_line(const std::vector<std::string>& argv);

} // namespace pft::probes
