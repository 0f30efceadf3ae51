// session.cpp - guided diagnosis state: answers -> facts -> engine -> next question.
// The engine is re-run from scratch for every state; runs are cheap and this keeps
// `back` exact (no retraction logic anywhere).
#include "cli/guide/session.hpp"

#include "engine/certainty.hpp"
#include "probes/text_facts.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <set>
#include <sstream>

namespace pft::cli::guide {

const char* step_kind_name(StepKind k) {
    switch (k) {
    case StepKind::Answer: return "answer";
    case StepKind::DontKnow: return "dont-know";
    case StepKind::Skip: return "skip";
    case StepKind::Pasted: return "pasted";
    }
    return "answer";
}

std::string percent(double cf) {
    if (cf <= kRuledOut) return "ruled out";
    char b[16];
    std::snprintf(b, sizeof b, "%.0f%%", std::round(std::max(cf, 0.0) * 100));
    return b;
}

namespace {

std::string trim_lower(const std::string& s) {
    std::size_t a = s.find_first_not_of(" \t\r\n"), b = s.find_last_not_of(" \t\r\n");
    if (a == std::string::npos) return "";
    std::string t = s.substr(a, b - a + 1);
    std::transform(t.begin(), t.end(), t.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return t;
}

bool one_of(const std::string& s, std::initializer_list<const char*> words) {
    for (const char* w : words)
        if (s == w) return true;
    return false;
}

std::string normalise_apostrophes(std::string s) {
    // "don’t" typed on a phone or pasted from a document
    for (std::string from : {"\xe2\x80\x99", "\xe2\x80\x98"}) {
        // In place (no replace(): GCC 12 at -O3 reports a false -Wrestrict inside it).
        for (std::size_t p; (p = s.find(from)) != std::string::npos;) {
            s[p] = '\'';
            s.erase(p + 1, from.size() - 1);
        }
    }
    return s;
}

} // namespace

Reply parse_reply(const rules::QuestionDef* q, const std::string& line) {
    Reply r;
    std::string t = trim_lower(normalise_apostrophes(line));
    if (t.empty()) return {Reply::Empty, "", ""};
    if (one_of(t, {"back", "b", "undo"})) return {Reply::Back, "", ""};
    if (one_of(t, {"why", "w", "why?"})) return {Reply::Why, "", ""};
    if (one_of(t, {"skip", "s", "next"})) return {Reply::Skip, "", ""};
    if (one_of(t, {"quit", "q", "exit", "stop"})) return {Reply::Quit, "", ""};
    if (one_of(t, {"help", "h", "?"})) return {Reply::Help, "", ""};
    if (one_of(t, {"run it", "run", "r", "check", "run the check"})) return {Reply::Run, "", ""};
    if (one_of(t, {"dont know", "don't know", "dont-know", "do not know", "dk", "idk", "not sure", "unknown",
                   "i don't know", "i dont know", "d"}))
        return {Reply::DontKnow, "", ""};
    if (q) {
        for (const auto& a : q->answers)
            if (t == trim_lower(a.answer) || (!a.label.empty() && t == trim_lower(a.label))) return {Reply::Answer, a.answer, ""};
        bool digits = std::all_of(t.begin(), t.end(), [](unsigned char c) { return std::isdigit(c); });
        if (digits && t.size() <= 3) {
            std::size_t n = std::stoul(t);
            if (n >= 1 && n <= q->answers.size()) return {Reply::Answer, q->answers[n - 1].answer, ""};
            if (n == q->answers.size() + 1) return {Reply::DontKnow, "", ""};
            return {Reply::Invalid, "", ""};
        }
        auto find_key = [&](const char* k) -> const rules::AnswerDef* {
            for (const auto& a : q->answers)
                if (a.answer == k) return &a;
            return nullptr;
        };
        if (one_of(t, {"y", "yeah", "yep", "true"}) && find_key("yes")) return {Reply::Answer, "yes", ""};
        if (one_of(t, {"n", "nope", "false"}) && find_key("no")) return {Reply::Answer, "no", ""};
        // A unique prefix of a choice ("time" for times-out).
        if (t.size() >= 2 && t.find(' ') == std::string::npos) {
            const rules::AnswerDef* hit = nullptr;
            int n = 0;
            for (const auto& a : q->answers)
                if (trim_lower(a.answer).rfind(t, 0) == 0) {
                    hit = &a;
                    ++n;
                }
            if (n == 1) return {Reply::Answer, hit->answer, ""};
        }
    }
    // Longer free text is a pasted bounce or error line.
    if (t.size() >= 12 && t.find(' ') != std::string::npos) return {Reply::Text, "", line};
    return {Reply::Invalid, "", ""};
}

std::string accepted_answers(const rules::QuestionDef& q) {
    std::ostringstream o;
    bool yesno = q.answers.size() == 2 && q.answers[0].answer == "yes" && q.answers[1].answer == "no";
    if (yesno) {
        o << "yes / no / don't know";
    } else {
        for (std::size_t i = 0; i < q.answers.size(); ++i) o << (i ? ", " : "") << (i + 1) << " " << q.answers[i].answer;
        o << " / don't know";
    }
    o << " (or paste an error message; back, why, skip, quit)";
    return o.str();
}

Session::Session(const Knowledge& k, SymptomMatch symptom, GatheredFacts gathered, engine::TimePoint now)
    : k_(k), symptom_(std::move(symptom)), gathered_(std::move(gathered)), now_(now) {
    for (std::size_t i = 0; i < gathered_.facts.size(); ++i)
        base_index_[{gathered_.facts[i].name, gathered_.facts[i].subject}] = i;
    for (std::size_t i = 0; i < k_.kb.causes.size(); ++i) {
        const auto& s = k_.kb.causes[i].symptoms;
        if (symptom_.id.empty() || std::find(s.begin(), s.end(), symptom_.id) != s.end())
            candidates_.push_back(static_cast<int>(i));
    }
    recompute();
}

std::vector<engine::Fact> Session::merged(const std::vector<engine::Fact>& extra) const {
    std::vector<engine::Fact> facts = gathered_.facts;
    std::map<std::pair<std::string, std::string>, std::size_t> index = base_index_;
    for (const auto& f : extra) {
        auto key = std::make_pair(f.name, f.subject);
        auto it = index.find(key);
        if (it == index.end()) {
            index[key] = facts.size();
            facts.push_back(f);
            continue;
        }
        engine::Fact& old = facts[it->second];
        // Pasted lines add to what the mail log already counted.
        const auto* a = old.value ? old.value->get_if<std::int64_t>() : nullptr;
        const auto* b = f.value ? f.value->get_if<std::int64_t>() : nullptr;
        if (a && b && f.name.rfind("user.", 0) != 0) {
            engine::Fact sum = f;
            sum.value = engine::Value(static_cast<long long>(*a + *b));
            old = std::move(sum);
        } else {
            old = f;
        }
    }
    return facts;
}

std::vector<double> Session::evaluate(const std::vector<engine::Fact>& extra) const {
    auto eng = run_engine(k_, merged(extra), now_);
    return eng->cause_cfs();
}

std::vector<engine::Fact> Session::extra_facts() const {
    std::vector<engine::Fact> out;
    for (const auto& s : steps_) out.insert(out.end(), s.facts.begin(), s.facts.end());
    return out;
}

void Session::recompute() { cfs_ = evaluate(extra_facts()); }

void Session::record(Step s) {
    steps_.push_back(std::move(s));
    if (!steps_.back().facts.empty()) recompute();
    for (const auto& r : ranking()) {
        if (steps_.back().after.size() >= 3 || r.ruled_out) break;
        steps_.back().after.emplace_back(r.id, r.cf);
    }
}

std::vector<RankedCause> Session::ranking() const {
    std::vector<RankedCause> out;
    for (int c : candidates_) {
        const auto& def = k_.kb.causes[static_cast<std::size_t>(c)];
        double cf = cfs_[static_cast<std::size_t>(c)];
        out.push_back({c, def.id, def.title, cf, cf <= kRuledOut});
    }
    std::stable_sort(out.begin(), out.end(), [](const RankedCause& a, const RankedCause& b) { return a.cf > b.cf; });
    return out;
}

const rules::QuestionDef* Session::question(const std::string& id) const {
    for (const auto& q : k_.kb.questions)
        if (q.id == id) return &q;
    return nullptr;
}

bool Session::closed(const rules::QuestionDef& q) const {
    for (const auto& s : steps_)
        if (s.question == q.id && s.kind != StepKind::Pasted) return true;
    // Another question (or a check) already set one of its facts.
    for (const auto& s : steps_)
        for (const auto& f : s.facts)
            for (const auto& a : q.answers)
                if (f.name == a.fact && f.subject == a.subject) return true;
    for (const auto& a : q.answers) {
        auto it = base_index_.find({a.fact, a.subject});
        if (it != base_index_.end() && gathered_.facts[it->second].known()) return true;
    }
    return false;
}

std::vector<int> Session::open_questions() const {
    std::set<std::string> live;
    for (int c : candidates_)
        if (cfs_[static_cast<std::size_t>(c)] > kRuledOut) live.insert(k_.kb.causes[static_cast<std::size_t>(c)].id);
    std::vector<int> out;
    for (std::size_t i = 0; i < k_.kb.questions.size(); ++i) {
        const auto& q = k_.kb.questions[i];
        if (closed(q)) continue;
        if (std::none_of(q.causes.begin(), q.causes.end(), [&](const std::string& c) { return live.count(c) > 0; }))
            continue;
        out.push_back(static_cast<int>(i));
    }
    return out;
}

std::vector<QuestionScore> Session::scores() const {
    return score_questions(k_.kb, candidates_, cfs_, open_questions(), extra_facts(),
                           [this](const std::vector<engine::Fact>& extra) { return evaluate(extra); });
}

std::optional<QuestionScore> Session::next_question() const {
    auto s = scores();
    if (s.empty() || s.front().gain < kMinGain) return std::nullopt;
    return s.front();
}

bool Session::answer(const std::string& qid, const std::string& key, const std::string& by, double gain) {
    const auto* q = question(qid);
    if (!q) return false;
    for (const auto& a : q->answers) {
        if (a.answer != key) continue;
        Step s;
        s.kind = StepKind::Answer;
        s.question = qid;
        s.answer = key;
        s.by = by;
        s.gain = gain;
        s.facts = answer_facts(*q, a, by);
        record(std::move(s));
        return true;
    }
    return false;
}

bool Session::dont_know(const std::string& qid, const std::string& by, double gain) {
    if (!question(qid)) return false;
    Step s;
    s.kind = StepKind::DontKnow;
    s.question = qid;
    s.by = by;
    s.gain = gain;
    record(std::move(s));
    return true;
}

bool Session::skip(const std::string& qid, const std::string& by, double gain) {
    if (!question(qid)) return false;
    Step s;
    s.kind = StepKind::Skip;
    s.question = qid;
    s.by = by;
    s.gain = gain;
    record(std::move(s));
    return true;
}

bool Session::paste(const std::string& qid, const std::string& text, const std::string& by) {
    if (!k_.signatures) return false;
    std::string bounded = text.substr(0, std::min(text.size(), probes::kMaxPastedText));
    std::string label = qid.empty() ? "pasted text" : "pasted in answer to " + qid;
    auto facts = probes::facts_from_text(*k_.signatures, bounded, label, now_);
    if (facts.empty()) return false;
    Step s;
    s.kind = StepKind::Pasted;
    s.question = qid;
    s.text = bounded;
    s.by = by;
    s.matched = probes::signatures_in_text(*k_.signatures, bounded, now_);
    s.facts = std::move(facts);
    record(std::move(s));
    return true;
}

bool Session::back() {
    if (steps_.empty()) return false;
    steps_.pop_back();
    recompute();
    return true;
}

std::size_t Session::questions_answered() const {
    return static_cast<std::size_t>(
        std::count_if(steps_.begin(), steps_.end(), [](const Step& s) { return s.kind != StepKind::Pasted; }));
}

std::string Session::why(const QuestionScore& sc) const {
    const auto& q = k_.kb.questions[static_cast<std::size_t>(sc.question)];
    std::ostringstream o;
    auto title = [&](int c) { return k_.kb.causes[static_cast<std::size_t>(c)].id; };
    std::set<int> moved;
    std::ostringstream per;
    for (const auto& oc : sc.outcomes) {
        const rules::AnswerDef* a = nullptr;
        for (const auto& x : q.answers)
            if (x.answer == oc.answer) a = &x;
        per << "  If you answer \"" << oc.answer << "\"" << (a && !a->label.empty() ? " (" + a->label + ")" : "") << ": ";
        std::vector<std::string> changes;
        for (int c : candidates_) {
            double before = cfs_[static_cast<std::size_t>(c)], after = oc.cfs[static_cast<std::size_t>(c)];
            if (std::abs(after - before) < 0.05 || (before <= kRuledOut && after <= kRuledOut)) continue;
            moved.insert(c);
            changes.push_back(title(c) + " " + percent(before) + " -> " + percent(after));
        }
        if (changes.empty()) per << "no candidate changes";
        for (std::size_t i = 0; i < changes.size(); ++i) per << (i ? "; " : "") << changes[i];
        per << ".\n";
    }
    if (moved.size() == 1) o << "This question can confirm or weaken ";
    else o << "This question separates ";
    if (moved.empty()) {
        o << "nothing by itself yet";
    } else {
        std::size_t i = 0;
        for (int c : moved) o << (i++ ? (i == moved.size() ? " and " : ", ") : "") << title(c);
    }
    char b[160];
    std::snprintf(b, sizeof b, ". Its answer is expected to remove %.2f of the %.2f bits of uncertainty left about the %zu candidate causes, more than any other question.\n",
                  sc.gain, sc.entropy_before, candidates_.size());
    o << b << per.str();
    return o.str();
}

Report Session::report() const {
    GatheredFacts g = gathered_;
    auto facts = extra_facts();
    g.facts = merged(facts);
    auto eng = run_engine(k_, g.facts, now_);
    std::optional<SymptomMatch> sm;
    if (!symptom_.id.empty()) sm = symptom_;
    Report r = build_report(k_, *eng, sm, g);
    return r;
}

} // namespace pft::cli::guide
