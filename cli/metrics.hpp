// metrics.hpp - the numbers monitoring and pictures need, picked out of the observed
// facts: queue sizes and ages, the age-by-destination table, certificate days left and
// per-hour log counts. It only reads facts; it concludes nothing and renders nothing.
#pragma once

#include "engine/fact.hpp"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace pft::cli {

struct QueueDestination {
    std::string domain;
    long long count = 0;
    std::optional<double> oldest_s; // age of the oldest message, seconds
    std::string top_reason;
};

// One hour of the mail log; -1 where the log probe said nothing for that series.
struct LogHour {
    std::string hour; // "2026-11-24T13" (UTC), as the probe's subject gives it
    long long delivered = -1, deferred = -1, bounced = -1, rejected = -1;
};

struct CertificateDays {
    std::string subject; // the certificate file (or host:port) the fact is about
    double days = 0;     // negative: expired
};

struct Metrics {
    std::map<std::string, long long> queue_count;  // queue name -> messages
    std::optional<long long> queue_total;
    std::map<std::string, double> queue_oldest_s;  // queue name -> seconds
    std::vector<QueueDestination> destinations;    // oldest first
    std::vector<CertificateDays> certificates;     // fewest days first
    std::vector<LogHour> log_hours;                // oldest hour first
    std::optional<long long> log_lines;
    std::optional<double> deferral_rate;           // deferred / (delivered + deferred + bounced), 0..1
};

// Facts read (all optional; absent facts leave the field empty):
//   queue.count[q], queue.total, queue.oldest_age[q], queue.dest.{count,oldest_age,top_reason}[domain],
//   log.lines, log.hour.{delivered,deferred,bounced,rejected}[YYYY-MM-DDTHH],
//   tls.cert.days_left[file] (number) or tls.cert.not_after[file] (time, judged against now).
Metrics collect_metrics(const std::vector<engine::Fact>& facts, engine::TimePoint now);

} // namespace pft::cli
