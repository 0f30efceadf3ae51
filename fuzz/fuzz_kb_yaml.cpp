// fuzz_kb_yaml.cpp - the knowledge-base loader (libyaml tree, schema checks, rule
// compilation, strata) on one YAML document, and the log-signature loader on the same.
#include "fuzz_support.hpp"
#include "probes/logsig.hpp"
#include "rules/loader.hpp"

using namespace pft;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string text(fuzz::as_text(data, size));
    rules::Diagnostics d;
    auto kb = rules::load_knowledge_texts({{"fuzz.yaml", text}}, d);
    for (const auto& i : d.items()) (void)i.to_string();
    auto sigs = probes::SignatureSet::load_texts({{"fuzz-signatures.yaml", text}});
    for (const auto& e : sigs->errors()) (void)e.to_string();
    return 0;
}
