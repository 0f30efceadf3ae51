// evidence.hpp - one artefact as a probe sees it: fetched once, with provenance helpers.
// Builds `postconf.txt:12` style sources for bundles and `command: postconf (line 12)`
// for the live host, and turns parser warnings into "FILE:LINE: message". It does
// not parse anything itself.
#pragma once

#include "engine/fact.hpp"
#include "probes/parse/parse_warning.hpp"
#include "probes/probe.hpp"
#include "probes/source.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace pft::probes {

class Evidence {
public:
    Evidence(Source& src, std::string probe, std::string name, FactSink& out);

    bool ok() const { return art_.ok; }
    const std::string& text() const { return art_.text; }
    const std::string& name() const { return name_; }
    const Artifact& artifact() const { return art_; }
    // Why the artefact is missing ("postfix-status.txt not in bundle").
    std::string missing_reason() const;

    engine::Provenance at(std::size_t line, std::string_view excerpt) const;
    engine::Provenance whole(std::string_view excerpt = {}) const;
    void report(const std::vector<parse::ParseWarning>& warnings) const;

private:
    std::string probe_, name_;
    Artifact art_;
    FactSink& out_;
};

} // namespace pft::probes
