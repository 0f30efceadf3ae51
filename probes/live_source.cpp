// live_source.cpp - the allow-list: bundle artefact name -> command or file, in one place.
// Commands run through run_program (posix_spawn, timeout, bounded output), each at
// most once per LiveSource, so concurrent probes share one `postconf -n` run.
#include "probes/live_source.hpp"

#include "engine/fact.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace pft::probes {

namespace {

// A path Postfix reported, or the operator gave: absolute, printable, not an option.
bool is_plain_absolute_path(const std::string& p) {
    if (p.empty() || p.front() != '/' || p.size() > 1024) return false;
    for (unsigned char c : p)
        if (c < 0x20 || c == 0x7f) return false;
    return true;
}

std::string first_line(const std::string& s) {
    auto nl = s.find('\n');
    return engine::printable(s.substr(0, nl), 200);
}

} // namespace

// The allow-list. Every artefact the live host can give, and how.
std::vector<std::string> LiveSource::artefact_names() {
    return {"MANIFEST",        "postconf.txt",       "postconf-n.txt", "postconf-warnings.txt",
            "postconf-M.txt",  "main.cf",            "master.cf",      "postfix-check.txt",
            "postfix-status.txt", "postqueue-j.txt", "mailq.txt",      "df.txt",
            "df-i.txt",        "meminfo.txt",        "loadavg.txt",    "maillog"};
}

Artifact LiveSource::produce(const std::string& n) {
    if (n == "postconf.txt") return from_command(postfix_cmd("postconf", {}));
    if (n == "postconf-n.txt") return from_command(postfix_cmd("postconf", {"-n"}));
    if (n == "postconf-M.txt") return from_command(postfix_cmd("postconf", {"-M"}));
    if (n == "postconf-warnings.txt") {
        auto argv = postfix_cmd("postconf", {"-n"});
        auto r = run(argv);
        Artifact a;
        a.origin = "command: " + command_line(argv) + " (stderr)";
        if (!r.started || r.timed_out || r.signal) {
            a.error = command_line(argv) + ": " + r.describe();
            return a;
        }
        a.ok = true;
        a.text = r.err;
        a.truncated = r.err_truncated;
        return a;
    }
    if (n == "postfix-check.txt") {
        auto argv = postfix_cmd("postfix", {"check"});
        auto r = run(argv, true);
        Artifact a;
        a.origin = "command: " + command_line(argv);
        if (!r.started || r.timed_out || r.signal) {
            a.error = command_line(argv) + ": " + r.describe();
            return a;
        }
        a.ok = true;
        a.text = r.out;
        a.truncated = r.out_truncated;
        return a;
    }
    if (n == "postfix-status.txt") {
        auto argv = postfix_cmd("postfix", {"status"});
        auto r = run(argv, true);
        Artifact a;
        a.origin = "command: " + command_line(argv);
        if (!r.started || r.timed_out || r.signal) {
            a.error = command_line(argv) + ": " + r.describe();
            return a;
        }
        a.ok = true;
        a.text = r.out;
        if (!a.text.empty() && a.text.back() != '\n') a.text += '\n';
        a.text += "exit=" + std::to_string(r.exit_code) + "\n";
        return a;
    }
    if (n == "postqueue-j.txt") return from_command(postfix_cmd("postqueue", {"-j"}));
    if (n == "mailq.txt")
        return from_command(opt_.config_dir.empty() ? std::vector<std::string>{"mailq"}
                                                    : postfix_cmd("postqueue", {"-p"}));
    if (n == "df.txt" || n == "df-i.txt") {
        std::string error;
        auto q = postconf_dir("queue_directory", error);
        if (!q) {
            Artifact a;
            a.origin = "command: df";
            a.error = n + ": " + error;
            return a;
        }
        return from_command({"df", n == "df.txt" ? "-P" : "-Pi", "--", *q});
    }
    if (n == "meminfo.txt") return read_file(opt_.proc_dir + "/meminfo", false);
    if (n == "loadavg.txt") return read_file(opt_.proc_dir + "/loadavg", false);
    if (n == "main.cf" || n == "master.cf") {
        std::string error;
        auto d = opt_.config_dir.empty() ? postconf_dir("config_directory", error) : std::optional(opt_.config_dir);
        if (!d) {
            Artifact a;
            a.origin = "file: " + n;
            a.error = n + ": " + error;
            return a;
        }
        return read_file(*d + "/" + n, false);
    }
    if (n == "maillog") {
        for (const auto& p : opt_.maillog_paths) {
            struct stat st {};
            if (::stat(p.c_str(), &st) == 0 && S_ISREG(st.st_mode)) return read_file(p, true);
        }
        Artifact a;
        a.origin = "file: mail log";
        a.error = "maillog: no mail log found (looked for";
        for (const auto& p : opt_.maillog_paths) a.error += " " + p;
        a.error += ")";
        return a;
    }
    if (n == "MANIFEST") {
        Artifact a;
        a.origin = "live host";
        a.ok = true;
        for (const char* k : {"format", "hostname", "collected_at", "server_ips", "mail_domains", "collector"})
            if (auto v = manifest(k)) a.text += std::string(k) + ": " + *v + "\n";
        return a;
    }
    Artifact a;
    a.origin = "live host";
    a.error = engine::printable(n, 200) + ": not collected from the live host";
    return a;
}

