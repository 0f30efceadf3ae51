"""pfxlab - the pftriage fault lab: throwaway Postfix instances and DNS on loopback.

Starts real Postfix instances (postfix -c DIR) and an authoritative nsd, both
entirely under a temporary directory, breaks them on purpose, and collects
evidence bundles from them with scripts/collect-bundle.sh. Python standard
library only. It never touches /etc/postfix, /etc/resolv.conf or the system
Postfix instance, binds to 127.0.0.0/8 only, and bounds every wait.
"""

import atexit
import base64
import json
import os
import pwd
import re
import shutil
import signal
import socket
import socketserver
import subprocess
import tempfile
import threading
import time

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
COLLECT_SCRIPT = os.path.join(REPO, "scripts", "collect-bundle.sh")
SYSTEM_META = "/etc/postfix"  # read-only source of postfix-files and dynamicmaps.cf

MYHOSTNAME = "mx.lab.example"
MYDOMAIN = "lab.example"
DOC_SERVER_IP = "192.0.2.25"  # documentation address that MANIFESTs name as the host's IP

_live = []  # objects to stop at exit, newest last
_signals_installed = False


class LabError(Exception):
    """A lab step failed: a command, a start, or a bounded wait."""


def _register(obj):
    global _signals_installed
    _live.append(obj)
    if not _signals_installed:
        _signals_installed = True
        # Turn SIGTERM/SIGHUP into SystemExit so `with` blocks and atexit run.
        def _exit(signum, _frame):
            raise SystemExit(128 + signum)
        for sig in (signal.SIGTERM, signal.SIGHUP):
            try:
                signal.signal(sig, _exit)
            except (ValueError, OSError):
                pass


def _unregister(obj):
    if obj in _live:
        _live.remove(obj)


@atexit.register
def stop_all():
    """Stop everything this process started that is still running (newest first)."""
    for obj in list(reversed(_live)):
        try:
            obj.stop()
        except Exception as exc:  # keep stopping the rest
            print(f"pfxlab: stop {obj!r} failed: {exc}")


# --- small helpers -----------------------------------------------------------

def can_bind(host, port):
    """True when host:port is free for a TCP listener (TIME_WAIT leftovers do not count:
    Postfix's master binds with SO_REUSEADDR too)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
            return True
        except OSError:
            return False


def free_port(host="127.0.0.1", preferred=None):
    """A TCP (and, for nsd, UDP) port that is free on host."""
    if preferred and can_bind(host, preferred):
        return preferred
    for _ in range(50):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            s.bind((host, 0))
            port = s.getsockname()[1]
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as u:
            try:
                u.bind((host, port))
            except OSError:
                continue
        return port
    raise LabError(f"no free port on {host}")


def pick_listen_address():
    """Prefer 127.0.0.25:25 (so bundles show a listener on port 25), else 127.0.0.1:<free>."""
    for host in ("127.0.0.25", "127.0.0.26", "127.0.0.27"):
        if can_bind(host, 25) and can_bind("0.0.0.0", 25):
            return host, 25
    return "127.0.0.1", free_port("127.0.0.1", 2525)


def run(argv, env=None, timeout=60, input_text=None, check=False):
    """Run argv (no shell) with a timeout; stdout/stderr go through temp files so
    a daemon that inherits them cannot make us wait for EOF."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        p = subprocess.run(argv, env=env, timeout=timeout, stdout=out, stderr=err,
                           input=input_text.encode() if input_text is not None else None,
                           stdin=None if input_text is not None else subprocess.DEVNULL)
        out.seek(0)
        err.seek(0)
        res = subprocess.CompletedProcess(argv, p.returncode,
                                          out.read().decode(errors="replace"),
                                          err.read().decode(errors="replace"))
    if check and res.returncode != 0:
        raise LabError(f"{' '.join(argv)} exited {res.returncode}: {res.stderr.strip()}")
    return res


def pid_alive(pid):
    try:
        os.kill(pid, 0)
        return True
    except ProcessLookupError:
        return False
    except PermissionError:
        return True


def processes_under(root):
    """PIDs whose working directory or executable lies under root (our daemons chdir there)."""
    root = os.path.realpath(root)
    found = []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            cwd = os.readlink(f"/proc/{name}/cwd")
        except OSError:
            continue
        if cwd == root or cwd.startswith(root + "/"):
            found.append(int(name))
    return found


