// postfix_status_probe.cpp - is the Postfix master daemon running, and its PID.
// Reads postfix-status.txt (`postfix status 2>&1; echo exit=$?`). It does not look
// for processes itself, so a bundle and the live host are judged alike.
#include "probes/builtin_probes.hpp"
#include "probes/evidence.hpp"
#include "probes/parse/postfix_status.hpp"

namespace pft::probes {

namespace {

class PostfixStatusProbe : public Probe {
public:
    std::string name() const override { return "postfix_status"; }
    std::vector<std::string> produces() const override { return {"postfix.running", "postfix.master_pid"}; }

    void run(Source& src, FactSink& out) override {
        Evidence ev(src, name(), "postfix-status.txt", out);
        if (!ev.ok()) {
            out.unknown("postfix.running", "", ev.missing_reason(), ev.whole());
            out.unknown("postfix.master_pid", "", ev.missing_reason(), ev.whole());
            return;
        }
        auto st = parse::parse_postfix_status(ev.text());
        ev.report(st.warnings);
        auto prov = ev.at(st.evidence_line, st.evidence);
        if (st.running) out.known("postfix.running", "", *st.running, prov);
        else out.unknown("postfix.running", "", st.undecided_reason, prov);
        if (st.master_pid) out.known("postfix.master_pid", "", *st.master_pid, prov);
        else
            out.unknown("postfix.master_pid", "",
                        st.running && !*st.running ? "the master daemon is not running" : "no PID in the status output",
                        prov);
    }
};

} // namespace

std::unique_ptr<Probe> make_postfix_status_probe() { return std::make_unique<PostfixStatusProbe>(); }

} // namespace pft::probes
