// bench_startup.cpp - the start-up figure: fact catalog + knowledge base as a triage loads it
// (YAML, schema checks, expression compilation, strata; not the self-tests in knowledge/tests/)
// + lint + log signatures (parsed; compiled on first use), phase by phase on one thread, on the
// heap the CLI prepares (cli::prepare_load_heap); then the same load as the CLI does it (cli::load_all_knowledge:
// the signatures on a second thread), and, given the pftriage binary, whole processes.
// It does not cache anything and does not judge: it prints what it measured.
#include "cli/heap.hpp"
#include "cli/triage.hpp"
#include "probes/logsig.hpp"
#include "rules/fact_catalog.hpp"
#include "rules/lint.hpp"
#include "rules/loader.hpp"

#include <fcntl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

using namespace pft;
namespace fs = std::filesystem;

namespace {
using Clock = std::chrono::steady_clock;
double ms(Clock::time_point a, Clock::time_point b) { return std::chrono::duration<double, std::milli>(b - a).count(); }
// CPU time of this thread: on a loaded machine it moves far less than wall time.
double cpu_ms() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) / 1e6;
}
double process_cpu_ms() { // every thread of the process
    timespec ts{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) / 1e6;
}
// Wall time of one whole process (fork, exec, run, exit), output to /dev/null; -1 if it failed.
double run_process_ms(const std::vector<std::string>& argv) {
    std::vector<char*> a;
    for (const auto& s : argv) a.push_back(const_cast<char*>(s.c_str()));
    a.push_back(nullptr);
    std::fflush(stdout); // else the child would inherit (and print) what is buffered
    auto t0 = Clock::now();
    pid_t pid = fork();
    if (pid == 0) {
        int fd = open("/dev/null", O_WRONLY);
        if (fd < 0 || dup2(fd, 1) < 0) _exit(127);
        execv(a[0], a.data());
        _exit(127);
    }
    int status = 0;
    if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0) return -1;
    return ms(t0, Clock::now());
}
double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v.empty() ? 0 : v[v.size() / 2];
}
} // namespace

