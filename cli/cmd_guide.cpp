// cmd_guide.cpp - `pftriage guide`: guided step-by-step diagnosis. It wires the
// options, input, progress display and output files to cli/guide/; the reasoning
// lives there. It never changes the host: checks are read-only and allow-listed.
#include "cli/app.hpp"
#include "cli/command.hpp"
#include "cli/guide/answers_file.hpp"
#include "cli/guide/driver.hpp"
#include "cli/guide/transcript.hpp"
#include "cli/render.hpp"
#include "cli/session.hpp"

#include <spdlog/spdlog.h>

#include <chrono>
#include <ctime>
#include <fstream>
#include <iostream>
#include <sstream>
#include <unistd.h>

namespace pft::cli {

namespace {

std::string utc_stamp(const char* fmt) {
    std::time_t t = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char b[64];
    std::strftime(b, sizeof b, fmt, &tm);
    return b;
}

// Probe names as they finish, on one line that is rewritten (stderr is a terminal).
class ProbeTicker {
public:
    explicit ProbeTicker(bool on) : on_(on) {}
    void done(const ProbeTiming& t) {
        if (!on_) return;
        ++n_;
        std::cerr << "\r\033[K  checking ... " << n_ << " done, last: " << t.probe << " (" << t.facts << " facts)" << std::flush;
    }
    void finish(std::size_t probes, std::size_t facts) {
        if (!on_) return;
        std::cerr << "\r\033[K  checked " << probes << " sources of evidence, " << facts << " facts\n" << std::flush;
    }

private:
    bool on_;
    std::size_t n_ = 0;
};

class GuideCommand : public Command {
public:
    CLI::App* add(CLI::App& app, Common& c) override {
        auto* s = app.add_subcommand("guide", "Guided step-by-step diagnosis: asks one question at a time, then prints the plan");
        add_common_options(s, c);
        add_source_options(s, c);
        s->add_option("--answers", answers_, "Scripted answers (YAML: question id -> answer), for reproducible sessions");
        s->add_option("--transcript", transcript_, "Markdown transcript for the ticket (default pftriage-guide-<time>.md here)");
        s->add_flag("--no-transcript", no_transcript_, "Do not write a transcript");
        s->add_option("--save", save_, "Save the session (symptom, source, answers) as JSON to resume later");
        s->add_option("--resume", resume_, "Resume a session saved with --save");
        s->add_flag("--allow-checks", allow_checks_, "Run the allow-listed read-only checks myself (live host only)");
        s->add_flag("--list-questions", list_questions_, "List the questions of the knowledge base and their answers");
        return s;
    }

