// bundle_source_test.cpp - BundleSource on directories and .tar.gz archives, including
// hostile ones: escaping symlinks, FIFOs, '..' and absolute entries, oversized files.
#include "probe_test_support.hpp"
#include "probes/bundle_source.hpp"

#include <catch2/catch.hpp>

#include <archive.h>
#include <archive_entry.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace pft::probes;
using namespace pft::probes::test;

namespace {

bool any_warning(const Source& s, const std::string& needle) {
    for (const auto& w : s.warnings())
        if (w.find(needle) != std::string::npos) return true;
    return false;
}

struct TarEntry {
    enum Kind { File, Symlink, Hardlink, Fifo, Dir };
    TarEntry(std::string n, std::string d, Kind k = File, std::string t = "")
        : name(std::move(n)), data(std::move(d)), kind(k), target(std::move(t)) {}
    std::string name;
    std::string data;
    Kind kind;
    std::string target;
};

void write_tar_gz(const std::string& path, const std::vector<TarEntry>& entries) {
    struct archive* a = archive_write_new();
    archive_write_add_filter_gzip(a);
    archive_write_set_format_pax_restricted(a);
    REQUIRE(archive_write_open_filename(a, path.c_str()) == ARCHIVE_OK);
    for (const auto& e : entries) {
        struct archive_entry* ae = archive_entry_new();
        archive_entry_set_pathname(ae, e.name.c_str());
        archive_entry_set_mtime(ae, 1795608257, 0);
        archive_entry_set_perm(ae, 0644);
        switch (e.kind) {
        case TarEntry::File:
            archive_entry_set_filetype(ae, AE_IFREG);
            archive_entry_set_size(ae, static_cast<la_int64_t>(e.data.size()));
            break;
        case TarEntry::Symlink:
            archive_entry_set_filetype(ae, AE_IFLNK);
            archive_entry_set_symlink(ae, e.target.c_str());
            break;
        case TarEntry::Hardlink:
            archive_entry_set_filetype(ae, AE_IFREG);
            archive_entry_set_hardlink(ae, e.target.c_str());
            archive_entry_set_size(ae, 0);
            break;
        case TarEntry::Fifo: archive_entry_set_filetype(ae, AE_IFIFO); break;
        case TarEntry::Dir: archive_entry_set_filetype(ae, AE_IFDIR); break;
        }
        archive_write_header(a, ae);
        if (e.kind == TarEntry::File && !e.data.empty()) archive_write_data(a, e.data.data(), e.data.size());
        archive_entry_free(ae);
    }
    archive_write_close(a);
    archive_write_free(a);
}

void copy_fixture_to(const std::string& dir) {
    std::filesystem::copy(bundle_fixture(), dir, std::filesystem::copy_options::recursive);
}

} // namespace

TEST_CASE("bundle directory: artefacts, MANIFEST keys and collected_at as now", "[bundle]") {
    std::string err;
    auto b = open_bundle(bundle_fixture(), &err);
    REQUIRE(b);
    CHECK_FALSE(b->is_live());
    CHECK(b->describe() == "bundle " + bundle_fixture());
    auto a = b->get("postconf-n.txt");
    REQUIRE(a.ok);
    CHECK(a.origin == "bundle:postconf-n.txt");
    CHECK(a.text == slurp(bundle_fixture() + "/postconf-n.txt"));
    CHECK(b->manifest("hostname") == "pfx-probes.test");
    CHECK(b->manifest("server_ips") == "192.0.2.10 2001:db8::10");
    CHECK_FALSE(b->manifest("nope"));
    CHECK(pft::engine::format_time(b->now()) == "2026-11-25T14:04:17Z");
    CHECK(b->warnings().empty());
}

TEST_CASE("bundle directory: a missing file is 'not in bundle', never an error", "[bundle]") {
    auto b = open_bundle(bundle_fixture(), nullptr);
    REQUIRE(b);
    auto a = b->get("dig/MX_example.org.txt");
    CHECK_FALSE(a.ok);
    CHECK(a.error == "dig/MX_example.org.txt not in bundle");
    CHECK(b->warnings().empty());
}

