#!/usr/bin/env python3
"""test_collect.py - `pftriage collect` on a throwaway lab Postfix (+ nsd), then
`pftriage --from` on the bundle, compared with the live triage of the same instance.

Checks: the bundle has the spec's files with modes 0600/0700 and a MANIFEST; no
private key and no SASL password map is in it even when main.cf names the key as a
certificate file and the password map as a CA file; --redact masks local parts
consistently; the live and bundle reports see the same number of known facts.
Usage: test_collect.py PFTRIAGE   (exit 0/1, last line `N passed, M failed`)
"""
import json
import re
import os
import stat
import sys
import tarfile
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pfxlab  # noqa: E402

PFT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(pfxlab.REPO, "build", "pftriage")
results = []


def check(name, cond, detail=""):
    results.append((name, bool(cond)))
    print(("ok   " if cond else "FAIL ") + name + ("" if cond else f": {detail}"))


def main():
    out = tempfile.mkdtemp(prefix="pft-collect-test-")
    sasl_secret = "relay.example.net alice:VerySecretPassword42"
    with pfxlab.Dns(zones=pfxlab.dns_test_zones()) as dns:
        inst = pfxlab.Instance("collect")
        sasl = os.path.join(inst.root, "sasl_passwd")
        inst.extra_main.update({
            "smtp_sasl_password_maps": f"hash:{sasl}",
            # A careless configuration: the key and the password map named as certificate files.
            "smtp_tls_cert_file": inst.key_file,
            "smtp_tls_CAfile": sasl,
        })
        try:
            os.makedirs(inst.root, exist_ok=True)
            with open(sasl, "w") as f:
                f.write(sasl_secret + "\n")
            os.chmod(sasl, 0o600)
            with inst:
                inst.send("bob@lab.example", sender="carol.secret@lab.example")
                inst.wait_for_log(r"status=sent", 30)
                common = ["-c", inst.etc, "--resolver", f"127.0.0.1:{dns.port}", "--server-ips", "192.0.2.25",
                          "--mail-domains", "lab.example", "--run-postfix-check"]
                bdir = os.path.join(out, "bundle")
                r = pfxlab.run([PFT, "collect", "-o", bdir] + common, timeout=120)
                check("collect exits 0", r.returncode == 0, r.stderr)
                with open(inst.maillog, errors="replace") as f:
                    lines = [l for l in f if "smtpd[" in l and ("starttls=" in l or "after STARTTLS" in l)]
                check("the TLS probe takes leave with QUIT (no 'lost connection after STARTTLS')",
                      lines and all("quit=1" in l for l in lines if "disconnect" in l)
                      and not any("lost connection after STARTTLS" in l for l in lines), "".join(lines[-4:]))
                names = []
                for root, dirs, files in os.walk(bdir):
                    for d in dirs:
                        check(f"dir {d} is 0700", stat.S_IMODE(os.stat(os.path.join(root, d)).st_mode) == 0o700)
                    for f in files:
                        p = os.path.join(root, f)
                        names.append(os.path.relpath(p, bdir))
                        if stat.S_IMODE(os.stat(p).st_mode) != 0o600:
                            check(f"file {f} is 0600", False, oct(os.stat(p).st_mode))
                        with open(p, errors="replace") as fh:
                            text = fh.read()
                        if "PRIVATE KEY" in text or "VerySecretPassword42" in text:
                            check(f"no secret in {f}", False, "private key or password found")
                for n in ("MANIFEST", "postconf.txt", "main.cf", "ss-tlnp.txt", "tables.txt",
                          "tls/smtpd_tls_cert_file.pem", "tls/smtpd_tls_key_file.stat",
                          f"tls/s_client-{inst.port}.txt", "dig/MX_lab.example.txt", "dig/PTR_192.0.2.25.txt"):
                    check(f"bundle has {n}", n in names, sorted(names))
                check("no secret anywhere in the bundle", all(r[1] for r in results if r[0].startswith("no secret")))
                with open(os.path.join(bdir, "MANIFEST")) as f:
                    man = f.read()
                check("MANIFEST format 1 and collector", "format: 1" in man and "collector: pftriage" in man, man)

                live = pfxlab.run([PFT, "--format", "json"] + common, timeout=120)
                from_b = pfxlab.run([PFT, "--format", "json", "--from", bdir], timeout=120)
                try:
                    jl, jb = json.loads(live.stdout), json.loads(from_b.stdout)
                    kl, kb = jl["facts"]["known"], jb["facts"]["known"]
                    # tls.key.matches is known live only (a bundle never holds a key).
                    check("live and bundle know the same facts (but the key match)", 0 <= kl - kb <= 2, f"{kl} vs {kb}")
                except (ValueError, KeyError) as exc:
                    check("reports are JSON", False, f"{exc}: {live.stderr[-300:]} {from_b.stderr[-300:]}")

                tgz = os.path.join(out, "red.tar.gz")
                r = pfxlab.run([PFT, "collect", "--redact", "--redact-ips", "-o", tgz] + common, timeout=120)
                check("collect --redact to .tar.gz exits 0", r.returncode == 0, r.stderr)
                check("archive is 0600", stat.S_IMODE(os.stat(tgz).st_mode) == 0o600)
                with tarfile.open(tgz) as t:
                    texts = {m.name: t.extractfile(m).read().decode(errors="replace") for m in t.getmembers() if m.isfile()}
                joined = "\n".join(texts.values())
                check("--redact removes the sender's local part", "carol.secret@" not in joined)
                masks = set(re.findall(r"([A-Za-z0-9._%+=-]+)@lab\.example", joined)) - {"postmaster", "MAILER-DAEMON"}
                check("--redact maps local parts to userN masks", masks and all(m.startswith("user") for m in masks), masks)
                check("--redact-ips removes the server address, reversed PTR name included",
                      "192.0.2.25" not in joined and "25.2.0.192" not in joined and
                      not any("25.2.0.192" in n or "192.0.2.25" in n for n in texts))
                man = texts.get(next((n for n in texts if n.endswith("MANIFEST")), ""), "")
                check("--redact-ips masks server_ips consistently (198.18.x.y)",
                      re.search(r"server_ips: 198\.18\.\d+\.\d+", man) is not None, man)
                check("--redact-ips keeps loopback", "127.0.0" in joined)
        finally:
            inst.cleanup()
    passed = sum(1 for _, ok in results if ok)
    failed = len(results) - passed
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