    int run(Common& c) override {
        int code = 0;
        auto k = load_knowledge_or_report(c, &code);
        if (!k) return code;
        if (list_questions_) {
            for (const auto& q : k->kb.questions) std::cout << q.id << ": " << q.text << "\n    " << guide::accepted_answers(q) << "\n";
            return kOk;
        }
        const bool json = c.format == "json";
        std::ostream& out = json ? std::cerr : std::cout;
        const bool color = !c.no_color && !json && use_color(STDOUT_FILENO);

        std::optional<guide::SavedSession> saved;
        if (!resume_.empty()) {
            std::ifstream in(resume_, std::ios::binary);
            std::string text;
            if (in) {
                text.resize(1024 * 1024 + 1);
                in.read(text.data(), static_cast<std::streamsize>(text.size()));
                text.resize(static_cast<std::size_t>(in.gcount()));
            }
            std::string err;
            if (text.empty()) err = "cannot read it";
            else if (text.size() > 1024 * 1024) err = "larger than 1 MB";
            else saved = guide::parse_session(text, &err);
            if (!saved) {
                std::cerr << "pftriage: " << resume_ << ": " << err << "\n";
                return kDataErr;
            }
            if (c.from.empty() && saved->source_kind == "bundle") c.from = saved->bundle;
            if (c.symptom.empty()) c.symptom = saved->symptom_id;
        }

        std::unique_ptr<guide::Input> input;
        std::optional<guide::AnswersFile> af;
        if (!answers_.empty()) {
            std::vector<guide::AnswersProblem> problems;
            af = guide::load_answers_file(answers_, k->kb, problems);
            for (const auto& p : problems) std::cerr << p.to_string() << "\n";
            if (!af) {
                std::cerr << "pftriage: the answers file has " << problems.size() << " problem(s); no session was started\n";
                return kDataErr;
            }
            input = std::make_unique<guide::ScriptInput>(*af);
        } else {
            bool tty = isatty(STDIN_FILENO) == 1;
            input = std::make_unique<guide::StreamInput>(std::cin, tty ? "person" : "standard input", tty);
        }

        std::optional<SymptomMatch> sm;
        if (!c.symptom.empty()) {
            sm = resolve_symptom(c, *k, &code);
            if (code) return code;
        } else {
            sm = guide::choose_symptom(*k, *input, out);
            if (!sm) {
                std::cerr << "pftriage: no symptom chosen (give one with --symptom)\n";
                return kUsage;
            }
        }

        auto src = open_source(c, &code);
        if (!src) return code;
        const std::string started = utc_stamp("%Y-%m-%dT%H:%M:%SZ");
        out << "\nLooking at " << src->describe() << " for: " << (k->kb.symptom(sm->id) ? k->kb.symptom(sm->id)->title : sm->id) << "\n";
        ProbeTicker progress(isatty(STDERR_FILENO) == 1 && !c.quiet);
        auto gathered = gather_facts(*k, *src, [&progress](const ProbeTiming& t) { progress.done(t); });
        std::size_t nfacts = gathered.facts.size(), nprobes = gathered.timings.size();
        progress.finish(nprobes, nfacts);
        for (const auto& w : gathered.warnings) spdlog::warn("{}", w);

        guide::Session session(*k, *sm, std::move(gathered), src->now());
        if (saved) {
            std::string err;
            if (!guide::replay(session, *saved, &err)) {
                std::cerr << "pftriage: " << resume_ << ": " << err << "\n";
                return kDataErr;
            }
            out << "Resumed " << saved->answers.size() << " earlier answer(s).\n";
        }
        {
            // Postfix not installed, or its configuration closed to this user: no question can
            // help; say so and stop. Other limits (some facts denied) are said before asking.
            Report first = session.report();
            if (!first.not_probed.empty()) {
                out << "\nNothing about Postfix could be probed: " << first.not_probed << "\n";
                return kNoConclusion;
            }
            for (const auto& n : first.notices) out << "\nNote: " << n << "\n";
        }
        guide::TranscriptInfo info;
        info.source = src->describe();
        info.started_at = started;
        for (const auto& r : session.ranking())
            if (!r.ruled_out && info.at_start.size() < 3) info.at_start.emplace_back(r.id, r.cf);
        out << "\n";
        guide::print_top(session, out, 5, color);

        guide::DriverOptions dopt;
        dopt.live = src->is_live();
        dopt.allow_checks = allow_checks_;
        dopt.color = color;
        auto res = guide::run_questions(session, *input, out, dopt);
        info.ended_because = res.ended_because;
        out << "\nDone: " << res.ended_because << " (" << session.questions_answered() << " question"
            << (session.questions_answered() == 1 ? "" : "s") << " answered).\n";

        Report rep = session.report();
        rep.source = src->describe();
        if (json) render_json(rep, std::cout);
        else render_text(rep, std::cout, TextStyle{color, c.verbose > 0});

        if (!no_transcript_) {
            std::string path = transcript_.empty() ? "pftriage-guide-" + utc_stamp("%Y%m%d-%H%M%S") + ".md" : transcript_;
            std::ostringstream md;
            guide::write_transcript(session, rep, info, md);
            std::string err;
            if (guide::write_private_file(path, md.str(), &err)) out << "Transcript saved to " << path << "\n";
            else std::cerr << "pftriage: cannot write the transcript " << path << ": " << err << "\n";
        }
        if (!save_.empty()) {
            std::string err;
            auto j = guide::session_json(session, src->is_live() ? "live" : "bundle", c.from);
            if (guide::write_private_file(save_, j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n", &err)) out << "Session saved to " << save_ << " (resume with --resume)\n";
            else std::cerr << "pftriage: cannot save the session to " << save_ << ": " << err << "\n";
        }
        return rep.exit_code;
    }

private:
    std::string answers_, transcript_, save_, resume_;
    bool no_transcript_ = false, allow_checks_ = false, list_questions_ = false;
};

} // namespace

std::unique_ptr<Command> make_guide_command() { return std::make_unique<GuideCommand>(); }

} // namespace pft::cli
