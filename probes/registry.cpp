// registry.cpp - the list of built-in probes, in a stable order.
// Adding a probe means adding its factory here; probes never register themselves.
#include "probes/builtin_probes.hpp"

namespace pft::probes {

std::vector<std::unique_ptr<Probe>> all_probes() {
    std::vector<std::unique_ptr<Probe>> v;
    v.push_back(make_manifest_probe());
    v.push_back(make_postconf_probe());
    v.push_back(make_postfix_status_probe());
    v.push_back(make_postfix_check_probe());
    v.push_back(make_queue_probe());
    v.push_back(make_host_probe());
    v.push_back(make_sockets_probe());
    v.push_back(make_tables_probe());
    v.push_back(make_chroot_probe());
    v.push_back(make_role_probe());
    v.push_back(make_tls_probe());
    v.push_back(make_dns_probe());
    v.push_back(make_dane_probe());
    return v;
}

} // namespace pft::probes