def children_of(pid):
    kids = []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            if int(fields[1]) == pid:
                kids.append(int(name))
        except (OSError, IndexError, ValueError):
            continue
    return kids


def kill_pids(pids, grace=5.0):
    """SIGTERM, wait up to grace seconds, then SIGKILL whatever is left."""
    pids = [p for p in pids if p != os.getpid() and pid_alive(p)]
    for p in pids:
        try:
            os.kill(p, signal.SIGTERM)
        except ProcessLookupError:
            pass
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline and any(pid_alive(p) for p in pids):
        time.sleep(0.1)
    for p in pids:
        if pid_alive(p):
            try:
                os.kill(p, signal.SIGKILL)
            except ProcessLookupError:
                pass


def wait_until(predicate, timeout, what, interval=0.2):
    """Poll predicate() until it returns a true value or timeout seconds pass."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise LabError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(interval)


# --- SMTP sink -----------------------------------------------------------------

class _SinkHandler(socketserver.StreamRequestHandler):
    timeout = 30

    def _say(self, line):
        self.wfile.write((line + "\r\n").encode())

    def handle(self):
        sink = self.server.sink
        self._say(f"220 {sink.hostname} ESMTP lab sink")
        mail_from, rcpts = None, []
        while True:
            raw = self.rfile.readline(4096)
            if not raw:
                return
            line = raw.decode(errors="replace").rstrip("\r\n")
            verb = line.split(" ", 1)[0].upper()
            if verb == "EHLO":
                self._say(f"250-{sink.hostname}")
                self._say("250-8BITMIME")
                self._say("250 SIZE 10240000")
            elif verb == "HELO":
                self._say(f"250 {sink.hostname}")
            elif verb == "MAIL":
                mail_from, rcpts = line[10:].strip(), []
                self._say("250 2.1.0 Ok")
            elif verb == "RCPT":
                if sink.rcpt_reply:
                    self._say(sink.rcpt_reply)
                else:
                    rcpts.append(line[8:].strip())
                    self._say("250 2.1.5 Ok")
            elif verb == "DATA":
                self._say("354 End data with <CR><LF>.<CR><LF>")
                data, size = [], 0
                while True:
                    d = self.rfile.readline(65536)
                    if not d or d in (b".\r\n", b".\n"):
                        break
                    size += len(d)
                    if size < 1_000_000:
                        data.append(d)
                with sink.lock:
                    sink.messages.append({"from": mail_from, "to": rcpts,
                                          "data": b"".join(data).decode(errors="replace")})
                self._say(f"250 2.0.0 Ok: queued as SINK{len(sink.messages)}")
            elif verb == "RSET":
                mail_from, rcpts = None, []
                self._say("250 2.0.0 Ok")
            elif verb == "NOOP":
                self._say("250 2.0.0 Ok")
            elif verb == "QUIT":
                self._say("221 2.0.0 Bye")
                return
            else:
                self._say("502 5.5.2 Error: command not recognized")


class _SinkServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


class SmtpSink:
    """An in-process SMTP server on 127.0.0.1 that accepts (or refuses) and records mail."""

    def __init__(self, host="127.0.0.1", port=None, hostname="sink.example.net", rcpt_reply=None):
        self.host, self.port = host, port or free_port(host)
        self.hostname, self.rcpt_reply = hostname, rcpt_reply
        self.messages, self.lock = [], threading.Lock()
        self._server = self._thread = None

    def start(self):
        self._server = _SinkServer((self.host, self.port), _SinkHandler)
        self._server.sink = self
        self._thread = threading.Thread(target=self._server.serve_forever,
                                        kwargs={"poll_interval": 0.2}, daemon=True)
        self._thread.start()
        _register(self)
        return self

    def stop(self):
        if self._server:
            self._server.shutdown()
            self._server.server_close()
            self._thread.join(5)
            self._server = None
        _unregister(self)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    def __repr__(self):
        return f"SmtpSink({self.host}:{self.port})"


# --- Postfix instance ------------------------------------------------------------

MASTER_CF = """\
# Lab master.cf: no chroot, loopback smtpd, postlogd for maillog_file.
# service type  private unpriv  chroot  wakeup  maxproc command + args
{listen} inet  n       -       n       -       -       smtpd
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
tlsmgr    unix  -       -       n       1000?   1       tlsmgr
proxymap  unix  -       -       n       -       -       proxymap
proxywrite unix -       -       n       -       1       proxymap
smtp      unix  -       -       n       -       -       smtp
relay     unix  -       -       n       -       -       smtp
        -o syslog_name=postfix/$service_name
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
local     unix  -       n       n       -       -       local
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
"""


class Instance:
    """A throwaway Postfix instance under its own temp directory.

    Layout: ROOT/etc (config and meta directory), ROOT/spool (queue),
    ROOT/data, ROOT/mailbox (local deliveries, as files), ROOT/maillog.
    Every Postfix command runs with -c ROOT/etc or MAIL_CONFIG=ROOT/etc.
    """

    def __init__(self, name="lab", main=None, master_extra="", tables=None,
                 listen=None, root=None, tls=True):
        self.name = name
        self.root = root or tempfile.mkdtemp(prefix=f"pfxlab-{name}-")
        os.chmod(self.root, 0o755)
        self.etc = os.path.join(self.root, "etc")
        self.spool = os.path.join(self.root, "spool")
        self.data = os.path.join(self.root, "data")
        self.mailbox = os.path.join(self.root, "mailbox")
        self.maillog = os.path.join(self.root, "maillog")
        self.host, self.port = listen or pick_listen_address()
        self.extra_main = dict(main or {})
        self.master_extra = master_extra
        self.tables = dict(tables or {})
        self.tls = tls
        self.cert_file = os.path.join(self.etc, "mx.lab.example.pem")
        self.key_file = os.path.join(self.etc, "mx.lab.example.key")
        self.env = dict(os.environ, MAIL_CONFIG=self.etc, LC_ALL="C")
        self._master_pid = None
        self._written = False
        # argv prefix for `postfix start` (e.g. unshare + a private /etc/resolv.conf).
        self.start_prefix = []

    def __repr__(self):
        return f"Instance({self.name}, {self.host}:{self.port}, {self.root})"

    @property
    def listen(self):
        return f"{self.host}:{self.port}"

    # -- configuration
    def main_params(self):
        p = {
            "compatibility_level": "3.6",
            "meta_directory": self.etc,
            "queue_directory": self.spool,
            "data_directory": self.data,
            "mail_owner": "postfix",
            "setgid_group": "postdrop",
            "default_privs": "nobody",
            "myhostname": MYHOSTNAME,
            "mydomain": MYDOMAIN,
            "myorigin": "$mydomain",
            "mydestination": "$myhostname, localhost.$mydomain, localhost, $mydomain",
            # "all", yet only loopback is bound: every inet service in master.cf
            # names a 127.x address (checked in write_config and after start).
            # A specific 127.0.0.x here would fail ("no local interface found")
            # unless the address were added to lo, which we must not do.
            "inet_interfaces": "all",
            "inet_protocols": "ipv4",
            "mynetworks": "127.0.0.0/8",
            "alias_maps": f"hash:{self.etc}/aliases",
            "alias_database": f"hash:{self.etc}/aliases",
            "smtpd_banner": "$myhostname ESMTP $mail_name",
            "smtpd_client_restrictions": "permit_mynetworks, reject_rbl_client bl.lab.example",
            "smtpd_relay_restrictions": "permit_mynetworks, reject_unauth_destination",
            "biff": "no",
            "maillog_file": self.maillog,
            "maillog_file_prefixes": self.root,
        }
        if self.tls:
            p.update({"smtpd_tls_cert_file": self.cert_file,
                      "smtpd_tls_key_file": self.key_file,
                      "smtpd_tls_security_level": "may",
                      "smtp_tls_security_level": "may"})
        p.update(self.extra_main)
        return p

    def write_config(self):
        for d in (self.etc, self.spool, self.data, self.mailbox,
                  os.path.join(self.etc, "postfix-files.d"),
                  os.path.join(self.etc, "dynamicmaps.cf.d")):
            os.makedirs(d, exist_ok=True)
        pw = pwd.getpwnam("postfix")
        os.chown(self.data, pw.pw_uid, pw.pw_gid)
        nobody = pwd.getpwnam("nobody")
        os.chown(self.mailbox, nobody.pw_uid, nobody.pw_gid)
        # Meta files Postfix reads from meta_directory: copies, so /etc/postfix stays untouched.
        for f in ("postfix-files", "dynamicmaps.cf"):
            src = os.path.join(SYSTEM_META, f)
            if os.path.exists(src):
                shutil.copy(src, os.path.join(self.etc, f))
        if self.tls:
            self.make_certificates()
        lines = [f"# Lab instance {self.name}: written by tests/lab/pfxlab.py"]
        lines += [f"{k} = {v}" for k, v in self.main_params().items()]
        self._write(os.path.join(self.etc, "main.cf"), "\n".join(lines) + "\n")
        master = MASTER_CF.format(listen=self.listen) + self.master_extra
        for line in master.splitlines():
            f = line.split()
            if len(f) > 1 and not line[0].isspace() and not f[0].startswith("#") \
                    and f[1] == "inet" and not f[0].startswith("127."):
                raise LabError(f"master.cf inet service must bind 127.x: {line!r}")
        self._write(os.path.join(self.etc, "master.cf"), master)
        aliases = (f"postmaster: root\nMAILER-DAEMON: postmaster\nroot: {self.mailbox}/root\n"
                   f"alice: {self.mailbox}/alice\nbob: {self.mailbox}/bob\n")
        self._write(os.path.join(self.etc, "aliases"), aliases)
        self.cmd(["postalias", "-c", self.etc, os.path.join(self.etc, "aliases")], check=True)
        for name, text in self.tables.items():
            path = os.path.join(self.etc, name)
            self._write(path, text)
            self.cmd(["postmap", "-c", self.etc, f"hash:{path}"], check=True)
        self._written = True

    def make_certificates(self, days=90):
        """A lab CA and a server certificate for mx.lab.example signed by it.

        smtpd_tls_cert_file holds the server certificate followed by the CA
        (a full chain); the key is 0600 root, as on a well-kept server.
        """
        tmp = os.path.join(self.root, "ca")
        os.makedirs(tmp, exist_ok=True)
        os.chmod(tmp, 0o700)
        ca_key, ca_crt = os.path.join(tmp, "ca.key"), os.path.join(tmp, "ca.pem")
        csr = os.path.join(tmp, "server.csr")
        ext = os.path.join(tmp, "server.ext")
        srv = os.path.join(tmp, "server.pem")
        with open(ext, "w") as f:
            f.write("subjectAltName = DNS:mx.lab.example\nextendedKeyUsage = serverAuth\n")
        # EC P-256 keys: as good for the lab as RSA and ~50x faster to make on a busy CI host.
        run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
             "-nodes", "-keyout", ca_key,
             "-out", ca_crt, "-days", str(days + 275), "-subj", "/O=pftriage lab/CN=pftriage lab CA"],
            timeout=60, check=True)
        # The key is made inside the 0700 ca/ directory and moved into place: no
        # os.umask() (process-wide, it would leak into daemons that other threads of a
        # parallel lab run start at the same moment).
        tmp_key = os.path.join(tmp, "server.key")
        run(["openssl", "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
             "-nodes", "-keyout", tmp_key,
             "-out", csr, "-subj", "/CN=mx.lab.example"], timeout=60, check=True)
        os.chmod(tmp_key, 0o600)
        shutil.move(tmp_key, self.key_file)
        run(["openssl", "x509", "-req", "-in", csr, "-CA", ca_crt, "-CAkey", ca_key,
             "-CAcreateserial", "-out", srv, "-days", str(days), "-extfile", ext],
            timeout=60, check=True)
        with open(self.cert_file, "w") as out:
            for part in (srv, ca_crt):
                with open(part) as f:
                    out.write(f.read())
        os.chmod(self.cert_file, 0o644)
        os.chmod(self.key_file, 0o600)

    @staticmethod
    def _write(path, text):
        with open(path, "w") as f:
            f.write(text)
        os.chmod(path, 0o644)

    def postconf_set(self, **params):
        """postconf -e for this instance (then reload() if it runs)."""
        args = [f"{k}={v}" for k, v in params.items()]
        self.cmd(["postconf", "-c", self.etc, "-e"] + args, check=True)

    def set_table(self, name, text):
        path = os.path.join(self.etc, name)
        self._write(path, text)
        self.cmd(["postmap", "-c", self.etc, f"hash:{path}"], check=True)

    # -- commands
    def cmd(self, argv, timeout=60, check=False, input_text=None):
        return run(argv, env=self.env, timeout=timeout, check=check, input_text=input_text)

    def postfix(self, *args, timeout=60, check=False):
        return self.cmd(["postfix", "-c", self.etc] + list(args), timeout=timeout, check=check)

    def master_pid(self):
        try:
            with open(os.path.join(self.spool, "pid", "master.pid")) as f:
                return int(f.read().strip())
        except (OSError, ValueError):
            return None

    def is_running(self):
        return self.postfix("status").returncode == 0

    def start(self):
        if not self._written:
            self.write_config()
        if not can_bind(self.host, self.port):
            raise LabError(f"{self.listen} is already in use")
        _register(self)
        self.postfix("check", check=True)  # also creates the queue directories
        # postfix start would repeat both integrity checks (slow on a loaded host);
        # postfix-script skips them once when queue_directory/quick-start exists.
        with open(os.path.join(self.spool, "quick-start"), "w"):
            pass
        self.cmd(self.start_prefix + ["postfix", "-c", self.etc, "start"], check=True)
        wait_until(self.is_running, 20, f"{self} to run")
        self._master_pid = self.master_pid()
        wait_until(lambda: not can_bind(self.host, self.port), 20, f"smtpd on {self.listen}")
        bad = [a for a in self.listening_addresses() if not a.startswith("127.")]
        if bad:
            self.stop()
            raise LabError(f"{self} listened on non-loopback {bad}; stopped it")
        return self

    def listening_addresses(self):
        """Local addresses of TCP listeners that belong to this instance's master."""
        pid = self.master_pid()
        res = run(["ss", "-Htlnp"], timeout=20)
        out = []
        for line in res.stdout.splitlines():
            if pid and f"pid={pid}," in line:
                out.append(line.split()[3])
        return out

    def reload(self):
        self.postfix("reload", check=True)

    def stop_postfix(self):
        """Stop Postfix the normal way (the instance stays registered for cleanup)."""
        self.postfix("stop", timeout=60)
        wait_until(lambda: not (self._master_pid and pid_alive(self._master_pid)), 20,
                   "master to exit")

    def stop(self):
        """Stop Postfix, then kill by pid whatever of this instance remains. Idempotent."""
        if os.path.isdir(self.etc) and self._written:
            try:
                self.postfix("stop", timeout=60)
            except (subprocess.TimeoutExpired, OSError):
                pass
        pids = []
        for pid in (self._master_pid, self.master_pid()):
            if pid and pid_alive(pid):
                pids.append(pid)
                pids += children_of(pid)
        kill_pids(pids)
        kill_pids(processes_under(self.root))
        _unregister(self)

    def cleanup(self):
        """stop() and remove the temp directory."""
        self.stop()
        shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    # -- mail
    def send(self, to, sender="alice@lab.example", subject="lab test", body="lab message",
             timeout=30):
        """Send one message to this instance's smtpd with swaks; returns CompletedProcess."""
        to = to if isinstance(to, str) else ",".join(to)
        return run(["swaks", "--server", self.host, "--port", str(self.port),
                    "--helo", "client.lab.example", "--from", sender, "--to", to,
                    "--header", f"Subject: {subject}", "--body", body,
                    "--timeout", "20"], timeout=timeout)

    def sendmail(self, to, sender="alice@lab.example", subject="lab test", body="lab message"):
        """Submit through sendmail/postdrop (works with Postfix stopped: lands in maildrop)."""
        msg = f"From: {sender}\nTo: {to}\nSubject: {subject}\n\n{body}\n"
        return self.cmd(["sendmail", "-f", sender, to], input_text=msg, check=True)

    def queue(self):
        """The queue as postqueue -j objects."""
        res = self.cmd(["postqueue", "-c", self.etc, "-j"], timeout=30)
        return [json.loads(l) for l in res.stdout.splitlines() if l.strip()]

    def wait_for_queue(self, predicate, timeout=60, what="queue state"):
        return wait_until(lambda: predicate(self.queue()), timeout, what, interval=0.5)

    def log_text(self):
        try:
            with open(self.maillog, errors="replace") as f:
                return f.read()
        except FileNotFoundError:
            return ""

    def wait_for_log(self, regex, timeout=30, count=1):
        """Wait until regex matches count lines of the lab maillog; returns the matches."""
        rx = re.compile(regex)

        def found():
            hits = [l for l in self.log_text().splitlines() if rx.search(l)]
            return hits if len(hits) >= count else None
        return wait_until(found, timeout, f"maillog /{regex}/ x{count}")

    # -- evidence
    def collect_bundle(self, out_dir, dns=None, server_ips=DOC_SERVER_IP,
                       mail_domains=MYDOMAIN, keep_tar=False, timeout=300):
        """Write an evidence bundle for this instance with scripts/collect-bundle.sh."""
        if os.path.exists(out_dir):
            if os.listdir(out_dir):
                raise LabError(f"{out_dir} is not empty")
            os.rmdir(out_dir)
        env = dict(self.env, SERVER_IPS=server_ips, MAIL_DOMAINS=mail_domains,
                   DIG=dns.dig_command() if dns else "none",
                   SMTP_HOST=self.host, SMTP_PORTS=str(self.port), MAILLOG=self.maillog,
                   CMD_TIMEOUT="20")
        res = run(["sh", COLLECT_SCRIPT, out_dir], env=env, timeout=timeout)
        if res.returncode != 0:
            raise LabError(f"collect-bundle.sh failed: {res.stderr.strip()}")
        tar = out_dir.rstrip("/") + ".tar.gz"
        if not keep_tar and os.path.exists(tar):
            os.remove(tar)
        return out_dir


