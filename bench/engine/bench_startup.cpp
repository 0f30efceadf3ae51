// bench_startup.cpp - the start-up figure: fact catalog + knowledge base (YAML, schema checks,
// expression compilation, strata) + lint + log signatures (RE2 sets), as `pftriage` loads them.
// It does not cache anything and does not judge: it prints the phase times of each repetition.
#include "probes/logsig.hpp"
#include "rules/fact_catalog.hpp"
#include "rules/lint.hpp"
#include "rules/loader.hpp"

#include <time.h>

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
double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v.empty() ? 0 : v[v.size() / 2];
}
} // namespace

int main(int argc, char** argv) {
    fs::path root = argc > 1 ? fs::path(argv[1]) : fs::path(PFT_SOURCE_DIR);
    int reps = argc > 2 ? std::max(1, std::atoi(argv[2])) : 11;
    fs::path kdir = root / "knowledge", catalog = root / "probes" / "facts.yaml";
    std::vector<double> t_cat, t_kb, t_lint, t_sig, t_total, c_cat, c_kb, c_lint, c_sig, c_total;
    std::size_t nrules = 0, ncauses = 0, nsymptoms = 0, nsigs = 0, nerrors = 0;
    for (int i = 0; i < reps; ++i) {
        rules::Diagnostics d;
        double ca = cpu_ms();
        auto a = Clock::now();
        auto cat = rules::load_fact_catalog(catalog, d);
        auto b = Clock::now();
        double cb = cpu_ms();
        auto kb = rules::load_knowledge(kdir, d);
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
    std::printf("%-10s %9s %9s %9s %11s %9s\n", "", "catalog", "kb", "lint", "signatures", "total");
    std::printf("%-10s %9.2f %9.2f %9.2f %11.2f %9.2f  ms (first, cold process)\n", "first", t_cat[0], t_kb[0],
                t_lint[0], t_sig[0], t_total[0]);
    std::printf("%-10s %9.2f %9.2f %9.2f %11.2f %9.2f  ms (median of %d)\n", "median", median(t_cat), median(t_kb),
                median(t_lint), median(t_sig), median(t_total), reps);
    std::printf("%-10s %9.2f %9.2f %9.2f %11.2f %9.2f  ms CPU (first)\n", "cpu first", c_cat[0], c_kb[0], c_lint[0],
                c_sig[0], c_total[0]);
    std::printf("%-10s %9.2f %9.2f %9.2f %11.2f %9.2f  ms CPU (median)\n", "cpu median", median(c_cat), median(c_kb),
                median(c_lint), median(c_sig), median(c_total));
    return 0;
}
