// evidence.cpp - provenance and warnings for facts drawn from one artefact.
#include "probes/evidence.hpp"

namespace pft::probes {

Evidence::Evidence(Source& src, std::string probe, std::string name, FactSink& out)
    : probe_(std::move(probe)), name_(std::move(name)), art_(src.get(name_)), out_(out) {
    if (art_.ok && art_.truncated) out_.warn(name_ + ": cut at the size limit; facts come from the part read");
}

std::string Evidence::missing_reason() const {
    if (!art_.error.empty()) return art_.error;
    return name_ + " is not available";
}

engine::Provenance Evidence::at(std::size_t line, std::string_view excerpt) const {
    engine::Provenance p;
    p.probe = probe_;
    bool bundle = art_.origin.rfind("bundle:", 0) == 0 || art_.origin.empty();
    if (bundle) p.source = line ? name_ + ":" + std::to_string(line) : name_;
    else p.source = line ? art_.origin + " (line " + std::to_string(line) + ")" : art_.origin;
    p.excerpt = engine::printable(excerpt, 160);
    return p;
}

engine::Provenance Evidence::whole(std::string_view excerpt) const { return at(0, excerpt); }

void Evidence::report(const std::vector<parse::ParseWarning>& warnings) const {
    std::size_t n = 0;
    for (const auto& w : warnings) {
        if (++n > 50) {
            out_.warn(name_ + ": " + std::to_string(warnings.size() - 50) + " more warnings not shown");
            break;
        }
        out_.warn(w.line ? name_ + ":" + std::to_string(w.line) + ": " + w.message : name_ + ": " + w.message);
    }
}

} // namespace pft::probes
