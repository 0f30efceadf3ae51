// log_history.cpp - follows queue ids through the log in time order, links bounce
// notifications, content-filter re-injections and before-queue proxy sessions, and
// keeps memory bounded by evicting the least recently active open messages.
// It never reads files itself: the caller feeds parsed lines (log_reader).
#include "probes/log_history.hpp"

#include "engine/fact.hpp"

#include <algorithm>
#include <set>

namespace pft::probes {

namespace {

using std::string_view;

bool starts(string_view s, string_view p) { return s.size() >= p.size() && s.compare(0, p.size(), p) == 0; }
bool contains(string_view s, string_view p) { return s.find(p) != string_view::npos; }

std::string norm_addr(string_view a) {
    while (!a.empty() && (a.front() == '<' || a.front() == ' ')) a.remove_prefix(1);
    while (!a.empty() && (a.back() == '>' || a.back() == ' ')) a.remove_suffix(1);
    std::string out(a.substr(0, 512));
    for (auto& c : out)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return out;
}

// The value of "key=<value>" in text (without the brackets).
string_view angle_value(string_view text, string_view key) {
    auto p = text.find(key);
    if (p == string_view::npos) return {};
    p += key.size();
    if (p < text.size() && text[p] == '<') {
        auto e = text.find('>', p);
        if (e == string_view::npos) return {};
        return text.substr(p + 1, e - p - 1);
    }
    auto e = text.find_first_of(", ", p);
    return text.substr(p, e == string_view::npos ? string_view::npos : e - p);
}

// The queue id after "queued as " (up to a space, ';' or ')').
string_view queued_as(string_view text) {
    auto p = text.find("queued as ");
    if (p == string_view::npos) return {};
    string_view r = text.substr(p + 10);
    auto e = r.find_first_of(" ;)");
    r = r.substr(0, e);
    if (r.size() < 5 || r.size() > 24) return {};
    for (char c : r)
        if (!std::isalnum(static_cast<unsigned char>(c))) return {};
    return r;
}

bool loopback(string_view relay) {
    return contains(relay, "[127.") || contains(relay, "[::1]") || starts(relay, "127.") || starts(relay, "localhost");
}

} // namespace

std::string MessageHistory::status() const {
    if (rejected) return "rejected";
    if (expired) return "expired, returned to sender";
    std::string s;
    auto add = [&](int n, const char* what) {
        if (!n) return;
        if (!s.empty()) s += ", ";
        s += what;
        if (delivered + bounced + deferred > 1 && n != delivered + bounced) s += " " + std::to_string(n);
    };
    add(delivered, "delivered");
    add(bounced, "bounced");
    if (!children.empty() && delivered == 0 && bounced == 0)
        for (const auto& [kind, id] : children)
            if (kind == "re-injected") s = "handed to a content filter";
    if (!removed) {
        if (deferred) s += s.empty() ? "deferred, still queued" : " (others deferred, still queued)";
        else if (s.empty()) s = "open (no 'removed' line)";
    } else if (s.empty()) {
        s = deferred ? "removed after deferrals" : "removed";
    }
    if (evicted) s += " [history cut: evicted]";
    return s;
}

struct HistoryTracker::Impl {
    struct Open {
        MessageHistory h;
        std::uint64_t touched = 0;
        std::size_t bytes = 0;
        bool matched = false, wanted = false;
    };
    struct Session {
        std::vector<std::string> lines;
        std::string client;
    };

    HistoryQuery q;
    HistoryLimits lim;
    HistoryStats* stats = nullptr;
    std::set<std::string> q_ids, q_msgids, q_from, q_to;
    std::unordered_map<std::string, Open> open;
    std::deque<std::pair<std::uint64_t, std::string>> lru;
    std::size_t bytes = 0;
    std::uint64_t seq = 0;
    std::unordered_map<std::string, Session> sessions;
    std::deque<MessageHistory> recent;
    std::unordered_map<std::string, std::pair<std::string, std::string>> pending_parent;
    std::vector<MessageHistory> results;
    std::set<std::string> emitted;

    static std::string key_of(string_view host, string_view qid) {
        std::string k(host);
        k += '\0';
        k += qid;
        return k;
    }

