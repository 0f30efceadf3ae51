"""labrun - the fault lab's scenario framework (issue #5).

A *scenario* builds a real Postfix instance (tests/lab/pfxlab.py), breaks it in
one known way (or two), waits until the fault is observable, and names the
catalog cause(s) that pftriage must conclude. The runner (test_scenarios.py)
then triages the instance twice -- LIVE (`pftriage -c ETC --resolver ...`) and
from a bundle that `pftriage collect` made of it -- and scores both.

Writing a scenario (in scenarios_core.py, scenarios_tls_dns_sasl.py, ...):

    from labrun import scenario

    @scenario("queue-on-hold", expect=["queue-on-hold"], symptom="mail stuck")
    def _(ctx):
        sink = ctx.sink()                               # started, stopped at the end
        inst = ctx.instance("hold", main=ctx.via_sink(sink)[0], tables=ctx.via_sink(sink)[1])
        inst.start()                                    # registered: stopped + removed at the end
        ...break it, wait for the log line / queue state...

    Scenario(id, expect, setup, symptom="...", group="core", shared_dns=True,
             notes="", tolerate=(), zones=None, dns=None, timeout=180)

- `expect`: cause ids. One id: it must rank 1. Two or more (faults at once):
  every one within the top 3. Empty: a healthy baseline, nothing at warning
  level or above may be reported.
- `tolerate`: causes that are true consequences of the injected fault (so not
  false alarms), each to be justified in `notes`. Never use it to hide a wrong
  conclusion.
- `symptom`: what a user would type (`--symptom`); "" runs a health check.
- `zones`: extra zones {name: [records]} added to the SHARED nsd (all scenario
  modules are imported before nsd starts). `dns`: keyword arguments for a
  PRIVATE pfxlab.Dns (e.g. {"failing_zones": [...]}) -- implies shared_dns=False.
- `setup(ctx)` returns once the fault is observable. The first instance it
  creates is the one triaged (set `ctx.target` to choose another).

The context `ctx` (class Ctx):
    ctx.dns                       the pfxlab.Dns this scenario's pftriage uses as resolver
    ctx.sink(**kw)                a started pfxlab.SmtpSink (rcpt_reply="550 ..." to refuse)
    ctx.instance(name, **kw)      a pfxlab.Instance (not started) on a reserved loopback
                                  listen address (127.0.0.N:25 when free); cleaned up at the end
    ctx.via_sink(sink, domains)   (main, tables) kwargs that route domains to the sink
    ctx.popen(argv)               a started helper process, killed by pid at the end
    ctx.defer(fn)                 run fn at cleanup (e.g. umount), newest first
    ctx.pftriage_live_args(inst)  ["-c", ETC, "--resolver", ..., "--server-ips", ..., ...]
    ctx.tmp                       a scratch directory removed at the end
    ctx.log(msg)                  a line in the scenario's own log (printed on failure)

Everything a scenario starts is stopped by pid in `finally`, even on failure.
Scenarios run in parallel (-j): each instance has its own directory and listen
address; do not bind fixed ports other than through ctx helpers.
"""

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pfxlab  # noqa: E402

SERVER_IPS = pfxlab.DOC_SERVER_IP
MAIL_DOMAINS = pfxlab.MYDOMAIN
SEVERE = ("warning", "critical")

_registry = {}
_listen_lock = threading.Lock()
_reserved = set()
_lock_files = {}  # (host, port) -> open file holding an flock: reservations across processes


def _claim(addr):
    """Reserve addr for this process and, through an flock'd file under /tmp, against other
    lab processes running at the same time (two runners, another engineer's lab)."""
    import fcntl
    if addr in _reserved:
        return False
    path = os.path.join(tempfile.gettempdir(), f"pfxlab-addr-{addr[0]}-{addr[1]}.lock")
    f = open(path, "a")
    try:
        fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        f.close()
        return False
    _reserved.add(addr)
    _lock_files[addr] = f
    return True


