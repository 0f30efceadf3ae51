// master_services.hpp - parses master.cf services, from `postconf -M` or master.cf itself.
// One logical line per service (continuation lines folded, comments skipped):
// service type private unpriv chroot wakeup maxproc command [args], `-o` overrides split out.
// Pure: it does not resolve '-' defaults or check that commands exist.
#pragma once

#include "probes/parse/parse_warning.hpp"

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pft::probes::parse {

struct MasterService {
    std::string service, type;                 // "smtp", "inet"
    std::string private_flag, unpriv, chroot;  // "y", "n" or "-"
    std::string wakeup;                        // "60", "1000?", "-"
    std::string maxproc;                       // digits or "-"
    std::string command;                       // "smtpd"
    std::vector<std::string> args;             // the other command words (not -o pairs)
    std::vector<std::pair<std::string, std::string>> overrides; // -o name=value
    std::size_t line = 0;

    std::string key() const { return service + "/" + type; } // "submission/inet"
};

struct MasterServices {
    std::vector<MasterService> services;
    std::vector<ParseWarning> warnings;
};

MasterServices parse_master_services(std::string_view text);

} // namespace pft::probes::parse
