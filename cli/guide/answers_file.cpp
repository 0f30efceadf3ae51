// answers_file.cpp - loading and checking an answers file with yaml-cpp marks.
#include "cli/guide/answers_file.hpp"

#include "cli/guide/session.hpp"
#include "engine/fact.hpp"

#include "rules/yaml_cpp.hpp"

#include <fstream>
#include <sstream>

namespace pft::cli::guide {

std::string AnswersProblem::to_string() const {
    std::ostringstream o;
    o << file;
    if (line > 0) o << ":" << line;
    if (column > 0) o << ":" << column;
    o << ": " << message;
    return o.str();
}

std::optional<AnswersFile> parse_answers(const std::string& label, const std::string& text,
                                         const rules::KnowledgeBase& kb, std::vector<AnswersProblem>& problems) {
    std::size_t before = problems.size();
    auto problem = [&](const YAML::Node& n, std::string msg) {
        const auto m = n.Mark();
        problems.push_back({label, m.is_null() ? 0 : m.line + 1, m.is_null() ? 0 : m.column + 1, std::move(msg)});
    };
    YAML::Node doc;
    try {
        doc = YAML::Load(text);
    } catch (const YAML::Exception& e) {
        problems.push_back({label, e.mark.is_null() ? 0 : e.mark.line + 1, e.mark.is_null() ? 0 : e.mark.column + 1,
                            "not valid YAML: " + e.msg});
        return std::nullopt;
    }
    AnswersFile af;
    af.path = label;
    if (doc.IsNull()) return af;
    if (!doc.IsMap()) {
        problem(doc, "an answers file is a mapping: question id -> answer");
        return std::nullopt;
    }
    for (auto it = doc.begin(); it != doc.end(); ++it) {
        // Copies: a yaml-cpp iterator yields a temporary pair; references to it dangle (ASan).
        const YAML::Node k = it->first;
        const YAML::Node v = it->second;
        std::string id = k.IsScalar() ? k.Scalar() : "";
        if (id == "symptom") {
            if (!v.IsScalar()) problem(v, "symptom must be a string");
            else af.symptom = v.Scalar();
            continue;
        }
        const rules::QuestionDef* q = nullptr;
        for (const auto& x : kb.questions)
            if (x.id == id) q = &x;
        if (!q) {
            problem(k, "unknown question '" + engine::printable(id, 80) + "' (the knowledge base's questions are listed by `pftriage guide --list-questions`)");
            continue;
        }
        if (af.answers.count(id)) {
            problem(k, "question '" + id + "' is answered twice");
            continue;
        }
        ScriptedAnswer a;
        a.line = k.Mark().line + 1;
        if (v.IsMap() && v["paste"] && v["paste"].IsScalar() && v.size() == 1) {
            a.paste = v["paste"].Scalar();
            if (a.paste.size() > 64 * 1024) problem(v, "pasted text longer than 64 KB");
            af.answers[id] = std::move(a);
            continue;
        }
        if (!v.IsScalar()) {
            problem(v, "the answer to '" + id + "' must be one of: " + accepted_answers(*q) + ", or {paste: TEXT}");
            continue;
        }
        Reply r = parse_reply(q, v.Scalar());
        if (r.kind == Reply::Answer) a.reply = r.answer;
        else if (r.kind == Reply::DontKnow) a.reply = "dont-know";
        else if (r.kind == Reply::Skip) a.reply = "skip";
        else {
            std::string keys;
            for (const auto& x : q->answers) keys += (keys.empty() ? "" : ", ") + x.answer;
            problem(v, "invalid answer '" + engine::printable(v.Scalar(), 80) + "' to question '" + id +
                           "' (accepted: " + keys + ", dont-know, skip, or {paste: TEXT})");
            continue;
        }
        af.answers[id] = std::move(a);
    }
    if (problems.size() > before) return std::nullopt;
    return af;
}

std::optional<AnswersFile> load_answers_file(const std::string& path, const rules::KnowledgeBase& kb,
                                             std::vector<AnswersProblem>& problems) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        problems.push_back({path, 0, 0, "cannot read the answers file"});
        return std::nullopt;
    }
    std::string text(kMaxAnswersFile + 1, '\0');
    in.read(text.data(), static_cast<std::streamsize>(text.size()));
    text.resize(static_cast<std::size_t>(in.gcount()));
    if (text.size() > kMaxAnswersFile) {
        problems.push_back({path, 0, 0, "the answers file is larger than 1 MB"});
        return std::nullopt;
    }
    return parse_answers(path, text, kb, problems);
}

} // namespace pft::cli::guide
