// dns_client.cpp - ldns packets over our own sockets, so a timeout is a timeout and
// an ICMP refusal is told apart; the answer is checked against id and question.
#include "probes/dns_client.hpp"

#include "engine/fact.hpp"

#include <ldns/ldns.h>

#include <arpa/inet.h>
#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <memory>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace pft::probes {

namespace {

using clock = std::chrono::steady_clock;

struct Sock {
    int fd = -1;
    ~Sock() {
        if (fd >= 0) ::close(fd);
    }
};

bool make_addr(const DnsServer& s, sockaddr_storage& ss, socklen_t& len) {
    std::memset(&ss, 0, sizeof ss);
    auto* a4 = reinterpret_cast<sockaddr_in*>(&ss);
    auto* a6 = reinterpret_cast<sockaddr_in6*>(&ss);
    if (inet_pton(AF_INET, s.address.c_str(), &a4->sin_addr) == 1) {
        a4->sin_family = AF_INET;
        a4->sin_port = htons(s.port);
        len = sizeof *a4;
        return true;
    }
    if (inet_pton(AF_INET6, s.address.c_str(), &a6->sin6_addr) == 1) {
        a6->sin6_family = AF_INET6;
        a6->sin6_port = htons(s.port);
        len = sizeof *a6;
        return true;
    }
    return false;
}

int ms_left(clock::time_point deadline) {
    auto l = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock::now()).count();
    return l < 0 ? 0 : static_cast<int>(std::min<long long>(l, 60000));
}

// Waits for `events` on fd until the deadline; false on timeout.
bool wait_fd(int fd, short events, clock::time_point deadline) {
    while (true) {
        pollfd p{fd, events, 0};
        int r = ::poll(&p, 1, ms_left(deadline));
        if (r > 0) return true;
        if (r == 0) return false;
        if (errno != EINTR) return false;
    }
}

struct Exchange {
    std::string error;     // transport problem ("timed out", "connection refused")
    bool timed_out = false;
    std::string wire;      // the reply
};

