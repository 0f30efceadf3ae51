#!/usr/bin/env python3
"""Live faults: the real pftriage on this host while what it talks to misbehaves.

Runs in private mount and network namespaces (unshare; needs root), so nothing of the
host is changed: the test doubles are real programs bind-mounted over /usr/sbin/postconf
and postqueue only inside the namespace, and the peers are real sockets on the
namespace's own loopback:
  - postconf and postqueue that hang, that are missing, or that are denied (as nobody);
  - DNS servers (UDP, Python) that never answer, answer SERVFAIL, send a truncated reply
    with no TCP behind it, or send garbage;
  - SMTP ports: 25 answers STARTTLS then sends garbage instead of a TLS handshake, 587
    greets then stalls, 465 accepts and never speaks.
Each run must end within its time limits with the facts unknown (or known-failed) and
the reason shown. Running as nobody gives fewer facts, with reasons, and writes nothing.
Usage: test_live_faults.py PATH/TO/pftriage     (exit 77 = skipped: not root / no unshare)
"""
import json
import re
import os
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time

EXE = os.path.abspath(sys.argv[1]) if len(sys.argv) > 1 else "build/cli/pftriage"
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
KB = os.path.join(ROOT, "knowledge")

if os.geteuid() != 0:
    print("skip: needs root (namespaces, bind mounts, ports 25/465/587)")
    sys.exit(77)
if os.environ.get("PFT_FAULT_NS") != "1":
    if not shutil.which("unshare"):
        print("skip: unshare is missing")
        sys.exit(77)
    r = subprocess.run(["unshare", "--mount", "--net", "--fork", "--propagation", "private",
                        sys.executable, os.path.abspath(__file__), *sys.argv[1:]],
                       env={**os.environ, "PFT_FAULT_NS": "1"})
    sys.exit(r.returncode)

subprocess.run(["ip", "link", "set", "lo", "up"], check=True)

passed = failed = 0


def check(name, cond, detail=""):
    global passed, failed
    if cond:
        passed += 1
        print("ok   ", name)
    else:
        failed += 1
        print("FAIL ", name, "\n      ", str(detail)[:3000])


# ---- peers -----------------------------------------------------------------------

stop = threading.Event()
held = []  # connections kept open (stalling peers)


def serve_tcp(port, handler):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", port))
    s.listen(16)
    s.settimeout(0.2)

    def loop():
        while not stop.is_set():
            try:
                c, _ = s.accept()
            except socket.timeout:
                continue
            threading.Thread(target=handler, args=(c,), daemon=True).start()

    threading.Thread(target=loop, daemon=True).start()


def smtp_then_garbage(c):
    """Port 25: a real SMTP dialogue up to STARTTLS, then bytes that are not TLS."""
    try:
        c.settimeout(10)
        c.sendall(b"220 mx.lab.example ESMTP\r\n")
        f = c.makefile("rb")
        while True:
            line = f.readline()
            if not line:
                return
            verb = line.strip().upper()
            if verb.startswith(b"EHLO") or verb.startswith(b"HELO"):
                c.sendall(b"250-mx.lab.example\r\n250-PIPELINING\r\n250 STARTTLS\r\n")
            elif verb == b"STARTTLS":
                c.sendall(b"220 2.0.0 Ready to start TLS\r\n")
                c.sendall(b"\x15\x03\x03\x00\x02garbage that is no TLS record at all\x00\xff" * 20)
                time.sleep(0.5)
                return
            elif verb == b"QUIT":
                c.sendall(b"221 bye\r\n")
                return
            else:
                c.sendall(b"502 5.5.2 what\r\n")
    except OSError:
        pass
    finally:
        c.close()


def greet_then_stall(c):
    """Port 587: greets, then never answers again."""
    try:
        c.sendall(b"220 mx.lab.example ESMTP\r\n")
    except OSError:
        pass
    held.append(c)


def never_speak(c):
    """Port 465: accepts the connection and never sends a byte."""
    held.append(c)


