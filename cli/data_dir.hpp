// data_dir.hpp - where pftriage finds its data (knowledge/, probes/facts.yaml).
// Order: --kb DIR, $PFTRIAGE_DATA_DIR, PREFIX/share/pftriage next to the binary,
// then the source tree the binary was built from.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

namespace pft::cli {

struct DataDirs {
    std::filesystem::path knowledge;   // directory of knowledge YAML files
    std::filesystem::path fact_catalog; // probes/facts.yaml
};

// Returns nullopt (and a message in *why) when no usable data directory is found.
std::optional<DataDirs> find_data_dirs(const std::string& kb_override, std::string* why);

} // namespace pft::cli
