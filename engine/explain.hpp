// explain.hpp - why a cause was concluded (the chain of rules and facts down to
// the raw evidence) and why a candidate cause was not (the condition that
// failed, or the facts that were unknown). Pure reading of a finished run.
#pragma once

#include "engine/engine.hpp"

#include <string>
#include <vector>

namespace pft::engine {

struct DerivationNode;

struct EvidenceItem {
    std::string fact;
    std::string subject;
    bool known = false;
    std::string value;          // printable
    std::string unknown_reason; // when !known
    Provenance prov;
    bool derived = false;
    double cf = 1.0;
    std::vector<DerivationNode> derivation; // for derived facts: the rules that asserted it
};

struct DerivationNode {
    std::string rule_id;
    std::string because;
    std::string binding; // subject the rule was bound to ("" when none)
    double cf = 0;
    std::vector<EvidenceItem> evidence;
};

// Every rule firing that contributed to the cause, positive first, each with
// the facts it read (derived facts expanded to their own derivations).
std::vector<DerivationNode> explain_cause(const Engine& eng, int cause, int max_depth = 8);

struct WhyNotItem {
    std::string rule_id;
    std::string binding;
    std::string reason;                  // one line
    std::vector<EvidenceItem> unknowns;  // unknown or absent facts that blocked it
    std::vector<EvidenceItem> evidence;  // facts read by the failing condition
};

// For each rule that could conclude the cause (with positive cf) and did not fire.
std::vector<WhyNotItem> why_not(const Engine& eng, int cause, std::size_t max_bindings = 5);

// The facts read (known and unknown) by rules that conclude this cause, for the
// report's "unknown" section: each unknown fact once.
std::vector<EvidenceItem> unknown_inputs(const Engine& eng, int cause);

EvidenceItem describe_read(const Engine& eng, const FactRead& r);

} // namespace pft::engine
