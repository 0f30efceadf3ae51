// fuzz_dns_wire.cpp - a DNS reply in wire format as the live DNS client decodes it
// (ldns_wire2pkt, question check, rendering), then parsed back as dig text by the
// DNS probe's parser. The first two bytes of the reply are its id, so any id passes.
#include "fuzz_support.hpp"
#include "probes/dns_client.hpp"
#include "probes/parse/dig_output.hpp"
#include "probes/parse/spf.hpp"

using namespace pft;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    for (const char* type : {"MX", "TXT"}) {
        std::string err;
        auto text = probes::dns_wire_text(fuzz::as_text(data, size), "example.org", type, &err);
        if (!text) continue;
        auto a = probes::parse::parse_dig(*text);
        (void)a.status(type);
        (void)probes::parse::spf_records(a);
    }
    return 0;
}
