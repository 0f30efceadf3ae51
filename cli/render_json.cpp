// render_json.cpp - the pftriage.report/1 JSON document.
#include "cli/render.hpp"

#include "engine/value.hpp"

#include <cmath>

namespace pft::cli {

using json = nlohmann::ordered_json;

namespace {

json derivation_json(const std::vector<engine::DerivationNode>& nodes) {
    json arr = json::array();
    for (const auto& n : nodes) {
        json ev = json::array();
        for (const auto& e : n.evidence) {
            json j = {{"fact", e.fact}, {"known", e.known}};
            if (!e.subject.empty()) j["subject"] = e.subject;
            if (e.known) j["value"] = e.value;
            else j["reason"] = e.unknown_reason;
            if (!e.prov.source.empty()) j["source"] = e.prov.source;
            if (!e.prov.excerpt.empty()) j["excerpt"] = e.prov.excerpt;
            if (e.derived) j["derived_by"] = derivation_json(e.derivation);
            ev.push_back(std::move(j));
        }
        json node = {{"rule", n.rule_id}, {"cf", n.cf}, {"facts", std::move(ev)}};
        if (!n.because.empty()) node["because"] = n.because;
        if (!n.binding.empty()) node["binding"] = n.binding;
        arr.push_back(std::move(node));
    }
    return arr;
}

// Values keep their JSON type where the text is a plain number or boolean.
json value_json(const std::string& v) {
    if (v == "true") return true;
    if (v == "false") return false;
    if (!v.empty() && v.size() < 19 && v.find_first_not_of("-0123456789") == std::string::npos && v != "-") {
        try {
            return std::stoll(v);
        } catch (...) {
        }
    }
    return v;
}

} // namespace

json report_json(const Report& r) {
    json j;
    j["schema"] = "pftriage.report/1";
    if (r.symptom && !r.symptom->id.empty())
        j["symptom"] = {{"id", r.symptom->id}, {"input", r.symptom->input}, {"confidence", r.symptom->confidence},
                        {"matched_by", r.symptom->how}};
    else
        j["symptom"] = nullptr;
    j["source"] = r.source;
    if (!r.hostname.empty()) j["hostname"] = r.hostname;
    j["reference_time"] = engine::format_time(r.now);
    json causes = json::array();
    for (const auto& c : r.causes) {
        json ev = json::array();
        for (const auto& e : c.evidence) {
            json x = {{"fact", e.fact}, {"value", value_json(e.value)}, {"source", e.source}};
            if (!e.subject.empty()) x["subject"] = e.subject;
            if (!e.excerpt.empty()) x["excerpt"] = e.excerpt;
            if (!e.rule.empty()) x["rule"] = e.rule;
            ev.push_back(std::move(x));
        }
        json plan = json::array();
        for (const auto& p : c.plan) {
            json x = {{"kind", p.kind}, {"command", p.command}, {"risk", p.risk}, {"why", p.why}};
            if (!p.argv.empty()) x["argv"] = p.argv;
            plan.push_back(std::move(x));
        }
        json cj = {{"id", c.id},           {"confidence", std::round(c.confidence * 1000) / 1000},
                   {"severity", c.severity}, {"title", c.title},
                   {"explain", c.explain},   {"relevant", c.relevant},
                   {"evidence", std::move(ev)}, {"plan", std::move(plan)},
                   {"derivation", derivation_json(c.derivation)}};
        if (!c.doc.empty()) cj["doc"] = c.doc;
        if (!c.plan_notes.empty()) cj["plan_notes"] = c.plan_notes;
        causes.push_back(std::move(cj));
    }
    j["causes"] = std::move(causes);
    json nc = json::array();
    for (const auto& n : r.not_concluded) {
        json why = json::array();
        for (const auto& w : n.why_not) {
            json x = {{"rule", w.rule_id}, {"reason", w.reason}};
            if (!w.binding.empty()) x["binding"] = w.binding;
            json unk = json::array();
            for (const auto& u : w.unknowns) {
                json y = {{"fact", u.fact}, {"reason", u.unknown_reason}};
                if (!u.subject.empty()) y["subject"] = u.subject;
                unk.push_back(std::move(y));
            }
            if (!unk.empty()) x["unknown"] = std::move(unk);
            why.push_back(std::move(x));
        }
        nc.push_back({{"id", n.id}, {"title", n.title}, {"confidence", std::round(n.confidence * 1000) / 1000},
                      {"ruled_out", n.ruled_out}, {"why_not", std::move(why)}});
    }
    j["not_concluded"] = std::move(nc);
    json unknown = json::array();
    for (const auto& u : r.unknown) {
        json x = {{"fact", u.fact}, {"reason", u.reason}};
        if (!u.subject.empty()) x["subject"] = u.subject;
        if (!u.probe.empty()) x["probe"] = u.probe;
        unknown.push_back(std::move(x));
    }
    j["unknown"] = std::move(unknown);
    json qs = json::array();
    for (const auto& q : r.questions) {
        json x = {{"id", q.id}, {"text", q.text}, {"answers", q.answers}, {"causes", q.causes}};
        if (!q.help.empty()) x["help"] = q.help;
        qs.push_back(std::move(x));
    }
    j["questions"] = std::move(qs);
    j["warnings"] = r.warnings;
    j["commands_run"] = r.commands_run;
    json probes = json::array();
    for (const auto& t : r.timings) probes.push_back({{"probe", t.probe}, {"ms", std::round(t.ms * 10) / 10}, {"facts", t.facts}});
    j["probes"] = std::move(probes);
    j["facts"] = {{"known", r.facts_known}, {"unknown", r.facts_unknown}};
    json metrics = json::object();
    const auto& m = r.metrics;
    if (!m.queue_count.empty()) metrics["queue_count"] = m.queue_count;
    if (m.queue_total) metrics["queue_total"] = *m.queue_total;
    if (!m.queue_oldest_s.empty()) metrics["queue_oldest_seconds"] = m.queue_oldest_s;
    if (!m.certificates.empty()) {
        json certs = json::object();
        for (const auto& c : m.certificates) certs[c.subject] = std::round(c.days * 10) / 10;
        metrics["certificate_days_left"] = std::move(certs);
    }
    if (m.deferral_rate) metrics["deferral_rate"] = std::round(*m.deferral_rate * 10000) / 10000;
    j["metrics"] = std::move(metrics);
    j["exit_code"] = r.exit_code;
    if (!r.not_probed.empty()) j["not_probed"] = r.not_probed;
    if (!r.notices.empty()) j["notices"] = r.notices;
    return j;
}

void render_json(const Report& r, std::ostream& out) { out << report_json(r).dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n"; }

} // namespace pft::cli
