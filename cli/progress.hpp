// progress.hpp - a spinner on standard error while long work runs, drawn only when
// stderr is a terminal and only once the work has taken longer than a moment. It
// never writes to standard output and never shows anything in pipes, cron or tests.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

namespace pft::cli {

class Progress {
public:
    // An empty label, a non-terminal stderr or TERM=dumb make it silent.
    explicit Progress(std::string label, std::chrono::milliseconds delay = std::chrono::milliseconds(600));
    ~Progress();
    Progress(const Progress&) = delete;
    Progress& operator=(const Progress&) = delete;
    // Stops and erases the spinner line (idempotent).
    void done();

private:
    void loop();
    std::string label_;
    std::chrono::milliseconds delay_;
    std::mutex mu_;
    std::condition_variable cv_;
    bool stop_ = false;
    std::thread th_;
};

} // namespace pft::cli
