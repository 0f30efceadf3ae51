// builtin_probes.hpp - factories of the built-in probes, one per *_probe.cpp.
// registry.cpp lists them in all_probes(); nothing else should need this header.
#pragma once

#include "probes/probe.hpp"

#include <memory>

namespace pft::probes {

std::unique_ptr<Probe> make_manifest_probe();
std::unique_ptr<Probe> make_postconf_probe();
std::unique_ptr<Probe> make_postfix_status_probe();
std::unique_ptr<Probe> make_postfix_check_probe();
std::unique_ptr<Probe> make_queue_probe();
std::unique_ptr<Probe> make_host_probe();
std::unique_ptr<Probe> make_dns_probe();
std::unique_ptr<Probe> make_tls_probe();
std::unique_ptr<Probe> make_sockets_probe();
std::unique_ptr<Probe> make_tables_probe();
std::unique_ptr<Probe> make_chroot_probe();
std::unique_ptr<Probe> make_dane_probe();
std::unique_ptr<Probe> make_role_probe();

} // namespace pft::probes
