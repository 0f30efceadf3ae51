// live_source.cpp - the allow-list: bundle artefact name -> command or file, in one place.
// Commands run through run_program (posix_spawn, timeout, bounded output), each at
// most once per LiveSource, so concurrent probes share one `postconf -n` run.
#include "probes/live_source.hpp"

#include "engine/fact.hpp"
#include "probes/config_view.hpp"
#include "probes/dns_client.hpp"
#include "probes/parse/chroot_files.hpp"
#include "probes/parse/dig_output.hpp"
#include "probes/parse/sockets.hpp"
#include "probes/parse/stat_lines.hpp"
#include "probes/tls_client.hpp"

#include <openssl/pem.h>
#include <openssl/x509.h>

#include <algorithm>
#include <cerrno>
#include <dirent.h>
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
            "df-i.txt",        "meminfo.txt",        "loadavg.txt",    "maillog",
            "ss-tlnp.txt",     "tables.txt",         "ls-etc-postfix.txt", "dkim-selectors.txt",
            "chroot.txt",
            // made from the configuration / the probes' own questions:
            "dig/TYPE_NAME.txt", "tls/PARAM.pem", "tls/PARAM.stat", "tls/s_client-PORT.txt",
            "tls-keymatch/PARAM (live only, never written to a bundle)"};
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
        if (!opt_.run_postfix_check) {
            Artifact a;
            a.origin = "command: " + command_line(argv);
            a.error = "postfix check was not run: it may create missing queue directories (change the host); "
                      "pass --run-postfix-check to run it";
            return a;
        }
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
        // Postfix 3.4+ may log through postlogd to maillog_file (containers, hosts
        // without syslog): that file is the log, as in collect-bundle.sh. A value that
        // is empty, relative or not a regular file (/dev/stdout) falls back to syslog's.
        std::string error;
        if (auto f = postconf_dir("maillog_file", error)) {
            struct stat st {};
            if (::stat(f->c_str(), &st) == 0 && S_ISREG(st.st_mode)) return read_file(*f, true);
        }
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
    if (n.rfind("dig/", 0) == 0) return dns_artefact(n);
    if (n.rfind("tls/", 0) == 0 || n.rfind("tls-keymatch/", 0) == 0) return tls_artefact(n);
    if (n == "ss-tlnp.txt") return sockets_artefact();
    if (n == "tables.txt") return tables_artefact();
    if (n == "chroot.txt") return chroot_artefact();
    if (n == "dkim-selectors.txt") return dkim_selectors_artefact();
    if (n == "ls-etc-postfix.txt") {
        std::string error;
        auto d = opt_.config_dir.empty() ? postconf_dir("config_directory", error) : std::optional(opt_.config_dir);
        if (!d) {
            Artifact a;
            a.origin = "command: ls";
            a.error = n + ": " + error;
            return a;
        }
        return from_command({"ls", "-ln", "--time-style=full-iso", "--", *d});
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

Artifact LiveSource::get(const std::string& name) {
    // DNS answers are asked for by more than one probe (dns, dane), and the TLS probe
    // starts its handshakes early: query each name and shake hands on each port once.
    if (name.rfind("dig/", 0) != 0 && name.rfind("tls/s_client-", 0) != 0) return produce(name);
    {
        std::lock_guard lk(mu_);
        if (auto it = dig_cache_.find(name); it != dig_cache_.end()) return it->second;
    }
    Artifact a = produce(name);
    std::lock_guard lk(mu_);
    return dig_cache_.emplace(name, std::move(a)).first->second;
}

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
        ExecResult r = run_program(argv, opt_.timeout, opt_.max_output, eo);
        std::string outcome = r.ok() ? "exit 0" : r.describe();
        {
            std::lock_guard lk(mu_);
            commands_run_.push_back(command_line(argv) + "  (" + engine::printable(outcome, 120) + ")");
        }
        promise.set_value(std::move(r));
    }
    return fut.get();
}

std::vector<std::string> LiveSource::commands_run() const {
    std::lock_guard lk(mu_);
    return commands_run_;
}

