// fuzz_mail_auth.cpp - SPF evaluation (check_host over answers made from the input),
// DMARC and DKIM key records, and the tag-list parser under them.
#include "fuzz_support.hpp"
#include "probes/parse/mail_auth_records.hpp"
#include "probes/parse/spf.hpp"

using namespace pft;
using namespace pft::probes::parse;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string text(fuzz::as_text(data, size));
    (void)parse_tag_list(text);
    (void)parse_dmarc(text);
    (void)parse_dkim_key(text);
    // The input is the TXT record of every name asked; A/AAAA/MX answers are fixed.
    std::string spf = text.rfind("v=spf1", 0) == 0 ? text : "v=spf1 " + text;
    DnsLookup lookup = [&](const std::string& type, const std::string& name) {
        DigAnswer a;
        a.rcode = "NOERROR";
        a.qname = name;
        a.qtype = type;
        DnsRecord r;
        r.owner = name;
        r.type = type;
        if (type == "TXT") {
            r.text = spf;
            r.fields = {"\"" + spf + "\""};
        } else if (type == "A") {
            r.fields = {"192.0.2.25"};
            r.text = "192.0.2.25";
        } else if (type == "AAAA") {
            r.fields = {"2001:db8::25"};
            r.text = "2001:db8::25";
        } else if (type == "MX") {
            r.fields = {"10", "mx." + name.substr(0, 200)};
            r.text = r.fields[0] + " " + r.fields[1];
        } else {
            a.rcode = "NXDOMAIN";
            return a;
        }
        a.answer.push_back(r);
        return a;
    };
    (void)spf_check_host("example.org", std::string("192.0.2.25"), lookup);
    (void)spf_check_host("example.org", std::string("2001:db8::1"), lookup);
    (void)spf_check_host("example.org", std::nullopt, lookup);
    return 0;
}
