// fuzz_maillog.cpp - mail-log lines: the syslog line parser, then the shipped log
// signatures (knowledge/signatures) matched and their fields extracted, as the
// maillog probe and `pftriage logs` do for every line.
#include "fuzz_support.hpp"
#include "probes/logsig.hpp"
#include "probes/parse/syslog_line.hpp"

#include <cstdlib>

using namespace pft;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static std::shared_ptr<probes::SignatureSet> sigs = [] {
        auto s = probes::SignatureSet::load_directory(PFT_SOURCE_DIR "/knowledge/signatures");
        if (!s || !s->errors().empty() || s->signatures().empty()) std::abort();
        return s;
    }();
    const engine::TimePoint ref{std::chrono::seconds(1795608257)};
    probes::StampCache cache;
    std::string_view text = fuzz::as_text(data, size);
    std::vector<int> hits;
    while (!text.empty()) {
        auto nl = text.find('\n');
        std::string_view line = text.substr(0, nl);
        text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
        auto a = probes::parse_syslog_line(line, ref, cache);
        auto b = probes::parse_syslog_line(line, ref);
        if (a.time != b.time || a.message != b.message) std::abort(); // the cache must not change the result
        (void)probes::leading_queue_id(a.message);
        hits.clear();
        sigs->match_indices(a.program, a.message, hits);
        for (int i : hits) {
            probes::SigMatch m;
            if (sigs->extract(static_cast<std::size_t>(i), a.message, m))
                for (const auto& f : m.sig->facts) (void)probes::expand_field_template(f.subject, m);
        }
    }
    return 0;
}
