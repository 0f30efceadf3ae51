#!/usr/bin/env python3
"""End-to-end tests of how pftriage fits its environment, on the shipped bundles:
report formats (Markdown, self-contained HTML, Prometheus), `check` (Nagios line,
exit 0-3, --json-out/--prometheus-out), `diff`, colour only on a terminal and never
with NO_COLOR, reports on stdout and diagnostics on stderr, the systemd units and
their rotating wrapper, and the bash completion.
Usage: test_ecosystem.py PATH/TO/pftriage
"""
import json
import os
import pty
import re
import select
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUNDLES = os.path.join(ROOT, "examples", "bundles")
EXE = os.path.abspath(sys.argv[1])
ENV = {**os.environ, "NO_COLOR": "1"}
passed = failed = 0


def check(name, cond, detail=""):
    global passed, failed
    if cond:
        passed += 1
        print("ok   ", name)
    else:
        failed += 1
        print("FAIL ", name, "\n      ", str(detail)[:2000])


def run(*args, env=ENV, timeout=120):
    p = subprocess.run([EXE, *args], capture_output=True, text=True, timeout=timeout, env=env)
    return p.returncode, p.stdout, p.stderr


def bundle(name):
    return os.path.join(BUNDLES, name)


tmp = tempfile.mkdtemp(prefix="pft-eco-")
STUCK = bundle("mail-stuck-relayhost")
HEALTHY = bundle("healthy")

# ---- reports: JSON on stdout even with diagnostics on stderr -----------------------
code, out, err = run("--from", STUCK, "--format", "json")
rep = json.loads(out)
check("json report parses from stdout alone", rep["schema"] == "pftriage.report/1", out[:200])
check("json report carries metrics", isinstance(rep.get("metrics"), dict), rep.get("metrics"))
severe = [c for c in rep["causes"] if c["severity"] in ("warning", "critical")]

# ---- Markdown ------------------------------------------------------------------------
code_md, md, err = run("--from", STUCK, "--symptom", "mail stuck", "--format", "markdown")
check("markdown: same exit status as json", code_md in (0, 1, 2, 3), code_md)
check("markdown: title, plan and evidence", md.startswith("# pftriage report") and "**Plan**" in md and "| fact | value | source |" in md, md[:800])
check("markdown: commands in sh fences", "```sh" in md, md[:800])

# ---- HTML ----------------------------------------------------------------------------
code_h, html, err = run("--from", STUCK, "--symptom", "mail stuck", "--format", "html")
check("html: a whole document", html.startswith("<!DOCTYPE html>") and html.rstrip().endswith("</html>"), html[:200])
refs = re.findall(r'''(?:src|href|action|srcset|poster|data)\s*=\s*["']?([^"' >]+)''', html, re.I)
external = [u for u in refs if not re.match(r"^https?://www\.postfix\.org/[A-Za-z0-9_./#-]*$", u)]
check("html: no external references (only postfix.org doc anchors)", not external, external)
bad = [t for t in ("<script", "<link", "<img", "<iframe", "@import") if t in html.lower()]
bad += re.findall(r"url\((?!#)[^)]*\)", html)  # url(#marker) inside the SVG is local
check("html: no scripts, linked styles, images or non-local url()", not bad, bad)
check("html: postfix.org links are plain anchors", all(re.search(r'<a href="' + re.escape(u) + '"', html) for u in refs), refs)
check("html: ranked plan and evidence", 'class="plan"' in html and "<h4>Evidence</h4>" in html, html[:500])
top = rep["causes"][0]["id"] if rep["causes"] else None
if top:
    check("html: derivation graph of the top cause", 'aria-label="derivation of ' in html and "<svg" in html)
check("html: queue section", 'id="queue"' in html)
check("html: log section", 'id="log"' in html)
with open(os.path.join(tmp, "stuck.html"), "w") as f:
    f.write(html)

