// fact_catalog.hpp - the declarations of every observed fact (probes/facts.yaml):
// name, type, subject, probe and meaning. Lint checks rules against it and the
// docs are generated from it; nothing here runs a probe.
#pragma once

#include "engine/value.hpp"
#include "rules/diagnostics.hpp"

#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace pft::rules {

struct FactDecl {
    std::string name;
    engine::ValueType type = engine::ValueType::String;
    std::string subject; // description; empty = no subject
    std::string probe;
    std::string meaning;
    Location loc;
};

struct FactCatalog {
    std::vector<FactDecl> facts;
    std::map<std::string, std::size_t> index;
    const FactDecl* find(const std::string& name) const {
        auto it = index.find(name);
        return it == index.end() ? nullptr : &facts[it->second];
    }
};

FactCatalog load_fact_catalog(const std::filesystem::path& file, Diagnostics& diags);

// Markdown table of the catalog, grouped by probe (docs/facts.md).
std::string fact_catalog_markdown(const FactCatalog& cat);

} // namespace pft::rules
