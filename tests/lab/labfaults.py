"""labfaults - real broken fixtures for the fault lab's TLS, DNS and SASL scenarios.

* Certificates (openssl): a lab root CA and an intermediate CA (made once per
  process, under a temp directory), and server certificates signed by either,
  with chosen validity dates (`openssl ca -startdate/-enddate`, so an expired
  certificate is really expired) and names. `install_tls(inst, fault)` writes
  the certificate and key for one TLS fault into an Instance's etc/ directory
  and points main.cf at them: valid, expired, expiring, missing, key-mismatch,
  key-too-open, wrong-name, chain-incomplete.
* DNS zone variants for nsd: `zones(fault)` is pfxlab.default_zones() broken in
  one way (PTR missing or mismatching, SPF missing / not authorising the server
  address / invalid (two records) / over the lookup limit, DKIM key missing,
  DMARC missing / invalid, the server's documentation address listed in the
  test blocklist bl.lab.example).
* A real SASL backend: Dovecot's auth service (`dovecot -c CONF`, package
  dovecot-core) running as root from a temp directory, with a passwd-file and
  only a UNIX socket (no network listener, `protocols = none`), that Postfix
  uses with smtpd_sasl_type = dovecot and an absolute smtpd_sasl_path.
* SMTP clients: `swaks_auth` (one real AUTH with swaks) and `auth_attempt`
  (raw AUTH with smtplib even when the server does not advertise it, as some
  mail programs do).

Python standard library only. Nothing outside the temp directories is written.
"""

import base64
import os
import shutil
import smtplib
import subprocess
import tempfile
import threading
import time

import pfxlab
from pfxlab import LabError, run

HOST = pfxlab.MYHOSTNAME
WARN_DAYS = 14  # the knowledge base's "expiring soon" window (tls.yaml)


# --- certificates ---------------------------------------------------------------------

def _stamp(t):
    """openssl ca date format (UTC)."""
    return time.strftime("%Y%m%d%H%M%SZ", time.gmtime(t))


