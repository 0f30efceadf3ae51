// text_facts.hpp - facts from text a person pasted (a bounce message, an error
// line from a mail client or a log): the log signatures read it the way the
// maillog probe reads the mail log. It does not decide what the facts mean.
#pragma once

#include "engine/fact.hpp"
#include "probes/logsig.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace pft::probes {

inline constexpr std::size_t kMaxPastedText = 64 * 1024; // bytes read; the rest is ignored
inline constexpr std::size_t kMaxPastedLines = 500;

// Matches every line of `text` (folded continuation lines joined; a leading
// "<address>: " of a bounce dropped; a syslog line read by its program) and returns
// log.signature.count / log.signature.last for each signature that matched, plus
// the signatures' own facts, with provenance `label` ("pasted: answer to q").
// Signatures that did not match yield no fact (the text is a sample, not a log).
std::vector<engine::Fact> facts_from_text(const SignatureSet& sigs, std::string_view text,
                                          const std::string& label, engine::TimePoint now);

// Ids of the signatures the text matched (the facts above, in short), for display.
std::vector<std::string> signatures_in_text(const SignatureSet& sigs, std::string_view text, engine::TimePoint now);

} // namespace pft::probes
