// live_source_test.cpp - LiveSource against a throwaway Postfix instance made in a
// temp directory (never /etc/postfix, never the system instance): its artefacts,
// and the same facts from the live host and from a bundle written from it.
#include "probe_test_support.hpp"
#include "probes/bundle_source.hpp"
#include "probes/exec.hpp"
#include "probes/live_source.hpp"

#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <memory>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

using namespace pft::probes;
using namespace pft::probes::test;

namespace {

bool postfix_installed() { return ::access("/usr/sbin/postconf", X_OK) == 0 && ::access("/etc/postfix/main.cf", R_OK) == 0; }

// A config directory copied from /etc/postfix with its own queue and data directories.
struct ThrowawayInstance {
    TempDir dir;
    std::string etc;
    explicit ThrowawayInstance(bool make_queue) {
        etc = dir / "etc";
        std::filesystem::create_directories(etc);
        for (const char* f : {"main.cf", "master.cf", "dynamicmaps.cf"}) {
            std::error_code ec;
            std::filesystem::copy_file(std::string("/etc/postfix/") + f, etc + "/" + f, ec);
        }
        std::filesystem::create_directories(dir / "spool");
        std::filesystem::create_directories(dir / "data");
        std::string main = slurp(etc + "/main.cf");
        main += "\n# throwaway instance for pftriage tests\nqueue_directory = " + dir.path() +
                "/spool\ndata_directory = " + dir.path() + "/data\nmyhostname = live-test.example\n";
        spit(etc + "/main.cf", main);
        // creates the queue directories inside the temp dir, as `postfix start` would
        if (make_queue) run_program({"postfix", "-c", etc, "check"}, std::chrono::seconds(30), 1 << 20);
    }
};

// Records what a live source returns, to write it out as a bundle.
class RecordingSource : public Source {
public:
    explicit RecordingSource(Source& inner) : inner_(inner), now_(inner.now()) {}
    Artifact get(const std::string& name) override {
        Artifact a = inner_.get(name);
        if (a.ok) files_[name] = a.text;
        return a;
    }
    pft::engine::TimePoint now() const override { return now_; }
    std::optional<std::string> manifest(const std::string& key) const override { return inner_.manifest(key); }
    std::string describe() const override { return "recording " + inner_.describe(); }
    bool is_live() const override { return true; }

    void write_bundle(const std::string& dir) const {
        std::filesystem::create_directories(dir);
        for (const auto& [n, t] : files_) {
            if (n.rfind("tls-keymatch/", 0) == 0) continue; // live only, never in a bundle
            std::filesystem::create_directories(std::filesystem::path(dir + "/" + n).parent_path());
            spit(dir + "/" + n, t);
        }
        std::string m = "format: 1\ncollected_at: " + pft::engine::format_time(now_) + "\ncollector: test\n";
        if (auto h = inner_.manifest("hostname")) m += "hostname: " + *h + "\n";
        spit(dir + "/MANIFEST", m);
    }
    const std::map<std::string, std::string>& files() const { return files_; }

private:
    Source& inner_;
    pft::engine::TimePoint now_;
    std::map<std::string, std::string> files_;
};

std::string key(const pft::engine::Fact& f) {
    return f.name + "[" + f.subject + "] = " + (f.known() ? f.value->to_string() : "unknown");
}

} // namespace

TEST_CASE("live source: postconf artefacts of a throwaway instance", "[live]") {
    if (!postfix_installed()) {
        WARN("postconf is not installed: skipping the live source tests");
        return;
    }
    ThrowawayInstance inst(false);
    LiveOptions o;
    o.config_dir = inst.etc;
    LiveSource live(o);
    CHECK(live.is_live());
    auto pc = live.get("postconf-n.txt");
    REQUIRE(pc.ok);
    CHECK(pc.origin == "command: postconf -c " + inst.etc + " -n");
    CHECK(pc.text.find("myhostname = live-test.example") != std::string::npos);
    auto w = live.get("postconf-warnings.txt");
    CHECK(w.ok);
    auto all = live.get("postconf.txt");
    REQUIRE(all.ok);
    CHECK(all.text.find("queue_directory = " + inst.dir.path() + "/spool") != std::string::npos);
    auto mc = live.get("main.cf");
    REQUIRE(mc.ok);
    CHECK(mc.origin == "file: " + inst.etc + "/main.cf");
    auto df = live.get("df.txt");
    REQUIRE(df.ok);
    CHECK(df.text.rfind("Filesystem", 0) == 0);
    CHECK(live.get("loadavg.txt").ok);
    auto st = live.get("postfix-status.txt");
    REQUIRE(st.ok);
    CHECK(st.text.find("exit=1") != std::string::npos); // this instance was never started
    CHECK(st.text.find("is not running") != std::string::npos); // printed because of the pseudo-terminal
    auto dig = live.get("dig/MX_example.org.txt"); // no resolver named: resolv.conf, which may not answer
    CHECK(dig.ok);
    CHECK(dig.origin.rfind("dns: MX example.org", 0) == 0);
    CHECK_FALSE(live.get("dig/MX_bad name;x.txt").ok);
    CHECK_FALSE(live.get("nosuch.txt").ok);
    CHECK_FALSE(live.get("../../etc/shadow").ok);
}

