// fact_catalog.cpp - reading probes/facts.yaml.
#include "rules/fact_catalog.hpp"

#include "rules/yaml_tree.hpp"

#include <fstream>
#include <map>

namespace pft::rules {

FactCatalog load_fact_catalog(const std::filesystem::path& file, Diagnostics& diags) {
    FactCatalog cat;
    std::string fname = file.filename().string() == "facts.yaml" && file.parent_path().filename() == "probes"
                            ? "probes/facts.yaml"
                            : file.string();
    // libyaml (rules/yaml_tree), like the knowledge base: yaml-cpp was half of the start-up.
    std::string text;
    {
        std::error_code ec;
        auto size = std::filesystem::file_size(file, ec);
        std::ifstream in(file, std::ios::binary);
        if (ec || !in) {
            diags.error(Location{fname, 0, 0}, "cannot read fact catalog: " + (ec ? ec.message() : std::string("cannot open")));
            return cat;
        }
        text.resize(static_cast<std::size_t>(size));
        in.read(text.data(), static_cast<std::streamsize>(text.size()));
        text.resize(static_cast<std::size_t>(in.gcount()));
    }
    yaml::Stream stream;
    yaml::Stream::Error err;
    if (!stream.parse(text, &err)) {
        diags.error(Location{fname, err.mark.line + 1, err.mark.column + 1}, "YAML syntax: " + err.message);
        return cat;
    }
    yaml::Node root = stream.documents().empty() ? yaml::Node() : stream.documents().front();
    yaml::Node facts = root["facts"];
    if (!facts.IsSequence()) {
        diags.error(Location{fname, 1, 1}, "the fact catalog needs a 'facts' list");
        return cat;
    }
    for (const auto& n : facts.items()) {
        Location loc{fname, n.mark().line + 1, n.mark().column + 1};
        if (!n.IsMap()) {
            diags.error(loc, "a fact declaration must be a mapping");
            continue;
        }
        FactDecl d;
        d.loc = loc;
        auto get = [&](const char* k) { return n[k].IsDefined() && n[k].IsScalar() ? n[k].Scalar() : std::string(); };
        d.name = get("name");
        std::string type = get("type");
        d.subject = get("subject");
        d.probe = get("probe");
        d.meaning = get("meaning");
        if (d.name.empty() || d.name.find('.') == std::string::npos) {
            diags.error(loc, "fact declaration needs a dotted 'name'");
            continue;
        }
        auto t = engine::value_type_from_name(type);
        if (!t) {
            diags.error(loc, "fact '" + d.name + "' has unknown type '" + type + "'");
            continue;
        }
        d.type = *t;
        if (d.probe.empty()) diags.error(loc, "fact '" + d.name + "' needs 'probe'");
        if (d.meaning.empty()) diags.error(loc, "fact '" + d.name + "' needs 'meaning'");
        if (cat.index.count(d.name)) {
            diags.error(loc, "fact '" + d.name + "' is declared twice");
            continue;
        }
        cat.index[d.name] = cat.facts.size();
        cat.facts.push_back(std::move(d));
    }
    return cat;
}

std::string fact_catalog_markdown(const FactCatalog& cat) {
    std::map<std::string, std::vector<const FactDecl*>> by_probe;
    for (const auto& f : cat.facts) by_probe[f.probe].push_back(&f);
    std::string out = "# Fact catalog\n\nGenerated from `probes/facts.yaml` by `pftriage kb facts`. "
                      "Every fact may also be *unknown*, with a reason.\n";
    for (const auto& [probe, facts] : by_probe) {
        out += "\n## probe `" + probe + "`\n\n| fact | type | subject | meaning |\n| --- | --- | --- | --- |\n";
        for (const auto* f : facts)
            out += "| `" + f->name + "` | " + engine::value_type_name(f->type) + " | " + (f->subject.empty() ? "-" : f->subject) +
                   " | " + f->meaning + " |\n";
    }
    return out;
}

} // namespace pft::rules