# ---- Prometheus ------------------------------------------------------------------------
METRIC = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (-?(?:[0-9]+(?:\.[0-9]*)?(?:[eE][-+]?[0-9]+)?|NaN|\+Inf|-Inf))( -?[0-9]+)?$')
LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\[\\"n])*)"(,|$)')


def parse_exposition(text):
    """A strict reader of the Prometheus text format (version 0.0.4): returns errors."""
    errors, types, seen, sampled = [], {}, set(), set()
    if not text.endswith("\n"):
        errors.append("no final newline")
    for n, line in enumerate(text.split("\n")[:-1], 1):
        if line.startswith("# HELP ") or line.startswith("# TYPE "):
            parts = line.split(" ", 3)
            if len(parts) < 4:
                errors.append(f"{n}: short comment")
                continue
            if parts[1] == "TYPE":
                if parts[2] in types:
                    errors.append(f"{n}: second TYPE for {parts[2]}")
                if parts[2] in sampled:
                    errors.append(f"{n}: TYPE after samples of {parts[2]}")
                if parts[3] not in ("counter", "gauge", "histogram", "summary", "untyped"):
                    errors.append(f"{n}: bad type {parts[3]}")
                types[parts[2]] = parts[3]
            continue
        if line.startswith("#") or not line:
            continue
        m = METRIC.match(line)
        if not m:
            errors.append(f"{n}: not a sample: {line}")
            continue
        name, labels = m.group(1), m.group(3) or ""
        rest, pairs = labels, []
        while rest:
            lm = LABEL.match(rest)
            if not lm:
                errors.append(f"{n}: bad labels: {labels}")
                break
            pairs.append((lm.group(1), lm.group(2)))
            rest = rest[lm.end():]
        key = (name, tuple(sorted(pairs)))
        if key in seen:
            errors.append(f"{n}: duplicate series {line}")
        seen.add(key)
        sampled.add(name)
        if name not in types:
            errors.append(f"{n}: sample without TYPE: {name}")
    return errors, seen


code_p, prom, err = run("--from", STUCK, "--format", "prometheus")
errors, series = parse_exposition(prom)
check("prometheus: valid exposition format", not errors, errors)
names = {s[0] for s in series}
check("prometheus: findings by severity", {("pftriage_findings", (("severity", s),)) for s in ("critical", "warning", "info")} <= series, sorted(series)[:10])
check("prometheus: queue sizes", "pftriage_queue_messages" in names, names)
if shutil.which("promtool"):
    p = subprocess.run(["promtool", "check", "metrics"], input=prom, capture_output=True, text=True)
    check("prometheus: promtool check metrics", p.returncode == 0, p.stdout + p.stderr)

# ---- check: the Nagios plugin ----------------------------------------------------------
LINE = re.compile(r"^PFTRIAGE (OK|WARNING|CRITICAL|UNKNOWN) - [^|\n]+ \|( [^ =]+=[-0-9.]+[a-zA-Z%]*(;[-0-9.]*){0,4})+\n$")
WORD = {0: "OK", 1: "WARNING", 2: "CRITICAL", 3: "UNKNOWN"}
for name in ("healthy", "mail-stuck-relayhost", "postfix-stopped"):
    jpath, ppath = os.path.join(tmp, name + ".json"), os.path.join(tmp, name + ".prom")
    code, out, err = run("check", "--from", bundle(name), "--json-out", jpath, "--prometheus-out", ppath)
    check(f"check {name}: one status line with perfdata", LINE.match(out), out + err)
    check(f"check {name}: exit 0-3 matching the status word", code in WORD and out.startswith("PFTRIAGE " + WORD.get(code, "?")), (code, out))
    try:
        with open(jpath) as f:
            jr = json.load(f)
        check(f"check {name}: --json-out report with the same exit code", jr["exit_code"] == code, jr.get("exit_code"))
    except (OSError, ValueError) as e:
        check(f"check {name}: --json-out report", False, e)
    with open(ppath) as f:
        check(f"check {name}: --prometheus-out valid", not parse_exposition(f.read())[0])
    check(f"check {name}: no temporary files left", not [x for x in os.listdir(tmp) if ".tmp." in x], os.listdir(tmp))
code, out, err = run("check", "--from", os.path.join(tmp, "no-such-bundle"))
check("check: unreadable evidence is UNKNOWN, exit 3", code == 3 and out.startswith("PFTRIAGE UNKNOWN - "), (code, out, err))
code, out, err = run("check", "--from", STUCK, "-v")
check("check -v: long output after the status line", len(out.splitlines()) >= 1 + len(rep["causes"]), out)

# ---- diff --------------------------------------------------------------------------------
old, new = os.path.join(tmp, "healthy.json"), os.path.join(tmp, "mail-stuck-relayhost.json")
code, out, err = run("diff", old, new)
check("diff: new warnings/criticals appeared -> exit 1", (code == 1) == bool(severe) and ("+ appeared" in out) == bool(rep["causes"]), (code, out, err))
code, out, err = run("diff", new, old)
check("diff: findings cleared -> exit 0", code == 0 and ("- cleared" in out or not rep["causes"]), (code, out))
code, out, err = run("diff", new, new)
check("diff: same report -> no change", code == 0 and "no change in findings" in out, (code, out))
code, out, err = run("diff", "--format", "json", old, new)
dj = json.loads(out)
check("diff --format json", dj["schema"] == "pftriage.diff/1" and {c["id"] for c in dj["appeared"]} == {c["id"] for c in rep["causes"]} - {c["id"] for c in json.load(open(old))["causes"]}, dj)
bad_json = os.path.join(tmp, "bad.json")
with open(bad_json, "w") as f:
    f.write('{"schema": "something/else", "causes": []}')
code, out, err = run("diff", bad_json, new)
check("diff: not a report -> exit 65", code == 65 and "not a pftriage.report/1" in err, (code, err))

# ---- colour, NO_COLOR, -q ----------------------------------------------------------------


def on_tty(args, env):
    """Runs with stdout and stderr on a pseudo-terminal; returns (exit, output)."""
    pid, fd = pty.fork()
    if pid == 0:
        try:
            os.execve(EXE, [EXE, *args], env)
        finally:
            os._exit(127)
    chunks, deadline = [], time.time() + 120
    while time.time() < deadline:
        r, _, _ = select.select([fd], [], [], 1)
        if r:
            try:
                data = os.read(fd, 65536)
            except OSError:
                break
            if not data:
                break
            chunks.append(data)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status), b"".join(chunks).decode("utf-8", "replace")


