// command.hpp - how a subcommand plugs into the pftriage command line: it adds
// its options to the CLI11 app and runs when chosen. One file per command
// (cli/cmd_*.cpp); cli/commands.cpp lists them. Shared options live in Common.
#pragma once

#include <CLI/CLI.hpp>

#include <memory>
#include <string>
#include <vector>

namespace pft::cli {

// Options every command may use; set by CLI11 before run().
struct Common {
    std::string kb;         // --kb DIR
    int verbose = 0;        // -v
    bool quiet = false;     // -q
    bool no_color = false;  // --no-color
    std::string symptom;    // -s, --symptom
    std::string from;       // -f, --from BUNDLE
    std::string format = "text";
    std::string config_dir; // -c, --config-dir (live Postfix instance)
    std::string resolver;   // --resolver IP[:PORT]
    double timeout = 5.0;   // per external program, seconds
    double dns_timeout = 2.0; // per DNS query, seconds (all DNS queries together: 3x)
    bool run_postfix_check = false; // --run-postfix-check (it may create queue directories)
    std::string server_ips, mail_domains; // --server-ips, --mail-domains (space/comma separated)
};

// Adds -v/-q/--kb/--no-color; and the options that choose what is analysed.
void add_common_options(CLI::App* a, Common& c);
void add_source_options(CLI::App* a, Common& c);
// Options of the live probes: --resolver, timeouts, --run-postfix-check, --server-ips ...
void add_live_options(CLI::App* a, Common& c);

class Command {
public:
    virtual ~Command() = default;
    // Creates the subcommand under `app` and returns it.
    virtual CLI::App* add(CLI::App& app, Common& c) = 0;
    virtual int run(Common& c) = 0;
};

// Every subcommand, in the order of --help.
std::vector<std::unique_ptr<Command>> all_commands();

// The default command (no subcommand): triage / health check.
int run_triage(Common& c);

} // namespace pft::cli
