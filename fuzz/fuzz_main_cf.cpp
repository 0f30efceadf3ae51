// fuzz_main_cf.cpp - main.cf text and master.cf / `postconf -M` service lines.
#include "fuzz_support.hpp"
#include "probes/parse/main_cf.hpp"
#include "probes/parse/master_services.hpp"

using namespace pft;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    auto t = fuzz::as_text(data, size);
    auto m = probes::parse::parse_main_cf(t);
    (void)m.lines_by_name();
    auto s = probes::parse::parse_master_services(t);
    for (const auto& x : s.services) (void)x.key();
    return 0;
}