class Scenario:
    def __init__(self, id, expect, setup, symptom="", group="core", shared_dns=True, notes="",
                 tolerate=(), zones=None, dns=None, timeout=180):
        self.id, self.expect, self.setup = id, list(expect), setup
        self.symptom, self.group, self.notes = symptom, group, notes
        self.tolerate = list(tolerate)
        self.zones = dict(zones or {})
        self.dns_kwargs = dns
        self.shared_dns = shared_dns and dns is None
        self.timeout = timeout

    def __repr__(self):
        return f"Scenario({self.id})"


def register(s):
    if s.id in _registry:
        raise ValueError(f"scenario {s.id} registered twice")
    _registry[s.id] = s
    return s


def scenario(id, expect, **kw):
    """Decorator: @scenario("id", expect=[...], symptom=..., ...) def setup(ctx): ..."""
    def deco(fn):
        register(Scenario(id, expect, fn, notes=kw.pop("notes", (fn.__doc__ or "").strip()), **kw))
        return fn
    return deco


def scenarios():
    return list(_registry.values())


def reserve_listen():
    """A loopback listen address for a new instance: 127.0.0.N:25 when free (port 25 makes
    bundles realistic and smtp(8) loop detection work), else 127.0.0.1:<free port>."""
    with _listen_lock:
        # (A listener on *:25 makes every 127.0.0.N:25 bind fail, so no separate check.)
        for n in range(25, 100):
            host = f"127.0.0.{n}"
            if (host, 25) not in _reserved and pfxlab.can_bind(host, 25) and _claim((host, 25)):
                return host, 25
        while True:
            addr = ("127.0.0.1", pfxlab.free_port("127.0.0.1"))
            if _claim(addr):
                return addr


def reserve_addr(port):
    """A 127.0.0.N address whose `port` is free (TCP and UDP) and reserved for this run."""
    with _listen_lock:
        for n in range(100, 250):
            host = f"127.0.0.{n}"
            if (host, port) in _reserved or not pfxlab.can_bind(host, port):
                continue
            if not _claim((host, port)):
                continue
            import socket as _s
            with _s.socket(_s.AF_INET, _s.SOCK_DGRAM) as u:
                try:
                    u.bind((host, port))
                except OSError:
                    release_listen_unlocked((host, port))
                    continue
            return host
    raise pfxlab.LabError(f"no 127.0.0.N with port {port} free")


def release_listen_unlocked(addr):
    _reserved.discard(tuple(addr))
    f = _lock_files.pop(tuple(addr), None)
    if f:
        f.close()


def release_listen(addr):
    with _listen_lock:
        _reserved.discard(tuple(addr))
        f = _lock_files.pop(tuple(addr), None)
        if f:
            f.close()  # drops the flock (the file stays: removing it would race)


def reserve_port(host="127.0.0.1"):
    """A free TCP port on host that no other scenario of this run will be given."""
    with _listen_lock:
        while True:
            addr = (host, pfxlab.free_port(host))
            if _claim(addr):
                return addr[1]


