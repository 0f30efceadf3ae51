// test_log_reader.cpp - the streaming reader: chunking at line boundaries, gzip (also
// multi-member), rotated sets in time order, standard input, bounded lines, year
// roll-over, the syslog formats, time specs, and threaded reading equal to sequential.
#include "corpus_support.hpp"
#include "probes/log_reader.hpp"
#include "probes/log_summary.hpp"

#include <catch2/catch.hpp>
#include <zlib.h>

#include <filesystem>
#include <fstream>
#include <fcntl.h>
#include <unistd.h>

using namespace pft;
using namespace pft::probes;
namespace fs = std::filesystem;

namespace {

engine::TimePoint at(int y, unsigned mo, unsigned d, int h = 0, int mi = 0, int s = 0) {
    using namespace std::chrono;
    return engine::TimePoint{sys_days{year{y} / month{mo} / day{d}}} + hours{h} + minutes{mi} + seconds{s};
}

struct TempDir {
    fs::path path;
    TempDir() {
        std::string tmpl = (fs::temp_directory_path() / "pft-logs-XXXXXX").string();
        path = ::mkdtemp(tmpl.data());
    }
    ~TempDir() {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
};

void write_file(const fs::path& p, const std::string& text) {
    std::ofstream(p, std::ios::binary) << text;
}

void write_gz(const fs::path& p, const std::vector<std::string>& members) {
    // Each string becomes its own gzip member, as `cat a.gz b.gz` would produce.
    std::string all;
    for (const auto& m : members) {
        fs::path part = p.string() + ".part";
        gzFile g = gzopen(part.c_str(), "wb");
        REQUIRE(g);
        gzwrite(g, m.data(), static_cast<unsigned>(m.size()));
        gzclose(g);
        std::ifstream in(part, std::ios::binary);
        all += std::string(std::istreambuf_iterator<char>(in), {});
        fs::remove(part);
    }
    write_file(p, all);
}

std::vector<std::string> read_all(std::vector<LogInput> inputs, std::size_t chunk = 4096) {
    LogReader r(std::move(inputs), chunk);
    std::vector<std::string> out;
    LogChunk c;
    while (r.next(c)) for_each_line(c.text, [&](std::string_view l) { out.emplace_back(l); });
    return out;
}

std::string numbered_lines(int from, int to) {
    std::string s;
    for (int i = from; i < to; ++i)
        s += "Nov 24 10:00:00 mx postfix/qmgr[1]: ABCDEF" + std::to_string(100000 + i) + ": removed\n";
    return s;
}

} // namespace

TEST_CASE("chunks end at line boundaries and keep every line in order", "[reader]") {
    TempDir d;
    std::string text = numbered_lines(0, 2000);
    write_file(d.path / "mail.log", text);
    auto lines = read_all({LogInput{(d.path / "mail.log").string(), {}, "", std::nullopt}}, 4096);
    REQUIRE(lines.size() == 2000);
    CHECK(lines[0].find("ABCDEF100000") != std::string::npos);
    CHECK(lines[1999].find("ABCDEF101999") != std::string::npos);
    // A last line without a newline is still read.
    write_file(d.path / "nonl.log", "a\nb\nlast");
    lines = read_all({LogInput{(d.path / "nonl.log").string(), {}, "", std::nullopt}});
    REQUIRE(lines.size() == 3);
    CHECK(lines[2] == "last");
}

TEST_CASE("gzip files are read transparently, concatenated members too", "[reader]") {
    TempDir d;
    write_gz(d.path / "mail.log.2.gz", {numbered_lines(0, 500), numbered_lines(500, 1000)});
    auto lines = read_all({LogInput{(d.path / "mail.log.2.gz").string(), {}, "", std::nullopt}}, 8192);
    REQUIRE(lines.size() == 1000);
    CHECK(lines[999].find("ABCDEF100999") != std::string::npos);
}

TEST_CASE("a corrupt gzip file is reported, not silently empty", "[reader]") {
    TempDir d;
    write_gz(d.path / "bad.gz", {numbered_lines(0, 3000)});
    std::string data;
    {
        std::ifstream in(d.path / "bad.gz", std::ios::binary);
        data.assign(std::istreambuf_iterator<char>(in), {});
    }
    data.resize(data.size() / 2);
    write_file(d.path / "bad.gz", data);
    LogReader r({LogInput{(d.path / "bad.gz").string(), {}, "", std::nullopt}});
    LogChunk c;
    while (r.next(c)) {}
    CHECK(!r.stats().errors.empty());
}

TEST_CASE("a rotated set is read oldest first from one path", "[reader]") {
    TempDir d;
    write_gz(d.path / "mail.log.10.gz", {numbered_lines(0, 10)});
    write_gz(d.path / "mail.log.2.gz", {numbered_lines(10, 20)});
    write_file(d.path / "mail.log.1", numbered_lines(20, 30));
    write_file(d.path / "mail.log", numbered_lines(30, 40));
    write_file(d.path / "mail.logx", "not part of the set\n");
    auto set = rotated_set({(d.path / "mail.log").string()}, true);
    REQUIRE(set.size() == 4);
    CHECK(fs::path(set[0]).filename() == "mail.log.10.gz");
    CHECK(fs::path(set[1]).filename() == "mail.log.2.gz");
    CHECK(fs::path(set[2]).filename() == "mail.log.1");
    CHECK(fs::path(set[3]).filename() == "mail.log");
    std::vector<LogInput> in;
    for (const auto& p : set) in.push_back(LogInput{p, {}, "", std::nullopt});
    auto lines = read_all(in);
    REQUIRE(lines.size() == 40);
    for (int i = 0; i < 40; ++i) CHECK(lines[static_cast<std::size_t>(i)].find("ABCDEF" + std::to_string(100000 + i)) != std::string::npos);

    // Several paths given in any order are sorted the same way, without expansion.
    auto two = rotated_set({(d.path / "mail.log").string(), (d.path / "mail.log.2.gz").string()}, false);
    REQUIRE(two.size() == 2);
    CHECK(fs::path(two[0]).filename() == "mail.log.2.gz");
    // Date-suffixed rotation (logrotate dateext).
    auto dated = rotated_set({"/x/mail.log", "/x/mail.log-20261124.gz", "/x/mail.log-20261117"}, false);
    CHECK(dated == std::vector<std::string>{"/x/mail.log-20261117", "/x/mail.log-20261124.gz", "/x/mail.log"});
}

TEST_CASE("standard input is read, plain or gzip", "[reader]") {
    TempDir d;
    write_gz(d.path / "in.gz", {numbered_lines(0, 100)});
    int saved = ::dup(0);
    REQUIRE(saved >= 0);
    int fd = ::open((d.path / "in.gz").c_str(), O_RDONLY);
    REQUIRE(fd >= 0);
    ::dup2(fd, 0);
    ::close(fd);
    auto lines = read_all({LogInput{"-", {}, "", std::nullopt}});
    ::dup2(saved, 0);
    ::close(saved);
    CHECK(lines.size() == 100);
}

TEST_CASE("over-long lines are cut and the following lines survive", "[reader]") {
    std::string text = "first\n" + std::string(3u << 20, 'x') + "\nafter\n";
    auto lines = read_all({LogInput{"", text, "mem", std::nullopt}}, 1u << 20);
    REQUIRE(lines.size() >= 3);
    CHECK(lines.front() == "first");
    CHECK(lines.back() == "after");
    for (const auto& l : lines) CHECK(l.size() <= kMaxLogLine);
}

TEST_CASE("year-less stamps roll over at new year against the file's reference", "[reader]") {
    std::string text = "Dec 31 23:59:58 mx postfix/qmgr[1]: ABCDEF12345: removed\n"
                       "Jan  1 00:00:02 mx postfix/qmgr[1]: ABCDEF12346: removed\n";
    LogInput in{"", text, "mem", at(2027, 1, 2)};
    ScanOptions so;
    so.threads = 1;
    LogScanner sc(test::shipped_signatures(), so);
    LogReader r({in});
    LogChunk c;
    while (r.next(c)) sc.scan_chunk(c);
    CHECK(sc.summary().first_time == at(2026, 12, 31, 23, 59, 58).time_since_epoch().count());
    CHECK(sc.summary().last_time == at(2027, 1, 1, 0, 0, 2).time_since_epoch().count());
}

TEST_CASE("every syslog format the line parser knows is counted as Postfix", "[reader]") {
    std::string text =
        "Nov 24 10:00:00 mx postfix/qmgr[1]: ABCDEF12345: removed\n"                         // traditional
        "Nov 04 10:00:00 mx postfix/qmgr[1]: ABCDEF12345: removed\n"                         // maillog_file (zero-padded day)
        "2026-11-24T10:00:00.123456+01:00 mx postfix/qmgr[1]: ABCDEF12345: removed\n"        // RFC 3339
        "2026-11-24T10:00:00+0000 mx postfix/qmgr[1]: ABCDEF12345: removed\n"                // journalctl short-iso
        "Nov 24 10:00:00 mx postfix-out/smtp[2]: connect to x.example[192.0.2.1]:25: Connection refused\n" // instance
        "Nov 24 10:00:00 mx postfix/submission/smtpd[3]: connect from a.example[192.0.2.9]\n"
        "Nov 24 10:00:00 mx dovecot: imap(u): Logged out\n";
    ScanOptions so;
    LogScanner sc(test::shipped_signatures(), so);
    sc.scan_chunk(LogChunk{text, 0, at(2026, 11, 25), 0});
    CHECK(sc.summary().lines_postfix == 6);
    CHECK(sc.summary().lines_other == 1);
    CHECK(sc.summary().lines_explained == 6);
    CHECK(sc.summary().connections == 1);
    CHECK(sc.summary().connect_failures.get("x.example[192.0.2.1]:25") == 1);
}

TEST_CASE("time specs: absolute, date-only and relative to the end of the log", "[reader]") {
    auto ref = at(2026, 11, 24, 12);
    CHECK(parse_time_spec("2h", ref) == at(2026, 11, 24, 10));
    CHECK(parse_time_spec("3d", ref) == at(2026, 11, 21, 12));
    CHECK(parse_time_spec("90s", ref) == at(2026, 11, 24, 11, 58, 30));
    CHECK(parse_time_spec("2026-11-24 10:00", ref) == at(2026, 11, 24, 10));
    CHECK(parse_time_spec("2026-11-24 10:00:05", ref) == at(2026, 11, 24, 10, 0, 5));
    CHECK(parse_time_spec("2026-11-24", ref) == at(2026, 11, 24));
    CHECK(parse_time_spec("2026-11-24T10:00:00+01:00", ref) == at(2026, 11, 24, 9));
    std::string err;
    CHECK(!parse_time_spec("yesterday", ref, &err));
    CHECK(!err.empty());
    CHECK(!parse_time_spec("5y", ref));
    CHECK(!parse_time_spec("2026-13-01", ref));
    auto w = default_triage_window(ref);
    CHECK(w.contains(at(2026, 11, 24, 1)));
    CHECK(!w.contains(at(2026, 11, 23, 11)));
}

TEST_CASE("the window keeps only lines inside it", "[reader]") {
    std::string text = "Nov 24 09:00:00 mx postfix/qmgr[1]: ABCDEF12345: removed\n"
                       "Nov 24 11:00:00 mx postfix/qmgr[1]: ABCDEF12346: removed\n";
    ScanOptions so;
    so.window.since = at(2026, 11, 24, 10);
    LogScanner sc(test::shipped_signatures(), so);
    sc.scan_chunk(LogChunk{text, 0, at(2026, 11, 25), 0});
    CHECK(sc.summary().lines_postfix == 1);
    CHECK(sc.summary().lines_outside_window == 1);
}

TEST_CASE("threaded reading gives the same summary as one thread", "[reader]") {
    std::string text;
    for (const char* f : {"infohtreasure-Postfix-Maillog-Dump__postfix-lines.log", "modoboa-stats__mail.log",
                          "kumina-postfix_exporter__test-lines.log"})
        for (const auto& l : test::read_lines(test::corpus_dir() + "/maillog-real/" + f)) text += test::fill_day(l) + "\n";
    auto run = [&](unsigned threads) {
        LogReader r({LogInput{"", text, "mem", at(2026, 11, 25)}}, 8192);
        ScanOptions so;
        so.threads = threads;
        return scan_logs(r, test::shipped_signatures(), so);
    };
    LogSummary a = run(1), b = run(2);
    CHECK(a.lines == b.lines);
    CHECK(a.lines_postfix == b.lines_postfix);
    CHECK(a.lines_explained == b.lines_explained);
    CHECK(a.delivered == b.delivered);
    CHECK(a.deferrals == b.deferrals);
    CHECK(a.deferred_messages() == b.deferred_messages());
    CHECK(a.bounced == b.bounced);
    CHECK(a.rejected == b.rejected);
    CHECK(a.warning_lines == b.warning_lines);
    CHECK(a.unmatched.size() == b.unmatched.size());
    CHECK(a.signature_hits == b.signature_hits);
    CHECK(a.delays[0].percentile(90) == b.delays[0].percentile(90));
}
