// cmd_collect.cpp - `pftriage collect -o DIR|FILE.tar.gz`: writes an evidence bundle
// (format 1) of this host from the live source: every artefact the probes read, in
// its bundle format, plus MANIFEST. Never a private key, a SASL password map or a
// table's content; files 0600, directories 0700; optional consistent redaction.
// It does not analyse anything (run `pftriage --from` on the result for that).
#include "cli/app.hpp"
#include "cli/command.hpp"
#include "cli/redact.hpp"
#include "cli/session.hpp"
#include "probes/bundle_source.hpp"
#include "probes/config_view.hpp"
#include "probes/live_source.hpp"
#include "probes/run_probes.hpp"

#include <archive.h>
#include <archive_entry.h>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <iostream>
#include <map>
#include <mutex>
#include <set>
#include <sys/stat.h>
#include <unistd.h>

namespace pft::cli {

namespace {

// The artefacts every bundle gets, besides those the probes ask for.
const std::vector<std::string> standard_artefacts = {
    "postconf.txt", "postconf-n.txt", "postconf-M.txt", "postconf-warnings.txt", "main.cf", "master.cf",
    "postfix-check.txt", "postfix-status.txt", "postqueue-j.txt", "mailq.txt", "maillog", "ss-tlnp.txt",
    "df.txt", "df-i.txt", "meminfo.txt", "loadavg.txt", "ls-etc-postfix.txt", "tables.txt", "dkim-selectors.txt", "chroot.txt"};

// Records what the probes read from the live source.
class RecordingSource : public probes::Source {
public:
    explicit RecordingSource(probes::Source& inner) : inner_(inner) {}
    probes::Artifact get(const std::string& name) override {
        auto a = inner_.get(name);
        std::lock_guard lk(mu_);
        if (a.ok) files_[name] = a.text;
        else errors_[name] = a.error;
        return a;
    }
    engine::TimePoint now() const override { return inner_.now(); }
    std::optional<std::string> manifest(const std::string& k) const override { return inner_.manifest(k); }
    std::string describe() const override { return inner_.describe(); }
    bool is_live() const override { return true; }
    std::vector<std::string> warnings() const override { return inner_.warnings(); }
    std::map<std::string, std::string> files() const {
        std::lock_guard lk(mu_);
        return files_;
    }
    std::map<std::string, std::string> errors() const {
        std::lock_guard lk(mu_);
        return errors_;
    }

private:
    probes::Source& inner_;
    mutable std::mutex mu_;
    std::map<std::string, std::string> files_, errors_;
};

bool write_file(const std::string& path, const std::string& text, std::string& error) {
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0) {
        error = path + ": " + std::strerror(errno);
        return false;
    }
    std::size_t off = 0;
    while (off < text.size()) {
        ssize_t n = ::write(fd, text.data() + off, text.size() - off);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            error = path + ": " + std::strerror(errno);
            ::close(fd);
            return false;
        }
        off += static_cast<std::size_t>(n);
    }
    ::fchmod(fd, 0600);
    return ::close(fd) == 0;
}

bool make_dir(const std::string& path, std::string& error) {
    if (::mkdir(path.c_str(), 0700) != 0 && errno != EEXIST) {
        error = path + ": " + std::strerror(errno);
        return false;
    }
    ::chmod(path.c_str(), 0700);
    return true;
}

bool write_tar_gz(const std::string& dir, const std::string& top, const std::map<std::string, std::string>& files,
                  const std::string& out, std::string& error) {
    (void)dir;
    int fd = ::open(out.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0) {
        error = out + ": " + std::strerror(errno);
        return false;
    }
    struct archive* a = archive_write_new();
    archive_write_add_filter_gzip(a);
    archive_write_set_format_pax_restricted(a);
    bool ok = archive_write_open_fd(a, fd) == ARCHIVE_OK;
    std::set<std::string> dirs{top};
    for (const auto& [n, t] : files) {
        auto slash = n.rfind('/');
        if (slash != std::string::npos) dirs.insert(top + "/" + n.substr(0, slash));
    }
    time_t now = ::time(nullptr);
    for (const auto& d : dirs) {
        struct archive_entry* e = archive_entry_new();
        archive_entry_set_pathname(e, d.c_str());
        archive_entry_set_filetype(e, AE_IFDIR);
        archive_entry_set_perm(e, 0700);
        archive_entry_set_mtime(e, now, 0);
        ok = ok && archive_write_header(a, e) == ARCHIVE_OK;
        archive_entry_free(e);
    }
    for (const auto& [n, t] : files) {
        struct archive_entry* e = archive_entry_new();
        archive_entry_set_pathname(e, (top + "/" + n).c_str());
        archive_entry_set_filetype(e, AE_IFREG);
        archive_entry_set_perm(e, 0600);
        archive_entry_set_size(e, static_cast<la_int64_t>(t.size()));
        archive_entry_set_mtime(e, now, 0);
        ok = ok && archive_write_header(a, e) == ARCHIVE_OK;
        if (ok && !t.empty()) ok = archive_write_data(a, t.data(), t.size()) == static_cast<la_ssize_t>(t.size());
        archive_entry_free(e);
    }
    if (!ok) error = out + ": " + (archive_error_string(a) ? archive_error_string(a) : "write failed");
    ok = archive_write_close(a) == ARCHIVE_OK && ok;
    archive_write_free(a);
    ::close(fd);
    return ok;
}

