// log_reader.cpp - chunked reading of plain/gzip files, standard input and in-memory
// text; rotated-set ordering; time specs; a reader thread feeding worker threads.
// It never interprets a line beyond finding its end, and it runs no programs.
#include "probes/log_reader.hpp"

#include "engine/fact.hpp"
#include "probes/parse/syslog_line.hpp"

#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <condition_variable>
#include <deque>
#include <exception>
#include <filesystem>
#include <mutex>
#include <thread>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace pft::probes {

std::size_t max_log_line() { return kMaxLogLine; }

namespace {

bool all_digits(std::string_view s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Rotation rank of a file name relative to nothing: (scheme, value).
// scheme 0 = "-YYYYMMDD" (older first by date), 1 = ".N" (older = larger N), 2 = live file.
struct Rank {
    int scheme = 2;
    long long value = 0;
    std::string base;
};

Rank rank_of(const std::string& path) {
    std::string name = std::filesystem::path(path).filename().string();
    Rank r;
    std::string n = name;
    if (n.size() > 3 && n.compare(n.size() - 3, 3, ".gz") == 0) n.resize(n.size() - 3);
    if (auto dot = n.rfind('.'); dot != std::string::npos && all_digits(std::string_view(n).substr(dot + 1)) &&
                                 n.size() - dot - 1 <= 4) {
        r.scheme = 1;
        r.value = std::stoll(n.substr(dot + 1));
        r.base = n.substr(0, dot);
        return r;
    }
    if (auto dash = n.rfind('-'); dash != std::string::npos && n.size() - dash - 1 == 8 &&
                                  all_digits(std::string_view(n).substr(dash + 1))) {
        r.scheme = 0;
        r.value = std::stoll(n.substr(dash + 1));
        r.base = n.substr(0, dash);
        return r;
    }
    r.base = name;
    return r;
}

bool older(const std::string& a, const std::string& b) {
    Rank ra = rank_of(a), rb = rank_of(b);
    if (ra.scheme != rb.scheme) return ra.scheme < rb.scheme;
    if (ra.value != rb.value) return ra.scheme == 1 ? ra.value > rb.value : ra.value < rb.value;
    return a < b;
}

} // namespace

std::optional<engine::TimePoint> parse_time_spec(std::string_view s, engine::TimePoint reference, std::string* error) {
    using namespace std::chrono;
    auto fail = [&](const char* why) -> std::optional<engine::TimePoint> {
        if (error) *error = std::string(why) + ": '" + engine::printable(std::string(s.substr(0, 64)), 64) + "'";
        return std::nullopt;
    };
    while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
    while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
    if (s.empty() || s.size() > 64) return fail("empty or too long time");
    // Relative: digits then one unit.
    if (s.size() >= 2 && all_digits(s.substr(0, s.size() - 1))) {
        long long n = std::stoll(std::string(s.substr(0, s.size() - 1)));
        if (n > 100000) return fail("relative time too large");
        switch (s.back()) {
        case 's': return reference - seconds{n};
        case 'm': return reference - minutes{n};
        case 'h': return reference - hours{n};
        case 'd': return reference - days{n};
        case 'w': return reference - weeks{n};
        default: return fail("unknown unit (use s, m, h, d or w)");
        }
    }
    std::string t(s);
    if (auto r = engine::parse_rfc3339(t)) return r;
    // "YYYY-MM-DD", "YYYY-MM-DD HH:MM", "YYYY-MM-DD HH:MM:SS", "YYYY-MM-DDTHH:MM" (UTC)
    int Y = 0, M = 0, D = 0, h = 0, mi = 0, sec = 0;
    char sep = 0;
    int n = 0;
    if (std::sscanf(t.c_str(), "%4d-%2d-%2d%n", &Y, &M, &D, &n) != 3 || n != 10) return fail("not a time");
    if (t.size() > 10) {
        sep = t[10];
        int m = 0;
        if ((sep != ' ' && sep != 'T') || std::sscanf(t.c_str() + 11, "%2d:%2d%n", &h, &mi, &m) != 2 || m != 5)
            return fail("not a time");
        std::size_t used = 16;
        if (t.size() > used) {
            int k = 0;
            if (t[used] != ':' || std::sscanf(t.c_str() + used + 1, "%2d%n", &sec, &k) != 1 || k != 2 ||
                t.size() != used + 3)
                return fail("not a time");
        }
    }
    year_month_day ymd{year{Y}, month{static_cast<unsigned>(M)}, day{static_cast<unsigned>(D)}};
    if (!ymd.ok() || h > 23 || mi > 59 || sec > 60) return fail("not a valid date");
    return engine::TimePoint{sys_days{ymd}} + hours{h} + minutes{mi} + seconds{sec};
}

TimeWindow default_triage_window(engine::TimePoint reference) {
    TimeWindow w;
    w.since = reference - std::chrono::hours{24};
    return w;
}

std::vector<std::string> rotated_set(const std::vector<std::string>& paths, bool expand) {
    namespace fs = std::filesystem;
    std::vector<std::string> out;
    for (const auto& p : paths) {
        out.push_back(p);
        if (!expand || p == "-") continue;
        Rank self = rank_of(p);
        if (self.scheme != 2) continue; // a rotated file names only itself
        fs::path fp(p);
        fs::path dir = fp.has_parent_path() ? fp.parent_path() : fs::path(".");
        std::string base = fp.filename().string();
        std::error_code ec;
        std::size_t seen = 0;
        for (fs::directory_iterator it(dir, ec), end; !ec && it != end && seen < 10000; it.increment(ec), ++seen) {
            std::string name = it->path().filename().string();
            if (name.size() <= base.size() || name.compare(0, base.size(), base) != 0) continue;
            Rank r = rank_of(name);
            if (r.scheme == 2 || r.base != base) continue;
            if (!it->is_regular_file(ec)) continue;
            out.push_back(fp.has_parent_path() ? (dir / name).string() : name);
        }
    }
    std::stable_sort(out.begin(), out.end(), [](const std::string& a, const std::string& b) {
        if (a == "-" || b == "-") return false;
        return older(a, b);
    });
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
}

// ---- the reader --------------------------------------------------------------

struct LogReader::Impl {
    std::size_t current = 0;       // next input to open
    bool open = false;
    std::size_t index = 0;         // input being read
    int fd = -1;
    gzFile gz = nullptr;
    std::size_t text_pos = 0;      // in-memory input
    engine::TimePoint reference{};
    std::uint64_t offset = 0;
    std::string carry;             // partial last line of the previous chunk
    bool skipping = false;         // inside an over-long line: drop up to the newline