TEST_CASE("live source: a relative config_dir is refused with a warning", "[live]") {
    LiveOptions o;
    o.config_dir = "-x/etc";
    LiveSource live(o);
    REQUIRE(live.warnings().size() == 1);
    CHECK(live.describe() == "live host");
}

TEST_CASE("live source and a bundle written from it yield the same facts", "[live][bundle]") {
    if (!postfix_installed()) {
        WARN("postconf is not installed: skipping the live/bundle equivalence test");
        return;
    }
    ThrowawayInstance inst(true);
    LiveOptions o;
    o.config_dir = inst.etc;
    o.resolver = "127.0.0.1:9"; // nothing listens: every DNS fact is UNREACHABLE, fast, on both sides
    o.run_postfix_check = true;
    LiveSource live(o);
    RecordingSource rec(live);
    auto from_live = run_all(rec, all_probes(), true);
    rec.write_bundle(inst.dir / "bundle");
    CHECK(rec.files().count("postconf.txt"));
    CHECK(rec.files().count("postfix-status.txt"));
    CHECK(rec.files().count("postqueue-j.txt"));

    std::string err;
    auto b = open_bundle(inst.dir / "bundle", &err);
    REQUIRE(b);
    auto from_bundle = run_all(*b, all_probes(), false);
    CHECK(b->warnings().empty());

    std::vector<std::string> a, c;
    // tls.key.matches is live only (a bundle never holds a private key).
    for (const auto& f : from_live.facts)
        if (f.name != "tls.key.matches") a.push_back(key(f));
    for (const auto& f : from_bundle.facts)
        if (f.name != "tls.key.matches") c.push_back(key(f));
    std::sort(a.begin(), a.end());
    std::sort(c.begin(), c.end());
    CHECK(a.size() > 900);
    CHECK(a == c);
    const auto* running = find_fact(from_live.facts, "postfix.running");
    REQUIRE(running);
    CHECK(running->known());
    CHECK(running->prov.source.rfind("command: postfix -c ", 0) == 0);
    CHECK(find_fact(from_live.facts, "queue.total")->value == pft::engine::Value(0));
}

namespace {
// A TCP listener on addr:port that accepts nothing itself (the kernel completes handshakes).
struct Listening {
    int fd = -1;
    Listening(const char* addr, int port) {
        fd = ::socket(AF_INET, SOCK_STREAM, 0);
        int one = 1;
        ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        sockaddr_in sa{};
        sa.sin_family = AF_INET;
        sa.sin_port = htons(static_cast<std::uint16_t>(port));
        ::inet_pton(AF_INET, addr, &sa.sin_addr);
        if (::bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0 || ::listen(fd, 4) != 0) {
            ::close(fd);
            fd = -1;
        }
    }
    ~Listening() {
        if (fd >= 0) ::close(fd);
    }
};
} // namespace

// Found by the fault lab: with several instances on one host (127.0.0.25:25, 127.0.0.26:25 ...)
// the handshake went to the first loopback listener on the port, another instance's smtpd.
TEST_CASE("live source: the TLS handshake goes to the address master.cf binds the port to", "[live][tls]") {
    if (!postfix_installed()) {
        WARN("postconf is not installed: skipping");
        return;
    }
    int port = 0;
    std::unique_ptr<Listening> a, b;
    for (int p = 42525; p < 42600 && port == 0; ++p) {
        a = std::make_unique<Listening>("127.0.0.1", p);
        b = std::make_unique<Listening>("127.0.0.3", p);
        if (a->fd >= 0 && b->fd >= 0) port = p;
    }
    REQUIRE(port != 0);
    ThrowawayInstance inst(false);
    spit(inst.etc + "/master.cf", "127.0.0.3:" + std::to_string(port) + " inet n - n - - smtpd\n");
    LiveOptions o;
    o.config_dir = inst.etc;
    o.tls_timeout = std::chrono::milliseconds(500);
    LiveSource live(o);
    auto s = live.get("tls/s_client-" + std::to_string(port) + ".txt");
    REQUIRE(s.ok);
    CHECK(s.origin == "live host: TLS handshake with 127.0.0.3:" + std::to_string(port));
}
