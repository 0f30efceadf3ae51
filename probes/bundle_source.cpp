// bundle_source.cpp - reading an evidence bundle without trusting it.
// Directory mode opens files lazily after a canonical-path check and a regular-file
// check (FIFOs and devices are never opened); archive mode extracts a .tar.gz into
// memory with per-entry and total bounds, refusing absolute names, "..", special
// files and links that point outside. Every refusal is a warning naming the entry.
#include "probes/bundle_source.hpp"

#include "engine/fact.hpp"
#include "probes/parse/line_cursor.hpp"

#include <archive.h>
#include <archive_entry.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <sys/stat.h>
#include <unistd.h>

namespace pft::probes {

namespace {

constexpr std::size_t max_manifest = 64 * 1024;
constexpr int max_link_hops = 8;

std::string mib(std::size_t n) { return std::to_string(n / (1024 * 1024)) + " MiB"; }

std::string clean_name(const std::string& s) { return engine::printable(s, 200); }

// Strips "./" prefixes and a trailing '/', returns "" for the archive root.
std::string normalize_entry(std::string n) {
    while (n.size() >= 2 && n[0] == '.' && n[1] == '/') n.erase(0, 2);
    while (!n.empty() && n.back() == '/') n.pop_back();
    if (n == ".") n.clear();
    return n;
}

// Resolves a symlink target relative to the link's directory, inside the bundle.
// Returns "" when it would leave the bundle.
std::string resolve_link(const std::string& link_name, const std::string& target) {
    if (target.empty() || target.front() == '/') return {};
    std::vector<std::string> parts;
    auto slash = link_name.rfind('/');
    std::string base = slash == std::string::npos ? "" : link_name.substr(0, slash);
    std::string all = base.empty() ? target : base + "/" + target;
    std::size_t i = 0;
    while (i <= all.size()) {
        auto j = all.find('/', i);
        if (j == std::string::npos) j = all.size();
        std::string c = all.substr(i, j - i);
        i = j + 1;
        if (c.empty() || c == ".") continue;
        if (c == "..") {
            if (parts.empty()) return {};
            parts.pop_back();
            continue;
        }
        parts.push_back(c);
    }
    std::string out;
    for (const auto& p : parts) out += (out.empty() ? "" : "/") + p;
    return out;
}

bool read_bounded(int fd, std::size_t max, std::string& out, bool& more) {
    out.clear();
    more = false;
    char buf[65536];
    while (true) {
        ssize_t n = ::read(fd, buf, sizeof buf);
        if (n < 0) {
            if (errno == EINTR) continue;
            return false;
        }
        if (n == 0) return true;
        std::size_t take = std::min(static_cast<std::size_t>(n), max - out.size());
        out.append(buf, take);
        if (take < static_cast<std::size_t>(n) || out.size() >= max) {
            // one more byte tells whether the file goes on
            if (take < static_cast<std::size_t>(n)) more = true;
            else {
                char c;
                ssize_t m = ::read(fd, &c, 1);
                more = m > 0;
            }
            return true;
        }
    }
}

// Whether a name (perhaps under the bundle's own top directory) is one the probes read:
// the spec's files, dig/, tls/ and tls-keymatch/ entries. Other archive entries may hold
// only a small share of the memory, so junk cannot crowd the evidence out.
bool is_artifact_name(const std::string& name) {
    static const char* const fixed[] = {"MANIFEST", "postconf.txt", "postconf-n.txt", "postconf-M.txt",
        "postconf-warnings.txt", "main.cf", "master.cf", "postfix-check.txt", "postfix-status.txt",
        "postqueue-j.txt", "mailq.txt", "maillog", "ss-tlnp.txt", "df.txt", "df-i.txt", "meminfo.txt",
        "loadavg.txt", "ls-etc-postfix.txt", "tables.txt", "dkim-selectors.txt", "collect.log"};
    auto known = [](std::string_view n) {
        for (const char* f : fixed)
            if (n == f) return true;
        return n.rfind("dig/", 0) == 0 || n.rfind("tls/", 0) == 0 || n.rfind("tls-keymatch/", 0) == 0;
    };
    auto slash = name.find('/');
    return known(name) || (slash != std::string::npos && known(std::string_view(name).substr(slash + 1)));
}

} // namespace

bool is_safe_relative_name(const std::string& name) {
    if (name.empty() || name.size() > 1024 || name.front() == '/') return false;
    for (unsigned char c : name)
        if (c < 0x20 || c == 0x7f || c == '\\') return false;
    std::size_t i = 0;
    while (i <= name.size()) {
        auto j = name.find('/', i);
        if (j == std::string::npos) j = name.size();
        std::string_view c(name.data() + i, j - i);
        if (c.empty() || c == "." || c == "..") return false;
        i = j + 1;
    }
    return true;
}

void BundleSource::warn(std::string w) const {
    std::lock_guard lk(mu_);
    // Several probes may read the same artefact: say each thing once.
    if (warnings_.size() < 1000 && std::find(warnings_.begin(), warnings_.end(), w) == warnings_.end())
        warnings_.push_back(std::move(w));
}

std::vector<std::string> BundleSource::warnings() const {
    std::lock_guard lk(mu_);
    return warnings_;
}

std::optional<std::string> BundleSource::manifest(const std::string& key) const {
    auto it = manifest_.find(key);
    if (it == manifest_.end()) return std::nullopt;
    return it->second;
}

std::unique_ptr<BundleSource> BundleSource::from_directory(const std::string& dir, std::string* error,
                                                           BundleLimits limits) {
    char real[PATH_MAX];
    struct stat st {};
    if (::stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode) || !::realpath(dir.c_str(), real)) {
        if (error) *error = dir + ": not a readable directory";
        return nullptr;
    }
    std::unique_ptr<BundleSource> b(new BundleSource());
    b->path_ = dir;
    b->root_ = real;
    b->limits_ = limits;
    b->load_manifest();
    return b;
}

