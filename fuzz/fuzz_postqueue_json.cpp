// fuzz_postqueue_json.cpp - `postqueue -j` output (one JSON object per line).
#include "fuzz_support.hpp"
#include "probes/parse/postqueue_json.hpp"

using namespace pft;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    auto q = probes::parse::parse_postqueue_json(fuzz::as_text(data, size));
    probes::parse::QueueLimits small;
    small.max_messages = 5;
    small.max_recipients = 3;
    small.max_line = 256;
    (void)probes::parse::parse_postqueue_json(fuzz::as_text(data, size), small);
    (void)q;
    return 0;
}