def serve_dns(port, mode):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", port))
    s.settimeout(0.2)

    def loop():
        while not stop.is_set():
            try:
                q, addr = s.recvfrom(4096)
            except socket.timeout:
                continue
            if mode == "timeout" or len(q) < 12:
                continue  # read and drop: the client must give up on its own
            qid = q[:2]
            # The question section as sent (name + type + class).
            i = 12
            while i < len(q) and q[i] != 0:
                i += q[i] + 1
            question = q[12:i + 5]
            if mode == "servfail":
                s.sendto(qid + struct.pack(">HHHHH", 0x8182, 1, 0, 0, 0) + question, addr)
            elif mode == "truncated":  # TC set; nothing listens on TCP, so the retry is refused
                s.sendto(qid + struct.pack(">HHHHH", 0x8380, 1, 0, 0, 0) + question, addr)
            elif mode == "garbage":
                s.sendto(qid + os.urandom(7) + b"\xc0\xff" * 30, addr)

    threading.Thread(target=loop, daemon=True).start()


serve_tcp(25, smtp_then_garbage)
serve_tcp(587, greet_then_stall)
serve_tcp(465, never_speak)
DNS = {"timeout": 5301, "servfail": 5302, "truncated": 5303, "garbage": 5304}
for mode, port in DNS.items():
    serve_dns(port, mode)

# ---- a Postfix configuration that names the three SMTP ports ---------------------

tmp = tempfile.mkdtemp(prefix="pft-faults-")
etc = os.path.join(tmp, "etc")
os.makedirs(etc)
with open(os.path.join(etc, "main.cf"), "w") as f:
    f.write("compatibility_level = 3.6\nmyhostname = mx.lab.example\nmydomain = lab.example\n"
            "mydestination = lab.example, localhost\ninet_interfaces = loopback-only\n")
with open(os.path.join(etc, "master.cf"), "w") as f:
    f.write("smtp       inet  n  -  y  -  -  smtpd\n"
            "submission inet  n  -  y  -  -  smtpd\n"
            "smtps      inet  n  -  y  -  -  smtpd\n  -o smtpd_tls_wrappermode=yes\n"
            "pickup     unix  n  -  y  60 1  pickup\n"
            "qmgr       unix  n  -  n  300 1 qmgr\n")
os.chmod(tmp, 0o755)


def triage(*extra, dns="timeout", timeout=120, user=None, trace=None):
    argv = [EXE, "--kb", KB, "--config-dir", etc, "--resolver", f"127.0.0.1:{DNS[dns]}", "--dns-timeout", "2",
            "--timeout", "3", "--mail-domains", "lab.example", "--server-ips", "192.0.2.25",
            "--symptom", "mail stuck", "--format", "json", *extra]
    if user:
        import grp
        import pwd
        group = grp.getgrgid(pwd.getpwnam(user).pw_gid).gr_name
        argv = ["setpriv", "--reuid", user, "--regid", group, "--clear-groups", "--inh-caps=-all", *argv]
    if trace:  # outermost, as root: it traces setpriv and everything pftriage starts
        argv = ["strace", "-f", "-qq", "-e", "trace=%file", "-o", trace, *argv]
    start = time.monotonic()
    try:
        p = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, cwd="/",
                           env={**os.environ, "NO_COLOR": "1", "ASAN_OPTIONS": os.environ.get("ASAN_OPTIONS", "") +
                                (":detect_leaks=0" if trace else "")})
        code, out, err = p.returncode, p.stdout, p.stderr
    except subprocess.TimeoutExpired as e:
        code, out, err = None, e.stdout or "", f"(timed out after {timeout} s)"
    secs = time.monotonic() - start
    try:
        rep = json.loads(out)
    except (json.JSONDecodeError, TypeError):
        rep = None
    return code, rep, err, secs


def unknown_reason(rep, fact, subject=None):
    for u in (rep or {}).get("unknown", []):
        if u.get("fact") == fact and (subject is None or u.get("subject") == subject):
            return u.get("reason", "")
    return None


def summary(code, rep, err, secs):
    unk = [(u.get("fact"), u.get("subject"), u.get("reason")) for u in (rep or {}).get("unknown", [])]
    return f"exit {code}, {secs:.1f} s; unknown {unk[:40]}; commands {(rep or {}).get('commands_run')}; stderr {err[-600:]}"


