// session.cpp - loading, opening and resolving, shared by the commands.
#include "cli/session.hpp"

#include "cli/app.hpp"
#include "probes/bundle_source.hpp"
#include "probes/live_source.hpp"

#include "cli/render.hpp"

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <iostream>
#include <unistd.h>

namespace pft::cli {

void setup_logging(const Common& c) {
    // Colour on stderr only when it is a terminal and neither --no-color nor NO_COLOR says otherwise.
    spdlog::drop("pftriage");
    auto logger = !c.no_color && use_color(STDERR_FILENO) ? spdlog::stderr_color_mt("pftriage") : spdlog::stderr_logger_mt("pftriage");
    spdlog::set_default_logger(logger);
    spdlog::set_pattern("pftriage: %^%l%$: %v");
    if (c.quiet) spdlog::set_level(spdlog::level::err);
    else if (c.verbose >= 2) spdlog::set_level(spdlog::level::debug);
    else if (c.verbose == 1) spdlog::set_level(spdlog::level::info);
    else spdlog::set_level(spdlog::level::warn);
}

std::optional<Knowledge> load_knowledge_or_report(const Common& c, int* code, bool with_tests) {
    rules::Diagnostics diags;
    std::string nf;
    auto k = load_all_knowledge(c.kb, diags, &nf, with_tests);
    for (const auto& d : diags.sorted()) std::cerr << d.to_string() << "\n";
    if (!k) {
        if (!nf.empty()) std::cerr << "pftriage: " << nf << "\n";
        else std::cerr << "pftriage: the knowledge base has " << diags.error_count() << " error(s); nothing was analysed\n";
        *code = kDataErr;
    }
    return k;
}

void list_symptoms(const rules::KnowledgeBase& kb, std::ostream& out) {
    out << "Known symptoms (use the id, or describe it in your own words):\n";
    for (const auto& s : kb.symptoms) {
        out << "  " << s.id << std::string(s.id.size() < 22 ? 22 - s.id.size() : 1, ' ') << s.title;
        if (!s.aliases.empty()) out << "  (e.g. \"" << s.aliases.front() << "\")";
        out << "\n";
    }
}

probes::LiveOptions live_options(const Common& c) {
    probes::LiveOptions lo;
    auto ms = [](double s) { return std::chrono::milliseconds(static_cast<long long>(std::clamp(s, 0.1, 600.0) * 1000)); };
    if (!c.config_dir.empty()) lo.config_dir = c.config_dir;
    lo.timeout = ms(c.timeout);
    lo.dns_timeout = ms(c.dns_timeout);
    lo.dns_budget = 3 * lo.dns_timeout;
    lo.tls_timeout = ms(c.timeout);
    lo.resolver = c.resolver;
    lo.run_postfix_check = c.run_postfix_check;
    auto words = [](std::string s) {
        for (auto& ch : s)
            if (ch == ',') ch = ' ';
        return s;
    };
    lo.server_ips = words(c.server_ips);
    lo.mail_domains = words(c.mail_domains);
    return lo;
}

std::unique_ptr<probes::Source> open_source(const Common& c, int* code) {
    if (!c.from.empty()) {
        std::string err;
        auto src = probes::open_bundle(c.from, &err);
        if (!src) {
            std::cerr << "pftriage: " << c.from << ": " << err << "\n";
            *code = kDataErr;
        }
        return src;
    }
    auto lo = live_options(c);
    return std::make_unique<probes::LiveSource>(lo);
}

std::optional<SymptomMatch> resolve_symptom(const Common& c, const Knowledge& k, int* code) {
    *code = 0;
    if (c.symptom.empty()) return std::nullopt;
    auto sm = match_symptom(c.symptom, k.kb);
    if (sm.id.empty()) {
        std::cerr << "pftriage: no known symptom matches \"" << c.symptom << "\".\n";
        if (!sm.ranked.empty() && sm.ranked.front().score > 0)
            std::cerr << "Closest: " << sm.ranked.front().id << " (" << sm.ranked.front().how << "), not sure enough to choose it.\n";
        list_symptoms(k.kb, std::cerr);
        *code = kUsage;
        return std::nullopt;
    }
    return sm;
}

} // namespace pft::cli