Artifact BundleSource::read_dir_file(const std::string& name) {
    Artifact a;
    a.origin = "bundle:" + name;
    std::string full = root_ + "/" + name;
    struct stat st {};
    if (::lstat(full.c_str(), &st) != 0) {
        a.error = name + " not in bundle";
        return a;
    }
    char real[PATH_MAX];
    if (!::realpath(full.c_str(), real)) {
        a.error = name + ": refused: cannot resolve (" + std::strerror(errno) + ")";
        warn(a.error);
        return a;
    }
    std::string canon = real;
    std::string prefix = root_ == "/" ? "/" : root_ + "/";
    if (canon.compare(0, prefix.size(), prefix) != 0) {
        a.error = name + ": refused: it leads outside the bundle (" + clean_name(canon) + ")";
        warn(a.error);
        return a;
    }
    if (::stat(canon.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) {
        const char* what = S_ISFIFO(st.st_mode) ? "a FIFO" : S_ISDIR(st.st_mode) ? "a directory"
                         : S_ISSOCK(st.st_mode) ? "a socket" : (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode)) ? "a device"
                         : "not a regular file";
        a.error = name + ": refused: " + what + ", not a regular file";
        warn(a.error);
        return a;
    }
    int fd = ::open(canon.c_str(), O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) {
        a.error = name + ": cannot open: " + std::strerror(errno);
        warn(a.error);
        return a;
    }
    struct stat fst {};
    if (::fstat(fd, &fst) != 0 || !S_ISREG(fst.st_mode)) {
        ::close(fd);
        a.error = name + ": refused: not a regular file";
        warn(a.error);
        return a;
    }
    bool tail = name == "maillog" && static_cast<std::size_t>(fst.st_size) > limits_.max_file;
    if (tail) ::lseek(fd, fst.st_size - static_cast<off_t>(limits_.max_file), SEEK_SET);
    bool more = false;
    bool ok = read_bounded(fd, limits_.max_file, a.text, more);
    int err = errno;
    ::close(fd);
    if (!ok) {
        a.error = name + ": read error: " + std::strerror(err);
        warn(a.error);
        a.text.clear();
        return a;
    }
    if (tail) {
        auto nl = a.text.find('\n');
        a.text.erase(0, nl == std::string::npos ? a.text.size() : nl + 1);
        a.truncated = true;
        warn(name + ": larger than " + mib(limits_.max_file) + ", only its last " + mib(limits_.max_file) + " read");
    } else if (more) {
        a.truncated = true;
        warn(name + ": larger than " + mib(limits_.max_file) + ", only its first " + mib(limits_.max_file) + " read");
    }
    a.ok = true;
    return a;
}

