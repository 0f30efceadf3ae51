// test_heap.cpp - the load heap: marked for transparent huge pages, grown once, the
// head below the first 2 MiB boundary set aside; the opt-out; the loading thread's arena.
// Each case runs in a fresh process: the preparation happens once per process.
#include "cli/heap.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#if defined(__SANITIZE_ADDRESS__)
#define PFT_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define PFT_ASAN 1
#endif
#endif

namespace {

// Runs the hidden test case "[.heap-child]" of this test program in a fresh process
// (fork and exec: the preparation happens once per process, and a process that has run
// other tests already has a prepared heap and spare thread arenas), with PFT_HEAP_CASE set
// to `which` and PFTRIAGE_NO_HUGEPAGES to `off` (unset if null). Returns its exit status:
// 0 when every check held, otherwise the number of the check that failed.
int in_fresh_process(const char* which, const char* off) {
    pid_t pid = fork();
    if (pid == 0) {
        setenv("PFT_HEAP_CASE", which, 1);
        if (off) setenv("PFTRIAGE_NO_HUGEPAGES", off, 1);
        else unsetenv("PFTRIAGE_NO_HUGEPAGES");
        execl("/proc/self/exe", "test_cli", "[.heap-child]", static_cast<char*>(nullptr));
        _exit(127);
    }
    int status = 0;
    if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status)) return -1;
    return WEXITSTATUS(status);
}

// The VmFlags of the mapping that holds address a, from /proc/self/smaps ("" if none).
std::string vm_flags_of(const void* a) {
    auto x = reinterpret_cast<std::uintptr_t>(a);
    std::ifstream in("/proc/self/smaps");
    std::string line;
    bool inside = false;
    while (std::getline(in, line)) {
        std::uintptr_t lo = 0, hi = 0;
        char dash = 0;
        std::istringstream ls(line);
        if (line.find(':') == std::string::npos || line.find('-') < line.find(' ')) {
            if ((ls >> std::hex >> lo >> dash >> hi) && dash == '-') {
                inside = x >= lo && x < hi;
                continue;
            }
        }
        if (inside && line.rfind("VmFlags:", 0) == 0) return line;
    }
    return "";
}

// The size of the mapping that holds address a (0 if none).
std::size_t mapping_size_of(const void* a) {
    auto x = reinterpret_cast<std::uintptr_t>(a);
    std::ifstream in("/proc/self/maps");
    std::string line;
    while (std::getline(in, line)) {
        std::uintptr_t lo = 0, hi = 0;
        char dash = 0;
        std::istringstream ls(line);
        if ((ls >> std::hex >> lo >> dash >> hi) && dash == '-' && x >= lo && x < hi) return hi - lo;
    }
    return 0;
}

bool has_flag(const std::string& flags, const std::string& f) { return (flags + " ").find(" " + f + " ") != std::string::npos; }

// Exit status of a case that the environment does not allow: the parent reports it and
// does not fail.
constexpr int kNotHere = 77;

// Skipped for a reason of the machine, not of the code: no THP in the kernel, little free
// memory, another C library - or AddressSanitizer's malloc, whose mallopt refuses every option.
bool not_applicable(const pft::cli::HeapReport& rep) {
    using pft::cli::HeapSkip;
    switch (rep.reason) {
    case HeapSkip::LowMemory:
    case HeapSkip::MadviseRefused:
    case HeapSkip::NotGlibc: return true;
#ifdef PFT_ASAN
    case HeapSkip::MalloptRefused: return true;
#endif
    default: return false;
    }
}

