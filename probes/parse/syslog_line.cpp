// syslog_line.cpp - the syslog line splitter: RFC 3164 stamps (with localised
// month names), RFC 3339 / journalctl short-iso stamps, Postfix maillog_file.
// It does not match message text (see logsig.cpp) and never allocates.
#include "probes/parse/syslog_line.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <cctype>
#include <cstdint>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace pft::probes {
namespace {

using std::string_view;

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_space(char c) { return c == ' ' || c == '\t'; }

void skip_spaces(string_view s, std::size_t& i) {
    while (i < s.size() && is_space(s[i])) ++i;
}

// Reads exactly n digits at i.
bool digits(string_view s, std::size_t& i, int n, int& out) {
    if (i + static_cast<std::size_t>(n) > s.size()) return false;
    int v = 0;
    for (int k = 0; k < n; ++k) {
        char c = s[i + static_cast<std::size_t>(k)];
        if (!is_digit(c)) return false;
        v = v * 10 + (c - '0');
    }
    out = v;
    i += static_cast<std::size_t>(n);
    return true;
}

// a[0..n) == b[0..n): two overlapping 8-byte loads for the usual 15-byte stamp.
bool same_bytes(const char* a, const char* b, std::size_t n) {
    if (n >= 8 && n <= 16) {
        std::uint64_t a0, b0, a1, b1;
        std::memcpy(&a0, a, 8);
        std::memcpy(&b0, b, 8);
        std::memcpy(&a1, a + n - 8, 8);
        std::memcpy(&b1, b + n - 8, 8);
        return a0 == b0 && a1 == b1;
    }
    return std::memcmp(a, b, n) == 0;
}

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

// English first, then the German, Italian, Spanish, Dutch and French abbreviations
// that localised syslog daemons write ("Okt", "ott", "Mär" in UTF-8).
int month_from_name(string_view name) {
    struct M { const char* n; int m; };
    static constexpr std::array<M, 38> names{{
        {"jan", 1}, {"feb", 2}, {"mar", 3}, {"apr", 4}, {"may", 5}, {"jun", 6},
        {"jul", 7}, {"aug", 8}, {"sep", 9}, {"oct", 10}, {"nov", 11}, {"dec", 12},
        {"m\xc3\xa4r", 3}, {"mrz", 3}, {"mai", 5}, {"okt", 10}, {"dez", 12},
        {"gen", 1}, {"mag", 5}, {"giu", 6}, {"lug", 7}, {"ago", 8}, {"set", 9}, {"ott", 10}, {"dic", 12},
        {"ene", 1}, {"abr", 4}, {"mrt", 3}, {"mei", 5}, {"janv", 1}, {"f\xc3\xa9vr", 2}, {"mars", 3},
        {"avr", 4}, {"juin", 6}, {"juil", 7}, {"ao\xc3\xbbt", 8}, {"sept", 9}, {"d\xc3\xa9" "c", 12},
    }};
    if (!name.empty() && name.back() == '.') name.remove_suffix(1);
    if (name.size() < 3 || name.size() > 5) return 0;
    char buf[8];
    for (std::size_t i = 0; i < name.size(); ++i) buf[i] = lower(name[i]);
    string_view l(buf, name.size());
    for (const auto& m : names)
        if (l == m.n) return m.m;
    return 0;
}

std::optional<engine::TimePoint> make_time(int y, int mo, int d, int h, int mi, int s, long offset_s) {
    using namespace std::chrono;
    if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60) return std::nullopt;
    year_month_day ymd{year{y}, month{static_cast<unsigned>(mo)}, day{static_cast<unsigned>(d)}};
    if (!ymd.ok()) return std::nullopt;
    return engine::TimePoint{sys_days{ymd}} + hours{h} + minutes{mi} + seconds{s} - seconds{offset_s};
}

// "2026-11-24T04:02:00.123456+00:00", "...+0000", "...Z" or no zone (taken as UTC).
bool parse_iso(string_view s, std::size_t& i, std::optional<engine::TimePoint>& out) {
    std::size_t j = i;
    int Y, M, D, h, m, sec;
    if (!digits(s, j, 4, Y) || j >= s.size() || s[j++] != '-') return false;
    if (!digits(s, j, 2, M) || j >= s.size() || s[j++] != '-') return false;
    if (!digits(s, j, 2, D) || j >= s.size() || (s[j] != 'T' && s[j] != 't')) return false;
    ++j;
    if (!digits(s, j, 2, h) || j >= s.size() || s[j++] != ':') return false;
    if (!digits(s, j, 2, m) || j >= s.size() || s[j++] != ':') return false;
    if (!digits(s, j, 2, sec)) return false;
    if (j < s.size() && (s[j] == '.' || s[j] == ',')) {
        ++j;
        while (j < s.size() && is_digit(s[j])) ++j;
    }
    long offset = 0;
    if (j < s.size() && (s[j] == 'Z' || s[j] == 'z')) {
        ++j;
    } else if (j < s.size() && (s[j] == '+' || s[j] == '-')) {
        int sign = s[j] == '+' ? 1 : -1;
        ++j;
        int oh, om;
        if (!digits(s, j, 2, oh)) return false;
        if (j < s.size() && s[j] == ':') ++j;
        if (!digits(s, j, 2, om)) return false;
        offset = sign * (oh * 3600L + om * 60L);
    }
    if (j < s.size() && !is_space(s[j])) return false;
    out = make_time(Y, M, D, h, m, sec, offset);
    if (!out) return false;
    i = j;
    return true;
}

