#!/usr/bin/env python3
"""The fleet playbook (contrib/ansible/pftriage-fleet.yml) with ansible-playbook on a
local inventory: two "hosts" with ansible_connection=local, each checking a shipped
bundle; the JSON reports and the summary must arrive in the reports directory.
Offline; exit 77 (skipped) when ansible-playbook is not installed.
Usage: test_fleet.py PATH/TO/pftriage
"""
import glob
import json
import os
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
EXE = os.path.abspath(sys.argv[1])
PLAYBOOK = os.path.join(ROOT, "contrib", "ansible", "pftriage-fleet.yml")
if not shutil.which("ansible-playbook"):
    print("skip: ansible-playbook is not installed (Debian package ansible-core)")
    sys.exit(77)
passed = failed = 0


def check(name, cond, detail=""):
    global passed, failed
    if cond:
        passed += 1
        print("ok   ", name)
    else:
        failed += 1
        print("FAIL ", name, "\n      ", str(detail)[-3000:])


tmp = tempfile.mkdtemp(prefix="pft-fleet-")
reports = os.path.join(tmp, "reports")
hosts = {"mx-healthy": "healthy", "mx-stuck": "mail-stuck-relayhost"}
inv = os.path.join(tmp, "inventory.ini")
with open(inv, "w") as f:
    f.write("[mailservers]\n")
    for h, b in hosts.items():
        f.write(f"{h} ansible_connection=local ansible_python_interpreter={sys.executable} "
                f"pftriage_remote_dir={tmp}/remote-{h} "
                f"pftriage_check_args='[\"--from\", \"{ROOT}/examples/bundles/{b}\"]'\n")
env = {**os.environ, "NO_COLOR": "1", "ANSIBLE_HOME": os.path.join(tmp, "ansible-home"),
       "ANSIBLE_LOCAL_TEMP": os.path.join(tmp, "ansible-tmp"), "ANSIBLE_REMOTE_TEMP": os.path.join(tmp, "ansible-rtmp"),
       "ANSIBLE_NOCOLOR": "1", "ANSIBLE_RETRY_FILES_ENABLED": "0", "ANSIBLE_GATHERING": "explicit"}
p = subprocess.run(["ansible-playbook", "-i", inv, PLAYBOOK, "-e", f"pftriage_bin={EXE}", "-e", f"pftriage_reports_dir={reports}",
                    "-e", "pftriage_become=false"], capture_output=True, text=True, env=env, timeout=300)
check("ansible-playbook runs the fleet playbook", p.returncode == 0, p.stdout + p.stderr)
for h, b in hosts.items():
    files = glob.glob(os.path.join(reports, h, "report-*.json"))
    ok = False
    if len(files) == 1:
        with open(files[0]) as f:
            rep = json.load(f)
        ok = rep.get("schema") == "pftriage.report/1" and b in rep.get("source", "")
    check(f"{h}: its JSON report fetched to the controller", ok, files)
summary = os.path.join(reports, "summary.txt")
text = open(summary).read() if os.path.exists(summary) else ""
check("summary.txt: one status line per host", all(f"{h}: PFTRIAGE " in text for h in hosts), text)
shutil.rmtree(tmp, ignore_errors=True)
print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
