// maillog_probe.hpp - the factory of the `maillog` probe (log signatures -> facts).
// The signature set is loaded by the caller (knowledge/signatures/) and shared;
// this header does not load it.
#pragma once

#include "probes/logsig.hpp"
#include "probes/probe.hpp"

#include <memory>

namespace pft::probes {

// Reads the `maillog` artefact, keeps the last 24 hours before Source::now() (and
// lines without a readable time), and emits log.* facts from the signatures.
std::unique_ptr<Probe> make_maillog_probe(std::shared_ptr<const SignatureSet> signatures);

} // namespace pft::probes
