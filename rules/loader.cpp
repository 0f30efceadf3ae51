// loader.cpp - reading the knowledge base YAML (libyaml, through rules/yaml_tree), checking
// its schema, and compiling rule expressions into the engine's form.
#include "rules/loader.hpp"

#include "engine/stratify.hpp"
#include "rules/expr_parser.hpp"
#include "rules/yaml_tree.hpp"

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>

namespace fs = std::filesystem;

namespace pft::rules {

namespace {

constexpr std::size_t kMaxFileBytes = 8u << 20;

Location at(const std::string& file, const yaml::Node& n) {
    Location l;
    l.file = file;
    if (n.IsDefined()) {
        yaml::Mark m = n.mark();
        if (m.line >= 0) {
            l.line = m.line + 1;
            l.column = m.column + 1;
        }
    }
    return l;
}

// The location where a scalar's text starts (quoted and block scalars start later).
Location scalar_start(const std::string& file, const yaml::Node& n) {
    Location l = at(file, n);
    return l;
}

class Reader {
public:
    Reader(std::string file, Diagnostics& d) : file_(std::move(file)), d_(d) {}

    bool check_map(const yaml::Node& n, const char* what) {
        if (!n.IsMap()) {
            d_.error(at(file_, n), std::string(what) + " must be a mapping");
            return false;
        }
        return true;
    }
    void check_keys(const yaml::Node& n, std::initializer_list<const char*> allowed, const char* what) {
        for (const auto& [key, value] : n.entries()) {
            std::string k = key.IsScalar() ? key.Scalar() : "?";
            bool ok = false;
            for (const char* a : allowed)
                if (k == a) ok = true;
            if (!ok) {
                std::string list;
                for (const char* a : allowed) list += std::string(list.empty() ? "" : ", ") + a;
                d_.error(at(file_, key), "unknown key '" + k + "' in " + what + " (allowed: " + list + ")");
            }
        }
    }
    std::string str(const yaml::Node& n, const char* key, bool required, const char* what) {
        yaml::Node v = n[key];
        if (!v.IsDefined() || v.IsNull()) {
            if (required) d_.error(at(file_, n), std::string(what) + " needs '" + key + "'");
            return {};
        }
        if (!v.IsScalar()) {
            d_.error(at(file_, v), std::string("'") + key + "' must be a string");
            return {};
        }
        return v.Scalar();
    }
    std::vector<std::string> list(const yaml::Node& n, const char* key) {
        std::vector<std::string> out;
        yaml::Node v = n[key];
        if (!v.IsDefined() || v.IsNull()) return out;
        if (v.IsScalar()) {
            out.push_back(v.Scalar());
            return out;
        }
        if (!v.IsSequence()) {
            d_.error(at(file_, v), std::string("'") + key + "' must be a list of strings");
            return out;
        }
        for (const auto& e : v.items()) {
            if (!e.IsScalar()) {
                d_.error(at(file_, e), std::string("items of '") + key + "' must be strings");
                continue;
            }
            out.push_back(e.Scalar());
        }
        return out;
    }
    std::optional<double> number(const yaml::Node& n, const char* key) {
        yaml::Node v = n[key];
        if (!v.IsDefined() || v.IsNull()) return std::nullopt;
        std::optional<double> x = v.IsScalar() ? yaml::to_double(v.Scalar()) : std::nullopt;
        if (!x) d_.error(at(file_, v), std::string("'") + key + "' must be a number");
        return x;
    }
    const std::string& file() const { return file_; }
    Diagnostics& diags() { return d_; }

private:
    std::string file_;
    Diagnostics& d_;
};

// Up to the first four whitespace-separated words (as `istream >> w` splits them).
std::vector<std::string> split_words(const std::string& s) {
    std::vector<std::string> out;
    std::size_t i = 0;
    while (i < s.size() && out.size() < 4) {
        while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
        std::size_t st = i;
        while (i < s.size() && !std::isspace(static_cast<unsigned char>(s[i]))) ++i;
        if (i > st) out.emplace_back(s, st, i - st);
    }
    return out;
}

bool valid_id(const std::string& id) {
    if (id.empty()) return false;
    for (char c : id)
        if (!(std::islower(static_cast<unsigned char>(c)) || std::isdigit(static_cast<unsigned char>(c)) || c == '-' ||
              c == '_' || c == '.'))
            return false;
    return true;
}

void load_symptoms(Reader& r, const yaml::Node& seq, KnowledgeBase& kb) {
    if (!seq.IsSequence()) {
        r.diags().error(at(r.file(), seq), "'symptoms' must be a list");
        return;
    }
    for (const auto& n : seq.items()) {
        if (!r.check_map(n, "a symptom")) continue;
        r.check_keys(n, {"id", "title", "aliases", "keywords", "errors"}, "a symptom");
        SymptomDef s;
        s.loc = at(r.file(), n);
        s.id = r.str(n, "id", true, "a symptom");
        s.title = r.str(n, "title", true, "a symptom");
        s.aliases = r.list(n, "aliases");
        s.keywords = r.list(n, "keywords");
        s.errors = r.list(n, "errors");
        if (!s.id.empty() && !valid_id(s.id)) r.diags().error(s.loc, "symptom id '" + s.id + "' must be lower-case words joined by '-'");
        kb.symptoms.push_back(std::move(s));
    }
}

std::optional<Risk> risk_from(const std::string& s) {
    if (s == "safe") return Risk::Safe;
    if (s == "disruptive") return Risk::Disruptive;
    if (s == "destructive") return Risk::Destructive;
    return std::nullopt;
}

void load_causes(Reader& r, const yaml::Node& seq, KnowledgeBase& kb) {
    if (!seq.IsSequence()) {
        r.diags().error(at(r.file(), seq), "'causes' must be a list");
        return;
    }
    for (const auto& n : seq.items()) {
        if (!r.check_map(n, "a cause")) continue;
        r.check_keys(n, {"id", "title", "severity", "symptoms", "explain", "doc", "plan"}, "a cause");
        CauseDef c;
        c.loc = at(r.file(), n);
        c.id = r.str(n, "id", true, "a cause");
        c.title = r.str(n, "title", true, "a cause");
        std::string sev = r.str(n, "severity", true, "a cause");
        if (sev == "critical") c.severity = Severity3::Critical;
        else if (sev == "warning") c.severity = Severity3::Warning;
        else if (sev == "info") c.severity = Severity3::Info;
        else if (!sev.empty()) r.diags().error(at(r.file(), n["severity"]), "severity must be critical, warning or info, not '" + sev + "'");
        c.symptoms = r.list(n, "symptoms");
        c.explain = r.str(n, "explain", true, "a cause");
        c.doc = r.str(n, "doc", false, "a cause");
        if (!c.id.empty() && !valid_id(c.id)) r.diags().error(c.loc, "cause id '" + c.id + "' must be lower-case words joined by '-'");
        yaml::Node plan = n["plan"];
        if (plan.IsDefined() && !plan.IsNull()) {
            if (!plan.IsSequence()) {
                r.diags().error(at(r.file(), plan), "'plan' must be a list of steps");
            } else {
                for (const auto& s : plan.items()) {
                    if (!r.check_map(s, "a plan step")) continue;
                    r.check_keys(s, {"kind", "run", "risk", "why"}, "a plan step");
                    PlanStep st;
                    st.loc = at(r.file(), s);
                    std::string kind = r.str(s, "kind", true, "a plan step");
                    if (kind == "check") st.kind = StepKind::Check;
                    else if (kind == "fix") st.kind = StepKind::Fix;
                    else if (kind == "verify") st.kind = StepKind::Verify;
                    else if (!kind.empty()) r.diags().error(at(r.file(), s["kind"]), "step kind must be check, fix or verify, not '" + kind + "'");
                    st.run = r.str(s, "run", true, "a plan step");
                    std::string risk = r.str(s, "risk", true, "a plan step");
                    if (auto rk = risk_from(risk)) st.risk = *rk;
                    else if (!risk.empty()) r.diags().error(at(r.file(), s["risk"]), "risk must be safe, disruptive or destructive, not '" + risk + "'");
                    st.why = r.str(s, "why", true, "a plan step");
                    if (!st.run.empty()) st.words = parse_command(st.run, at(r.file(), s["run"]), r.diags());
                    c.plan.push_back(std::move(st));
                }
            }
        }
        kb.causes.push_back(std::move(c));
    }
}

void load_rules(Reader& r, const yaml::Node& seq, KnowledgeBase& kb) {
    if (!seq.IsSequence()) {
        r.diags().error(at(r.file(), seq), "'rules' must be a list");
        return;
    }
    for (const auto& n : seq.items()) {
        if (!r.check_map(n, "a rule")) continue;
        r.check_keys(n, {"id", "for", "when", "conclude", "assert", "cf", "salience", "because"}, "a rule");
        RuleDef d;
        d.loc = at(r.file(), n);
        d.id = r.str(n, "id", true, "a rule");
        std::string f = r.str(n, "for", false, "a rule");
        if (!f.empty()) {
            d.for_loc = at(r.file(), n["for"]);
            auto words = split_words(f);
            words.resize(std::max<std::size_t>(words.size(), 4));
            const std::string &var = words[0], &in = words[1], &fact = words[2];
            bool extra = !words[3].empty();
            if (in != "in" || fact.empty() || extra || fact.find('.') == std::string::npos ||
                var.find('.') != std::string::npos)
                r.diags().error(d.for_loc, "'for' must read 'VAR in fact.name', not '" + f + "'");
            d.for_var = var;
            d.for_fact = fact;
        }
        if (n["when"].IsDefined() && !n["when"].IsNull()) {
            d.when = r.str(n, "when", false, "a rule");
            d.when_loc = scalar_start(r.file(), n["when"]);
        }
        d.conclude = r.str(n, "conclude", false, "a rule");
        yaml::Node as = n["assert"];
        if (as.IsDefined() && !as.IsNull()) {
            d.assert_loc = at(r.file(), as);
            if (r.check_map(as, "'assert'")) {
                r.check_keys(as, {"fact", "subject", "value"}, "'assert'");
                d.assert_fact = r.str(as, "fact", true, "'assert'");
                d.assert_subject = r.str(as, "subject", false, "'assert'");
                d.assert_value = r.str(as, "value", false, "'assert'");
            }
        }
        bool has_conclude = !d.conclude.empty(), has_assert = as.IsDefined() && !as.IsNull();
        if (has_conclude == has_assert)
            r.diags().error(d.loc, "rule '" + d.id + "' needs exactly one of 'conclude' or 'assert'");
        if (auto cf = r.number(n, "cf")) {
            d.cf = *cf;
            if (d.cf < -1 || d.cf > 1) r.diags().error(at(r.file(), n["cf"]), "cf must be between -1 and 1");
            if (!d.assert_fact.empty() && d.cf <= 0) r.diags().error(at(r.file(), n["cf"]), "a rule that asserts a fact needs a positive cf");
        }
        if (auto s = r.number(n, "salience")) d.salience = static_cast<int>(*s);
        d.because = r.str(n, "because", false, "a rule");
        kb.rules.push_back(std::move(d));
    }
}

std::optional<engine::Value> yaml_value(const yaml::Node& v) {
    if (v.IsSequence()) {
        engine::StringList l;
        for (const auto& e : v.items())
            if (e.IsScalar()) l.push_back(e.Scalar());
        return engine::Value(std::move(l));
    }
    if (!v.IsScalar()) return std::nullopt;
    const std::string& s = v.Scalar();
    if (v.Tag() == "!" ) return engine::Value(s); // quoted: always a string
    if (s == "true" || s == "yes") return engine::Value(true);
    if (s == "false" || s == "no") return engine::Value(false);
    if (auto u = parse_unit_literal(s)) return u;
    if (auto t = engine::parse_rfc3339(s)) return engine::Value(*t);
    return engine::Value(s);
}

void load_questions(Reader& r, const yaml::Node& seq, KnowledgeBase& kb) {
    if (!seq.IsSequence()) {
        r.diags().error(at(r.file(), seq), "'questions' must be a list");
        return;
    }
    for (const auto& n : seq.items()) {
        if (!r.check_map(n, "a question")) continue;
        r.check_keys(n, {"id", "text", "help", "for", "answers"}, "a question");
        QuestionDef q;
        q.loc = at(r.file(), n);
        q.id = r.str(n, "id", true, "a question");
        q.text = r.str(n, "text", true, "a question");
        q.help = r.str(n, "help", false, "a question");
        q.causes = r.list(n, "for");
        yaml::Node ans = n["answers"];
        if (!ans.IsDefined() || !ans.IsMap()) {
            r.diags().error(q.loc, "question '" + q.id + "' needs 'answers' (a mapping: answer -> {fact, value})");
        } else {
            for (const auto& [ak, v] : ans.entries()) {
                AnswerDef a;
                a.answer = ak.Scalar();
                if (!r.check_map(v, "an answer")) continue;
                r.check_keys(v, {"fact", "subject", "value", "label"}, "an answer");
                a.fact = r.str(v, "fact", true, "an answer");
                a.subject = r.str(v, "subject", false, "an answer");
                a.label = r.str(v, "label", false, "an answer");
                if (v["value"].IsDefined()) a.value = yaml_value(v["value"]);
                else a.value = engine::Value(true);
                if (!a.fact.empty() && a.fact.rfind("user.", 0) != 0)
                    r.diags().error(at(r.file(), v["fact"]), "answer facts must be under 'user.' (got '" + a.fact + "')");
                q.answers.push_back(std::move(a));
            }
        }
        kb.questions.push_back(std::move(q));
    }
}

void load_tests(Reader& r, const yaml::Node& seq, KnowledgeBase& kb) {
    if (!seq.IsSequence()) {
        r.diags().error(at(r.file(), seq), "'tests' must be a list");
        return;
    }
    for (const auto& n : seq.items()) {
        if (!r.check_map(n, "a test")) continue;
        r.check_keys(n, {"name", "facts", "expect", "expect_not", "symptom"}, "a test");
        TestDef t;
        t.loc = at(r.file(), n);
        t.name = r.str(n, "name", true, "a test");
        t.expect = r.list(n, "expect");
        t.expect_not = r.list(n, "expect_not");
        t.symptom = r.str(n, "symptom", false, "a test");
        yaml::Node facts = n["facts"];
        if (facts.IsDefined() && !facts.IsNull()) {
            if (!facts.IsMap()) {
                r.diags().error(at(r.file(), facts), "'facts' must map fact names to values (or subject -> value maps)");
            } else {
                for (const auto& [fk, v] : facts.entries()) {
                    std::string name = fk.Scalar();
                    engine::Provenance p{"test", r.file() + ":" + std::to_string(at(r.file(), fk).line), ""};
                    if (v.IsMap()) {
                        for (const auto& [sk, sv] : v.entries()) {
                            std::string subj = sk.Scalar();
                            if (sv.IsNull() || (sv.IsScalar() && sv.Scalar() == "unknown" && sv.Tag() != "!")) {
                                t.facts.push_back(engine::Fact::unknown_fact(name, subj, "unknown in test", p));
                                continue;
                            }
                            auto val = yaml_value(sv);
                            if (!val) {
                                r.diags().error(at(r.file(), sv), "bad value for " + name + "[" + subj + "]");
                                continue;
                            }
                            t.facts.push_back(engine::Fact::known_fact(name, subj, *val, p));
                        }
                    } else if (v.IsNull() || (v.IsScalar() && v.Scalar() == "unknown" && v.Tag() != "!")) {
                        t.facts.push_back(engine::Fact::unknown_fact(name, "", "unknown in test", p));
                    } else {
                        auto val = yaml_value(v);
                        if (!val) {
                            r.diags().error(at(r.file(), v), "bad value for " + name);
                            continue;
                        }
                        t.facts.push_back(engine::Fact::known_fact(name, "", *val, p));
                    }
                }
            }
        }
        kb.tests.push_back(std::move(t));
    }
}

// One file's YAML, parsed.
struct ParsedFile {
    yaml::Stream stream;
    yaml::Stream::Error err;
    bool ok = false;
};

// tests_only: a file of the self-tests directory, which a triage does not read.
// warn_tests: a file of a knowledge directory outside tests/, where self-tests cost every triage.
void load_document(const std::string& file, const ParsedFile& parsed, KnowledgeBase& kb, Diagnostics& diags,
                   bool tests_only = false, bool warn_tests = false) {
    Reader r(file, diags);
    const yaml::Stream& stream = parsed.stream;
    if (!parsed.ok) {
        Location l;
        l.file = file;
        l.line = parsed.err.mark.line + 1;
        l.column = parsed.err.mark.column + 1;
        diags.error(l, "YAML syntax: " + parsed.err.message);
        return;
    }
    for (const auto& doc : stream.documents()) {
        if (doc.IsNull()) continue;
        if (!doc.IsMap()) {
            diags.error(at(file, doc), "a knowledge file must be a mapping with keys symptoms, causes, rules, questions or tests");
            continue;
        }
        for (const auto& [k, v] : doc.entries()) {
            std::string key = k.IsScalar() ? k.Scalar() : "";
            if (tests_only && key != "tests") {
                diags.error(at(file, k), "a file under tests/ may hold only 'tests:' (a triage does not read that "
                                         "directory); move '" + key + "' to another file");
                continue;
            }
            {
                if (key == "symptoms") load_symptoms(r, v, kb);
                else if (key == "causes") load_causes(r, v, kb);
                else if (key == "rules") load_rules(r, v, kb);
                else if (key == "questions") load_questions(r, v, kb);
                else if (key == "tests") {
                    if (warn_tests) diags.warning(at(file, k), "self-tests outside tests/ are parsed by every triage; move them to a file under tests/");
                    load_tests(r, v, kb);
                }
                else if (key == "required") {
                    if (r.check_map(v, "'required'")) {
                        r.check_keys(v, {"symptoms", "causes"}, "'required'");
                        auto s = r.list(v, "symptoms");
                        auto c = r.list(v, "causes");
                        kb.required_symptoms.insert(kb.required_symptoms.end(), s.begin(), s.end());
                        kb.required_causes.insert(kb.required_causes.end(), c.begin(), c.end());
                        kb.required_loc = at(file, k);
                    }
                }
                else if (key == "signatures" || key == "blocklists" || key == "meta") continue; // owned elsewhere
                else diags.error(at(file, k), "unknown top-level key '" + key + "' (expected symptoms, causes, rules, questions, tests)");
            }
        }
    }
}

void compile(KnowledgeBase& kb, Diagnostics& diags) {
    auto rb = std::make_shared<engine::RuleBase>();
    // ids: unique, indexed
    for (std::size_t i = 0; i < kb.causes.size(); ++i) {
        const auto& c = kb.causes[i];
        if (c.id.empty()) continue;
        if (!kb.cause_index.emplace(c.id, static_cast<int>(i)).second)
            diags.error(c.loc, "duplicate cause id '" + c.id + "' (first at " +
                                   kb.causes[static_cast<std::size_t>(kb.cause_index[c.id])].loc.to_string() + ")");
    }
    for (std::size_t i = 0; i < kb.symptoms.size(); ++i) {
        const auto& s = kb.symptoms[i];
        if (s.id.empty()) continue;
        if (!kb.symptom_index.emplace(s.id, static_cast<int>(i)).second)
            diags.error(s.loc, "duplicate symptom id '" + s.id + "'");
    }
    for (const auto& c : kb.causes) {
        rb->cause_ids.push_back(c.id);
        for (const auto& s : c.symptoms)
            if (!kb.symptom_index.count(s)) diags.error(c.loc, "cause '" + c.id + "' names unknown symptom '" + s + "'");
    }
    std::set<std::string> rule_ids;
    auto cause_lookup = [&kb](const std::string& id) {
        auto it = kb.cause_index.find(id);
        return it == kb.cause_index.end() ? -1 : it->second;
    };
    int order = 0;
    std::vector<Location> rule_locs; // parallel to rb->rules: where each was written, for cycle errors
    for (const auto& d : kb.rules) {
        if (!d.id.empty() && !rule_ids.insert(d.id).second) diags.error(d.loc, "duplicate rule id '" + d.id + "'");
        engine::CompiledRule cr;
        cr.id = d.id;
        cr.file = d.loc.file;
        cr.line = d.loc.line;
        cr.order = order++;
        cr.salience = d.salience;
        cr.cf = d.cf;
        cr.because = d.because;
        ExprContext ctx;
        ctx.names = &rb->names;
        ctx.subjects = &rb->subjects;
        ctx.cause_index = cause_lookup;
        ctx.diags = &diags;
        if (!d.for_var.empty()) {
            cr.for_fact = rb->names.intern(d.for_fact);
            cr.for_var = 0;
            cr.for_var_name = d.for_var;
            ctx.scope.push_back(d.for_var);
            ctx.max_slots = 1;
        }
        bool ok = true;
        if (!d.when.empty()) {
            ctx.where = d.when_loc;
            cr.when = parse_expression(d.when, ctx);
            if (!cr.when) ok = false;
        }
        if (!d.conclude.empty()) {
            cr.action = engine::Action::Conclude;
            cr.cause = cause_lookup(d.conclude);
            if (cr.cause < 0) {
                diags.error(d.loc, "rule '" + d.id + "' concludes unknown cause '" + d.conclude + "'");
                ok = false;
            }
        } else if (!d.assert_fact.empty()) {
            cr.action = engine::Action::Assert;
            if (d.assert_fact.find('.') == std::string::npos)
                diags.error(d.assert_loc, "asserted fact name '" + d.assert_fact + "' must be dotted (e.g. derived.x)");
            cr.assert_name = rb->names.intern(d.assert_fact);
            ctx.where = d.assert_loc;
            if (!d.assert_subject.empty()) {
                cr.assert_subject = parse_expression(d.assert_subject, ctx);
                if (!cr.assert_subject) ok = false;
            } else if (d.for_var.empty()) {
                cr.assert_subject = nullptr;
            }
            if (!d.assert_value.empty()) {
                cr.assert_value = parse_expression(d.assert_value, ctx);
                if (!cr.assert_value) ok = false;
            }
        } else {
            ok = false;
        }
        cr.nvars = std::max(1, ctx.max_slots);
        if (!ok) continue;
        engine::analyze_rule(cr);
        rb->rules.push_back(std::move(cr));
        rule_locs.push_back(d.loc);
    }
    auto st = engine::stratify(*rb);
    for (const auto& cyc : st.negative_cycles) {
        std::string names;
        for (int i : cyc) names += (names.empty() ? "" : ", ") + rb->rules[static_cast<std::size_t>(i)].id;
        diags.error(rule_locs[static_cast<std::size_t>(cyc.front())],
                    "cycle through negation (not/unknown/count/cause) between rules: " + names);
    }
    kb.compiled = std::move(rb);
}

} // namespace

std::vector<CommandWord> parse_command(const std::string& run, const Location& loc, Diagnostics& diags) {
    std::vector<CommandWord> words;
    std::size_t i = 0;
    const std::size_t n = run.size();
    static const char* ops[] = {">>", "&&", "||", "|", ">", "<", ";"};
    while (i < n) {
        while (i < n && std::isspace(static_cast<unsigned char>(run[i]))) ++i;
        if (i >= n) break;
        bool matched_op = false;
        for (const char* op : ops) {
            std::size_t len = std::char_traits<char>::length(op);
            if (run.compare(i, len, op) == 0 && (i + len >= n || std::isspace(static_cast<unsigned char>(run[i + len])))) {
                CommandWord w;
                w.op = true;
                w.parts.push_back({false, op});
                words.push_back(std::move(w));
                i += len;
                matched_op = true;
                break;
            }
        }
        if (matched_op) continue;
        CommandWord w;
        std::string lit;
        auto flush = [&] {
            if (!lit.empty()) w.parts.push_back({false, lit});
            lit.clear();
        };
        while (i < n && !std::isspace(static_cast<unsigned char>(run[i]))) {
            char c = run[i];
            if (c == '\'' || c == '"') {
                char q = c;
                ++i;
                while (i < n && run[i] != q) {
                    if (q == '"' && run[i] == '{') {
                        std::size_t close = run.find('}', i);
                        if (close == std::string::npos) break;
                        flush();
                        w.parts.push_back({true, run.substr(i + 1, close - i - 1)});
                        i = close + 1;
                        continue;
                    }
                    if (q == '"' && run[i] == '\\' && i + 1 < n) ++i;
                    lit += run[i++];
                }
                if (i >= n) {
                    diags.error(loc, "unterminated quote in command: " + run);
                    return words;
                }
                ++i;
            } else if (c == '{') {
                std::size_t close = run.find('}', i);
                if (close == std::string::npos) {
                    diags.error(loc, "'{' without '}' in command: " + run);
                    return words;
                }
                flush();
                std::string ph = run.substr(i + 1, close - i - 1);
                if (ph.empty()) diags.error(loc, "empty placeholder {} in command: " + run);
                w.parts.push_back({true, ph});
                i = close + 1;
            } else if (c == '\\' && i + 1 < n) {
                lit += run[i + 1];
                i += 2;
            } else {
                lit += c;
                ++i;
            }
        }
        flush();
        if (w.parts.empty()) w.parts.push_back({false, ""}); // '' : an empty argument
        words.push_back(std::move(w));
    }
    return words;
}

namespace {

struct SourceDoc {
    std::string name, text;
    bool tests_only = false; // under tests/
    bool warn_tests = false; // read from a directory, outside tests/
};

KnowledgeBase load_sources(const std::vector<SourceDoc>& docs, Diagnostics& diags, bool tests_loaded) {
    KnowledgeBase kb;
    kb.tests_loaded = tests_loaded;
    // One file's tree at a time, freed before the next is parsed: its memory is reused.
    // (Parsing all files first, on two threads, took more time in a fresh process than it
    // saved: the second thread's heap and every tree alive at once cost ~800 page faults.)
    for (const auto& d : docs) {
        ParsedFile pf;
        pf.ok = pf.stream.parse(d.text, &pf.err);
        kb.files.push_back(d.name);
        load_document(d.name, pf, kb, diags, d.tests_only, d.warn_tests);
    }
    compile(kb, diags);
    return kb;
}

} // namespace

KnowledgeBase load_knowledge_texts(const std::vector<std::pair<std::string, std::string>>& docs, Diagnostics& diags) {
    std::vector<SourceDoc> v;
    v.reserve(docs.size());
    for (const auto& [name, text] : docs) v.push_back({name, text, false, false});
    return load_sources(v, diags, true);
}

KnowledgeBase load_knowledge(const fs::path& dir, Diagnostics& diags, LoadOptions options) {
    std::vector<fs::path> files;
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) {
        diags.error(Location{dir.string(), 0, 0}, "knowledge directory does not exist or is not a directory");
        KnowledgeBase kb;
        compile(kb, diags);
        return kb;
    }
    for (auto it = fs::recursive_directory_iterator(dir, fs::directory_options::skip_permission_denied, ec);
         it != fs::recursive_directory_iterator(); it.increment(ec)) {
        if (ec) break;
        const auto& p = it->path();
        // knowledge/signatures/ holds the log signatures, read by the log probe.
        if (it->is_directory(ec) && p.filename() == "signatures" && it.depth() == 0) {
            it.disable_recursion_pending();
            continue;
        }
        // knowledge/tests/ holds the self-tests, read by `kb test` and `kb lint` only.
        if (!options.tests && it->is_directory(ec) && p.filename() == "tests" && it.depth() == 0) {
            it.disable_recursion_pending();
            continue;
        }
        auto ext = p.extension().string();
        if ((ext == ".yaml" || ext == ".yml") && it->is_regular_file(ec)) files.push_back(p);
    }
    std::sort(files.begin(), files.end());
    std::vector<SourceDoc> docs;
    const fs::path tests_dir = dir / "tests";
    for (const auto& p : files) {
        // Lexical: the paths come from iterating dir, so no file-system look-up is needed.
        std::string rel = p.lexically_relative(dir.parent_path()).string();
        if (rel.empty()) rel = p.string();
        if (fs::file_size(p, ec) > kMaxFileBytes) {
            diags.error(Location{rel, 0, 0}, "file is larger than 8 MiB; not read");
            continue;
        }
        std::ifstream in(p, std::ios::binary);
        if (!in) {
            diags.error(Location{rel, 0, 0}, "cannot read file");
            continue;
        }
        std::ostringstream ss;
        ss << in.rdbuf();
        fs::path under_tests = p.lexically_relative(tests_dir);
        bool tests_only = !under_tests.empty() && *under_tests.begin() != "..";
        // The warning is for the knowledge base's authors (kb lint, kb test), not for every
        // triage or monitoring check of a directory that still has tests elsewhere.
        docs.push_back({rel, ss.str(), tests_only, options.tests && !tests_only});
    }
    return load_sources(docs, diags, options.tests);
}

} // namespace pft::rules
