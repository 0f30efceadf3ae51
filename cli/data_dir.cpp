// data_dir.cpp - locating the knowledge base at run time.
#include "cli/data_dir.hpp"

#include <cstdlib>
#include <unistd.h>

namespace fs = std::filesystem;

namespace pft::cli {

static std::optional<DataDirs> try_root(const fs::path& root) {
    std::error_code ec;
    DataDirs d;
    d.knowledge = root / "knowledge";
    d.fact_catalog = root / "probes" / "facts.yaml";
    if (fs::is_directory(d.knowledge, ec) && fs::is_regular_file(d.fact_catalog, ec)) return d;
    // installed layout: share/pftriage/{knowledge,facts.yaml}
    d.fact_catalog = root / "facts.yaml";
    if (fs::is_directory(d.knowledge, ec) && fs::is_regular_file(d.fact_catalog, ec)) return d;
    return std::nullopt;
}

static fs::path self_exe() {
    char buf[4096];
    ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
    if (n <= 0) return {};
    buf[n] = 0;
    return fs::path(buf);
}

std::optional<DataDirs> find_data_dirs(const std::string& kb_override, std::string* why) {
    std::error_code ec;
    if (!kb_override.empty()) {
        fs::path p(kb_override);
        // --kb may name the knowledge directory itself or a data root holding it.
        if (auto d = try_root(p)) return d;
        if (fs::is_directory(p, ec)) {
            for (fs::path root : {p.parent_path(), self_exe().parent_path().parent_path() / "share" / "pftriage",
                                  fs::path(PFT_SOURCE_DATA_DIR)}) {
                if (auto d = try_root(root)) {
                    d->knowledge = p;
                    return d;
                }
            }
        }
        if (why) *why = "--kb " + kb_override + ": no knowledge directory with a fact catalog there";
        return std::nullopt;
    }
    if (const char* env = std::getenv("PFTRIAGE_DATA_DIR"); env && *env) {
        if (auto d = try_root(env)) return d;
    }
    fs::path exe = self_exe();
    if (!exe.empty()) {
        if (auto d = try_root(exe.parent_path().parent_path() / "share" / "pftriage")) return d;
    }
    if (auto d = try_root(PFT_SOURCE_DATA_DIR)) return d;
    if (why) *why = "no knowledge base found (looked in $PFTRIAGE_DATA_DIR, ../share/pftriage and the source tree); use --kb DIR";
    return std::nullopt;
}

} // namespace pft::cli
