// maillog_probe.cpp - the `maillog` probe: windowed scan of the mail log through
// the signature set, emitting counts, newest lines and the signatures' own facts,
// plus a few facts of the log summary (log_summary.hpp) over the same window.
// It does not decide what a signature means for the diagnosis (rules/ does).
#include "probes/maillog_probe.hpp"

#include "probes/log_reader.hpp"
#include "probes/log_summary.hpp"
#include "probes/parse/syslog_line.hpp"

#include <ctime>
#include <map>
#include <set>

namespace pft::probes {
namespace {

constexpr std::size_t kMaxSubjectsPerFact = 500; // distinct subjects kept per fact name
constexpr std::size_t kExcerpt = 300;

struct Seen {
    std::int64_t count = 0;
    std::size_t line_no = 0;
    std::string_view line;
};

struct Derived {
    SignatureFact::Kind kind = SignatureFact::Kind::Flag;
    std::int64_t count = 0;
    std::string value;
    std::size_t line_no = 0;
    std::string_view line;
};

// "2026-11-25T14" for hours since the epoch.
std::string utc_hour_label(std::int64_t hours) {
    std::time_t t = static_cast<std::time_t>(hours * 3600);
    std::tm tm{};
    ::gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H", &tm);
    return buf;
}

class MaillogProbe final : public Probe {
public:
    explicit MaillogProbe(std::shared_ptr<const SignatureSet> sigs) : sigs_(std::move(sigs)) {}

    std::string name() const override { return "maillog"; }

    std::vector<std::string> produces() const override {
        std::vector<std::string> out{"log.lines", "log.untimed_lines", "log.newest", "log.signature.count",
                                     "log.signature.last", "log.explained_share", "log.received", "log.delivered",
                                     "log.deferrals", "log.rejected", "log.dest.deferral_rate",
                                     "log.dest.top_deferral_reason", "log.connect_failed_hosts",
                                     "log.hour.delivered", "log.hour.deferred", "log.hour.bounced",
                                     "log.hour.rejected"};
        std::set<std::string> extra;
        if (sigs_)
            for (const auto& s : sigs_->signatures())
                for (const auto& f : s.facts) extra.insert(f.name);
        out.insert(out.end(), extra.begin(), extra.end());
        return out;
    }

    void run(Source& src, FactSink& out) override {
        Artifact a = src.get("maillog");
        if (!a.ok || !sigs_) {
            std::string why = !sigs_ ? "no log signatures loaded" : "maillog: " + a.error;
            for (const auto& n : produces()) out.unknown(n, "", why, {"maillog", a.origin, ""});
            return;
        }
        if (a.truncated) out.warn("maillog: the log was cut by the source; older lines are missing");
        scan(a.text, src.now(), out);
    }

private:
    void scan(std::string_view text, engine::TimePoint now, FactSink& out) const {
        const auto& sigs = sigs_->signatures();
        std::vector<Seen> seen(sigs.size());
        std::map<std::pair<std::string, std::string>, Derived> derived;
        std::map<std::string, std::size_t> subjects_per_fact;
        std::set<std::string> overflowed;
        std::int64_t lines = 0, untimed = 0;
        std::optional<engine::TimePoint> newest;
        std::size_t newest_line = 0;
        // The same window and line reading as `pftriage logs --since 24h`.
        const TimeWindow window = default_triage_window(now);
        std::vector<int> idx;
        SigMatch m;
        StampCache cache;

        std::size_t line_no = 0;
        for_each_line(text, [&](std::string_view line) {
            ++line_no;
            if (line.empty()) return;

            SyslogLine l = parse_syslog_line(line, now, cache);
            if (l.time) {
                if (!newest || *l.time >= *newest) {
                    newest = l.time;
                    newest_line = line_no;
                }
                if (!window.contains(*l.time)) return;
            } else {
                ++untimed;
            }
            ++lines;
            if (l.kind != LineKind::Postfix) return;

            sigs_->match_indices(l.program, l.message, idx);
            for (int i : idx) {
                auto si = static_cast<std::size_t>(i);
                seen[si].count++;
                seen[si].line_no = line_no;
                seen[si].line = line;
                if (sigs[si].facts.empty() || !sigs_->extract(si, l.message, m)) continue;
                for (const auto& f : sigs[si].facts) {
                    std::string subject = engine::printable(expand_field_template(f.subject, m), 200);
                    if (subject.empty() && !f.subject.empty()) continue; // optional field absent
                    auto key = std::make_pair(f.name, subject);
                    auto it = derived.find(key);
                    if (it == derived.end()) {
                        if (subjects_per_fact[f.name] >= kMaxSubjectsPerFact) {
                            if (overflowed.insert(f.name).second)
                                out.warn("maillog: more than " + std::to_string(kMaxSubjectsPerFact) +
                                         " subjects for " + f.name + "; the rest are not counted");
                            continue;
                        }
                        subjects_per_fact[f.name]++;
                        it = derived.emplace(key, Derived{}).first;
                        it->second.kind = f.kind;
                    }
                    std::string value;
                    if (f.kind == SignatureFact::Kind::Last) {
                        value = engine::printable(expand_field_template(f.value, m), 200);
                        if (value.empty() && !f.value.empty()) continue; // optional field absent
                    }
                    Derived& d = it->second;
                    d.count++;
                    d.line_no = line_no;
                    d.line = line;
                    if (f.kind == SignatureFact::Kind::Last) d.value = std::move(value);
                }
            }
        });

        auto prov = [](std::size_t n, std::string_view line) {
            return engine::Provenance{"maillog", "maillog:" + std::to_string(n), engine::printable(line, kExcerpt)};
        };
        out.known("log.lines", "", engine::Value(lines), {"maillog", "maillog", ""});
        out.known("log.untimed_lines", "", engine::Value(untimed), {"maillog", "maillog", ""});
        if (newest)
            out.known("log.newest", "", engine::Value(*newest), prov(newest_line, ""));
        else
            out.unknown("log.newest", "", "no line of the log has a readable time", {"maillog", "maillog", ""});
        for (std::size_t i = 0; i < sigs.size(); ++i) {
            const Seen& s = seen[i];
            if (s.count == 0) {
                out.known("log.signature.count", sigs[i].id, engine::Value(0), {"maillog", "maillog", ""});
                continue;
            }
            out.known("log.signature.count", sigs[i].id, engine::Value(s.count), prov(s.line_no, s.line));
            out.known("log.signature.last", sigs[i].id, engine::Value(engine::printable(s.line, kExcerpt)),
                      prov(s.line_no, s.line));
        }
        summary_facts(text, now, window, out);
        for (const auto& [key, d] : derived) {
            engine::Value v;
            switch (d.kind) {
            case SignatureFact::Kind::Count: v = engine::Value(d.count); break;
            case SignatureFact::Kind::Flag: v = engine::Value(true); break;
            case SignatureFact::Kind::Last: v = engine::Value(d.value); break;
            }
            out.known(key.first, key.second, std::move(v), prov(d.line_no, d.line));
        }
    }