LiveSource::LiveSource(LiveOptions options) : opt_(std::move(options)) {
    if (!opt_.config_dir.empty() && !is_plain_absolute_path(opt_.config_dir)) {
        warnings_.push_back("config_dir '" + engine::printable(opt_.config_dir, 200) +
                            "' is not an absolute path; using Postfix's default");
        opt_.config_dir.clear();
    }
}

Artifact LiveSource::get(const std::string& name) { return produce(name); }

engine::TimePoint LiveSource::now() const {
    return std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
}

std::optional<std::string> LiveSource::manifest(const std::string& key) const {
    if (key == "format") return "1";
    if (key == "collector") return "pftriage live";
    if (key == "collected_at") return engine::format_time(now());
    if (key == "hostname") {
        if (!opt_.hostname.empty()) return opt_.hostname;
        char buf[256] = {};
        if (::gethostname(buf, sizeof buf - 1) == 0 && buf[0]) return std::string(buf);
        return std::nullopt;
    }
    if (key == "server_ips" && !opt_.server_ips.empty()) return opt_.server_ips;
    if (key == "mail_domains" && !opt_.mail_domains.empty()) return opt_.mail_domains;
    return std::nullopt;
}

std::string LiveSource::describe() const {
    return opt_.config_dir.empty() ? "live host" : "live host (postfix -c " + opt_.config_dir + ")";
}

std::vector<std::string> LiveSource::warnings() const {
    std::lock_guard lk(mu_);
    return warnings_;
}

std::vector<std::string> LiveSource::postfix_cmd(const std::string& prog, std::vector<std::string> args) const {
    std::vector<std::string> argv{prog};
    if (!opt_.config_dir.empty()) {
        argv.push_back("-c");
        argv.push_back(opt_.config_dir);
    }
    for (auto& a : args) argv.push_back(std::move(a));
    return argv;
}

ExecResult LiveSource::run(const std::vector<std::string>& argv, bool on_tty) {
    std::string key = (on_tty ? "tty:" : "") + command_line(argv);
    std::promise<ExecResult> promise;
    std::shared_future<ExecResult> fut;
    bool mine = false;
    {
        std::lock_guard lk(mu_);
        auto it = runs_.find(key);
        if (it == runs_.end()) {
            fut = promise.get_future().share();
            runs_.emplace(key, fut);
            mine = true;
        } else {
            fut = it->second;
        }
    }
    if (mine) {
        ExecOptions eo;
        eo.output_on_tty = on_tty;
        promise.set_value(run_program(argv, opt_.timeout, opt_.max_output, eo));
    }
    return fut.get();
}

Artifact LiveSource::from_command(const std::vector<std::string>& argv, bool on_tty) {
    Artifact a;
    a.origin = "command: " + command_line(argv);
    auto r = run(argv, on_tty);
    if (!r.ok()) {
        a.error = command_line(argv) + ": " + r.describe();
        if (!r.err.empty()) a.error += ": " + first_line(r.err);
        return a;
    }
    a.ok = true;
    a.text = r.out;
    a.truncated = r.out_truncated;
    return a;
}

std::optional<std::string> LiveSource::postconf_dir(const std::string& param, std::string& error) {
    auto argv = postfix_cmd("postconf", {"-h", param});
    auto r = run(argv);
    if (!r.ok()) {
        error = command_line(argv) + ": " + r.describe();
        return std::nullopt;
    }
    std::string v = r.out;
    while (!v.empty() && (v.back() == '\n' || v.back() == ' ')) v.pop_back();
    if (!is_plain_absolute_path(v)) {
        error = command_line(argv) + " gave '" + engine::printable(v, 100) + "', not an absolute path";
        return std::nullopt;
    }
    return v;
}

Artifact LiveSource::read_file(const std::string& path, bool tail) {
    Artifact a;
    a.origin = "file: " + path;
    int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    if (fd < 0) {
        a.error = path + ": " + std::strerror(errno);
        return a;
    }
    struct stat st {};
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        ::close(fd);
        a.error = path + ": not a regular file";
        return a;
    }
    const std::size_t max = opt_.max_output;
    bool cut_head = false;
    if (tail && static_cast<std::size_t>(st.st_size) > max) {
        ::lseek(fd, st.st_size - static_cast<off_t>(max), SEEK_SET);
        cut_head = true;
    }
    char buf[65536];
    while (true) {
        ssize_t n = ::read(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            a.error = path + ": " + std::strerror(errno);
            ::close(fd);
            return a;
        }
        if (n == 0) break;
        std::size_t take = std::min(static_cast<std::size_t>(n), max - a.text.size());
        a.text.append(buf, take);
        if (a.text.size() >= max) {
            a.truncated = true;
            break;
        }
    }
    ::close(fd);
    if (cut_head) {
        auto nl = a.text.find('\n');
        a.text.erase(0, nl == std::string::npos ? a.text.size() : nl + 1);
        a.truncated = true;
    }
    a.ok = true;
    return a;
}

} // namespace pft::probes
