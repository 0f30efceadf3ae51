// source.hpp - where probes read evidence from: the live host or a bundle.
// A probe asks for an artefact by its bundle name ("postconf.txt",
// "dig/MX_example.org.txt"); the live source runs the matching command from
// its allow-list, the bundle source reads the file. Probes never know which.
#pragma once

#include "engine/value.hpp"

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace pft::probes {

struct Artifact {
    bool ok = false;
    std::string text;   // content (bounded by the source)
    std::string origin; // "bundle:postconf.txt" or "command: postconf"
    std::string error;  // why it is not ok: "not in bundle", "timed out after 5s", ...
    bool truncated = false;
    bool program_missing = false; // live: the command's program is not installed (ENOENT)
};

class Source {
public:
    virtual ~Source() = default;
    // The content of one evidence artefact, named as in the bundle spec.
    virtual Artifact get(const std::string& name) = 0;
    // The reference "now": collected_at for a bundle, the clock for a live host.
    virtual engine::TimePoint now() const = 0;
    // MANIFEST-style key (hostname, server_ips, mail_domains), if known.
    virtual std::optional<std::string> manifest(const std::string& key) const = 0;
    // Human label: "bundle /path" or "live host".
    virtual std::string describe() const = 0;
    virtual bool is_live() const = 0;
    // Warnings met while reading (bad MANIFEST line, refused link, ...).
    virtual std::vector<std::string> warnings() const { return {}; }
    // What the source ran on the host, in order: each program's command line with its
    // outcome, each TLS handshake and DNS query. Empty for a bundle (nothing is run).
    virtual std::vector<std::string> commands_run() const { return {}; }
};

} // namespace pft::probes
