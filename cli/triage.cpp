// triage.cpp - from evidence to a ranked report.
#include "cli/triage.hpp"

#include "cli/heap.hpp"
#include "cli/plan.hpp"
#include "engine/certainty.hpp"
#include "probes/maillog_probe.hpp"
#include "rules/loader.hpp"

#include <pthread.h>
#include <pwd.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <future>
#include <map>
#include <mutex>
#include <set>

namespace pft::cli {

std::optional<Knowledge> load_all_knowledge(const std::string& kb_override, rules::Diagnostics& diags,
                                            std::string* not_found, bool with_tests) {
    auto dirs = find_data_dirs(kb_override, not_found);
    if (!dirs) return std::nullopt;
    const bool heap = prepare_load_heap().applied;
    Knowledge k;
    k.dirs = *dirs;
    // The fact catalog and the log signatures load on a second thread while the rules
    // load here: they share nothing, and the rules are about as much work as the other two.
    auto sigdir = dirs->knowledge / "signatures";
    std::error_code ec;
    bool with_signatures = std::filesystem::is_directory(sigdir, ec);
    rules::Diagnostics catalog_diags;
    auto side = std::async(std::launch::async, [&] {
        pthread_setname_np(pthread_self(), "pft-sigload");
        prepare_thread_heap();
        k.catalog = rules::load_fact_catalog(dirs->fact_catalog, catalog_diags);
        return with_signatures ? probes::SignatureSet::load_directory(sigdir.string())
                               : std::shared_ptr<probes::SignatureSet>();
    });
    rules::Diagnostics kb_diags;
    rules::LoadOptions options;
    options.tests = with_tests;
    k.kb = rules::load_knowledge(dirs->knowledge, kb_diags, options);
    auto sigs = side.get();
    if (heap) finish_load_heap();
    diags.append(catalog_diags); // in the order of a sequential load: catalog, rules, signatures
    diags.append(kb_diags);
    if (sigs) {
        for (const auto& e : sigs->errors()) {
            rules::Location l;
            l.file = e.file;
            l.line = e.line;
            l.column = e.column;
            diags.error(l, e.message);
        }
        k.signatures = sigs;
    }
    if (diags.has_errors()) return std::nullopt;
    return k;
}

std::vector<std::unique_ptr<probes::Probe>> triage_probes(const Knowledge& k) {
    auto v = probes::all_probes();
    if (k.signatures) v.push_back(probes::make_maillog_probe(k.signatures));
    return v;
}

GatheredFacts gather_facts(const Knowledge& k, probes::Source& src,
                           const std::function<void(const ProbeTiming&)>& on_done) {
    GatheredFacts g;
    g.live = src.is_live();
    if (g.live && ::geteuid() != 0) {
        const passwd* pw = ::getpwuid(::geteuid());
        g.non_root_user = pw && pw->pw_name ? pw->pw_name : "uid " + std::to_string(::geteuid());
    }
    auto list = triage_probes(k);
    struct One {
        std::vector<engine::Fact> facts;
        std::vector<std::string> warnings;
        ProbeTiming t;
    };
    std::mutex progress_mu;
    auto run_one = [&src, &on_done, &progress_mu](probes::Probe* p) {
        One o;
        probes::FactSink sink;
        auto t0 = std::chrono::steady_clock::now();
        p->run(src, sink);
        auto t1 = std::chrono::steady_clock::now();
        o.facts = sink.take_facts();
        o.warnings = sink.take_warnings();
        o.t = {p->name(), std::chrono::duration<double, std::milli>(t1 - t0).count(), o.facts.size()};
        if (on_done) {
            std::lock_guard<std::mutex> lock(progress_mu);
            on_done(o.t);
        }
        return o;
    };
    std::vector<One> results;
    if (src.is_live()) {
        // Live probes wait on programs and the network: run them concurrently.
        std::vector<std::future<One>> fut;
        for (auto& p : list) fut.push_back(std::async(std::launch::async, run_one, p.get()));
        for (auto& f : fut) results.push_back(f.get());
    } else {
        for (auto& p : list) results.push_back(run_one(p.get()));
    }
    for (auto& o : results) {
        for (auto& f : o.facts) g.facts.push_back(std::move(f));
        for (auto& w : o.warnings) g.warnings.push_back(std::move(w));
        g.timings.push_back(o.t);
    }
    for (const auto& w : src.warnings()) g.warnings.push_back(w);
    g.commands_run = src.commands_run();
    return g;
}

std::unique_ptr<engine::Engine> run_engine(const Knowledge& k, const std::vector<engine::Fact>& facts,
                                           engine::TimePoint now) {
    auto eng = std::make_unique<engine::Engine>(k.kb.compiled, now);
    for (const auto& f : facts) eng->add_fact(f);
    eng->run();
    return eng;
}

namespace {

double severity_weight(rules::Severity3 s) {
    switch (s) {
    case rules::Severity3::Critical: return 1.0;
    case rules::Severity3::Warning: return 0.85;
    case rules::Severity3::Info: return 0.6;
    }
    return 0.6;
}

int severity_rank(const std::string& s) { return s == "critical" ? 2 : (s == "warning" ? 1 : 0); }

void collect_evidence(const std::vector<engine::DerivationNode>& nodes, std::vector<EvidenceLine>& out,
                      std::set<std::pair<std::string, std::string>>& seen) {
    for (const auto& n : nodes) {
        if (n.cf <= 0) continue;
        for (const auto& e : n.evidence) {
            if (e.derived) {
                collect_evidence(e.derivation, out, seen);
                continue;
            }
            if (!seen.insert({e.fact, e.subject}).second) continue;
            EvidenceLine l;
            l.fact = e.fact;
            l.subject = e.subject;
            l.known = e.known;
            l.value = e.known ? e.value : "unknown";
            l.source = e.prov.source;
            l.probe = e.prov.probe;
            l.excerpt = e.prov.excerpt;
            l.rule = n.rule_id;
            out.push_back(std::move(l));
        }
    }
}

} // namespace

int exit_code_for(const Report& r) {
    if (r.facts_known == 0 || !r.not_probed.empty()) return 3;
    int code = 0;
    for (const auto& c : r.causes) {
        if (c.severity == "critical") code = std::max(code, 2);
        else if (c.severity == "warning") code = std::max(code, 1);
    }
    return code;
}

Report build_report(const Knowledge& k, const engine::Engine& eng, const std::optional<SymptomMatch>& symptom,
                    const GatheredFacts& gathered) {
    Report rep;
    rep.symptom = symptom;
    rep.now = eng.now();
    rep.warnings = gathered.warnings;
    rep.commands_run = gathered.commands_run;
    rep.timings = gathered.timings;
    rep.metrics = collect_metrics(gathered.facts, rep.now);
    const auto& kb = k.kb;
    const std::string sym = symptom ? symptom->id : "";

    for (const auto& f : gathered.facts) {
        if (f.known()) ++rep.facts_known;
        else ++rep.facts_unknown;
        if (f.name == "host.name" && f.known()) rep.hostname = f.value->to_string();
        if (f.name == "postfix.installed" && f.known() && f.value->to_string() == "false")
            rep.not_probed = "Postfix does not seem to be installed on this host: postconf was not found. Run "
                             "pftriage on the mail server itself, or analyse evidence collected there "
                             "(pftriage collect -o BUNDLE on the server, then pftriage --from BUNDLE).";
    }
    // Not root on a live host: what could not be read for lack of permission makes causes
    // impossible to confirm, and "no cause found" would mislead. Say so first.
    if (!gathered.non_root_user.empty() && rep.not_probed.empty()) {
        auto denied = [](const std::string& s) {
            std::string l = s;
            std::transform(l.begin(), l.end(), l.begin(), [](unsigned char ch) { return std::tolower(ch); });
            return l.find("permission denied") != std::string::npos || l.find("not permitted") != std::string::npos;
        };
        std::size_t n = 0;
        bool config_denied = false;
        for (const auto& f : gathered.facts) {
            if (!f.known() && denied(f.unknown_reason)) ++n;
            if (f.name == "postconf.fatal" && f.known() && denied(f.value->to_string())) config_denied = true;
        }
        const std::string who = "pftriage runs as user '" + engine::printable(gathered.non_root_user, 64) + "', not root";
        if (config_denied)
            rep.not_probed = who + ", and may not read Postfix's configuration (permission denied), so nothing about "
                                   "Postfix could be probed. Run it as root (sudo pftriage ...): it only reads.";
        else if (n > 0)
            rep.notices.push_back(who + ": " + std::to_string(n) + " fact(s) could not be read (permission denied), "
                                  "so causes that need them cannot be confirmed. Run it as root (sudo pftriage ...) "
                                  "for the full picture: it only reads.");
    }

    for (std::size_t i = 0; i < kb.causes.size(); ++i) {
        const auto& c = kb.causes[i];
        double cf = eng.cause_cf(static_cast<int>(i));
        bool relevant = sym.empty() || std::find(c.symptoms.begin(), c.symptoms.end(), sym) != c.symptoms.end();
        if (cf >= engine::kConcludeThreshold) {
            CauseReport cr;
            cr.id = c.id;
            cr.title = c.title;
            cr.severity = rules::severity_name(c.severity);
            cr.explain = c.explain;
            cr.doc = c.doc;
            cr.confidence = cf;
            cr.relevant = relevant;
            cr.score = cf * severity_weight(c.severity) * (relevant ? 1.0 : 0.5);
            cr.derivation = engine::explain_cause(eng, static_cast<int>(i));
            std::set<std::pair<std::string, std::string>> seen;
            collect_evidence(cr.derivation, cr.evidence, seen);
            cr.plan = render_plan(c, static_cast<int>(i), eng, &cr.plan_notes);
            rep.causes.push_back(std::move(cr));
        } else if (!sym.empty() && relevant) {
            NotConcluded nc;
            nc.id = c.id;
            nc.title = c.title;
            nc.confidence = cf;
            nc.ruled_out = cf <= -engine::kConcludeThreshold;
            // A ruled-out cause is explained by the evidence against it first.
            for (auto sidx : eng.cause_supports(static_cast<int>(i))) {
                const auto& sp = eng.support(sidx);
                if (sp.cf >= 0) continue;
                const auto& rule = eng.rules().rules[static_cast<std::size_t>(sp.rule)];
                engine::WhyNotItem w;
                w.rule_id = rule.id;
                w.binding = eng.memory().subjects().str(sp.binding);
                w.reason = "ruled out by " + rule.id + (rule.because.empty() ? "" : ": " + rule.because);
                for (const auto& rd : sp.reads) w.evidence.push_back(engine::describe_read(eng, rd));
                nc.why_not.push_back(std::move(w));
            }
            for (auto& w : engine::why_not(eng, static_cast<int>(i), 3)) nc.why_not.push_back(std::move(w));
            rep.not_concluded.push_back(std::move(nc));
        }
    }
    std::stable_sort(rep.causes.begin(), rep.causes.end(), [](const CauseReport& a, const CauseReport& b) {
        if (a.score != b.score) return a.score > b.score;
        if (severity_rank(a.severity) != severity_rank(b.severity)) return severity_rank(a.severity) > severity_rank(b.severity);
        return a.id < b.id;
    });
    // Candidates nearest to being concluded first.
    std::stable_sort(rep.not_concluded.begin(), rep.not_concluded.end(), [](const NotConcluded& a, const NotConcluded& b) {
        if (a.ruled_out != b.ruled_out) return !a.ruled_out;
        if (a.confidence != b.confidence) return a.confidence > b.confidence;
        return a.id < b.id;
    });

    // Unknown facts: every observed fact that is unknown, then absent facts that blocked a candidate.
    std::set<std::pair<std::string, std::string>> seen;
    for (const auto& f : gathered.facts) {
        if (f.known() || !seen.insert({f.name, f.subject}).second) continue;
        rep.unknown.push_back({f.name, f.subject, f.unknown_reason, f.prov.probe});
    }
    for (const auto& nc : rep.not_concluded)
        for (const auto& w : nc.why_not)
            for (const auto& u : w.unknowns)
                if (seen.insert({u.fact, u.subject}).second) rep.unknown.push_back({u.fact, u.subject, u.unknown_reason, u.prov.probe});

    // Questions that could separate the candidates, whose answers are not known yet.
    std::set<std::string> open;
    for (const auto& nc : rep.not_concluded)
        if (!nc.ruled_out) open.insert(nc.id);
    for (const auto& c : rep.causes)
        if (c.confidence < 0.8 && c.relevant) open.insert(c.id);
    if (sym.empty())
        for (const auto& c : rep.causes) open.insert(c.id);
    for (const auto& q : kb.questions) {
        bool useful = std::any_of(q.causes.begin(), q.causes.end(), [&](const std::string& c) { return open.count(c) > 0; });
        if (!useful) continue;
        bool answered = false;
        for (const auto& a : q.answers) {
            engine::SymId n = eng.memory().names().find(a.fact);
            if (n == engine::kNoSym) continue;
            engine::SymId s = eng.memory().subjects().find(a.subject);
            if (s == engine::kNoSym) continue;
            const auto* f = eng.memory().find(n, s);
            if (f && f->fact.known()) answered = true;
        }
        if (answered) continue;
        QuestionReport qr;
        qr.id = q.id;
        qr.text = q.text;
        qr.help = q.help;
        for (const auto& a : q.answers) qr.answers.push_back(a.answer);
        qr.causes = q.causes;
        rep.questions.push_back(std::move(qr));
    }
    rep.stats = engine::RunStats{};
    rep.exit_code = exit_code_for(rep);
    return rep;
}

} // namespace pft::cli
