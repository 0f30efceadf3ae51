// logsig.hpp - mail-log signatures: loaded from knowledge/signatures/*.yaml,
// compiled into one RE2::Set per daemon group, matched against log messages.
// It knows nothing about windows, counting or facts (see maillog_probe.cpp).
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace re2 {
class RE2;
}
namespace pft::rules::yaml {
class Node;
}

namespace pft::probes {

enum class SigSeverity { Info, Notice, Warning, Error, Critical };
const char* sig_severity_name(SigSeverity s);

// A load problem with its place in the YAML: "file:line:column: message".
struct LoadError {
    std::string file;
    int line = 0;   // 1-based; 0 = unknown
    int column = 0; // 1-based; 0 = unknown
    std::string message;
    std::string to_string() const;
};

// How a signature turns a matching line into a fact (the `facts:` list of an entry).
struct SignatureFact {
    enum class Kind { Count, Flag, Last };
    std::string name;     // catalog name, e.g. "log.sasl_failed.client"
    std::string subject;  // template: "{client_ip}", "{domain|lower}"; "" = host-wide
    Kind kind = Kind::Flag;
    std::string value;    // template of the value for Kind::Last
};

struct Signature {
    std::string id;
    std::vector<std::string> daemons; // program names; "any" matches every program
    std::string pattern;              // after macro expansion
    std::vector<std::string> fields;  // the named groups
    SigSeverity severity = SigSeverity::Info;
    std::string meaning;
    std::vector<SignatureFact> facts;
    // Why no rule needs this signature (routine traffic, detail already counted by
    // another signature ...); empty when it is meant to feed rules. `kb lint` checks
    // that every signature either feeds a rule or says why it does not.
    std::string informational;
    std::string file;
    int line = 0;
    // The `examples:` lines, kept for check_examples() (`kb lint`, `kb test`, the tests):
    // matching them needs the compiled pattern, which start-up no longer builds.
    struct Example {
        std::string text;
        int line = 0, column = 0; // 1-based
    };
    std::vector<Example> examples;
};

// One signature that matched a message. Field values are views into the message
// passed to match(); they live as long as it does.
struct SigMatch {
    std::size_t index = 0;
    const Signature* sig = nullptr;
    std::vector<std::pair<std::string_view, std::string_view>> fields;
    std::string_view message; // the whole message; "{_message}" in a fact template
    std::string_view field(std::string_view name) const;
};

class SignatureSet {
public:
    SignatureSet();
    ~SignatureSet();
    SignatureSet(const SignatureSet&) = delete;
    SignatureSet& operator=(const SignatureSet&) = delete;

    // Every *.yaml file under dir (sorted by path). Problems are collected in errors();
    // signatures with problems are left out, the rest still work.
    static std::shared_ptr<SignatureSet> load_directory(const std::string& dir);
    // The same from in-memory documents (label, yaml text), for tests and bundles.
    static std::shared_ptr<SignatureSet> load_texts(const std::vector<std::pair<std::string, std::string>>& docs);

    const std::vector<LoadError>& errors() const { return errors_; }
    const std::vector<Signature>& signatures() const { return sigs_; }
    const Signature* find(std::string_view id) const;

    // Signatures that match `message` (the text after "postfix/smtp[123]: ") logged
    // by `program` ("smtp", or a whole tag such as "postfix-out/smtp"), with fields.
    // An empty program (text pasted without its tag) is tried against every signature;
    // a program no signature names only against the `any` ones.
    std::vector<SigMatch> match(std::string_view program, std::string_view message) const;
    // Cheap form: only the indices into signatures(), appended to out (cleared first).
    void match_indices(std::string_view program, std::string_view message, std::vector<int>& out) const;
    // The same result, pattern by pattern, without compiling the daemon's set: for a
    // handful of lines (start-up checks), where building the set would cost more.
    void match_indices_each(std::string_view program, std::string_view message, std::vector<int>& out) const;
    // Field extraction for one signature the set reported.
    bool extract(std::size_t index, std::string_view message, SigMatch& out) const;

    // The checks that need every pattern compiled: each pattern compiles alone, its named
    // groups are those the load-time scan found, and every example matches. Load only
    // parses the patterns (syntax, groups against `fields`) and compiles each on first use;
    // `kb lint`, `kb test` and the tests call this. Empty when all is well.
    std::vector<LoadError> check_examples() const;

private:
    struct Group;
    struct Compiled;
    void parse_document(const std::string& label, const rules::yaml::Node& root, bool macros_pass);
    void compile();
    const Group& group_for(std::string_view program) const;
    void ensure_compiled(const Group& g) const;
    const Compiled& compiled(std::size_t index) const; // compiles signature `index` on first use

    std::vector<Signature> sigs_;
    std::vector<std::unique_ptr<Compiled>> compiled_; // parallel to sigs_
    std::vector<std::unique_ptr<Group>> groups_;      // [0] = "any" only
    std::size_t all_group_ = 0;                       // every signature
    std::map<std::string, std::size_t, std::less<>> group_index_;
    std::map<std::string, std::string, std::less<>> macros_;
    std::map<std::string, std::string, std::less<>> id_places_; // id -> "file:line", every id seen
    std::vector<LoadError> errors_;
};

// Fills a fact template ("{client_ip}", "{domain|lower}", "{_message}", literal text) from a match.
std::string expand_field_template(std::string_view tmpl, const SigMatch& m);

} // namespace pft::probes
