// fuzz_postconf.cpp - `postconf` / `postconf -n` output, and the warnings of postconf,
// `postfix check` and `postfix status` (postfix_diagnostics, postfix_status).
#include "fuzz_support.hpp"
#include "probes/parse/postconf_output.hpp"
#include "probes/parse/postfix_diagnostics.hpp"
#include "probes/parse/postfix_status.hpp"

using namespace pft;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    auto t = fuzz::as_text(data, size);
    auto p = probes::parse::parse_postconf(t);
    for (const auto& e : p.entries) (void)probes::parse::is_parameter_name(e.name);
    (void)probes::parse::parse_postfix_diagnostics(t);
    (void)probes::parse::parse_postfix_status(t);
    return 0;
}
