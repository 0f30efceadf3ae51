// chroot_probe_test.cpp - master.chroot from master.cf, and chroot.file_differs from
// chroot.txt made three real ways: by the live source (real postconf, real files), by
// the documented shell loop run through /bin/sh, and by render_chroot_txt on real files.
#include "probe_test_support.hpp"
#include "probes/builtin_probes.hpp"
#include "probes/exec.hpp"
#include "probes/live_source.hpp"
#include "probes/parse/chroot_files.hpp"

#include <catch2/catch.hpp>

#include <filesystem>

using namespace pft::probes;
using namespace pft::probes::test;

namespace {

std::string val(const std::vector<pft::engine::Fact>& f, const std::string& n, const std::string& s) {
    auto* x = find_fact(f, n, s);
    if (!x) return "absent";
    return x->known() ? x->value->to_string() : "unknown: " + x->unknown_reason;
}

ProbeRun run_one(Source& src, std::unique_ptr<Probe> p) {
    std::vector<std::unique_ptr<Probe>> v;
    v.push_back(std::move(p));
    return run_all(src, v, false);
}

// A host /etc and a chroot etc/ with one file the same, one different, one not copied.
void make_etc(const TempDir& d) {
    std::filesystem::create_directories(d / "etc");
    std::filesystem::create_directories(d / "spool/etc");
    spit(d / "etc/resolv.conf", "nameserver 192.0.2.53\n");
    spit(d / "spool/etc/resolv.conf", "nameserver 198.51.100.1\n"); // the old resolver
    spit(d / "etc/hosts", "127.0.0.1 localhost\n");
    spit(d / "spool/etc/hosts", "127.0.0.1 localhost\n");
    spit(d / "etc/services", "smtp 25/tcp mail\n"); // never copied into the chroot
}

} // namespace

TEST_CASE("master.chroot from the fifth master.cf field", "[chroot][postconf]") {
    MemorySource src;
    src.files["postconf-M.txt"] = "smtp       inet  n       -       y       -       -       smtpd\n"
                                  "pickup     unix  n       -       -       60      1       pickup\n"
                                  "local      unix  -       n       n       -       -       local\n";
    auto run = run_one(src, make_postconf_probe());
    CHECK(val(run.facts, "master.chroot", "smtp/inet") == "true");
    CHECK(val(run.facts, "master.chroot", "pickup/unix") == "false");
    CHECK(val(run.facts, "master.chroot", "local/unix") == "false");
}

TEST_CASE("chroot.txt rendered from real files feeds chroot.file_differs", "[chroot][probe]") {
    TempDir d;
    make_etc(d);
    std::string txt = parse::render_chroot_txt(d / "etc", d / "spool/etc", parse::chroot_copied_files());
    CHECK(txt == "differs " + (d / "etc/resolv.conf") + "\nsame " + (d / "etc/hosts") + "\nmissing " +
                     (d / "etc/services") + "\n"); // localtime and nsswitch.conf: not on this "host", left out
    MemorySource src;
    src.files["chroot.txt"] = txt;
    auto run = run_one(src, make_chroot_probe());
    CHECK(val(run.facts, "chroot.file_differs", d / "etc/resolv.conf") == "true");
    CHECK(val(run.facts, "chroot.file_differs", d / "etc/hosts") == "false");
    CHECK(val(run.facts, "chroot.file_differs", d / "etc/services") == "true");
    CHECK(run.warnings.empty());
}

TEST_CASE("the documented shell loop writes a chroot.txt the probe reads", "[chroot][probe]") {
    TempDir d;
    make_etc(d);
    // The loop of parse/chroot_files.hpp with /etc and the queue directory made relative to d.
    std::string script = "cd '" + d.path() + "' && Q=spool; for f in resolv.conf hosts services; do "
                         "if [ ! -e \"$Q/etc/$f\" ]; then echo \"missing /etc/$f\"; "
                         "elif cmp -s \"etc/$f\" \"$Q/etc/$f\"; then echo \"same /etc/$f\"; "
                         "else echo \"differs /etc/$f\"; fi; done";
    auto r = run_program({"/bin/sh", "-c", script}, std::chrono::seconds(10), 1u << 20);
    REQUIRE(r.exit_code == 0);
    CHECK(r.out == "differs /etc/resolv.conf\nsame /etc/hosts\nmissing /etc/services\n");
    MemorySource src;
    src.files["chroot.txt"] = r.out + "garbage line\n";
    auto run = run_one(src, make_chroot_probe());
    CHECK(val(run.facts, "chroot.file_differs", "/etc/resolv.conf") == "true");
    CHECK(val(run.facts, "chroot.file_differs", "/etc/hosts") == "false");
    CHECK(val(run.facts, "chroot.file_differs", "/etc/services") == "true");
    REQUIRE(run.warnings.size() == 1);
    CHECK(run.warnings[0].find("chroot.txt:4") != std::string::npos);
}

TEST_CASE("a bundle without chroot.txt leaves chroot.file_differs unknown", "[chroot][probe]") {
    MemorySource src;
    auto run = run_one(src, make_chroot_probe());
    auto v = val(run.facts, "chroot.file_differs", "");
    CHECK(v.rfind("unknown: ", 0) == 0);
    CHECK(v.find("chroot.txt") != std::string::npos);
}

TEST_CASE("live: chroot.txt compares this host's files with the real queue directory", "[chroot][live]") {
    TempDir d;
    make_etc(d);
    LiveOptions o;
    o.etc_dir = d / "etc";
    LiveSource live(o);
    auto a = live.get("chroot.txt");
    if (!a.ok) {
        // No Postfix here: the reason must say so, not a silent empty answer.
        CHECK(a.error.find("chroot.txt") != std::string::npos);
        return;
    }
    auto q = run_program({"postconf", "-h", "queue_directory"}, std::chrono::seconds(10), 1u << 20);
    REQUIRE(q.exit_code == 0);
    std::string chroot_etc = q.out.substr(0, q.out.find('\n')) + "/etc";
    // What the copies under the real queue directory say, judged independently here.
    auto expect = [&](const std::string& name) {
        std::string copy = chroot_etc + "/" + name;
        if (!std::filesystem::exists(copy)) return "missing " + (d / "etc/") + name;
        return (slurp(copy) == slurp(d / "etc/" + name) ? "same " : "differs ") + (d / "etc/") + name;
    };
    CHECK(a.text == expect("resolv.conf") + "\n" + expect("hosts") + "\n" + expect("services") + "\n");
    auto run = run_one(live, make_chroot_probe());
    CHECK(val(run.facts, "chroot.file_differs", d / "etc/resolv.conf") == "true"); // our resolver is nowhere else
}
