// probe_test_support.hpp - helpers shared by the probes tests: fixture paths,
// a throwaway temp directory, and an in-memory Source for hand-made inputs.
// Test code only; nothing here is part of pft_probes.
#pragma once

#include "probes/run_probes.hpp"
#include "probes/source.hpp"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>

namespace pft::probes::test {

inline std::string fixture_dir() { return std::string(PFT_SOURCE_DIR) + "/tests/fixtures/probes"; }
inline std::string bundle_fixture() { return fixture_dir() + "/bundle-deferred"; }

inline std::string slurp(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

inline void spit(const std::string& path, const std::string& text) {
    std::ofstream out(path, std::ios::binary);
    out << text;
}

class TempDir {
public:
    TempDir() {
        char tmpl[] = "/tmp/pft-probes-test-XXXXXX";
        if (!::mkdtemp(tmpl)) throw std::runtime_error("mkdtemp failed");
        path_ = tmpl;
    }
    ~TempDir() {
        std::error_code ec;
        std::filesystem::remove_all(path_, ec);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    const std::string& path() const { return path_; }
    std::string operator/(const std::string& name) const { return path_ + "/" + name; }

private:
    std::string path_;
};

// A Source over a map of artefact texts.
class MemorySource : public Source {
public:
    std::map<std::string, std::string> files;
    std::map<std::string, std::string> keys;
    std::map<std::string, bool> program_missing; // artefacts whose (live) program is not installed
    engine::TimePoint at{std::chrono::seconds{0}};
    bool live = false;

    Artifact get(const std::string& name) override {
        Artifact a;
        a.origin = "bundle:" + name;
        auto it = files.find(name);
        if (it == files.end()) {
            a.error = name + " not in bundle";
            a.program_missing = program_missing.count(name) > 0;
            return a;
        }
        a.ok = true;
        a.text = it->second;
        return a;
    }
    engine::TimePoint now() const override { return at; }
    std::optional<std::string> manifest(const std::string& key) const override {
        auto it = keys.find(key);
        if (it == keys.end()) return std::nullopt;
        return it->second;
    }
    std::string describe() const override { return "memory"; }
    bool is_live() const override { return live; }
};

inline const engine::Fact* find_fact(const std::vector<engine::Fact>& facts, const std::string& name,
                                     const std::string& subject = "") {
    for (const auto& f : facts)
        if (f.name == name && f.subject == subject) return &f;
    return nullptr;
}

inline std::size_t count_facts(const std::vector<engine::Fact>& facts, const std::string& name) {
    std::size_t n = 0;
    for (const auto& f : facts) n += f.name == name;
    return n;
}

} // namespace pft::probes::test
