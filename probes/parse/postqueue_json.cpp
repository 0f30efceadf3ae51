// postqueue_json.cpp - postqueue -j lines into QueueMessages.
// Field names as in postqueue(1): queue_name, queue_id, arrival_time,
// message_size, sender, recipients[{address, delay_reason}].
#include "probes/parse/postqueue_json.hpp"

#include "engine/fact.hpp"
#include "probes/parse/line_cursor.hpp"

#include <nlohmann/json.hpp>

namespace pft::probes::parse {

namespace {

// Deepest nesting of [ and { outside strings; stops counting past limit.
int json_depth(std::string_view s, int limit) {
    int depth = 0, max = 0;
    bool in_str = false, esc = false;
    for (char c : s) {
        if (in_str) {
            if (esc) esc = false;
            else if (c == '\\') esc = true;
            else if (c == '"') in_str = false;
            continue;
        }
        if (c == '"') in_str = true;
        else if (c == '[' || c == '{') {
            if (++depth > max) max = depth;
            if (max > limit) return max;
        } else if (c == ']' || c == '}') --depth;
    }
    return max;
}

std::optional<std::string> get_string(const nlohmann::json& o, const char* key, std::size_t max = 1024) {
    auto it = o.find(key);
    if (it == o.end() || !it->is_string()) return std::nullopt;
    return engine::printable(it->get_ref<const std::string&>(), max);
}

std::optional<std::int64_t> get_int(const nlohmann::json& o, const char* key) {
    auto it = o.find(key);
    if (it == o.end()) return std::nullopt;
    if (it->is_number_integer()) return it->get<std::int64_t>();
    if (it->is_number_float()) {
        double d = it->get<double>(); // out of range or NaN would be undefined behaviour (fuzz finding)
        if (!(d > -9.2e18 && d < 9.2e18)) return std::nullopt;
        return static_cast<std::int64_t>(d);
    }
    return std::nullopt;
}

} // namespace

QueueListing parse_postqueue_json(std::string_view text, const QueueLimits& limits) {
    QueueListing out;
    LineCursor cur(text, limits.max_line);
    Line l;
    while (cur.next(l)) {
        std::string_view t = trim(l.text);
        if (t.empty()) continue;
        auto bad = [&](const std::string& why) { out.warnings.push_back({l.number, why}); };
        if (l.cut) {
            bad("line longer than " + std::to_string(limits.max_line) + " bytes, skipped");
            continue;
        }
        if (t.front() != '{') {
            bad("not a JSON object: " + engine::printable(t, 80));
            continue;
        }
        if (json_depth(t, limits.max_depth) > limits.max_depth) {
            bad("JSON nested deeper than " + std::to_string(limits.max_depth) + " levels, skipped");
            continue;
        }
        if (out.messages.size() >= limits.max_messages) {
            bad("more than " + std::to_string(limits.max_messages) + " messages; the rest is ignored");
            break;
        }
        nlohmann::json j = nlohmann::json::parse(t.begin(), t.end(), nullptr, false);
        if (j.is_discarded() || !j.is_object()) {
            bad("invalid JSON: " + engine::printable(t, 80));
            continue;
        }
        try {
        QueueMessage m;
        m.line = l.number;
        m.excerpt = engine::printable(t, 160);
        auto qn = get_string(j, "queue_name", 64);
        auto id = get_string(j, "queue_id", 64);
        if (!qn || qn->empty() || !id || id->empty()) {
            bad("missing queue_name or queue_id");
            continue;
        }
        m.queue_name = *qn;
        m.queue_id = *id;
        m.arrival_time = get_int(j, "arrival_time");
        if (!m.arrival_time) bad("missing or non-numeric arrival_time for " + m.queue_id);
        m.message_size = get_int(j, "message_size");
        m.sender = get_string(j, "sender").value_or("");
        auto rs = j.find("recipients");
        if (rs != j.end() && rs->is_array()) {
            for (const auto& r : *rs) {
                if (m.recipients.size() >= limits.max_recipients) {
                    bad("more than " + std::to_string(limits.max_recipients) + " recipients; the rest is ignored");
                    break;
                }
                if (!r.is_object()) continue;
                auto a = get_string(r, "address");
                if (!a) continue;
                m.recipients.push_back({*a, get_string(r, "delay_reason", 1024).value_or("")});
            }
        } else {
            bad("missing recipients array for " + m.queue_id);
        }
        out.messages.push_back(std::move(m));
        } catch (const nlohmann::json::exception& e) {
            bad(std::string("unexpected JSON content: ") + engine::printable(e.what(), 100));
        }
    }
    return out;
}

} // namespace pft::probes::parse