std::unique_ptr<BundleSource> BundleSource::from_archive(const std::string& file, std::string* error,
                                                         BundleLimits limits) {
    std::unique_ptr<BundleSource> b(new BundleSource());
    b->path_ = file;
    b->archive_ = true;
    b->limits_ = limits;

    struct archive* ar = archive_read_new();
    archive_read_support_filter_gzip(ar);
    archive_read_support_filter_none(ar);
    archive_read_support_format_tar(ar);
    if (archive_read_open_filename(ar, file.c_str(), 65536) != ARCHIVE_OK) {
        if (error) *error = file + ": cannot open archive: " + clean_name(archive_error_string(ar) ? archive_error_string(ar) : "?");
        archive_read_free(ar);
        return nullptr;
    }
    std::size_t total = 0, other = 0, scanned = 0, count = 0;
    bool any_header = false;
    struct archive_entry* e = nullptr;
    while (true) {
        int r = archive_read_next_header(ar, &e);
        if (r == ARCHIVE_EOF) break;
        if (r == ARCHIVE_FATAL || r == ARCHIVE_RETRY) {
            std::string why = clean_name(archive_error_string(ar) ? archive_error_string(ar) : "unreadable");
            if (!any_header) {
                if (error) *error = file + ": not a bundle archive: " + why;
                archive_read_free(ar);
                return nullptr;
            }
            b->warn(file + ": archive damaged after " + std::to_string(count) + " entries: " + why);
            break;
        }
        any_header = true;
        if (++count > limits.max_entries) {
            b->warn(file + ": more than " + std::to_string(limits.max_entries) + " entries; the rest is ignored");
            break;
        }
        const char* raw = archive_entry_pathname(e);
        std::string shown = clean_name(raw ? raw : "");
        std::string name = normalize_entry(raw ? raw : "");
        auto type = archive_entry_filetype(e);
        if (name.empty() && type == AE_IFDIR) continue;
        if (!is_safe_relative_name(name)) {
            b->warn("archive entry " + shown + ": refused: absolute path, '..' or bad characters");
            continue;
        }
        if (type == AE_IFDIR) continue;
        Entry ent;
        ent.mtime = archive_entry_mtime(e);
        if (const char* hl = archive_entry_hardlink(e)) {
            std::string target = normalize_entry(hl);
            if (!is_safe_relative_name(target)) {
                b->warn("archive entry " + shown + ": refused: hard link to " + clean_name(hl) + " outside the bundle");
                continue;
            }
            ent.link = target;
            b->entries_[name] = std::move(ent);
            continue;
        }
        if (type == AE_IFLNK) {
            const char* t = archive_entry_symlink(e);
            std::string target = resolve_link(name, t ? t : "");
            if (target.empty() || !is_safe_relative_name(target)) {
                b->warn("archive entry " + shown + ": refused: symlink to " + clean_name(t ? t : "") + " outside the bundle");
                continue;
            }
            ent.link = target;
            b->entries_[name] = std::move(ent);
            continue;
        }
        if (type != AE_IFREG) {
            b->warn("archive entry " + shown + ": refused: not a regular file");
            continue;
        }
        if (archive_entry_size_is_set(e) && archive_entry_size(e) > static_cast<la_int64_t>(limits.max_file)) {
            b->warn("archive entry " + shown + ": refused: larger than " + mib(limits.max_file));
            // libarchive skips the data when the next header is read, decompressing it all the same.
            scanned += static_cast<std::size_t>(archive_entry_size(e));
            if (scanned > limits.max_scan) {
                b->warn(file + ": more than " + mib(limits.max_scan) + " decompressed; stopped at entry " + shown);
                break;
            }
            continue;
        }
        // Memory is bounded by what is kept (max_total, of which max_other for names no
        // probe reads); time by what is decompressed, kept or not (max_scan).
        bool artifact = is_artifact_name(name);
        bool too_big = false, stop = false;
        auto drop = [&] { // give back what this entry held
            total -= std::min(total, ent.data.size());
            if (!artifact) other -= std::min(other, ent.data.size());
            ent.data.clear();
            ent.data.shrink_to_fit();
            too_big = true;
        };
        char buf[65536];
        while (true) {
            la_ssize_t n = archive_read_data(ar, buf, sizeof buf);
            if (n == 0) break;
            if (n < 0) {
                b->warn("archive entry " + shown + ": read error: " +
                        clean_name(archive_error_string(ar) ? archive_error_string(ar) : "?"));
                stop = n == ARCHIVE_FATAL;
                drop(); // the partial entry
                break;
            }
            scanned += static_cast<std::size_t>(n);
            if (scanned > limits.max_scan) {
                b->warn(file + ": more than " + mib(limits.max_scan) + " decompressed; stopped at entry " + shown);
                drop();
                stop = true;
                break;
            }
            if (too_big) continue; // read through an entry we do not keep
            if (ent.data.size() + static_cast<std::size_t>(n) > limits.max_file) {
                b->warn("archive entry " + shown + ": refused: larger than " + mib(limits.max_file));
                drop();
                continue;
            }
            if (total + static_cast<std::size_t>(n) > limits.max_total ||
                (!artifact && other + static_cast<std::size_t>(n) > limits.max_other)) {
                b->warn(file + ": more than " + mib(artifact ? limits.max_total : limits.max_other) + " decompressed" +
                        (artifact ? "" : " in files that are not bundle artefacts") + "; entry " + shown + " skipped");
                drop();
                continue;
            }
            total += static_cast<std::size_t>(n);
            if (!artifact) other += static_cast<std::size_t>(n);
            ent.data.append(buf, static_cast<std::size_t>(n));
        }
        if (stop) break;
        if (too_big) continue;
        if (auto old = b->entries_.find(name); old != b->entries_.end()) {
            b->warn("archive entry " + shown + ": appears twice; the last one is used");
            total -= std::min(total, old->second.data.size());
            if (!artifact) other -= std::min(other, old->second.data.size());
        }
        b->entries_[name] = std::move(ent);
    }
    archive_read_free(ar);

    // A bundle packed with its directory ("host-2026.../MANIFEST"): strip that directory.
    if (!b->entries_.count("MANIFEST") && !b->entries_.empty()) {
        std::string first = b->entries_.begin()->first;
        std::string top = first.substr(0, first.find('/'));
        bool all_under = first.find('/') != std::string::npos;
        for (const auto& [n, _] : b->entries_)
            if (n.compare(0, top.size() + 1, top + "/") != 0) all_under = false;
        if (all_under) {
            std::map<std::string, Entry> moved;
            for (auto& [n, ent] : b->entries_) {
                if (!ent.link.empty()) {
                    if (ent.link.compare(0, top.size() + 1, top + "/") != 0) {
                        b->warn("archive entry " + clean_name(n) + ": refused: link outside the bundle directory");
                        continue;
                    }
                    ent.link = ent.link.substr(top.size() + 1);
                }
                moved[n.substr(top.size() + 1)] = std::move(ent);
            }
            b->entries_ = std::move(moved);
        }
    }
    b->load_manifest();
    return b;
}

