#!/usr/bin/env python3
"""End-to-end tests of the pftriage binary on the shipped evidence bundles.

Each check runs the real binary and asserts on its JSON report, exit status or
messages. Prints one line per check and 'N passed, M failed' last.
Usage: test_bundles.py PATH/TO/pftriage
"""
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUNDLES = os.path.join(ROOT, "examples", "bundles")
EXE = os.path.abspath(sys.argv[1]) if len(sys.argv) > 1 else os.path.join(ROOT, "build", "cli", "pftriage")

passed = failed = 0


def run(*args, timeout=60):
    p = subprocess.run([EXE, *args], capture_output=True, text=True, timeout=timeout,
                       env={**os.environ, "NO_COLOR": "1"})
    return p.returncode, p.stdout, p.stderr


def report(*args):
    code, out, err = run(*args, "--format", "json")
    try:
        return code, json.loads(out), err
    except json.JSONDecodeError:
        return code, None, err + "\n(stdout was not JSON: " + out[:300] + ")"


def check(name, cond, detail=""):
    global passed, failed
    if cond:
        passed += 1
        print("ok   ", name)
    else:
        failed += 1
        print("FAIL ", name, "\n      ", detail[:2000])


def top(rep):
    return rep["causes"][0]["id"] if rep and rep["causes"] else None


def bundle(name):
    return os.path.join(BUNDLES, name)


def severe(rep):
    return [c["id"] for c in rep["causes"] if c["severity"] in ("warning", "critical")]


# The contract's report shape.
code, rep, err = report("--from", bundle("mail-stuck-relayhost"), "--symptom", "mail stuck")
check("report has the pftriage.report/1 shape",
      rep is not None and rep["schema"] == "pftriage.report/1" and rep["symptom"]["id"] == "mail-stuck"
      and rep["symptom"]["input"] == "mail stuck" and isinstance(rep["unknown"], list)
      and isinstance(rep["questions"], list), err)
if rep and rep["causes"]:
    c = rep["causes"][0]
    check("a cause has confidence, severity, title, evidence and a plan",
          0 < c["confidence"] <= 1 and c["severity"] in ("critical", "warning", "info") and c["title"]
          and c["evidence"] and all(set(e) >= {"fact", "value", "source"} for e in c["evidence"])
          and c["plan"] and all(p["kind"] in ("check", "fix", "verify") and p["risk"] in ("safe", "disruptive", "destructive")
                                and p["command"] and p["why"] for p in c["plan"]), json.dumps(c)[:1500])

# Each real broken bundle: the injected cause ranks first.
expectations = [
    ("mail-stuck-relayhost", "mail stuck", "relayhost-unreachable"),
    ("mail-stuck-hold", "mail stuck", "queue-on-hold"),
    ("postfix-stopped", "mail not delivered", "postfix-not-running"),
    ("mail-loop", "mail not delivered", "mail-loop"),
]
for name, symptom, cause in expectations:
    code, rep, err = report("--from", bundle(name), "--symptom", symptom)
    check(f"{name}: '{symptom}' ranks {cause} first", top(rep) == cause,
          f"got {[ (c['id'], c['confidence']) for c in rep['causes']] if rep else err}")
    check(f"{name}: exit status follows the worst severity ({code})",
          rep is not None and code == rep["exit_code"] and code == (2 if any(c["severity"] == "critical" for c in rep["causes"])
                                                                   else 1 if severe(rep) else 0), err)
    code2, rep2, _ = report("--from", bundle(name))
    check(f"{name}: the health check also finds {cause}", rep2 is not None and cause in [c["id"] for c in rep2["causes"]],
          f"{[c['id'] for c in rep2['causes']] if rep2 else ''}")

# The healthy bundle: nothing at warning level or above.
code, rep, err = report("--from", bundle("healthy"))
check("healthy: no finding at warning level or above, exit 0", rep is not None and not severe(rep) and code == 0,
      f"exit {code}, {severe(rep) if rep else err}")

# A .tar.gz of a bundle gives the same conclusion.
with tempfile.TemporaryDirectory() as tmp:
    tgz = os.path.join(tmp, "b.tar.gz")
    with tarfile.open(tgz, "w:gz") as t:
        t.add(bundle("mail-stuck-hold"), arcname="mail-stuck-hold")
    code, rep, err = report("--from", tgz, "--symptom", "mail-stuck")
    check("a .tar.gz bundle is read like the directory", top(rep) == "queue-on-hold", err)

# Symptom matching from free words, typos and pasted error text.
for phrase, want in [("mail stuck", "mail-stuck"), ("emails are stuck in the queue", "mail-stuck"),
                     ("relay acess denied", "relay-denied"),
                     ("554 5.7.1 <bob@example.org>: Relay access denied", "relay-denied"),
                     ("postfix won't start", "wont-start"), ("TLS handshake fails", "tls-errors"),
                     ("users cannot authenticate to send mail", "sasl-auth-failing"),
                     ("slow delivery", "slow-delivery")]:
    code, rep, err = report("--from", bundle("healthy"), "--symptom", phrase)
    got = rep["symptom"]["id"] if rep and rep["symptom"] else None
    check(f"symptom '{phrase}' -> {want}", got == want, f"got {got}; {err[:300]}")

code, out, err = run("--from", bundle("healthy"), "--symptom", "the coffee machine is broken")
check("an unmatched phrase lists the known symptoms and exits 64",
      code == 64 and "Known symptoms" in err and "mail-stuck" in err, f"exit {code}: {err[:500]}")

code, out, err = run("--no-such-flag")
check("a bad flag exits 64", code == 64, f"exit {code}")

code, out, err = run("--from", "/nonexistent/bundle")
check("a bundle that does not exist exits 65 naming it", code == 65 and "/nonexistent/bundle" in err, f"exit {code}: {err}")

# explain: why, and why not.
code, out, err = run("explain", "relayhost-unreachable", "--from", bundle("mail-stuck-relayhost"))
check("explain shows the rule chain down to the evidence file",
      "relayhost-unreachable" in out and "rule " in out and "postqueue-j.txt" in out, out[:800] + err)
code, out, err = run("explain", "queue-on-hold", "--from", bundle("mail-stuck-relayhost"))
check("explain of a cause that was not concluded says why not", "not concluded" in out or "ruled out" in out, out[:800])

# A broken knowledge base: every error with file:line:column, exit 65.
with tempfile.TemporaryDirectory() as tmp:
    kb = os.path.join(tmp, "knowledge")
    shutil.copytree(os.path.join(ROOT, "knowledge"), kb)
    with open(os.path.join(kb, "zz-broken.yaml"), "w") as f:
        f.write("rules:\n  - id: broken-one\n    when: 'queue.count[\"hold\"] >'\n    conclude: queue-on-hold\n"
                "  - id: broken-two\n    when: 'x.y =~ \"(\"'\n    conclude: no-such-cause\n")
    code, out, err = run("--kb", kb, "--from", bundle("healthy"))
    check("a broken knowledge base exits 65 with every error located",
          code == 65 and "zz-broken.yaml:3:" in err and "zz-broken.yaml:6:" in err and "no-such-cause" in err,
          f"exit {code}: {err[:800]}")

print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
