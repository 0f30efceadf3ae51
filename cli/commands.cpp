// commands.cpp - the list of subcommands. Adding a command: write cli/cmd_NAME.cpp
// with a make_NAME_command() factory and add it here.
#include "cli/command.hpp"

namespace pft::cli {

std::unique_ptr<Command> make_explain_command();
std::unique_ptr<Command> make_symptoms_command();
std::unique_ptr<Command> make_kb_command();
std::unique_ptr<Command> make_collect_command();
std::unique_ptr<Command> make_guide_command();
std::unique_ptr<Command> make_logs_command();
std::unique_ptr<Command> make_check_command();
std::unique_ptr<Command> make_diff_command();

std::vector<std::unique_ptr<Command>> all_commands() {
    std::vector<std::unique_ptr<Command>> v;
    v.push_back(make_explain_command());
    v.push_back(make_symptoms_command());
    v.push_back(make_kb_command());
    v.push_back(make_collect_command());
    v.push_back(make_guide_command());
    v.push_back(make_logs_command());
    v.push_back(make_check_command());
    v.push_back(make_diff_command());
    return v;
}

} // namespace pft::cli
