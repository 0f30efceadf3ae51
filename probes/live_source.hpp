// live_source.hpp - a Source that reads the running host: the bundle artefacts
// produced on demand by the commands of one fixed allow-list (live_source.cpp).
// No shell, no value from outside ever becomes a command word except the
// operator's own config_dir and paths Postfix itself reports (validated).
// It writes nothing itself; of the commands, only `postfix check` may change the
// host (it creates missing queue directories), so it runs only when asked.
// DNS answers (dig/*), sockets (ss-tlnp.txt), table stats (tables.txt) and TLS
// artefacts (tls/*) are made in-process, rendered in their bundle formats.
#pragma once

#include "probes/exec.hpp"
#include "probes/source.hpp"

#include <chrono>
#include <future>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace pft::probes {

struct LiveOptions {
    std::string config_dir;                       // "" = Postfix's default; else `-c DIR` everywhere
    std::chrono::milliseconds timeout{15000};     // per command
    std::size_t max_output = 64u * 1024 * 1024;   // per artefact
    std::vector<std::string> maillog_paths{"/var/log/mail.log", "/var/log/maillog", "/var/log/mail/mail.log"};
    std::string proc_dir = "/proc";
    std::string hostname;                         // "" = gethostname()
    std::string server_ips, mail_domains;         // space separated, as in MANIFEST
    // DNS: the server queried ("IP[:PORT]"; "" = first nameserver of resolv_conf), the
    // limit of each query, and of all queries of this source together (from the first).
    // A server that has answered nothing one dns_timeout after the first query is taken
    // as unreachable: later queries fail at once instead of each waiting again.
    std::string resolver;
    std::string resolv_conf = "/etc/resolv.conf";
    std::chrono::milliseconds dns_timeout{2000};
    std::chrono::milliseconds dns_budget{6000};
    std::chrono::milliseconds tls_timeout{5000};  // per TLS handshake (connect to end)
    // `postfix check` may create missing queue directories, i.e. change the host:
    // it runs only when asked; else postfix-check.txt is unavailable with that reason.
    bool run_postfix_check = false;
    std::string opendkim_conf = "/etc/opendkim.conf";
    std::string etc_dir = "/etc";                 // host files compared with the chroot copies (chroot.txt)
};

class LiveSource : public Source {
public:
    explicit LiveSource(LiveOptions options = {});

    Artifact get(const std::string& name) override;
    engine::TimePoint now() const override;
    std::optional<std::string> manifest(const std::string& key) const override;
    std::string describe() const override;
    bool is_live() const override { return true; }
    std::vector<std::string> warnings() const override;
    std::vector<std::string> commands_run() const override;

    // The artefact names this source can produce (the allow-list).
    static std::vector<std::string> artefact_names();

private:
    ExecResult run(const std::vector<std::string>& argv, bool on_tty = false);
    std::vector<std::string> postfix_cmd(const std::string& prog, std::vector<std::string> args) const;
    std::optional<std::string> postconf_dir(const std::string& param, std::string& error);
    Artifact produce(const std::string& name);
    Artifact from_command(const std::vector<std::string>& argv, bool on_tty = false);
    Artifact read_file(const std::string& path, bool tail);
    Artifact dns_artefact(const std::string& name);
    Artifact tls_artefact(const std::string& name);
    Artifact sockets_artefact();
    Artifact tables_artefact();
    Artifact chroot_artefact();
    Artifact dkim_selectors_artefact();

    LiveOptions opt_;
    mutable std::mutex mu_;
    std::map<std::string, std::shared_future<ExecResult>> runs_; // each command runs once per source
    std::vector<std::string> warnings_;
    std::map<std::string, Artifact> dig_cache_; // dig/ artefacts already answered (under mu_)
    std::vector<std::string> commands_run_;
    std::optional<std::chrono::steady_clock::time_point> dns_started_;
    bool dns_answered_ = false; // the DNS server has answered at least one query of this source
};

} // namespace pft::probes
