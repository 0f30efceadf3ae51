// redact.hpp - consistent masking of addresses and IPs in a bundle made by `collect`.
//
// The same original always becomes the same mask in every file (so a bundle stays
// analysable: the client that failed SASL 40 times is still one client). Masks come
// from ranges that identify nobody: local parts become userN, IPv4 addresses
// 198.18.x.y (RFC 2544 benchmarking), IPv6 addresses 2001:db8::N (RFC 3849
// documentation). Loopback, wildcard and mask-like values stay: they identify nobody
// and the rules need them (inet_interfaces = 127.0.0.1, [::1]:10025...).
#pragma once

#include <cstddef>
#include <map>
#include <set>
#include <string>
#include <string_view>

namespace pft::cli {

class Redactor {
public:
    bool addresses = false; // mask local parts of e-mail addresses (postmaster/MAILER-DAEMON stay)
    bool ips = false;       // mask IPv4 and IPv6 addresses

    // Registers a server address first so its mask is stable, together with its
    // reverse-DNS name (in-addr.arpa labels or ip6.arpa nibbles), which appears in
    // dig file names and PTR answers.
    void seed_ip(const std::string& ip);

    std::string apply(std::string_view in);

private:
    std::string redact_addresses(std::string_view s);
    std::string redact_ipv4(std::string_view s);
    std::string redact_ipv6(std::string_view s);
    std::string mask_v4(const std::string& ip);
    std::string mask_v6(const std::string& canonical);

    std::map<std::string, std::string> addr_map_, ip_map_;
    std::set<std::string> masks_; // IPv4 masks already written (the v4 pass must not mask them again)
    std::size_t v4_count_ = 0, v6_count_ = 0;
};

// The nibble-reversed name of an IPv6 address without the ip6.arpa suffix
// ("1.0.0.0....8.b.d.0.1.0.0.2"), or "" when it is not an IPv6 address.
std::string ipv6_reverse_nibbles(const std::string& ip);

} // namespace pft::cli
