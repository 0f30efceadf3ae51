#!/usr/bin/env python3
"""test_lab_smoke - end-to-end check that the fault lab itself works.

Starts nsd and a lab Postfix, sends one message to a loopback sink, checks the
log, collects a bundle, checks its files, stops everything and checks that no
process of ours is left. Plain Python: exit 0/1, last line "N passed, M failed".
"""

import json
import os
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pfxlab  # noqa: E402

EXPECTED_FILES = [
    "MANIFEST", "postconf.txt", "postconf-n.txt", "postconf-M.txt", "postconf-warnings.txt",
    "main.cf", "master.cf", "postfix-check.txt", "postfix-status.txt", "postqueue-j.txt",
    "mailq.txt", "maillog", "ss-tlnp.txt", "df.txt", "df-i.txt", "meminfo.txt", "loadavg.txt",
    "ls-etc-postfix.txt", "tables.txt", "dig/MX_lab.example.txt", "dig/PTR_192.0.2.25.txt",
    "dig/TXT__dmarc.lab.example.txt", "dig/A_25.2.0.192.bl.lab.example.txt",
    "tls/smtpd_tls_cert_file.pem", "tls/smtpd_tls_key_file.stat",
]

passed, failed = 0, 0


def check(name, cond, detail=""):
    global passed, failed
    if cond:
        passed += 1
        print(f"ok   {name}")
    else:
        failed += 1
        print(f"FAIL {name} {detail}")


def main():
    out_parent = tempfile.mkdtemp(prefix="pfxlab-smoke-")
    bundle = os.path.join(out_parent, "bundle")
    roots = []
    try:
        with pfxlab.Dns() as dns, pfxlab.SmtpSink() as sink:
            roots.append(dns.root)
            check("nsd answers MX lab.example", "mx.lab.example." in dns.dig("MX", "lab.example", "+short"))
            check("nsd answers the blocklist test entry",
                  "127.0.0.2" in dns.dig("A", "2.0.0.127.bl.lab.example", "+short"))
            inst = pfxlab.Instance("smoke", main={"transport_maps": "hash:${config_directory}/transport"},
                                   tables={"transport": f"example.net smtp:[127.0.0.1]:{sink.port}\n"})
            roots.append(inst.root)
            with inst:
                check("postfix status says running", inst.is_running())
                check("instance listens on loopback only",
                      inst.listening_addresses() and
                      all(a.startswith("127.") for a in inst.listening_addresses()),
                      str(inst.listening_addresses()))
                r = inst.send("bob@example.net", subject="smoke")
                check("swaks submission accepted", r.returncode == 0, r.stderr[-300:])
                try:
                    hits = inst.wait_for_log(r"to=<bob@example\.net>.*status=sent", 30)
                    check("delivery logged in the lab maillog", bool(hits))
                except pfxlab.LabError as exc:
                    check("delivery logged in the lab maillog", False, str(exc))
                check("sink received the message", len(sink.messages) == 1)
                try:
                    inst.wait_for_queue(lambda q: not q, 20, "empty queue")
                    check("queue empty after delivery", True)
                except pfxlab.LabError as exc:
                    check("queue empty after delivery", False, str(exc))
                inst.collect_bundle(bundle, dns=dns)
            missing = [f for f in EXPECTED_FILES if not os.path.isfile(os.path.join(bundle, f))]
            check("bundle has the expected files", not missing, f"missing: {missing}")
            with open(os.path.join(bundle, "MANIFEST")) as f:
                manifest = dict(l.split(": ", 1) for l in f.read().splitlines() if ": " in l)
            check("MANIFEST format and collector",
                  manifest.get("format") == "1" and manifest.get("collector") == "manual" and
                  manifest.get("server_ips") == "192.0.2.25", str(manifest))
            with open(os.path.join(bundle, "postfix-status.txt")) as f:
                check("postfix-status.txt ends with exit=0", f.read().strip().endswith("exit=0"))
            with open(os.path.join(bundle, "maillog")) as f:
                check("bundle maillog holds the delivery", "status=sent" in f.read())
            with open(os.path.join(bundle, "tables.txt")) as f:
                check("tables.txt stats transport.db", "/transport.db" in f.read())
            no_keys = True
            for dirpath, _, files in os.walk(bundle):
                for fn in files:
                    with open(os.path.join(dirpath, fn), errors="replace") as f:
                        if "PRIVATE KEY" in f.read():
                            no_keys = False
            check("bundle holds no private key", no_keys)
            mode = os.stat(os.path.join(bundle, "postconf.txt")).st_mode & 0o777
            check("bundle files are 0600", mode == 0o600, oct(mode))
            json_ok = True
            with open(os.path.join(bundle, "postqueue-j.txt")) as f:
                for line in f:
                    try:
                        json.loads(line)
                    except ValueError:
                        json_ok = False
            check("postqueue-j.txt is JSON lines", json_ok)
            inst.cleanup()
        check("no leftover lab processes", not pfxlab.leftover_processes(roots),
              str(pfxlab.leftover_processes(roots)))
    except Exception as exc:  # a broken step is a failure, and we still clean up
        check("lab steps ran without error", False, repr(exc))
    finally:
        pfxlab.stop_all()
        for r in roots:
            shutil.rmtree(r, ignore_errors=True)
        shutil.rmtree(out_parent, ignore_errors=True)
        if os.path.exists(bundle + ".tar.gz"):
            os.remove(bundle + ".tar.gz")
    print(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