    void close() {
        if (gz) gzclose(gz); // closes fd too
        else if (fd > 0) ::close(fd);
        gz = nullptr;
        fd = -1;
        open = false;
        carry.clear();
        skipping = false;
    }
    ~Impl() { close(); }
};

LogReader::LogReader(std::vector<LogInput> inputs, std::size_t chunk_size)
    : inputs_(std::move(inputs)), chunk_size_(std::max<std::size_t>(chunk_size, 4096)), impl_(std::make_unique<Impl>()) {}

LogReader::~LogReader() = default;

std::uint64_t LogReader::total_file_bytes() const {
    std::uint64_t total = 0;
    for (const auto& in : inputs_) {
        if (in.path.empty()) {
            total += in.text.size();
            continue;
        }
        struct stat st {};
        if (in.path != "-" && ::stat(in.path.c_str(), &st) == 0 && S_ISREG(st.st_mode))
            total += static_cast<std::uint64_t>(st.st_size);
    }
    return total;
}

// Fills buf with the next chunk of whole lines of the current input (opening the
// next input when needed). False when every input is exhausted.
bool LogReader::fill(std::string& buf, LogChunk& chunk) {
    Impl& im = *impl_;
    buf.resize(chunk_size_);
    for (;;) {
        if (!im.open) {
            if (im.current >= inputs_.size()) return false;
            im.index = im.current++;
            const LogInput& in = inputs_[im.index];
            const std::string label = in.label.empty() ? in.path : in.label;
            im.offset = 0;
            im.text_pos = 0;
            im.reference = in.reference.value_or(
                std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now()));
            if (in.path.empty()) {
                im.open = true;
            } else if (in.path == "-") {
                im.fd = ::dup(0);
                im.gz = im.fd >= 0 ? gzdopen(im.fd, "rb") : nullptr;
                if (!im.gz) {
                    stats_.errors.push_back("standard input: cannot read");
                    if (im.fd >= 0) ::close(im.fd);
                    im.fd = -1;
                    continue;
                }
                gzbuffer(im.gz, 256 * 1024);
                im.open = true;
            } else {
                im.fd = ::open(in.path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY);
                struct stat st {};
                if (im.fd < 0 || ::fstat(im.fd, &st) != 0 || S_ISDIR(st.st_mode)) {
                    stats_.errors.push_back(engine::printable(label, 200) + ": cannot open: " +
                                            (im.fd < 0 ? std::strerror(errno) : "a directory"));
                    if (im.fd >= 0) ::close(im.fd);
                    im.fd = -1;
                    continue;
                }
                if (!in.reference) im.reference = engine::TimePoint{std::chrono::seconds{st.st_mtim.tv_sec}};
                unsigned char magic[2] = {0, 0};
                if (S_ISREG(st.st_mode) && ::pread(im.fd, magic, 2, 0) == 2 && magic[0] == 0x1f && magic[1] == 0x8b) {
                    im.gz = gzdopen(im.fd, "rb");
                    if (!im.gz) {
                        stats_.errors.push_back(engine::printable(label, 200) + ": cannot read gzip data");
                        ::close(im.fd);
                        im.fd = -1;
                        continue;
                    }
                    gzbuffer(im.gz, 256 * 1024);
                } else {
                    ::posix_fadvise(im.fd, 0, 0, POSIX_FADV_SEQUENTIAL);
                }
                im.open = true;
            }
        }

        const LogInput& in = inputs_[im.index];
        std::size_t n = im.carry.size();
        std::memcpy(buf.data(), im.carry.data(), n);
        im.carry.clear();
        bool eof = false;
        while (n < buf.size() && !eof) {
            std::size_t want = buf.size() - n;
            long got = 0;
            if (in.path.empty()) {
                got = static_cast<long>(std::min(want, in.text.size() - im.text_pos));
                std::memcpy(buf.data() + n, in.text.data() + im.text_pos, static_cast<std::size_t>(got));
                im.text_pos += static_cast<std::size_t>(got);
            } else if (im.gz) {
                got = gzread(im.gz, buf.data() + n, static_cast<unsigned>(std::min<std::size_t>(want, 1u << 30)));
                if (got < 0) {
                    int zerr = 0;
                    const char* msg = gzerror(im.gz, &zerr);
                    stats_.errors.push_back(engine::printable(in.label.empty() ? in.path : in.label, 200) +
                                            ": gzip: " + (msg ? msg : "read error"));
                    got = 0;
                }
            } else {
                ssize_t r = ::read(im.fd, buf.data() + n, want);
                if (r < 0 && errno == EINTR) continue;
                if (r < 0) {
                    stats_.errors.push_back(engine::printable(in.path, 200) + ": read error: " + std::strerror(errno));
                    r = 0;
                }
                got = r;
            }
            if (got == 0) {
                int zerr = Z_OK;
                if (im.gz && (gzerror(im.gz, &zerr), zerr == Z_BUF_ERROR))
                    stats_.errors.push_back(engine::printable(in.label.empty() ? in.path : in.label, 200) +
                                            ": gzip data ends early (truncated file?)");
                eof = true;
                break;
            }
            std::size_t start = n;
            n += static_cast<std::size_t>(got);
            if (im.skipping) {
                const void* nl = std::memchr(buf.data() + start, '\n', n - start);
                if (!nl) {
                    n = start;
                    continue;
                }
                std::size_t k = static_cast<std::size_t>(static_cast<const char*>(nl) - buf.data()) + 1;
                std::memmove(buf.data() + start, buf.data() + k, n - k);
                n = start + (n - k);
                im.skipping = false;
            }
        }
        if (n == 0) {
            im.close();
            continue;
        }
        std::size_t len = n;
        if (!eof) {
            // Full buffer: cut after the last newline; the rest waits for the next chunk.
            const char* base = buf.data();
            std::size_t k = n;
            while (k > 0 && base[k - 1] != '\n') --k;
            if (k == 0) {
                ++stats_.long_lines_cut; // one line longer than a chunk: keep its head only
                const LogInput& in = inputs_[im.index];
                std::string label = engine::printable(in.label.empty() ? in.path : in.label, 200);
                if (std::find(stats_.long_line_inputs.begin(), stats_.long_line_inputs.end(), label) ==
                    stats_.long_line_inputs.end())
                    stats_.long_line_inputs.push_back(label);
                im.skipping = true;
            } else {
                im.carry.assign(base + k, n - k);
                len = k;
            }
        }
        stats_.bytes += len;
        chunk.text = std::string_view(buf.data(), len);
        chunk.input = im.index;
        chunk.reference = im.reference;
        chunk.offset = im.offset;
        im.offset += len;
        if (eof) im.close();
        return true;
    }
}

