#!/usr/bin/env python3
"""Installation and packaging: `cmake --install` into a staging prefix, then the
installed binary finds its installed knowledge base (also after the prefix is moved),
the man page renders without warnings, and `cpack -G DEB` builds a .deb whose
contents and declared dependencies are right. As root, with no pftriage package
installed, the .deb is also installed with dpkg, run, and removed (PFT_TEST_NO_DPKG=1
skips that).
Usage: test_install.py BUILD_DIR
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.path.abspath(sys.argv[1])
BUNDLE = os.path.join(ROOT, "examples", "bundles", "mail-stuck-relayhost")
ENV = {k: v for k, v in os.environ.items() if k != "PFTRIAGE_DATA_DIR"}
ENV["NO_COLOR"] = "1"
passed = failed = 0


def check(name, cond, detail=""):
    global passed, failed
    if cond:
        passed += 1
        print("ok   ", name)
    else:
        failed += 1
        print("FAIL ", name, "\n      ", str(detail)[:2000])


def sh(*args, timeout=600, **kw):
    return subprocess.run(list(args), capture_output=True, text=True, timeout=timeout, env=ENV, **kw)


tmp = tempfile.mkdtemp(prefix="pft-install-")
prefix = os.path.join(tmp, "prefix")
p = sh("cmake", "--install", BUILD, "--prefix", prefix)
check("cmake --install into a staging prefix", p.returncode == 0, p.stdout + p.stderr)

expected = ["bin/pftriage", "share/pftriage/facts.yaml", "share/pftriage/knowledge/symptoms.yaml",
            "share/man/man1/pftriage.1.gz", "share/bash-completion/completions/pftriage",
            "lib/systemd/system/pftriage-check.service", "lib/systemd/system/pftriage-check.timer",
            "libexec/pftriage/pftriage-health", "share/doc/pftriage/README.md", "share/doc/pftriage/fleet.md",
            "share/doc/pftriage/examples/ansible/pftriage-fleet.yml"]
missing = [f for f in expected if not os.path.exists(os.path.join(prefix, f))]
check("installed files in their usual places", not missing, missing)
check("wrapper is executable", os.access(os.path.join(prefix, "libexec/pftriage/pftriage-health"), os.X_OK))


def installed_checks(exe, label):
    p = sh(exe, "kb", "lint", cwd=tmp)
    check(f"{label}: kb lint", p.returncode == 0 and "0 error(s)" in p.stdout, p.stdout[-500:] + p.stderr[-500:])
    p = sh(exe, "--from", BUNDLE, "--symptom", "mail stuck", "--format", "json", cwd=tmp)
    try:
        rep = json.loads(p.stdout)
        check(f"{label}: triage of a bundle", p.returncode in (0, 1, 2) and rep["causes"], p.returncode)
    except ValueError:
        check(f"{label}: triage of a bundle", False, p.stdout[:300] + p.stderr[:300])


exe = os.path.join(prefix, "bin", "pftriage")
installed_checks(exe, "installed")

# The installed binary reads the installed knowledge, not the source tree it was built from.
marker = os.path.join(prefix, "share/pftriage/knowledge/zz-install-marker.yaml")
with open(marker, "w") as f:
    f.write("symptoms:\n  - {id: zz-install-marker, title: Marker of the installed copy, aliases: [install marker]}\n")
p = sh(exe, "kb", "ids", "symptoms", cwd=tmp)
check("installed binary uses share/pftriage of its own prefix", "zz-install-marker" in p.stdout, p.stdout[-300:] + p.stderr[-300:])
os.remove(marker)

moved = os.path.join(tmp, "moved")
shutil.move(prefix, moved)
installed_checks(os.path.join(moved, "bin", "pftriage"), "after moving the prefix")

man = os.path.join(moved, "share/man/man1/pftriage.1.gz")
if shutil.which("man"):
    p = subprocess.run(["man", "--warnings", "-l", man], capture_output=True, text=True,
                       env={**ENV, "MANPAGER": "cat", "MANWIDTH": "80"}, timeout=60)
    check("man page renders without warnings", p.returncode == 0 and not p.stderr.strip() and "EXIT STATUS" in p.stdout, p.stderr[:800])
    for word in ("check", "diff", "explain", "guide", "collect", "logs", "symptoms", "kb lint", "--format", "NO_COLOR", "EXAMPLES"):
        check(f"man page covers {word}", word in p.stdout.replace("\u2010", "-"), "")

# ---- the .deb --------------------------------------------------------------------------
pkgdir = os.path.join(tmp, "pkg")
p = sh("cpack", "-G", "DEB", "-B", pkgdir, "--config", os.path.join(BUILD, "CPackConfig.cmake"), timeout=900)
debs = [os.path.join(pkgdir, f) for f in os.listdir(pkgdir) if f.endswith(".deb")] if os.path.isdir(pkgdir) else []
check("cpack -G DEB builds a package", p.returncode == 0 and len(debs) == 1, p.stdout[-1500:] + p.stderr[-1500:])
if debs:
    deb = debs[0]
    info = sh("dpkg-deb", "-I", deb).stdout
    files = sh("dpkg-deb", "-c", deb).stdout
    depends = next((l for l in info.splitlines() if l.strip().startswith("Depends:")), "")
    for lib in ("libyaml-cpp0.7", "libre2-9", "libldns3", "libarchive13", "libssl3", "libspdlog1.10", "libc6"):
        check(f"deb declares {lib}", lib in depends, depends)
    check("deb: Package and Section", "Package: pftriage" in info and "Section: mail" in info, info)
    for f in ("./usr/bin/pftriage", "./usr/share/pftriage/facts.yaml", "./usr/share/pftriage/knowledge/symptoms.yaml",
              "./usr/share/man/man1/pftriage.1.gz", "./usr/share/bash-completion/completions/pftriage",
              "./usr/lib/systemd/system/pftriage-check.timer", "./usr/libexec/pftriage/pftriage-health"):
        check(f"deb contains {f}", f in files, files[:1500])
    check("deb holds no build paths", "build" not in "".join(l.split()[-1] for l in files.splitlines()), files[:500])

    installed_already = sh("dpkg-query", "-W", "-f=${Status}", "pftriage").stdout.startswith("install ok")
    if os.geteuid() == 0 and not installed_already and not os.environ.get("PFT_TEST_NO_DPKG"):
        p = sh("dpkg", "-i", deb, timeout=300)
        check("dpkg -i installs the package (dependencies satisfied)", p.returncode == 0, p.stdout[-800:] + p.stderr[-800:])
        if p.returncode == 0:
            installed_checks("/usr/bin/pftriage", "dpkg-installed")
        p = sh("dpkg", "-r", "pftriage", timeout=300)
        check("dpkg -r removes it", p.returncode == 0 and not os.path.exists("/usr/bin/pftriage"), p.stderr[-500:])
    else:
        print("skip  dpkg -i (not root, already installed, or PFT_TEST_NO_DPKG)")

shutil.rmtree(tmp, ignore_errors=True)
print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
