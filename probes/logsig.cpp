// logsig.cpp - loads and checks signature YAML (file:line:col diagnostics), expands
// %{MACRO}s, and builds one RE2::Set per daemon so a line is tested only against
// the signatures of its program. It does not read logs or produce facts.
#include "probes/logsig.hpp"

#include <re2/re2.h>
#include <re2/set.h>
#include "rules/yaml_tree.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <optional>
#include <set>
#include <sstream>

namespace pft::probes {

namespace {

constexpr std::size_t kMaxSignatureFile = 4 * 1024 * 1024; // bytes per YAML file
constexpr std::int64_t kRe2MaxMem = 256 << 20;               // per compiled set

RE2::Options re2_options() {
    RE2::Options o;
    o.set_encoding(RE2::Options::EncodingLatin1); // log bytes are not always UTF-8
    o.set_log_errors(false);
    o.set_max_mem(kRe2MaxMem);
    return o;
}

re2::StringPiece piece(std::string_view s) { return re2::StringPiece(s.data(), s.size()); }

using YNode = rules::yaml::Node;

LoadError error_at(const std::string& file, const rules::yaml::Mark& m, std::string msg) {
    LoadError e;
    e.file = file;
    if (m.line >= 0) e.line = m.line + 1;
    if (m.column >= 0) e.column = m.column + 1;
    e.message = std::move(msg);
    return e;
}

bool is_daemon_name(const std::string& s) {
    if (s.empty() || s.size() > 64) return false;
    return std::all_of(s.begin(), s.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
    });
}

std::optional<SigSeverity> severity_from(const std::string& s) {
    if (s == "info") return SigSeverity::Info;
    if (s == "notice") return SigSeverity::Notice;
    if (s == "warning") return SigSeverity::Warning;
    if (s == "error") return SigSeverity::Error;
    if (s == "critical") return SigSeverity::Critical;
    return std::nullopt;
}

// The field names a template refers to ("{client_ip}" -> client_ip).
std::vector<std::string> template_fields(std::string_view t) {
    std::vector<std::string> out;
    for (std::size_t i = 0; i < t.size(); ++i) {
        if (t[i] != '{') continue;
        std::size_t j = t.find('}', i);
        if (j == std::string_view::npos) break;
        std::string_view inner = t.substr(i + 1, j - i - 1);
        out.emplace_back(inner.substr(0, inner.find('|')));
        i = j;
    }
    return out;
}

// The names of the named groups of a pattern RE2 has already parsed (so it is valid
// syntax), in order: "(?P<name>" and "(?<name>" outside character classes and escapes.
// Load uses it to check `fields` without compiling; check_examples() compares it with
// what the compiled RE2 reports for every pattern.
std::vector<std::string> scan_named_groups(std::string_view p) {
    std::vector<std::string> names;
    std::size_t i = 0, n = p.size();
    while (i < n) {
        char c = p[i];
        if (c == '\\') {
            if (i + 1 < n && p[i + 1] == 'Q') { // \Q...\E: literal text
                std::size_t e = p.find("\\E", i + 2);
                i = e == std::string_view::npos ? n : e + 2;
            } else {
                i += 2;
            }
        } else if (c == '[') { // a class: a leading ] (after an optional ^) is literal
            ++i;
            if (i < n && p[i] == '^') ++i;
            if (i < n && p[i] == ']') ++i;
            while (i < n && p[i] != ']') {
                if (p[i] == '\\') {
                    i += 2;
                } else if (p[i] == '[' && i + 1 < n && p[i + 1] == ':') { // [:alpha:]
                    std::size_t e = p.find(":]", i + 2);
                    i = e == std::string_view::npos ? i + 1 : e + 2;
                } else {
                    ++i;
                }
            }
            ++i;
        } else if (c == '(' && p.compare(i, 4, "(?P<") == 0) {
            std::size_t e = p.find('>', i + 4);
            if (e == std::string_view::npos) break;
            names.emplace_back(p.substr(i + 4, e - i - 4));
            i = e + 1;
        } else if (c == '(' && p.compare(i, 3, "(?<") == 0 && i + 3 < n && p[i + 3] != '=' && p[i + 3] != '!') {
            std::size_t e = p.find('>', i + 3);
            if (e == std::string_view::npos) break;
            names.emplace_back(p.substr(i + 3, e - i - 3));
            i = e + 1;
        } else {
            ++i;
        }
    }
    return names;
}

} // namespace