try:
    # 1. DNS faults, and the TLS peers misbehaving on 25/587/465 (every run meets them).
    for mode, want in [("timeout", "TIMEOUT"), ("servfail", "SERVFAIL"), ("truncated", "UNREACHABLE"),
                       ("garbage", "")]:
        code, rep, err, secs = triage(dns=mode)
        s = summary(code, rep, err, secs)
        check(f"DNS {mode}: pftriage ends in time with a report", rep is not None and secs < 90, s)
        r = unknown_reason(rep, "dns.mx", "lab.example")
        check(f"DNS {mode}: dns.mx is unknown and says why" + (f" ({want})" if want else ""),
              r is not None and (want in r if want else len(r) > 5), f"reason {r!r}; {s}")

    # The TLS peers: `collect` writes what each handshake gave (tls/s_client-PORT.txt).
    out = os.path.join(tmp, "bundle")
    start = time.monotonic()
    p = subprocess.run([EXE, "--kb", KB, "collect", "-o", out, "--config-dir", etc, "--resolver",
                        f"127.0.0.1:{DNS['servfail']}", "--dns-timeout", "2", "--timeout", "3"],
                       capture_output=True, text=True, timeout=180)
    secs = time.monotonic() - start

    def peer(port):
        try:
            with open(os.path.join(out, "tls", f"s_client-{port}.txt"), errors="replace") as f:
                return f.read()
        except OSError as e:
            return f"(missing: {e})"

    s25, s587, s465 = peer(25), peer(587), peer(465)
    check("TLS peers: collect ends in time", p.returncode in (0, 1) and secs < 120,
          f"exit {p.returncode}, {secs:.0f} s: {p.stderr[-800:]}")
    check("TLS peer sending garbage after STARTTLS (25): a handshake error, shown", "error:" in s25 and "Cipher is (NONE)" in s25, s25[-600:])
    check("TLS peer that stalls after its greeting (587): ends with the reason", "error:" in s587 and "EHLO" in s587, s587[-600:])
    check("port that accepts and never speaks (465, wrapper mode): handshake timed out", "timed out" in s465, s465[-600:])
    p = subprocess.run([EXE, "--kb", KB, "--from", out, "--format", "json"], capture_output=True, text=True, timeout=120)
    try:
        rep = json.loads(p.stdout)
    except json.JSONDecodeError:
        rep = None
    check("TLS peers: the bundle made under faults is read back", rep is not None and p.returncode in (0, 1, 2, 3),
          f"exit {p.returncode}: {p.stderr[-500:]} {p.stdout[:300]}")

    # 2. postconf and postqueue hang: bind-mount a real program that never returns.
    hang = os.path.join(tmp, "hang-double")
    with open(hang, "w") as f:
        f.write("#!/bin/sh\n# a postconf/postqueue that never answers\nexec sleep 600\n")
    os.chmod(hang, 0o755)
    for prog in ("postconf", "postqueue"):
        subprocess.run(["mount", "--bind", hang, f"/usr/sbin/{prog}"], check=True)
    code, rep, err, secs = triage(dns="servfail")
    for prog in ("postconf", "postqueue"):
        subprocess.run(["umount", f"/usr/sbin/{prog}"], check=True)
    s = summary(code, rep, err, secs)
    check("hanging postconf and postqueue: ends within the time limits", rep is not None and secs < 90, s)
    reasons = " ".join(u.get("reason", "") for u in (rep or {}).get("unknown", []))
    check("hanging postconf and postqueue: facts unknown, 'timed out after 3s' shown",
          "timed out after 3s" in reasons and unknown_reason(rep, "queue.count") is not None
          or "timed out after 3s" in reasons, s)
    check("hanging programs: the report lists the commands run, with the time-out",
          rep is not None and any("postconf" in c and "timed out" in c for c in rep.get("commands_run", [])), s)
    left = subprocess.run(["pgrep", "-f", "sleep 600"], capture_output=True, text=True).stdout.split()
    check("hanging programs: killed with their process group, none left behind", not left, left)

    # 3. postconf and postqueue missing: an empty /usr/sbin inside the namespace.
    subprocess.run(["mount", "-t", "tmpfs", "tmpfs", "/usr/sbin"], check=True)
    code, rep, err, secs = triage(dns="servfail")
    g = subprocess.run([EXE, "--kb", KB, "--config-dir", etc, "--resolver", f"127.0.0.1:{DNS['servfail']}",
                        "--dns-timeout", "2", "--timeout", "3", "guide", "--symptom", "mail stuck", "--no-transcript"],
                       stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=120, cwd="/",
                       env={**os.environ, "NO_COLOR": "1"})
    subprocess.run(["umount", "/usr/sbin"], check=True)
    check("missing postconf: the guide says so and asks nothing, exit 3",
          g.returncode == 3 and "not seem to be installed" in g.stdout and "Question 1" not in g.stdout,
          f"exit {g.returncode}: {g.stdout[-600:]} {g.stderr[-300:]}")
    s = summary(code, rep, err, secs)
    reasons = " ".join(u.get("reason", "") for u in (rep or {}).get("unknown", []))
    check("missing postconf and postqueue: a report, facts unknown with 'not found'",
          rep is not None and secs < 90 and "not found" in reasons, s)
    check("missing postconf: 'Postfix does not seem to be installed', exit 3 (no conclusion possible)",
          code == 3 and rep is not None and "not seem to be installed" in rep.get("not_probed", ""), s)

    # 4. As nobody, with the configuration and queue directory closed to others: fewer
    #    facts, each missing one with a reason, and not one file written or created.
    os.chmod(etc, 0o700)
    trace = os.path.join(tmp, "nobody.strace")
    code, rep, err, secs = triage(dns="servfail", user="nobody", trace=trace if shutil.which("strace") else None)
    os.chmod(etc, 0o755)
    s = summary(code, rep, err, secs)
    reasons = " ".join(u.get("reason", "") for u in (rep or {}).get("unknown", []))
    check("as nobody: a report with the missing facts explained (permission denied)",
          rep is not None and secs < 90 and ("ermission denied" in reasons or "not permitted" in reasons), s)
    check("as nobody, configuration closed: 'runs as user nobody, not root', exit 3 (no conclusion possible)",
          code == 3 and rep is not None and "user 'nobody', not root" in rep.get("not_probed", ""), s)
    code_root, rep_root, _, _ = triage(dns="servfail")
    check("as nobody: fewer facts than as root",
          rep is not None and rep_root is not None and rep["facts"]["known"] < rep_root["facts"]["known"],
          f"nobody {rep and rep['facts']} root {rep_root and rep_root['facts']}")
    if os.path.exists(trace):
        writes = []
        with open(trace, errors="replace") as f:
            for line in f:
                if " = -1 " in line:
                    continue
                m = re.match(r"\d+\s+(\w+)\(", line)
                call = m.group(1) if m else ""
                opens_for_writing = call.startswith("open") and any(k in line for k in ("O_WRONLY", "O_RDWR", "O_CREAT"))
                if opens_for_writing or call in ("mkdir", "mkdirat", "unlink", "unlinkat", "rename", "renameat",
                                                 "renameat2", "rmdir", "creat", "truncate", "symlink", "symlinkat",
                                                 "link", "linkat", "chmod", "fchmodat", "chown", "fchownat", "lchown",
                                                 "utimensat", "mknod", "mknodat"):
                    path = line.split('"')[1] if '"' in line else line
                    if path.startswith(("/dev/null", "/dev/pts/", "/dev/ptmx", "/dev/tty")):
                        continue
                    writes.append(line.strip()[:200])
        check("as nobody: nothing is written, created or removed anywhere (strace)", not writes, writes[:10])
    else:
        print("skip  strace is missing: the write audit did not run")
finally:
    stop.set()
    for c in held:
        try:
            c.close()
        except OSError:
            pass
    shutil.rmtree(tmp, ignore_errors=True)

print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
