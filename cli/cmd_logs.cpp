// cmd_logs.cpp - `pftriage logs`: the mail-log summary (text or JSON), message
// histories (--id, --message-id, --from-addr, --to) and the lines no signature
// explains (--unmatched). It only assembles probes/log_*; it interprets no line itself.
#include "cli/app.hpp"
#include "cli/command.hpp"
#include "cli/data_dir.hpp"
#include "cli/session.hpp"
#include "engine/fact.hpp"
#include "probes/log_history.hpp"
#include "probes/log_reader.hpp"
#include "probes/log_summary.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <iomanip>
#include <iostream>
#include <sstream>

namespace pft::cli {

namespace {

using probes::LogSummary;

struct LogsOptions {
    std::vector<std::string> files;
    std::vector<std::string> ids, message_ids, senders, recipients;
    std::string since, until;
    bool unmatched = false;
    bool only = false;    // no rotated-set expansion
    std::size_t top = 10;
    unsigned threads = 0;
};

std::string fmt_time(std::int64_t t) {
    if (!t) return "-";
    std::string s = engine::format_time(engine::TimePoint{std::chrono::seconds{t}});
    s[10] = ' ';
    return s;
}

std::string pct(double x) {
    char b[32];
    std::snprintf(b, sizeof b, "%.1f %%", x * 100.0);
    return b;
}

std::string secs(double s) {
    char b[32];
    if (s < 10) std::snprintf(b, sizeof b, "%.2f s", s);
    else if (s < 600) std::snprintf(b, sizeof b, "%.0f s", s);
    else if (s < 36000) std::snprintf(b, sizeof b, "%.1f min", s / 60);
    else std::snprintf(b, sizeof b, "%.1f h", s / 3600);
    return b;
}

// Byte progress on a terminal for long scans; silent otherwise.
class ByteProgress {
public:
    ByteProgress(bool enabled, std::uint64_t total) : enabled_(enabled), total_(total) {}
    void update(std::uint64_t bytes) {
        if (!enabled_) return;
        auto now = std::chrono::steady_clock::now();
        if (now - last_ < std::chrono::milliseconds(250)) return;
        if (!started_) {
            started_ = true;
            start_ = now;
            last_ = now;
            return;
        }
        last_ = now;
        drawn_ = true;
        double mb = static_cast<double>(bytes) / 1048576.0;
        if (total_)
            std::fprintf(stderr, "\r\033[Kpftriage logs: %.0f / %.0f MiB (%.0f %%)", mb,
                         static_cast<double>(total_) / 1048576.0,
                         std::min(100.0, 100.0 * static_cast<double>(bytes) / static_cast<double>(total_)));
        else
            std::fprintf(stderr, "\r\033[Kpftriage logs: %.0f MiB", mb);
        std::fflush(stderr);
    }
    void done() {
        if (drawn_) std::fprintf(stderr, "\r\033[K");
        drawn_ = false;
    }

private:
    bool enabled_;
    std::uint64_t total_;
    bool started_ = false, drawn_ = false;
    std::chrono::steady_clock::time_point start_{}, last_{};
};

void section(std::ostream& o, const std::string& title) { o << "\n" << title << "\n" << std::string(title.size(), '-') << "\n"; }

void list_pairs(std::ostream& o, const probes::TopCounter& c, std::size_t n, const char* empty = "  (none)") {
    auto v = c.top(n);
    if (v.empty()) {
        o << empty << "\n";
        return;
    }
    for (const auto& [k, cnt] : v) {
        std::string key = k;
        auto tab = key.find('\t');
        if (tab != std::string::npos) key = key.substr(0, tab) + "  " + key.substr(tab + 1);
        o << std::setw(9) << cnt << "  " << engine::printable(key, 200) << "\n";
    }
    if (c.other()) o << std::setw(9) << c.other() << "  (more distinct values than kept)\n";
}

void render_text(std::ostream& o, const LogSummary& s, const std::string& what, const LogsOptions& opt) {
    o << "Mail log summary: " << what << "\n";
    o << "Period: " << fmt_time(s.first_time) << " .. " << fmt_time(s.last_time) << " (UTC)\n";
    o << "Lines: " << s.lines << " (" << s.lines_postfix << " Postfix, " << s.lines_other << " other programs, "
      << s.lines_unparsed << " without syslog shape";
    if (s.lines_outside_window) o << ", " << s.lines_outside_window << " outside the window";
    o << ")\n";
    o << "Signatures explained " << pct(s.explained_share()) << " of the Postfix lines (" << s.lines_explained << " of "
      << s.lines_postfix << "); `pftriage logs --unmatched` lists the rest by shape.\n";

    section(o, "Problems");
    bool any = false;
    auto line = [&](bool cond, const std::string& text) {
        if (!cond) return;
        any = true;
        o << "  " << text << "\n";
    };
    line(s.fatal_lines + s.panic_lines > 0, std::to_string(s.fatal_lines) + " fatal and " + std::to_string(s.panic_lines) +
                                                " panic lines (newest below)");
    line(s.deferrals > 0, std::to_string(s.deferred_messages()) + " messages deferred (" + std::to_string(s.deferrals) +
                              " deferrals; " + std::to_string(s.greylisted_by_them) + " of them greylisting by the remote side)");
    line(s.bounced > 0, std::to_string(s.bounced) + " recipients bounced");
    line(s.expired > 0, std::to_string(s.expired) + " messages expired (returned to sender after maximal_queue_lifetime)");
    line(s.rejected > 0, std::to_string(s.rejected) + " rejected (" + pct(s.received() + s.rejected ? double(s.rejected) / double(s.received() + s.rejected) : 0) + " of attempts)");
    line(s.sasl_clients.size() > 0, "SASL authentication failures from " + std::to_string(s.sasl_clients.size()) + " clients");
    line(s.tls_failures.size() > 0, "TLS failures of " + std::to_string(s.tls_failures.size()) + " kinds");
    line(s.connect_failures.size() > 0, "could not connect to " + std::to_string(s.connect_failures.size()) + " remote hosts");
    line(s.warning_lines > 0, std::to_string(s.warning_lines) + " warning lines, " + std::to_string(s.error_lines) + " error lines");
    if (!any) o << "  none found\n";

    section(o, "Totals");
    auto row = [&](const char* k, std::uint64_t v, const std::string& note = "") {
        o << std::setw(10) << v << "  " << k;
        if (!note.empty()) o << "  (" << note << ")";
        o << "\n";
    };
    row("received", s.received(), std::to_string(s.received_lines) + " client=/pickup lines");
    row("delivered", s.delivered);
    row("forwarded", s.forwarded);
    row("deferred", s.deferred_messages(), std::to_string(s.deferrals) + " deferrals");
    row("bounced", s.bounced);
    row("rejected", s.rejected, std::to_string(s.content_rejected) + " by cleanup/milter after DATA");
    row("reject warnings", s.reject_warnings);
    row("greylisted by us", s.greylisted_by_us, "4xx: the client retries; not counted as rejected");
    row("held", s.held);
    row("discarded", s.discarded);
    row("expired", s.expired);
    row("bounce notifications", s.bounce_notifications);
    row("re-injected", s.reinjected, "content-filter hand-offs, counted once");
    row("connections", s.connections);

    section(o, "Top deferral reasons by destination");
    list_pairs(o, s.deferral_reasons, opt.top);
    section(o, "Top bounce reasons by destination");
    list_pairs(o, s.bounce_reasons, opt.top);
    section(o, "Top rejecting restrictions");
    list_pairs(o, s.reject_restrictions, opt.top);
    section(o, "Top reject replies");
    list_pairs(o, s.reject_reasons, opt.top);
    section(o, "Top rejected clients");
    list_pairs(o, s.rejected_clients, opt.top);
    section(o, "SASL failures by client");
    list_pairs(o, s.sasl_clients, opt.top);
    section(o, "SASL failures by user");
    list_pairs(o, s.sasl_users, opt.top);
    section(o, "TLS failures");
    list_pairs(o, s.tls_failures, opt.top);
    section(o, "TLS failures by peer");
    list_pairs(o, s.tls_peers, opt.top);
    section(o, "Outbound connection failures");
    list_pairs(o, s.connect_failures, opt.top);
    section(o, "Warnings by program and shape");
    list_pairs(o, s.warnings, opt.top);
    section(o, "Fatal and panic lines (newest)");
    if (s.fatal_panic.empty()) o << "  (none)\n";
    for (const auto& n : s.fatal_panic) o << "  " << n.text << "\n";

    section(o, "Delays of delivered recipients (seconds)");
    static const char* names[5] = {"total (delay=)", "before queue manager (a)", "in queue manager (b)",
                                   "connection setup (c)", "transmission (d)"};
    o << "  " << std::left << std::setw(26) << "part" << std::right << std::setw(10) << "p50" << std::setw(10) << "p90"
      << std::setw(10) << "p99" << std::setw(10) << "max" << "\n";
    for (std::size_t i = 0; i < 5; ++i) {
        const auto& h = s.delays[i];
        o << "  " << std::left << std::setw(26) << names[i] << std::right << std::setw(10) << secs(h.percentile(50))
          << std::setw(10) << secs(h.percentile(90)) << std::setw(10) << secs(h.percentile(99)) << std::setw(10)
          << secs(h.max()) << "\n";
    }

    section(o, "Destinations (most deferrals and bounces first)");
    std::vector<std::pair<std::string, const probes::DomainCounts*>> doms;
    for (const auto& [d, c] : s.per_domain) doms.emplace_back(d, &c);
    std::sort(doms.begin(), doms.end(), [](const auto& a, const auto& b) {
        auto ta = a.second->deferred + a.second->bounced, tb = b.second->deferred + b.second->bounced;
        if (ta != tb) return ta > tb;
        return a.second->sent != b.second->sent ? a.second->sent > b.second->sent : a.first < b.first;
    });
    o << std::setw(9) << "sent" << std::setw(10) << "deferred" << std::setw(9) << "bounced" << std::setw(11) << "avg delay"
      << std::setw(11) << "max delay" << "  domain\n";
    for (std::size_t i = 0; i < doms.size() && i < opt.top * 2; ++i) {
        const auto& c = *doms[i].second;
        double avg = c.sent ? static_cast<double>(c.delay_ms_sum) / 1000.0 / static_cast<double>(c.sent) : 0.0;
        o << std::setw(9) << c.sent << std::setw(10) << c.deferred << std::setw(9) << c.bounced << std::setw(11) << secs(avg)
          << std::setw(11) << secs(static_cast<double>(c.delay_ms_max) / 1000.0) << "  " << engine::printable(doms[i].first, 100)
          << "\n";
    }

    std::map<std::int64_t, probes::TrafficCounts> days;
    std::array<probes::TrafficCounts, 24> hours{};
    for (const auto& [h, c] : s.per_hour) {
        days[h >= 0 ? h / 24 : (h - 23) / 24].merge(c);
        hours[static_cast<std::size_t>(((h % 24) + 24) % 24)].merge(c);
    }
    auto traffic_header = [&](const char* first) {
        o << "  " << std::left << std::setw(12) << first << std::right << std::setw(10) << "received" << std::setw(11)
          << "delivered" << std::setw(10) << "deferred" << std::setw(9) << "bounced" << std::setw(10) << "rejected" << "\n";
    };
    auto traffic_row = [&](const std::string& k, const probes::TrafficCounts& c) {
        o << "  " << std::left << std::setw(12) << k << std::right << std::setw(10) << c.received << std::setw(11)
          << c.delivered << std::setw(10) << c.deferred << std::setw(9) << c.bounced << std::setw(10) << c.rejected << "\n";
    };
    section(o, "Traffic per day (UTC)");
    traffic_header("day");
    std::size_t shown = 0;
    for (auto it = days.begin(); it != days.end(); ++it)
        if (days.size() - shown++ <= 62) traffic_row(fmt_time(it->first * 86400).substr(0, 10), it->second);
    section(o, "Traffic per hour of day (UTC, all days)");
    traffic_header("hour");
    for (std::size_t h = 0; h < 24; ++h) {
        char k[16];
        std::snprintf(k, sizeof k, "%02zu-%02zu", h, h + 1);
        traffic_row(k, hours[h]);
    }
    if (!s.unmatched.top(1).empty()) {
        section(o, "Postfix lines no signature explains (top shapes)");
        list_pairs(o, s.unmatched, std::min<std::size_t>(opt.top, 5));
    }
}

void render_unmatched_text(std::ostream& o, const LogSummary& s, std::size_t n) {
    o << "Postfix lines no signature explains: " << (s.lines_postfix - s.lines_explained) << " of " << s.lines_postfix
      << " (" << pct(1.0 - s.explained_share()) << "), " << s.unmatched.size() << " shapes\n";
    for (const auto& [k, cnt] : s.unmatched.top(n)) {
        o << std::setw(9) << cnt << "  " << k << "\n";
        auto ex = s.unmatched_examples.find(k);
        if (ex != s.unmatched_examples.end()) o << "           e.g. " << ex->second << "\n";
    }
    if (s.unmatched.other()) o << std::setw(9) << s.unmatched.other() << "  (lines of further shapes)\n";
}

nlohmann::json history_json(const probes::MessageHistory& h) {
    nlohmann::json ch = nlohmann::json::array();
    for (const auto& [kind, id] : h.children) ch.push_back({{"kind", kind}, {"queue_id", id}});
    return {{"host", h.host},           {"queue_id", h.queue_id}, {"status", h.status()},
            {"message_id", h.message_id}, {"sender", h.sender},   {"recipients", h.recipients},
            {"client", h.client},       {"parent", h.parent},     {"parent_kind", h.parent_kind},
            {"children", ch},           {"first", h.first ? engine::format_time(engine::TimePoint{std::chrono::seconds{h.first}}) : ""},
            {"lines", h.lines},         {"truncated", h.truncated}, {"evicted", h.evicted}};
}

void render_history_text(std::ostream& o, const probes::MessageHistory& h) {
    o << "== " << h.queue_id;
    if (!h.host.empty()) o << " on " << h.host;
    o << ": " << h.status() << "\n";
    if (!h.sender.empty() || !h.recipients.empty()) {
        o << "   from <" << h.sender << "> to";
        for (const auto& r : h.recipients) o << " <" << r << ">";
        o << "\n";
    }
    if (!h.message_id.empty()) o << "   message-id <" << h.message_id << ">\n";
    if (!h.client.empty()) o << "   client " << h.client << "\n";
    if (!h.parent.empty()) o << "   " << h.parent_kind << " of " << h.parent << "\n";
    else if (!h.parent_kind.empty()) o << "   received through a " << h.parent_kind << "\n";
    for (const auto& [kind, id] : h.children) o << "   led to " << kind << " " << id << "\n";
    for (const auto& l : h.lines) o << "   | " << l << "\n";
    if (h.truncated) o << "   | ... (more lines than kept)\n";
    o << "\n";
}

class LogsCommand : public Command {
public:
    CLI::App* add(CLI::App& app, Common& c) override {
        auto* s = app.add_subcommand("logs", "Summarise the mail log (problems first), follow messages, list unexplained lines");
        s->add_option("files", o_.files, "Log files (plain or .gz; one path also reads its rotated set), or - for standard input");
        s->add_option("-f,--from", c.from, "Read the mail log of an evidence bundle (directory or .tar.gz)");
        s->add_option("--format", c.format, "Output format: text or json")->check(CLI::IsMember({"text", "json"}));
        s->add_option("--id", o_.ids, "Print the history of this queue id (and the messages linked to it)");
        s->add_option("--message-id", o_.message_ids, "Print the history of the message with this Message-ID");
        s->add_option("--from-addr", o_.senders, "Print the histories of messages from this sender address");
        s->add_option("--to", o_.recipients, "Print the histories of messages to this recipient address");
        s->add_option("--since", o_.since, "Only lines at or after: RFC 3339, '2026-11-24 10:00', or relative (2h, 3d) to the end of the log");
        s->add_option("--until", o_.until, "Only lines before (same forms as --since)");
        s->add_flag("--unmatched", o_.unmatched, "List the Postfix lines no signature explains, grouped by shape, with counts");
        s->add_flag("--only", o_.only, "Read only the files named, not their rotated siblings");
        s->add_option("--top", o_.top, "Entries per list (default 10)")->check(CLI::Range(1, 100000));
        s->add_option("--threads", o_.threads, "Worker threads (default: 2, or 1 on one core)")->check(CLI::Range(1, 64));
        add_common_options(s, c);
        return s;
    }