# --- DNS (nsd) ---------------------------------------------------------------------

def _dkim_public_key():
    """A real RSA public key for the default._domainkey record (generated, then discarded)."""
    try:
        key = run(["openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:1024"],
                  timeout=30, check=True).stdout
        der = subprocess.run(["openssl", "pkey", "-pubout", "-outform", "DER"], input=key.encode(),
                             capture_output=True, timeout=30, check=True).stdout
        return base64.b64encode(der).decode()
    except Exception:
        return ""


def default_zones():
    """The lab's test zones: relative owner names, one record per string."""
    dkim = _dkim_public_key()
    dkim_txt = " ".join(f'"{dkim[i:i + 200]}"' for i in range(0, len(dkim), 200))
    remote = lambda: ["@ MX 10 mx", "mx A 203.0.113.10", "@ A 203.0.113.10",
                      '@ TXT "v=spf1 mx -all"']
    return {
        "lab.example": [
            "@ MX 10 mx.lab.example.",
            "@ A 192.0.2.25",
            "mx A 192.0.2.25",
            '@ TXT "v=spf1 ip4:192.0.2.25 -all"',
            '_dmarc TXT "v=DMARC1; p=quarantine; rua=mailto:dmarc@lab.example"',
            f'default._domainkey TXT "v=DKIM1; k=rsa; p=" {dkim_txt}' if dkim else
            'default._domainkey TXT "v=DKIM1; k=rsa; p="',
        ],
        "example.net": remote(),
        "example.org": remote(),
        "example.com": remote(),
        "2.0.192.in-addr.arpa": ["25 PTR mx.lab.example."],
        "113.0.203.in-addr.arpa": ["10 PTR mx.example.net."],
        # A test blocklist (RFC 5782 style): 127.0.0.2 and one documentation address listed.
        "bl.lab.example": ["2.0.0.127 A 127.0.0.2", '2.0.0.127 TXT "test entry"',
                           "66.113.0.203 A 127.0.0.2", '66.113.0.203 TXT "listed for tests"'],
    }