int case_main_heap() {
    auto rep = pft::cli::prepare_load_heap();
    if (!rep.applied) return not_applicable(rep) ? kNotHere : 10;
    if (rep.reserved < (std::size_t(6) << 20)) return 11; // most of the 8 MiB pad
    auto again = pft::cli::prepare_load_heap();         // once per process
    if (!again.applied || again.reserved != rep.reserved) return 12;
    if (rep.head_set_aside) {
        // The first block carved after the set-aside head starts on a 2 MiB boundary (its
        // chunk header is 16 bytes before it). 300 KB: no freed chunk of the test runner fits.
        void* volatile first = std::malloc(300000);
        if ((reinterpret_cast<std::uintptr_t>(first) - 16) % (std::uintptr_t(2) << 20) != 0) return 15;
        std::free(first);
    }
    // While loading, a block of 1 MiB comes from the heap (under the break), not from a
    // mapping of its own, and the heap's mapping there is marked MADV_HUGEPAGE ("hg").
    void* volatile big = std::malloc(1 << 20);
    auto b = reinterpret_cast<std::uintptr_t>(big);
    if (b >= reinterpret_cast<std::uintptr_t>(sbrk(0))) return 13;
    if (!has_flag(vm_flags_of(big), "hg")) return 14;
    std::free(big);
    // After the load, malloc's defaults are back: a thread started then (a probe's) gets
    // an arena of glibc's usual size, not one with 8 MiB usable.
    pft::cli::finish_load_heap();
    std::size_t arena = 0;
    std::thread t([&arena] {
        void* volatile q = std::malloc(64);
        arena = mapping_size_of(q);
        std::free(q);
    });
    t.join();
    if (arena == 0 || arena >= (std::size_t(1) << 20)) return 16;
    return 0;
}

int case_opt_out() {
    auto rep = pft::cli::prepare_load_heap();
    if (rep.applied || rep.reserved != 0) return 20;
    if (rep.reason != pft::cli::HeapSkip::OptedOut) return 23;
    if (pft::cli::prepare_thread_heap()) return 21;
    void* volatile p = std::malloc(64);
    if (has_flag(vm_flags_of(p), "hg")) return 22;
    std::free(p);
    return 0;
}

int case_thread_arena() {
    auto rep = pft::cli::prepare_load_heap();
    if (!rep.applied) return not_applicable(rep) ? kNotHere : 30;
    int code = 0;
    std::thread t([&code] { // a new thread of a process with one: a fresh arena
        if (!pft::cli::prepare_thread_heap()) {
            code = 31;
            return;
        }
        std::vector<void*> blocks; // the loading thread's allocations
        for (int i = 0; i < 1000; ++i) blocks.push_back(std::malloc(200));
        if (reinterpret_cast<std::uintptr_t>(blocks.back()) < reinterpret_cast<std::uintptr_t>(sbrk(0)))
            code = 32; // from the main heap (below the break): not this thread's arena
        else if (!has_flag(vm_flags_of(blocks.back()), "hg"))
            code = 33;
        for (void* b : blocks) std::free(b);
    });
    t.join();
    return code;
}

// Runs a case; a case the environment does not allow is reported, not failed.
void check_case(const char* which, const char* off) {
    int r = in_fresh_process(which, off);
    if (r == kNotHere) {
        WARN("heap case '" << which << "' does not apply here (no THP, little free memory, or not glibc's malloc)");
        return;
    }
    INFO("case " << which << " exit status " << r);
    REQUIRE(r == 0);
}

} // namespace

// The body of the fresh processes above; hidden (not run on its own).
TEST_CASE("load heap: one case in a fresh process", "[.heap-child]") {
    const char* which = std::getenv("PFT_HEAP_CASE");
    if (!which) return;
    std::string w = which;
    int code = w == "main" ? case_main_heap() : w == "off" ? case_opt_out() : w == "thread" ? case_thread_arena() : 99;
    std::fflush(nullptr);
    _exit(code);
}

TEST_CASE("load heap: marked for huge pages, grown once, later blocks on the boundary, defaults back after", "[cli][heap]") {
    check_case("main", nullptr);
    check_case("main", "0"); // "0" is not an opt-out
}

TEST_CASE("load heap: PFTRIAGE_NO_HUGEPAGES leaves malloc alone", "[cli][heap]") {
    check_case("off", "1");
    check_case("off", "yes");
}

TEST_CASE("load heap: a loading thread's own arena is prepared too", "[cli][heap]") {
    check_case("thread", nullptr);
}
