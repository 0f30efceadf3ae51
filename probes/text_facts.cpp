// text_facts.cpp - pasted text -> log facts through the signature set.
// Bounded (size and lines) and cleaned; nothing in the text is executed.
#include "probes/text_facts.hpp"

#include "probes/parse/syslog_line.hpp"

#include <algorithm>
#include <map>

namespace pft::probes {
namespace {

constexpr std::size_t kExcerpt = 300;

// Lines of the text, with folded lines (starting with blanks, as in a bounce
// message wrapped by the mailer) joined onto the line before.
std::vector<std::string> logical_lines(std::string_view text) {
    text = text.substr(0, std::min(text.size(), kMaxPastedText));
    std::vector<std::string> out;
    std::size_t pos = 0;
    while (pos < text.size() && out.size() < kMaxPastedLines) {
        std::size_t nl = text.find('\n', pos);
        std::size_t end = nl == std::string_view::npos ? text.size() : nl;
        std::string_view line = text.substr(pos, std::min(end - pos, kMaxLogLine));
        pos = end + 1;
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        std::size_t first = line.find_first_not_of(" \t");
        if (first == std::string_view::npos) continue;
        if (first > 0 && !out.empty()) {
            out.back() += ' ';
            out.back().append(line.substr(first));
            continue;
        }
        out.emplace_back(line.substr(first));
    }
    return out;
}

// A bounce quotes the failed recipient first: "<bob@example.org>: host mx[...] said: ...".
std::string_view drop_recipient_prefix(std::string_view m) {
    if (m.size() > 3 && m.front() == '<') {
        std::size_t close = m.find(">: ");
        if (close != std::string_view::npos && close < 320) return m.substr(close + 3);
    }
    return m;
}

struct Hit {
    std::int64_t count = 0;
    std::string line;
};

template <class F>
void each_match(const SignatureSet& sigs, std::string_view text, engine::TimePoint now, F&& f) {
    std::vector<int> idx;
    for (const auto& line : logical_lines(text)) {
        SyslogLine l = parse_syslog_line(line, now);
        std::string_view program, message;
        if (l.kind == LineKind::Postfix) {
            program = l.program;
            message = l.message;
        } else {
            message = drop_recipient_prefix(line);
        }
        sigs.match_indices(program, message, idx);
        for (int i : idx) f(static_cast<std::size_t>(i), line, message);
    }
}

} // namespace

std::vector<std::string> signatures_in_text(const SignatureSet& sigs, std::string_view text, engine::TimePoint now) {
    std::vector<std::string> out;
    each_match(sigs, text, now, [&](std::size_t i, const std::string&, std::string_view) {
        const std::string& id = sigs.signatures()[i].id;
        if (std::find(out.begin(), out.end(), id) == out.end()) out.push_back(id);
    });
    return out;
}

std::vector<engine::Fact> facts_from_text(const SignatureSet& sigs, std::string_view text,
                                          const std::string& label, engine::TimePoint now) {
    std::map<std::size_t, Hit> hits;
    struct Derived {
        SignatureFact::Kind kind;
        std::int64_t count = 0;
        std::string value, line;
    };
    std::map<std::pair<std::string, std::string>, Derived> derived;
    SigMatch m;
    each_match(sigs, text, now, [&](std::size_t i, const std::string& line, std::string_view message) {
        Hit& h = hits[i];
        h.count++;
        h.line = line;
        const Signature& s = sigs.signatures()[i];
        if (s.facts.empty() || !sigs.extract(i, message, m)) return;
        for (const auto& f : s.facts) {
            std::string subject = engine::printable(expand_field_template(f.subject, m), 200);
            if (subject.empty() && !f.subject.empty()) continue;
            std::string value;
            if (f.kind == SignatureFact::Kind::Last) {
                value = engine::printable(expand_field_template(f.value, m), 200);
                if (value.empty() && !f.value.empty()) continue;
            }
            auto [it, fresh] = derived.try_emplace({f.name, subject}, Derived{f.kind, 0, "", ""});
            (void)fresh;
            it->second.count++;
            it->second.line = line;
            if (f.kind == SignatureFact::Kind::Last) it->second.value = std::move(value);
        }
    });
    std::vector<engine::Fact> out;
    auto prov = [&](const std::string& line) {
        return engine::Provenance{"pasted", engine::printable(label, 120), engine::printable(line, kExcerpt)};
    };
    for (const auto& [i, h] : hits) {
        const std::string& id = sigs.signatures()[i].id;
        out.push_back(engine::Fact::known_fact("log.signature.count", id, engine::Value(h.count), prov(h.line)));
        out.push_back(engine::Fact::known_fact("log.signature.last", id,
                                               engine::Value(engine::printable(h.line, kExcerpt)), prov(h.line)));
    }
    for (const auto& [key, d] : derived) {
        engine::Value v;
        switch (d.kind) {
        case SignatureFact::Kind::Count: v = engine::Value(d.count); break;
        case SignatureFact::Kind::Flag: v = engine::Value(true); break;
        case SignatureFact::Kind::Last: v = engine::Value(d.value); break;
        }
        out.push_back(engine::Fact::known_fact(key.first, key.second, std::move(v), prov(d.line)));
    }
    return out;
}

} // namespace pft::probes
