// spf.hpp - SPF (RFC 7208) check_host() over DNS answers given by a callback:
// ip4/ip6/a/mx/include/exists/redirect/all, the 10 DNS-lookup and 2 void-lookup
// limits, basic macros (%{d} %{i} %{o} %{h} %{s} %{l}). Pure: it never queries DNS
// itself. Not done: `ptr` counts a lookup but never matches; `exp=` is ignored;
// macro transformers (digits, 'r') are not applied.
#pragma once

#include "probes/parse/dig_output.hpp"

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace pft::probes::parse {

// Answers one DNS query; rcode "MISSING" when the evidence holds no such answer.
using DnsLookup = std::function<DigAnswer(const std::string& type, const std::string& name)>;

struct SpfResult {
    // pass fail softfail neutral none permerror temperror, or "unknown" when a
    // needed answer is not in the evidence (see reason).
    std::string result;
    std::string reason;       // the mechanism that matched, or what went wrong
    int lookups = 0;          // DNS-querying terms (include a mx ptr exists redirect), limit 10
    int void_lookups = 0;     // of those, answers with no records, limit 2
};

struct SpfRecords {
    std::vector<std::string> records; // TXT strings of the name that start with v=spf1
    std::string rcode;                // of the TXT query
};

// The v=spf1 records among the TXT answers of `domain`.
SpfRecords spf_records(const DigAnswer& txt);

// check_host(ip, domain). With no ip, walks the whole record (nothing matches an
// address) to count the lookups it needs.
SpfResult spf_check_host(const std::string& domain, const std::optional<std::string>& ip, const DnsLookup& lookup);

// True when `ip` (v4 or v6 text) lies in `net`/`prefix`.
bool ip_in_cidr(const std::string& ip, const std::string& net, int prefix);

} // namespace pft::probes::parse
