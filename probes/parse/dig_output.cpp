// dig_output.cpp - header, question and answer section of dig output; RRs via ldns.
#include "probes/parse/dig_output.hpp"

#include "engine/fact.hpp"
#include "probes/parse/line_cursor.hpp"

#include <ldns/ldns.h>

#include <arpa/inet.h>
#include <algorithm>
#include <cctype>

namespace pft::probes::parse {

namespace {

constexpr std::size_t max_records = 2000;

std::string lower_no_dot(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (!s.empty() && s.back() == '.' && s.size() > 1) s.pop_back();
    return s;
}

std::string rdf_text(const ldns_rdf* rdf) {
    char* s = ldns_rdf2str(rdf);
    std::string out = s ? s : "";
    free(s);
    if (ldns_rdf_get_type(rdf) == LDNS_RDF_TYPE_DNAME) out = lower_no_dot(out);
    return out;
}

// The bytes of a character-string rdf, unquoted.
std::string rdf_string(const ldns_rdf* rdf) {
    const uint8_t* d = ldns_rdf_data(rdf);
    std::size_t n = ldns_rdf_size(rdf);
    if (n == 0) return {};
    std::size_t len = std::min<std::size_t>(d[0], n - 1);
    return std::string(reinterpret_cast<const char*>(d + 1), len);
}

bool record_from_line(std::string_view line, DnsRecord& out, std::string& error) {
    std::string s(line);
    ldns_rr* rr = nullptr;
    ldns_status st = ldns_rr_new_frm_str(&rr, s.c_str(), 0, nullptr, nullptr);
    if (st != LDNS_STATUS_OK || !rr) {
        error = ldns_get_errorstr_by_id(st) ? ldns_get_errorstr_by_id(st) : "unreadable record";
        if (rr) ldns_rr_free(rr);
        return false;
    }
    out.owner = rdf_text(ldns_rr_owner(rr));
    char* t = ldns_rr_type2str(ldns_rr_get_type(rr));
    out.type = t ? t : "";
    free(t);
    out.ttl = ldns_rr_ttl(rr);
    bool is_txt = ldns_rr_get_type(rr) == LDNS_RR_TYPE_TXT || ldns_rr_get_type(rr) == LDNS_RR_TYPE_SPF;
    for (std::size_t i = 0; i < ldns_rr_rd_count(rr); ++i) {
        const ldns_rdf* rdf = ldns_rr_rdf(rr, i);
        out.fields.push_back(rdf_text(rdf));
        if (is_txt) out.text += rdf_string(rdf);
    }
    if (!is_txt) {
        for (const auto& f : out.fields) out.text += (out.text.empty() ? "" : " ") + f;
    }
    ldns_rr_free(rr);
    return true;
}

} // namespace

std::vector<const DnsRecord*> DigAnswer::of_type(std::string_view type) const {
    std::vector<const DnsRecord*> v;
    for (const auto& r : answer)
        if (r.type == type) v.push_back(&r);
    return v;
}

std::string DigAnswer::status(std::string_view type) const {
    if (rcode == "NOERROR" && of_type(type).empty()) return "NODATA";
    return rcode;
}

DigAnswer parse_dig(std::string_view text) {
    DigAnswer a;
    LineCursor cur(text);
    Line l;
    enum { None, Question, Answer, Other } section = None;
    bool transport_error = false, timed_out = false;
    while (cur.next(l)) {
        std::string_view t = trim(l.text);
        if (t.empty()) {
            section = None;
            continue;
        }
        if (t.rfind(";;", 0) == 0) {
            auto h = t.find("->>HEADER<<-");
            if (h != std::string_view::npos) {
                auto s = t.find("status: ", h);
                if (s != std::string_view::npos) {
                    auto e = t.find(',', s);
                    a.rcode = std::string(trim(t.substr(s + 8, e == std::string_view::npos ? std::string_view::npos : e - s - 8)));
                    a.header_line = l.number;
                    a.answer.clear(); // with several answers (dig +tries, TCP retry) the last one counts
                } else {
                    a.warnings.push_back({l.number, "header without a status"});
                }
                continue;
            }
            if (t.find("timed out") != std::string_view::npos) timed_out = true;
            if (t.find("no servers could be reached") != std::string_view::npos ||
                t.find("communications error") != std::string_view::npos)
                transport_error = true;
            if (t == ";; QUESTION SECTION:") section = Question;
            else if (t == ";; ANSWER SECTION:") section = Answer;
            else if (t.find("SECTION:") != std::string_view::npos) section = Other;
            continue;
        }
        if (section == Question && t.front() == ';') {
            auto f = split_fields(t.substr(1), 8);
            if (f.size() >= 3) {
                a.qname = lower_no_dot(std::string(f[0]));
                a.qtype = std::string(f.back());
            }
            continue;
        }
        if (t.front() == ';') continue;
        if (section != Answer) continue;
        if (l.cut) {
            a.warnings.push_back({l.number, "record longer than the line limit, skipped"});
            continue;
        }
        if (a.answer.size() >= max_records) {
            a.warnings.push_back({l.number, "more than " + std::to_string(max_records) + " records; the rest is ignored"});
            break;
        }
        DnsRecord r;
        std::string err;
        if (!record_from_line(t, r, err)) {
            a.warnings.push_back({l.number, "unreadable record (" + err + "): " + engine::printable(t, 100)});
            continue;
        }
        r.line = l.number;
        a.answer.push_back(std::move(r));
    }
    if (a.rcode.empty() && transport_error) a.rcode = timed_out ? "TIMEOUT" : "UNREACHABLE";
    if (a.rcode.empty()) a.warnings.push_back({0, "no dig header with a status and no transport error"});
    return a;
}

std::string reverse_ipv4(const std::string& ip) {
    in_addr a4{};
    if (ip.size() > 15 || inet_pton(AF_INET, ip.c_str(), &a4) != 1) return {};
    const auto* b = reinterpret_cast<const unsigned char*>(&a4);
    return std::to_string(b[3]) + "." + std::to_string(b[2]) + "." + std::to_string(b[1]) + "." + std::to_string(b[0]);
}

std::string reverse_name(const std::string& ip) {
    if (auto r = reverse_ipv4(ip); !r.empty()) return r + ".in-addr.arpa";
    in6_addr a6{};
    if (ip.size() > 45 || inet_pton(AF_INET6, ip.c_str(), &a6) != 1) return {};
    static const char* hex = "0123456789abcdef";
    std::string out;
    for (int i = 15; i >= 0; --i) {
        out += hex[a6.s6_addr[i] & 0xf];
        out += '.';
        out += hex[a6.s6_addr[i] >> 4];
        out += '.';
    }
    return out + "ip6.arpa";
}

} // namespace pft::probes::parse