Artifact LiveSource::from_command(const std::vector<std::string>& argv, bool on_tty) {
    Artifact a;
    a.origin = "command: " + command_line(argv);
    auto r = run(argv, on_tty);
    if (!r.ok()) {
        a.error = command_line(argv) + ": " + r.describe();
        if (!r.err.empty()) a.error += ": " + first_line(r.err);
        a.program_missing = r.not_found;
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
    if (!r.ok() && param == "config_directory" && opt_.config_dir.empty()) {
        // postconf stops when main.cf is missing or unusable, but the configuration
        // directory does not come from main.cf: without -c it is the built-in default,
        // which `postconf -d` prints all the same. So main.cf's absence can be seen.
        auto d = postfix_cmd("postconf", {"-d", "-h", param});
        if (auto rd = run(d); rd.ok()) {
            argv = d;
            r = rd;
        }
    }
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

namespace {

Artifact failed(const std::string& origin, const std::string& error) {
    Artifact a;
    a.origin = origin;
    a.error = error;
    return a;
}

// The CERTIFICATE blocks of a PEM text: never a key block.
std::string certificate_blocks(const std::string& text) {
    std::string out;
    std::size_t pos = 0;
    while (true) {
        auto b = text.find("-----BEGIN CERTIFICATE-----", pos);
        if (b == std::string::npos) break;
        auto e = text.find("-----END CERTIFICATE-----", b);
        if (e == std::string::npos) break;
        e += 25;
        out += text.substr(b, e - b) + "\n";
        pos = e;
    }
    return out;
}

parse::FileStat stat_path(const std::string& path, bool with_time) {
    parse::FileStat f;
    f.path = path;
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) {
        f.missing = true;
        return f;
    }
    f.mode = static_cast<int>(st.st_mode & 07777);
    f.uid = st.st_uid;
    f.gid = st.st_gid;
    if (with_time) {
        f.mtime = static_cast<std::int64_t>(st.st_mtime);
        f.size = static_cast<std::int64_t>(st.st_size);
    }
    return f;
}

std::string pair_key_param(const std::string& cert_param) {
    static const std::pair<const char*, const char*> pairs[] = {
        {"smtpd_tls_cert_file", "smtpd_tls_key_file"}, {"smtpd_tls_eccert_file", "smtpd_tls_eckey_file"},
        {"smtpd_tls_dcert_file", "smtpd_tls_dkey_file"}, {"smtp_tls_cert_file", "smtp_tls_key_file"}};
    for (auto [c, k] : pairs)
        if (cert_param == c) return k;
    return {};
}

} // namespace

Artifact LiveSource::dns_artefact(const std::string& n) {
    std::string origin = "dns: " + engine::printable(n, 200);
    // dig/TYPE_NAME.txt
    std::string body = n.substr(4);
    if (body.size() < 5 || body.compare(body.size() - 4, 4, ".txt") != 0) return failed(origin, n + ": not a dig/TYPE_NAME.txt name");
    body.resize(body.size() - 4);
    auto us = body.find('_');
    if (us == std::string::npos) return failed(origin, n + ": not a dig/TYPE_NAME.txt name");
    std::string type = body.substr(0, us), name = body.substr(us + 1);
    static const char* types[] = {"MX", "A", "AAAA", "TXT", "PTR", "TLSA", "CNAME", "NS", "SOA"};
    if (std::find_if(std::begin(types), std::end(types), [&](const char* t) { return type == t; }) == std::end(types))
        return failed(origin, n + ": query type not allowed");
    std::string qname = name;
    if (type == "PTR") {
        qname = parse::reverse_name(name);
        if (qname.empty()) return failed(origin, n + ": PTR needs an IP address");
    }
    if (!is_queryable_name(qname)) return failed(origin, n + ": not a DNS name");
    std::optional<DnsServer> server;
    std::string err;
    if (!opt_.resolver.empty()) server = parse_resolver(opt_.resolver, &err);
    else {
        server = system_resolver(opt_.resolv_conf);
        if (!server) err = "no nameserver in " + opt_.resolv_conf;
    }
    if (!server) return failed(origin, "DNS: " + err);
    auto timeout = opt_.dns_timeout;
    {
        std::lock_guard lk(mu_);
        auto now = std::chrono::steady_clock::now();
        if (!dns_started_) dns_started_ = now;
        // Until the server has answered once, the whole DNS work gets one query's time:
        // dependent rounds (MX, then the MX hosts' addresses, ...) against a server that
        // never answers would otherwise each wait the full timeout.
        auto budget = dns_answered_ ? opt_.dns_budget : std::min(opt_.dns_budget, opt_.dns_timeout);
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(*dns_started_ + budget - now);
        if (left < timeout) timeout = std::max(left, std::chrono::milliseconds(0));
    }
    Artifact a;
    a.origin = "dns: " + type + " " + qname + " @" + server->describe();
    a.ok = true;
    if (timeout.count() <= 0) {
        std::lock_guard lk(mu_);
        a.text = ";; communications error to " + server->describe() + ": timed out (" +
                 (dns_answered_ ? "the DNS time budget of " + std::to_string(opt_.dns_budget.count()) + " ms is used up"
                                : "no answer to any query within " + std::to_string(opt_.dns_timeout.count()) +
                                      " ms: the server is taken as unreachable") +
                 ")\n;; no servers could be reached\n";
        return a;
    }
    a.text = dns_query_text(*server, type, qname, timeout);
    if (a.text.rfind(";; communications error", 0) != 0) {
        std::lock_guard lk(mu_);
        dns_answered_ = true;
    }
    return a;
}

Artifact LiveSource::tls_artefact(const std::string& n) {
    std::string origin = "live host: " + engine::printable(n, 120);
    ConfigView cfg = ConfigView::load(*this);
    if (!cfg.ok()) return failed(origin, n + ": " + cfg.error());
    auto sasl = cfg.sasl_password_files();
    auto is_secret = [&](const std::string& path) { return std::find(sasl.begin(), sasl.end(), path) != sasl.end(); };
    const auto& params = ConfigView::tls_params();
    auto files_of = [&](const std::string& param) {
        std::vector<std::string> v;
        for (const auto& f : cfg.tls_files())
            if (f.param == param) v.push_back(f.path);
        return v;
    };
    auto known_param = [&](const std::string& p) { return std::find(params.begin(), params.end(), p) != params.end(); };

    if (n.rfind("tls/s_client-", 0) == 0 && n.size() > 17 && n.compare(n.size() - 4, 4, ".txt") == 0) {
        std::string ps = n.substr(13, n.size() - 17);
        int port = 0;
        for (char c : ps) port = std::isdigit(static_cast<unsigned char>(c)) && port < 70000 ? port * 10 + (c - '0') : 70000;
        if (port <= 0 || port > 65535) return failed(origin, n + ": bad port");
        // Connect where the port is listened on (loopback for a wildcard listener). When
        // master.cf binds the service to an address ("192.0.2.25:25") and that address
        // listens, it is this instance's: another listener on the same port (another
        // instance, another program) must not be mistaken for it.
        Artifact ss = sockets_artefact();
        std::string host;
        auto listeners = ss.ok ? parse::parse_ss_tlnp(ss.text).items : std::vector<parse::Listener>{};
        for (const auto& s : cfg.services()) {
            if (s.type != "inet") continue;
            auto c = s.service.rfind(':');
            if (c == std::string::npos || c == 0) continue;
            std::string sp = s.service.substr(c + 1), h = s.service.substr(0, c);
            int svc_port = sp == "smtp" ? 25 : sp == "submission" ? 587 : (sp == "smtps" || sp == "submissions") ? 465 : 0;
            if (!svc_port && !sp.empty() && sp.size() <= 5 && std::all_of(sp.begin(), sp.end(), ::isdigit)) svc_port = std::stoi(sp);
            if (svc_port != port) continue;
            if (h.size() > 2 && h.front() == '[' && h.back() == ']') h = h.substr(1, h.size() - 2);
            for (const auto& l : listeners)
                if (l.port == port && l.address == h && !parse::is_wildcard_address(h)) host = h;
            if (!host.empty()) break;
        }
        if (host.empty())
            for (const auto& l : listeners) {
                if (l.port != port) continue;
                host = parse::is_wildcard_address(l.address) ? (l.address == "::" ? "::1" : "127.0.0.1") : l.address;
                if (parse::is_loopback_address(host)) break;
            }
        if (host.empty()) return failed(origin, n + ": nothing listens on TCP port " + std::to_string(port));
        bool wrapper = port == 465;
        for (const auto& s : cfg.services())
            if (s.type == "inet" && (s.service == ps || (s.service.size() > ps.size() + 1 &&
                                     s.service.compare(s.service.size() - ps.size() - 1, ps.size() + 1, ":" + ps) == 0)))
                for (const auto& [k, v] : s.overrides)
                    if (k == "smtpd_tls_wrappermode" && v == "yes") wrapper = true;
        Artifact a;
        a.origin = "live host: TLS handshake with " + host + ":" + std::to_string(port);
        a.ok = true;
        a.text = tls_handshake_text(host, port, !wrapper, opt_.tls_timeout);
        return a;
    }
    if (n.rfind("tls-keymatch/", 0) == 0) {
        std::string param = n.substr(13);
        if (!known_param(param)) return failed(origin, n + ": not a TLS parameter");
        auto certs = files_of(param);
        if (certs.empty()) return failed(origin, param + " is not set");
        std::string key_file;
        std::string kp = pair_key_param(param);
        if (!kp.empty()) {
            auto keys = files_of(kp);
            key_file = keys.empty() ? certs.front() : keys.front();
        } else if (param.find("chain_files") != std::string::npos) {
            key_file = certs.front();
        } else {
            return failed(origin, param + " has no private key");
        }
        auto load = [&](const std::string& path, bool key, std::string& why) -> void* {
            FILE* f = std::fopen(path.c_str(), "re");
            if (!f) {
                why = path + ": " + std::strerror(errno);
                return nullptr;
            }
            void* r = key ? static_cast<void*>(PEM_read_PrivateKey(f, nullptr, nullptr, nullptr))
                          : static_cast<void*>(PEM_read_X509(f, nullptr, nullptr, nullptr));
            std::fclose(f);
            if (!r) why = path + ": no " + (key ? "private key" : "certificate") + " found";
            return r;
        };
        std::string why;
        auto* cert = static_cast<X509*>(load(certs.front(), false, why));
        if (!cert) return failed(origin, why);
        auto* key = static_cast<EVP_PKEY*>(load(key_file, true, why));
        if (!key) {
            X509_free(cert);
            return failed(origin, why);
        }
        bool match = X509_check_private_key(cert, key) == 1;
        X509_free(cert);
        EVP_PKEY_free(key);
        Artifact a;
        a.origin = "live host: key " + key_file + " against certificate " + certs.front();
        a.ok = true;
        a.text = match ? "match\n" : "mismatch\n";
        return a;
    }
    // tls/PARAM.pem, tls/PARAM.stat
    auto dot = n.rfind('.');
    if (dot == std::string::npos || dot < 4) return failed(origin, n + ": unknown TLS artefact");
    std::string param = n.substr(4, dot - 4), ext = n.substr(dot + 1);
    if (!known_param(param) || (ext != "pem" && ext != "stat")) return failed(origin, n + ": unknown TLS artefact");
    auto files = files_of(param);
    if (files.empty()) return failed(origin, param + " is not set");
    Artifact a;
    a.origin = "file: " + files.front() + (files.size() > 1 ? " ..." : "");
    if (ext == "stat") {
        for (const auto& f : files) a.text += parse::render_stat_mode_line(stat_path(f, false));
        a.ok = true;
        return a;
    }
    if (param.find("key_file") != std::string::npos || param.find("dkey") != std::string::npos)
        return failed(origin, n + ": never collected: " + param + " names a private key");
    for (const auto& f : files) {
        if (is_secret(f)) continue;
        Artifact r = read_file(f, false);
        if (!r.ok) return failed(a.origin, r.error);
        if (r.text.size() > 4 * 1024 * 1024) return failed(a.origin, f + ": too large for a certificate file");
        a.text += certificate_blocks(r.text);
    }
    a.ok = true;
    return a;
}

Artifact LiveSource::sockets_artefact() {
    std::vector<parse::Listener> all;
    std::string errors;
    for (const char* f : {"tcp", "tcp6"}) {
        Artifact r = read_file(opt_.proc_dir + "/net/" + f, false);
        if (!r.ok) {
            errors += (errors.empty() ? "" : "; ") + r.error;
            continue;
        }
        for (auto& l : parse::parse_proc_net_tcp(r.text, std::string(f) == "tcp6").items) all.push_back(std::move(l));
    }
    if (all.empty() && !errors.empty()) return failed("file: " + opt_.proc_dir + "/net/tcp", errors);
    // Owners: socket inodes in /proc/PID/fd (only our own processes without root).
    std::map<std::uint64_t, std::size_t> by_inode;
    for (std::size_t i = 0; i < all.size(); ++i)
        if (all[i].inode) by_inode[all[i].inode] = i;
    if (DIR* d = ::opendir(opt_.proc_dir.c_str())) {
        std::size_t pids = 0;
        while (dirent* e = ::readdir(d)) {
            if (!std::isdigit(static_cast<unsigned char>(e->d_name[0])) || ++pids > 32768) continue;
            std::string fd_dir = opt_.proc_dir + "/" + e->d_name + "/fd";
            DIR* fdd = ::opendir(fd_dir.c_str());
            if (!fdd) continue;
            std::size_t fds = 0;
            while (dirent* fe = ::readdir(fdd)) {
                if (fe->d_name[0] == '.' || ++fds > 65536) continue;
                char buf[64];
                ssize_t len = ::readlink((fd_dir + "/" + fe->d_name).c_str(), buf, sizeof buf - 1);
                if (len <= 8) continue;
                buf[len] = 0;
                if (std::strncmp(buf, "socket:[", 8) != 0) continue;
                auto ino = std::strtoull(buf + 8, nullptr, 10);
                auto it = by_inode.find(ino);
                if (it == by_inode.end()) continue;
                // Every holder, as ss lists them: a Postfix listener is held by its master
                // and by the daemons it started (the sockets probe tells instances apart).
                parse::Listener& l = all[it->second];
                if (l.holders.size() >= 16) continue;
                Artifact comm = read_file(opt_.proc_dir + "/" + e->d_name + "/comm", false);
                std::string name = engine::printable(comm.ok ? comm.text.substr(0, comm.text.find('\n')) : "?", 32);
                l.holders.emplace_back(name, std::atoi(e->d_name));
                if (l.process.empty()) {
                    l.process = name;
                    l.pid = l.holders.back().second;
                }
            }
            ::closedir(fdd);
        }
        ::closedir(d);
    }
    Artifact a;
    a.origin = "file: " + opt_.proc_dir + "/net/tcp, tcp6 and /proc/*/fd";
    a.ok = true;
    a.text = parse::render_ss_tlnp(all);
    return a;
}

Artifact LiveSource::tables_artefact() {
    ConfigView cfg = ConfigView::load(*this);
    if (!cfg.ok()) return failed("live host: tables", "tables.txt: " + cfg.error());
    Artifact a;
    a.origin = "live host: stat(2) of the tables named in main.cf and master.cf";
    a.ok = true;
    for (const auto& t : cfg.tables()) {
        a.text += parse::render_tables_line(stat_path(t.path, true));
        a.text += parse::render_tables_line(stat_path(t.index_path, true));
    }
    return a;
}

Artifact LiveSource::chroot_artefact() {
    std::string error;
    auto q = postconf_dir("queue_directory", error);
    if (!q) return failed("live host: chroot copies", "chroot.txt: " + error);
    Artifact a;
    a.origin = "live host: /etc files compared with " + *q + "/etc";
    a.ok = true;
    a.text = parse::render_chroot_txt(opt_.etc_dir, *q + "/etc", parse::chroot_copied_files());
    return a;
}

Artifact LiveSource::dkim_selectors_artefact() {
    Artifact r = read_file(opt_.opendkim_conf, false);
    if (!r.ok) return failed("file: " + opt_.opendkim_conf, "dkim-selectors.txt: " + r.error);
    Artifact a;
    a.origin = "file: " + opt_.opendkim_conf + " (Selector)";
    a.ok = true;
    std::size_t pos = 0;
    while (pos < r.text.size()) {
        auto nl = r.text.find('\n', pos);
        std::string line = r.text.substr(pos, nl == std::string::npos ? std::string::npos : nl - pos);
        pos = nl == std::string::npos ? r.text.size() : nl + 1;
        if (line.rfind("Selector", 0) != 0) continue;
        auto w = config_words(line.substr(8));
        if (!w.empty()) a.text += w.front() + "\n";
    }
    return a;
}

} // namespace pft::probes
