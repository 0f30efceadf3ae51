// transcript.hpp - what a guided session leaves behind: a Markdown transcript for
// the ticket (questions, answers, evidence, plan) and a JSON session file that
// --resume replays. Formatting and parsing only; files are written by the caller's
// choice of path, created 0600. Nothing read back is executed.
#pragma once

#include "cli/guide/session.hpp"

#include <nlohmann/json.hpp>

#include <optional>
#include <ostream>
#include <string>
#include <vector>

namespace pft::cli::guide {

struct TranscriptInfo {
    std::string source;        // "bundle examples/bundles/x" or "live host"
    std::string started_at;    // RFC 3339
    std::string ended_because; // "one cause is clearly ahead", ...
    std::vector<std::pair<std::string, double>> at_start; // top candidates before any question
};

void write_transcript(const Session& s, const Report& final_report, const TranscriptInfo& info, std::ostream& out);

// Session file: {"schema": "pftriage.guide-session/1", symptom, source, answers}.
struct SavedSession {
    std::string symptom_input, symptom_id;
    std::string source_kind; // "bundle" | "live"
    std::string bundle;      // path, for a bundle
    struct Entry {
        std::string kind;     // answer | dont-know | skip | pasted
        std::string question, answer, text, by;
    };
    std::vector<Entry> answers;
};
nlohmann::ordered_json session_json(const Session& s, const std::string& source_kind, const std::string& bundle);
// Parses a saved session; nullopt and *error on a malformed file.
std::optional<SavedSession> parse_session(const std::string& text, std::string* error);
// Replays the saved answers into a fresh session; false and *error naming the bad entry.
bool replay(Session& s, const SavedSession& saved, std::string* error);

// Writes `text` to `path`, created (or truncated) with mode 0600; false and *error on failure.
bool write_private_file(const std::string& path, const std::string& text, std::string* error);

} // namespace pft::cli::guide
