// mail_auth_records.hpp - parses DMARC (RFC 7489) and DKIM key (RFC 6376) TXT records:
// tag=value lists, checked for the tags that must be there and valid values.
// Pure: no DNS, no signature verification, no key-strength policy.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace pft::probes::parse {

struct DmarcRecord {
    bool valid = false;
    std::string policy;            // p= (none, quarantine, reject)
    std::string subdomain_policy;  // sp=
    int pct = 100;
    std::vector<std::string> problems;
    std::map<std::string, std::string> tags;
};

struct DkimKey {
    bool valid = false;
    bool revoked = false;          // p= is empty
    std::string key_type = "rsa";  // k=
    int key_bits = 0;              // from the public key, 0 when it cannot be read
    std::vector<std::string> problems;
    std::map<std::string, std::string> tags;
};

// Tag list "v=DMARC1; p=reject" -> {v: DMARC1, p: reject}; nullopt when malformed.
std::optional<std::map<std::string, std::string>> parse_tag_list(const std::string& text);

DmarcRecord parse_dmarc(const std::string& text);
DkimKey parse_dkim_key(const std::string& text);

} // namespace pft::probes::parse