bool LogReader::next(LogChunk& chunk) {
    if (!single_buf_) single_buf_ = std::make_unique<std::string>();
    return fill(*single_buf_, chunk);
}

void LogReader::run_parallel(unsigned workers, const std::function<void(const LogChunk&, unsigned)>& work,
                             const std::function<void(std::uint64_t)>& progress) {
    workers = std::max(1u, workers);
    struct Slot {
        std::string buf;
        LogChunk chunk;
    };
    std::vector<Slot> slots(workers + 2);
    std::deque<Slot*> free_q, full_q;
    for (auto& s : slots) free_q.push_back(&s);
    std::mutex mu;
    std::condition_variable cv_full, cv_free;
    bool done = false;
    std::exception_ptr failure;

    std::vector<std::thread> threads;
    for (unsigned w = 0; w < workers; ++w) {
        threads.emplace_back([&, w] {
            for (;;) {
                Slot* s = nullptr;
                {
                    std::unique_lock lk(mu);
                    cv_full.wait(lk, [&] { return !full_q.empty() || done; });
                    if (full_q.empty()) return;
                    s = full_q.front();
                    full_q.pop_front();
                }
                try {
                    if (!failure) work(s->chunk, w);
                } catch (...) {
                    std::lock_guard lk(mu);
                    if (!failure) failure = std::current_exception();
                }
                {
                    std::lock_guard lk(mu);
                    free_q.push_back(s);
                }
                cv_free.notify_one();
            }
        });
    }
    for (;;) {
        Slot* s = nullptr;
        {
            std::unique_lock lk(mu);
            cv_free.wait(lk, [&] { return !free_q.empty(); });
            s = free_q.front();
            free_q.pop_front();
            if (failure) break;
        }
        if (!fill(s->buf, s->chunk)) break;
        {
            std::lock_guard lk(mu);
            full_q.push_back(s);
        }
        cv_full.notify_one();
        if (progress) progress(stats_.bytes);
    }
    {
        std::lock_guard lk(mu);
        done = true;
    }
    cv_full.notify_all();
    for (auto& t : threads) t.join();
    if (failure) std::rethrow_exception(failure);
}

std::optional<engine::TimePoint> newest_time_at_end(const std::string& path, engine::TimePoint reference) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) return std::nullopt;
    struct stat st {};
    std::optional<engine::TimePoint> newest;
    unsigned char magic[2] = {0, 0};
    if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && !(::pread(fd, magic, 2, 0) == 2 && magic[0] == 0x1f && magic[1] == 0x8b)) {
        const off_t tail = 64 * 1024;
        off_t from = st.st_size > tail ? st.st_size - tail : 0;
        std::string buf(static_cast<std::size_t>(st.st_size - from), '\0');
        ssize_t r = ::pread(fd, buf.data(), buf.size(), from);
        if (r > 0) {
            buf.resize(static_cast<std::size_t>(r));
            std::string_view text(buf);
            if (from > 0) {
                auto nl = text.find('\n');
                text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
            }
            for_each_line(text, [&](std::string_view line) {
                auto l = parse_syslog_line(line, reference);
                if (l.time && (!newest || *l.time > *newest)) newest = l.time;
            });
        }
    }
    ::close(fd);
    return newest;
}

} // namespace pft::probes
