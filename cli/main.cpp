// main.cpp - the pftriage command line. It parses options, assembles the
// layers (knowledge, probes, engine, report) and maps outcomes onto the exit
// status of the CLI contract; all reasoning lives in the libraries.
#include "cli/app.hpp"

int main(int argc, char** argv) { return pft::cli::run_app(argc, argv); }