const char* sig_severity_name(SigSeverity s) {
    switch (s) {
    case SigSeverity::Info: return "info";
    case SigSeverity::Notice: return "notice";
    case SigSeverity::Warning: return "warning";
    case SigSeverity::Error: return "error";
    case SigSeverity::Critical: return "critical";
    }
    return "?";
}

std::string LoadError::to_string() const {
    std::string s = file;
    // Appended piece by piece: GCC 12 at -O3 reports a false -Wrestrict on ":" + std::string&&.
    if (line > 0) s.append(1, ':').append(std::to_string(line));
    if (column > 0) s.append(1, ':').append(std::to_string(column));
    return s.append(": ").append(message);
}

std::string_view SigMatch::field(std::string_view name) const {
    for (const auto& [k, v] : fields)
        if (k == name) return v;
    return {};
}

std::string expand_field_template(std::string_view t, const SigMatch& m) {
    std::string out;
    for (std::size_t i = 0; i < t.size(); ++i) {
        std::size_t j;
        if (t[i] != '{' || (j = t.find('}', i)) == std::string_view::npos) {
            out += t[i];
            continue;
        }
        std::string_view inner = t.substr(i + 1, j - i - 1);
        std::size_t bar = inner.find('|');
        std::string_view name = inner.substr(0, bar);
        std::string value(name == "_message" ? m.message : m.field(name));
        if (bar != std::string_view::npos && inner.substr(bar + 1) == "lower")
            for (auto& c : value)
                if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
        out += value;
        i = j;
    }
    return out;
}

// A signature's own RE2, compiled on first use: start-up only parses the pattern (with a
// set, which does not compile), since compiling ~300 patterns was most of its time and a
// log needs a few dozen of them. call_once: several scanner threads may extract at once.
struct SignatureSet::Compiled {
    std::once_flag once;
    std::unique_ptr<RE2> re;
    std::vector<std::pair<std::size_t, int>> groups; // (index in sig.fields, capture group number)
    int ncap = 0;
    bool ok = false;
};

// A daemon's set is compiled on first use (most logs name a dozen of the ~40
// programs); until then only its members are known. call_once makes that safe
// when several scanner threads match at once.
struct SignatureSet::Group {
    std::unique_ptr<RE2::Set> set;
    std::vector<int> global; // set index -> signature index
    bool ok = false;
    std::once_flag once;
};

SignatureSet::SignatureSet() = default;
SignatureSet::~SignatureSet() = default;

std::shared_ptr<SignatureSet> SignatureSet::load_directory(const std::string& dir) {
    namespace fs = std::filesystem;
    std::vector<std::pair<std::string, std::string>> docs;
    std::vector<LoadError> io_errors;
    std::error_code ec;
    std::vector<fs::path> files;
    for (fs::recursive_directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec))
        if (it->is_regular_file() && it->path().extension() == ".yaml") files.push_back(it->path());
    if (ec) io_errors.push_back({dir, 0, 0, "cannot read directory: " + ec.message()});
    std::sort(files.begin(), files.end());
    for (const auto& p : files) {
        std::ifstream in(p, std::ios::binary);
        std::string text;
        // Size the buffer from the file, not the limit: 4 MiB zeroed per file made
        // start-up slow and every command's peak memory 50 MB larger.
        std::error_code size_ec;
        auto size = fs::file_size(p, size_ec);
        text.resize(size_ec ? kMaxSignatureFile + 1 : std::min<std::size_t>(size, kMaxSignatureFile) + 1);
        in.read(text.data(), static_cast<std::streamsize>(text.size()));
        text.resize(static_cast<std::size_t>(in.gcount()));
        if (!in.eof() && text.size() > kMaxSignatureFile) {
            io_errors.push_back({p.string(), 0, 0, "file larger than 4 MiB, skipped"});
            continue;
        }
        docs.emplace_back(p.string(), std::move(text));
    }
    auto set = load_texts(docs);
    set->errors_.insert(set->errors_.begin(), io_errors.begin(), io_errors.end());
    return set;
}

