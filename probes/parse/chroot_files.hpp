// chroot_files.hpp - chroot.txt: whether the copies of host files that chrooted
// Postfix programs read (QUEUE_DIRECTORY/etc/FILE) match the host's /etc/FILE.
// One line per file: "same PATH", "differs PATH" or "missing PATH", where PATH is
// the host file (/etc/resolv.conf). A bundle made by hand can use this loop:
//   Q=$(postconf -h queue_directory); for f in resolv.conf hosts localtime services nsswitch.conf; do
//     if [ ! -e "$Q/etc/$f" ]; then echo "missing /etc/$f"; elif cmp -s "/etc/$f" "$Q/etc/$f";
//     then echo "same /etc/$f"; else echo "differs /etc/$f"; fi; done > chroot.txt
// Not part of evidence bundle format 1; a bundle without it leaves the facts unknown.
#pragma once

#include "probes/parse/parse_warning.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace pft::probes::parse {

// The host files Postfix's chroot setup copies (what Debian's postfix script copies).
const std::vector<std::string>& chroot_copied_files();

struct ChrootFile {
    std::string path;   // host path, e.g. /etc/resolv.conf
    std::string status; // same | differs | missing
    std::size_t line = 0;
};

struct ChrootFiles {
    std::vector<ChrootFile> files;
    std::vector<ParseWarning> warnings;
};

ChrootFiles parse_chroot_txt(std::string_view text);

// Compares HOST_ETC/NAME with CHROOT_ETC/NAME for each name (contents, following
// symbolic links, at most 4 MiB each) and renders chroot.txt. A host file that does
// not exist is left out (nothing to copy).
std::string render_chroot_txt(const std::string& host_etc, const std::string& chroot_etc,
                              const std::vector<std::string>& names);

} // namespace pft::probes::parse