class Ctx:
    def __init__(self, s, dns, keep=False):
        self.scenario, self.dns, self.keep = s, dns, keep
        self.tmp = tempfile.mkdtemp(prefix=f"pfxlab-run-{s.id}-")
        os.chmod(self.tmp, 0o755)
        self.instances, self.target = [], None
        self._cleanups, self.lines = [], []

    def log(self, msg):
        self.lines.append(f"{time.strftime('%H:%M:%S')} {msg}")

    def defer(self, fn):
        self._cleanups.append(fn)
        return fn

    def sink(self, **kw):
        s = pfxlab.SmtpSink(**kw)
        s.port = kw.get("port") or reserve_port(s.host)
        s.start()
        self.defer(s.stop)
        return s

    def instance(self, name, **kw):
        if "listen" not in kw:
            kw["listen"] = reserve_listen()
            self.defer(lambda a=kw["listen"]: release_listen(a))
        inst = pfxlab.Instance(f"{self.scenario.id[:20]}-{name}", **kw)
        self.instances.append(inst)
        if self.target is None:
            self.target = inst
        self.defer(inst.stop if self.keep else inst.cleanup)
        self.log(f"instance {inst}")
        return inst

    @staticmethod
    def via_sink(sink, domains=("example.net",)):
        """main/tables kwargs for Instance that send `domains` to the sink via transport_maps."""
        table = "".join(f"{d} smtp:[127.0.0.1]:{sink.port}\n" for d in domains)
        return ({"transport_maps": "hash:${config_directory}/transport"}, {"transport": table})

    def popen(self, argv, **kw):
        """A helper process (own process group), killed by pid at cleanup."""
        p = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL, start_new_session=True, **kw)

        def kill():
            if p.poll() is None:
                pfxlab.kill_pids([p.pid] + pfxlab.children_of(p.pid))
                try:
                    p.wait(5)
                except subprocess.TimeoutExpired:
                    pass
        self.defer(kill)
        return p

    def own_dns(self, port53=False, **kw):
        """Start a private pfxlab.Dns (zones=..., failing_zones=...) and make it this
        scenario's resolver. port53=True puts it on 127.0.0.N:53, so that it can be named
        in a resolv.conf (see private_resolver)."""
        d = pfxlab.Dns(**kw)
        if port53:
            d.host = reserve_addr(53)
            d.port = 53
            self.defer(lambda h=d.host: release_listen((h, 53)))
        d.start()
        self.defer(d.cleanup)
        self.dns = d
        return d

    def private_resolver(self, inst, nameserver):
        """Make `inst` start in its own mount namespace where /etc/resolv.conf names
        `nameserver` (the host's file is untouched: a bind mount seen by Postfix only)."""
        conf = os.path.join(self.tmp, "resolv.conf")
        with open(conf, "w") as f:
            f.write(f"nameserver {nameserver}\noptions timeout:1 attempts:1\n")
        os.chmod(conf, 0o644)
        inst.start_prefix = ["unshare", "-m", "--propagation", "private", "--", "sh", "-c",
                             'mount --bind "$0" /etc/resolv.conf && exec "$@"', conf]

    def pftriage_live_args(self, inst=None):
        inst = inst or self.target
        return ["-c", inst.etc, "--resolver", f"{self.dns.host}:{self.dns.port}",
                "--server-ips", SERVER_IPS, "--mail-domains", MAIL_DOMAINS, "--run-postfix-check"]

    def close(self):
        for fn in reversed(self._cleanups):
            try:
                fn()
            except Exception as exc:  # keep cleaning up
                self.log(f"cleanup failed: {exc!r}")
        self._cleanups = []
        if not self.keep:
            shutil.rmtree(self.tmp, ignore_errors=True)


# --- scoring ---------------------------------------------------------------------------

def rank_of(rep, cid):
    ids = [c["id"] for c in rep.get("causes", [])] if rep else []
    return ids.index(cid) + 1 if cid in ids else None


def host_strained():
    """True when the lab machine itself is short of CPU or memory right now (the lab
    shares it with other jobs): then pftriage's host-resources-exhausted is a TRUE
    finding about this machine, not a false alarm (the same thresholds as the KB:
    load per CPU >= 2, or less than 10 % memory available)."""
    try:
        with open("/proc/loadavg") as f:
            load1 = float(f.read().split()[0])
        if load1 / (os.cpu_count() or 1) >= 2:
            return True
        mem = {}
        with open("/proc/meminfo") as f:
            for l in f:
                k, v = l.split(":", 1)
                mem[k] = int(v.split()[0])
        return mem["MemAvailable"] * 100 < mem["MemTotal"] * 10
    except (OSError, ValueError, KeyError):
        return False


HOST_WIDE = ("host-resources-exhausted",)


def score(s, rep, strained=False):
    """{'top1','top3','ranks','false_alarms','host_findings','top'} for one report.
    host_findings: HOST_WIDE causes reported while the lab machine was really strained."""
    if rep is None:
        return {"top1": False, "top3": False, "ranks": {}, "false_alarms": [], "host_findings": [],
                "top": [], "error": True}
    causes = rep.get("causes", [])
    host = [c["id"] for c in causes if strained and c["id"] in HOST_WIDE and c["id"] not in s.expect]
    severe = [c["id"] for c in causes if c.get("severity") in SEVERE and c["id"] not in host]
    fa = [c for c in severe if c not in s.expect and c not in s.tolerate]
    ranks = {c: rank_of(rep, c) for c in s.expect}
    if not s.expect:
        top1 = top3 = not severe
    elif len(s.expect) == 1:
        r = ranks[s.expect[0]]
        top1, top3 = r == 1, r is not None and r <= 3
    else:
        top3 = all(r is not None and r <= 3 for r in ranks.values())
        top1 = top3 and 1 in ranks.values()
    return {"top1": top1, "top3": top3, "ranks": ranks, "false_alarms": fa, "host_findings": host,
            "top": [f"{c['id']}({c.get('severity')},{c.get('confidence')})" for c in causes[:5]]}


