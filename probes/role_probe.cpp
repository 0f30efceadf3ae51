// role_probe.cpp - what kind of mail server this is (null client, relay-only,
// inbound MX, submission server), from postconf and master.cf, so that rules
// which do not apply to the role are not raised. It judges nothing else.
#include "probes/builtin_probes.hpp"
#include "probes/config_view.hpp"

#include <algorithm>

namespace pft::probes {

namespace {

class RoleProbe : public Probe {
public:
    std::string name() const override { return "role"; }
    std::vector<std::string> produces() const override {
        return {"role.null_client", "role.relay_only", "role.inbound_mx", "role.submission"};
    }

    void run(Source& src, FactSink& out) override {
        ConfigView cfg = ConfigView::load(src);
        engine::Provenance base{name(), "postconf.txt, postconf-M.txt", ""};
        if (!cfg.ok() || !cfg.services_ok()) {
            std::string why = !cfg.ok() ? cfg.error() : "neither postconf-M.txt nor master.cf is available";
            for (const auto& f : produces()) out.unknown(f, "", why, base);
            return;
        }
        std::string relayhost = cfg.param("relayhost").value_or("");
        std::string inet_if = cfg.param("inet_interfaces").value_or("all");
        bool loopback_if = inet_if == "loopback-only" || inet_if == "localhost" || inet_if == "127.0.0.1" ||
                           inet_if == "127.0.0.1, [::1]" || inet_if == "[::1]";
        std::vector<std::string> local_domains;
        for (const auto& w : config_words(cfg.param("mydestination").value_or("")))
            if (w.rfind("localhost", 0) != 0) local_domains.push_back(w);
        bool hosted = !local_domains.empty() || !cfg.param("virtual_mailbox_domains").value_or("").empty() ||
                      !cfg.param("virtual_alias_domains").value_or("").empty() ||
                      !cfg.param("relay_domains").value_or("").empty();
        bool smtp_inet = false, submission = false;
        std::string smtp_line, sub_line;
        for (const auto& s : cfg.services()) {
            if (s.type != "inet" || s.command != "smtpd") continue;
            std::string svc = s.service.substr(s.service.rfind(':') == std::string::npos ? 0 : s.service.rfind(':') + 1);
            std::string host = s.service.rfind(':') == std::string::npos ? "" : s.service.substr(0, s.service.rfind(':'));
            bool loop_host = host.rfind("127.", 0) == 0 || host == "[::1]" || host == "localhost";
            if ((svc == "smtp" || svc == "25") && !loop_host) {
                smtp_inet = true;
                smtp_line = s.key();
            }
            if (svc == "submission" || svc == "587" || svc == "smtps" || svc == "submissions" || svc == "465") {
                submission = true;
                sub_line = s.key();
            }
        }
        auto p = [&](const std::string& ex) { return engine::Provenance{name(), "postconf.txt, postconf-M.txt", ex}; };
        out.known("role.relay_only", "", !relayhost.empty(), p("relayhost = " + relayhost));
        out.known("role.null_client", "", local_domains.empty() && !hosted && (loopback_if || !smtp_inet),
                  p("mydestination = " + cfg.param("mydestination").value_or("") + "; inet_interfaces = " + inet_if));
        out.known("role.inbound_mx", "", smtp_inet && !loopback_if && hosted,
                  p((smtp_line.empty() ? "no public smtp/inet smtpd" : smtp_line) + "; inet_interfaces = " + inet_if));
        out.known("role.submission", "", submission, p(sub_line.empty() ? "no submission/smtps service" : sub_line));
    }
};

} // namespace

std::unique_ptr<Probe> make_role_probe() { return std::make_unique<RoleProbe>(); }

} // namespace pft::probes
