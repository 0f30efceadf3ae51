// symptom_match.cpp - scoring a phrase against each symptom's id, aliases,
// keywords (by stem, tolerating small typos) and error-text patterns.
#include "cli/symptom_match.hpp"

#include <re2/re2.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <set>

namespace pft::cli {

namespace {

std::string lower(std::string s) {
    for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

std::vector<std::string> words_of(const std::string& s) {
    std::vector<std::string> out;
    std::string cur;
    for (char ch : s) {
        unsigned char c = static_cast<unsigned char>(ch);
        if (std::isalnum(c)) {
            cur += static_cast<char>(std::tolower(c));
        } else if (!cur.empty()) {
            out.push_back(cur);
            cur.clear();
        }
    }
    if (!cur.empty()) out.push_back(cur);
    return out;
}

const std::set<std::string>& stop_words() {
    static const std::set<std::string> s = {"the", "a", "an", "is", "are", "be", "being", "been", "to", "of", "in", "on",
                                            "my", "our", "we", "i", "it", "its", "for", "from", "and", "or", "with",
                                            "at", "by", "this", "that", "there", "some", "any", "all", "get", "gets",
                                            "got", "keep", "keeps", "still", "very", "can", "me", "us", "they", "them",
                                            "their", "users", "user", "our", "server", "postfix", "email", "emails",
                                            "mail", "mails", "message", "messages", "please", "help", "issue", "problem"};
    return s;
}

bool fuzzy_equal(const std::string& a, const std::string& b) {
    if (a == b) return true;
    std::size_t n = std::max(a.size(), b.size());
    if (n <= 3) return false;
    int allowed = n <= 5 ? 1 : 2;
    if (std::abs(static_cast<int>(a.size()) - static_cast<int>(b.size())) > allowed) return false;
    return edit_distance(a, b) <= allowed;
}

std::string normalize_phrase(const std::string& s) {
    std::string out;
    for (const auto& w : words_of(s)) out += (out.empty() ? "" : " ") + w;
    return out;
}

} // namespace

std::string stem_word(const std::string& w0) {
    std::string w = lower(w0);
    auto ends = [&](const char* suf) {
        std::size_t n = std::char_traits<char>::length(suf);
        return w.size() > n + 2 && w.compare(w.size() - n, n, suf) == 0;
    };
    static const char* suffixes[] = {"ations", "ation", "ments", "ment", "ingly", "ings", "ing", "edly", "ies", "ied",
                                     "ers", "er", "ed", "es", "ly", "s"};
    for (const char* s : suffixes) {
        if (ends(s)) {
            std::string sfx = s;
            // "-es" is a suffix only after s, x, z, ch, sh ("boxes"); "queues" loses just "s".
            if (sfx == "es") {
                char p = w[w.size() - 3];
                bool sibilant = p == 's' || p == 'x' || p == 'z' || ((p == 'h') && w.size() > 3 &&
                                                                      (w[w.size() - 4] == 'c' || w[w.size() - 4] == 's'));
                if (!sibilant) sfx = "s";
            }
            w.resize(w.size() - sfx.size());
            if (sfx == "ies" || sfx == "ied") w += "y";
            break;
        }
    }
    // "stuck"/"sticking" and doubled consonants: "stopped" -> "stopp" -> "stop"
    if (w.size() > 3 && w[w.size() - 1] == w[w.size() - 2] && !std::strchr("aeiouls", w.back())) w.pop_back();
    return w;
}

int edit_distance(const std::string& a, const std::string& b) {
    const std::size_t n = a.size(), m = b.size();
    std::vector<std::vector<int>> d(n + 1, std::vector<int>(m + 1));
    for (std::size_t i = 0; i <= n; ++i) d[i][0] = static_cast<int>(i);
    for (std::size_t j = 0; j <= m; ++j) d[0][j] = static_cast<int>(j);
    for (std::size_t i = 1; i <= n; ++i)
        for (std::size_t j = 1; j <= m; ++j) {
            int cost = a[i - 1] == b[j - 1] ? 0 : 1;
            d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
        }
    return d[n][m];
}

SymptomMatch match_symptom(const std::string& input, const rules::KnowledgeBase& kb) {
    SymptomMatch res;
    res.input = input;
    std::string norm = normalize_phrase(input);
    std::vector<std::string> in_words;
    for (const auto& w : words_of(input))
        if (!stop_words().count(w)) in_words.push_back(w);

    for (const auto& s : kb.symptoms) {
        SymptomCandidate c;
        c.id = s.id;
        // 1. the id itself
        if (norm == normalize_phrase(s.id) || lower(input) == s.id) {
            c.score = 1.0;
            c.how = "exact id";
        }
        // 2. pasted error text
        if (c.score < 0.95) {
            for (const auto& pat : s.errors) {
                re2::RE2::Options o;
                o.set_log_errors(false);
                o.set_case_sensitive(false);
                re2::RE2 re(pat, o);
                if (re.ok() && re2::RE2::PartialMatch(input, re)) {
                    c.score = 0.95;
                    c.how = "error text matches /" + pat + "/";
                    break;
                }
            }
        }
        // 3. aliases: whole phrase, or contained
        if (c.score < 0.9) {
            for (const auto& a : s.aliases) {
                std::string na = normalize_phrase(a);
                if (na.empty()) continue;
                if (na == norm) {
                    c.score = 0.95;
                    c.how = "alias \"" + a + "\"";
                    break;
                }
                bool contained = (" " + norm + " ").find(" " + na + " ") != std::string::npos;
                if (contained && c.score < 0.85) {
                    c.score = 0.85;
                    c.how = "contains alias \"" + a + "\"";
                }
            }
        }
        // 4. words by stem, tolerant of typos, against keywords and alias words
        if (c.score < 0.85 && !in_words.empty()) {
            std::vector<std::string> vocab;
            for (const auto& k : s.keywords) vocab.push_back(stem_word(k));
            for (const auto& a : s.aliases)
                for (const auto& w : words_of(a))
                    if (!stop_words().count(w)) vocab.push_back(stem_word(w));
            for (const auto& w : words_of(s.id)) vocab.push_back(stem_word(w));
            std::sort(vocab.begin(), vocab.end());
            vocab.erase(std::unique(vocab.begin(), vocab.end()), vocab.end());
            std::vector<std::string> hits;
            for (const auto& w : in_words) {
                std::string st = stem_word(w);
                bool hit = std::any_of(vocab.begin(), vocab.end(), [&](const std::string& v) {
                    return fuzzy_equal(st, v) || (st.size() >= 4 && v.size() >= 4 && (st.rfind(v, 0) == 0 || v.rfind(st, 0) == 0));
                });
                if (hit) hits.push_back(w);
            }
            if (!hits.empty()) {
                double frac = static_cast<double>(hits.size()) / static_cast<double>(in_words.size());
                // Two or more matching words are strong evidence even in a long sentence.
                double sc = std::min(0.8, 0.3 + 0.5 * frac + (hits.size() >= 2 ? 0.15 : 0.0));
                if (sc > c.score) {
                    c.score = sc;
                    c.how = "words:";
                    for (std::size_t i = 0; i < hits.size(); ++i) c.how += (i ? ", " : " ") + hits[i];
                }
            }
        }
        res.ranked.push_back(std::move(c));
    }
    std::stable_sort(res.ranked.begin(), res.ranked.end(),
                     [](const SymptomCandidate& a, const SymptomCandidate& b) { return a.score > b.score; });
    if (!res.ranked.empty()) {
        const auto& best = res.ranked.front();
        double second = res.ranked.size() > 1 ? res.ranked[1].score : 0.0;
        // A tie between two symptoms on word evidence alone is not a match.
        double conf = best.score;
        if (best.score < 0.9 && second > 0 && best.score - second < 0.1) conf = best.score * 0.8;
        if (conf >= kSymptomThreshold) {
            res.id = best.id;
            res.confidence = conf;
            res.how = best.how;
        }
    }
    return res;
}

} // namespace pft::cli