class CertAuthority:
    """A lab root CA and an intermediate CA signed by it, both in one temp directory.

    `leaf()` issues server certificates with `openssl ca` (so notBefore/notAfter
    can be in the past) from either CA.
    """

    def __init__(self, root=None):
        self.root = root or tempfile.mkdtemp(prefix="pfxlab-ca-")
        os.chmod(self.root, 0o700)
        self._lock = threading.Lock()
        self._n = 0
        self.root_key, self.root_crt = self._p("root.key"), self._p("root.pem")
        self.int_key, self.int_crt = self._p("int.key"), self._p("int.pem")
        now = time.time()
        run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", self.root_key,
             "-out", self.root_crt, "-days", "3650", "-subj", "/O=pftriage lab/CN=pftriage lab root CA"],
            timeout=60, check=True)
        for db in ("root", "int"):
            os.makedirs(self._p(db + "-certs"), exist_ok=True)
            open(self._p(db + "-index.txt"), "w").close()
            with open(self._p(db + "-serial"), "w") as f:
                f.write("1000\n" if db == "root" else "2000\n")
            with open(self._p(db + ".cnf"), "w") as f:
                f.write(self._ca_config(db))
        ca_ext = self._p("ca.ext")
        with open(ca_ext, "w") as f:
            f.write("basicConstraints = critical, CA:TRUE, pathlen:0\n"
                    "keyUsage = critical, keyCertSign, cRLSign\n"
                    "subjectKeyIdentifier = hash\nauthorityKeyIdentifier = keyid\n")
        csr = self._p("int.csr")
        run(["openssl", "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", self.int_key, "-out", csr,
             "-subj", "/O=pftriage lab/CN=pftriage lab intermediate CA"], timeout=60, check=True)
        self._sign("root", csr, self.int_crt, now - 86400, now + 5 * 365 * 86400, ca_ext)

    def _p(self, name):
        return os.path.join(self.root, name)

    def _ca_config(self, db):
        crt, key = (self.root_crt, self.root_key) if db == "root" else (self.int_crt, self.int_key)
        return (f"[ca]\ndefault_ca = lab\n[lab]\ndatabase = {self._p(db + '-index.txt')}\n"
                f"new_certs_dir = {self._p(db + '-certs')}\nserial = {self._p(db + '-serial')}\n"
                f"certificate = {crt}\nprivate_key = {key}\ndefault_md = sha256\n"
                f"policy = anything\nunique_subject = no\ncopy_extensions = none\n"
                f"[anything]\ncommonName = supplied\norganizationName = optional\n")

    def _sign(self, db, csr, out, not_before, not_after, extfile):
        run(["openssl", "ca", "-batch", "-notext", "-config", self._p(db + ".cnf"), "-in", csr, "-out", out,
             "-startdate", _stamp(not_before), "-enddate", _stamp(not_after), "-extfile", extfile],
            timeout=60, check=True)

    def leaf(self, out_dir, name, names=(HOST,), days=90, not_before=None, issuer="root"):
        """Issue a server certificate: returns (certificate_pem_path, key_path).

        names: subjectAltName DNS names (the first is also the CN); days: validity
        from now (negative: expired that many days ago); issuer: "root" or "int".
        """
        with self._lock:
            self._n += 1
            tag = f"{name}-{self._n}"
        # The key is made in the CA's 0700 directory, then moved (no os.umask: scenarios run
        # in threads, and the umask is process-wide).
        key, tmp_key, csr = os.path.join(out_dir, f"{tag}.key"), self._p(f"{tag}.key"), self._p(f"{tag}.csr")
        ext, crt = self._p(f"{tag}.ext"), os.path.join(out_dir, f"{tag}.crt")
        now = time.time()
        nb = not_before if not_before is not None else (now - 86400 if days > 0 else now + (days - 90) * 86400)
        with open(ext, "w") as f:
            f.write("basicConstraints = CA:FALSE\nkeyUsage = critical, digitalSignature, keyEncipherment\n"
                    "extendedKeyUsage = serverAuth\n"
                    "subjectAltName = " + ", ".join(f"DNS:{n}" for n in names) + "\n")
        run(["openssl", "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
             "-keyout", tmp_key, "-out", csr, "-subj", f"/CN={names[0]}"], timeout=60, check=True)
        os.chmod(tmp_key, 0o600)
        shutil.move(tmp_key, key)
        with self._lock:  # openssl ca updates its index and serial files
            self._sign(issuer, csr, crt, nb, now + days * 86400, ext)
        return crt, key

    def cleanup(self):
        shutil.rmtree(self.root, ignore_errors=True)


_ca = None
_ca_lock = threading.Lock()


def authority():
    """The process-wide lab CA (made on first use, removed at exit)."""
    global _ca
    with _ca_lock:
        if _ca is None:
            _ca = CertAuthority()
            import atexit
            atexit.register(_ca.cleanup)
        return _ca


def new_key(path, mode=0o600):
    tmp = tempfile.mkdtemp(prefix="pfxlab-key-")  # 0700: the key is never readable by others
    try:
        run(["openssl", "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:prime256v1",
             "-out", os.path.join(tmp, "k")], timeout=60, check=True)
        os.chmod(os.path.join(tmp, "k"), mode)
        shutil.move(os.path.join(tmp, "k"), path)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return path


def _cat(out, *parts):
    with open(out, "w") as f:
        for p in parts:
            with open(p) as src:
                f.write(src.read())
    os.chmod(out, 0o644)


TLS_FAULTS = ("valid", "expired", "expiring", "missing", "key-mismatch", "key-too-open",
              "wrong-name", "chain-incomplete")


