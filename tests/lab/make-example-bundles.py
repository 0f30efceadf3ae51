#!/usr/bin/env python3
"""make-example-bundles - regenerate examples/bundles/* from real, broken lab instances.

Each scenario starts a throwaway Postfix (tests/lab/pfxlab.py), really breaks
it, waits until the fault shows in the queue or the log, and collects a bundle
with scripts/collect-bundle.sh. Nothing in a bundle is edited afterwards.
Usage: python3 tests/lab/make-example-bundles.py [NAME ...] [--out DIR]
"""

import argparse
import os
import shutil
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pfxlab  # noqa: E402

DEFAULT_OUT = os.path.join(pfxlab.REPO, "examples", "bundles")


def _sink_transport(sink):
    return {"transport": f"example.net smtp:[127.0.0.1]:{sink.port}\n"}


TRANSPORT_MAIN = {"transport_maps": "hash:${config_directory}/transport"}


def healthy(out, dns):
    """A working instance: one message relayed to a loopback SMTP sink, empty queue."""
    with pfxlab.SmtpSink() as sink:
        inst = pfxlab.Instance("healthy", main=TRANSPORT_MAIN, tables=_sink_transport(sink))
        with inst:
            inst.send("bob@example.net", subject="healthy lab message")
            inst.wait_for_log(r"to=<bob@example\.net>.*status=sent", 30)
            inst.wait_for_queue(lambda q: not q, 30, "an empty queue")
            assert len(sink.messages) == 1
            inst.collect_bundle(out, dns=dns)
        return inst


def mail_stuck_relayhost(out, dns):
    """relayhost points at a loopback port where nothing listens: mail deferred, refused."""
    dead = pfxlab.free_port("127.0.0.1", 10587)
    inst = pfxlab.Instance("relayhost", main={"relayhost": f"[127.0.0.1]:{dead}"})
    rcpts = ["bob@example.net", "carol@example.net", "dave@example.org",
             "erin@example.org", "frank@example.com", "grace@example.com"]
    with inst:
        for i, r in enumerate(rcpts):
            inst.send(r, subject=f"stuck message {i + 1}")

        def all_refused(q):
            return len(q) == len(rcpts) and all(
                m["queue_name"] == "deferred" and
                all("Connection refused" in x.get("delay_reason", "") for x in m["recipients"])
                for m in q)
        inst.wait_for_queue(all_refused, 60, "6 deferred messages with Connection refused")
        inst.collect_bundle(out, dns=dns)
    return inst


def mail_stuck_hold(out, dns):
    """Messages put on hold with postsuper -h (qmgr kept out until they are held)."""
    with pfxlab.SmtpSink() as sink:
        inst = pfxlab.Instance("hold", main=TRANSPORT_MAIN, tables=_sink_transport(sink))
        inst.write_config()
        master_cf = os.path.join(inst.etc, "master.cf")
        with open(master_cf) as f:
            original = f.read()
        # Without qmgr, new mail waits in the incoming queue, so postsuper -h
        # can catch it before any delivery attempt.
        with open(master_cf, "w") as f:
            f.write(original.replace("\nqmgr ", "\n#qmgr "))
        with inst:
            for i in range(4):
                inst.send("bob@example.net", subject=f"held message {i + 1}")
            inst.wait_for_queue(lambda q: len(q) == 4, 30, "4 messages in incoming")
            inst.cmd(["postsuper", "-c", inst.etc, "-h", "ALL"], check=True)
            inst.wait_for_log(r"postsuper\[\d+\]: Placed on hold: 4 messages", 20)
            with open(master_cf, "w") as f:
                f.write(original)
            inst.reload()
            # qmgr runs again and delivers nothing: everything stays in hold.
            pfxlab.wait_until(lambda: any(c.startswith("qmgr ") for c in _cmdlines(inst.root)),
                              20, "qmgr to run")
            time.sleep(2)
            q = inst.queue()
            assert len(q) == 4 and all(m["queue_name"] == "hold" for m in q), q
            assert not sink.messages
            inst.collect_bundle(out, dns=dns)
        return inst


def postfix_stopped(out, dns):
    """Postfix stopped after some traffic; new submissions wait in maildrop."""
    with pfxlab.SmtpSink() as sink:
        inst = pfxlab.Instance("stopped", main=TRANSPORT_MAIN, tables=_sink_transport(sink))
        with inst:
            inst.send("bob@example.net", subject="before the stop")
            inst.wait_for_log(r"status=sent", 30)
            inst.stop_postfix()
            for i in range(2):
                inst.sendmail("bob@example.net", subject=f"submitted while stopped {i + 1}")
            q = inst.queue()
            assert len(q) == 2 and all(m["queue_name"] == "maildrop" for m in q), q
            inst.collect_bundle(out, dns=dns)
        return inst


def mail_loop(out, dns):
    """relayhost is the instance's own smtpd: 'mail for ... loops back to myself'."""
    inst = pfxlab.Instance("loop")
    if inst.port != 25:
        # smtp(8) checks the EHLO name against myhostname only on port 25.
        raise pfxlab.LabError(f"mail-loop needs smtpd on port 25, got {inst.listen}")
    inst.extra_main["relayhost"] = f"[{inst.host}]:{inst.port}"
    with inst:
        for i, r in enumerate(["bob@example.net", "dave@example.org", "frank@example.com"]):
            inst.send(r, subject=f"looping message {i + 1}")
        inst.wait_for_log(r"loops back to myself", 60, count=3)
        time.sleep(2)  # let bounces and deferrals settle into the queue and log
        inst.collect_bundle(out, dns=dns)
    return inst


def _cmdlines(root):
    """Command lines of this instance's processes only (others may run their own labs)."""
    out = []
    for pid in pfxlab.processes_under(root):
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                out.append(f.read().replace(b"\0", b" ").decode(errors="replace"))
        except OSError:
            pass
    return out


SCENARIOS = {
    "healthy": healthy,
    "mail-stuck-relayhost": mail_stuck_relayhost,
    "mail-stuck-hold": mail_stuck_hold,
    "postfix-stopped": postfix_stopped,
    "mail-loop": mail_loop,
}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("names", nargs="*", help=f"scenarios (default: all): {' '.join(SCENARIOS)}")
    ap.add_argument("--out", default=DEFAULT_OUT)
    ap.add_argument("--keep-temp", action="store_true", help="keep the lab temp directories")
    args = ap.parse_args()
    names = args.names or list(SCENARIOS)
    unknown = [n for n in names if n not in SCENARIOS]
    if unknown:
        ap.error(f"unknown scenario(s): {' '.join(unknown)}")
    os.makedirs(args.out, exist_ok=True)
    failed = []
    dns = pfxlab.Dns().start()
    roots = [dns.root]
    try:
        for name in names:
            out = os.path.join(args.out, name)
            shutil.rmtree(out, ignore_errors=True)
            print(f"== {name}", flush=True)
            try:
                inst = SCENARIOS[name](out, dns)
                roots.append(inst.root)
                if not args.keep_temp:
                    inst.cleanup()
                print(f"   wrote {out}")
            except Exception as exc:
                failed.append(name)
                print(f"   FAILED: {exc!r}")
    finally:
        dns.stop()
        if not args.keep_temp:
            dns.cleanup()
        pfxlab.stop_all()
    left = pfxlab.leftover_processes(roots)
    if left:
        print(f"leftover processes: {left}")
    print(f"{len(names) - len(failed)} written, {len(failed)} failed")
    return 1 if failed or left else 0


if __name__ == "__main__":
    sys.exit(main())
