// fuzz_host_outputs.cpp - what the sockets, host, tables and TLS probes read: `ss -tlnp`,
// /proc/net/tcp{,6}, df, /proc/meminfo, /proc/loadavg, stat/ls lines, `openssl s_client`.
// The first byte picks the parser, so each keeps its own corpus region.
#include "fuzz_support.hpp"
#include "probes/parse/df.hpp"
#include "probes/parse/loadavg.hpp"
#include "probes/parse/meminfo.hpp"
#include "probes/parse/s_client.hpp"
#include "probes/parse/sockets.hpp"
#include "probes/parse/stat_lines.hpp"

using namespace pft;
using namespace pft::probes::parse;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    auto t = fuzz::as_text(data + 1, size - 1);
    switch (data[0] % 10) {
    case 0: {
        auto l = parse_ss_tlnp(t);
        (void)render_ss_tlnp(l.items);
        for (const auto& x : l.items) {
            (void)is_loopback_address(x.address);
            (void)is_wildcard_address(x.address);
        }
        break;
    }
    case 1: (void)parse_proc_net_tcp(t, false); break;
    case 2: (void)parse_proc_net_tcp(t, true); break;
    case 3: (void)parse_df(t); break;
    case 4: (void)parse_meminfo(t); break;
    case 5: (void)parse_loadavg(t); break;
    case 6:
        for (const auto& f : parse_tables_txt(t).files) (void)render_tables_line(f);
        break;
    case 7:
        for (const auto& f : parse_stat_mode(t).files) (void)render_stat_mode_line(f);
        break;
    case 8: (void)parse_ls_ln(t); break;
    case 9: (void)parse_s_client(t); break;
    }
    return 0;
}
