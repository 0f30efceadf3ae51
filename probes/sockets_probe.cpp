// sockets_probe.cpp - who listens on which TCP port, compared with what master.cf,
// inet_interfaces and inet_protocols ask for. Reads ss-tlnp.txt (the live source
// renders it from /proc/net/tcp{,6} and /proc/*/fd). It does not connect anywhere.
#include "probes/builtin_probes.hpp"
#include "probes/config_view.hpp"
#include "probes/evidence.hpp"
#include "probes/parse/sockets.hpp"

#include <algorithm>
#include <map>
#include <regex>
#include <set>

namespace pft::probes {

namespace {

int service_port(const std::string& service) {
    std::string s = service;
    auto c = s.rfind(':');
    if (c != std::string::npos) s = s.substr(c + 1);
    if (s == "smtp") return 25;
    if (s == "submission") return 587;
    if (s == "smtps" || s == "submissions") return 465;
    if (!s.empty() && s.size() <= 5 && std::all_of(s.begin(), s.end(), ::isdigit)) {
        int p = std::stoi(s);
        return p > 0 && p < 65536 ? p : 0;
    }
    return 0;
}

// The host part of a master.cf service name ("127.0.0.25:25" -> "127.0.0.25",
// "[::1]:587" -> "::1"); "" when the service listens on inet_interfaces.
std::string service_host(const std::string& service) {
    auto c = service.rfind(':');
    if (c == std::string::npos || c == 0) return "";
    std::string h = service.substr(0, c);
    if (h.size() >= 2 && h.front() == '[' && h.back() == ']') h = h.substr(1, h.size() - 2);
    return h;
}

bool is_wildcard(const std::string& a) { return a == "0.0.0.0" || a == "::" || a == "*" || a == "[::]"; }

class SocketsProbe : public Probe {
public:
    std::string name() const override { return "sockets"; }
    std::vector<std::string> produces() const override {
        return {"net.listening", "net.listen_addr", "net.port_owner", "net.loopback_only", "net.expected_port",
                "net.expected_not_listening"};
    }

    void run(Source& src, FactSink& out) override {
        ConfigView cfg = ConfigView::load(src);
        std::map<int, std::string> expected; // port -> master.cf service
        std::map<int, std::string> bound_host; // port -> the address master.cf binds it to
        for (const auto& s : cfg.services())
            if (s.type == "inet")
                if (int p = service_port(s.service)) {
                    expected.emplace(p, s.key());
                    bound_host.emplace(p, service_host(s.service));
                }
        Evidence ev(src, name(), "ss-tlnp.txt", out);
        std::set<int> ports{25, 465, 587};
        for (const auto& [p, s] : expected) ports.insert(p);
        for (const auto& [p, s] : expected)
            out.known("net.expected_port", std::to_string(p), s, engine::Provenance{name(), "postconf-M.txt", s});
        if (!ev.ok()) {
            for (int p : ports) out.unknown("net.listening", std::to_string(p), ev.missing_reason(), ev.whole());
            return;
        }
        auto ls = parse::parse_ss_tlnp(ev.text());
        ev.report(ls.warnings);
        // On a host with several Postfix instances (postmulti, or the fault lab's
        // parallel instances), a port held by ANOTHER instance's master is not this
        // instance's service: with our master's pid known (postfix status), those
        // listeners are left out. Other programs on the port still count (port-in-use).
        int our_master = 0;
        if (Artifact st = src.get("postfix-status.txt"); st.ok) {
            static const std::regex pid_rx(R"(PID: (\d{1,9}))");
            std::smatch m;
            if (std::regex_search(st.text, m, pid_rx)) our_master = std::stoi(m[1].str());
        }
        // Another instance's socket: held by another master, or only by Postfix daemons
        // and not by ours (an instance that is stopping: its smtpd processes still hold
        // the socket for a moment after its master exited).
        auto other_instance = [our_master](const parse::Listener& l) {
            if (our_master <= 0) return false;
            if (l.holders.empty()) return l.pid > 0 && l.process == "master" && l.pid != our_master;
            bool ours = false, postfix = false;
            for (const auto& [name, pid] : l.holders) {
                if (pid == our_master) ours = true;
                if (name == "master" || name == "smtpd" || name == "postscreen" || name == "tlsproxy") postfix = true;
            }
            return !ours && postfix;
        };
        std::map<int, std::vector<const parse::Listener*>> by_port;
        for (const auto& l : ls.items) {
            if (other_instance(l)) continue;
            by_port[l.port].push_back(&l);
        }
        for (const auto& [p, v] : by_port)
            if (expected.count(p)) ports.insert(p);
        std::string inet_if = cfg.param("inet_interfaces").value_or("");
        for (int p : ports) {
            std::string subj = std::to_string(p);
            auto it = by_port.find(p);
            if (it == by_port.end()) {
                out.known("net.listening", subj, false, ev.whole("no listener on port " + subj));
                if (expected.count(p))
                    out.known("net.expected_not_listening", subj, true,
                              ev.whole(expected[p] + " is in master.cf; inet_interfaces = " + inet_if));
                continue;
            }
            // The listener that holds the address master.cf asks for (its own address or
            // a wildcard), not just the first one: on a host with several addresses
            // another program (or another instance) may listen on the same port elsewhere.
            const auto* first = it->second.front();
            if (auto bh = bound_host.find(p); bh != bound_host.end() && !bh->second.empty())
                for (const auto* l : it->second)
                    if (l->address == bh->second || is_wildcard(l->address)) {
                        first = l;
                        break;
                    }
            out.known("net.listening", subj, true, ev.at(first->line, first->address + ":" + subj));
            if (expected.count(p)) out.known("net.expected_not_listening", subj, false, ev.at(first->line, expected[p]));
            engine::StringList addrs;
            bool loop_only = true;
            for (const auto* l : it->second) {
                if (std::find(addrs.begin(), addrs.end(), l->address) == addrs.end()) addrs.push_back(l->address);
                loop_only = loop_only && parse::is_loopback_address(l->address);
            }
            out.known("net.listen_addr", subj, addrs, ev.at(first->line, first->address + ":" + subj));
            out.known("net.loopback_only", subj, loop_only, ev.at(first->line, first->address + ":" + subj));
            if (!first->process.empty())
                out.known("net.port_owner", subj, first->process, ev.at(first->line, first->process));
            else
                out.unknown("net.port_owner", subj,
                            src.is_live() ? "the owning process is not visible (its /proc/PID/fd needs root)"
                                          : "ss-tlnp.txt names no process (ss was run without root)",
                            ev.at(first->line, first->address + ":" + subj));
        }
    }
};

} // namespace

std::unique_ptr<Probe> make_sockets_probe() { return std::make_unique<SocketsProbe>(); }

} // namespace pft::probes
