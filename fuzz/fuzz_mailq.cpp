// fuzz_mailq.cpp - `mailq` / `postqueue -p` text.
#include "fuzz_support.hpp"
#include "probes/parse/mailq.hpp"

using namespace pft;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    (void)probes::parse::parse_mailq(fuzz::as_text(data, size), 1795608257);
    probes::parse::QueueLimits small;
    small.max_messages = 5;
    small.max_recipients = 3;
    small.max_line = 256;
    (void)probes::parse::parse_mailq(fuzz::as_text(data, size), 0, small);
    return 0;
}
