// dane_probe_test.cpp - dane.tlsa_matches: a real certificate made by openssl, its
// key hash computed by the openssl command line (not by the code under test), and the
// TLSA answer captured from nsd (tests/fixtures/probes/dig), once as captured (it names
// another key) and once with the hash of our key put in its place.
#include "probe_test_support.hpp"
#include "probes/builtin_probes.hpp"
#include "probes/exec.hpp"

#include <catch2/catch.hpp>

using namespace pft::probes;
using namespace pft::probes::test;

namespace {

std::string val(const std::vector<pft::engine::Fact>& f, const std::string& n, const std::string& s) {
    auto* x = find_fact(f, n, s);
    if (!x) return "absent";
    return x->known() ? x->value->to_string() : "unknown: " + x->unknown_reason;
}

ProbeRun run_dane(Source& src) {
    std::vector<std::unique_ptr<Probe>> v;
    v.push_back(make_dane_probe());
    return run_all(src, v, false);
}

std::string sh(const std::string& script) {
    auto r = run_program({"/bin/sh", "-c", script}, std::chrono::seconds(60), 1u << 20);
    REQUIRE(r.exit_code == 0);
    return r.out;
}

const char* kCaptured = "0C72AC70B745AC19998811B131D662C9AC69DBDBE7CB23E5B514B566 64C5D3D6";

} // namespace

TEST_CASE("dane probe: our TLSA record against our certificate", "[dane][probe]") {
    TempDir d;
    sh("openssl req -x509 -newkey rsa:2048 -nodes -keyout '" + (d / "k.pem") + "' -out '" + (d / "c.pem") +
       "' -days 30 -subj /CN=mx.lab.example -addext subjectAltName=DNS:mx.lab.example 2>/dev/null");
    std::string spki = sh("openssl x509 -in '" + (d / "c.pem") +
                          "' -noout -pubkey | openssl pkey -pubin -outform DER | openssl dgst -sha256 -r | cut -d' ' -f1");
    spki = spki.substr(0, spki.find('\n'));
    REQUIRE(spki.size() == 64);

    std::string tlsa = slurp(fixture_dir() + "/dig/TLSA__25._tcp.mx.lab.example.txt");
    REQUIRE(tlsa.find(kCaptured) != std::string::npos);

    MemorySource src;
    src.keys["mail_domains"] = "lab.example";
    src.files["postconf.txt"] = "myhostname = mx.lab.example\nmydestination = lab.example\n"
                                "smtpd_tls_cert_file = /etc/postfix/mx.pem\n";
    src.files["dig/MX_lab.example.txt"] = slurp(fixture_dir() + "/dig/MX_lab.example.txt");
    src.files["tls/smtpd_tls_cert_file.pem"] = slurp(d / "c.pem");

    SECTION("the captured record names another key: no match") {
        src.files["dig/TLSA__25._tcp.mx.lab.example.txt"] = tlsa;
        auto run = run_dane(src);
        CHECK(val(run.facts, "dane.tlsa_matches", "mx.lab.example") == "false");
    }
    SECTION("3 1 1 with our key's SHA-256 (lower case, split as dig splits): match") {
        std::string t = tlsa;
        std::string ours = spki.substr(0, 56) + " " + spki.substr(56);
        t.replace(t.find(kCaptured), std::string(kCaptured).size(), ours);
        src.files["dig/TLSA__25._tcp.mx.lab.example.txt"] = t;
        auto run = run_dane(src);
        CHECK(val(run.facts, "dane.tlsa_matches", "mx.lab.example") == "true");
    }
    SECTION("a DANE-TA (2 1 1) record for the leaf's own key does not match the leaf") {
        std::string t = tlsa;
        t.replace(t.find("TLSA\t3 1 1"), 10, "TLSA\t2 1 1");
        t.replace(t.find(kCaptured), std::string(kCaptured).size(), spki);
        src.files["dig/TLSA__25._tcp.mx.lab.example.txt"] = t;
        auto run = run_dane(src);
        CHECK(val(run.facts, "dane.tlsa_matches", "mx.lab.example") == "false");
    }
    SECTION("no TLSA answer in the bundle: unknown, with the reason") {
        auto run = run_dane(src);
        CHECK(val(run.facts, "dane.tlsa_matches", "mx.lab.example").rfind("unknown: ", 0) == 0);
    }
}