// "Nov 24 04:02:00", "Nov  4 04:02:00", "Nov 04 04:02:00" (postlogd), optional
// fraction and optional year after the time ("Nov 24 04:02:00 2026").
bool parse_bsd(string_view s, std::size_t& i, engine::TimePoint reference,
               std::optional<engine::TimePoint>& out) {
    std::size_t j = i;
    while (j < s.size() && j - i < 6 && !is_space(s[j]) && !is_digit(s[j])) ++j;
    int mo = month_from_name(s.substr(i, j - i));
    if (mo == 0) return false;
    skip_spaces(s, j);
    int d = 0;
    if (j < s.size() && is_digit(s[j])) {
        d = s[j++] - '0';
        if (j < s.size() && is_digit(s[j])) d = d * 10 + (s[j++] - '0');
    } else {
        return false;
    }
    if (j >= s.size() || !is_space(s[j])) return false;
    skip_spaces(s, j);
    int h, m, sec;
    if (!digits(s, j, 2, h) || j >= s.size() || s[j++] != ':') return false;
    if (!digits(s, j, 2, m) || j >= s.size() || s[j++] != ':') return false;
    if (!digits(s, j, 2, sec)) return false;
    if (j < s.size() && s[j] == '.') {
        ++j;
        while (j < s.size() && is_digit(s[j])) ++j;
    }
    if (j < s.size() && !is_space(s[j])) return false;
    std::size_t k = j;
    skip_spaces(s, k);
    int explicit_year = 0;
    if (std::size_t y = k; digits(s, y, 4, explicit_year) && (y == s.size() || is_space(s[y]))) {
        j = y;
    } else {
        explicit_year = 0;
    }
    if (explicit_year) {
        out = make_time(explicit_year, mo, d, h, m, sec, 0);
    } else {
        using namespace std::chrono;
        int ref_year = static_cast<int>(year_month_day{floor<days>(reference)}.year());
        out = std::nullopt;
        // The latest year that does not put the stamp more than a day after the reference.
        for (int y = ref_year + 1; y >= ref_year - 4 && !out; --y) {
            auto t = make_time(y, mo, d, h, m, sec, 0);
            if (t && *t <= reference + days{1}) out = t;
        }
    }
    if (!out) return false;
    i = j;
    return true;
}

// Character classes of the splitter, one table look-up per byte (this runs for every
// byte of every tag, host and queue id: a chain of comparisons per byte was 16 % of a
// 1 GiB profile).
enum : unsigned char {
    C_TAG = 1,     // [A-Za-z0-9._/-]: a syslog tag character
    C_ALNUM = 2,   // [A-Za-z0-9]
    C_HEXUP = 4,   // [0-9A-F]: short queue ids
    C_NOVOWEL = 8, // not [aeiouAEIOU]: long queue ids
    C_SLASH = 16,  // '/'
};
constexpr std::array<unsigned char, 256> make_classes() {
    std::array<unsigned char, 256> t{};
    for (int c = 0; c < 256; ++c) {
        unsigned char f = C_NOVOWEL;
        const bool digit = c >= '0' && c <= '9', up = c >= 'A' && c <= 'Z', low = c >= 'a' && c <= 'z';
        if (digit || up || low) f |= C_ALNUM | C_TAG;
        if (c == '-' || c == '_' || c == '.' || c == '/') f |= C_TAG;
        if (c == '/') f |= C_SLASH;
        if (digit || (c >= 'A' && c <= 'F')) f |= C_HEXUP;
        switch (c) {
        case 'a': case 'e': case 'i': case 'o': case 'u': case 'A': case 'E': case 'I': case 'O': case 'U':
            f = static_cast<unsigned char>(f & ~C_NOVOWEL);
            break;
        default: break;
        }
        t[static_cast<std::size_t>(c)] = f;
    }
    return t;
}
constexpr std::array<unsigned char, 256> kClass = make_classes();
inline unsigned char cls(char c) { return kClass[static_cast<unsigned char>(c)]; }