int main(int argc, char** argv) {
    // One load as the CLI does it, then exit; --cold-child-tests: as `kb test` loads it.
    if (argc == 3 && (std::string(argv[1]) == "--cold-child" || std::string(argv[1]) == "--cold-child-tests")) {
        rules::Diagnostics d;
        std::string nf;
        bool with_tests = std::string(argv[1]) == "--cold-child-tests";
        double ca = process_cpu_ms();
        auto a = Clock::now();
        auto k = cli::load_all_knowledge(argv[2], d, &nf, with_tests);
        double w = ms(a, Clock::now()), cpu = process_cpu_ms() - ca;
        if (!k) return 1;
        std::printf("%.3f %.3f\n", w, cpu);
        std::fflush(stdout);
        std::_Exit(0); // the process's teardown is not part of loading
    }
    fs::path root = argc > 1 ? fs::path(argv[1]) : fs::path(PFT_SOURCE_DIR);
    // pft_bench_startup [SOURCE_DIR [REPS [PFTRIAGE]]]
    int reps = argc > 2 ? std::max(1, std::atoi(argv[2])) : 11;
    fs::path kdir = root / "knowledge", catalog = root / "probes" / "facts.yaml";
    std::vector<double> t_cat, t_kb, t_lint, t_sig, t_total, c_cat, c_kb, c_lint, c_sig, c_total;
    std::size_t nrules = 0, ncauses = 0, nsymptoms = 0, nsigs = 0, nerrors = 0;
    rules::LoadOptions as_triage;
    as_triage.tests = false;
    auto heap = cli::prepare_load_heap();
    for (int i = 0; i < reps; ++i) {
        rules::Diagnostics d;
        double ca = cpu_ms();
        auto a = Clock::now();
        auto cat = rules::load_fact_catalog(catalog, d);
        auto b = Clock::now();
        double cb = cpu_ms();
        auto kb = rules::load_knowledge(kdir, d, as_triage);
        auto c = Clock::now();
        double cc = cpu_ms();
        rules::lint(kb, cat, d);
        auto e = Clock::now();
        double ce = cpu_ms();
        std::shared_ptr<probes::SignatureSet> sigs;
        if (fs::is_directory(kdir / "signatures")) sigs = probes::SignatureSet::load_directory((kdir / "signatures").string());
        auto f = Clock::now();
        double cf = cpu_ms();
        c_cat.push_back(cb - ca);
        c_kb.push_back(cc - cb);
        c_lint.push_back(ce - cc);
        c_sig.push_back(cf - ce);
        c_total.push_back(cf - ca);
        t_cat.push_back(ms(a, b));
        t_kb.push_back(ms(b, c));
        t_lint.push_back(ms(c, e));
        t_sig.push_back(ms(e, f));
        t_total.push_back(ms(a, f));
        nrules = kb.compiled ? kb.compiled->rules.size() : 0;
        ncauses = kb.causes.size();
        nsymptoms = kb.symptoms.size();
        nsigs = sigs ? sigs->signatures().size() : 0;
        nerrors = d.error_count() + (sigs ? sigs->errors().size() : 0);
    }
    std::printf("knowledge %s: %zu rules, %zu causes, %zu symptoms, %zu signatures, %zu load errors\n",
                kdir.string().c_str(), nrules, ncauses, nsymptoms, nsigs, nerrors);
    std::printf("heap: %s%s\n",
                heap.applied ? (std::to_string(heap.reserved >> 20) + " MiB marked for transparent huge pages").c_str()
                             : "not prepared: ",
                heap.applied ? "" : heap.skipped);
    std::printf("%-10s %9s %9s %9s %11s %9s\n", "", "catalog", "kb", "lint", "signatures", "total");
    std::printf("%-10s %9.2f %9.2f %9.2f %11.2f %9.2f  ms (first, cold process)\n", "first", t_cat[0], t_kb[0],
                t_lint[0], t_sig[0], t_total[0]);
    std::printf("%-10s %9.2f %9.2f %9.2f %11.2f %9.2f  ms (median of %d)\n", "median", median(t_cat), median(t_kb),
                median(t_lint), median(t_sig), median(t_total), reps);
    std::printf("%-10s %9.2f %9.2f %9.2f %11.2f %9.2f  ms CPU (first)\n", "cpu first", c_cat[0], c_kb[0], c_lint[0],
                c_sig[0], c_total[0]);
    std::printf("%-10s %9.2f %9.2f %9.2f %11.2f %9.2f  ms CPU (median)\n", "cpu median", median(c_cat), median(c_kb),
                median(c_lint), median(c_sig), median(c_total));

    // As the CLI loads it (catalog, rules and signatures, the signatures on a second
    // thread; no lint), each in a fresh process (this program again, so the figure is a
    // cold start: no warm heap, caches or branch history): wall and CPU of all threads.
    // Alternating with the same load plus the self-tests (knowledge/tests/), as `kb test`
    // and `kb lint` load it.
    std::vector<double> t_cli, c_cli, t_tests, c_tests;
    auto cold = [&kdir](const char* mode, std::vector<double>& tw, std::vector<double>& tc) {
        int fd[2];
        if (pipe(fd) != 0) return false;
        std::fflush(stdout);
        pid_t pid = fork();
        if (pid == 0) {
            close(fd[0]);
            if (dup2(fd[1], 1) < 0) _exit(127);
            std::string self = fs::read_symlink("/proc/self/exe").string();
            execl(self.c_str(), self.c_str(), mode, kdir.string().c_str(), static_cast<char*>(nullptr));
            _exit(127);
        }
        close(fd[1]);
        char buf[128] = {0};
        ssize_t n = read(fd[0], buf, sizeof buf - 1);
        close(fd[0]);
        int status = 0;
        waitpid(pid, &status, 0);
        double w = 0, cpu = 0;
        if (n <= 0 || std::sscanf(buf, "%lf %lf", &w, &cpu) != 2) return false;
        tw.push_back(w);
        tc.push_back(cpu);
        return true;
    };
    for (int i = 0; i < reps; ++i) {
        if (!cold("--cold-child", t_cli, c_cli) || !cold("--cold-child-tests", t_tests, c_tests)) {
            std::printf("cold child failed\n");
            return 1;
        }
    }
    std::printf("as the CLI, each in a fresh process: %.2f ms wall, %.2f ms CPU (median of %d; min %.2f, max %.2f ms wall)\n",
                median(t_cli), median(c_cli), reps, *std::min_element(t_cli.begin(), t_cli.end()),
                *std::max_element(t_cli.begin(), t_cli.end()));
    std::printf("the same with the self-tests (kb test): %.2f ms wall, %.2f ms CPU (median of %d; min %.2f, max %.2f ms wall)\n",
                median(t_tests), median(c_tests), reps, *std::min_element(t_tests.begin(), t_tests.end()),
                *std::max_element(t_tests.begin(), t_tests.end()));

    // Whole processes: `pftriage symptoms` (loads everything, prints a list) against
    // `pftriage --version` (loads nothing): the difference is what loading costs a user.
    if (argc > 3) {
        std::string exe = argv[3];
        std::vector<double> t_sym, t_ver;
        for (int i = 0; i < reps; ++i) {
            t_ver.push_back(run_process_ms({exe, "--version"}));
            t_sym.push_back(run_process_ms({exe, "--kb", kdir.string(), "symptoms"}));
        }
        if (*std::min_element(t_sym.begin(), t_sym.end()) < 0 || *std::min_element(t_ver.begin(), t_ver.end()) < 0) {
            std::printf("process: %s failed\n", exe.c_str());
            return 1;
        }
        std::printf("process    pftriage symptoms %.2f ms, pftriage --version %.2f ms: loading costs %.2f ms (medians of %d)\n",
                    median(t_sym), median(t_ver), median(t_sym) - median(t_ver), reps);
    }
    return 0;
}
