#!/usr/bin/env python3
"""make-dns-fixtures.py - capture real dig outputs from nsd for the DNS parser tests.

Starts pfxlab.Dns with dns_test_zones() (MX, A, PTR, SPF with include chains
and more than 10 lookups, DMARC, DKIM, TLSA, a blocklist that answers
127.0.0.2 and 127.255.255.254, and a zone that fails with SERVFAIL), runs
dig against it and writes tests/fixtures/probes/dig/TYPE_NAME.txt. It never
edits an output; rerun it to refresh the fixtures (ids, times and the port differ).
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pfxlab  # noqa: E402

OUT = os.path.join(pfxlab.REPO, "tests", "fixtures", "probes", "dig")

QUERIES = [
    ("MX", "lab.example"), ("A", "lab.example"), ("AAAA", "lab.example"), ("TXT", "lab.example"),
    ("A", "mx.lab.example"), ("TXT", "_dmarc.lab.example"), ("TXT", "default._domainkey.lab.example"),
    ("TLSA", "_25._tcp.mx.lab.example"), ("MX", "nosuch.lab.example"), ("TXT", "spf-many.lab.example"),
    ("TXT", "spf-chain.lab.example"), ("A", "2.0.0.127.bl.lab.example"),
    ("A", "25.2.0.192.bl.lab.example"), ("A", "66.113.0.203.bl.lab.example"),
    ("A", "99.113.0.203.bl.lab.example"), ("MX", "broken.example"), ("TXT", "lab.example"),
    ("A", "www.lab.example"), ("TXT", "_spf1.lab.example"), ("TXT", "_spf2.lab.example"),
] + [("TXT", f"s{i}.lab.example") for i in range(12)]


def main():
    os.makedirs(OUT, exist_ok=True)
    with pfxlab.Dns(zones=pfxlab.dns_test_zones(), failing_zones=["broken.example"]) as dns:
        for rtype, name in QUERIES:
            text = dns.dig(rtype, name, "+time=2", "+tries=1")
            with open(os.path.join(OUT, f"{rtype}_{name}.txt"), "w") as f:
                f.write(text)
        text = dns.dig("-x", "192.0.2.25", "+time=2", "+tries=1")
        with open(os.path.join(OUT, "PTR_192.0.2.25.txt"), "w") as f:
            f.write(text)
        # A server that never answers: a bound UDP socket nobody reads.
        import socket
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
            text = pfxlab.run(["dig", "@127.0.0.1", "-p", str(port), "MX", "lab.example",
                               "+time=1", "+tries=1"], timeout=20).stdout
        with open(os.path.join(OUT, "MX_timeout.example.txt"), "w") as f:
            f.write(text)
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