TEST_CASE("bundle directory: a symlink escaping the bundle is refused with a warning", "[bundle][hostile]") {
    TempDir t;
    std::string dir = t / "b";
    copy_fixture_to(dir);
    std::filesystem::remove(dir + "/postconf.txt");
    std::filesystem::create_symlink("/etc/passwd", dir + "/postconf.txt");
    std::filesystem::create_directory(t / "outside");
    spit(t / "outside/TXT_x.txt", "secret");
    std::filesystem::create_directory_symlink("../outside", dir + "/dig");
    // a link that stays inside is fine
    std::filesystem::create_symlink("postconf-n.txt", dir + "/alias.txt");
    auto b = open_bundle(dir, nullptr);
    REQUIRE(b);
    auto a = b->get("postconf.txt");
    CHECK_FALSE(a.ok);
    CHECK(a.text.empty());
    CHECK(a.error.find("outside the bundle") != std::string::npos);
    CHECK(any_warning(*b, "postconf.txt: refused"));
    CHECK_FALSE(b->get("dig/TXT_x.txt").ok);
    CHECK(any_warning(*b, "dig/TXT_x.txt: refused"));
    CHECK(b->get("alias.txt").ok);
}

TEST_CASE("bundle directory: a FIFO is refused without blocking", "[bundle][hostile]") {
    TempDir t;
    std::string dir = t / "b";
    copy_fixture_to(dir);
    std::filesystem::remove(dir + "/mailq.txt");
    REQUIRE(::mkfifo((dir + "/mailq.txt").c_str(), 0600) == 0);
    auto b = open_bundle(dir, nullptr);
    auto a = b->get("mailq.txt");
    CHECK_FALSE(a.ok);
    CHECK(a.error.find("FIFO") != std::string::npos);
    CHECK(any_warning(*b, "mailq.txt: refused: a FIFO"));
}

TEST_CASE("bundle: names with '..', absolute paths or control bytes are refused", "[bundle][hostile]") {
    auto b = open_bundle(bundle_fixture(), nullptr);
    for (std::string n : {"../bundle-deferred/MANIFEST", "/etc/passwd", "dig/../MANIFEST", "a\nb", "", "dig//x"}) {
        CAPTURE(n);
        CHECK_FALSE(b->get(n).ok);
    }
    CHECK(b->warnings().size() == 6);
}

TEST_CASE("bundle directory: a file over the size limit is cut and marked truncated", "[bundle]") {
    BundleLimits lim;
    lim.max_file = 100;
    auto b = BundleSource::from_directory(bundle_fixture(), nullptr, lim);
    auto a = b->get("postconf.txt");
    REQUIRE(a.ok);
    CHECK(a.truncated);
    CHECK(a.text.size() == 100);
    CHECK(any_warning(*b, "postconf.txt: larger than"));
    // the mail log keeps its newest part, from a line start
    auto m = b->get("maillog");
    REQUIRE(m.ok);
    CHECK(m.truncated);
    CHECK(m.text.size() < 100);
    auto whole = slurp(bundle_fixture() + "/maillog");
    CHECK(whole.substr(whole.size() - m.text.size()) == m.text);
}

TEST_CASE("bundle directory: without MANIFEST, now is the newest file time, with a warning", "[bundle]") {
    TempDir t;
    std::string dir = t / "b";
    copy_fixture_to(dir);
    std::filesystem::remove(dir + "/MANIFEST");
    auto b = open_bundle(dir, nullptr);
    REQUIRE(b);
    CHECK(any_warning(*b, "MANIFEST not in bundle"));
    CHECK(any_warning(*b, "newest file time"));
    struct stat st {};
    REQUIRE(::stat((dir + "/postconf.txt").c_str(), &st) == 0);
    CHECK(b->now().time_since_epoch().count() >= st.st_mtime);
    CHECK_FALSE(b->manifest("hostname"));
}

