// test_guide_scripted.cpp - whole guided sessions, driven by answers files, on the
// shipped example bundles and the real knowledge base, through `pftriage guide`
// in-process: the right cause in few questions, transcripts, save/resume, and
// exit 65 for bad answers files. Prints the number of questions each one asked.
#include "cli/app.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <sys/stat.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <regex>
#include <sstream>

namespace fs = std::filesystem;

namespace {

struct Run {
    int code = -1;
    std::string out, err, transcript;
    nlohmann::json report;
    int questions = -1;
};

fs::path tmpdir() {
    static fs::path d = [] {
        std::string tmpl = (fs::temp_directory_path() / "pft-guide-XXXXXX").string();
        char* p = mkdtemp(tmpl.data());
        REQUIRE(p != nullptr);
        return fs::path(p);
    }();
    return d;
}

std::string write(const std::string& name, const std::string& text) {
    auto p = tmpdir() / name;
    std::ofstream(p) << text;
    return p.string();
}

std::string bundle(const std::string& name) { return std::string(PFT_SOURCE_DIR) + "/examples/bundles/" + name; }

Run guide(std::vector<std::string> args, const std::string& tag) {
    Run r;
    auto transcript = (tmpdir() / (tag + ".md")).string();
    std::vector<std::string> all{"pftriage", "guide", "-q", "--format", "json", "--transcript", transcript};
    all.insert(all.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& a : all) argv.push_back(a.data());
    std::ostringstream out, err;
    auto* ob = std::cout.rdbuf(out.rdbuf());
    auto* eb = std::cerr.rdbuf(err.rdbuf());
    r.code = pft::cli::run_app(static_cast<int>(argv.size()), argv.data());
    std::cout.rdbuf(ob);
    std::cerr.rdbuf(eb);
    r.out = out.str();
    r.err = err.str();
    std::ifstream t(transcript);
    std::stringstream ts;
    ts << t.rdbuf();
    r.transcript = ts.str();
    if (r.code < 64) r.report = nlohmann::json::parse(r.out, nullptr, false);
    std::smatch m;
    if (std::regex_search(r.transcript, m, std::regex(R"(\*\*Questions asked:\*\* (\d+))"))) r.questions = std::stoi(m[1]);
    return r;
}

std::string top(const Run& r) {
    if (!r.report.is_object() || r.report["causes"].empty()) return "";
    return r.report["causes"][0]["id"].get<std::string>();
}

void scripted(const std::string& b, const std::string& symptom, const std::string& answers, const std::string& expect,
              int max_questions) {
    auto file = write(b + "-" + symptom + ".yaml", answers);
    Run r = guide({"--from", bundle(b), "--symptom", symptom, "--answers", file}, b + "-" + symptom);
    INFO(r.err);
    INFO(r.transcript);
    REQUIRE(r.code < 64);
    REQUIRE(top(r) == expect);
    REQUIRE(r.questions >= 0);
    REQUIRE(r.questions <= max_questions);
    std::printf("guide scripted session: %s / %s -> %s (%.0f%%) after %d question(s)\n", b.c_str(), symptom.c_str(),
                expect.c_str(), r.report["causes"][0]["confidence"].get<double>() * 100, r.questions);
}

} // namespace

TEST_CASE("scripted sessions reach the right cause on the shipped bundles", "[cli][guide][scripted]") {
    // The evidence alone decides: no question is needed.
    scripted("mail-stuck-hold", "mail-stuck", "", "queue-on-hold", 0);
    scripted("mail-stuck-relayhost", "mail-stuck", "", "relayhost-unreachable", 0);
    scripted("mail-loop", "mail-not-delivered", "", "mail-loop", 0);
    scripted("postfix-stopped", "cannot-connect", "", "postfix-not-running", 0);
    // Nothing in the evidence explains slow delivery: the person's answers decide.
    scripted("mail-loop", "slow-delivery", "port25-outbound-test: times-out\nhosting-blocks-port25: yes\n",
             "outbound-port25-blocked", 2);
    // The same by pasting what the port 25 test printed, then answering.
    scripted("mail-loop", "slow-delivery",
             "port25-outbound-test: times-out\ninternet-connectivity: yes\nhosting-blocks-port25: yes\n",
             "outbound-port25-blocked", 3);
}