    void emit(const MessageHistory& h) {
        if (!emitted.insert(key_of(h.host, h.queue_id)).second) return;
        if (results.size() < lim.max_results) results.push_back(h);
    }

    MessageHistory* find_recent(const std::string& host, string_view qid) {
        for (auto it = recent.rbegin(); it != recent.rend(); ++it)
            if (it->queue_id == qid && it->host == host) return &*it;
        return nullptr;
    }

    void close(const std::string& key, bool evicted) {
        auto it = open.find(key);
        if (it == open.end()) return;
        Open o = std::move(it->second);
        open.erase(it);
        bytes -= std::min(bytes, o.bytes);
        o.h.evicted = evicted;
        if (evicted) ++stats->evicted;
        else ++stats->closed;
        if (o.matched || o.wanted) {
            emit(o.h);
            for (const auto& [kind, child] : o.h.children) {
                auto c = open.find(key_of(o.h.host, child));
                if (c != open.end()) c->second.wanted = true;
                else if (auto* r = find_recent(o.h.host, child)) emit(*r);
            }
            if (!o.h.parent.empty()) {
                auto p = open.find(key_of(o.h.host, o.h.parent));
                if (p != open.end()) p->second.wanted = true;
                else if (auto* r = find_recent(o.h.host, o.h.parent)) emit(*r);
            }
            return;
        }
        if (evicted) return;
        recent.push_back(std::move(o.h));
        if (recent.size() > lim.recent_closed) recent.pop_front();
    }

    void link(Open& parent, string_view child, const char* kind) {
        parent.h.children.emplace_back(kind, std::string(child));
        std::string ck = key_of(parent.h.host, child);
        auto c = open.find(ck);
        if (c != open.end()) {
            c->second.h.parent = parent.h.queue_id;
            c->second.h.parent_kind = kind;
            if (parent.matched || parent.wanted) c->second.wanted = true;
            if (c->second.matched) parent.wanted = true;
        } else if (auto* r = find_recent(parent.h.host, child)) {
            r->parent = parent.h.queue_id;
            r->parent_kind = kind;
            if (parent.matched || parent.wanted) emit(*r);
        } else {
            if (pending_parent.size() > 100000) pending_parent.clear();
            pending_parent[ck] = {parent.h.queue_id, kind};
        }
    }

    void append(Open& o, std::string_view raw) {
        if (o.h.lines.size() >= lim.max_lines_per_message) {
            o.h.truncated = true;
            ++stats->lines_dropped;
            return;
        }
        std::string line = engine::printable(raw, lim.max_line);
        o.bytes += line.size() + 48;
        bytes += line.size() + 48;
        o.h.lines.push_back(std::move(line));
    }

    bool match_addr(const std::set<std::string>& set, string_view a) const {
        return !set.empty() && set.count(norm_addr(a));
    }