struct Tag {
    string_view name; // "postfix/submission/smtpd"
    // A plain value and flag, not std::optional: building an optional from two stores
    // and copying it as one 16-byte load stalled store forwarding (a third of parse_tag).
    long pid = 0;
    bool has_pid = false;
    std::size_t end = 0; // index after "name[pid]:"
    std::size_t first_slash = string_view::npos, last_slash = string_view::npos; // in name
};

#if defined(__SSE2__)
// Of 16 bytes at p: bit k set when p[k] is a tag character; `slash` gets the '/' bits.
// Tag characters are the ranges 0x2D..0x39 ("-./0-9"), letters (c | 0x20 in a..z) and
// '_'; bytes >= 0x80 compare negative and fall outside every range.
inline unsigned tag_mask16(const char* p, unsigned& slash) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    const __m128i r1 = _mm_and_si128(_mm_cmpgt_epi8(v, _mm_set1_epi8(0x2C)), _mm_cmplt_epi8(v, _mm_set1_epi8(0x3A)));
    const __m128i l = _mm_or_si128(v, _mm_set1_epi8(0x20));
    const __m128i r2 = _mm_and_si128(_mm_cmpgt_epi8(l, _mm_set1_epi8(0x60)), _mm_cmplt_epi8(l, _mm_set1_epi8(0x7B)));
    const __m128i r3 = _mm_cmpeq_epi8(v, _mm_set1_epi8('_'));
    slash = static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8('/'))));
    return static_cast<unsigned>(_mm_movemask_epi8(_mm_or_si128(_mm_or_si128(r1, r2), r3)));
}
#endif

// A syslog tag at i: "name[pid]:" or "name:", followed by a space or the end.
// `stop` (when given) receives where the scan of tag characters stopped.
std::optional<Tag> parse_tag(string_view s, std::size_t i, std::size_t* stop = nullptr) {
    std::size_t j = i;
    const std::size_t lim = std::min(s.size(), i + 128);
    std::size_t first = string_view::npos, last = string_view::npos;
    bool ended = false;
#if defined(__SSE2__)
    // 16 bytes at a time while they are all inside the line (the same result as the
    // byte loop below, which finishes the scan near the end of the line).
    while (j < lim && j + 16 <= s.size()) {
        unsigned slash = 0;
        const unsigned non = ~tag_mask16(s.data() + j, slash) & 0xFFFFu;
        std::size_t k = non ? static_cast<std::size_t>(std::countr_zero(non)) : 16;
        if (k > lim - j) k = lim - j;
        if (k < 16) slash &= (1u << k) - 1;
        if (slash) {
            if (first == string_view::npos) first = j - i + static_cast<std::size_t>(std::countr_zero(slash));
            last = j - i + static_cast<std::size_t>(31 - std::countl_zero(slash));
        }
        j += k;
        if (k < 16) {
            ended = true;
            break;
        }
    }
#endif
    for (; !ended && j < lim; ++j) {
        const unsigned char f = cls(s[j]);
        if (!(f & C_TAG)) break;
        if (f & C_SLASH) {
            if (first == string_view::npos) first = j - i;
            last = j - i;
        }
    }
    if (stop) *stop = j;
    if (j == i || j >= s.size()) return std::nullopt;
    Tag t;
    t.name = s.substr(i, j - i);
    t.first_slash = first;
    t.last_slash = last;
    if (s[j] == '[') {
        ++j;
        long pid = 0;
        std::size_t start = j;
        while (j < s.size() && is_digit(s[j]) && j - start < 10) pid = pid * 10 + (s[j++] - '0');
        if (j == start || j >= s.size() || s[j] != ']') return std::nullopt;
        ++j;
        t.pid = pid;
        t.has_pid = true;
    }
    if (j >= s.size() || s[j] != ':') return std::nullopt;
    ++j;
    if (j < s.size() && !is_space(s[j])) return std::nullopt;
    t.end = j;
    return t;
}

// Postfix commands that log under their own name, without a "postfix/" prefix.
bool is_postfix_command(string_view p) {
    static constexpr std::array<string_view, 13> cmds{
        "postfix", "postdrop", "postqueue", "postsuper", "postmap", "postalias", "postconf",
        "postlog", "postmulti", "postfix-script", "postkick", "postlock", "postcat"};
    for (auto c : cmds)
        if (p == c) return true;
    return false;
}

} // namespace

bool is_postfix_program(string_view p) {
    static constexpr std::array<string_view, 38> daemons{
        "smtp", "lmtp", "smtpd", "qmgr", "nqmgr", "oqmgr", "cleanup", "pickup", "master", "bounce",
        "defer", "trace", "local", "virtual", "pipe", "error", "retry", "discard", "showq", "flush",
        "anvil", "scache", "tlsmgr", "tlsproxy", "postscreen", "dnsblog", "verify", "proxymap",
        "proxywrite", "trivial-rewrite", "spawn", "postlogd", "qmqpd", "sendmail", "smtp-source",
        "smtp-sink", "qshape", "mailq"};
    for (auto d : daemons)
        if (p == d) return true;
    return is_postfix_command(p);
}