def install_tls(inst, fault="valid"):
    """Write server certificate and key for one TLS fault into inst.etc and set
    smtpd_tls_cert_file / smtpd_tls_key_file in inst.extra_main (call before
    start(); after write_config() also run inst.postconf_set(**params) yourself).

    Returns the main.cf parameters it set.
    """
    if fault not in TLS_FAULTS:
        raise ValueError(f"unknown TLS fault {fault!r}")
    ca = authority()
    os.makedirs(inst.etc, exist_ok=True)
    cert = os.path.join(inst.etc, "server-chain.pem")
    key = os.path.join(inst.etc, "server.key")
    work = tempfile.mkdtemp(prefix="tls-", dir=inst.root)
    days = {"expired": -3, "expiring": 5}.get(fault, 90)
    names = ("www.other.example",) if fault == "wrong-name" else (HOST,)
    issuer = "int" if fault == "chain-incomplete" else "root"
    crt, k = ca.leaf(work, fault, names=names, days=days, issuer=issuer)
    if fault == "chain-incomplete":
        _cat(cert, crt)                     # the leaf only: the intermediate is not sent
    else:
        _cat(cert, crt, ca.root_crt)        # leaf + the (private) root: a complete chain
    shutil.copy(k, key)
    os.chmod(key, 0o600)
    if fault == "key-mismatch":
        new_key(key)                        # a key of another certificate (e.g. a half-done renewal)
    if fault == "key-too-open":
        os.chmod(key, 0o644)
    shutil.rmtree(work, ignore_errors=True)
    params = {"smtpd_tls_cert_file": cert, "smtpd_tls_key_file": key,
              "smtpd_tls_security_level": "may"}
    if fault == "missing":
        os.remove(cert)                     # e.g. a renewal tool moved it; main.cf still names it
    inst.extra_main.update(params)
    inst.tls = False                        # pfxlab must not overwrite with its own pair
    return params


def starttls_attempt(inst, timeout=20):
    """One real STARTTLS session with swaks (so smtpd loads its certificate and logs any
    problem); returns swaks' CompletedProcess (failure is expected for broken TLS)."""
    return run(["swaks", "--server", inst.host, "--port", str(inst.port), "--helo", "client.lab.example",
                "--tls-optional", "--quit-after", "TLS", "--timeout", "15"], timeout=timeout + 10)


# --- DNS zone variants ------------------------------------------------------------------

DNS_FAULTS = ("ptr-missing", "ptr-mismatch", "spf-missing", "spf-not-authorizing", "spf-two-records",
              "spf-too-many-lookups", "dkim-missing", "dmarc-missing", "dmarc-invalid", "blocklisted")


def zones(fault=None):
    """pfxlab.default_zones() with one DNS deliverability fault (None: healthy)."""
    z = pfxlab.default_zones()
    lab = z["lab.example"]

    def drop(prefix):
        z["lab.example"] = [r for r in z["lab.example"] if not r.startswith(prefix)]
    if fault is None:
        return z
    if fault == "ptr-missing":
        z["2.0.192.in-addr.arpa"] = []                       # NXDOMAIN for 25.2.0.192.in-addr.arpa
    elif fault == "ptr-mismatch":
        # A provider's generic name that does not resolve back (and is not myhostname).
        z["2.0.192.in-addr.arpa"] = ["25 PTR host-25.dsl.example.net."]
    elif fault == "spf-missing":
        drop('@ TXT "v=spf1')
    elif fault == "spf-not-authorizing":
        drop('@ TXT "v=spf1')
        z["lab.example"].append('@ TXT "v=spf1 ip4:198.51.100.0/24 -all"')   # only the old provider
    elif fault == "spf-two-records":
        z["lab.example"].append('@ TXT "v=spf1 a mx ~all"')                  # a second v=spf1 record
    elif fault == "spf-too-many-lookups":
        drop('@ TXT "v=spf1')
        # One character-string holds at most 255 octets: the record is split (receivers join them).
        incs = '" "'.join(f" include:s{i}.lab.example" for i in range(11))
        z["lab.example"].append(f'@ TXT "v=spf1 ip4:192.0.2.25" "{incs}" " -all"')
        z["lab.example"] += [f's{i} TXT "v=spf1 ip4:198.51.100.{i} -all"' for i in range(11)]
    elif fault == "dkim-missing":
        drop("default._domainkey")
    elif fault == "dmarc-missing":
        drop("_dmarc")
    elif fault == "dmarc-invalid":
        drop("_dmarc")
        z["lab.example"].append('_dmarc TXT "v=DMARC1; p=block; rua=dmarc@lab.example"')  # bad p=, rua not a URI
    elif fault == "blocklisted":
        z["bl.lab.example"] = z["bl.lab.example"] + ["25.2.0.192 A 127.0.0.2",
                                                     '25.2.0.192 TXT "listed: spam trap hits"']
    else:
        raise ValueError(f"unknown DNS fault {fault!r}")
    del lab
    return z


