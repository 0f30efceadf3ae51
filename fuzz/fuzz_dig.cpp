// fuzz_dig.cpp - dig output (bundle dig/*.txt, and what the live DNS client renders),
// and the SPF record selection on it.
#include "fuzz_support.hpp"
#include "probes/parse/dig_output.hpp"
#include "probes/parse/spf.hpp"

using namespace pft;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    auto a = probes::parse::parse_dig(fuzz::as_text(data, size));
    for (const char* t : {"A", "AAAA", "MX", "TXT", "PTR", "TLSA", "CNAME"}) {
        (void)a.of_type(t);
        (void)a.status(t);
    }
    (void)probes::parse::spf_records(a);
    if (!a.qname.empty() && a.qname.size() < 300) (void)probes::parse::reverse_name(a.qname);
    return 0;
}