std::shared_ptr<SignatureSet> SignatureSet::load_texts(const std::vector<std::pair<std::string, std::string>>& docs) {
    auto set = std::make_shared<SignatureSet>();
    // Each file is parsed once (libyaml, rules/yaml_tree: yaml-cpp's scanner was most of
    // the load time) and read twice: macros first, then the signatures that use them.
    std::vector<rules::yaml::Stream> streams(docs.size());
    std::vector<char> parsed(docs.size(), 0);
    std::vector<rules::yaml::Stream::Error> yerr(docs.size());
    for (std::size_t i = 0; i < docs.size(); ++i) parsed[i] = streams[i].parse(docs[i].second, &yerr[i]);
    for (std::size_t i = 0; i < docs.size(); ++i)
        if (!parsed[i]) set->errors_.push_back(error_at(docs[i].first, yerr[i].mark, "YAML: " + yerr[i].message));
    for (int pass = 0; pass < 2; ++pass)
        for (std::size_t i = 0; i < docs.size(); ++i)
            if (parsed[i] && !streams[i].documents().empty())
                set->parse_document(docs[i].first, streams[i].documents().front(), pass == 0);
    set->compile();
    return set;
}

void SignatureSet::parse_document(const std::string& file, const YNode& root, bool macros_pass) {
    if (!root.IsDefined() || root.IsNull()) return;
    if (!root.IsMap()) {
        if (!macros_pass) errors_.push_back(error_at(file, root.mark(), "expected a mapping with 'signatures:'"));
        return;
    }
    auto err = [&](const YNode& n, std::string msg) { errors_.push_back(error_at(file, n.mark(), std::move(msg))); };
    auto scalar = [&](const YNode& n, const char* what, std::string& out) {
        if (!n.IsScalar()) {
            err(n, std::string(what) + " must be a string");
            return false;
        }
        out = n.Scalar();
        return true;
    };

    for (const auto& kv : root.entries()) {
        const std::string key = kv.first.IsScalar() ? kv.first.Scalar() : "";
        const YNode& val = kv.second;
        if (key == "macros") {
            if (!macros_pass) continue;
            if (!val.IsMap()) {
                err(val, "macros: expected a mapping NAME: regex");
                continue;
            }
            for (const auto& m : val.entries()) {
                std::string name = m.first.Scalar(), body;
                if (!m.second.IsScalar()) {
                    err(m.second, "macro " + name + ": expected a string");
                    continue;
                }
                body = m.second.Scalar();
                if (macros_.count(name))
                    err(m.first, "macro " + name + " defined twice");
                else
                    macros_.emplace(name, body);
            }
            continue;
        }
        if (macros_pass) continue;
        if (key != "signatures") {
            err(kv.first, "unknown top-level key '" + key + "' (expected signatures or macros)");
            continue;
        }
        if (!val.IsSequence()) {
            err(val, "signatures: expected a list");
            continue;
        }
        for (const auto& e : val.items()) {
            if (!e.IsMap()) {
                err(e, "signature: expected a mapping");
                continue;
            }
            Signature s;
            s.file = file;
            s.line = e.mark().line + 1;
            bool ok = true;
            YNode pattern_node, fields_node, examples_node;
            for (const auto& f : e.entries()) {
                const std::string k = f.first.Scalar();
                const YNode& v = f.second;
                if (k == "id") {
                    ok &= scalar(v, "id", s.id);
                } else if (k == "daemon") {
                    if (v.IsScalar()) {
                        s.daemons.push_back(v.Scalar());
                    } else if (v.IsSequence()) {
                        for (const auto& d : v.items())
                            if (d.IsScalar()) s.daemons.push_back(d.Scalar());
                    }
                    if (s.daemons.empty()) {
                        err(v, "daemon must be a program name or a list of them");
                        ok = false;
                    }
                    for (const auto& d : s.daemons)
                        if (!is_daemon_name(d)) {
                            err(v, "daemon '" + d + "' is not a program name (smtp, smtpd, qmgr, any, ...)");
                            ok = false;
                        }
                } else if (k == "pattern") {
                    pattern_node = v;
                    ok &= scalar(v, "pattern", s.pattern);
                } else if (k == "fields") {
                    fields_node = v;
                    if (!v.IsSequence()) {
                        err(v, "fields must be a list of group names");
                        ok = false;
                    } else {
                        for (const auto& x : v.items()) s.fields.push_back(x.IsScalar() ? x.Scalar() : "");
                    }
                } else if (k == "severity") {
                    std::string sv;
                    if (scalar(v, "severity", sv)) {
                        if (auto sev = severity_from(sv))
                            s.severity = *sev;
                        else {
                            err(v, "severity '" + sv + "' is not one of info, notice, warning, error, critical");
                            ok = false;
                        }
                    } else {
                        ok = false;
                    }
                } else if (k == "meaning") {
                    ok &= scalar(v, "meaning", s.meaning);
                } else if (k == "informational") {
                    ok &= scalar(v, "informational", s.informational);
                    if (ok && s.informational.find_first_not_of(" \t") == std::string::npos) {
                        err(v, "informational: give the reason no rule needs this signature");
                        ok = false;
                    }
                } else if (k == "examples") {
                    examples_node = v;
                } else if (k == "facts") {
                    if (!v.IsSequence()) {
                        err(v, "facts must be a list");
                        ok = false;
                        continue;
                    }
                    for (const auto& fn : v.items()) {
                        SignatureFact sf;
                        if (!fn.IsMap() || !fn["name"].IsScalar()) {
                            err(fn, "fact: expected {name: ..., subject: ..., count: true | value: ...}");
                            ok = false;
                            continue;
                        }
                        sf.name = fn["name"].Scalar();
                        if (fn["subject"].IsDefined()) sf.subject = fn["subject"].Scalar();
                        if (fn["count"].IsScalar() && fn["count"].Scalar() == "true") {
                            sf.kind = SignatureFact::Kind::Count;
                        } else if (fn["value"].IsDefined()) {
                            sf.kind = SignatureFact::Kind::Last;
                            sf.value = fn["value"].Scalar();
                        }
                        for (const auto& fk : fn.entries()) {
                            const std::string kk = fk.first.Scalar();
                            if (kk != "name" && kk != "subject" && kk != "count" && kk != "value") {
                                err(fk.first, "fact: unknown key '" + kk + "'");
                                ok = false;
                            }
                        }
                        s.facts.push_back(std::move(sf));
                    }
                } else {
                    err(f.first, "unknown key '" + k + "' in signature");
                    ok = false;
                }
            }
            if (s.id.empty()) {
                err(e, "signature without id");
                continue;
            }
            if (s.daemons.empty() && ok) {
                err(e, "signature " + s.id + ": daemon is missing");
                ok = false;
            }
            if (s.pattern.empty() && ok) {
                err(e, "signature " + s.id + ": pattern is missing");
                ok = false;
            }
            if (s.meaning.empty() && ok) {
                err(e, "signature " + s.id + ": meaning is missing");
                ok = false;
            }
            if (!e["severity"].IsDefined() && ok) {
                err(e, "signature " + s.id + ": severity is missing");
                ok = false;
            }
            if (auto prev = id_places_.find(s.id); prev != id_places_.end()) {
                err(e["id"], "signature " + s.id + " is already defined at " + prev->second);
                continue;
            }
            id_places_.emplace(s.id, file + ":" + std::to_string(s.line));
            if (!ok) continue;

            // Macros, then the regex itself.
            std::string expanded = s.pattern;
            bool macro_ok = true;
            for (int depth = 0; depth < 4 && expanded.find("%{") != std::string::npos; ++depth) {
                std::string next;
                for (std::size_t i = 0; i < expanded.size(); ++i) {
                    std::size_t j;
                    if (expanded.compare(i, 2, "%{") == 0 && (j = expanded.find('}', i)) != std::string::npos) {
                        std::string name = expanded.substr(i + 2, j - i - 2);
                        auto it = macros_.find(name);
                        if (it == macros_.end()) {
                            err(pattern_node, "signature " + s.id + ": unknown macro %{" + name + "}");
                            macro_ok = false;
                            break;
                        }
                        next += it->second;
                        i = j;
                    } else {
                        next += expanded[i];
                    }
                }
                if (!macro_ok) break;
                expanded = std::move(next);
            }
            if (!macro_ok) continue;
            s.pattern = expanded;

            // Syntax: RE2 parses the pattern (a set's Add parses without compiling).
            {
                RE2::Set syntax(re2_options(), RE2::UNANCHORED);
                std::string error;
                if (syntax.Add(piece(s.pattern), &error) < 0) {
                    err(pattern_node, "signature " + s.id + ": pattern does not compile: " + error);
                    continue;
                }
            }
            const auto named = scan_named_groups(s.pattern);
            std::set<std::string> listed(s.fields.begin(), s.fields.end());
            bool fields_ok = true;
            for (const auto& name : named)
                if (!listed.count(name)) {
                    err(fields_node.IsDefined() ? fields_node : pattern_node,
                        "signature " + s.id + ": group (?P<" + name + ">...) is not listed in fields");
                    fields_ok = false;
                }
            for (const auto& f : s.fields)
                if (std::find(named.begin(), named.end(), f) == named.end()) {
                    err(fields_node, "signature " + s.id + ": field '" + f + "' is not a named group of the pattern");
                    fields_ok = false;
                }
            for (const auto& sf : s.facts)
                for (const auto& f : template_fields(sf.subject + sf.value))
                    if (f != "_message" && !listed.count(f)) {
                        err(e["facts"], "signature " + s.id + ": fact " + sf.name + " uses unknown field {" + f + "}");
                        fields_ok = false;
                    }
            if (!fields_ok) continue;
            if (examples_node.IsDefined()) {
                bool ex_ok = true;
                if (!examples_node.IsSequence()) {
                    err(examples_node, "signature " + s.id + ": examples must be a list of log messages");
                    ex_ok = false;
                } else {
                    for (const auto& ex : examples_node.items()) {
                        if (!ex.IsScalar()) {
                            err(ex, "signature " + s.id + ": an example must be a string (a log message)");
                            ex_ok = false;
                            continue;
                        }
                        auto m = ex.mark();
                        s.examples.push_back({ex.Scalar(), m.line + 1, m.column + 1});
                    }
                }
                if (!ex_ok) continue;
            }
            auto c = std::make_unique<Compiled>();
            sigs_.push_back(std::move(s));
            compiled_.push_back(std::move(c));
        }
    }
}

