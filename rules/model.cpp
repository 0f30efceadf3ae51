// model.cpp - names of the model's enumerations and id look-ups.
#include "rules/model.hpp"

namespace pft::rules {

const char* severity_name(Severity3 s) {
    switch (s) {
    case Severity3::Info: return "info";
    case Severity3::Warning: return "warning";
    case Severity3::Critical: return "critical";
    }
    return "?";
}

const char* risk_name(Risk r) {
    switch (r) {
    case Risk::Safe: return "safe";
    case Risk::Disruptive: return "disruptive";
    case Risk::Destructive: return "destructive";
    }
    return "?";
}

const char* step_kind_name(StepKind k) {
    switch (k) {
    case StepKind::Check: return "check";
    case StepKind::Fix: return "fix";
    case StepKind::Verify: return "verify";
    }
    return "?";
}

const CauseDef* KnowledgeBase::cause(const std::string& id) const {
    auto it = cause_index.find(id);
    return it == cause_index.end() ? nullptr : &causes[static_cast<std::size_t>(it->second)];
}

const SymptomDef* KnowledgeBase::symptom(const std::string& id) const {
    auto it = symptom_index.find(id);
    return it == symptom_index.end() ? nullptr : &symptoms[static_cast<std::size_t>(it->second)];
}

} // namespace pft::rules
