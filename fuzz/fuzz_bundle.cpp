// fuzz_bundle.cpp - the bundle reader on a .tar.gz (or plain tar): libarchive, path and
// link checks, size limits, MANIFEST; then every probe runs on what was read, as
// `pftriage --from BUNDLE.tar.gz` does. The input is written to a scratch file.
#include "fuzz_support.hpp"
#include "probes/bundle_source.hpp"
#include "probes/logsig.hpp"
#include "probes/probe.hpp"
#include "probes/run_probes.hpp"

using namespace pft;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const std::string file = fuzz::scratch_dir() + "/bundle.tar.gz";
    static const auto probes_all = probes::all_probes();
    fuzz::write_file(file, fuzz::as_text(data, size));
    probes::BundleLimits lim;
    lim.max_file = 1u << 20;
    lim.max_total = 8u << 20;
    lim.max_entries = 500;
    std::string err;
    auto b = probes::BundleSource::from_archive(file, &err, lim);
    if (!b) return 0;
    (void)probes::run_all(*b, probes_all, false);
    return 0;
}