TEST_CASE("pasted error text becomes log facts through the signatures", "[cli][guide]") {
    auto file = write("p.yaml",
                      "port25-outbound-test: {paste: \"connect to gmail-smtp-in.l.google.com[142.250.102.27]:25: "
                      "Connection timed out\"}\n");
    Run r = guide({"--from", bundle("mail-loop"), "--symptom", "slow-delivery", "--answers", file}, "paste");
    INFO(r.err);
    INFO(r.transcript);
    REQUIRE(r.code < 64);
    REQUIRE(r.transcript.find("`smtp_conn_timeout`") != std::string::npos);
    REQUIRE(top(r) == "relayhost-unreachable"); // this bundle relays through a relayhost
}

TEST_CASE("an answers file may name the symptom instead of --symptom", "[cli][guide]") {
    auto file = write("sym.yaml", "symptom: mail is stuck in the queue\n");
    Run r = guide({"--from", bundle("mail-stuck-hold"), "--answers", file}, "symptom");
    INFO(r.err);
    REQUIRE(r.code < 64);
    REQUIRE(top(r) == "queue-on-hold");
    REQUIRE(r.report["symptom"]["id"] == "mail-stuck");
}

TEST_CASE("a transcript is written 0600 with questions, answers, evidence and plan", "[cli][guide]") {
    auto file = write("t.yaml", "port25-outbound-test: times-out\n");
    Run r = guide({"--from", bundle("mail-loop"), "--symptom", "slow-delivery", "--answers", file}, "transcript");
    REQUIRE(r.code < 64);
    struct stat st {};
    REQUIRE(stat((tmpdir() / "transcript.md").c_str(), &st) == 0);
    REQUIRE((st.st_mode & 0777) == 0600);
    REQUIRE(r.transcript.find("# pftriage guided diagnosis") != std::string::npos);
    REQUIRE(r.transcript.find("port25-outbound-test") != std::string::npos);
    REQUIRE(r.transcript.find("Answer: **times-out**") != std::string::npos);
    REQUIRE(r.transcript.find("## Outcome and plan") != std::string::npos);
}

TEST_CASE("a saved session resumes to the same state", "[cli][guide]") {
    auto file = write("s.yaml", "port25-outbound-test: times-out\nhosting-blocks-port25: dont-know\n");
    auto saved = (tmpdir() / "session.json").string();
    Run a = guide({"--from", bundle("mail-loop"), "--symptom", "slow-delivery", "--answers", file, "--save", saved}, "save");
    REQUIRE(a.code < 64);
    auto j = nlohmann::json::parse(std::ifstream(saved));
    REQUIRE(j["schema"] == "pftriage.guide-session/1");
    REQUIRE(j["source"]["kind"] == "bundle");
    REQUIRE(j["answers"].size() >= 2);
    auto empty = write("none.yaml", "");
    Run b = guide({"--resume", saved, "--answers", empty}, "resume");
    INFO(b.err);
    REQUIRE(b.code == a.code);
    REQUIRE(top(b) == top(a));
    REQUIRE(b.report["causes"][0]["confidence"] == a.report["causes"][0]["confidence"]);
}

TEST_CASE("bad answers files exit 65 with file:line", "[cli][guide]") {
    auto unknown = write("unknown.yaml", "port25-outbound-test: times-out\nno-such-question: yes\n");
    Run r = guide({"--from", bundle("healthy"), "--symptom", "mail-stuck", "--answers", unknown}, "bad1");
    REQUIRE(r.code == 65);
    REQUIRE(r.err.find("unknown.yaml:2:1: unknown question 'no-such-question'") != std::string::npos);

    auto invalid = write("invalid.yaml", "internet-connectivity: perhaps\n");
    r = guide({"--from", bundle("healthy"), "--symptom", "mail-stuck", "--answers", invalid}, "bad2");
    REQUIRE(r.code == 65);
    REQUIRE(r.err.find("invalid.yaml:1:24: invalid answer 'perhaps'") != std::string::npos);

    auto notyaml = write("broken.yaml", "internet-connectivity: [yes\n");
    r = guide({"--from", bundle("healthy"), "--symptom", "mail-stuck", "--answers", notyaml}, "bad3");
    REQUIRE(r.code == 65);
    REQUIRE(r.err.find("broken.yaml:") != std::string::npos);
}
