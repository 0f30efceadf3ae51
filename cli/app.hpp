// app.hpp - the command-line application as a function, so tests can run it
// in-process with their own arguments and streams.
#pragma once

#include <iosfwd>

namespace pft::cli {

enum ExitCode { kOk = 0, kWarning = 1, kCritical = 2, kNoConclusion = 3, kUsage = 64, kDataErr = 65 };

int run_app(int argc, char** argv);

} // namespace pft::cli
