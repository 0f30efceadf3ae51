// exec.cpp - posix_spawn + poll loop with a deadline, output caps and pgroup kill.
// Output past the cap is read and dropped so the child never blocks on a full pipe.
#include "probes/exec.hpp"

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

extern char** environ;

namespace pft::probes {

namespace {

constexpr const char* safe_path[] = {"/usr/sbin", "/usr/bin", "/sbin", "/bin"};

std::string resolve(const std::string& prog) {
    if (prog.find('/') != std::string::npos) return prog;
    for (const char* dir : safe_path) {
        std::string p = std::string(dir) + "/" + prog;
        struct stat st {};
        if (::stat(p.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(p.c_str(), X_OK) == 0) return p;
    }
    return {};
}

struct Fd {
    int fd = -1;
    Fd() = default;
    explicit Fd(int f) : fd(f) {}
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    ~Fd() { reset(); }
    void reset(int f = -1) {
        if (fd >= 0) ::close(fd);
        fd = f;
    }
};

// Opens a pseudo-terminal pair in raw mode (no "\r\n" translation).
bool open_pty(Fd& master, Fd& slave, std::string& error) {
    master.reset(::posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC));
    if (master.fd < 0 || ::grantpt(master.fd) != 0 || ::unlockpt(master.fd) != 0) {
        error = std::string("pseudo-terminal: ") + std::strerror(errno);
        return false;
    }
    char name[128];
    if (::ptsname_r(master.fd, name, sizeof name) != 0) {
        error = std::string("ptsname: ") + std::strerror(errno);
        return false;
    }
    slave.reset(::open(name, O_RDWR | O_NOCTTY | O_CLOEXEC));
    if (slave.fd < 0) {
        error = std::string("open pty: ") + std::strerror(errno);
        return false;
    }
    struct termios tio {};
    if (::tcgetattr(slave.fd, &tio) == 0) {
        ::cfmakeraw(&tio);
        ::tcsetattr(slave.fd, TCSANOW, &tio);
    }
    return true;
}

void append_bounded(std::string& buf, bool& truncated, const char* data, std::size_t n, std::size_t max) {
    if (buf.size() < max) {
        std::size_t take = std::min(n, max - buf.size());
        buf.append(data, take);
        if (take < n) truncated = true;
    } else if (n > 0) {
        truncated = true;
    }
}

} // namespace

std::string command_line(const std::vector<std::string>& argv) {
    std::string s;
    for (const auto& a : argv) s += (s.empty() ? "" : " ") + a;
    return s;
}

std::string ExecResult::describe() const {
    if (not_found) return "not found";
    if (!started) return "could not start: " + error;
    if (timed_out) {
        auto s = std::chrono::duration_cast<std::chrono::seconds>(elapsed).count();
        return "timed out after " + std::to_string(s) + "s";
    }
    if (signal != 0) return "killed by signal " + std::to_string(signal);
    return "exited " + std::to_string(exit_code);
}

ExecResult run_program(const std::vector<std::string>& argv, std::chrono::milliseconds timeout,
                       std::size_t max_output) {
    return run_program(argv, timeout, max_output, ExecOptions{});
}

ExecResult run_program(const std::vector<std::string>& argv, std::chrono::milliseconds timeout,
                       std::size_t max_output, const ExecOptions& options) {
    using clock = std::chrono::steady_clock;
    ExecResult r;
    auto start = clock::now();
    if (argv.empty()) {
        r.error = "empty argument vector";
        return r;
    }
    std::string path = resolve(argv[0]);
    if (path.empty() || ::access(path.c_str(), X_OK) != 0) {
        r.not_found = true;
        r.error = argv[0] + ": not found";
        return r;
    }

    Fd out_r, out_w, err_r, err_w;
    int p[2];
    if (options.output_on_tty) {
        if (!open_pty(out_r, out_w, r.error)) return r;
    } else {
        if (::pipe2(p, O_CLOEXEC) != 0) {
            r.error = std::string("pipe: ") + std::strerror(errno);
            return r;
        }
        out_r.reset(p[0]);
        out_w.reset(p[1]);
        if (::pipe2(p, O_CLOEXEC) != 0) {
            r.error = std::string("pipe: ") + std::strerror(errno);
            return r;
        }
        err_r.reset(p[0]);
        err_w.reset(p[1]);
    }

    posix_spawn_file_actions_t fa;
    posix_spawnattr_t attr;
    posix_spawn_file_actions_init(&fa);
    posix_spawnattr_init(&attr);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&fa, out_w.fd, 1);
    posix_spawn_file_actions_adddup2(&fa, options.output_on_tty ? out_w.fd : err_w.fd, 2);
    sigset_t none, dflt;
    sigemptyset(&none);
    sigemptyset(&dflt);
    for (int s : {SIGPIPE, SIGINT, SIGQUIT, SIGTERM, SIGHUP, SIGCHLD, SIGALRM}) sigaddset(&dflt, s);
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setsigdefault(&attr, &dflt);
    posix_spawnattr_setpgroup(&attr, 0);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);

    std::vector<char*> cargv;
    for (const auto& a : argv) cargv.push_back(const_cast<char*>(a.c_str()));
    cargv.push_back(nullptr);
    static const char* env[] = {"PATH=/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL=C", "LANG=C", nullptr};

    pid_t pid = -1;
    int rc = ::posix_spawn(&pid, path.c_str(), &fa, &attr, cargv.data(), const_cast<char* const*>(env));
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&attr);
    out_w.reset();
    err_w.reset();
    if (rc != 0) {
        r.not_found = rc == ENOENT;
        r.error = argv[0] + ": " + std::strerror(rc);
        return r;
    }
    r.started = true;

    auto deadline = start + timeout;
    bool reaped = false;
    int status = 0;
    clock::time_point reaped_at{};
    char buf[65536];
    while (out_r.fd >= 0 || err_r.fd >= 0) {
        auto now = clock::now();
        if (now >= deadline) {
            r.timed_out = true;
            break;
        }
        // A grandchild may keep the pipe open after the child exits: give it a short grace.
        if (reaped && now - reaped_at > std::chrono::milliseconds(500)) break;
        pollfd fds[2];
        int n = 0;
        if (out_r.fd >= 0) fds[n++] = {out_r.fd, POLLIN, 0};
        if (err_r.fd >= 0) fds[n++] = {err_r.fd, POLLIN, 0};
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now).count();
        int wait_ms = static_cast<int>(std::min<long long>(left, 100));
        int pr = ::poll(fds, static_cast<nfds_t>(n), wait_ms);
        if (pr < 0 && errno != EINTR) break;
        for (int i = 0; i < n && pr > 0; ++i) {
            if (!(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
            bool is_out = fds[i].fd == out_r.fd;
            ssize_t got = ::read(fds[i].fd, buf, sizeof buf);
            if (got > 0) {
                if (is_out) append_bounded(r.out, r.out_truncated, buf, static_cast<std::size_t>(got), max_output);
                else append_bounded(r.err, r.err_truncated, buf, static_cast<std::size_t>(got), max_output);
            } else if (got == 0 || (errno != EINTR && errno != EAGAIN)) {
                // EOF, or EIO from a pty whose other side is closed
                if (is_out) out_r.reset();
                else err_r.reset();
            }
        }
        if (!reaped) {
            pid_t w = ::waitpid(pid, &status, WNOHANG);
            if (w == pid) {
                reaped = true;
                reaped_at = clock::now();
            }
        }
    }
    if (r.timed_out) ::kill(-pid, SIGKILL);
    bool have_status = reaped;
    while (!reaped) {
        pid_t w = ::waitpid(pid, &status, r.timed_out ? 0 : WNOHANG);
        if (w == pid) {
            have_status = true;
            break;
        }
        if (w < 0 && errno != EINTR) break; // ECHILD: nothing left to wait for
        if (!r.timed_out && clock::now() >= deadline) {
            // It closed its output but did not exit in time.
            r.timed_out = true;
            ::kill(-pid, SIGKILL);
            continue;
        }
        if (w == 0) ::usleep(10000);
    }
    r.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(clock::now() - start);
    if (!r.timed_out && have_status) {
        if (WIFEXITED(status)) r.exit_code = WEXITSTATUS(status);
        else if (WIFSIGNALED(status)) r.signal = WTERMSIG(status);
    } else if (r.timed_out) {
        r.signal = SIGKILL;
    }
    return r;
}

} // namespace pft::probes