TEST_CASE("bundle: bad MANIFEST lines are warned about as MANIFEST:LINE", "[bundle]") {
    TempDir t;
    std::string dir = t / "b";
    std::filesystem::create_directory(dir);
    spit(dir + "/MANIFEST", "format: 1\nthis line has no key\nhostname: h1\nhostname: h2\ncollected_at: yesterday\n");
    auto b = open_bundle(dir, nullptr);
    REQUIRE(b);
    CHECK(any_warning(*b, "MANIFEST:2: expected 'key: value'"));
    CHECK(any_warning(*b, "MANIFEST:4: duplicate key"));
    CHECK(any_warning(*b, "collected_at 'yesterday' is not an RFC 3339 time"));
    CHECK(b->manifest("hostname") == "h1");
}

TEST_CASE("bundle .tar.gz: read into memory, top directory stripped, inside links followed", "[bundle][archive]") {
    TempDir t;
    std::string tgz = t / "b.tar.gz";
    write_tar_gz(tgz, {{"./host-1/", "", TarEntry::Dir, ""},
                       {"./host-1/MANIFEST", "hostname: h\ncollected_at: 2026-11-25T14:04:17Z\n"},
                       {"./host-1/postconf-n.txt", "relayhost = x\n"},
                       {"./host-1/dig/A_x.txt", "a"},
                       {"./host-1/alias.txt", "", TarEntry::Symlink, "postconf-n.txt"},
                       {"./host-1/hard.txt", "", TarEntry::Hardlink, "./host-1/postconf-n.txt"}});
    std::string err;
    auto b = open_bundle(tgz, &err);
    REQUIRE(b);
    CHECK(b->warnings().empty());
    CHECK(b->manifest("hostname") == "h");
    CHECK(pft::engine::format_time(b->now()) == "2026-11-25T14:04:17Z");
    CHECK(b->get("postconf-n.txt").text == "relayhost = x\n");
    CHECK(b->get("dig/A_x.txt").text == "a");
    CHECK(b->get("alias.txt").text == "relayhost = x\n");
    CHECK(b->get("hard.txt").text == "relayhost = x\n");
    CHECK(b->get("mailq.txt").error == "mailq.txt not in bundle");
}

TEST_CASE("bundle .tar.gz: '..', absolute, escaping links and special files are refused by name",
          "[bundle][archive][hostile]") {
    TempDir t;
    std::string tgz = t / "b.tar.gz";
    write_tar_gz(tgz, {{"MANIFEST", "hostname: h\n"},
                       {"../evil.txt", "x"},
                       {"/etc/cron.d/evil", "x"},
                       {"dig/../../up.txt", "x"},
                       {"postconf.txt", "", TarEntry::Symlink, "/etc/passwd"},
                       {"main.cf", "", TarEntry::Symlink, "../../etc/postfix/main.cf"},
                       {"master.cf", "", TarEntry::Hardlink, "../outside"},
                       {"mailq.txt", "", TarEntry::Fifo, ""},
                       {"ok.txt", "fine"}});
    auto b = open_bundle(tgz, nullptr);
    REQUIRE(b);
    for (std::string n : {"../evil.txt", "/etc/cron.d/evil", "dig/../../up.txt", "postconf.txt", "main.cf",
                          "master.cf", "mailq.txt"}) {
        CAPTURE(n);
        CHECK(any_warning(*b, "archive entry " + n + ": refused"));
    }
    CHECK_FALSE(b->get("postconf.txt").ok);
    CHECK_FALSE(b->get("main.cf").ok);
    CHECK_FALSE(b->get("mailq.txt").ok);
    CHECK(b->get("ok.txt").text == "fine");
    CHECK(any_warning(*b, "MANIFEST: no collected_at"));
}

