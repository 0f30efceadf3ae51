// corpus_support.hpp - test helpers: where the shared log corpus and the signature
// knowledge live, and readers for the corpus file formats (.log, the three .tsv).
// It holds no assertions; the tests decide what the data must satisfy.
#pragma once

#include "probes/logsig.hpp"
#include "probes/parse/syslog_line.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

namespace pft::test {

inline std::string corpus_dir() { return PFT_SOURCE_DIR "/../shared/corpus"; }
inline std::string signatures_dir() { return PFT_SOURCE_DIR "/knowledge/signatures"; }

// The knowledge base signatures, loaded once for all tests.
inline std::shared_ptr<probes::SignatureSet> shipped_signatures() {
    static std::shared_ptr<probes::SignatureSet> set = probes::SignatureSet::load_directory(signatures_dir());
    return set;
}

inline std::vector<std::string> read_lines(const std::string& path) {
    std::vector<std::string> out;
    std::ifstream in(path, std::ios::binary);
    for (std::string l; std::getline(in, l);) {
        if (!l.empty() && l.back() == '\r') l.pop_back();
        out.push_back(std::move(l));
    }
    return out;
}

inline std::vector<std::string> split_tabs(const std::string& s) {
    std::vector<std::string> out;
    std::size_t start = 0;
    for (;;) {
        std::size_t t = s.find('\t', start);
        out.push_back(s.substr(start, t == std::string::npos ? std::string::npos : t - start));
        if (t == std::string::npos) break;
        start = t + 1;
    }
    return out;
}

// The corpus writes a day placeholder in some lines; any real date will do.
inline std::string fill_day(std::string line) {
    for (std::size_t p; (p = line.find("%(day)s")) != std::string::npos;) line.replace(p, 7, "Nov 24");
    return line;
}

// \n, \t and \\ escapes of postfix-grok-patterns__tests.tsv.
inline std::string unescape_grok(const std::string& s) {
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '\\' && i + 1 < s.size()) {
            char c = s[++i];
            out += c == 'n' ? '\n' : c == 't' ? '\t' : c;
        } else {
            out += s[i];
        }
    }
    return out;
}

// One sample of Postfix log text and how to feed it to the matcher.
struct Sample {
    std::string source;  // corpus file name
    std::size_t line_no; // 1-based line in that file
    std::string text;    // the whole line, or the message only
    std::string program; // program for message-only samples ("" = unknown)
    bool message_only;   // text has no syslog prefix
};

// The postfix-logwatch #TD tag names the program; policy daemons are not Postfix.
inline bool logwatch_program(const std::string& tag, std::string& program) {
    if (tag.rfind("TDspf", 0) == 0 || tag.rfind("TDpfw", 0) == 0 || tag.rfind("TDpg", 0) == 0) return false;
    static const std::vector<std::pair<std::string, std::string>> prefixes{
        {"TDsd", "smtpd"}, {"TDs", "smtp"}, {"TDc", "cleanup"}, {"TDq", "qmgr"}, {"TDm", "master"},
        {"TDb", "bounce"}, {"TDl", "local"}, {"TDv", "virtual"}, {"TDpp", "pipe"}, {"TDps", "postsuper"},
        {"TDp", "pickup"}};
    program.clear();
    for (const auto& [p, prog] : prefixes)
        if (tag.rfind(p, 0) == 0) {
            program = prog;
            break;
        }
    return true;
}

// Every sample of Postfix text in maillog-real/: the .log files line by line, the
// `line` column of the GitHub issues TSV, the `sample_text` column of the logwatch
// TSV (policy daemons left out) and the `message` column of the grok TSV (fragments
// that are not whole messages left out).
inline std::vector<Sample> corpus_samples(std::vector<Sample>* negatives = nullptr) {
    namespace fs = std::filesystem;
    std::vector<Sample> out;
    std::vector<fs::path> files;
    for (const auto& e : fs::directory_iterator(corpus_dir() + "/maillog-real")) files.push_back(e.path());
    std::sort(files.begin(), files.end());
    for (const auto& p : files) {
        const std::string name = p.filename().string();
        auto lines = read_lines(p.string());
        if (p.extension() == ".log") {
            for (std::size_t i = 0; i < lines.size(); ++i)
                if (!lines[i].empty()) out.push_back({name, i + 1, fill_day(lines[i]), "", false});
        } else if (name.rfind("github-issues", 0) == 0) {
            for (std::size_t i = 1; i < lines.size(); ++i) {
                auto cols = split_tabs(lines[i]);
                if (cols.size() >= 3 && !cols[2].empty()) out.push_back({name, i + 1, cols[2], "", false});
            }
        } else if (name.rfind("logwatch", 0) == 0) {
            for (std::size_t i = 1; i < lines.size(); ++i) {
                auto cols = split_tabs(lines[i]);
                if (cols.size() < 2) continue;
                std::string program;
                Sample s{name, i + 1, cols[1], "", true};
                if (logwatch_program(cols[0], program)) {
                    s.program = program;
                    out.push_back(s);
                } else if (negatives) {
                    negatives->push_back(s);
                }
            }
        } else if (name.rfind("postfix-grok", 0) == 0) {
            for (std::size_t i = 1; i < lines.size(); ++i) {
                auto cols = split_tabs(lines[i]);
                if (cols.size() < 3) continue;
                std::string file = cols[0]; // test/smtpd_0015.yaml
                std::string stem = file.substr(file.find('/') + 1);
                stem = stem.substr(0, stem.rfind('_'));
                if (stem == "command_counter_data" || stem == "delays" || stem == "relay" || stem == "tls_features")
                    continue; // fragments of a message, not log records
                std::string program = stem == "trivial_rewrite" ? "trivial-rewrite"
                                      : stem == "script"        ? "postfix-script"
                                                                : stem;
                out.push_back({name, i + 1, unescape_grok(cols[2]), program, true});
            }
        }
    }
    return out;
}

} // namespace pft::test
