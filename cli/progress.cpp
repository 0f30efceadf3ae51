// progress.cpp - the stderr spinner (see progress.hpp). One thread that sleeps on a
// condition variable; it touches nothing but stderr's file descriptor.
#include "cli/progress.hpp"

#include "engine/fact.hpp"

#include <cstdio>
#include <cstdlib>
#include <algorithm>
#include <cstring>
#include <unistd.h>

namespace pft::cli {

Progress::Progress(std::string label, std::chrono::milliseconds delay) : label_(engine::printable(label, 60)), delay_(delay) {
    const char* term = std::getenv("TERM");
    if (label_.empty() || isatty(STDERR_FILENO) != 1 || (term && std::strcmp(term, "dumb") == 0)) return;
    th_ = std::thread([this] { loop(); });
}

Progress::~Progress() { done(); }

void Progress::done() {
    {
        std::lock_guard<std::mutex> g(mu_);
        stop_ = true;
    }
    cv_.notify_all();
    if (th_.joinable()) th_.join();
}

void Progress::loop() {
    using clock = std::chrono::steady_clock;
    const auto start = clock::now();
    std::unique_lock<std::mutex> lk(mu_);
    if (cv_.wait_for(lk, delay_, [this] { return stop_; })) return;
    static const char* frames[] = {"|", "/", "-", "\\"};
    bool drawn = false;
    for (unsigned i = 0; !stop_; ++i) {
        double secs = std::chrono::duration<double>(clock::now() - start).count();
        char line[160];
        int n = std::snprintf(line, sizeof line, "\r\033[K%s %s ... %.1fs", frames[i % 4], label_.c_str(), secs);
        if (n > 0) drawn = write(STDERR_FILENO, line, static_cast<std::size_t>(std::min(n, static_cast<int>(sizeof line) - 1))) > 0 || drawn;
        cv_.wait_for(lk, std::chrono::milliseconds(125), [this] { return stop_; });
    }
    if (drawn) {
        const char clear[] = "\r\033[K";
        [[maybe_unused]] auto r = write(STDERR_FILENO, clear, sizeof clear - 1);
    }
}

} // namespace pft::cli