Exchange udp_exchange(const DnsServer& s, const std::string& query, uint16_t id, clock::time_point deadline) {
    Exchange x;
    sockaddr_storage ss;
    socklen_t len = 0;
    make_addr(s, ss, len);
    Sock sock;
    sock.fd = ::socket(ss.ss_family, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (sock.fd < 0 || ::connect(sock.fd, reinterpret_cast<sockaddr*>(&ss), len) != 0 ||
        ::send(sock.fd, query.data(), query.size(), 0) < 0) {
        x.error = std::strerror(errno);
        return x;
    }
    char buf[65536];
    while (true) {
        if (!wait_fd(sock.fd, POLLIN, deadline)) {
            x.timed_out = true;
            x.error = "timed out";
            return x;
        }
        ssize_t n = ::recv(sock.fd, buf, sizeof buf, 0);
        if (n < 0) {
            if (errno == EINTR || errno == EAGAIN) continue;
            x.error = std::strerror(errno); // ECONNREFUSED from an ICMP port unreachable
            return x;
        }
        if (n >= 2 && static_cast<uint16_t>((static_cast<unsigned char>(buf[0]) << 8) | static_cast<unsigned char>(buf[1])) == id) {
            x.wire.assign(buf, static_cast<std::size_t>(n));
            return x;
        }
        // a stray datagram: keep waiting for ours
    }
}

Exchange tcp_exchange(const DnsServer& s, const std::string& query, clock::time_point deadline) {
    Exchange x;
    sockaddr_storage ss;
    socklen_t len = 0;
    make_addr(s, ss, len);
    Sock sock;
    sock.fd = ::socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (sock.fd < 0) {
        x.error = std::strerror(errno);
        return x;
    }
    if (::connect(sock.fd, reinterpret_cast<sockaddr*>(&ss), len) != 0 && errno != EINPROGRESS) {
        x.error = std::strerror(errno);
        return x;
    }
    if (!wait_fd(sock.fd, POLLOUT, deadline)) {
        x.timed_out = true;
        x.error = "timed out";
        return x;
    }
    int soerr = 0;
    socklen_t sl = sizeof soerr;
    ::getsockopt(sock.fd, SOL_SOCKET, SO_ERROR, &soerr, &sl);
    if (soerr) {
        x.error = std::strerror(soerr);
        return x;
    }
    std::string out;
    out += static_cast<char>(query.size() >> 8);
    out += static_cast<char>(query.size() & 0xff);
    out += query;
    std::size_t sent = 0;
    while (sent < out.size()) {
        if (!wait_fd(sock.fd, POLLOUT, deadline)) {
            x.timed_out = true;
            x.error = "timed out";
            return x;
        }
        ssize_t n = ::send(sock.fd, out.data() + sent, out.size() - sent, MSG_NOSIGNAL);
        if (n < 0 && errno != EINTR && errno != EAGAIN) {
            x.error = std::strerror(errno);
            return x;
        }
        if (n > 0) sent += static_cast<std::size_t>(n);
    }
    std::string in;
    std::size_t need = 2;
    char buf[16384];
    while (in.size() < need) {
        if (!wait_fd(sock.fd, POLLIN, deadline)) {
            x.timed_out = true;
            x.error = "timed out";
            return x;
        }
        ssize_t n = ::recv(sock.fd, buf, sizeof buf, 0);
        if (n == 0) {
            x.error = "connection closed";
            return x;
        }
        if (n < 0) {
            if (errno == EINTR || errno == EAGAIN) continue;
            x.error = std::strerror(errno);
            return x;
        }
        in.append(buf, static_cast<std::size_t>(n));
        if (need == 2 && in.size() >= 2)
            need = 2 + ((static_cast<unsigned char>(in[0]) << 8) | static_cast<unsigned char>(in[1]));
    }
    x.wire = in.substr(2, need - 2);
    return x;
}

std::string section(const char* title, ldns_rr_list* l) {
    if (!l || ldns_rr_list_rr_count(l) == 0) return {};
    std::string s = std::string(";; ") + title + " SECTION:\n";
    for (std::size_t i = 0; i < ldns_rr_list_rr_count(l) && i < 2000; ++i) {
        char* t = ldns_rr2str(ldns_rr_list_rr(l, i));
        if (t) s += t; // ends with '\n'
        free(t);
    }
    return s + "\n";
}

std::string flags_of(const ldns_pkt* p) {
    std::string f = "qr";
    if (ldns_pkt_aa(p)) f += " aa";
    if (ldns_pkt_tc(p)) f += " tc";
    if (ldns_pkt_rd(p)) f += " rd";
    if (ldns_pkt_ra(p)) f += " ra";
    if (ldns_pkt_ad(p)) f += " ad";
    if (ldns_pkt_cd(p)) f += " cd";
    return f;
}

// The reply as dig prints it (header, question, answer and authority), after checking
// that it answers our query (id and question); "" with *err set when it does not.
std::string render_reply(ldns_pkt* reply, const ldns_rdf* qname, uint16_t id, const std::string& head,
                         const std::string& name, const std::string& type, std::string* err) {
    ldns_rr_list* qs = ldns_pkt_question(reply);
    if (ldns_pkt_id(reply) != id || !qs || ldns_rr_list_rr_count(qs) != 1 ||
        ldns_dname_compare(ldns_rr_owner(ldns_rr_list_rr(qs, 0)), qname) != 0) {
        *err = "reply does not match the query";
        return {};
    }
    const ldns_lookup_table* rc = ldns_lookup_by_id(ldns_rcodes, static_cast<int>(ldns_pkt_get_rcode(reply)));
    std::string rcode = rc && rc->name ? rc->name : "RCODE" + std::to_string(ldns_pkt_get_rcode(reply));
    std::string s = head + ";; Got answer:\n;; ->>HEADER<<- opcode: QUERY, status: " + rcode +
                    ", id: " + std::to_string(ldns_pkt_id(reply)) + "\n;; flags: " + flags_of(reply) +
                    "; QUERY: " + std::to_string(ldns_pkt_qdcount(reply)) +
                    ", ANSWER: " + std::to_string(ldns_pkt_ancount(reply)) +
                    ", AUTHORITY: " + std::to_string(ldns_pkt_nscount(reply)) +
                    ", ADDITIONAL: " + std::to_string(ldns_pkt_arcount(reply)) + "\n\n";
    s += ";; QUESTION SECTION:\n;" + name + ".\t\tIN\t" + type + "\n\n";
    s += section("ANSWER", ldns_pkt_answer(reply));
    s += section("AUTHORITY", ldns_pkt_authority(reply));
    return s;
}

} // namespace

