// bundle_source.hpp - a Source that reads an evidence bundle (directory or .tar.gz).
// Treats every byte as hostile: bounded sizes, no path or link leaves the bundle,
// no special files are opened, and nothing is ever written. It does not parse
// artefacts beyond MANIFEST; probes do that.
#pragma once

#include "probes/source.hpp"

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace pft::probes {

struct BundleLimits {
    std::size_t max_file = 64u * 1024 * 1024;      // per artefact
    std::size_t max_total = 128u * 1024 * 1024;    // kept of a .tar.gz, decompressed (peak memory stays < 256 MiB)
    std::size_t max_other = 16u * 1024 * 1024;     // of that, in entries no probe reads (not a bundle file name)
    std::size_t max_scan = 1024u * 1024 * 1024;    // decompressed in all, kept or not (a bomb's time bound)
    std::size_t max_entries = 20000;               // entries in a .tar.gz
};

class BundleSource : public Source {
public:
    // A bundle directory. Artefacts are read on demand.
    static std::unique_ptr<BundleSource> from_directory(const std::string& dir, std::string* error,
                                                        BundleLimits limits = {});
    // A .tar.gz (or .tar) of a bundle, extracted into memory at once.
    static std::unique_ptr<BundleSource> from_archive(const std::string& file, std::string* error,
                                                      BundleLimits limits = {});

    Artifact get(const std::string& name) override;
    engine::TimePoint now() const override { return now_; }
    std::optional<std::string> manifest(const std::string& key) const override;
    std::string describe() const override { return "bundle " + path_; }
    bool is_live() const override { return false; }
    std::vector<std::string> warnings() const override;

private:
    struct Entry {
        std::string data;
        bool truncated = false;
        std::string link;          // in-bundle target of a symlink or hard link
        std::int64_t mtime = 0;
    };

    BundleSource() = default;
    void warn(std::string w) const;
    void load_manifest();
    Artifact read_dir_file(const std::string& name);
    Artifact read_entry(const std::string& name);
    std::int64_t newest_mtime() const;

    std::string path_;
    bool archive_ = false;
    std::string root_;                    // canonical directory (directory mode)
    std::map<std::string, Entry> entries_; // archive mode
    BundleLimits limits_;
    std::map<std::string, std::string> manifest_;
    engine::TimePoint now_{};
    mutable std::mutex mu_;
    mutable std::vector<std::string> warnings_;
};

// Opens a bundle directory or archive; nullptr with *error set when it cannot.
std::unique_ptr<Source> open_bundle(const std::string& path, std::string* error);

// True for a relative name with no empty, "." or ".." component and no NUL/control byte.
bool is_safe_relative_name(const std::string& name);

} // namespace pft::probes