env_tty = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
env_tty["TERM"] = "xterm"
_, out = on_tty(["--from", STUCK], env_tty)
check("colour on a terminal", re.search(r"\x1b\[[0-9;]*m", out) is not None, repr(out[:200]))
_, out = on_tty(["--from", STUCK], {**env_tty, "NO_COLOR": "1"})
check("no colour with NO_COLOR, even on a terminal", not re.search(r"\x1b\[[0-9;]*m", out), repr(out[:300]))
_, out = on_tty(["--from", STUCK, "--no-color"], env_tty)
check("no colour with --no-color", not re.search(r"\x1b\[[0-9;]*m", out), repr(out[:300]))
code, out, err = run("--from", STUCK, env=env_tty)
check("no colour and no progress display in a pipe", "\x1b[" not in out + err and "\r" not in err, repr(err[:300]))
code, out, err = run("--from", bundle("postfix-stopped"), "-q")
check("-q: nothing but errors on stderr", "warning" not in err.lower(), err[:400])

# ---- systemd units and the rotating wrapper ---------------------------------------------
SYSD = os.path.join(ROOT, "contrib", "systemd")
wrapper = os.path.join(SYSD, "pftriage-health")
state = os.path.join(tmp, "state")
tfdir = os.path.join(tmp, "textfile")
os.makedirs(tfdir)
wenv = {**ENV, "PFTRIAGE": EXE, "PFTRIAGE_STATE_DIR": state, "PFTRIAGE_KEEP": "2",
        "PFTRIAGE_TEXTFILE_DIR": tfdir, "PFTRIAGE_OPTS": "--from " + STUCK}