std::string DnsServer::describe() const { return address + "#" + std::to_string(port); }

bool is_queryable_name(const std::string& name) {
    if (name.empty() || name.size() > 253 || name.front() == '.' || name.find("..") != std::string::npos) return false;
    for (unsigned char c : name)
        if (!(std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '*')) return false;
    return true;
}

std::optional<DnsServer> parse_resolver(const std::string& spec, std::string* error) {
    DnsServer s;
    std::string host = spec, port;
    if (!spec.empty() && spec.front() == '[') {
        auto e = spec.find(']');
        if (e == std::string::npos) {
            if (error) *error = "missing ']' in " + engine::printable(spec, 80);
            return std::nullopt;
        }
        host = spec.substr(1, e - 1);
        if (e + 1 < spec.size()) {
            if (spec[e + 1] != ':') {
                if (error) *error = "expected ':PORT' after ']'";
                return std::nullopt;
            }
            port = spec.substr(e + 2);
        }
    } else if (std::count(spec.begin(), spec.end(), ':') == 1) {
        auto c = spec.find(':');
        host = spec.substr(0, c);
        port = spec.substr(c + 1);
    }
    in6_addr tmp{};
    if (inet_pton(AF_INET, host.c_str(), &tmp) != 1 && inet_pton(AF_INET6, host.c_str(), &tmp) != 1) {
        if (error) {
            // Appended, not "'" + std::string&&: GCC 12 at -O3 reports a false -Wrestrict there.
            std::string m(1, '\'');
            m += engine::printable(host, 80);
            m += "' is not a numeric IP address";
            *error = std::move(m);
        }
        return std::nullopt;
    }
    s.address = host;
    if (!port.empty()) {
        int p = 0;
        for (char c : port) {
            if (!std::isdigit(static_cast<unsigned char>(c)) || p > 65535) {
                p = -1;
                break;
            }
            p = p * 10 + (c - '0');
        }
        if (p <= 0 || p > 65535) {
            if (error) *error = "bad port '" + engine::printable(port, 20) + "'";
            return std::nullopt;
        }
        s.port = static_cast<unsigned short>(p);
    }
    return s;
}

std::optional<DnsServer> system_resolver(const std::string& resolv_conf) {
    std::ifstream in(resolv_conf);
    std::string line;
    std::size_t n = 0;
    while (std::getline(in, line) && ++n < 1000) {
        if (line.rfind("nameserver", 0) != 0) continue;
        std::string v = line.substr(10);
        auto b = v.find_first_not_of(" \t");
        if (b == std::string::npos) continue;
        v = v.substr(b);
        auto e = v.find_first_of(" \t#;%");
        v = v.substr(0, e);
        in6_addr tmp{};
        if (inet_pton(AF_INET, v.c_str(), &tmp) == 1 || inet_pton(AF_INET6, v.c_str(), &tmp) == 1) return DnsServer{v, 53};
    }
    return std::nullopt;
}

