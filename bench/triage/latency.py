#!/usr/bin/env python3
"""Live triage latency in the fault lab (issue 9's second figure).

Starts a healthy throwaway Postfix 3.7 instance and an authoritative nsd on
loopback (tests/lab/pfxlab.py), then times whole `pftriage --symptom "mail stuck"`
runs against it: with DNS answering (nsd), and with a DNS server that never
answers (a UDP socket that reads and drops). Prints medians, per-probe times of
the last run, and the ratio to the DNS timeout. Never a timed unit test.

Usage: latency.py PATH/TO/pftriage [RUNS]
"""
import json
import os
import socket
import statistics
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "tests", "lab"))
import pfxlab  # noqa: E402

EXE = os.path.abspath(sys.argv[1])
RUNS = int(sys.argv[2]) if len(sys.argv) > 2 else 5
DNS_TIMEOUT = 2.0


def silent_udp():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    stop = threading.Event()

    def drain():
        s.settimeout(0.2)
        while not stop.is_set():
            try:
                s.recvfrom(4096)
            except OSError:
                pass
    t = threading.Thread(target=drain, daemon=True)
    t.start()
    return s, stop


def timed(args):
    t0 = time.monotonic()
    p = subprocess.run([EXE, *args, "--format", "json"], capture_output=True, text=True, timeout=120)
    dt = time.monotonic() - t0
    try:
        rep = json.loads(p.stdout)
    except json.JSONDecodeError:
        rep = None
    return dt, p.returncode, rep


def main():
    with pfxlab.Dns() as dns, pfxlab.SmtpSink() as sink:
        inst = pfxlab.Instance("latency", main={"relayhost": f"[127.0.0.1]:{sink.port}"})
        with inst:
            base = ["--symptom", "mail stuck", "--config-dir", inst.etc, "--dns-timeout", str(DNS_TIMEOUT),
                    "--server-ips", "192.0.2.25", "--mail-domains", "lab.example"]
            rows = []
            for label, resolver in [("DNS answering (nsd)", f"127.0.0.1:{dns.port}"), ("DNS never answers", None)]:
                sock = stop = None
                if resolver is None:
                    sock, stop = silent_udp()
                    resolver = f"127.0.0.1:{sock.getsockname()[1]}"
                times, last = [], None
                for _ in range(RUNS):
                    dt, code, rep = timed([*base, "--resolver", resolver])
                    times.append(dt)
                    last = (code, rep)
                if stop:
                    stop.set()
                    sock.close()
                rows.append((label, statistics.median(times), min(times), max(times), last))
    print(f"live triage of a healthy lab instance, {RUNS} runs each, dns timeout {DNS_TIMEOUT}s")
    for label, med, lo, hi, (code, rep) in rows:
        print(f"  {label:22s} median {med:6.2f}s  (min {lo:.2f}, max {hi:.2f})  exit {code}")
        if rep:
            probes = sorted(rep.get("probes", []), key=lambda p: -p["ms"])[:5]
            print("      slowest probes: " + ", ".join(f"{p['probe']} {p['ms']:.0f}ms" for p in probes))
    ok_fast = rows[0][1] <= 1.0
    ok_dead = rows[1][1] <= DNS_TIMEOUT * 3 + 1.0
    print(f"  healthy <= 1 s: {'yes' if ok_fast else 'NO'};  dead DNS <= DNS budget (3 x timeout) + 1 s: {'yes' if ok_dead else 'NO'}")


if __name__ == "__main__":
    main()
