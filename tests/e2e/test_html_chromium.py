#!/usr/bin/env python3
"""The HTML report in a real browser: headless Chromium (Debian's chromium) renders the
report of a shipped bundle and a synthetic report with every picture (written by the
cli unit test through PFT_HTML_SAMPLE), offline, to PNG screenshots and a DOM dump.
Checks that the pages render non-trivially and that the SVG pictures are in the DOM.
Screenshots are kept in $PFT_SCREENSHOT_DIR when set. Exit 77 (skipped) without chromium.
Usage: test_html_chromium.py PATH/TO/pftriage PATH/TO/test_cli
"""
import os
import shutil
import struct
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
EXE, TEST_CLI = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
if not CHROMIUM:
    print("skip: chromium is not installed")
    sys.exit(77)
passed = failed = 0


def check(name, cond, detail=""):
    global passed, failed
    if cond:
        passed += 1
        print("ok   ", name)
    else:
        failed += 1
        print("FAIL ", name, "\n      ", str(detail)[:1500])


tmp = tempfile.mkdtemp(prefix="pft-chromium-")
keep = os.environ.get("PFT_SCREENSHOT_DIR")


def chromium(*args):
    profile = tempfile.mkdtemp(dir=tmp)
    cmd = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
           "--disable-component-update", "--disable-sync", "--no-first-run", "--user-data-dir=" + profile,
           "--host-resolver-rules=MAP * ~NOTFOUND", "--hide-scrollbars", *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120)


def png_size(path):
    with open(path, "rb") as f:
        head = f.read(24)
    if head[:8] != b"\x89PNG\r\n\x1a\n":
        return None
    return struct.unpack(">II", head[16:24])


pages = {}
p = subprocess.run([EXE, "--from", os.path.join(ROOT, "examples/bundles/mail-stuck-relayhost"), "--symptom", "mail stuck",
                    "--format", "html"], capture_output=True, text=True, env={**os.environ, "NO_COLOR": "1"}, timeout=120)
pages["bundle"] = os.path.join(tmp, "bundle.html")
with open(pages["bundle"], "w") as f:
    f.write(p.stdout)
pages["synthetic"] = os.path.join(tmp, "synthetic.html")
p = subprocess.run([TEST_CLI, "HTML escapes every outside value and links only to postfix.org"],
                   capture_output=True, text=True, env={**os.environ, "PFT_HTML_SAMPLE": pages["synthetic"]}, timeout=120)
check("synthetic report written by the unit test", p.returncode == 0 and os.path.getsize(pages["synthetic"]) > 1000, p.stdout[-500:])

for name, page in pages.items():
    shot = os.path.join(tmp, name + ".png")
    r = chromium("--window-size=1280,2600", "--screenshot=" + shot, "file://" + page)
    size = png_size(shot) if os.path.exists(shot) else None
    check(f"{name}: chromium screenshot", r.returncode == 0 and size == (1280, 2600), (r.returncode, size, r.stderr[-800:]))
    check(f"{name}: screenshot is not blank", os.path.exists(shot) and os.path.getsize(shot) > 30000,
          os.path.getsize(shot) if os.path.exists(shot) else None)
    r = chromium("--dump-dom", "file://" + page)
    dom = r.stdout
    check(f"{name}: DOM has the plan and the derivation graph", 'class="plan"' in dom and 'aria-label="derivation of' in dom, dom[:300])
    if name == "bundle":  # real per-hour counts (log.hour.* facts) from the bundle's maillog
        check("bundle: DOM has the log chart", 'aria-label="mail log per hour"' in dom, dom[-300:])
    if name == "synthetic":
        check("synthetic: DOM has the log chart and the queue table", 'aria-label="mail log per hour"' in dom and "Age by destination" in dom)
    if keep:
        os.makedirs(keep, exist_ok=True)
        for src in (shot, page):
            if os.path.exists(src):
                shutil.copy(src, keep)

shutil.rmtree(tmp, ignore_errors=True)
print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