class CollectCommand : public Command {
public:
    CLI::App* add(CLI::App& app, Common& c) override {
        auto* s = app.add_subcommand("collect",
                                     "Write an evidence bundle of this host (format 1) for `pftriage --from`: "
                                     "never a private key or a SASL password map; files 0600");
        s->add_option("-o,--output", out_, "Bundle directory (must not exist or be empty), or FILE.tar.gz")->required();
        s->add_flag("--redact", redact_, "Mask the local part of mail addresses, consistently across files");
        s->add_flag("--redact-ips", redact_ips_, "Also mask IPv4 and IPv6 addresses (not loopback), consistently: 198.18.x.y and 2001:db8:ffff::N");
        add_common_options(s, c);
        add_live_options(s, c);
        return s;
    }

    int run(Common& c) override {
        auto lo = live_options(c);
        probes::LiveSource live(lo);
        RecordingSource rec(live);
        // The probes ask for exactly the DNS, TLS, socket and table artefacts the configuration calls for.
        auto probes = probes::all_probes();
        probes::run_all(rec, probes, true);
        for (const auto& n : standard_artefacts) rec.get(n);

        probes::ConfigView cfg = probes::ConfigView::load(rec);
        std::set<std::string> secrets;
        for (const auto& p : cfg.sasl_password_files()) secrets.insert(p);

        Redactor red;
        red.addresses = redact_;
        red.ips = redact_ips_;
        std::string ips, domains;
        for (const auto& ip : cfg.server_ips(rec)) {
            red.seed_ip(ip);
            ips += (ips.empty() ? "" : " ") + ip;
        }
        for (const auto& d : cfg.mail_domains(rec)) domains += (domains.empty() ? "" : " ") + d;

        std::map<std::string, std::string> out;
        std::vector<std::string> skipped;
        for (const auto& [n, text] : rec.files()) {
            if (n == "MANIFEST" || n.rfind("tls-keymatch/", 0) == 0) continue; // never a bundle file
            if (!probes::is_safe_relative_name(n)) continue;
            if (text.find("PRIVATE KEY-----") != std::string::npos) {
                skipped.push_back(n + " (holds a private key)");
                continue;
            }
            bool secret = false;
            for (const auto& s : secrets) secret = secret || (!s.empty() && n.find(s) != std::string::npos);
            if (secret) {
                skipped.push_back(n + " (names a SASL password map)");
                continue;
            }
            out[red.apply(n)] = red.apply(text);
        }
        std::string manifest = "format: 1\n";
        manifest += "hostname: " + red.apply(live.manifest("hostname").value_or(cfg.myhostname())) + "\n";
        manifest += "collected_at: " + engine::format_time(live.now()) + "\n";
        manifest += "server_ips: " + red.apply(ips) + "\n";
        manifest += "mail_domains: " + domains + "\n";
        manifest += std::string("collector: pftriage ") + PFT_VERSION + "\n";
        out["MANIFEST"] = manifest;

        std::string error;
        bool tar = out_.size() > 7 && out_.compare(out_.size() - 7, 7, ".tar.gz") == 0;
        if (tar) {
            std::string top = std::filesystem::path(out_).filename().string();
            top = top.substr(0, top.size() - 7);
            if (top.empty()) top = "bundle";
            if (!write_tar_gz("", top, out, out_, error)) {
                std::cerr << "pftriage: collect: " << error << "\n";
                return kDataErr;
            }
        } else {
            std::error_code ec;
            if (std::filesystem::exists(out_, ec) && !std::filesystem::is_empty(out_, ec)) {
                std::cerr << "pftriage: collect: " << out_ << " exists and is not empty\n";
                return kUsage;
            }
            if (!make_dir(out_, error)) {
                std::cerr << "pftriage: collect: " << error << "\n";
                return kDataErr;
            }
            for (const auto& [n, text] : out) {
                std::string path = out_;
                std::size_t i = 0;
                while (true) { // subdirectories (dig/, tls/), 0700
                    auto s = n.find('/', i);
                    if (s == std::string::npos) break;
                    if (!make_dir(out_ + "/" + n.substr(0, s), error)) break;
                    i = s + 1;
                }
                if (!write_file(out_ + "/" + n, text, error)) {
                    std::cerr << "pftriage: collect: " << error << "\n";
                    return kDataErr;
                }
            }
        }
        if (!c.quiet) {
            std::cerr << "pftriage: wrote " << out.size() << " files to " << out_ << "\n";
            for (const auto& s : skipped) std::cerr << "pftriage: left out " << s << "\n";
            if (c.verbose)
                for (const auto& [n, e] : rec.errors()) std::cerr << "pftriage: not collected: " << n << ": " << e << "\n";
        }
        return kOk;
    }

private:
    std::string out_;
    bool redact_ = false, redact_ips_ = false;
};

} // namespace

std::unique_ptr<Command> make_collect_command() { return std::make_unique<CollectCommand>(); }

} // namespace pft::cli
