// driver.cpp - prompts, replies and the commands back / why / skip / quit / help /
// run it. Bytes typed or pasted are cleaned before they are printed back, and they
// are only ever matched, never executed.
#include "cli/guide/driver.hpp"

#include "cli/guide/checks.hpp"
#include "engine/fact.hpp"

#include <cstdio>

namespace pft::cli::guide {

namespace {

constexpr std::size_t kMaxLine = 8 * 1024;

std::string bold(const std::string& s, bool on) { return on ? "\033[1m" + s + "\033[0m" : s; }

std::string trimmed(const std::string& s) {
    std::size_t a = s.find_first_not_of(" \t\r\n"), b = s.find_last_not_of(" \t\r\n");
    return a == std::string::npos ? "" : s.substr(a, b - a + 1);
}

} // namespace

std::optional<InputLine> StreamInput::next(const rules::QuestionDef*) {
    std::string line;
    if (!std::getline(in_, line)) return std::nullopt;
    if (line.size() > kMaxLine) line.resize(kMaxLine);
    if (trimmed(line) != "paste") return InputLine{line, false};
    std::string text, l;
    while (std::getline(in_, l) && !trimmed(l).empty()) {
        if (text.size() < 64 * 1024) text += l.substr(0, kMaxLine) + "\n";
    }
    return InputLine{text, true};
}

std::optional<InputLine> ScriptInput::next(const rules::QuestionDef* q) {
    if (!q) {
        if (symptom_given_ || af_.symptom.empty()) return std::nullopt;
        symptom_given_ = true;
        return InputLine{af_.symptom, false};
    }
    auto it = af_.answers.find(q->id);
    if (it == af_.answers.end()) return InputLine{"skip", false};
    InputLine l = it->second.paste.empty() ? InputLine{it->second.reply, false} : InputLine{it->second.paste, true};
    af_.answers.erase(it); // each answer is used once; `back` then asks again and skips
    return l;
}

std::optional<SymptomMatch> choose_symptom(const Knowledge& k, Input& in, std::ostream& out) {
    const auto& syms = k.kb.symptoms;
    out << "What is the problem? Type a number, or describe it in your own words\n"
           "(you can also paste an error message). Type quit to stop.\n";
    for (std::size_t i = 0; i < syms.size(); ++i) {
        char b[24];
        std::snprintf(b, sizeof b, "%2zu", i + 1);
        out << "  " << b << ". " << syms[i].title << "\n";
    }
    for (int tries = 0; tries < 20; ++tries) {
        out << "> " << std::flush;
        auto line = in.next(nullptr);
        if (!line) {
            out << "\n";
            return std::nullopt;
        }
        std::string t = trimmed(line->text);
        if (in.echo()) out << engine::printable(t, 200) << "\n";
        if (t.empty()) continue;
        if (t == "quit" || t == "q" || t == "exit") return std::nullopt;
        bool digits = t.size() <= 3 && t.find_first_not_of("0123456789") == std::string::npos;
        if (digits) {
            std::size_t n = std::stoul(t);
            if (n >= 1 && n <= syms.size()) {
                SymptomMatch m;
                m.input = t;
                m.id = syms[n - 1].id;
                m.confidence = 1.0;
                m.how = "menu";
                return m;
            }
            out << "There is no number " << t << " in the list.\n";
            continue;
        }
        auto m = match_symptom(t, k.kb);
        if (!m.id.empty()) {
            const auto* s = k.kb.symptom(m.id);
            out << "Understood: " << (s ? s->title : m.id) << " (" << m.how << ")\n";
            return m;
        }
        out << "I could not match that to a known problem";
        if (!m.ranked.empty() && m.ranked.front().score > 0) {
            const auto* s = k.kb.symptom(m.ranked.front().id);
            out << " - the closest is \"" << (s ? s->title : m.ranked.front().id) << "\"";
        }
        out << ". Please type its number.\n";
    }
    return std::nullopt;
}

void print_top(const Session& s, std::ostream& out, std::size_t n, bool color) {
    auto r = s.ranking();
    out << bold("Most likely causes now:", color) << "\n";
    std::size_t shown = 0;
    for (const auto& c : r) {
        if (c.ruled_out || shown >= n) continue;
        char b[16];
        std::snprintf(b, sizeof b, "%4s", percent(c.cf).c_str());
        out << "  " << b << "  " << c.id << " - " << c.title << "\n";
        ++shown;
    }
    std::size_t out_count = 0;
    for (const auto& c : r) out_count += c.ruled_out ? 1 : 0;
    if (shown == 0) out << "  (no candidate cause is supported by the evidence)\n";
    if (out_count) out << "  (" << out_count << " other possible cause" << (out_count == 1 ? " was" : "s were") << " ruled out)\n";
}

namespace {

bool run_allowed_check(Session& s, const rules::QuestionDef& q, const CheckDef& c, std::ostream& out, double gain) {
    out << "Running a read-only check: it " << c.what << " ...\n" << std::flush;
    CheckResult r = run_check(c);
    if (!r.ran) {
        out << "  Could not run it: " << r.summary << ".\n";
        return false;
    }
    out << "  $ " << r.command << "  (" << r.summary << ")\n";
    if (!r.value) {
        out << "  The result is not conclusive; please answer yourself.\n";
        return false;
    }
    for (const auto& a : q.answers) {
        const bool* b = a.value ? a.value->get_if<bool>() : nullptr;
        if (a.fact == c.fact && b && *b == *r.value) {
            out << "  Result: " << a.answer << (a.label.empty() ? "" : " (" + a.label + ")") << "\n";
            return s.answer(q.id, a.answer, "check: " + r.command, gain);
        }
    }
    return false;
}

void show_question(const Session& s, const rules::QuestionDef& q, std::size_t n, std::ostream& out,
                   const DriverOptions& o) {
    out << "\n" << bold("Question " + std::to_string(n) + ": " + q.text, o.color) << "\n";
    if (!q.help.empty()) out << "  How to find out: " << trimmed(q.help) << "\n";
    bool yesno = q.answers.size() == 2 && q.answers[0].answer == "yes" && q.answers[1].answer == "no";
    for (std::size_t i = 0; i < q.answers.size(); ++i) {
        const auto& a = q.answers[i];
        if (yesno && a.label.empty()) continue;
        out << "  " << (i + 1) << ") " << a.answer << (a.label.empty() ? "" : " - " + a.label) << "\n";
    }
    out << "  " << (q.answers.size() + 1) << ") don't know\n";
    out << "  Answer " << accepted_answers(q) << ".\n";
    if (const auto* c = check_for(q); c && o.live && !o.allow_checks)
        out << "  I can check this myself, read-only (it " << c->what << "): type \"run it\".\n";
    (void)s;
}

} // namespace

DriverResult run_questions(Session& s, Input& in, std::ostream& out, const DriverOptions& o) {
    DriverResult res;
    std::size_t number = 0;
    bool shown_current = false;
    std::string last_shown;
    while (true) {
        if (s.clearly_ahead()) {
            res.ended_because = "one cause is clearly ahead";
            break;
        }
        if (res.asked >= o.max_questions) {
            res.ended_because = "the question limit was reached";
            break;
        }
        auto sc = s.next_question();
        if (!sc) {
            res.ended_because = "no question left that would change the result";
            break;
        }
        const auto& q = s.knowledge().kb.questions[static_cast<std::size_t>(sc->question)];
        if (!shown_current) {
            if (q.id != last_shown) {
                ++number;
                ++res.asked;
            }
            show_question(s, q, number, out, o);
            shown_current = true;
            last_shown = q.id;
        }
        if (const auto* c = check_for(q); c && o.live && o.allow_checks) {
            if (run_allowed_check(s, q, *c, out, sc->gain)) {
                shown_current = false;
                print_top(s, out, 3, o.color);
                continue;
            }
        }
        out << "> " << std::flush;
        auto line = in.next(&q);
        if (!line) {
            out << "\n";
            res.ended_because = "the input ended";
            res.quit = true;
            break;
        }
        Reply r;
        if (line->paste) r = {Reply::Text, "", line->text};
        else r = parse_reply(&q, line->text);
        if (in.echo()) out << (line->paste ? "(pasted text)" : engine::printable(trimmed(line->text), 200)) << "\n";
        switch (r.kind) {
        case Reply::Answer:
            s.answer(q.id, r.answer, in.who(), sc->gain);
            shown_current = false;
            print_top(s, out, 3, o.color);
            break;
        case Reply::DontKnow:
            s.dont_know(q.id, in.who(), sc->gain);
            shown_current = false;
            break;
        case Reply::Skip:
            s.skip(q.id, in.who(), sc->gain);
            shown_current = false;
            break;
        case Reply::Back:
            if (s.back()) {
                out << "Took back the last answer.\n";
                print_top(s, out, 3, o.color);
                shown_current = false;
            } else {
                out << "There is no answer to take back yet.\n";
            }
            break;
        case Reply::Why:
            out << s.why(*sc);
            break;
        case Reply::Quit:
            res.ended_because = "stopped at the person's request";
            res.quit = true;
            return res;
        case Reply::Help:
            out << (q.help.empty() ? "There is no extra help for this question." : "How to find out: " + q.help) << "\n"
                << "Commands: back (undo the last answer), why (why I ask this), skip, quit, paste (then the text and an empty line).\n";
            break;
        case Reply::Run: {
            const auto* c = check_for(q);
            if (!c) out << "There is no check I may run for this question; please answer it yourself.\n";
            else if (!o.live) out << "Checks only run on the live host; this session reads an evidence bundle.\n";
            else if (run_allowed_check(s, q, *c, out, sc->gain)) {
                shown_current = false;
                print_top(s, out, 3, o.color);
            }
            break;
        }
        case Reply::Text:
            if (s.paste(q.id, r.text, in.who())) {
                out << "Read the pasted text: it matched";
                for (const auto& m : s.steps().back().matched) out << " " << m;
                out << ".\n";
                print_top(s, out, 3, o.color);
                shown_current = false;
            } else {
                out << "I did not recognise that text as a Postfix error. Please answer " << accepted_answers(q) << ".\n";
            }
            break;
        case Reply::Empty:
        case Reply::Invalid:
            out << "Please answer " << accepted_answers(q) << ".\n";
            break;
        }
    }
    return res;
}

} // namespace pft::cli::guide