    void evict_if_needed() {
        while ((open.size() > lim.max_open || bytes > lim.max_bytes) && !lru.empty()) {
            auto [s, k] = std::move(lru.front());
            lru.pop_front();
            auto it = open.find(k);
            if (it != open.end() && it->second.touched == s) close(k, true);
        }
        if (lru.size() > 4 * open.size() + 4096) {
            std::deque<std::pair<std::uint64_t, std::string>> fresh;
            for (auto& e : lru) {
                auto it = open.find(e.second);
                if (it != open.end() && it->second.touched == e.first) fresh.push_back(std::move(e));
            }
            lru.swap(fresh);
        }
    }
};

HistoryTracker::HistoryTracker(HistoryQuery q, HistoryLimits lim) : impl_(std::make_unique<Impl>()) {
    impl_->q = std::move(q);
    impl_->lim = lim;
    impl_->stats = &stats_;
    for (const auto& s : impl_->q.queue_ids) impl_->q_ids.insert(s);
    for (const auto& s : impl_->q.message_ids) impl_->q_msgids.insert(norm_addr(s));
    for (const auto& s : impl_->q.senders) impl_->q_from.insert(norm_addr(s));
    for (const auto& s : impl_->q.recipients) impl_->q_to.insert(norm_addr(s));
}

HistoryTracker::~HistoryTracker() = default;

std::size_t HistoryTracker::open_count() const { return impl_->open.size(); }

void HistoryTracker::add(string_view raw, const SyslogLine& l) {
    Impl& im = *impl_;
    ++im.seq;
    ++stats_.lines;
    const std::int64_t t = l.time ? l.time->time_since_epoch().count() : 0;
    if (l.kind == LineKind::Other) {
        // Other programs that name a queue id (amavis, opendkim): add to an open message.
        string_view qid = leading_queue_id(l.message);
        if (qid.empty()) return;
        auto it = im.open.find(Impl::key_of(l.host, qid));
        if (it != im.open.end()) im.append(it->second, raw);
        return;
    }
    if (l.kind != LineKind::Postfix) return;
    const string_view prog = l.program;
    const string_view qid = l.queue_id;
    const string_view body = qid.empty() ? l.message : l.message.substr(qid.size() + 2);

    // smtpd sessions before a queue id exists (connect, NOQUEUE lines, before-queue proxy).
    if (prog == "smtpd" && qid.empty() && l.pid) {
        std::string sk = Impl::key_of(l.host, std::to_string(*l.pid));
        if (starts(body, "connect from ")) {
            if (im.sessions.size() > 20000) im.sessions.clear();
            auto& s = im.sessions[sk];
            s.lines.assign(1, engine::printable(raw, im.lim.max_line));
            s.client = std::string(body.substr(13, 300));
            return;
        }
        if (starts(body, "disconnect from ")) {
            im.sessions.erase(sk);
            return;
        }
        auto sit = im.sessions.find(sk);
        if (starts(body, "NOQUEUE: reject: ") || starts(body, "NOQUEUE: milter-reject: ")) {
            string_view from = angle_value(body, "from=");
            string_view to = angle_value(body, "to=");
            if (im.match_addr(im.q_from, from) || im.match_addr(im.q_to, to)) {
                MessageHistory h;
                h.host = std::string(l.host);
                h.queue_id = "NOQUEUE@" + std::to_string(im.seq);
                h.sender = std::string(from);
                if (!to.empty()) h.recipients.emplace_back(to);
                if (sit != im.sessions.end()) {
                    h.lines = sit->second.lines;
                    h.client = sit->second.client;
                }
                h.lines.push_back(engine::printable(raw, im.lim.max_line));
                h.rejected = true;
                h.first = h.last = t;
                h.seq = im.seq;
                im.emit(h);
            }
        }
        if (sit == im.sessions.end()) return;
        if (starts(body, "proxy-accept: ")) {
            string_view child = queued_as(body);
            auto c = child.empty() ? im.open.end() : im.open.find(Impl::key_of(l.host, child));
            if (c != im.open.end()) {
                auto& lines = c->second.h.lines;
                std::vector<std::string> front = sit->second.lines;
                front.push_back(engine::printable(raw, im.lim.max_line));
                lines.insert(lines.begin(), front.begin(), front.end());
                c->second.h.client = sit->second.client;
                c->second.h.parent_kind = "before-queue proxy";
            }
            im.sessions.erase(sit);
            return;
        }
        if (sit->second.lines.size() < 12) sit->second.lines.push_back(engine::printable(raw, im.lim.max_line));
        return;
    }
    if (qid.empty()) return;

    std::string key = Impl::key_of(l.host, qid);
    auto it = im.open.find(key);
    if (it == im.open.end()) {
        Impl::Open o;
        o.h.host = std::string(l.host);
        o.h.queue_id = std::string(qid);
        o.h.first = t;
        o.h.seq = im.seq;
        o.matched = im.q_ids.count(o.h.queue_id) > 0;
        if (auto p = im.pending_parent.find(key); p != im.pending_parent.end()) {
            o.h.parent = p->second.first;
            o.h.parent_kind = p->second.second;
            im.pending_parent.erase(p);
        }
        it = im.open.emplace(key, std::move(o)).first;
        ++stats_.opened;
    }
    Impl::Open& o = it->second;
    MessageHistory& h = o.h;
    if (t) h.last = t;
    bool close = false;

    if (prog == "smtpd" && starts(body, "client=")) {
        std::string sk = l.pid ? Impl::key_of(l.host, std::to_string(*l.pid)) : std::string();
        auto sit = im.sessions.find(sk);
        if (sit != im.sessions.end()) {
            for (const auto& s : sit->second.lines) {
                o.bytes += s.size() + 48;
                im.bytes += s.size() + 48;
                h.lines.push_back(s);
            }
            sit->second.lines.clear();
        }
        string_view c = body.substr(7);
        h.client = std::string(c.substr(0, std::min<std::size_t>(c.find(','), 300)));
    }
    im.append(o, raw);

    if (prog == "cleanup") {
        if (starts(body, "message-id=")) {
            string_view id = body.substr(11, 512);
            if (!id.empty() && id.front() == '<') id.remove_prefix(1);
            if (!id.empty() && id.back() == '>') id.remove_suffix(1);
            h.message_id = std::string(id);
            if (im.q_msgids.count(norm_addr(id))) o.matched = true;
        } else if (starts(body, "reject: ") || starts(body, "milter-reject: ")) {
            h.rejected = true;
            close = true;
        }
    } else if (prog == "qmgr" || prog == "nqmgr" || prog == "pickup") {
        if (starts(body, "from=<") || (prog == "pickup" && contains(body, " from=<"))) {
            h.sender = norm_addr(angle_value(body, "from="));
            if (im.q_from.count(h.sender)) o.matched = true;
            if (contains(body, "status=expired") || contains(body, "status=force-expired")) ++h.expired;
        } else if (body == "removed") {
            h.removed = true;
            close = true;
        }
    } else if (prog == "bounce") {
        if (starts(body, "sender non-delivery notification: "))
            im.link(o, body.substr(34, 24), "bounce notification");
        else if (starts(body, "sender delay notification: "))
            im.link(o, body.substr(27, 24), "delay notification");
        else if (starts(body, "postmaster non-delivery notification: "))
            im.link(o, body.substr(38, 24), "postmaster notification");
    } else if (prog == "postsuper") {
        if (body == "removed") {
            h.removed = true;
            close = true;
        }
    } else if (starts(body, "to=<")) {
        std::string rcpt = norm_addr(angle_value(body, "to="));
        string_view orig = angle_value(body, "orig_to=");
        if (im.q_to.count(rcpt) || (!orig.empty() && im.match_addr(im.q_to, orig))) o.matched = true;
        if (std::find(h.recipients.begin(), h.recipients.end(), rcpt) == h.recipients.end() && h.recipients.size() < 200)
            h.recipients.push_back(rcpt);
        string_view status = angle_value(body, "status=");
        if (status == "sent") {
            string_view relay = angle_value(body, "relay=");
            string_view child = queued_as(body);
            if (!child.empty() && loopback(relay) && (prog == "smtp" || prog == "lmtp")) im.link(o, child, "re-injected");
            else ++h.delivered;
        } else if (status == "deferred") {
            ++h.deferred;
        } else if (status == "bounced") {
            ++h.bounced;
        }
    }

    if (close) {
        im.close(key, false);
    } else {
        o.touched = im.seq;
        im.lru.emplace_back(im.seq, key);
    }
    im.evict_if_needed();
}

void HistoryTracker::finish() {
    Impl& im = *impl_;
    stats_.open_at_end = im.open.size();
    // Children of wanted messages still open are wanted too (one level at a time).
    for (int round = 0; round < 4; ++round)
        for (auto& [k, o] : im.open)
            if (o.matched || o.wanted)
                for (const auto& [kind, child] : o.h.children) {
                    auto c = im.open.find(Impl::key_of(o.h.host, child));
                    if (c != im.open.end()) c->second.wanted = true;
                }
    for (auto& [k, o] : im.open)
        if (o.matched || o.wanted) {
            im.emit(o.h);
            if (!o.h.parent.empty())
                if (auto* r = im.find_recent(o.h.host, o.h.parent)) im.emit(*r);
        }
}

std::vector<MessageHistory> HistoryTracker::take_results() {
    auto r = std::move(impl_->results);
    impl_->results.clear();
    std::sort(r.begin(), r.end(), [](const MessageHistory& a, const MessageHistory& b) { return a.seq < b.seq; });
    return r;
}

} // namespace pft::probes
