#!/usr/bin/env python3
"""Live triage latency in the fault lab (issue 9's second figure).

Starts a healthy throwaway Postfix 3.7 instance and an authoritative nsd on
loopback (tests/lab/pfxlab.py), then times whole `pftriage --symptom "mail stuck"`
runs against it: with DNS answering (nsd), and with a DNS server that never
answers (a UDP socket that reads and drops). Prints medians, per-probe times of
the last run, and the ratio to the DNS timeout, and the peak RSS (wait4). Never a timed unit test.

Usage: latency.py PATH/TO/pftriage [RUNS]
"""
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
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
    """Wall time, exit status, report, and peak RSS in MiB (wait4: the largest of pftriage
    and the programs it ran and waited for, so an upper bound for pftriage itself)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        t0 = time.monotonic()
        p = subprocess.Popen([EXE, *args, "--format", "json"], stdout=out, stderr=err)
        _, status, ru = os.wait4(p.pid, 0)
        dt = time.monotonic() - t0
        p.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        try:
            rep = json.loads(out.read().decode("utf-8", "replace"))
        except json.JSONDecodeError:
            rep = None
    return dt, p.returncode, rep, ru.ru_maxrss / 1024.0


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
                times, rss, last = [], [], None
                for _ in range(RUNS):
                    dt, code, rep, mib = timed([*base, "--resolver", resolver])
                    times.append(dt)
                    rss.append(mib)
                    last = (code, rep)
                if stop:
                    stop.set()
                    sock.close()
                rows.append((label, statistics.median(times), min(times), max(times), max(rss), last))
    load = os.getloadavg()
    print(f"live triage of a healthy lab instance, {RUNS} runs each, dns timeout {DNS_TIMEOUT}s, "
          f"{os.cpu_count()} cores, load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}")
    for label, med, lo, hi, rss, (code, rep) in rows:
        print(f"  {label:22s} median {med:6.2f}s  (min {lo:.2f}, max {hi:.2f})  peak RSS {rss:.1f} MiB  exit {code}")
        if rep:
            probes = sorted(rep.get("probes", []), key=lambda p: -p["ms"])[:5]
            print("      slowest probes: " + ", ".join(f"{p['probe']} {p['ms']:.0f}ms" for p in probes))
    ok_fast = rows[0][1] <= 1.0
    ok_dead = rows[1][1] <= DNS_TIMEOUT + 1.0
    ok_rss = max(r[4] for r in rows) <= 50.0
    print(f"  healthy <= 1 s: {'yes' if ok_fast else 'NO'};  dead DNS <= timeout + 1 s: {'yes' if ok_dead else 'NO'};"
          f"  peak RSS <= 50 MB: {'yes' if ok_rss else 'NO'}")


if __name__ == "__main__":
    main()
