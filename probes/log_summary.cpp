// log_summary.cpp - the per-line counting behind `pftriage logs`: hand-written fast
// paths for the dozen routine line shapes (checked against the signatures at start-up),
// the RE2 signature set only for the rest, and the merge of per-thread results.
// It keeps no per-message state: following a message is log_history's job.
#include "probes/log_summary.hpp"

#include "engine/fact.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <thread>

namespace pft::probes {

namespace {

using std::string_view;

// The first byte is compared inline: most calls fail there, without a memcmp call
// (these prefix tests run several times per line; memcmp was 10 % of a 1 GiB profile).
inline bool starts(string_view s, string_view p) {
    return s.size() >= p.size() && (p.empty() || (s[0] == p[0] && std::memcmp(s.data(), p.data(), p.size()) == 0));
}
// s.find(literal) != npos: memchr to the first byte, then a fixed-size compare the
// compiler inlines (string_view::find called memcmp for every candidate: with the
// equality tests below, memcmp was 9 % of a 1 GiB profile).
template <std::size_t N>
inline bool contains(string_view s, const char (&p)[N]) {
    constexpr std::size_t n = N - 1;
    static_assert(n > 0);
    if (s.size() < n) return false;
    const char* d = s.data();
    const char* const last = s.data() + (s.size() - n); // the last possible start
    for (;;) {
        d = static_cast<const char*>(std::memchr(d, p[0], static_cast<std::size_t>(last - d) + 1));
        if (!d) return false;
        if (__builtin_memcmp(d + 1, p + 1, n - 1) == 0) return true;
        if (d == last) return false;
        ++d;
    }
}
template <std::size_t N>
inline bool starts(string_view s, const char (&p)[N]) {
    constexpr std::size_t n = N - 1;
    static_assert(n > 0);
    return s.size() >= n && s[0] == p[0] && __builtin_memcmp(s.data(), p, n) == 0;
}
// s == literal, with a compare of known size.
template <std::size_t N>
inline bool eq(string_view s, const char (&p)[N]) {
    return s.size() == N - 1 && __builtin_memcmp(s.data(), p, N - 1) == 0;
}
inline bool is_digit(char c) { return c >= '0' && c <= '9'; }
inline char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

std::uint64_t fnv(string_view s, std::uint64_t h = 1469598103934665603ull) {
    for (unsigned char c : s) h = (h ^ c) * 1099511628211ull;
    return h;
}

// "0.08" / "1121" / "0" -> milliseconds.
std::uint64_t parse_ms(string_view s) {
    std::uint64_t whole = 0, frac = 0;
    std::size_t i = 0;
    while (i < s.size() && is_digit(s[i]) && i < 12) whole = whole * 10 + static_cast<std::uint64_t>(s[i++] - '0');
    if (i < s.size() && s[i] == '.') {
        ++i;
        int k = 0;
        while (i < s.size() && is_digit(s[i])) {
            if (k < 3) frac = frac * 10 + static_cast<std::uint64_t>(s[i] - '0'), ++k;
            ++i;
        }
        while (k++ < 3) frac *= 10;
    }
    return whole * 1000 + frac;
}

// The IP in "host[ip]" or "[ip]:port".
string_view bracket_ip(string_view s) {
    auto a = s.find('[');
    if (a == string_view::npos) return {};
    auto b = s.find(']', a);
    if (b == string_view::npos) return {};
    return s.substr(a + 1, b - a - 1);
}

enum class Prog : std::uint8_t {
    Other, Smtpd, Smtp, Lmtp, Local, Virtual, Pipe, Error, Retry, Discard, Cleanup, Qmgr, Pickup, Bounce,
    Postscreen, Postsuper, Master
};

Prog program_of(string_view p) {
    switch (p.size()) {
    case 4:
        if (eq(p, "smtp")) return Prog::Smtp;
        if (eq(p, "lmtp")) return Prog::Lmtp;
        if (eq(p, "qmgr")) return Prog::Qmgr;
        if (eq(p, "pipe")) return Prog::Pipe;
        break;
    case 5:
        if (eq(p, "smtpd")) return Prog::Smtpd;
        if (eq(p, "local")) return Prog::Local;
        if (eq(p, "error")) return Prog::Error;
        if (eq(p, "retry")) return Prog::Retry;
        if (eq(p, "nqmgr") || eq(p, "oqmgr")) return Prog::Qmgr;
        break;
    case 6:
        if (eq(p, "pickup")) return Prog::Pickup;
        if (eq(p, "bounce")) return Prog::Bounce;
        if (eq(p, "master")) return Prog::Master;
        break;
    case 7:
        if (eq(p, "cleanup")) return Prog::Cleanup;
        if (eq(p, "virtual")) return Prog::Virtual;
        if (eq(p, "discard")) return Prog::Discard;
        break;
    case 9:
        if (eq(p, "postsuper")) return Prog::Postsuper;
        break;
    case 10:
        if (eq(p, "postscreen")) return Prog::Postscreen;
        break;
    default: break;
    }
    return Prog::Other;
}

bool is_delivery_agent(Prog p) {
    switch (p) {
    case Prog::Smtp: case Prog::Lmtp: case Prog::Local: case Prog::Virtual: case Prog::Pipe: case Prog::Error:
    case Prog::Retry: case Prog::Discard: return true;
    default: return false;
    }
}

bool is_tls_trust(string_view w) {
    return eq(w, "Anonymous") || eq(w, "Untrusted") || eq(w, "Trusted") || eq(w, "Verified");
}

// A parsed "to=<...>, relay=..., delay=, delays=, dsn=, status=WORD (reason)" line.
struct Delivery {
    string_view recipient, domain, relay, delay, delays, dsn, status, reason, orig_to;
};

// b.find(", ", from) and b.find(c, from) as plain loops: the fields of a delivery line
// are a few bytes long, shorter than a libc call is worth (memchr was 8 % of a profile).
std::size_t find_comma_space(string_view b, std::size_t from) {
    for (std::size_t k = from; k + 1 < b.size(); ++k)
        if (b[k] == ',' && b[k + 1] == ' ') return k;
    return string_view::npos;
}
std::size_t find_near(string_view b, char c, std::size_t from) {
    for (std::size_t k = from; k < b.size(); ++k)
        if (b[k] == c) return k;
    return string_view::npos;
}

// Mirrors the DELIVERY macro of the signatures: to=<r>, [orig_to=<o>,] relay=..., ... status=
bool parse_delivery(string_view b, Delivery& d) {
    if (!starts(b, "to=<")) return false;
    // One pass to the '>': no blank or comma inside, and the last '@'.
    std::size_t gt = 4, at = string_view::npos;
    for (;; ++gt) {
        if (gt >= b.size()) return false;
        const char c = b[gt];
        if (c == '>') break;
        if (c == ' ' || c == ',' || c == '\t') return false;
        if (c == '@') at = gt - 4;
    }
    d.recipient = b.substr(4, gt - 4);
    d.domain = at == string_view::npos ? string_view{} : d.recipient.substr(at + 1);
    std::size_t pos = gt + 1;
    bool have_relay = false;
    for (int n = 0; pos + 1 < b.size() && b[pos] == ',' && b[pos + 1] == ' '; ++n) {
        pos += 2;
        std::size_t eqp = find_near(b, '=', pos);
        if (eqp == string_view::npos) return false;
        string_view key = b.substr(pos, eqp - pos);
        if (eq(key, "status")) {
            string_view rest = b.substr(eqp + 1);
            std::size_t sp = find_near(rest, ' ', 0);
            d.status = rest.substr(0, sp);
            if (sp != string_view::npos) {
                string_view r = rest.substr(sp + 1);
                if (!r.empty() && r.front() == '(') r.remove_prefix(1);
                if (!r.empty() && r.back() == ')') r.remove_suffix(1);
                d.reason = r;
            }
            return have_relay;
        }
        std::size_t end = find_comma_space(b, eqp);
        if (end == string_view::npos) return false;
        string_view val = b.substr(eqp + 1, end - eqp - 1);
        if (n == 0 && eq(key, "orig_to")) {
            d.orig_to = val;
        } else if (!have_relay) {
            if (!eq(key, "relay")) return false; // the signatures want relay= right after to= (or orig_to=)
            d.relay = val;
            have_relay = true;
        } else if (eq(key, "delay")) {
            d.delay = val;
        } else if (eq(key, "delays")) {
            d.delays = val;
        } else if (eq(key, "dsn")) {
            d.dsn = val;
        }
        pos = end;
    }
    return false;
}

bool loopback_relay(string_view relay) {
    return contains(relay, "[127.") || contains(relay, "[::1]") || starts(relay, "127.") || starts(relay, "localhost[");
}

// The restriction behind an smtpd/postscreen reject reply text.
std::string restriction_of(string_view text) {
    auto between = [&](string_view after, string_view stop_chars) {
        auto p = text.find(after);
        if (p == string_view::npos) return std::string();
        string_view r = text.substr(p + after.size());
        auto e = r.find_first_of(stop_chars);
        return std::string(r.substr(0, std::min<std::size_t>(e == string_view::npos ? r.size() : e, 100)));
    };
    if (contains(text, "Relay access denied")) return "reject_unauth_destination";
    if (contains(text, "Client host [") && contains(text, "blocked using "))
        return "reject_rbl_client " + between("blocked using ", ";, ");
    if (contains(text, "blocked using ")) {
        if (contains(text, "Service unavailable; client")) return "postscreen_dnsbl " + between("blocked using ", ";, ");
        return "reject_rhsbl " + between("blocked using ", ";, ");
    }
    if (contains(text, "cannot find your reverse hostname")) return "reject_unknown_reverse_client_hostname";
    if (contains(text, "cannot find your hostname")) return "reject_unknown_client_hostname";
    if (contains(text, "Helo command rejected: need fully-qualified hostname")) return "reject_non_fqdn_helo_hostname";
    if (contains(text, "Helo command rejected: Host not found")) return "reject_unknown_helo_hostname";
    if (contains(text, "Helo command rejected: Invalid name")) return "reject_invalid_helo_hostname";
    if (contains(text, "Sender address rejected: Domain not found")) return "reject_unknown_sender_domain";
    if (contains(text, "Sender address rejected: need fully-qualified address")) return "reject_non_fqdn_sender";
    if (contains(text, "Recipient address rejected: need fully-qualified address")) return "reject_non_fqdn_recipient";
    if (contains(text, "Recipient address rejected: Domain not found")) return "reject_unknown_recipient_domain";
    if (contains(text, "Recipient address rejected: User unknown")) return "reject_unlisted_recipient";
    if (contains(text, "Recipient address rejected: undeliverable address")) return "reject_unverified_recipient";
    if (contains(text, "Sender address rejected: undeliverable address")) return "reject_unverified_sender";
    if (contains(text, "not owned by user")) return "reject_sender_login_mismatch";
    if (contains(text, "Message size exceeds fixed limit")) return "message_size_limit";
    if (contains(text, "Insufficient system storage")) return "queue_minfree";
    if (contains(text, "Improper use of SMTP command pipelining")) return "reject_unauth_pipelining";
    if (contains(text, "Client host rejected: ")) return "check_client_access";
    if (contains(text, "Sender address rejected: ")) return "check_sender_access";
    if (contains(text, "Helo command rejected: ")) return "check_helo_access";
    if (contains(text, "Recipient address rejected: ")) return "check_recipient_access";
    if (contains(text, "Service unavailable")) return "postscreen";
    return "other";
}

bool is_greylisting(string_view text) {
    return contains(text, "reylist") || contains(text, "raylist") || contains(text, "postgrey") ||
           contains(text, "Greylisted") || (contains(text, "try again later") && contains(text, "grey"));
}

// A routine line shape and the signatures it matches (all of them: the start-up
// check requires the set to report exactly these on the example).
struct FastDef {
    const char* sig;
    const char* program;
    const char* example;
    const char* sig2 = nullptr;
};

enum FastId {
    F_CONNECT, F_DISCONNECT, F_CLIENT, F_TLS_IN, F_TLS_OUT, F_MSGID, F_ACTIVE, F_REMOVED, F_PICKUP,
    F_SENT_SMTP, F_SENT_LMTP, F_SENT_LOCAL, F_SENT_VIRTUAL, F_SENT_PIPE, F_SENT_DISCARD, F_DEFERRED, F_BOUNCED,
    F_NDR, F_CLIENT_SASL, F_DISCONNECT_FAILED, F_LOST_CONN, F_COUNT
};

constexpr const char* kSent = "4BCD1234AB: to=<b@example.org>, relay=mx.example.org[192.0.2.2]:25, delay=0.2, "
                              "delays=0.1/0/0.05/0.05, dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as 12345ABCDE)";
const FastDef kFast[F_COUNT] = {
    {"smtpd_connect", "smtpd", "connect from mail.example.com[192.0.2.1]"},
    {"smtpd_disconnect", "smtpd", "disconnect from mail.example.com[192.0.2.1] ehlo=1 mail=1 rcpt=1 data=1 quit=1 commands=5"},
    {"smtpd_client_accepted", "smtpd", "4BCD1234AB: client=mail.example.com[192.0.2.1]"},
    {"smtpd_tls_established", "smtpd", "Anonymous TLS connection established from mail.example.com[192.0.2.1]: TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits)"},
    {"smtp_tls_established", "smtp", "Trusted TLS connection established to mx.example.org[192.0.2.2]:25: TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits)"},
    {"cleanup_message_id", "cleanup", "4BCD1234AB: message-id=<x1@example.com>"},
    {"qmgr_queue_active", "qmgr", "4BCD1234AB: from=<a@example.com>, size=1234, nrcpt=1 (queue active)"},
    {"qmgr_message_removed", "qmgr", "4BCD1234AB: removed"},
    {"pickup_local_submission", "pickup", "4BCD1234AB: uid=33 from=<www-data>"},
    {"delivery_sent", "smtp", kSent},
    {"delivery_sent_lmtp", "lmtp", "4BCD1234AB: to=<b@example.org>, relay=mx[private/dovecot-lmtp], delay=0.1, delays=0/0/0/0.1, dsn=2.0.0, status=sent (250 2.0.0 <b@example.org> x Saved)"},
    {"delivery_sent_local_mailbox", "local", "4BCD1234AB: to=<b@example.org>, relay=local, delay=0.1, delays=0/0/0/0.1, dsn=2.0.0, status=sent (delivered to mailbox)"},
    {"delivery_sent_virtual_maildir", "virtual", "4BCD1234AB: to=<b@example.org>, relay=virtual, delay=0.1, delays=0/0/0/0.1, dsn=2.0.0, status=sent (delivered to maildir)"},
    {"delivery_sent_pipe", "pipe", "4BCD1234AB: to=<b@example.org>, relay=dovecot, delay=0.1, delays=0/0/0/0.1, dsn=2.0.0, status=sent (delivered via dovecot service)"},
    {"delivery_discarded", "discard", "4BCD1234AB: to=<b@example.org>, relay=none, delay=0.1, delays=0/0/0/0.1, dsn=2.0.0, status=sent (discarded)"},
    {"delivery_deferred", "smtp", "4BCD1234AB: to=<b@example.org>, relay=none, delay=30, delays=0/0/30/0, dsn=4.4.1, status=deferred (connect to mx.example.org[192.0.2.2]:25: Connection timed out)"},
    {"delivery_bounced", "smtp", "4BCD1234AB: to=<b@example.org>, relay=mx.example.org[192.0.2.2]:25, delay=1, delays=0/0/0.5/0.5, dsn=5.1.1, status=bounced (host mx.example.org[192.0.2.2] said: 550 5.1.1 User unknown (in reply to RCPT TO command))"},
    {"bounce_ndr_sent", "bounce", "4BCD1234AB: sender non-delivery notification: 5CDE2345BC"},
    {"smtpd_client_accepted", "smtpd", "4BCD1234AB: client=unknown[192.0.2.1], sasl_method=PLAIN, sasl_username=a@example.org",
     "smtpd_client_sasl_authenticated"},
    {"smtpd_disconnect", "smtpd", "disconnect from unknown[192.0.2.1] ehlo=1 auth=0/1 quit=1 commands=2/3",
     "smtpd_disconnect_failed_commands"},
    {"smtpd_lost_connection", "smtpd", "lost connection after AUTH from unknown[192.0.2.1]"},
};

// "... auth=0/1 ..." : a failed-commands counter in a disconnect line.
bool has_failed_counter(string_view b) {
    for (std::size_t p = b.find('/'); p != string_view::npos; p = b.find('/', p + 1))
        if (p > 0 && is_digit(b[p - 1]) && p + 1 < b.size() && is_digit(b[p + 1])) return true;
    return false;
}

} // namespace

// ---- small containers ----------------------------------------------------------

std::uint32_t ArenaStringIndex::insert(string_view key, std::uint64_t h) {
    if (keys_.size() + key.size() > 0xffffffffu || entries_.size() >= kNone - 1) return kNone;
    if ((entries_.size() + 1) * 2 > slots_.size()) {
        slots_.assign(slots_.empty() ? initial_slots_ : slots_.size() * 2, 0);
        const std::size_t mask = slots_.size() - 1;
        for (std::size_t k = 0; k < entries_.size(); ++k) {
            std::size_t i = static_cast<std::size_t>(entries_[k].hash) & mask;
            while (slots_[i]) i = (i + 1) & mask;
            slots_[i] = static_cast<std::uint32_t>(k + 1);
        }
    }
    entries_.push_back(Entry{h, static_cast<std::uint32_t>(keys_.size()), static_cast<std::uint32_t>(key.size())});
    keys_.append(key);
    const std::size_t mask = slots_.size() - 1;
    std::size_t i = static_cast<std::size_t>(h) & mask;
    while (slots_[i]) i = (i + 1) & mask;
    slots_[i] = static_cast<std::uint32_t>(entries_.size());
    return static_cast<std::uint32_t>(entries_.size() - 1);
}

void TopCounter::add(string_view key, std::uint64_t n) {
    const std::uint64_t h = ArenaStringIndex::hash(key);
    if (std::uint32_t i = index_.find(key, h); i != ArenaStringIndex::kNone) {
        counts_[i] += n;
        return;
    }
    if (index_.size() >= cap_ || index_.insert(key, h) == ArenaStringIndex::kNone) {
        other_ += n;
        return;
    }
    counts_.push_back(n);
}

void TopCounter::merge(const TopCounter& o) {
    for (std::uint32_t i = 0; i < o.index_.size(); ++i) add(o.index_.key(i), o.counts_[i]);
    other_ += o.other_;
}

std::uint64_t TopCounter::get(string_view key) const {
    std::uint32_t i = index_.find(key, ArenaStringIndex::hash(key));
    return i == ArenaStringIndex::kNone ? 0 : counts_[i];
}

std::vector<std::pair<std::string, std::uint64_t>> TopCounter::top(std::size_t n) const {
    std::vector<std::pair<std::string, std::uint64_t>> v;
    v.reserve(index_.size());
    for (std::uint32_t i = 0; i < index_.size(); ++i) v.emplace_back(std::string(index_.key(i)), counts_[i]);
    auto cmp = [](const auto& a, const auto& b) { return a.second != b.second ? a.second > b.second : a.first < b.first; };
    if (v.size() > n) {
        std::partial_sort(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(n), v.end(), cmp);
        v.resize(n);
    } else {
        std::sort(v.begin(), v.end(), cmp);
    }
    return v;
}

namespace {
std::size_t bucket_of(std::uint64_t ms) {
    if (ms < 16) return static_cast<std::size_t>(ms);
    int e = 63 - std::countl_zero(ms);
    std::size_t sub = static_cast<std::size_t>((ms >> (e - 4)) & 15);
    return static_cast<std::size_t>(e - 3) * 16 + sub;
}
double bucket_mid_ms(std::size_t i) {
    if (i < 16) return static_cast<double>(i);
    int e = static_cast<int>(i / 16) + 3;
    double lo = static_cast<double>((16 + i % 16) << (e - 4));
    double hi = static_cast<double>((17 + i % 16) << (e - 4));
    return (lo + hi) / 2;
}
} // namespace

void DelayHistogram::add_ms(std::uint64_t ms) {
    ++n_[std::min(bucket_of(ms), kBuckets - 1)];
    ++count_;
    sum_ms_ += ms;
    max_ms_ = std::max(max_ms_, ms);
}

void DelayHistogram::merge(const DelayHistogram& o) {
    for (std::size_t i = 0; i < kBuckets; ++i) n_[i] += o.n_[i];
    count_ += o.count_;
    sum_ms_ += o.sum_ms_;
    max_ms_ = std::max(max_ms_, o.max_ms_);
}

double DelayHistogram::percentile(double p) const {
    if (!count_) return 0;
    auto want = static_cast<std::uint64_t>(std::ceil(p / 100.0 * static_cast<double>(count_)));
    want = std::max<std::uint64_t>(want, 1);
    std::uint64_t seen = 0;
    for (std::size_t i = 0; i < kBuckets; ++i) {
        seen += n_[i];
        if (seen >= want) return std::min(bucket_mid_ms(i), static_cast<double>(max_ms_)) / 1000.0;
    }
    return max();
}

namespace {
constexpr unsigned kSketchBits = 14; // 16 384 registers: ~0.8 % standard error
// The queue-id hashes are FNV: mixed (splitmix64's finalizer) before their bits pick
// a register and a rank.
std::uint64_t mix64(std::uint64_t x) {
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ull;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebull;
    x ^= x >> 31;
    return x;
}
} // namespace

void HashSet64::grow() {
    std::vector<std::uint64_t> old = std::move(slots_);
    slots_.assign(old.empty() ? 1024 : old.size() * 2, 0);
    size_ = 0;
    for (auto h : old)
        if (h) insert(h);
}

void HashSet64::sketch_add(std::uint64_t h) {
    const std::uint64_t x = mix64(h);
    const std::size_t reg = static_cast<std::size_t>(x >> (64 - kSketchBits));
    const std::uint64_t rest = (x << kSketchBits) | (std::uint64_t{1} << (kSketchBits - 1)); // rank <= 51
    const auto rank = static_cast<std::uint8_t>(std::countl_zero(rest) + 1);
    if (sketch_[reg] < rank) sketch_[reg] = rank;
}

void HashSet64::to_sketch() {
    sketch_.assign(std::size_t{1} << kSketchBits, 0);
    for (auto h : slots_)
        if (h) sketch_add(h);
    std::vector<std::uint64_t>().swap(slots_);
    size_ = 0;
}

void HashSet64::insert(std::uint64_t h) {
    if (h == 0) h = 1;
    if (!sketch_.empty()) {
        sketch_add(h);
        return;
    }
    if ((size_ + 1) * 2 > slots_.size()) {
        if (size_ >= cap_) {
            to_sketch();
            sketch_add(h);
            return;
        }
        grow();
    }
    std::size_t mask = slots_.size() - 1;
    for (std::size_t i = static_cast<std::size_t>(h * 0x9E3779B97F4A7C15ull) & mask;; i = (i + 1) & mask) {
        if (slots_[i] == h) return;
        if (slots_[i] == 0) {
            slots_[i] = h;
            ++size_;
            return;
        }
    }
}

void HashSet64::merge(const HashSet64& o) {
    if (!o.sketch_.empty()) {
        if (sketch_.empty()) to_sketch();
        for (std::size_t i = 0; i < sketch_.size(); ++i) sketch_[i] = std::max(sketch_[i], o.sketch_[i]);
        return;
    }
    for (auto h : o.slots_)
        if (h) insert(h);
}

std::size_t HashSet64::size() const {
    if (sketch_.empty()) return size_;
    const double m = static_cast<double>(sketch_.size());
    double sum = 0;
    std::size_t zeros = 0;
    for (auto r : sketch_) {
        sum += std::ldexp(1.0, -static_cast<int>(r));
        zeros += r == 0;
    }
    double e = 0.7213 / (1 + 1.079 / m) * m * m / sum;
    if (e <= 2.5 * m && zeros) e = m * std::log(m / static_cast<double>(zeros));
    return static_cast<std::size_t>(std::llround(e));
}

void LogSummary::merge(LogSummary&& o) {
    lines += o.lines, lines_postfix += o.lines_postfix, lines_other += o.lines_other;
    lines_unparsed += o.lines_unparsed, lines_untimed += o.lines_untimed;
    lines_outside_window += o.lines_outside_window, lines_explained += o.lines_explained, lines_fast += o.lines_fast;
    if (o.first_time && (!first_time || o.first_time < first_time)) first_time = o.first_time;
    if (o.last_time > last_time) last_time = o.last_time;
    connections += o.connections, received_lines += o.received_lines;
    delivered += o.delivered, forwarded += o.forwarded, deferrals += o.deferrals, bounced += o.bounced;
    deferred_ids.merge(o.deferred_ids);
    rejected += o.rejected, content_rejected += o.content_rejected, reject_warnings += o.reject_warnings;
    greylisted_by_us += o.greylisted_by_us, greylisted_by_them += o.greylisted_by_them;
    held += o.held, discarded += o.discarded, expired += o.expired;
    bounce_notifications += o.bounce_notifications, delay_notifications += o.delay_notifications;
    reinjected += o.reinjected, postsuper_deleted += o.postsuper_deleted;
    for (const auto& [h, c] : o.per_hour) per_hour[h].merge(c);
    for (const auto& [d, c] : o.per_domain) {
        auto it = per_domain.find(d);
        if (it == per_domain.end()) {
            if (per_domain.size() >= kMaxDomains) {
                ++domains_dropped;
                continue;
            }
            it = per_domain.emplace(d, DomainCounts{}).first;
        }
        auto& m = it->second;
        m.sent += c.sent, m.deferred += c.deferred, m.bounced += c.bounced, m.delay_ms_sum += c.delay_ms_sum;
        m.delay_ms_max = std::max(m.delay_ms_max, c.delay_ms_max);
    }
    domains_dropped += o.domains_dropped;
    deferral_reasons.merge(o.deferral_reasons);
    bounce_reasons.merge(o.bounce_reasons);
    reject_restrictions.merge(o.reject_restrictions);
    rejected_clients.merge(o.rejected_clients);
    reject_reasons.merge(o.reject_reasons);
    sasl_clients.merge(o.sasl_clients);
    sasl_users.merge(o.sasl_users);
    tls_failures.merge(o.tls_failures);
    tls_peers.merge(o.tls_peers);
    connect_failures.merge(o.connect_failures);
    warnings.merge(o.warnings);
    warning_lines += o.warning_lines, error_lines += o.error_lines, fatal_lines += o.fatal_lines;
    panic_lines += o.panic_lines;
    for (auto& n : o.fatal_panic) fatal_panic.push_back(std::move(n));
    std::sort(fatal_panic.begin(), fatal_panic.end(),
              [](const NotableLine& a, const NotableLine& b) { return a.order < b.order; });
    if (fatal_panic.size() > kMaxNotable)
        fatal_panic.erase(fatal_panic.begin(), fatal_panic.end() - static_cast<std::ptrdiff_t>(kMaxNotable));
    unmatched.merge(o.unmatched);
    for (auto& [k, v] : o.unmatched_examples)
        if (unmatched_examples.size() < 5000) unmatched_examples.emplace(k, std::move(v));
    if (signature_hits.size() < o.signature_hits.size()) signature_hits.resize(o.signature_hits.size());
    for (std::size_t i = 0; i < o.signature_hits.size(); ++i) signature_hits[i] += o.signature_hits[i];
    for (std::size_t i = 0; i < delays.size(); ++i) delays[i].merge(o.delays[i]);
}

// ---- shapes -------------------------------------------------------------------

namespace {
// Character classes of mask_shape, one table look-up per byte.
enum : std::uint16_t {
    M_WORD = 1,    // [A-Za-z0-9._+@-]
    M_DIGIT = 2,
    M_AT = 4,
    M_ALPHA = 8,
    M_HEXUP = 16,  // [0-9A-F]
    M_LOWER = 32,  // [a-z]
    M_VOWEL = 64,  // [aeiouAEIOU]
    M_IPCHAR = 128, // [0-9A-Fa-f.:] inside [ip]
    M_PRINT = 256, // printable ASCII (0x20..0x7e)
};
constexpr std::array<std::uint16_t, 256> make_mask_classes() {
    std::array<std::uint16_t, 256> t{};
    for (int c = 0; c < 256; ++c) {
        std::uint16_t f = 0;
        const bool digit = c >= '0' && c <= '9', up = c >= 'A' && c <= 'Z', low = c >= 'a' && c <= 'z';
        if (digit || up || low || c == '.' || c == '-' || c == '_' || c == '+' || c == '@') f |= M_WORD;
        if (digit) f |= M_DIGIT;
        if (c == '@') f |= M_AT;
        if (up || low) f |= M_ALPHA;
        if (digit || (c >= 'A' && c <= 'F')) f |= M_HEXUP;
        if (low) f |= M_LOWER;
        switch (c) {
        case 'a': case 'e': case 'i': case 'o': case 'u': case 'A': case 'E': case 'I': case 'O': case 'U':
            f |= M_VOWEL;
            break;
        default: break;
        }
        if (digit || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || c == '.' || c == ':') f |= M_IPCHAR;
        if (c >= 0x20 && c <= 0x7e) f |= M_PRINT;
        t[static_cast<std::size_t>(c)] = f;
    }
    return t;
}
constexpr std::array<std::uint16_t, 256> kMaskClass = make_mask_classes();
inline std::uint16_t mcls(char c) { return kMaskClass[static_cast<unsigned char>(c)]; }
} // namespace

void mask_shape(string_view t, std::string& out, bool keep_codes, std::size_t max_len) {
    out.clear();
    const std::size_t n = t.size();
    std::size_t i = 0;
    while (i < n && out.size() < max_len) {
        char c = t[i];
        if (c == '[') { // [ip] or [ip]:port
            std::size_t j = i + 1;
            while (j < n && j - i < 64 && (mcls(t[j]) & M_IPCHAR)) ++j;
            if (j < n && t[j] == ']' && j > i + 1) {
                out += "[IP]";
                i = j + 1;
                continue;
            }
        }
        std::uint16_t f = mcls(c);
        if (!(f & M_WORD)) {
            // A run of other bytes, copied (non-printable ones as '?') up to the next
            // word, '[' or the length limit: the loop above emits one byte per turn.
            const std::size_t room = max_len - out.size();
            std::size_t j = i;
            do {
                out += (f & M_PRINT) ? t[j] : '?';
                ++j;
            } while (j < n && j - i < room && t[j] != '[' && !((f = mcls(t[j])) & M_WORD));
            i = j;
            continue;
        }
        std::size_t j = i;
        unsigned any = 0, all = M_HEXUP;
        do {
            any |= f;
            all &= f;
            ++j;
        } while (j < n && ((f = mcls(t[j])) & M_WORD));
        string_view w = t.substr(i, j - i);
        i = j;
        const bool digit = any & M_DIGIT, alpha = any & M_ALPHA, hex_upper = all & M_HEXUP;
        if (any & M_AT) {
            out += "ADDR";
        } else if (digit && alpha && ((hex_upper && w.size() >= 8 && w.size() <= 24) ||
                                      ((any & (M_VOWEL | M_LOWER)) == M_LOWER && w.size() >= 12 && w.size() <= 24 &&
                                       w.find('.') == string_view::npos && w.find('-') == string_view::npos))) {
            out += "QID";
        } else if (!digit) {
            out += w;
        } else if (keep_codes && ((w.size() == 3 && w[0] >= '2' && w[0] <= '5' && is_digit(w[1]) && is_digit(w[2])) ||
                                  (w.size() >= 5 && w.size() <= 9 && w[1] == '.' && (w[0] == '2' || w[0] == '4' || w[0] == '5')) ||
                                  (w.size() >= 9 && w.size() <= 13 && w[3] == '-' && w[5] == '.' && w[0] >= '2' && w[0] <= '5'))) {
            out += w;
        } else {
            for (std::size_t k = 0; k < w.size();) {
                if (is_digit(w[k])) {
                    out += 'N';
                    while (k < w.size() && is_digit(w[k])) ++k;
                } else {
                    std::size_t e = k + 1;
                    while (e < w.size() && !is_digit(w[e])) ++e;
                    out.append(w.data() + k, e - k);
                    k = e;
                }
            }
        }
    }
    if (out.size() >= max_len) {
        out.resize(max_len);
        out += "...";
    }
}

// ---- the scanner ---------------------------------------------------------------

struct LogScanner::Fast {
    std::array<std::vector<int>, F_COUNT> sigs; // signature indices; empty = leave to the RE2 set
};

LogScanner::LogScanner(std::shared_ptr<const SignatureSet> sigs, const ScanOptions& opt)
    : sigs_(std::move(sigs)), opt_(opt), fast_(std::make_unique<Fast>()) {
    if (!sigs_) return;
    sum_.signature_hits.assign(sigs_->signatures().size(), 0);
    std::vector<int> idx;
    for (std::size_t f = 0; f < F_COUNT; ++f) {
        std::vector<int> want;
        for (const char* id : {kFast[f].sig, kFast[f].sig2})
            if (id)
                if (const Signature* s = sigs_->find(id)) want.push_back(static_cast<int>(s - sigs_->signatures().data()));
        std::sort(want.begin(), want.end());
        // The fast path names signatures only while the knowledge still agrees that
        // this shape is exactly those and nothing more specific.
        sigs_->match_indices_each(kFast[f].program, kFast[f].example, idx);
        if (!want.empty() && idx == want) fast_->sigs[f] = want;
    }
}

LogScanner::~LogScanner() = default;

void LogScanner::scan_chunk(const LogChunk& chunk) {
    const std::uint64_t base = (static_cast<std::uint64_t>(chunk.input) << 44) + chunk.offset;
    const char* start = chunk.text.data();
    for_each_line(chunk.text, [&](string_view line) {
        scan_line(line, chunk.reference, base + static_cast<std::uint64_t>(line.data() - start));
    });
}

void LogScanner::scan_line(string_view line, engine::TimePoint reference, std::uint64_t order) {
    LogSummary& s = sum_;
    ++s.lines;
    if (line.empty()) {
        ++s.lines_unparsed;
        return;
    }
    SyslogLine l = parse_syslog_line(line, reference, cache_);
    std::int64_t hour = INT64_MIN;
    if (l.time) {
        if (opt_.window.bounded() && !opt_.window.contains(*l.time)) {
            ++s.lines_outside_window;
            return;
        }
        std::int64_t t = l.time->time_since_epoch().count();
        if (!s.first_time || t < s.first_time) s.first_time = t;
        if (t > s.last_time) s.last_time = t;
        hour = t >= 0 ? t / 3600 : (t - 3599) / 3600;
    } else {
        ++s.lines_untimed;
    }
    if (l.kind == LineKind::Other) {
        ++s.lines_other;
        return;
    }
    if (l.kind == LineKind::Unparsed) {
        ++s.lines_unparsed;
        return;
    }
    ++s.lines_postfix;
    key_ready_ = false;
    int f = classify(l, hour, order, line);
    if (f >= 0 && !fast_->sigs[static_cast<std::size_t>(f)].empty()) {
        ++s.lines_explained;
        ++s.lines_fast;
        for (int i : fast_->sigs[static_cast<std::size_t>(f)]) ++s.signature_hits[static_cast<std::size_t>(i)];
        return;
    }
    if (!sigs_) return;
    // Per thread: ~30 000 shapes (a 1 GiB benchmark log has ~25 000-32 000; 4 MiB held
    // ~16 500 in the unordered_map, and every later new shape cost an RE2 set match).
    constexpr std::size_t kMemoKey = 1000, kMemoBytes = 8u << 20;
    bool memo_ok = true;
    if (!key_ready_) {
        key_.assign(l.program);
        key_ += '\t';
        mask_shape(l.message, shape_, true, kMemoKey);
        key_ += shape_;
        memo_ok = shape_.size() <= kMemoKey;
    }
    key_ready_ = false;
    const int* hits = nullptr;
    std::size_t n_hits = 0;
    const std::uint64_t h = memo_ok ? ArenaStringIndex::hash(key_) : 0;
    const std::uint32_t m = memo_ok ? memo_.find(key_, h) : ArenaStringIndex::kNone;
    if (m != ArenaStringIndex::kNone) {
        hits = memo_hits_.data() + memo_at_[m].off;
        n_hits = memo_at_[m].len;
    } else {
        sigs_->match_indices(l.program, l.message, idx_);
        const std::size_t cost = ArenaStringIndex::cost(key_.size()) + sizeof(MemoHits) + idx_.size() * sizeof(int);
        if (memo_ok && memo_bytes_ + cost <= kMemoBytes) {
            if (memo_.size() == 0) memo_.reserve_keys(kMemoBytes / 2); // no copy per doubling early on
            if (memo_.insert(key_, h) != ArenaStringIndex::kNone) {
                memo_bytes_ += cost;
                memo_at_.push_back({static_cast<std::uint32_t>(memo_hits_.size()), static_cast<std::uint32_t>(idx_.size())});
                memo_hits_.insert(memo_hits_.end(), idx_.begin(), idx_.end());
            }
        }
        hits = idx_.data();
        n_hits = idx_.size();
    }
    if (n_hits) {
        ++s.lines_explained;
        for (std::size_t k = 0; k < n_hits; ++k) ++s.signature_hits[static_cast<std::size_t>(hits[k])];
        return;
    }
    if (!opt_.collect_unmatched) return;
    scratch_.assign(l.program);
    scratch_ += ": ";
    std::string shape;
    mask_shape(l.message, shape, false, 160);
    scratch_ += shape;
    s.unmatched.add(scratch_);
    if (s.unmatched_examples.size() < 5000 && s.unmatched_examples.find(scratch_) == s.unmatched_examples.end())
        s.unmatched_examples.emplace(scratch_, engine::printable(std::string(line), 400));
}

std::string LogScanner::fast_signature(string_view line, engine::TimePoint reference) {
    SyslogLine l = parse_syslog_line(line, reference, cache_);
    if (l.kind != LineKind::Postfix) return "";
    LogSummary saved = std::move(sum_);
    sum_ = LogSummary{};
    sum_.signature_hits.assign(saved.signature_hits.size(), 0);
    // The per-hour pointer cache points into a summary: it must not outlive the swap.
    last_traffic_ = nullptr;
    last_hour_ = INT64_MIN;
    int f = classify(l, 0, 0, line);
    sum_ = std::move(saved);
    last_traffic_ = nullptr;
    last_hour_ = INT64_MIN;
    std::string ids;
    if (f >= 0)
        for (int i : fast_->sigs[static_cast<std::size_t>(f)]) {
            if (!ids.empty()) ids += ' ';
            ids += sigs_->signatures()[static_cast<std::size_t>(i)].id;
        }
    return ids;
}

// Counts one Postfix line; returns the fast shape (FastId) it has, or -1 for the RE2 set.
int LogScanner::classify(const SyslogLine& l, std::int64_t hour, std::uint64_t order, string_view raw) {
    LogSummary& s = sum_;
    const Prog prog = program_of(l.program);
    string_view msg = l.message;
    string_view qid = l.queue_id;
    string_view b = qid.empty() ? msg : msg.substr(qid.size() + 2);
    auto traffic = [&]() -> TrafficCounts& {
        static thread_local TrafficCounts sink;
        if (hour == INT64_MIN) return sink = TrafficCounts{};
        if (hour != last_hour_ || !last_traffic_) {
            last_traffic_ = &s.per_hour[hour];
            last_hour_ = hour;
        }
        return *last_traffic_;
    };
    auto qid_hash = [&] { return fnv(qid, fnv(l.host)); };

    // ---- the routine shapes --------------------------------------------------
    switch (prog) {
    case Prog::Smtpd:
        if (qid.empty()) {
            if (starts(b, "connect from ")) {
                ++s.connections;
                return F_CONNECT;
            }
            if (starts(b, "disconnect from ")) {
                // "auth=0/1" and friends are failed commands: a more specific signature.
                return has_failed_counter(b) ? F_DISCONNECT_FAILED : F_DISCONNECT;
            }
            if (b.size() > 40 && (b[0] == 'A' || b[0] == 'U' || b[0] == 'T' || b[0] == 'V')) {
                auto sp = b.find(' ');
                if (sp != string_view::npos && is_tls_trust(b.substr(0, sp)) &&
                    starts(b.substr(sp + 1), "TLS connection established from "))
                    return F_TLS_IN;
            }
            if (starts(b, "lost connection after ") && contains(b, " from ")) return F_LOST_CONN;
        } else if (starts(b, "client=")) {
            ++s.received_lines;
            ++traffic().received;
            return contains(b, ", sasl_") ? F_CLIENT_SASL : F_CLIENT;
        }
        break;
    case Prog::Cleanup:
        if (!qid.empty() && starts(b, "message-id=")) return F_MSGID;
        break;
    case Prog::Qmgr:
        if (!qid.empty()) {
            if (eq(b, "removed")) return F_REMOVED;
            if (starts(b, "from=<") && b.back() == ')' && contains(b, ", nrcpt=") && contains(b, "(queue active)"))
                return F_ACTIVE;
            if (starts(b, "from=<") && contains(b, ", status=expired, returned to sender")) {
                ++s.expired;
                return -1;
            }
            if (starts(b, "from=<") && contains(b, ", status=force-expired, returned to sender")) {
                ++s.expired;
                return -1;
            }
        }
        break;
    case Prog::Pickup:
        if (!qid.empty() && starts(b, "uid=")) {
            ++s.received_lines;
            ++traffic().received;
            return F_PICKUP;
        }
        break;
    case Prog::Bounce:
        if (!qid.empty() && starts(b, "sender non-delivery notification: ")) {
            ++s.bounce_notifications;
            return F_NDR;
        }
        if (!qid.empty() && starts(b, "sender delay notification: ")) ++s.delay_notifications;
        break;
    default: break;
    }

    if (is_delivery_agent(prog) && !qid.empty() && starts(b, "to=<")) {
        Delivery d;
        if (parse_delivery(b, d)) {
            scratch2_.clear();
            for (char c : d.domain.substr(0, 255)) scratch2_ += lower(c);
            if (scratch2_.empty()) scratch2_ = prog == Prog::Local ? "(local)" : "(none)";
            DomainCounts* dc = nullptr;
            auto it = s.per_domain.find(std::string_view(scratch2_));
            if (it != s.per_domain.end()) dc = &it->second;
            else if (s.per_domain.size() < LogSummary::kMaxDomains) dc = &s.per_domain.emplace(scratch2_, DomainCounts{}).first->second;
            else ++s.domains_dropped;
            int fsig = -1;
            if (eq(d.status, "sent")) {
                if (contains(d.reason, "queued as ") && loopback_relay(d.relay) && (prog == Prog::Smtp || prog == Prog::Lmtp)) {
                    ++s.reinjected; // the filter's re-injection is counted as received: not twice
                } else {
                    ++s.delivered;
                    ++traffic().delivered;
                    if (prog == Prog::Local && starts(d.reason, "forwarded as ")) ++s.forwarded;
                    std::uint64_t ms = parse_ms(d.delay);
                    if (dc) {
                        ++dc->sent;
                        dc->delay_ms_sum += ms;
                        dc->delay_ms_max = std::max(dc->delay_ms_max, ms);
                    }
                    s.delays[0].add_ms(ms);
                    string_view parts = d.delays;
                    for (std::size_t k = 1; k <= 4 && !parts.empty(); ++k) {
                        auto slash = parts.find('/');
                        s.delays[k].add_ms(parse_ms(parts.substr(0, slash)));
                        parts = slash == string_view::npos ? string_view{} : parts.substr(slash + 1);
                    }
                }
                switch (prog) {
                case Prog::Smtp: fsig = F_SENT_SMTP; break;
                case Prog::Lmtp: fsig = F_SENT_LMTP; break;
                case Prog::Local: fsig = F_SENT_LOCAL; break;
                case Prog::Virtual: fsig = F_SENT_VIRTUAL; break;
                case Prog::Pipe: fsig = F_SENT_PIPE; break;
                case Prog::Discard: fsig = F_SENT_DISCARD; break;
                default: break;
                }
            } else if (eq(d.status, "deferred") || eq(d.status, "bounced")) {
                const bool deferred = eq(d.status, "deferred");
                if (deferred) {
                    ++s.deferrals;
                    ++traffic().deferred;
                    s.deferred_ids.insert(qid_hash());
                    if (dc) ++dc->deferred;
                    if (is_greylisting(d.reason)) ++s.greylisted_by_them;
                } else {
                    ++s.bounced;
                    ++traffic().bounced;
                    if (dc) ++dc->bounced;
                }
                // One masking serves the reason list and the memo key of the set.
                mask_shape(d.reason, shape_, true, 1000);
                const bool cut = shape_.size() > 1000;
                scratch2_ += '\t';
                scratch2_.append(shape_, 0, std::min<std::size_t>(shape_.size(), 120));
                if (shape_.size() > 120) scratch2_ += "...";
                (deferred ? s.deferral_reasons : s.bounce_reasons).add(scratch2_);
                if (!cut && d.orig_to.empty()) {
                    // The signatures read a delivery line's structure (to=, relay=, status=) and
                    // its reason; delay= and delays= never decide a match, so they stay out.
                    key_.assign(l.program);
                    key_ += "\tdelivery\t";
                    key_ += d.status;
                    key_ += '\t';
                    key_ += d.dsn;
                    key_ += '\t';
                    mask_shape(d.relay, scratch_, true, 200);
                    key_ += scratch_;
                    key_ += d.recipient.find('@') == string_view::npos ? "\tlocal\t" : "\taddr\t";
                    key_ += shape_;
                    key_ready_ = true;
                }
                fsig = deferred ? F_DEFERRED : F_BOUNCED;
            }
            // Deferrals and bounces with a known cause have more specific signatures:
            // leave those to the set so their hits are counted.
            if (fsig >= 0 && !eq(d.status, "sent")) return -1;
            return fsig;
        }
    }

    if (prog == Prog::Smtp || prog == Prog::Lmtp) {
        if (b.size() > 40 && (b[0] == 'A' || b[0] == 'U' || b[0] == 'T' || b[0] == 'V')) {
            auto sp = b.find(' ');
            if (sp != string_view::npos && is_tls_trust(b.substr(0, sp)) &&
                starts(b.substr(sp + 1), "TLS connection established to "))
                return F_TLS_OUT;
        }
        if (starts(b, "connect to ")) {
            auto colon = b.find("]:", 11);
            auto end = b.find(": ", colon == string_view::npos ? 11 : colon + 2);
            if (end != string_view::npos) s.connect_failures.add(b.substr(11, std::min<std::size_t>(end - 11, 200)));
        }
    }

    // ---- everything else: counted here, explained by the signature set -------
    string_view w = b;
    std::string& shape = shape_;
    if (starts(w, "warning: ")) {
        ++s.warning_lines;
        mask_shape(w.substr(9), shape, false, 100);
        scratch2_.assign(l.program);
        scratch2_ += '\t';
        scratch2_ += shape;
        s.warnings.add(scratch2_);
        // SASL: "warning: host[ip]: SASL LOGIN authentication failed: reason[, sasl_username=user]"
        if (prog == Prog::Smtpd && contains(w, ": SASL ") && contains(w, " authentication failed")) {
            string_view ip = bracket_ip(w.substr(9, w.find(": SASL ")));
            s.sasl_clients.add(ip.empty() ? "unknown" : ip.substr(0, 64));
            auto u = w.find("sasl_username=");
            if (u != string_view::npos) {
                string_view user = w.substr(u + 14, 128);
                scratch2_.clear();
                for (char c : user) scratch2_ += lower(c);
                s.sasl_users.add(scratch2_);
            }
        }
    } else if (starts(w, "fatal: ") || starts(w, "panic: ")) {
        (w[0] == 'f' ? s.fatal_lines : s.panic_lines)++;
        NotableLine n;
        n.time = hour == INT64_MIN ? 0 : l.time->time_since_epoch().count();
        n.order = order;
        n.text = engine::printable(std::string(raw), 400);
        s.fatal_panic.push_back(std::move(n));
        if (s.fatal_panic.size() > 2 * LogSummary::kMaxNotable)
            s.fatal_panic.erase(s.fatal_panic.begin(), s.fatal_panic.begin() + LogSummary::kMaxNotable);
    } else if (starts(w, "error: ")) {
        ++s.error_lines;
    }

    // TLS failures.
    if (contains(w, "TLS") || contains(w, "SSL") || contains(w, "certificate")) {
        string_view what;
        if (contains(w, "TLS library problem: ")) what = w.substr(w.find("TLS library problem: "));
        else if (starts(w, "SSL_accept error from ") || starts(w, "SSL_connect error to ")) what = w;
        else if (contains(w, "Cannot start TLS: ")) what = w.substr(w.find("Cannot start TLS: "));
        else if (contains(w, "TLS is required, but ")) what = w.substr(w.find("TLS is required, but "));
        else if (starts(w, "certificate verification failed for ")) what = w;
        else if (contains(w, "Server certificate not ")) what = w.substr(w.find("Server certificate not "));
        else if (starts(w, "warning: cannot get ") && contains(w, "disabling TLS")) what = w.substr(9);
        else if (contains(w, "TLS context initialization failed")) what = w;
        if (!what.empty()) {
            mask_shape(what, shape, false, 120);
            scratch2_.assign(l.program);
            scratch2_ += '\t';
            scratch2_ += shape;
            s.tls_failures.add(scratch2_);
            string_view peer;
            if (auto p = w.find(" from "); p != string_view::npos && starts(w, "SSL_accept")) peer = bracket_ip(w.substr(p));
            else if (auto q = w.find(" to "); q != string_view::npos && starts(w, "SSL_connect")) peer = w.substr(q + 4, w.find(':', q + 4) - q - 4);
            else if (auto c = w.find("for "); c != string_view::npos && starts(w, "certificate verification")) peer = w.substr(c + 4, w.find(':', c + 4) - c - 4);
            else if (auto h = w.find("host "); h != string_view::npos) peer = w.substr(h + 5, std::min(w.find(' ', h + 5), w.size()) - h - 5);
            if (!peer.empty()) s.tls_peers.add(peer.substr(0, 200));
        }
    }

    // Rejects and access actions (smtpd, postscreen: "NOQUEUE: reject: ..."; cleanup: "QID: reject: header ...").
    auto action_at = [&](string_view a) { return starts(b, a); };
    if (prog == Prog::Smtpd || prog == Prog::Postscreen || prog == Prog::Cleanup) {
        string_view body = b;
        if (starts(msg, "NOQUEUE: ")) body = msg.substr(9);
        bool reject = starts(body, "reject: ") || (prog == Prog::Cleanup && starts(body, "milter-reject: ")) ||
                      (prog == Prog::Smtpd && starts(body, "milter-reject: "));
        if (reject) {
            string_view rest = body.substr(body.find(": ") + 2);
            // "RCPT from host[ip]: 554 5.7.1 <...>: Relay access denied; from=<> to=<> proto=ESMTP helo=<x>"
            string_view ip;
            string_view reply = rest;
            if (auto fr = rest.find(" from "); fr != string_view::npos && fr < 40) {
                auto colon = rest.find(": ", fr);
                if (colon != string_view::npos) {
                    ip = bracket_ip(rest.substr(fr + 6, colon - fr - 6));
                    reply = rest.substr(colon + 2);
                }
            }
            bool temp = !reply.empty() && reply[0] == '4';
            if (prog != Prog::Cleanup && temp && is_greylisting(reply)) {
                ++s.greylisted_by_us;
            } else {
                ++s.rejected;
                ++traffic().rejected;
                std::string r;
                if (prog == Prog::Cleanup || (!qid.empty() && starts(rest, "END-OF-MESSAGE"))) {
                    r = starts(body, "milter-reject") ? "milter" : starts(rest, "header ") ? "header_checks"
                        : starts(rest, "body ") ? "body_checks" : "cleanup";
                    if (!qid.empty()) ++s.content_rejected; // counted at client=, never queued
                } else if (starts(body, "milter-reject")) {
                    r = "milter";
                } else {
                    r = restriction_of(reply);
                }
                s.reject_restrictions.add(r);
                if (!ip.empty()) s.rejected_clients.add(ip.substr(0, 64));
                auto semi = reply.find("; from=<");
                mask_shape(reply.substr(0, semi), shape, true, 120);
                r += '\t';
                r += shape;
                s.reject_reasons.add(r);
            }
        } else if (starts(body, "reject_warning: ")) {
            ++s.reject_warnings;
        } else if (starts(body, "hold: ")) {
            ++s.held;
        } else if (starts(body, "discard: ")) {
            ++s.discarded;
        }
    }
    if (prog == Prog::Postsuper && !qid.empty()) {
        if (action_at("placed on hold")) ++s.held;
        else if (action_at("removed")) ++s.postsuper_deleted;
    }
    return -1;
}

// ---- the scan -------------------------------------------------------------------

LogSummary scan_logs(LogReader& reader, std::shared_ptr<const SignatureSet> sigs, const ScanOptions& opt,
                     const std::function<void(std::uint64_t)>& progress) {
    unsigned workers = opt.threads ? opt.threads : std::max(1u, std::min(2u, std::thread::hardware_concurrency()));
    std::vector<std::unique_ptr<LogScanner>> scanners;
    for (unsigned w = 0; w < workers; ++w) scanners.push_back(std::make_unique<LogScanner>(sigs, opt));
    if (workers == 1) {
        LogChunk c;
        while (reader.next(c)) {
            scanners[0]->scan_chunk(c);
            if (progress) progress(reader.stats().bytes);
        }
    } else {
        reader.run_parallel(workers, [&](const LogChunk& c, unsigned w) { scanners[w]->scan_chunk(c); }, progress);
    }
    LogSummary out = std::move(scanners[0]->summary());
    for (unsigned w = 1; w < workers; ++w) out.merge(std::move(scanners[w]->summary()));
    // The newest kMaxNotable fatal/panic lines, as merge() keeps them: a scanner holds up
    // to twice that, so one thread used to list more lines (22) than two threads (20).
    std::sort(out.fatal_panic.begin(), out.fatal_panic.end(),
              [](const NotableLine& a, const NotableLine& b) { return a.order < b.order; });
    if (out.fatal_panic.size() > LogSummary::kMaxNotable)
        out.fatal_panic.erase(out.fatal_panic.begin(),
                              out.fatal_panic.end() - static_cast<std::ptrdiff_t>(LogSummary::kMaxNotable));
    return out;
}

// ---- JSON -------------------------------------------------------------------------

nlohmann::json summary_json(const LogSummary& s, const SignatureSet* sigs, std::size_t top) {
    using nlohmann::json;
    auto iso = [](std::int64_t t) {
        return t ? engine::format_time(engine::TimePoint{std::chrono::seconds{t}}) : std::string();
    };
    auto pairs = [&](const TopCounter& c, const char* k1, std::size_t n) {
        json a = json::array();
        for (const auto& [k, v] : c.top(n)) {
            auto tab = k.find('\t');
            if (tab == std::string::npos) a.push_back({{k1, k}, {"count", v}});
            else a.push_back({{k1, k.substr(0, tab)}, {"text", k.substr(tab + 1)}, {"count", v}});
        }
        return a;
    };
    json j;
    j["period"] = {{"first", iso(s.first_time)}, {"last", iso(s.last_time)}};
    j["lines"] = {{"total", s.lines}, {"postfix", s.lines_postfix}, {"other_programs", s.lines_other},
                  {"unparsed", s.lines_unparsed}, {"untimed", s.lines_untimed},
                  {"outside_window", s.lines_outside_window}, {"explained", s.lines_explained},
                  {"explained_share", s.explained_share()}};
    j["totals"] = {{"received", s.received()}, {"received_lines", s.received_lines}, {"delivered", s.delivered},
                   {"forwarded", s.forwarded}, {"deferred", s.deferred_messages()}, {"deferrals", s.deferrals},
                   {"bounced", s.bounced}, {"rejected", s.rejected}, {"content_rejected", s.content_rejected},
                   {"reject_warnings", s.reject_warnings}, {"greylisted_by_us", s.greylisted_by_us},
                   {"greylisted_by_them", s.greylisted_by_them}, {"held", s.held}, {"discarded", s.discarded},
                   {"expired", s.expired}, {"bounce_notifications", s.bounce_notifications},
                   {"delay_notifications", s.delay_notifications}, {"reinjected", s.reinjected},
                   {"postsuper_deleted", s.postsuper_deleted}, {"connections", s.connections},
                   {"deferred_count_saturated", s.deferred_ids.saturated()}};
    json hours = json::array();
    std::map<std::int64_t, TrafficCounts> days;
    for (const auto& [h, c] : s.per_hour) {
        hours.push_back({{"hour", iso(h * 3600)}, {"received", c.received}, {"delivered", c.delivered},
                         {"deferred", c.deferred}, {"bounced", c.bounced}, {"rejected", c.rejected}});
        days[h >= 0 ? h / 24 : (h - 23) / 24].merge(c);
    }
    json dj = json::array();
    for (const auto& [d, c] : days)
        dj.push_back({{"day", iso(d * 86400).substr(0, 10)}, {"received", c.received}, {"delivered", c.delivered},
                      {"deferred", c.deferred}, {"bounced", c.bounced}, {"rejected", c.rejected}});
    j["per_hour"] = hours;
    j["per_day"] = dj;
    j["deferral_reasons"] = pairs(s.deferral_reasons, "domain", top);
    j["bounce_reasons"] = pairs(s.bounce_reasons, "domain", top);
    j["reject_restrictions"] = pairs(s.reject_restrictions, "restriction", top);
    j["reject_reasons"] = pairs(s.reject_reasons, "restriction", top);
    j["rejected_clients"] = pairs(s.rejected_clients, "client", top);
    j["sasl_failures"] = {{"by_client", pairs(s.sasl_clients, "client", top)}, {"by_user", pairs(s.sasl_users, "user", top)}};
    j["tls_failures"] = {{"by_kind", pairs(s.tls_failures, "program", top)}, {"by_peer", pairs(s.tls_peers, "peer", top)}};
    j["connect_failures"] = pairs(s.connect_failures, "remote", top);
    j["warnings"] = {{"lines", s.warning_lines}, {"errors", s.error_lines}, {"fatal", s.fatal_lines},
                     {"panic", s.panic_lines}, {"top", pairs(s.warnings, "program", top)}};
    json fp = json::array();
    for (const auto& n : s.fatal_panic) fp.push_back({{"time", iso(n.time)}, {"line", n.text}});
    j["fatal_panic"] = fp;
    static const char* part_names[5] = {"total", "before_queue_manager", "in_queue_manager", "connection_setup",
                                        "transmission"};
    json dl;
    for (std::size_t i = 0; i < 5; ++i)
        dl[part_names[i]] = {{"count", s.delays[i].count()}, {"p50", s.delays[i].percentile(50)},
                             {"p90", s.delays[i].percentile(90)}, {"p99", s.delays[i].percentile(99)},
                             {"max", s.delays[i].max()}, {"mean", s.delays[i].mean()}};
    j["delays_seconds"] = dl;
    std::vector<std::pair<std::string, const DomainCounts*>> doms;
    for (const auto& [d, c] : s.per_domain) doms.emplace_back(d, &c);
    std::sort(doms.begin(), doms.end(), [](const auto& a, const auto& b) {
        auto ta = a.second->deferred + a.second->bounced, tb = b.second->deferred + b.second->bounced;
        return ta != tb ? ta > tb : a.first < b.first;
    });
    json dom = json::array();
    for (std::size_t i = 0; i < doms.size() && i < top * 2; ++i) {
        const auto& c = *doms[i].second;
        dom.push_back({{"domain", doms[i].first}, {"sent", c.sent}, {"deferred", c.deferred}, {"bounced", c.bounced},
                       {"avg_delay", c.sent ? static_cast<double>(c.delay_ms_sum) / 1000.0 / static_cast<double>(c.sent) : 0.0},
                       {"max_delay", static_cast<double>(c.delay_ms_max) / 1000.0}});
    }
    j["domains"] = dom;
    json um = json::array();
    for (const auto& [k, v] : s.unmatched.top(top)) {
        auto ex = s.unmatched_examples.find(k);
        um.push_back({{"shape", k}, {"count", v}, {"example", ex == s.unmatched_examples.end() ? "" : ex->second}});
    }
    j["unmatched"] = um;
    if (sigs) {
        json hits = json::object();
        for (std::size_t i = 0; i < s.signature_hits.size() && i < sigs->signatures().size(); ++i)
            if (s.signature_hits[i]) hits[sigs->signatures()[i].id] = s.signature_hits[i];
        j["signature_hits"] = hits;
    }
    return j;
}

} // namespace pft::probes