const SignatureSet::Compiled& SignatureSet::compiled(std::size_t index) const {
    Compiled& c = *compiled_[index];
    std::call_once(c.once, [&] {
        const Signature& s = sigs_[index];
        c.re = std::make_unique<RE2>(s.pattern, re2_options());
        if (!c.re->ok()) return; // parsed at load; only RE2's memory limit can refuse it now
        const auto& named = c.re->NamedCapturingGroups();
        for (std::size_t i = 0; i < s.fields.size(); ++i)
            if (auto it = named.find(s.fields[i]); it != named.end()) c.groups.emplace_back(i, it->second);
        c.ncap = c.re->NumberOfCapturingGroups();
        c.ok = true;
    });
    return c;
}

std::vector<LoadError> SignatureSet::check_examples() const {
    std::vector<LoadError> out;
    auto at = [&](const Signature& s, int line, int column, std::string msg) {
        LoadError e;
        e.file = s.file;
        e.line = line;
        e.column = column;
        e.message = "signature " + s.id + ": " + std::move(msg);
        out.push_back(std::move(e));
    };
    for (std::size_t i = 0; i < sigs_.size(); ++i) {
        const Signature& s = sigs_[i];
        const Compiled& c = compiled(i);
        if (!c.ok) {
            at(s, s.line, 0, "pattern does not compile: " + (c.re ? c.re->error() : std::string("?")));
            continue;
        }
        std::vector<std::string> scanned = scan_named_groups(s.pattern), real;
        for (const auto& [name, idx] : c.re->NamedCapturingGroups()) real.push_back(name);
        std::sort(scanned.begin(), scanned.end());
        if (scanned != real) at(s, s.line, 0, "RE2 reports other named groups than the load-time scan found");
        for (const auto& ex : s.examples)
            if (!RE2::PartialMatch(piece(ex.text), *c.re)) at(s, ex.line, ex.column, "example does not match the pattern");
    }
    return out;
}

