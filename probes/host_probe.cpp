// host_probe.cpp - host resources that stop mail: queue file system space and
// inodes, available memory, load. Reads df.txt, df-i.txt, meminfo.txt, loadavg.txt.
// The bundle format carries no CPU count, so load per CPU stays unknown rather
// than being guessed from the machine that analyses the bundle.
#include "probes/builtin_probes.hpp"
#include "probes/evidence.hpp"
#include "probes/parse/df.hpp"
#include "probes/parse/loadavg.hpp"
#include "probes/parse/meminfo.hpp"

namespace pft::probes {

namespace {

class HostProbe : public Probe {
public:
    std::string name() const override { return "host"; }
    std::vector<std::string> produces() const override {
        return {"host.queue_fs.used_pct", "host.queue_fs.avail_bytes", "host.queue_fs.inodes_used_pct",
                "host.mem.available_pct", "host.load1",                "host.load1_per_cpu"};
    }

    void run(Source& src, FactSink& out) override {
        space(src, out);
        inodes(src, out);
        memory(src, out);
        load(src, out);
    }

private:
    void space(Source& src, FactSink& out) {
        Evidence ev(src, name(), "df.txt", out);
        if (!ev.ok()) {
            out.unknown("host.queue_fs.used_pct", "", ev.missing_reason(), ev.whole());
            out.unknown("host.queue_fs.avail_bytes", "", ev.missing_reason(), ev.whole());
            return;
        }
        auto df = parse::parse_df(ev.text());
        ev.report(df.warnings);
        if (df.rows.empty() || df.inodes) {
            std::string why = ev.name() + ": no file system row" + (df.inodes ? " (it holds inode counts)" : "");
            out.unknown("host.queue_fs.used_pct", "", why, ev.whole());
            out.unknown("host.queue_fs.avail_bytes", "", why, ev.whole());
            return;
        }
        const auto& r = df.rows.front();
        auto prov = ev.at(r.line, r.excerpt);
        if (r.used_pct) out.known("host.queue_fs.used_pct", "", *r.used_pct, prov);
        else out.unknown("host.queue_fs.used_pct", "", "df gives no capacity", prov);
        if (r.available && df.block_size > 0 && *r.available <= INT64_MAX / df.block_size)
            out.known("host.queue_fs.avail_bytes", "", *r.available * df.block_size, prov);
        else out.unknown("host.queue_fs.avail_bytes", "", "df gives no available block count", prov);
    }

    void inodes(Source& src, FactSink& out) {
        Evidence ev(src, name(), "df-i.txt", out);
        if (!ev.ok()) {
            out.unknown("host.queue_fs.inodes_used_pct", "", ev.missing_reason(), ev.whole());
            return;
        }
        auto df = parse::parse_df(ev.text());
        ev.report(df.warnings);
        if (df.rows.empty() || !df.inodes) {
            out.unknown("host.queue_fs.inodes_used_pct", "",
                        ev.name() + ": no inode row" + (df.inodes ? "" : " (it holds block counts)"), ev.whole());
            return;
        }
        const auto& r = df.rows.front();
        if (r.used_pct) out.known("host.queue_fs.inodes_used_pct", "", *r.used_pct, ev.at(r.line, r.excerpt));
        else
            out.unknown("host.queue_fs.inodes_used_pct", "", "the file system reports no inode usage",
                        ev.at(r.line, r.excerpt));
    }

    void memory(Source& src, FactSink& out) {
        Evidence ev(src, name(), "meminfo.txt", out);
        if (!ev.ok()) {
            out.unknown("host.mem.available_pct", "", ev.missing_reason(), ev.whole());
            return;
        }
        auto mi = parse::parse_meminfo(ev.text());
        ev.report(mi.warnings);
        const auto* total = mi.get("MemTotal");
        const auto* avail = mi.get("MemAvailable");
        if (!total || !avail || total->value <= 0) {
            out.unknown("host.mem.available_pct", "", ev.name() + " has no MemTotal/MemAvailable", ev.whole());
            return;
        }
        double pct = 100.0 * static_cast<double>(avail->value) / static_cast<double>(total->value);
        out.known("host.mem.available_pct", "", pct, ev.at(avail->line, avail->excerpt + " of " + total->excerpt));
    }

    void load(Source& src, FactSink& out) {
        Evidence ev(src, name(), "loadavg.txt", out);
        if (!ev.ok()) {
            out.unknown("host.load1", "", ev.missing_reason(), ev.whole());
            out.unknown("host.load1_per_cpu", "", ev.missing_reason(), ev.whole());
            return;
        }
        auto la = parse::parse_loadavg(ev.text());
        ev.report(la.warnings);
        if (la.load1) out.known("host.load1", "", *la.load1, ev.at(1, la.excerpt));
        else out.unknown("host.load1", "", ev.name() + " has no load average", ev.whole());
        out.unknown("host.load1_per_cpu", "", "the CPU count is not collected", ev.at(1, la.excerpt));
    }
};

} // namespace

std::unique_ptr<Probe> make_host_probe() { return std::make_unique<HostProbe>(); }

} // namespace pft::probes