    // Facts from the summary of the same window: totals, per-destination deferral
    // rates and top reasons, how many remote hosts we could not connect to.
    void summary_facts(std::string_view text, engine::TimePoint now, const TimeWindow& window, FactSink& out) const {
        ScanOptions so;
        so.window = window;
        so.collect_unmatched = false;
        LogScanner sc(sigs_, so);
        sc.scan_chunk(LogChunk{text, 0, now, 0});
        const LogSummary& s = sc.summary();
        const engine::Provenance p{"maillog", "maillog (24 h window)", ""};
        out.known("log.explained_share", "", engine::Value(s.explained_share()), p);
        out.known("log.received", "", engine::Value(static_cast<std::int64_t>(s.received())), p);
        out.known("log.delivered", "", engine::Value(static_cast<std::int64_t>(s.delivered)), p);
        out.known("log.deferrals", "", engine::Value(static_cast<std::int64_t>(s.deferrals)), p);
        out.known("log.rejected", "", engine::Value(static_cast<std::int64_t>(s.rejected)), p);
        out.known("log.connect_failed_hosts", "", engine::Value(static_cast<std::int64_t>(s.connect_failures.size())), p);
        // Traffic per hour of the window (at most 25 subjects), for charts and monitoring.
        for (const auto& [hour, c] : s.per_hour) {
            std::string subject = utc_hour_label(hour);
            out.known("log.hour.delivered", subject, engine::Value(static_cast<std::int64_t>(c.delivered)), p);
            out.known("log.hour.deferred", subject, engine::Value(static_cast<std::int64_t>(c.deferred)), p);
            out.known("log.hour.bounced", subject, engine::Value(static_cast<std::int64_t>(c.bounced)), p);
            out.known("log.hour.rejected", subject, engine::Value(static_cast<std::int64_t>(c.rejected)), p);
        }
        std::map<std::string, std::pair<std::uint64_t, std::string>> top_reason;
        for (const auto& [k, n] : s.deferral_reasons.top(5000)) {
            auto tab = k.find('\t');
            auto& t = top_reason[k.substr(0, tab)];
            if (n > t.first) t = {n, k.substr(tab + 1)};
        }
        std::size_t emitted = 0;
        for (const auto& [domain, c] : s.per_domain) {
            if (!c.deferred || emitted++ >= kMaxSubjectsPerFact) continue;
            double attempts = static_cast<double>(c.sent + c.deferred + c.bounced);
            std::string subject = engine::printable(domain, 200);
            out.known("log.dest.deferral_rate", subject, engine::Value(static_cast<double>(c.deferred) / attempts), p);
            if (auto it = top_reason.find(domain); it != top_reason.end())
                out.known("log.dest.top_deferral_reason", subject, engine::Value(engine::printable(it->second.second, 200)), p);
        }
    }

    std::shared_ptr<const SignatureSet> sigs_;
};

} // namespace

std::unique_ptr<Probe> make_maillog_probe(std::shared_ptr<const SignatureSet> signatures) {
    return std::make_unique<MaillogProbe>(std::move(signatures));
}

} // namespace pft::probes
