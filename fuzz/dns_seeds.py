#!/usr/bin/env python3
"""dns_seeds.py DIR - writes DNS replies in wire format (seeds of fuzz_dns_wire): MX and
TXT answers for example.org as a resolver sends them, with name compression, NXDOMAIN,
SERVFAIL, a truncated reply and an EDNS OPT record."""
import os
import struct
import sys


def name(n):
    out = b""
    for label in n.rstrip(".").split("."):
        out += bytes([len(label)]) + label.encode()
    return out + b"\0"


def reply(qtype, rcode=0, answers=(), authority=(), flags=0x8180, opt=False):
    qt = {"MX": 15, "TXT": 16}[qtype]
    hdr = struct.pack(">HHHHHH", 0x1234, flags | rcode, 1, len(answers), len(authority), 1 if opt else 0)
    body = name("example.org") + struct.pack(">HH", qt, 1)
    for rtype, rdata in list(answers) + list(authority):
        body += b"\xc0\x0c" + struct.pack(">HHIH", rtype, 1, 300, len(rdata)) + rdata
    if opt:
        body += b"\0" + struct.pack(">HHIH", 41, 1232, 0, 0)
    return hdr + body


def txt(*strings):
    return b"".join(bytes([len(s)]) + s.encode() for s in strings)


soa = name("ns.example.org") + name("hostmaster.example.org") + struct.pack(">IIIII", 1, 3600, 600, 86400, 300)
seeds = {
    "mx": reply("MX", answers=[(15, struct.pack(">H", 10) + name("mx.example.org")),
                               (15, struct.pack(">H", 20) + b"\x03mx2\xc0\x0c")], opt=True),
    "txt": reply("TXT", answers=[(16, txt("v=spf1 mx -all")), (16, txt("v=DMARC1; ", "p=reject"))]),
    "nxdomain": reply("MX", rcode=3, authority=[(6, soa)]),
    "servfail": reply("TXT", rcode=2),
    "truncated": reply("MX", flags=0x8380),
    "nodata": reply("MX", authority=[(6, soa)]),
}
os.makedirs(sys.argv[1], exist_ok=True)
for k, v in seeds.items():
    with open(os.path.join(sys.argv[1], "seed-" + k), "wb") as f:
        f.write(v)
