// dig_output.hpp - parses default `dig TYPE NAME` output: the header status, the
// question and the answer-section records (each RR read by ldns, so the live DNS
// client's rendering and a customer's dig file share one record parser).
// Pure: no I/O, no resolution, no judgement of what the records mean.
#pragma once

#include "probes/parse/parse_warning.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace pft::probes::parse {

struct DnsRecord {
    std::string owner;                // lower case, without the trailing dot
    std::string type;                 // "MX", "TXT", ...
    std::uint32_t ttl = 0;
    std::vector<std::string> fields;  // rdata fields as presentation text (names without trailing dot)
    std::string text;                 // TXT/SPF: the character-strings joined, unquoted; else fields joined by ' '
    std::size_t line = 0;
};

struct DigAnswer {
    // NOERROR, NXDOMAIN, SERVFAIL, REFUSED, FORMERR, NOTIMP ... from the header;
    // TIMEOUT when dig reached no server ("timed out"); UNREACHABLE for other
    // transport failures; "" when the text had neither.
    std::string rcode;
    std::string qname, qtype;         // from the question section (qname without trailing dot)
    std::vector<DnsRecord> answer;
    std::size_t header_line = 0;
    std::vector<ParseWarning> warnings;

    // The records of one type in the answer section (CNAMEs followed by the server).
    std::vector<const DnsRecord*> of_type(std::string_view type) const;
    // rcode, with NOERROR and no record of `type` turned into NODATA.
    std::string status(std::string_view type) const;
};

DigAnswer parse_dig(std::string_view text);

// The name a PTR query asks for: "192.0.2.25" -> "25.2.0.192.in-addr.arpa"; "" when not an IP.
std::string reverse_name(const std::string& ip);
// "192.0.2.25" -> "25.2.0.192" (IPv4 only, for DNSBL queries); "" otherwise.
std::string reverse_ipv4(const std::string& ip);

} // namespace pft::probes::parse