Artifact BundleSource::read_entry(const std::string& name) {
    Artifact a;
    a.origin = "bundle:" + name;
    std::string cur = name;
    for (int hop = 0; hop <= max_link_hops; ++hop) {
        auto it = entries_.find(cur);
        if (it == entries_.end()) {
            a.error = hop == 0 ? name + " not in bundle" : name + ": link to missing entry " + clean_name(cur);
            if (hop > 0) warn(a.error);
            return a;
        }
        if (it->second.link.empty()) {
            a.ok = true;
            a.text = it->second.data;
            a.truncated = it->second.truncated;
            return a;
        }
        cur = it->second.link;
    }
    a.error = name + ": refused: too many links";
    warn(a.error);
    return a;
}

Artifact BundleSource::get(const std::string& name) {
    if (!is_safe_relative_name(name)) {
        Artifact a;
        a.origin = "bundle:" + clean_name(name);
        a.error = clean_name(name) + ": refused: not a plain relative name";
        warn(a.error);
        return a;
    }
    return archive_ ? read_entry(name) : read_dir_file(name);
}

std::int64_t BundleSource::newest_mtime() const {
    std::int64_t newest = 0;
    if (archive_) {
        for (const auto& [_, e] : entries_) newest = std::max(newest, e.mtime);
        return newest;
    }
    std::error_code ec;
    std::size_t seen = 0;
    for (auto it = std::filesystem::recursive_directory_iterator(
             root_, std::filesystem::directory_options::skip_permission_denied, ec);
         !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
        if (++seen > limits_.max_entries) break;
        struct stat st {};
        if (::lstat(it->path().c_str(), &st) == 0 && S_ISREG(st.st_mode))
            newest = std::max<std::int64_t>(newest, st.st_mtime);
    }
    return newest;
}

