// dns_client.hpp - one DNS query to one server (UDP, TCP on truncation) with a
// deadline, built and decoded by ldns, answered as dig-style text so that the
// bundle's dig/ files and the live host go through the same parser.
// It does not recurse, retry other servers, cache, or validate DNSSEC.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace pft::probes {

struct DnsServer {
    std::string address;   // numeric IPv4 or IPv6
    unsigned short port = 53;
    std::string describe() const; // "127.0.0.1#5353", as dig prints it
};

// "IP", "IP:PORT", "[IPv6]:PORT" or a bare IPv6; nullopt with *error otherwise.
std::optional<DnsServer> parse_resolver(const std::string& spec, std::string* error);
// The first numeric `nameserver` of resolv.conf; nullopt when none.
std::optional<DnsServer> system_resolver(const std::string& resolv_conf = "/etc/resolv.conf");

// Queries TYPE NAME (NAME without the trailing dot; for PTR the reversed name)
// and returns dig-like output: header with status, question, answer, authority.
// A server that does not answer in time gives dig's "timed out" text.
std::string dns_query_text(const DnsServer& server, const std::string& type, const std::string& name,
                           std::chrono::milliseconds timeout);

// True for a name that may be queried: printable LDH-ish labels, at most 253 bytes.
bool is_queryable_name(const std::string& name);

// A DNS reply in wire format as dig-like text (what dns_query_text returns after the
// exchange), checked against the question name; nullopt with *error when it cannot be
// decoded or answers another question (fuzz/fuzz_dns_wire.cpp feeds it).
std::optional<std::string> dns_wire_text(std::string_view wire, const std::string& name, const std::string& type,
                                         std::string* error);

} // namespace pft::probes
