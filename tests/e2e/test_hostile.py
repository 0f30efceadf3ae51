#!/usr/bin/env python3
"""Hostile and broken bundles and knowledge bases against the real pftriage binary.

Each case builds a bad input in a temporary directory from a shipped bundle, runs the
binary and checks: it ends in time with the expected exit status, the warning names the
file, the rest of the bundle is still used (the injected cause still ranks first), the
peak memory (the child's own ru_maxrss) stays under 256 MiB, and - under strace - no
file outside the bundle, the knowledge base and the system's libraries is opened.
Usage: test_hostile.py PATH/TO/pftriage
Environment: PFT_SANITIZED=1 (set by CMake under ASan) raises the memory bound, since
AddressSanitizer's shadow memory and quarantine count in the RSS.
"""
import io
import json
import re
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUNDLES = os.path.join(ROOT, "examples", "bundles")
KB = os.path.join(ROOT, "knowledge")
EXE = os.path.abspath(sys.argv[1]) if len(sys.argv) > 1 else os.path.join(ROOT, "build", "cli", "pftriage")
SANITIZED = os.environ.get("PFT_SANITIZED") == "1"
MEM_LIMIT_KIB = (1024 if SANITIZED else 256) * 1024
STRACE = shutil.which("strace")
MiB = 1024 * 1024

passed = failed = 0


def check(name, cond, detail=""):
    global passed, failed
    if cond:
        passed += 1
        print("ok   ", name)
    else:
        failed += 1
        print("FAIL ", name, "\n      ", str(detail)[:2500])


class Run:
    pass


def run(args, timeout=180, trace=False):
    """Runs pftriage; returns exit code, stdout, stderr, peak RSS (KiB), seconds, opened files."""
    r = Run()
    cmd = [EXE, *args]
    tracefile = None
    if trace and STRACE:
        fd, tracefile = tempfile.mkstemp(prefix="pft-strace-")
        os.close(fd)
        cmd = [STRACE, "-f", "-qq", "-e", "trace=open,openat,openat2", "-o", tracefile, *cmd]
    start = time.monotonic()
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env={**os.environ, "NO_COLOR": "1"})
    try:
        out, err = p.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        p.kill()
        out, err = p.communicate()
        err += b"\n(killed: timed out after %d s)" % timeout
    r.seconds = time.monotonic() - start
    r.code = p.returncode
    r.out = out.decode("utf-8", "replace")
    r.err = err.decode("utf-8", "replace")
    r.rss = None
    r.opened = []
    if tracefile:
        with open(tracefile, errors="replace") as f:
            for line in f:
                # 1234 openat(AT_FDCWD, "/path", O_RDONLY|O_CLOEXEC) = 3
                if '"' not in line or line.rstrip().endswith("= -1") or " = -1 " in line:
                    continue
                r.opened.append(line.split('"')[1])
        os.unlink(tracefile)
    return r


