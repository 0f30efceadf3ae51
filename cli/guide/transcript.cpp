// transcript.cpp - Markdown transcript and JSON session files of a guided session.
// Every string from evidence or answers is cleaned (printable) and fenced or
// quoted so that it cannot change the Markdown around it.
#include "cli/guide/transcript.hpp"

#include "engine/fact.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace pft::cli::guide {

namespace {

// Inline code that survives backticks in the value.
std::string code(const std::string& s) {
    std::string t = engine::printable(s, 300);
    for (auto& c : t)
        if (c == '`') c = '\'';
    return "`" + t + "`";
}

std::string plain(const std::string& s, std::size_t max = 400) {
    std::string t = engine::printable(s, max);
    std::string out;
    for (char c : t) {
        if (c == '<' || c == '>' || c == '*' || c == '_' || c == '[' || c == ']' || c == '`' || c == '|') out += '\\';
        out += c;
    }
    return out;
}

void top_list(std::ostream& out, const std::vector<std::pair<std::string, double>>& top) {
    if (top.empty()) {
        out << "no candidate cause is supported\n";
        return;
    }
    for (std::size_t i = 0; i < top.size(); ++i) out << (i ? ", " : "") << code(top[i].first) << " " << percent(top[i].second);
    out << "\n";
}

} // namespace

void write_transcript(const Session& s, const Report& rep, const TranscriptInfo& info, std::ostream& out) {
    const auto& kb = s.knowledge().kb;
    out << "# pftriage guided diagnosis\n\n";
    out << "- **Started:** " << plain(info.started_at) << "\n";
    out << "- **Evidence from:** " << plain(info.source) << (rep.hostname.empty() ? "" : " (host " + code(rep.hostname) + ")") << "\n";
    out << "- **Symptom:** " << code(s.symptom().id);
    if (!s.symptom().input.empty() && s.symptom().input != s.symptom().id) out << " (from \"" << plain(s.symptom().input, 200) << "\")";
    out << "\n- **Questions asked:** " << s.questions_answered() << "\n";
    out << "- **Ended because:** " << plain(info.ended_because) << "\n\n";

    out << "## What was checked\n\n";
    for (const auto& t : s.gathered().timings) out << "- " << code(t.probe) << ": " << t.facts << " facts\n";
    out << "\nAt the start: ";
    top_list(out, info.at_start);

    out << "\n## Questions and answers\n\n";
    if (s.steps().empty()) out << "No question was needed.\n";
    std::size_t n = 0;
    for (const auto& st : s.steps()) {
        const rules::QuestionDef* q = st.question.empty() ? nullptr : s.question(st.question);
        out << "### " << ++n << ". " << (q ? plain(q->text) : std::string("Pasted text")) << "\n\n";
        if (q) out << "- Question: " << code(q->id) << "\n";
        switch (st.kind) {
        case StepKind::Answer: {
            std::string label;
            if (q)
                for (const auto& a : q->answers)
                    if (a.answer == st.answer) label = a.label;
            out << "- Answer: **" << plain(st.answer) << "**" << (label.empty() ? "" : " (" + plain(label) + ")") << "\n";
            break;
        }
        case StepKind::DontKnow: out << "- Answer: don't know\n"; break;
        case StepKind::Skip: out << "- Skipped\n"; break;
        case StepKind::Pasted:
            out << "- Pasted text (" << st.text.size() << " bytes); it matched the log signatures:";
            for (const auto& m : st.matched) out << " " << code(m);
            out << "\n\n```text\n";
            std::string t = engine::printable(st.text.substr(0, 2000), 2000);
            for (std::size_t p; (p = t.find("```")) != std::string::npos;) t.replace(p, 3, "'''");
            out << t << "\n```\n";
            break;
        }
        out << "- By: " << plain(st.by) << "\n";
        if (st.gain > 0) {
            char b[64];
            std::snprintf(b, sizeof b, "%.2f", st.gain);
            out << "- Chosen because its answer was expected to remove " << b << " bits of uncertainty\n";
        }
        out << "- Then: ";
        top_list(out, st.after);
        out << "\n";
    }

    out << "## Outcome and plan\n\n";
    std::size_t shown = 0;
    for (const auto& c : rep.causes) {
        if (!c.relevant) continue;
        ++shown;
        out << "### " << shown << ". " << code(c.id) << " - " << plain(c.title) << " (" << percent(c.confidence) << " sure, "
            << c.severity << ")\n\n";
        out << plain(c.explain, 2000) << "\n\n";
        if (!c.evidence.empty()) {
            out << "**Evidence**\n\n";
            for (const auto& e : c.evidence) {
                out << "- " << code(e.subject.empty() ? e.fact : e.fact + "[" + e.subject + "]") << " = " << code(e.value);
                if (!e.source.empty()) out << " (" << plain(e.source, 120) << ")";
                out << "\n";
            }
            out << "\n";
        }
        if (!c.plan.empty()) {
            out << "**Plan**\n\n";
            for (const auto& p : c.plan) {
                out << "- " << p.kind << " (" << p.risk << "): " << plain(p.why, 600) << "\n\n  ```sh\n  ";
                std::string cmd = engine::printable(p.command, 1000);
                for (std::size_t q2; (q2 = cmd.find("```")) != std::string::npos;) cmd.replace(q2, 3, "'''");
                out << cmd << "\n  ```\n";
            }
            for (const auto& note : c.plan_notes) out << "- note: " << plain(note) << "\n";
            out << "\n";
        }
        if (!c.doc.empty()) out << "Documentation: " << plain(c.doc) << "\n\n";
    }
    if (shown == 0) {
        out << "No cause of this symptom was concluded. Candidates still open:\n\n";
        for (const auto& r : s.ranking())
            if (!r.ruled_out) out << "- " << code(r.id) << " " << percent(r.cf) << " - " << plain(r.title) << "\n";
        out << "\n";
    }
    (void)kb;
}

