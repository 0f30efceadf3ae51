// chroot_probe.cpp - are the copies of host files that chrooted Postfix programs read
// (QUEUE_DIRECTORY/etc/resolv.conf, hosts, localtime, services, nsswitch.conf) missing
// or different from the host's? Reads chroot.txt (see parse/chroot_files.hpp): the live
// source compares the files itself; a bundle has it only when its collector wrote it
// (it is not in bundle format 1), otherwise the fact is unknown with that reason.
// Whether any service runs chrooted is master.chroot (postconf probe); rules combine them.
#include "probes/builtin_probes.hpp"
#include "probes/evidence.hpp"
#include "probes/parse/chroot_files.hpp"

namespace pft::probes {

namespace {

class ChrootProbe : public Probe {
public:
    std::string name() const override { return "chroot"; }
    std::vector<std::string> produces() const override { return {"chroot.file_differs"}; }

    void run(Source& src, FactSink& out) override {
        Evidence ev(src, name(), "chroot.txt", out);
        if (!ev.ok()) {
            out.unknown("chroot.file_differs", "", ev.missing_reason(), ev.whole());
            return;
        }
        auto cf = parse::parse_chroot_txt(ev.text());
        ev.report(cf.warnings);
        for (const auto& f : cf.files)
            out.known("chroot.file_differs", f.path, f.status != "same", ev.at(f.line, f.status + " " + f.path));
    }
};

} // namespace

std::unique_ptr<Probe> make_chroot_probe() { return std::make_unique<ChrootProbe>(); }

} // namespace pft::probes