std::string dns_query_text(const DnsServer& server, const std::string& type, const std::string& name,
                           std::chrono::milliseconds timeout) {
    auto deadline = clock::now() + timeout;
    std::string head = "; <<>> pftriage <<>> @" + server.address + " -p " + std::to_string(server.port) + " " + type +
                       " " + name + "\n;; global options: +cmd\n";
    auto fail = [&](const std::string& why) {
        return ";; communications error to " + server.describe() + ": " + why + "\n" + head +
               ";; no servers could be reached\n";
    };
    ldns_rr_type t = ldns_get_rr_type_by_name(type.c_str());
    if (t == 0 || !is_queryable_name(name)) return fail("bad query " + type + " " + engine::printable(name, 100));
    sockaddr_storage ss;
    socklen_t sl = 0;
    if (!make_addr(server, ss, sl)) return fail("bad server address");
    std::unique_ptr<ldns_rdf, void (*)(ldns_rdf*)> qname(ldns_dname_new_frm_str((name + ".").c_str()), ldns_rdf_deep_free);
    if (!qname) return fail("bad name");
    ldns_pkt* q = ldns_pkt_query_new(ldns_rdf_clone(qname.get()), t, LDNS_RR_CLASS_IN, LDNS_RD); // owns the clone
    if (!q) return fail("cannot build the query");
    ldns_pkt_set_random_id(q);
    ldns_pkt_set_edns_udp_size(q, 1232);
    uint16_t id = ldns_pkt_id(q);
    uint8_t* wire = nullptr;
    size_t wlen = 0;
    if (ldns_pkt2wire(&wire, q, &wlen) != LDNS_STATUS_OK) {
        ldns_pkt_free(q);
        return fail("cannot encode the query");
    }
    std::string query(reinterpret_cast<char*>(wire), wlen);
    free(wire);
    ldns_pkt_free(q);

    Exchange x = udp_exchange(server, query, id, deadline);
    std::string via = "UDP";
    ldns_pkt* reply = nullptr;
    auto decode = [&](const Exchange& e) -> bool {
        if (e.wire.empty()) return false;
        if (reply) ldns_pkt_free(reply);
        reply = nullptr;
        return ldns_wire2pkt(&reply, reinterpret_cast<const uint8_t*>(e.wire.data()), e.wire.size()) == LDNS_STATUS_OK;
    };
    if (!x.error.empty()) return fail(x.error);
    if (!decode(x)) {
        if (reply) ldns_pkt_free(reply);
        return fail("unreadable reply");
    }
    if (ldns_pkt_tc(reply)) {
        Exchange y = tcp_exchange(server, query, deadline);
        if (!y.error.empty()) {
            ldns_pkt_free(reply);
            return fail(y.error + " (TCP after a truncated UDP reply)");
        }
        if (!decode(y)) {
            if (reply) ldns_pkt_free(reply);
            return fail("unreadable TCP reply");
        }
        via = "TCP";
    }
    std::string err;
    std::string s = render_reply(reply, qname.get(), id, head, name, type, &err);
    ldns_pkt_free(reply);
    if (!err.empty()) return fail(err);
    return s + ";; SERVER: " + server.describe() + "(" + server.address + ") (" + via + ")\n";
}

std::optional<std::string> dns_wire_text(std::string_view wire, const std::string& name, const std::string& type,
                                         std::string* error) {
    auto set = [&](const char* why) {
        if (error) *error = why;
        return std::nullopt;
    };
    if (wire.empty()) return set("empty reply");
    std::unique_ptr<ldns_rdf, void (*)(ldns_rdf*)> qname(ldns_dname_new_frm_str((name + ".").c_str()), ldns_rdf_deep_free);
    if (!qname) return set("bad name");
    ldns_pkt* reply = nullptr;
    if (ldns_wire2pkt(&reply, reinterpret_cast<const uint8_t*>(wire.data()), wire.size()) != LDNS_STATUS_OK) {
        if (reply) ldns_pkt_free(reply);
        return set("unreadable reply");
    }
    std::string err;
    std::string s = render_reply(reply, qname.get(), ldns_pkt_id(reply), "", name, type, &err);
    ldns_pkt_free(reply);
    if (!err.empty()) {
        if (error) *error = err;
        return std::nullopt;
    }
    return s;
}

} // namespace pft::probes