    int run(Common& c) override {
        // Signatures only: the rules are not needed to read a log.
        std::string why;
        auto dirs = find_data_dirs(c.kb, &why);
        std::shared_ptr<const probes::SignatureSet> sigs;
        if (dirs) {
            auto set = probes::SignatureSet::load_directory((dirs->knowledge / "signatures").string());
            for (const auto& e : set->errors()) std::cerr << "pftriage: " << e.to_string() << "\n";
            if (!set->errors().empty()) return kDataErr;
            sigs = set;
        } else if (!c.quiet) {
            std::cerr << "pftriage: " << why << "; no signatures, coverage not measured\n";
        }

        std::vector<probes::LogInput> inputs;
        std::unique_ptr<probes::Source> src;
        probes::Artifact art;
        auto now = std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
        engine::TimePoint reference = now;
        std::string what;
        if (!c.from.empty()) {
            if (!o_.files.empty()) {
                std::cerr << "pftriage: give either --from BUNDLE or log files, not both\n";
                return kUsage;
            }
            int code = 0;
            src = open_source(c, &code);
            if (!src) return code ? code : kDataErr;
            art = src->get("maillog");
            if (!art.ok) {
                std::cerr << "pftriage: " << c.from << ": " << art.error << "\n";
                return kDataErr;
            }
            if (art.truncated) std::cerr << "pftriage: the bundle's mail log was cut; older lines are missing\n";
            reference = src->now();
            probes::LogInput in;
            in.text = art.text;
            in.label = "bundle maillog";
            in.reference = reference;
            inputs.push_back(in);
            what = src->describe() + " (maillog)";
        } else {
            std::vector<std::string> paths = o_.files;
            if (paths.empty()) {
                for (const char* p : {"/var/log/mail.log", "/var/log/maillog", "/var/log/mail/mail.log"}) {
                    struct stat st {};
                    if (::stat(p, &st) == 0 && S_ISREG(st.st_mode)) {
                        paths.push_back(p);
                        break;
                    }
                }
                if (paths.empty()) {
                    std::cerr << "pftriage: no mail log found (/var/log/mail.log, /var/log/maillog, /var/log/mail/mail.log);"
                                 " name the files or use --from BUNDLE\n";
                    return kDataErr;
                }
            }
            paths = probes::rotated_set(paths, !o_.only && paths.size() == 1);
            for (const auto& p : paths) {
                probes::LogInput in;
                in.path = p;
                inputs.push_back(in);
            }
            if (paths.back() != "-")
                if (auto t = probes::newest_time_at_end(paths.back(), now)) reference = *t;
            what = paths.size() == 1 ? paths[0] : paths.front() + " .. " + paths.back() + " (" + std::to_string(paths.size()) + " files)";
        }

        probes::ScanOptions so;
        so.threads = o_.threads;
        for (auto [spec, slot] : {std::pair{&o_.since, &so.window.since}, std::pair{&o_.until, &so.window.until}}) {
            if (spec->empty()) continue;
            std::string err;
            auto t = probes::parse_time_spec(*spec, reference, &err);
            if (!t) {
                std::cerr << "pftriage: " << err << "\n";
                return kUsage;
            }
            *slot = t;
        }

        probes::LogReader reader(inputs);
        std::uint64_t total = reader.total_file_bytes();
        bool tty = isatty(STDERR_FILENO) == 1 && !c.quiet;
        ByteProgress progress(tty && (total > (256u << 20) || inputs.front().path == "-"), total);
        int rc = kOk;

        probes::HistoryQuery q{o_.ids, o_.message_ids, o_.senders, o_.recipients};
        if (!q.empty()) {
            probes::HistoryTracker tracker(q);
            probes::StampCache cache;
            probes::LogChunk chunk;
            while (reader.next(chunk)) {
                probes::for_each_line(chunk.text, [&](std::string_view line) {
                    auto l = probes::parse_syslog_line(line, chunk.reference, cache);
                    if (l.time && so.window.bounded() && !so.window.contains(*l.time)) return;
                    tracker.add(line, l);
                });
                progress.update(reader.stats().bytes);
            }
            tracker.finish();
            progress.done();
            auto results = tracker.take_results();
            const auto& st = tracker.stats();
            if (c.format == "json") {
                nlohmann::json j;
                j["messages"] = nlohmann::json::array();
                for (const auto& h : results) j["messages"].push_back(history_json(h));
                j["stats"] = {{"lines", st.lines}, {"opened", st.opened}, {"closed", st.closed}, {"evicted", st.evicted},
                              {"open_at_end", st.open_at_end}};
                std::cout << j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
            } else {
                for (const auto& h : results) render_history_text(std::cout, h);
                std::cout << results.size() << " message(s) found in " << st.lines << " lines";
                if (st.evicted) std::cout << "; " << st.evicted << " old open messages were evicted to bound memory";
                std::cout << "\n";
            }
            rc = results.empty() ? kWarning : kOk;
        } else {
            auto started = std::chrono::steady_clock::now();
            LogSummary s = probes::scan_logs(reader, sigs, so, [&](std::uint64_t b) { progress.update(b); });
            progress.done();
            double secs_taken = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
            if (c.format == "json") {
                nlohmann::json j;
                if (o_.unmatched) {
                    j["postfix_lines"] = s.lines_postfix;
                    j["explained"] = s.lines_explained;
                    j["explained_share"] = s.explained_share();
                    j["unmatched"] = nlohmann::json::array();
                    for (const auto& [k, cnt] : s.unmatched.top(std::max<std::size_t>(o_.top, 1000))) {
                        auto ex = s.unmatched_examples.find(k);
                        j["unmatched"].push_back({{"shape", k}, {"count", cnt},
                                                  {"example", ex == s.unmatched_examples.end() ? "" : ex->second}});
                    }
                } else {
                    j = probes::summary_json(s, sigs.get(), o_.top);
                    j["source"] = what;
                    j["scan"] = {{"bytes", reader.stats().bytes}, {"seconds", secs_taken}};
                }
                std::cout << j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
            } else if (o_.unmatched) {
                render_unmatched_text(std::cout, s, std::max<std::size_t>(o_.top, 100));
            } else {
                render_text(std::cout, s, what, o_);
                if (c.verbose)
                    std::cout << "\nScanned " << reader.stats().bytes << " bytes in " << secs_taken << " s\n";
            }
        }
        for (const auto& e : reader.stats().errors) std::cerr << "pftriage: " << e << "\n";
        if (reader.stats().long_lines_cut && !c.quiet) {
            std::string where;
            for (const auto& f : reader.stats().long_line_inputs) where += (where.empty() ? "" : ", ") + f;
            std::cerr << "pftriage: " << reader.stats().long_lines_cut << " over-long lines were cut (in " << where
                      << "); only the head of each was read\n";
        }
        if (!reader.stats().errors.empty() && reader.stats().bytes == 0) return kDataErr;
        return rc;
    }

private:
    LogsOptions o_;
};

} // namespace

std::unique_ptr<Command> make_logs_command() { return std::make_unique<LogsCommand>(); }

} // namespace pft::cli
