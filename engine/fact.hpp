// fact.hpp - a fact: a typed value about an optional subject, with provenance.
// A fact is either known (it has a value) or unknown with a reason; unknown is
// never read as false. This header does not know what the facts mean.
#pragma once

#include "engine/value.hpp"

#include <optional>
#include <string>

namespace pft::engine {

// Where a fact came from: the probe, the source (file:line, a command, a DNS
// query) and a short raw excerpt of the evidence.
struct Provenance {
    std::string probe;   // "postconf", "queue", a rule id for derived facts
    std::string source;  // "postconf.txt:12", "command: postqueue -j", "dns: MX example.org"
    std::string excerpt; // short raw evidence, already bounded and cleaned
};

struct Fact {
    std::string name;    // dotted, e.g. "queue.count"
    std::string subject; // "" when the fact is about the host as a whole
    std::optional<Value> value; // nullopt: unknown
    std::string unknown_reason; // why it is unknown (when value is empty)
    Provenance prov;
    double cf = 1.0; // certainty of a derived fact; observed facts are 1.0

    bool known() const { return value.has_value(); }

    static Fact known_fact(std::string name, std::string subject, Value v, Provenance p) {
        Fact f;
        f.name = std::move(name);
        f.subject = std::move(subject);
        f.value = std::move(v);
        f.prov = std::move(p);
        return f;
    }
    static Fact unknown_fact(std::string name, std::string subject, std::string reason, Provenance p) {
        Fact f;
        f.name = std::move(name);
        f.subject = std::move(subject);
        f.unknown_reason = std::move(reason);
        f.prov = std::move(p);
        return f;
    }
};

// Cleans bytes from outside before they are stored or printed: non-printable
// bytes become '?', and the text is cut to at most max bytes (with "...").
std::string printable(std::string_view s, std::size_t max = 200);

} // namespace pft::engine