void BundleSource::load_manifest() {
    Artifact m = get("MANIFEST");
    if (!m.ok) {
        warn(m.error.find("not in bundle") != std::string::npos ? "MANIFEST not in bundle" : m.error);
    } else {
        std::string_view text(m.text);
        if (text.size() > max_manifest) {
            warn("MANIFEST: larger than 64 KiB, the rest is ignored");
            text = text.substr(0, max_manifest);
        }
        parse::LineCursor cur(text, 4096);
        parse::Line l;
        while (cur.next(l)) {
            std::string_view t = parse::trim(l.text);
            if (t.empty() || t.front() == '#') continue;
            auto colon = t.find(':');
            std::string_view key = colon == std::string_view::npos ? std::string_view{} : parse::trim(t.substr(0, colon));
            bool key_ok = !key.empty() && key.size() <= 64;
            for (char c : key)
                key_ok = key_ok && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                                    c == '_' || c == '-');
            std::string where = "MANIFEST:" + std::to_string(l.number) + ": ";
            if (!key_ok) {
                warn(where + "expected 'key: value', got: " + engine::printable(t, 80));
                continue;
            }
            std::string k(key);
            if (manifest_.count(k)) {
                warn(where + "duplicate key '" + k + "', the first one is used");
                continue;
            }
            std::string v = engine::printable(parse::trim(t.substr(colon + 1)), 4096);
            if (k == "format" && v != "1") warn(where + "format '" + v + "' is not supported; reading it as format 1");
            manifest_[k] = v;
        }
    }
    if (auto c = manifest("collected_at")) {
        if (auto t = engine::parse_rfc3339(*c)) {
            now_ = *t;
            return;
        }
        warn("MANIFEST: collected_at '" + engine::printable(*c, 60) + "' is not an RFC 3339 time");
    } else if (m.ok) {
        warn("MANIFEST: no collected_at");
    }
    now_ = engine::TimePoint{std::chrono::seconds{newest_mtime()}};
    warn("ages are measured from the newest file time in the bundle, " + engine::format_time(now_));
}

std::unique_ptr<Source> open_bundle(const std::string& path, std::string* error) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) {
        if (error) *error = path + ": " + std::strerror(errno);
        return nullptr;
    }
    if (S_ISDIR(st.st_mode)) return BundleSource::from_directory(path, error);
    if (S_ISREG(st.st_mode)) return BundleSource::from_archive(path, error);
    if (error) *error = path + ": neither a directory nor an archive file";
    return nullptr;
}

} // namespace pft::probes
