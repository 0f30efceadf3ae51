// metrics.cpp - picks monitoring numbers out of observed facts (see metrics.hpp).
// Unknown facts are skipped: a number that could not be established is left out,
// never reported as zero.
#include "cli/metrics.hpp"

#include <algorithm>
#include <cmath>

namespace pft::cli {

namespace {

std::optional<double> number(const engine::Fact& f) {
    if (!f.known() || !f.value->is_numeric()) return std::nullopt;
    double x = f.value->as_number();
    if (!std::isfinite(x)) return std::nullopt;
    return x;
}

} // namespace

Metrics collect_metrics(const std::vector<engine::Fact>& facts, engine::TimePoint now) {
    Metrics m;
    std::map<std::string, QueueDestination> dest;
    std::map<std::string, LogHour> hours;
    std::map<std::string, double> certs;
    for (const auto& f : facts) {
        auto x = number(f);
        const std::string& n = f.name;
        if (n == "queue.count" && x) m.queue_count[f.subject] = static_cast<long long>(*x);
        else if (n == "queue.total" && x) m.queue_total = static_cast<long long>(*x);
        else if (n == "queue.oldest_age" && x) m.queue_oldest_s[f.subject] = *x;
        else if (n == "queue.dest.count" && x) {
            dest[f.subject].domain = f.subject;
            dest[f.subject].count = static_cast<long long>(*x);
        } else if (n == "queue.dest.oldest_age" && x) {
            dest[f.subject].domain = f.subject;
            dest[f.subject].oldest_s = *x;
        } else if (n == "queue.dest.top_reason" && f.known()) {
            dest[f.subject].domain = f.subject;
            dest[f.subject].top_reason = f.value->to_string();
        } else if (n == "log.lines" && x) {
            m.log_lines = static_cast<long long>(*x);
        } else if (n.starts_with("log.hour.") && x && !f.subject.empty()) {
            auto& h = hours[f.subject];
            h.hour = f.subject;
            auto v = static_cast<long long>(*x);
            std::string series = n.substr(9);
            if (series == "delivered") h.delivered = v;
            else if (series == "deferred") h.deferred = v;
            else if (series == "bounced") h.bounced = v;
            else if (series == "rejected") h.rejected = v;
        } else if (n == "tls.cert.days_left" && x) {
            certs[f.subject] = *x;
        } else if (n == "tls.cert.not_after" && x && !certs.count(f.subject)) {
            certs[f.subject] = (*x - static_cast<double>(now.time_since_epoch().count())) / 86400.0;
        }
    }
    for (auto& [k, d] : dest) m.destinations.push_back(std::move(d));
    std::stable_sort(m.destinations.begin(), m.destinations.end(), [](const auto& a, const auto& b) {
        double aa = a.oldest_s.value_or(-1), bb = b.oldest_s.value_or(-1);
        if (aa != bb) return aa > bb;
        if (a.count != b.count) return a.count > b.count;
        return a.domain < b.domain;
    });
    for (auto& [k, h] : hours) m.log_hours.push_back(std::move(h));
    for (auto& [k, d] : certs) m.certificates.push_back({k, d});
    std::stable_sort(m.certificates.begin(), m.certificates.end(), [](const auto& a, const auto& b) { return a.days < b.days; });
    long long ok = 0, def = 0, bounce = 0;
    bool any = false;
    for (const auto& h : m.log_hours) {
        if (h.delivered >= 0) ok += h.delivered, any = true;
        if (h.deferred >= 0) def += h.deferred, any = true;
        if (h.bounced >= 0) bounce += h.bounced, any = true;
    }
    if (any && ok + def + bounce > 0) m.deferral_rate = static_cast<double>(def) / static_cast<double>(ok + def + bounce);
    return m;
}

} // namespace pft::cli
