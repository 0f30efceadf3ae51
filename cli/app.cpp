// app.cpp - the pftriage command line: global options, subcommand dispatch and
// the mapping of parse errors onto exit status 64.
#include "cli/app.hpp"

#include "cli/command.hpp"
#include "cli/session.hpp"

namespace pft::cli {

void add_common_options(CLI::App* a, Common& c) {
    a->add_option("--kb", c.kb, "Knowledge directory (default: installed share/pftriage, or the source tree)");
    a->add_flag("-v,--verbose", c.verbose, "More detail: all evidence, unknown facts, per-probe times (-vv: debug log)");
    a->add_flag("-q,--quiet", c.quiet, "Only errors on standard error");
    a->add_flag("--no-color", c.no_color, "Never colour the output (NO_COLOR is honoured too)");
}

void add_source_options(CLI::App* a, Common& c) {
    a->add_option("-s,--symptom", c.symptom, "What is wrong, in your words or as an id (\"mail stuck\", relay-denied)");
    a->add_option("-f,--from", c.from, "Analyse an evidence bundle (directory or .tar.gz) instead of this host");
    a->add_option("--format", c.format, "Output format: text, json (pftriage.report/1), markdown, html (self-contained), prometheus, nagios")->check(CLI::IsMember({"text", "json", "markdown", "html", "prometheus", "nagios"}));
    a->add_option("-c,--config-dir", c.config_dir, "Configuration directory of the live Postfix instance (as postconf -c)");
    add_live_options(a, c);
}

void add_live_options(CLI::App* a, Common& c) {
    if (!a->get_option_no_throw("-c")) a->add_option("-c,--config-dir", c.config_dir, "Configuration directory of the live Postfix instance (as postconf -c)");
    a->add_option("--resolver", c.resolver, "DNS server for the DNS probe, IP[:PORT] (default: first nameserver of /etc/resolv.conf)");
    a->add_option("--timeout", c.timeout, "Live probes: time limit of each external program, seconds (default 5)");
    a->add_option("--dns-timeout", c.dns_timeout,
                  "Live probes: time limit of each DNS query, seconds (default 2); all DNS queries together get 3x this, "
                  "and only 1x while the server has answered none. With an unreachable DNS server the DNS facts are "
                  "unknown (TIMEOUT) after about --dns-timeout");
    a->add_flag("--run-postfix-check", c.run_postfix_check,
                "Live: also run `postfix check` (it may create missing queue directories, i.e. change the host; "
                "without it the postfix.check_* facts are unknown)");
    a->add_option("--server-ips", c.server_ips, "Live: public addresses of this host, for PTR, SPF and blocklist checks");
    a->add_option("--mail-domains", c.mail_domains, "Live: mail domains (default: mydestination and virtual domains)");
}

int run_app(int argc, char** argv) {
    Common c;
    CLI::App app{"pftriage - troubleshoot a Postfix mail server: ranked likely causes, the evidence for each,\n"
                 "and the exact commands to check, fix and verify.\n\n"
                 "  pftriage --symptom \"mail stuck\"             triage this host (read-only)\n"
                 "  pftriage --symptom mail-stuck --from BUNDLE  the same on a captured evidence bundle\n"
                 "  pftriage --from BUNDLE                       health check: every finding\n\n"
                 "Exit status: 0 nothing at warning level, 1 warning, 2 critical, 3 nothing could be probed,\n"
                 "64 usage error, 65 bad input data (knowledge base, bundle, answers file).\n"
                 "Live probes run external programs without a shell, each with a time limit; the host is never changed.",
                 "pftriage"};
    app.set_version_flag("--version", std::string("pftriage ") + PFT_VERSION);
    app.require_subcommand(0, 1);
    add_common_options(&app, c);
    add_source_options(&app, c);
    auto commands = all_commands();
    std::vector<CLI::App*> subs;
    for (auto& cmd : commands) subs.push_back(cmd->add(app, c));
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        int r = app.exit(e);
        return r == 0 ? kOk : kUsage;
    }
    setup_logging(c);
    for (std::size_t i = 0; i < commands.size(); ++i)
        if (*subs[i]) return commands[i]->run(c);
    return run_triage(c);
}

} // namespace pft::cli
