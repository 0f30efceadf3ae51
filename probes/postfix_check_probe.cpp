// postfix_check_probe.cpp - what `postfix check` printed (empty output = clean).
// Each non-empty line becomes one postfix.check_warning, numbered from 1 in
// order; the probe does not interpret the lines (rules match them).
#include "probes/builtin_probes.hpp"
#include "probes/evidence.hpp"
#include "probes/parse/line_cursor.hpp"

namespace pft::probes {

namespace {

constexpr std::size_t max_lines = 500;

class PostfixCheckProbe : public Probe {
public:
    std::string name() const override { return "postfix_check"; }
    std::vector<std::string> produces() const override { return {"postfix.check_clean", "postfix.check_warning"}; }

    void run(Source& src, FactSink& out) override {
        Evidence ev(src, name(), "postfix-check.txt", out);
        if (!ev.ok()) {
            out.unknown("postfix.check_clean", "", ev.missing_reason(), ev.whole());
            out.unknown("postfix.check_warning", "", ev.missing_reason(), ev.whole());
            return;
        }
        parse::LineCursor cur(ev.text());
        parse::Line l;
        std::size_t n = 0;
        std::string first;
        while (cur.next(l)) {
            auto t = parse::trim(l.text);
            if (t.empty()) continue;
            if (++n > max_lines) continue;
            if (first.empty()) first = std::string(t);
            std::string line = engine::printable(t, 1000);
            out.known("postfix.check_warning", std::to_string(n), line, ev.at(l.number, t));
        }
        if (n > max_lines)
            out.warn(ev.name() + ": " + std::to_string(n) + " lines, only the first " + std::to_string(max_lines) +
                     " kept");
        out.known("postfix.check_clean", "", n == 0, ev.whole(n == 0 ? "(empty output)" : first));
    }
};

} // namespace

std::unique_ptr<Probe> make_postfix_check_probe() { return std::make_unique<PostfixCheckProbe>(); }

} // namespace pft::probes
