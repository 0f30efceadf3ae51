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
    // Load only parses the patterns; compile each and run its examples (as kb lint does),
    // and match a line, so the lazily compiled forms are fuzzed too.
    for (const auto& e : sigs->check_examples()) (void)e.to_string();
    for (const auto& m : sigs->match("", text.substr(0, 256))) (void)m.fields.size();
    return 0;
}