TEST_CASE("bundle .tar.gz: entries over 64 MiB-style limits are refused, the total is bounded",
          "[bundle][archive][hostile]") {
    TempDir t;
    std::string tgz = t / "b.tar.gz";
    write_tar_gz(tgz, {{"MANIFEST", "hostname: h\n"},
                       {"big.txt", std::string(5000, 'x')},
                       {"a.txt", std::string(900, 'a')},
                       {"b.txt", std::string(900, 'b')}});
    BundleLimits lim;
    lim.max_file = 1000;
    lim.max_total = 1500;
    auto b = BundleSource::from_archive(tgz, nullptr, lim);
    REQUIRE(b);
    CHECK(any_warning(*b, "archive entry big.txt: refused: larger than"));
    CHECK_FALSE(b->get("big.txt").ok);
    CHECK(b->get("a.txt").ok);
    CHECK_FALSE(b->get("b.txt").ok);
    CHECK(any_warning(*b, "entry b.txt skipped"));
}

TEST_CASE("bundle: a file that is not an archive, or a missing path, gives an error", "[bundle][archive]") {
    TempDir t;
    spit(t / "junk.tar.gz", "this is not gzip at all");
    std::string err;
    CHECK_FALSE(open_bundle(t / "junk.tar.gz", &err));
    CHECK(err.find("junk.tar.gz") != std::string::npos);
    CHECK_FALSE(open_bundle(t / "nope", &err));
    CHECK(err.find("nope") != std::string::npos);
}

TEST_CASE("bundle .tar.gz: junk entries cannot crowd out the evidence (decompression bomb)",
          "[bundle][archive][hostile]") {
    TempDir t;
    std::string tgz = t / "bomb.tar.gz";
    // Zeros compress about 1000:1; the junk comes first, the evidence after it.
    std::vector<TarEntry> es;
    for (int i = 0; i < 6; ++i) es.push_back({"junk" + std::to_string(i) + ".bin", std::string(3000, '\0')});
    es.push_back({"MANIFEST", "hostname: h\ncollected_at: 2026-11-25T14:04:17Z\n"});
    es.push_back({"postconf.txt", "relayhost = [relay.example.org]\n"});
    es.push_back({"dig/MX_example.org.txt", std::string(2000, 'x')});
    write_tar_gz(tgz, es);
    BundleLimits lim;
    lim.max_file = 4000;
    lim.max_total = 9000;
    lim.max_other = 5000;
    auto b = BundleSource::from_archive(tgz, nullptr, lim);
    REQUIRE(b);
    CHECK(b->get("junk0.bin").ok);
    CHECK_FALSE(b->get("junk1.bin").ok);
    CHECK(any_warning(*b, "not bundle artefacts; entry junk1.bin skipped"));
    CHECK(b->manifest("hostname") == "h");
    CHECK(b->get("postconf.txt").text == "relayhost = [relay.example.org]\n");
    CHECK(b->get("dig/MX_example.org.txt").ok);

    // The time bound: decompressing more than max_scan in all stops the reading, named.
    lim.max_scan = 10000;
    auto c = BundleSource::from_archive(tgz, nullptr, lim);
    REQUIRE(c);
    CHECK(any_warning(*c, "bomb.tar.gz: more than"));
    CHECK(any_warning(*c, "stopped at entry junk3.bin"));
}

TEST_CASE("bundle .tar.gz: a truncated archive keeps the entries before the cut, with a warning",
          "[bundle][archive][hostile]") {
    TempDir t;
    std::string tgz = t / "cut.tar.gz";
    std::string filler;
    for (int i = 0; i < 20000; ++i) filler += std::to_string(i * 7919) + " ";
    write_tar_gz(tgz, {{"MANIFEST", "hostname: h\ncollected_at: 2026-11-25T14:04:17Z\n"},
                       {"postconf.txt", "relayhost = x\n"},
                       {"maillog", filler}});
    std::string whole = slurp(tgz);
    spit(tgz, whole.substr(0, whole.size() - 2000));
    auto b = open_bundle(tgz, nullptr);
    REQUIRE(b);
    CHECK(b->get("postconf.txt").text == "relayhost = x\n");
    CHECK_FALSE(b->get("maillog").ok);
    CHECK(any_warning(*b, "archive entry maillog: read error"));
}