def run_measured(args, timeout=180):
    """Like run() but measures the peak RSS of pftriage itself (no strace in between)."""
    start = time.monotonic()
    p = subprocess.Popen([EXE, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         env={**os.environ, "NO_COLOR": "1"})
    out_chunks, err_chunks = [], []
    # communicate() waits with waitpid; use wait4 ourselves for the child's own rusage.
    import threading

    def pump(stream, sink):
        for chunk in iter(lambda: stream.read(65536), b""):
            sink.append(chunk)

    threads = [threading.Thread(target=pump, args=(p.stdout, out_chunks)),
               threading.Thread(target=pump, args=(p.stderr, err_chunks))]
    for t in threads:
        t.start()
    deadline = start + timeout
    status = ru = None
    while True:
        pid, status, ru = os.wait4(p.pid, os.WNOHANG)
        if pid:
            break
        if time.monotonic() > deadline:
            p.kill()
            _, status, ru = os.wait4(p.pid, 0)
            err_chunks.append(b"\n(killed: timed out after %d s)" % timeout)
            break
        time.sleep(0.05)
    p.returncode = os.waitstatus_to_exitcode(status)
    for t in threads:
        t.join()
    r = Run()
    r.seconds = time.monotonic() - start
    r.code = p.returncode
    r.out = b"".join(out_chunks).decode("utf-8", "replace")
    r.err = b"".join(err_chunks).decode("utf-8", "replace")
    r.rss = ru.ru_maxrss
    r.opened = []
    return r


def report(r):
    try:
        return json.loads(r.out)
    except json.JSONDecodeError:
        return None


def top(rep):
    return rep["causes"][0]["id"] if rep and rep["causes"] else None


def warned(rep, *needles):
    ws = rep["warnings"] if rep else []
    return all(any(n in w for w in ws) for n in needles)


def detail(r):
    rep = report(r)
    return (f"exit {r.code}, {r.seconds:.1f} s, rss {r.rss} KiB; warnings: "
            f"{rep['warnings'][:8] if rep else None}; top {top(rep)}; stderr: {r.err[-800:]}")


SYSTEM_PREFIXES = ("/usr/", "/lib", "/etc/ld.so", "/etc/ssl/", "/etc/localtime", "/proc/", "/sys/", "/dev/null",
                   "/dev/urandom", "/dev/tty", "/etc/nsswitch.conf", "/etc/passwd", "/etc/group")


def outside_reads(r, *allowed):
    """Files opened that are neither under `allowed` (bundle, KB) nor system libraries and data."""
    bad = []
    for path in r.opened:
        real = os.path.realpath(path) if os.path.isabs(path) else path
        if not os.path.isabs(path):
            continue  # relative to the bundle directory fd (openat): inside
        if any(real.startswith(a) or path.startswith(a) for a in allowed):
            continue
        if real.startswith(SYSTEM_PREFIXES) or path.startswith(SYSTEM_PREFIXES):
            continue
        bad.append(path)
    return bad


def triage(bundle, *extra, trace=False, timeout=180):
    args = ["--kb", KB, "--from", bundle, "--symptom", "mail stuck", "--format", "json", *extra]
    return run(args, timeout=timeout, trace=True) if trace else run_measured(args, timeout=timeout)


def fresh(tmp, name="b", src="mail-stuck-relayhost"):
    d = os.path.join(tmp, name)
    shutil.copytree(os.path.join(BUNDLES, src), d, symlinks=True)
    return d


EXPECT = "relayhost-unreachable"  # what mail-stuck-relayhost concludes; shows the rest was used


def bundle_ok(name, r, *needles, expect=EXPECT):
    rep = report(r)
    check(f"{name}: exit 2 with the injected cause still first", rep is not None and r.code == 2 and top(rep) == expect,
          detail(r))
    if needles:
        check(f"{name}: warning names the file", warned(rep, *needles), detail(r))
    if r.rss is not None:
        check(f"{name}: peak memory {r.rss // 1024} MiB < {MEM_LIMIT_KIB // 1024} MiB", r.rss < MEM_LIMIT_KIB, detail(r))


with tempfile.TemporaryDirectory() as tmp:
    outside = os.path.join(tmp, "outside")
    os.makedirs(os.path.join(outside, "dig"))
    with open(os.path.join(outside, "main.cf"), "w") as f:
        f.write("relayhost = [canary.invalid]\n")
    with open(os.path.join(outside, "dig", "MX_lab.example.txt"), "w") as f:
        f.write("canary\n")

    # 1. Links pointing outside the bundle, and a maillog that is /dev/zero.
    b = fresh(tmp, "links")
    os.unlink(os.path.join(b, "maillog"))
    os.symlink("/dev/zero", os.path.join(b, "maillog"))
    os.unlink(os.path.join(b, "main.cf"))
    os.symlink(os.path.join(outside, "main.cf"), os.path.join(b, "main.cf"))
    shutil.rmtree(os.path.join(b, "dig"))
    os.symlink("../outside/dig", os.path.join(b, "dig"))
    r = triage(b)
    bundle_ok("links outside and maillog -> /dev/zero", r, "maillog: refused", "main.cf: refused")
    check("links outside: nothing of the outside file in the report", "canary" not in r.out, r.out[:500])
    if STRACE:
        t = triage(b, trace=True)
        opened_outside = [p for p in t.opened if p.startswith(outside) or os.path.realpath(p).startswith(outside)
                          or p == "/dev/zero"]
        check("links outside: strace shows no open() of a file outside the bundle", not opened_outside
              and not outside_reads(t, os.path.realpath(b) + "/", b + "/", KB, os.path.realpath(KB), os.path.join(ROOT, "probes", "facts.yaml")),
              f"outside: {opened_outside} other: {outside_reads(t, os.path.realpath(b) + '/', b + '/', KB)}")
    else:
        print("skip  strace is not installed: the open() audit did not run")

    # 2. A maillog that is a FIFO nobody writes to: refused at once, never opened for reading.
    b = fresh(tmp, "fifo")
    os.unlink(os.path.join(b, "maillog"))
    os.mkfifo(os.path.join(b, "maillog"))
    r = triage(b, timeout=60)
    bundle_ok("maillog is a FIFO", r, "maillog: refused: a FIFO")

    # 3. A 2 GiB maillog that is one single line (sparse: NUL bytes after a real start).
    b = fresh(tmp, "longline")
    big = os.path.join(b, "maillog")
    with open(big, "wb") as f:
        f.write(b"Nov 24 04:02:00 mx postfix/smtp[1]: 5270320179: to=<a@example.org>, status=deferred (")
        f.truncate(2 * 1024 * MiB)
        f.seek(2 * 1024 * MiB - 2)
        f.write(b")\n")
    r = triage(b, timeout=300)
    bundle_ok("2 GiB single-line maillog", r, "maillog: larger than 64 MiB")
    r = run_measured(["--kb", KB, "logs", big], timeout=600)
    check("logs on a 2 GiB single line: ends, cuts the line and says so, memory bounded",
          r.code in (0, 1, 2) and "over-long line" in r.err and big in r.err and r.rss < MEM_LIMIT_KIB,
          f"exit {r.code}, {r.seconds:.0f} s, rss {r.rss} KiB, stderr {r.err[-500:]}")
    os.unlink(big)

    # 4. NUL bytes and invalid UTF-8 in several files: JSON stays valid UTF-8, warnings name file:line.
    b = fresh(tmp, "bytes")
    with open(os.path.join(b, "postconf.txt"), "ab") as f:
        f.write(b"bad\x00name = \xff\xfe\xc3\x28 value\n")
    with open(os.path.join(b, "maillog"), "ab") as f:
        f.write(b"Nov 24 04:09:00 mx postfix/smtp[1]: 5270320179: to=<a\xff\x00b@x>, status=deferred (c\xc3\x28)\n")
    with open(os.path.join(b, "MANIFEST"), "ab") as f:
        f.write(b"note\x00: \xff\xfe\n")
    r = triage(b)
    bundle_ok("NUL bytes and invalid UTF-8", r, "postconf.txt:")
    for fmt in ("text", "markdown", "html"):
        rr = run_measured(["--kb", KB, "--from", b, "--symptom", "mail stuck", "--format", fmt])
        check(f"NUL bytes and invalid UTF-8: --format {fmt} renders", rr.code == 2 and len(rr.out) > 100, detail(rr))

    # 5. A huge and deeply nested postqueue -j: over the size bound, and nested beyond any sense.
    b = fresh(tmp, "json")
    pq = os.path.join(b, "postqueue-j.txt")
    good = open(pq).read()
    with open(pq, "w") as f:
        f.write(good)
        f.write('{"queue_name": "deferred", "queue_id": "DEEP", "recipients": ' + "[" * 100000 + "]" * 100000 + "}\n")
        f.write("[" * 3000000 + "\n")
        f.write('{"queue_name": "deferred", "queue_id": "BIG", "sender": "')
        for _ in range(70):  # written in pieces: the test's own memory is inherited by the child's ru_maxrss
            f.write("x" * MiB)
        f.write('"}\n')
    r = triage(b)
    bundle_ok("huge, deeply nested postqueue-j.txt", r, "postqueue-j.txt", "larger than 64 MiB")
    rep = report(r)
    check("huge JSON: the nesting is named with its line", warned(rep, "postqueue-j.txt:") , detail(r))

    # 6. A decompression bomb: 8 entries of 60 MiB of zeros (about 480 MiB) before the real bundle.
    class Zeros(io.RawIOBase):
        def __init__(self, n):
            self.n = n

        def readable(self):
            return True

        def readinto(self, buf):
            k = min(len(buf), self.n)
            buf[:k] = bytes(k)
            self.n -= k
            return k

    bomb = os.path.join(tmp, "bomb.tar.gz")
    with tarfile.open(bomb, "w:gz", compresslevel=9) as t:
        for i in range(8):
            ti = tarfile.TarInfo(f"junk{i}.bin")
            ti.size = 60 * MiB
            t.addfile(ti, io.BufferedReader(Zeros(ti.size)))
        t.add(os.path.join(BUNDLES, "mail-stuck-relayhost"), arcname=".")
    check("bomb: the archive is small", os.path.getsize(bomb) < 2 * MiB, os.path.getsize(bomb))
    r = triage(bomb, timeout=300)
    bundle_ok("decompression bomb (.tar.gz)", r, "bomb.tar.gz: more than 16 MiB decompressed in files that are not bundle artefacts")

    # 7. '..' and absolute paths and links out of a tarball: refused by name, nothing written anywhere.
    evil = os.path.join(tmp, "evil.tar.gz")
    with tarfile.open(evil, "w:gz") as t:
        t.add(os.path.join(BUNDLES, "mail-stuck-relayhost"), arcname=".")
        for name in ("../escaped.txt", "/tmp/pft-absolute.txt", "dig/../../up.txt"):
            ti = tarfile.TarInfo(name)
            data = b"relayhost = [canary.invalid]\n"
            ti.size = len(data)
            t.addfile(ti, io.BytesIO(data))
        ti = tarfile.TarInfo("main.cf")  # replaces the real main.cf by a link out
        ti.type = tarfile.SYMTYPE
        ti.linkname = os.path.join(outside, "main.cf")
        t.addfile(ti)
    before = set(os.listdir(tmp))
    r = triage(evil)
    bundle_ok("'..', absolute paths and links out in a tarball", r, "archive entry ../escaped.txt: refused",
              "archive entry /tmp/pft-absolute.txt: refused", "archive entry main.cf: refused")
    check("tarball: nothing was written next to it or in /tmp",
          set(os.listdir(tmp)) == before and not os.path.exists("/tmp/pft-absolute.txt")
          and not os.path.exists(os.path.join(tmp, "escaped.txt")), sorted(set(os.listdir(tmp)) - before))
    check("tarball: nothing of the escaping entries in the report", "canary" not in r.out, "")

    # 8. Truncated files: an archive cut in the middle, and files cut mid-line.
    whole = os.path.join(tmp, "whole.tar.gz")
    with tarfile.open(whole, "w:gz") as t:
        t.add(os.path.join(BUNDLES, "mail-stuck-relayhost"), arcname=".")
    data = open(whole, "rb").read()
    cut = os.path.join(tmp, "cut.tar.gz")
    with open(cut, "wb") as f:
        f.write(data[: len(data) * 2 // 3])
    r = triage(cut)
    rep = report(r)
    check("truncated .tar.gz: a report, the damage named with the file",
          rep is not None and r.code in (0, 1, 2, 3) and warned(rep, "cut.tar.gz") and rep["facts"]["known"] > 0,
          detail(r))
    b = fresh(tmp, "cutfiles")
    for name in ("postqueue-j.txt", "main.cf", "postconf.txt"):
        p = os.path.join(b, name)
        content = open(p, "rb").read()
        with open(p, "wb") as f:
            f.write(content[: len(content) - 17])
    r = triage(b)
    bundle_ok("files cut mid-line", r, "postqueue-j.txt:")

# The knowledge base: hostile YAML. Each ends quickly with exit 65 and file:line:column.
with tempfile.TemporaryDirectory() as tmp:
    def kb_with(name, text):
        kb = os.path.join(tmp, name)
        shutil.copytree(KB, kb)
        with open(os.path.join(kb, "zz-hostile.yaml"), "w") as f:
            f.write(text)
        return kb

    def kb_case(title, text, *needles, timeout=60):
        kb = kb_with(title.replace(" ", "-"), text)
        r = run_measured(["--kb", kb, "--from", os.path.join(BUNDLES, "healthy")], timeout=timeout)
        located = re.search(r"zz-hostile\.yaml:\d+:\d+: error", r.err)
        check(f"kb {title}: exit 65 with file:line:column", r.code == 65 and located and all(n in r.err for n in needles),
              f"exit {r.code}, {r.seconds:.1f} s: {r.err[-1200:]}")
        check(f"kb {title}: memory {r.rss // 1024} MiB bounded, {r.seconds:.1f} s", r.rss < MEM_LIMIT_KIB and r.seconds < timeout,
              f"rss {r.rss} KiB")

    kb_case("deeply nested YAML", "rules:\n  - " + "[" * 200000 + "\n", "zz-hostile.yaml:")
    kb_case("deeply nested mappings", "rules:\n" + "".join("  " * i + f"k{i}:\n" for i in range(1, 1500)), "zz-hostile.yaml:", "nested deeper than 200 levels")
    laughs = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"a{i}: &a{i} [*a{i-1}, *a{i-1}, *a{i-1}, *a{i-1}, *a{i-1}, *a{i-1}, *a{i-1}, *a{i-1}, *a{i-1}, *a{i-1}]\n"
        for i in range(1, 12)) + "rules: *a11\n"
    kb_case("alias bomb (billion laughs)", laughs, "zz-hostile.yaml:")
    kb_case("huge document", "rules:\n" + "".join(f"  - id: r{i}\n    when: nope.{i} == 1\n    conclude: no-cause-{i}\n"
                                                   for i in range(30000)), "zz-hostile.yaml:2:5: error", timeout=120)
    kb_case("unparsable expression", "rules:\n  - id: bad-expr\n    when: 'queue.count[\"hold\"] > > 3'\n    conclude: queue-on-hold\n",
            "zz-hostile.yaml:3:")
    kb_case("regex that does not compile", "rules:\n  - id: bad-re\n    when: 'postconf.relayhost =~ \"(unclosed\"'\n"
            "    conclude: queue-on-hold\n", "zz-hostile.yaml:3:", "regular expression")
    kb_case("backreference regex (RE2 refuses: no catastrophic backtracking)",
            "rules:\n  - id: slow-re\n    when: 'postconf.relayhost =~ \"^(a+)+\\\\1$\"'\n    conclude: queue-on-hold\n",
            "zz-hostile.yaml:3:")
    kb_case("rule cycle through negation",
            "rules:\n  - id: cyc-a\n    when: not cause(\"queue-on-hold\")\n    conclude: mail-loop\n"
            "  - id: cyc-b\n    when: not cause(\"mail-loop\")\n    conclude: queue-on-hold\n",
            "cycle through negation", "cyc-a", "cyc-b")

# The self-tests directory (knowledge/tests/): missing, or holding a rule, is an error for
# `kb test`; a triage does not read it at all.
with tempfile.TemporaryDirectory() as tmp:
    kb = os.path.join(tmp, "no-tests")
    shutil.copytree(KB, kb)
    shutil.rmtree(os.path.join(kb, "tests"))
    r = run(["--kb", kb, "kb", "test"], timeout=60)
    check("kb test without knowledge/tests/: exit 65, says none were found",
          r.code == 65 and "no self-tests found" in r.err, f"exit {r.code}: {r.err[-400:]}")
    r = run(["--kb", kb, "--from", os.path.join(BUNDLES, "healthy"), "--format", "json"], timeout=60)
    check("a triage without knowledge/tests/ works", r.code in (0, 1, 2) and not r.err.strip(), f"exit {r.code}: {r.err[-400:]}")
    os.mkdir(os.path.join(kb, "tests"))
    with open(os.path.join(kb, "tests", "sneaky.yaml"), "w") as f:
        f.write("tests: []\nrules:\n  - id: only-kb-test-sees-me\n    when: queue.total > 0\n    conclude: queue-on-hold\n")
    r = run(["--kb", kb, "kb", "test"], timeout=60)
    check("a rule under knowledge/tests/: kb test exits 65 at file:line:column",
          r.code == 65 and re.search(r"tests/sneaky\.yaml:2:1: error: a file under tests/ may hold only", r.err),
          f"exit {r.code}: {r.err[-400:]}")

print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
