// sockets.hpp - listening TCP sockets from /proc/net/tcp{,6} and from `ss -tlnp`,
// and the ss-style rendering the live host uses so both share parse_ss_tlnp.
// Pure: finding socket owners through /proc/PID/fd is the live source's job.
#pragma once

#include "probes/parse/parse_warning.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace pft::probes::parse {

struct Listener {
    std::string address;      // "127.0.0.1", "0.0.0.0", "::", "::1"
    int port = 0;
    std::uint64_t inode = 0;  // /proc only
    std::string process;      // "master"; "" when unknown (the first holder)
    int pid = 0;
    // Every process holding the socket, as ss lists them in users:((...),(...)): a
    // Postfix listener is held by its master and by the daemons it started.
    std::vector<std::pair<std::string, int>> holders;
    std::size_t line = 0;
};

struct Listeners {
    std::vector<Listener> items;
    std::vector<ParseWarning> warnings;
};

// /proc/net/tcp or tcp6 text: the LISTEN (state 0A) rows.
Listeners parse_proc_net_tcp(std::string_view text, bool v6);
// `ss -tlnp` text (also -H without the header line).
Listeners parse_ss_tlnp(std::string_view text);
// Renders listeners as `ss -tlnp` prints them.
std::string render_ss_tlnp(const std::vector<Listener>& ls);

bool is_loopback_address(const std::string& a);
bool is_wildcard_address(const std::string& a);

} // namespace pft::probes::parse