def target_met(s, sc):
    hit = sc["top1"] if len(s.expect) <= 1 else sc["top3"]
    return hit and not sc["false_alarms"]


# --- running ---------------------------------------------------------------------------

def pftriage_json(pft, args, timeout=180):
    env = dict(os.environ, NO_COLOR="1", LC_ALL="C")
    res = pfxlab.run([pft, "--format", "json"] + args, env=env, timeout=timeout)
    try:
        return json.loads(res.stdout), res
    except ValueError:
        return None, res


def run_scenario(s, pft, shared_dns, save_dir=None, keep=False):
    """Set up, triage live and from a bundle, score; always tears down. Returns a dict."""
    t0 = time.monotonic()
    out = {"id": s.id, "group": s.group, "expect": s.expect, "symptom": s.symptom}
    own_dns = None
    dns = shared_dns
    if not s.shared_dns:
        own_dns = pfxlab.Dns(**(s.dns_kwargs or {}))
        dns = own_dns
    ctx = Ctx(s, dns, keep=keep)
    try:
        if own_dns:
            own_dns.start()
            ctx.defer(own_dns.stop if keep else own_dns.cleanup)
        s.setup(ctx)
        out["setup_s"] = round(time.monotonic() - t0, 1)
        sym = ["--symptom", s.symptom] if s.symptom else []
        live_args = ctx.pftriage_live_args()
        live, lres = pftriage_json(pft, sym + live_args)
        live_strained = host_strained()
        out["live_exit"] = lres.returncode
        if live is None:
            ctx.log(f"live pftriage exit {lres.returncode}: {lres.stderr[-800:]}")
        bdir = os.path.join(save_dir, s.id) if save_dir else os.path.join(ctx.tmp, "bundle")
        if save_dir:
            shutil.rmtree(bdir, ignore_errors=True)
        bundle_strained = host_strained()  # the bundle's loadavg.txt is read now
        col = pfxlab.run([pft, "collect", "-o", bdir] + live_args, timeout=240)
        bundle_strained = bundle_strained or host_strained()
        out["collect_exit"] = col.returncode
        if col.returncode != 0:
            ctx.log(f"collect exit {col.returncode}: {col.stderr[-800:]}")
        out["not_collected"] = [l for l in col.stderr.splitlines() if "not collected" in l]
        bundle, bres = pftriage_json(pft, sym + ["--from", bdir])
        out["bundle_exit"] = bres.returncode
        if bundle is None:
            ctx.log(f"bundle pftriage exit {bres.returncode}: {bres.stderr[-800:]}")
        out["live"], out["bundle"] = score(s, live, live_strained), score(s, bundle, bundle_strained)
        out["ok"] = target_met(s, out["live"]) and target_met(s, out["bundle"])
        if save_dir:
            out["bundle_dir"] = bdir
    except Exception as exc:
        out["error"] = f"{exc!r}"
        ctx.log(traceback.format_exc())
        out.setdefault("live", score(s, None))
        out.setdefault("bundle", score(s, None))
        out["ok"] = False
    finally:
        ctx.close()
        out["seconds"] = round(time.monotonic() - t0, 1)
        out["log"] = ctx.lines
    return out


def shared_zones(selected):
    zones = pfxlab.default_zones()
    for s in selected:
        for name, records in s.zones.items():
            zones.setdefault(name, [])
            zones[name] = zones[name] + [r for r in records if r not in zones[name]]
    return zones


def wait_port_open(host, port, timeout=20):
    def is_open():
        with socket.socket() as c:
            c.settimeout(1)
            return c.connect_ex((host, port)) == 0
    return pfxlab.wait_until(is_open, timeout, f"{host}:{port} to accept")