# --- SASL: Dovecot auth ---------------------------------------------------------------------

class DovecotAuth:
    """Dovecot's auth service only, as root from a temp directory, for Postfix SASL.

    Listens on one UNIX socket (`self.socket`, owner postfix, 0660) and nowhere else
    (`protocols = none`, no inet_listener). Users come from a passwd-file with plain
    passwords (`users={"alice@lab.example": "secret"}`). stop() kills the master by pid
    (and anything left under the directory); the socket disappears with it.
    """

    def __init__(self, users=None, root=None):
        self.users = dict(users or {"alice@lab.example": "Wonderland-42"})
        self.root = root or tempfile.mkdtemp(prefix="pfxlab-dovecot-")
        os.chmod(self.root, 0o755)
        self.base = os.path.join(self.root, "run")
        self.socket = os.path.join(self.root, "auth-postfix")
        self.conf = os.path.join(self.root, "dovecot.conf")
        self.log = os.path.join(self.root, "dovecot.log")
        self.instance = os.path.basename(self.root)
        self.pid = None

    def __repr__(self):
        return f"DovecotAuth({self.socket})"

    def write_config(self):
        os.makedirs(self.base, exist_ok=True)
        os.makedirs(os.path.join(self.root, "state"), exist_ok=True)
        pw = os.path.join(self.root, "users")
        with open(pw, "w") as f:
            for u, p in self.users.items():
                f.write(f"{u}:{{PLAIN}}{p}::::::\n")
        # Dovecot's auth process runs as the user "dovecot": group-readable, not world-readable.
        import grp
        os.chown(pw, 0, grp.getgrnam("dovecot").gr_gid)
        os.chmod(pw, 0o640)
        conf = f"""\
# pftriage lab: Dovecot auth only (tests/lab/labfaults.py)
instance_name = {self.instance}
base_dir = {self.base}
state_dir = {self.root}/state
log_path = {self.log}
protocols = none
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_failure_delay = 0
auth_verbose = yes
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {pw}
}}
userdb {{
  driver = static
  args = uid=nobody gid=nogroup home=/nonexistent
}}
service auth {{
  unix_listener {self.socket} {{
    mode = 0660
    user = postfix
    group = postfix
  }}
}}
service anvil {{
  chroot =
  # mode 0: no anvil-auth-penalty socket, so no growing delay after failed logins
  # (Dovecot's documented switch; the brute-force scenario would take minutes).
  unix_listener anvil-auth-penalty {{
    mode = 0
  }}
}}
"""
        with open(self.conf, "w") as f:
            f.write(conf)

    def start(self):
        self.write_config()
        pfxlab._register(self)
        res = run(["dovecot", "-c", self.conf], timeout=30)
        if res.returncode != 0:
            raise LabError(f"dovecot failed to start: {res.stderr.strip()} {self._log_tail()}")
        pidfile = os.path.join(self.base, "master.pid")
        pfxlab.wait_until(lambda: os.path.exists(pidfile) and os.path.exists(self.socket), 20,
                          "dovecot auth socket")
        with open(pidfile) as f:
            self.pid = int(f.read().strip())
        return self

    def _log_tail(self):
        try:
            with open(self.log, errors="replace") as f:
                return f.read()[-800:]
        except OSError:
            return ""

    def running(self):
        return bool(self.pid and pfxlab.pid_alive(self.pid))

    def stop(self):
        pids = []
        if self.pid and pfxlab.pid_alive(self.pid):
            pids = [self.pid] + pfxlab.children_of(self.pid)
        pfxlab.kill_pids(pids)
        if self.pid:
            pfxlab.wait_until(lambda: not pfxlab.pid_alive(self.pid), 10, "dovecot to exit")
        pfxlab.kill_pids(pfxlab.processes_under(self.root))
        # Dovecot's auth processes chdir to base_dir; any child left is matched above.
        pfxlab._unregister(self)

    def cleanup(self):
        self.stop()
        shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    def postfix_params(self):
        """main.cf for SASL through this backend (switched on per service: see submission_service)."""
        return {"smtpd_sasl_type": "dovecot", "smtpd_sasl_path": self.socket}