codes = []
for i in range(3):
    p = subprocess.run(["sh", wrapper], capture_output=True, text=True, env=wenv, timeout=120)
    codes.append(p.returncode)
    if i < 2:
        time.sleep(1.1)  # report names have one-second resolution
reports = sorted(x for x in os.listdir(state) if x.startswith("report-"))
check("wrapper: keeps the newest PFTRIAGE_KEEP reports", len(reports) == 2, (reports, p.stdout, p.stderr))
check("wrapper: latest.json points at the newest", os.path.realpath(os.path.join(state, "latest.json")) == os.path.join(state, reports[-1]), os.listdir(state))
check("wrapper: exit status of check", all(c == codes[0] for c in codes) and codes[0] in (0, 1, 2, 3), codes)
check("wrapper: diff against the previous run logged", "no change in findings" in p.stdout, p.stdout)
check("wrapper: textfile for node_exporter", os.path.exists(os.path.join(tfdir, "pftriage.prom")))
if shutil.which("systemd-analyze"):
    units = os.path.join(tmp, "units")
    os.makedirs(units)
    for u in ("pftriage-check.service", "pftriage-check.timer"):
        with open(os.path.join(SYSD, u)) as f:
            text = f.read().replace("/usr/libexec/pftriage/pftriage-health", os.path.abspath(wrapper))
        with open(os.path.join(units, u), "w") as f:
            f.write(text)
    p = subprocess.run(["systemd-analyze", "verify", "--man=no", os.path.join(units, "pftriage-check.service"),
                        os.path.join(units, "pftriage-check.timer")], capture_output=True, text=True, timeout=60)
    own = [l for l in (p.stdout + p.stderr).splitlines() if "pftriage" in l]
    check("systemd-analyze verify: units clean", p.returncode == 0 and not own, p.stdout + p.stderr)

# ---- bash completion ----------------------------------------------------------------------
BC = "/usr/share/bash-completion/bash_completion"
if os.path.exists(BC):
    comp = os.path.join(ROOT, "contrib", "bash-completion", "pftriage")
    bindir = os.path.join(tmp, "bin")
    os.makedirs(bindir)
    os.symlink(EXE, os.path.join(bindir, "pftriage"))

    def complete(line):
        words = line.split(" ")
        script = (f'source {BC}; source {comp}; COMP_WORDS=({" ".join(repr(w) for w in words)}); '
                  f'COMP_CWORD={len(words) - 1}; COMP_LINE={line!r}; COMP_POINT={len(line)}; '
                  f'_pftriage; printf "%s\\n" "${{COMPREPLY[@]}}"')
        p = subprocess.run(["bash", "-c", script], capture_output=True, text=True, timeout=60,
                           env={**ENV, "PATH": bindir + ":" + os.environ["PATH"]})
        return p.stdout.split()

    check("completion: commands", {"check", "diff", "explain", "kb", "symptoms"} <= set(complete("pftriage ")), complete("pftriage "))
    check("completion: options", "--symptom" in complete("pftriage --sy"), complete("pftriage --sy"))
    check("completion: subcommand options", "--json-out" in complete("pftriage check --js"), complete("pftriage check --js"))
    check("completion: symptom ids", "mail-stuck" in complete("pftriage --symptom mail-"), complete("pftriage --symptom mail-"))
    cause_ids = [c["id"] for c in rep["causes"]]
    if cause_ids:
        check("completion: cause ids", cause_ids[0] in complete("pftriage explain " + cause_ids[0][:3]), complete("pftriage explain "))
    check("completion: formats", "html" in complete("pftriage --format h"), complete("pftriage --format h"))
    check("completion: kb tools", {"lint", "test", "graph", "facts"} <= set(complete("pftriage kb ")), complete("pftriage kb "))
else:
    print("skip  bash completion (bash-completion not installed)")

shutil.rmtree(tmp, ignore_errors=True)
print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
