// fuzz_manifest.cpp - a bundle's MANIFEST (key: value lines, collected_at, ...), read
// by BundleSource from a bundle directory holding only that file.
#include "fuzz_support.hpp"
#include "probes/bundle_source.hpp"

using namespace pft;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const std::string dir = [] {
        std::string d = fuzz::scratch_dir() + "/bundle";
        if (::mkdir(d.c_str(), 0700) != 0) std::abort();
        return d;
    }();
    fuzz::write_file(dir + "/MANIFEST", fuzz::as_text(data, size));
    std::string err;
    auto b = probes::BundleSource::from_directory(dir, &err);
    if (!b) return 0;
    for (const char* k : {"hostname", "server_ips", "mail_domains", "collected_at", "postfix_version", "redacted"})
        (void)b->manifest(k);
    (void)b->now();
    (void)b->warnings();
    (void)b->get("postconf.txt");
    return 0;
}
