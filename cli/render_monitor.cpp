// render_monitor.cpp - the report for monitoring systems: the Nagios/Icinga plugin
// status line with performance data, and the Prometheus text exposition format.
// It only formats; the status is the report's exit code, decided elsewhere.
#include "cli/render.hpp"

#include "engine/fact.hpp"

#include <cmath>
#include <cstdio>
#include <map>

namespace pft::cli {

namespace {

std::string num(double x) {
    char b[40];
    if (std::floor(x) == x && std::fabs(x) < 1e15) std::snprintf(b, sizeof b, "%.0f", x);
    else std::snprintf(b, sizeof b, "%.4g", x);
    return b;
}

// Nagios perfdata label: quoted when it holds anything but [A-Za-z0-9_.-]; quotes doubled; no '=' .
std::string perf_label(std::string_view raw) {
    std::string s = engine::printable(raw, 60);
    bool plain = !s.empty();
    for (char& ch : s) {
        if (ch == '=') ch = '_';
        if (!std::isalnum(static_cast<unsigned char>(ch)) && ch != '_' && ch != '.' && ch != '-') plain = false;
    }
    if (plain) return s;
    std::string o = "'";
    for (char ch : s) o += ch == '\'' ? std::string("''") : std::string(1, ch);
    return o + "'";
}

// Status text must not break the one-line format or the perfdata separator.
std::string status_text(std::string_view raw, std::size_t max = 80) {
    std::string s = engine::printable(raw, max);
    for (char& ch : s)
        if (ch == '|' || ch == '\n' || ch == '\r') ch = '/';
    return s;
}

std::string prom_label(std::string_view raw) {
    std::string s = engine::printable(raw, 200), o;
    for (char ch : s) {
        if (ch == '\\') o += "\\\\";
        else if (ch == '"') o += "\\\"";
        else if (ch == '\n') o += "\\n";
        else o += ch;
    }
    return o;
}

const char* status_word(int code) {
    switch (code) {
    case 0: return "OK";
    case 1: return "WARNING";
    case 2: return "CRITICAL";
    default: return "UNKNOWN";
    }
}

} // namespace

void render_nagios(const Report& r, std::ostream& out, bool long_output) {
    std::map<std::string, int> by_sev;
    for (const auto& c : r.causes) ++by_sev[c.severity];
    std::string summary;
    if (r.exit_code == 3) summary = r.not_probed.empty() ? "nothing could be probed" : "Postfix is not installed here";
    else if (r.causes.empty()) summary = "no problem found";
    else {
        summary = std::to_string(by_sev["critical"]) + " critical, " + std::to_string(by_sev["warning"]) + " warning, " +
                  std::to_string(by_sev["info"]) + " info";
        std::size_t shown = 0;
        for (const auto& c : r.causes) {
            if (c.severity == "info" || shown >= 3) continue;
            summary += (shown++ ? ", " : ": ") + c.id + " (" + num(std::round(c.confidence * 100)) + "%)";
        }
    }
    out << "PFTRIAGE " << status_word(r.exit_code) << " - " << status_text(summary, 300) << " |";
    const auto& m = r.metrics;
    out << " findings_critical=" << by_sev["critical"] << ";;;0 findings_warning=" << by_sev["warning"] << ";;;0";
    if (m.queue_total) out << " queue_total=" << *m.queue_total << ";;;0";
    for (const auto& [q, n] : m.queue_count) out << " " << perf_label("queue_" + q) << "=" << n << ";;;0";
    for (const auto& [q, s] : m.queue_oldest_s) out << " " << perf_label("oldest_" + q) << "=" << num(s) << "s;;;0";
    for (const auto& c : m.certificates) out << " " << perf_label("cert_days_" + c.subject) << "=" << num(std::round(c.days * 10) / 10) << ";;";
    if (m.deferral_rate) out << " deferral_rate=" << num(std::round(*m.deferral_rate * 1000) / 10) << "%;;;0;100";
    out << "\n";
    if (!long_output) return;
    for (const auto& c : r.causes)
        out << "[" << c.severity << "] " << c.id << " (" << num(std::round(c.confidence * 100)) << "%): " << status_text(c.title, 200) << "\n";
}

void render_prometheus(const Report& r, std::ostream& out) {
    std::map<std::string, int> by_sev{{"critical", 0}, {"warning", 0}, {"info", 0}};
    for (const auto& c : r.causes) ++by_sev[c.severity];
    out << "# HELP pftriage_findings Causes concluded by pftriage, by severity.\n# TYPE pftriage_findings gauge\n";
    for (const auto& [s, n] : by_sev) out << "pftriage_findings{severity=\"" << prom_label(s) << "\"} " << n << "\n";
    out << "# HELP pftriage_cause_confidence Confidence (0..1) of each concluded cause.\n# TYPE pftriage_cause_confidence gauge\n";
    for (const auto& c : r.causes)
        out << "pftriage_cause_confidence{cause=\"" << prom_label(c.id) << "\",severity=\"" << prom_label(c.severity) << "\"} "
            << num(std::round(c.confidence * 1000) / 1000) << "\n";
    out << "# HELP pftriage_status Exit status of the check (0 ok, 1 warning, 2 critical, 3 unknown).\n# TYPE pftriage_status gauge\n"
        << "pftriage_status " << r.exit_code << "\n";
    const auto& m = r.metrics;
    if (!m.queue_count.empty()) {
        out << "# HELP pftriage_queue_messages Messages in each Postfix queue.\n# TYPE pftriage_queue_messages gauge\n";
        for (const auto& [q, n] : m.queue_count) out << "pftriage_queue_messages{queue=\"" << prom_label(q) << "\"} " << n << "\n";
    }
    if (!m.queue_oldest_s.empty()) {
        out << "# HELP pftriage_queue_oldest_message_age_seconds Age of the oldest message in each queue.\n"
               "# TYPE pftriage_queue_oldest_message_age_seconds gauge\n";
        for (const auto& [q, s] : m.queue_oldest_s)
            out << "pftriage_queue_oldest_message_age_seconds{queue=\"" << prom_label(q) << "\"} " << num(s) << "\n";
    }
    if (!m.certificates.empty()) {
        out << "# HELP pftriage_certificate_days_left Days until the certificate expires (negative: expired).\n"
               "# TYPE pftriage_certificate_days_left gauge\n";
        for (const auto& c : m.certificates)
            out << "pftriage_certificate_days_left{certificate=\"" << prom_label(c.subject) << "\"} " << num(std::round(c.days * 10) / 10) << "\n";
    }
    if (m.deferral_rate) {
        out << "# HELP pftriage_log_deferral_ratio Deferred / (delivered + deferred + bounced) over the log window.\n"
               "# TYPE pftriage_log_deferral_ratio gauge\npftriage_log_deferral_ratio " << num(std::round(*m.deferral_rate * 10000) / 10000) << "\n";
    }
    out << "# HELP pftriage_report_time_seconds Reference time of the evidence (Unix time).\n# TYPE pftriage_report_time_seconds gauge\n"
        << "pftriage_report_time_seconds " << r.now.time_since_epoch().count() << "\n";
}

} // namespace pft::cli
