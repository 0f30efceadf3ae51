// queue_probe.cpp - what is in the Postfix queues: counts, ages, destinations,
// delay reasons, held messages and senders. Reads postqueue-j.txt, else mailq.txt.
// Ages are measured against Source::now() (collected_at for a bundle). It does
// not decide whether a queue is too big or too old; rules do that.
#include "probes/builtin_probes.hpp"
#include "probes/evidence.hpp"
#include "probes/parse/mailq.hpp"
#include "probes/parse/postqueue_json.hpp"

#include <algorithm>
#include <map>
#include <optional>

namespace pft::probes {

namespace {

constexpr std::size_t max_subjects = 1000; // per fact family; the largest are kept

struct Where {
    std::size_t line = 0;
    std::string excerpt;
};

struct Stat {
    std::int64_t count = 0;
    std::optional<std::int64_t> oldest; // arrival time
    Where first, oldest_at;
    std::map<std::string, std::int64_t> reasons;

    void add(const parse::QueueMessage& m, std::int64_t n = 1) {
        if (count == 0) first = {m.line, m.excerpt};
        count += n;
        if (m.arrival_time && (!oldest || *m.arrival_time < *oldest)) {
            oldest = m.arrival_time;
            oldest_at = {m.line, m.excerpt};
        }
    }
};

std::string domain_of(const std::string& address) {
    auto at = address.rfind('@');
    if (at == std::string::npos || at + 1 >= address.size()) return {};
    std::string d = address.substr(at + 1);
    std::transform(d.begin(), d.end(), d.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return d;
}

// The subjects with the largest counts (ties by name), at most max_subjects.
std::vector<const std::pair<const std::string, Stat>*> largest(const std::map<std::string, Stat>& m,
                                                               const std::string& what, const std::string& file,
                                                               FactSink& out) {
    std::vector<const std::pair<const std::string, Stat>*> v;
    for (const auto& kv : m) v.push_back(&kv);
    if (v.size() > max_subjects) {
        std::stable_sort(v.begin(), v.end(), [](auto* a, auto* b) { return a->second.count > b->second.count; });
        out.warn(file + ": " + std::to_string(v.size()) + " distinct " + what + ", only the " +
                 std::to_string(max_subjects) + " largest are kept");
        v.resize(max_subjects);
    }
    return v;
}

class QueueProbe : public Probe {
public:
    std::string name() const override { return "queue"; }
    std::vector<std::string> produces() const override {
        return {"queue.count",           "queue.total",           "queue.oldest_age",   "queue.dest.count",
                "queue.dest.oldest_age", "queue.dest.top_reason", "queue.reason.count", "queue.held_id",
                "queue.sender.count"};
    }

    void run(Source& src, FactSink& out) override {
        const std::int64_t now = src.now().time_since_epoch().count();
        std::optional<Evidence> ev;
        ev.emplace(src, name(), "postqueue-j.txt", out);
        parse::QueueListing q;
        std::vector<std::string> standard;
        if (ev->ok()) {
            q = parse::parse_postqueue_json(ev->text());
            standard = {"maildrop", "incoming", "active", "deferred", "hold"};
        } else {
            std::string why_json = ev->missing_reason();
            ev.emplace(src, name(), "mailq.txt", out);
            if (!ev->ok()) {
                std::string why = why_json + "; " + ev->missing_reason();
                out.unknown("queue.count", "", why, ev->whole());
                out.unknown("queue.total", "", why, ev->whole());
                return;
            }
            q = parse::parse_mailq(ev->text(), now);
            standard = {"incoming", "active", "deferred", "hold"}; // mailq cannot show maildrop apart
        }
        ev->report(q.warnings);
        emit(*ev, q, standard, now, out);
    }

private:
    void emit(const Evidence& ev, const parse::QueueListing& q, const std::vector<std::string>& standard,
              std::int64_t now, FactSink& out) {
        std::map<std::string, Stat> queues, dests, reasons, senders;
        for (const auto& s : standard) queues[s];
        std::vector<const parse::QueueMessage*> held;
        for (const auto& m : q.messages) {
            queues[m.queue_name].add(m);
            senders[m.sender.empty() ? "<>" : m.sender].add(m);
            if (m.queue_name == "hold") held.push_back(&m);
            bool queued = m.queue_name == "active" || m.queue_name == "deferred";
            for (const auto& r : m.recipients) {
                if (!r.delay_reason.empty()) reasons[r.delay_reason].add(m);
                if (!queued) continue;
                std::string d = domain_of(r.address);
                if (d.empty()) continue;
                auto& ds = dests[d];
                ds.add(m);
                if (!r.delay_reason.empty()) ++ds.reasons[r.delay_reason];
            }
        }
        auto age = [now](std::int64_t arrival) { return engine::Duration{std::max<std::int64_t>(0, now - arrival)}; };

        std::int64_t total = 0;
        for (const auto& [qn, st] : queues) {
            total += st.count;
            auto prov = st.count ? ev.at(st.first.line, st.first.excerpt) : ev.whole("no messages in " + qn);
            out.known("queue.count", qn, st.count, prov);
            if (st.oldest) out.known("queue.oldest_age", qn, age(*st.oldest), ev.at(st.oldest_at.line, st.oldest_at.excerpt));
        }
        out.known("queue.total", "", total, ev.whole(std::to_string(total) + " messages"));

        for (const auto* kv : largest(dests, "destinations", ev.name(), out)) {
            const auto& [d, st] = *kv;
            out.known("queue.dest.count", d, st.count, ev.at(st.first.line, st.first.excerpt));
            if (st.oldest)
                out.known("queue.dest.oldest_age", d, age(*st.oldest), ev.at(st.oldest_at.line, st.oldest_at.excerpt));
            if (!st.reasons.empty()) {
                auto top = st.reasons.begin();
                for (auto it = st.reasons.begin(); it != st.reasons.end(); ++it)
                    if (it->second > top->second) top = it; // ties: the first by text
                out.known("queue.dest.top_reason", d, top->first,
                          ev.whole(std::to_string(top->second) + " of " + std::to_string(st.count) +
                                   " recipients: " + top->first));
            }
        }
        for (const auto* kv : largest(reasons, "delay reasons", ev.name(), out))
            out.known("queue.reason.count", kv->first, kv->second.count,
                      ev.at(kv->second.first.line, kv->second.first.excerpt));
        std::size_t n = 0;
        for (const auto* m : held) {
            if (++n > max_subjects) {
                out.warn(ev.name() + ": " + std::to_string(held.size()) + " held messages, only the first " +
                         std::to_string(max_subjects) + " are listed");
                break;
            }
            out.known("queue.held_id", m->queue_id, true, ev.at(m->line, m->excerpt));
        }
        for (const auto* kv : largest(senders, "senders", ev.name(), out))
            out.known("queue.sender.count", kv->first, kv->second.count,
                      ev.at(kv->second.first.line, kv->second.first.excerpt));
    }
};

} // namespace

std::unique_ptr<Probe> make_queue_probe() { return std::make_unique<QueueProbe>(); }

} // namespace pft::probes