def dns_test_zones():
    """default_zones() plus what the DNS probe tests need: SPF include chains, an SPF
    record over the 10-lookup limit, TLSA, and blocklist error answers (127.255.255.254)."""
    z = default_zones()
    many = '" "'.join(f" include:s{i}.lab.example" for i in range(12))  # one string each
    z["lab.example"] += [
        "www CNAME mx",
        "_25._tcp.mx TLSA 3 1 1 0C72AC70B745AC19998811B131D662C9AC69DBDBE7CB23E5B514B56664C5D3D6",
        f'spf-many TXT "v=spf1{many}" " -all"',
        'spf-chain TXT "v=spf1 include:_spf1.lab.example ~all"',
        '_spf1 TXT "v=spf1 a:mx.lab.example include:_spf2.lab.example ?all"',
        '_spf2 TXT "v=spf1 ip4:198.51.100.0/24 -all"',
    ] + [f's{i} TXT "v=spf1 ip4:198.51.100.{i} -all"' for i in range(12)]
    z["bl.lab.example"] += ["25.2.0.192 A 127.255.255.254",
                            '25.2.0.192 TXT "query refused: open resolver"']
    return z


class Dns:
    """An authoritative nsd on 127.0.0.1:<free port> serving the lab's zones.

    Postfix in the lab does not use it (it uses the system resolver, which we
    must not change, so lab routing uses [IP]:port next hops); it is the
    resolver for pftriage's own DNS probes (`--resolver`) and for the dig/
    files of collected bundles.
    """

    def __init__(self, zones=None, port=None, root=None, failing_zones=()):
        self.zones = zones if zones is not None else default_zones()
        # Zones configured without a zone file: nsd answers SERVFAIL for them.
        self.failing_zones = list(failing_zones)
        self.host = "127.0.0.1"
        self.port = port or free_port(self.host)
        self.root = root or tempfile.mkdtemp(prefix="pfxlab-dns-")
        os.chmod(self.root, 0o755)
        self.proc = None

    def __repr__(self):
        return f"Dns({self.host}:{self.port}, {self.root})"

    def dig_command(self):
        return f"dig @{self.host} -p {self.port}"

    def write_config(self):
        conf = [
            "server:",
            f"  ip-address: {self.host}@{self.port}",
            f"  port: {self.port}",
            "  do-ip4: yes",
            "  do-ip6: no",
            '  username: ""',
            '  chroot: ""',
            f'  zonesdir: "{self.root}"',
            '  database: ""',
            f'  zonelistfile: "{self.root}/zone.list"',
            f'  xfrdfile: "{self.root}/xfrd.state"',
            f'  xfrdir: "{self.root}"',
            f'  pidfile: "{self.root}/nsd.pid"',
            f'  logfile: "{self.root}/nsd.log"',
            "  server-count: 1",
            "  verbosity: 1",
            "  hide-version: yes",
            "remote-control:",
            "  control-enable: no",
        ]
        serial = time.strftime("%Y%m%d01", time.gmtime())
        for zone, records in self.zones.items():
            conf += ["zone:", f"  name: {zone}", f"  zonefile: {zone}.zone"]
            text = [f"$ORIGIN {zone}.", "$TTL 300",
                    f"@ SOA ns.lab.example. hostmaster.lab.example. {serial} 3600 600 86400 300",
                    "@ NS ns.lab.example."]
            if zone == "lab.example":
                text.append("ns A 127.0.0.1")
            text += records
            with open(os.path.join(self.root, f"{zone}.zone"), "w") as f:
                f.write("\n".join(text) + "\n")
        for zone in self.failing_zones:
            conf += ["zone:", f"  name: {zone}", f"  zonefile: {zone}.missing-zone"]
        with open(os.path.join(self.root, "nsd.conf"), "w") as f:
            f.write("\n".join(conf) + "\n")
        res = run(["nsd-checkconf", os.path.join(self.root, "nsd.conf")], timeout=30)
        if res.returncode != 0:
            raise LabError(f"nsd-checkconf: {res.stdout}{res.stderr}")

    def start(self):
        self.write_config()
        _register(self)
        log = open(os.path.join(self.root, "nsd.stderr"), "w")
        self.proc = subprocess.Popen(["nsd", "-d", "-c", os.path.join(self.root, "nsd.conf")],
                                     stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                                     cwd=self.root)
        log.close()

        def answers():
            if self.proc.poll() is not None:
                raise LabError(f"nsd exited {self.proc.returncode}; see {self.root}/nsd.stderr")
            r = self.dig("SOA", "lab.example", "+short", "+time=1", "+tries=1")
            return "hostmaster" in r
        wait_until(answers, 20, "nsd to answer")
        return self

    def dig(self, rtype, name, *opts):
        return run(["dig", f"@{self.host}", "-p", str(self.port), rtype, name] + list(opts),
                   timeout=20).stdout

    def stop(self):
        if self.proc and self.proc.poll() is None:
            kids = children_of(self.proc.pid)
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
            kill_pids(kids)
        kill_pids(processes_under(self.root))
        _unregister(self)

    def cleanup(self):
        self.stop()
        shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


def leftover_processes(roots):
    """PIDs still running under any of the given lab roots."""
    out = []
    for r in roots:
        out += processes_under(r)
    return out