void SignatureSet::compile() {
    std::set<std::string> daemons;
    for (const auto& s : sigs_)
        for (const auto& d : s.daemons)
            if (d != "any") daemons.insert(d);
    auto build = [&](const std::string& daemon) {
        auto g = std::make_unique<Group>();
        for (std::size_t i = 0; i < sigs_.size(); ++i) {
            const auto& ds = sigs_[i].daemons;
            bool wanted = daemon == "*" || std::find(ds.begin(), ds.end(), "any") != ds.end() ||
                          (!daemon.empty() && std::find(ds.begin(), ds.end(), daemon) != ds.end());
            if (wanted) g->global.push_back(static_cast<int>(i)); // each pattern parsed alone above
        }
        return g;
    };
    groups_.push_back(build(""));
    all_group_ = groups_.size();
    groups_.push_back(build("*"));
    for (const auto& d : daemons) {
        group_index_.emplace(d, groups_.size());
        groups_.push_back(build(d));
    }
}

const Signature* SignatureSet::find(std::string_view id) const {
    for (const auto& s : sigs_)
        if (s.id == id) return &s;
    return nullptr;
}

const SignatureSet::Group& SignatureSet::group_for(std::string_view program) const {
    if (program.empty()) return *groups_[all_group_];
    if (auto slash = program.rfind('/'); slash != std::string_view::npos) program.remove_prefix(slash + 1);
    auto it = group_index_.find(program);
    return *groups_[it == group_index_.end() ? 0 : it->second];
}

