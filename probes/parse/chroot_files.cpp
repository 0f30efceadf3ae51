// chroot_files.cpp - see chroot_files.hpp.
#include "probes/parse/chroot_files.hpp"


#include <algorithm>
#include <fstream>
#include <optional>
#include <sys/stat.h>

namespace pft::probes::parse {

namespace {

constexpr std::size_t kMaxCompared = 4u * 1024 * 1024;

std::optional<std::string> read_bounded(const std::string& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return std::nullopt;
    std::ifstream in(path, std::ios::binary);
    if (!in) return std::nullopt;
    std::string s(std::min<std::size_t>(static_cast<std::size_t>(st.st_size), kMaxCompared) + 1, '\0');
    in.read(s.data(), static_cast<std::streamsize>(s.size()));
    s.resize(static_cast<std::size_t>(in.gcount()));
    return s;
}

} // namespace

const std::vector<std::string>& chroot_copied_files() {
    static const std::vector<std::string> names{"resolv.conf", "hosts", "localtime", "services", "nsswitch.conf"};
    return names;
}

ChrootFiles parse_chroot_txt(std::string_view text) {
    ChrootFiles out;
    std::size_t line_no = 0;
    std::size_t pos = 0;
    while (pos < text.size()) {
        auto nl = text.find('\n', pos);
        std::string_view line = text.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
        pos = nl == std::string_view::npos ? text.size() : nl + 1;
        ++line_no;
        while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t')) line.remove_suffix(1);
        if (line.empty()) continue;
        auto sp = line.find(' ');
        std::string_view status = line.substr(0, sp);
        std::string_view path = sp == std::string_view::npos ? std::string_view{} : line.substr(sp + 1);
        if ((status != "same" && status != "differs" && status != "missing") || path.empty() || path.front() != '/' ||
            path.size() > 4096) {
            if (out.warnings.size() < 20)
                out.warnings.push_back({line_no, "expected \"same|differs|missing /etc/FILE\""});
            continue;
        }
        out.files.push_back({std::string(path), std::string(status), line_no});
    }
    return out;
}

std::string render_chroot_txt(const std::string& host_etc, const std::string& chroot_etc,
                              const std::vector<std::string>& names) {
    std::string out;
    for (const auto& n : names) {
        auto host = read_bounded(host_etc + "/" + n);
        if (!host) continue;
        std::string shown = host_etc + "/" + n;
        auto copy = read_bounded(chroot_etc + "/" + n);
        if (!copy) out += "missing " + shown + "\n";
        else out += (*copy == *host ? "same " : "differs ") + shown + "\n";
    }
    return out;
}

} // namespace pft::probes::parse