string_view leading_queue_id(string_view m) {
    // Short ids are upper-case hex; long ids use a 52-letter alphabet without vowels.
    std::size_t n = 0;
    unsigned all = C_HEXUP | C_NOVOWEL;
    const std::size_t lim = std::min<std::size_t>(m.size(), 25);
    for (; n < lim; ++n) {
        const unsigned char f = cls(m[n]);
        if (!(f & C_ALNUM)) break;
        all &= f;
    }
    const bool hex = all & C_HEXUP, long_ok = all & C_NOVOWEL;
    if (n < 5 || n > 24 || n + 1 >= m.size() || m[n] != ':' || m[n + 1] != ' ') return {};
    if (hex || (long_ok && n >= 10)) return m.substr(0, n);
    return {};
}

// A blank result to copy from. Value-initializing the 136-byte SyslogLine compiled to
// `rep stosq`, whose start-up cost was half of parse_syslog_line's own time in a 1 GiB
// profile; a copy from memory is a few vector moves. It has external linkage and is
// not const on purpose, so that the compiler cannot fold the copy back into the zeroing.
// Never written.
namespace detail {
SyslogLine blank_syslog_line{};
}

SyslogLine parse_syslog_line(string_view line, engine::TimePoint reference) {
    StampCache none;
    return parse_syslog_line(line, reference, none);
}

SyslogLine parse_syslog_line(string_view line, engine::TimePoint reference, StampCache& cache) {
    if (line.size() > kMaxLogLine) line = line.substr(0, kMaxLogLine);
    while (!line.empty() && (line.back() == '\r' || line.back() == '\n')) line.remove_suffix(1);
    SyslogLine out = detail::blank_syslog_line;
    out.message = line;

    std::size_t i = 0;
    bool has_time = false;
    if (cache.len > 0 && cache.reference == reference && line.size() > cache.len + 1 &&
        is_space(line[cache.len]) && !is_digit(line[cache.len + 1]) && same_bytes(line.data(), cache.text, cache.len)) {
        i = cache.len;
        out.time = cache.time;
        has_time = true;
    } else {
        skip_spaces(line, i);
        std::size_t start = i;
        if (i < line.size() && is_digit(line[i]))
            has_time = parse_iso(line, i, out.time);
        else
            has_time = parse_bsd(line, i, reference, out.time);
        if (has_time && start == 0 && i <= sizeof cache.text) {
            line.copy(cache.text, i);
            cache.len = i;
            cache.time = out.time;
            cache.reference = reference;
        }
    }
    skip_spaces(line, i);

    // "host tag: msg", "tag: msg" (collectors that drop the host), or a bare message.
    std::size_t stop = i;
    std::optional<Tag> tag = parse_tag(line, i, &stop);
    if (!tag) {
        // The host: up to the first space. The tag scan already passed its tag characters
        // (none is a space), so the usual host name costs no second pass.
        std::size_t j = std::min(stop, i + 256);
        while (j < line.size() && j - i < 256 && !is_space(line[j])) ++j;
        std::size_t host_end = j;
        skip_spaces(line, j);
        if (host_end > i && j > host_end) {
            tag = parse_tag(line, j);
            if (tag) out.host = line.substr(i, host_end - i);
        }
    }
    if (!tag) {
        out.message = line.substr(i);
        return out; // Unparsed
    }

    string_view name = tag->name;
    std::size_t first = tag->first_slash;
    std::size_t last = tag->last_slash;
    if (first == string_view::npos) {
        out.syslog_name = name;
        out.program = name;
    } else {
        out.syslog_name = name.substr(0, first);
        out.program = name.substr(last + 1);
        if (last > first) out.service = name.substr(first + 1, last - first - 1);
    }
    // Without a stamp, host or pid a "word:" is more likely message text ("warning:").
    bool weak = !has_time && out.host.empty() && !tag->has_pid && first == string_view::npos;
    bool postfix = false;
    if (first != string_view::npos)
        postfix = out.syslog_name.substr(0, 7) == "postfix" || is_postfix_program(out.program);
    else
        postfix = is_postfix_command(out.program);
    if (weak && !postfix) {
        out = detail::blank_syslog_line;
        out.message = line.substr(i);
        return out;
    }
    out.kind = postfix ? LineKind::Postfix : LineKind::Other;
    if (tag->has_pid) out.pid = tag->pid;
    std::size_t m = tag->end;
    if (m < line.size() && is_space(line[m])) ++m;
    out.message = line.substr(m);
    if (postfix) out.queue_id = leading_queue_id(out.message);
    return out;
}

} // namespace pft::probes