def submission_service(host, port):
    """A master.cf submission service on host:port with SMTP AUTH on, as Debian's master.cf
    template has it (TLS offered, not required: the lab's clients log in in clear)."""
    return (f"{host}:{port} inet n       -       n       -       -       smtpd\n"
            "  -o smtpd_sasl_auth_enable=yes\n"
            "  -o smtpd_relay_restrictions=permit_sasl_authenticated,reject\n")


def swaks_auth(inst, user, password, mech="PLAIN", to="bob@example.net", timeout=30, port=None):
    """One real SMTP AUTH with swaks (then a message when it succeeds); returns CompletedProcess."""
    return run(["swaks", "--server", inst.host, "--port", str(port or inst.port), "--helo", "laptop.lab.example",
                "--auth", mech, "--auth-user", user, "--auth-password", password,
                "--from", user if "@" in user else f"{user}@lab.example", "--to", to,
                "--timeout", "15"], timeout=timeout)


def swaks_attack(inst, users, attempts, parallel=4, port=None):
    """`attempts` failed AUTH logins with swaks, cycling through `users` (wrong passwords),
    `parallel` at a time. Returns the number of swaks runs that ended with a 535."""
    n = 0
    lock = threading.Lock()
    jobs = [(users[i % len(users)], f"guess{i:04d}") for i in range(attempts)]

    def worker():
        nonlocal n
        while True:
            with lock:
                if not jobs:
                    return
                u, p = jobs.pop()
            r = run(["swaks", "--server", inst.host, "--port", str(port or inst.port), "--helo", "x.example.com",
                     "--auth", "PLAIN", "--auth-user", u, "--auth-password", p, "--quit-after", "AUTH",
                     "--timeout", "15"], timeout=30)
            if "535" in r.stdout:
                with lock:
                    n += 1
    ts = [threading.Thread(target=worker) for _ in range(parallel)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    return n


def auth_attempt(inst, user, password, timeout=15):
    """An SMTP client that sends AUTH PLAIN whether or not the server offers it (as mail
    programs configured with "my server requires authentication" do). Returns the reply code."""
    with smtplib.SMTP(inst.host, inst.port, timeout=timeout) as s:
        s.ehlo("laptop.lab.example")
        token = base64.b64encode(f"\0{user}\0{password}".encode()).decode()
        code, _ = s.docmd("AUTH", "PLAIN " + token)
        try:
            s.quit()
        except smtplib.SMTPException:
            pass
        return code


def _selftest():
    """python3 labfaults.py: make every certificate and the Dovecot backend once."""
    d = tempfile.mkdtemp(prefix="labfaults-selftest-")
    ok = True
    try:
        ca = authority()
        for fault in ("valid", "expired", "expiring", "wrong-name", "chain-incomplete"):
            days = {"expired": -3, "expiring": 5}.get(fault, 90)
            crt, _ = ca.leaf(d, fault, names=("www.other.example",) if fault == "wrong-name" else (HOST,),
                             days=days, issuer="int" if fault == "chain-incomplete" else "root")
            out = run(["openssl", "x509", "-in", crt, "-noout", "-enddate", "-subject", "-issuer"]).stdout
            print(fault, out.replace("\n", " | "))
        dv = DovecotAuth()
        with dv:
            print("dovecot", dv.pid, os.path.exists(dv.socket))
        print("dovecot stopped", not dv.running())
        dv.cleanup()
    except Exception as exc:
        ok = False
        print("FAIL", exc)
    finally:
        shutil.rmtree(d, ignore_errors=True)
    return 0 if ok else 1


if __name__ == "__main__":
    import sys
    sys.exit(_selftest())