void SignatureSet::ensure_compiled(const Group& cg) const {
    Group& g = const_cast<Group&>(cg);
    std::call_once(g.once, [&] {
        g.set = std::make_unique<RE2::Set>(re2_options(), RE2::UNANCHORED);
        std::vector<int> added;
        std::string error;
        for (int i : g.global)
            if (g.set->Add(piece(sigs_[static_cast<std::size_t>(i)].pattern), &error) >= 0) added.push_back(i);
        // A pattern the set refuses (none do: each parsed alone at load) would shift
        // the indices; then the one-by-one fallback below is used instead.
        g.ok = added.size() == g.global.size() && (g.global.empty() || g.set->Compile());
    });
}

void SignatureSet::match_indices(std::string_view program, std::string_view message, std::vector<int>& out) const {
    out.clear();
    if (groups_.empty()) return;
    const Group& g = group_for(program);
    if (g.global.empty()) return;
    ensure_compiled(g);
    RE2::Set::ErrorInfo info{RE2::Set::kNoError};
    if (g.ok && g.set->Match(piece(message), &out, &info)) {
        for (auto& i : out) i = g.global[static_cast<std::size_t>(i)];
        std::sort(out.begin(), out.end());
        return;
    }
    if (info.kind == RE2::Set::kNoError && g.ok) return; // no match
    // The DFA ran out of memory (or the set did not compile): fall back to one by one.
    out.clear();
    for (int i : g.global)
        if (const Compiled& c = compiled(static_cast<std::size_t>(i)); c.ok && RE2::PartialMatch(piece(message), *c.re))
            out.push_back(i);
}

void SignatureSet::match_indices_each(std::string_view program, std::string_view message, std::vector<int>& out) const {
    out.clear();
    if (groups_.empty()) return;
    for (int i : group_for(program).global)
        if (const Compiled& c = compiled(static_cast<std::size_t>(i)); c.ok && RE2::PartialMatch(piece(message), *c.re))
            out.push_back(i);
}

bool SignatureSet::extract(std::size_t index, std::string_view message, SigMatch& m) const {
    if (index >= sigs_.size()) return false;
    const Compiled& c = compiled(index);
    if (!c.ok) return false;
    std::vector<re2::StringPiece> sub(static_cast<std::size_t>(c.ncap) + 1);
    if (!c.re->Match(piece(message), 0, message.size(), RE2::UNANCHORED, sub.data(), static_cast<int>(sub.size())))
        return false;
    m.index = index;
    m.sig = &sigs_[index];
    m.message = message;
    m.fields.clear();
    for (const auto& [fi, g] : c.groups) {
        const auto& sp = sub[static_cast<std::size_t>(g)];
        if (sp.data() == nullptr) continue;
        m.fields.emplace_back(sigs_[index].fields[fi], std::string_view(sp.data(), sp.size()));
    }
    return true;
}

std::vector<SigMatch> SignatureSet::match(std::string_view program, std::string_view message) const {
    std::vector<int> idx;
    match_indices(program, message, idx);
    std::vector<SigMatch> out;
    out.reserve(idx.size());
    for (int i : idx) {
        SigMatch m;
        if (extract(static_cast<std::size_t>(i), message, m)) out.push_back(std::move(m));
    }
    return out;
}

} // namespace pft::probes