nlohmann::ordered_json session_json(const Session& s, const std::string& source_kind, const std::string& bundle) {
    nlohmann::ordered_json j;
    j["schema"] = "pftriage.guide-session/1";
    j["symptom"] = {{"id", s.symptom().id}, {"input", s.symptom().input}};
    j["source"] = {{"kind", source_kind}};
    if (source_kind == "bundle") j["source"]["bundle"] = bundle;
    auto arr = nlohmann::ordered_json::array();
    for (const auto& st : s.steps()) {
        nlohmann::ordered_json e;
        e["kind"] = step_kind_name(st.kind);
        e["question"] = st.question;
        if (st.kind == StepKind::Answer) e["answer"] = st.answer;
        if (st.kind == StepKind::Pasted) e["text"] = st.text;
        e["by"] = st.by;
        arr.push_back(std::move(e));
    }
    j["answers"] = std::move(arr);
    return j;
}

std::optional<SavedSession> parse_session(const std::string& text, std::string* error) {
    nlohmann::json j;
    try {
        j = nlohmann::json::parse(text, nullptr, true, false);
    } catch (const nlohmann::json::exception& e) {
        *error = std::string("not valid JSON: ") + e.what();
        return std::nullopt;
    }
    auto str = [](const nlohmann::json& o, const char* k) -> std::string {
        return o.is_object() && o.contains(k) && o[k].is_string() ? o[k].get<std::string>() : "";
    };
    if (!j.is_object() || str(j, "schema") != "pftriage.guide-session/1") {
        *error = "not a pftriage guide session (schema pftriage.guide-session/1)";
        return std::nullopt;
    }
    SavedSession s;
    if (j.contains("symptom")) {
        s.symptom_id = str(j["symptom"], "id");
        s.symptom_input = str(j["symptom"], "input");
    }
    if (j.contains("source")) {
        s.source_kind = str(j["source"], "kind");
        s.bundle = str(j["source"], "bundle");
    }
    if (s.source_kind != "bundle" && s.source_kind != "live") {
        *error = "source.kind must be \"bundle\" or \"live\"";
        return std::nullopt;
    }
    if (!j.contains("answers") || !j["answers"].is_array()) {
        *error = "'answers' must be a list";
        return std::nullopt;
    }
    for (const auto& e : j["answers"]) {
        if (s.answers.size() >= 1000) break;
        s.answers.push_back({str(e, "kind"), str(e, "question"), str(e, "answer"), str(e, "text"), str(e, "by")});
    }
    return s;
}

bool replay(Session& s, const SavedSession& saved, std::string* error) {
    std::size_t n = 0;
    for (const auto& e : saved.answers) {
        ++n;
        bool ok = false;
        std::string by = e.by.empty() ? "resumed session" : e.by;
        if (e.kind == "answer") ok = s.answer(e.question, e.answer, by);
        else if (e.kind == "dont-know") ok = s.dont_know(e.question, by);
        else if (e.kind == "skip") ok = s.skip(e.question, by);
        else if (e.kind == "pasted") ok = s.paste(e.question, e.text, by);
        if (!ok) {
            *error = "answer " + std::to_string(n) + " (" + engine::printable(e.kind, 20) + " to '" +
                     engine::printable(e.question, 80) + "') does not fit this knowledge base";
            return false;
        }
    }
    return true;
}

bool write_private_file(const std::string& path, const std::string& text, std::string* error) {
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) {
        *error = std::strerror(errno);
        return false;
    }
    if (::fchmod(fd, 0600) != 0) {
        *error = std::strerror(errno);
        ::close(fd);
        return false;
    }
    std::size_t off = 0;
    while (off < text.size()) {
        ssize_t w = ::write(fd, text.data() + off, text.size() - off);
        if (w < 0) {
            if (errno == EINTR) continue;
            *error = std::strerror(errno);
            ::close(fd);
            return false;
        }
        off += static_cast<std::size_t>(w);
    }
    if (::close(fd) != 0) {
        *error = std::strerror(errno);
        return false;
    }
    return true;
}

} // namespace pft::cli::guide
