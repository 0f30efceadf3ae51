"""scenarios_core - the fault lab's core scenarios (daemon, queue, delivery, relay, config, tables).

Each function is a real fault on a real Postfix 3.7 instance (see labrun.py for
the API). Only loopback addresses and reserved names are used.
"""
import os
import time

import pfxlab
from labrun import scenario


def _cmdlines(inst):
    out = []
    for pid in pfxlab.processes_under(inst.root):
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                out.append(f.read().replace(b"\0", b" ").decode(errors="replace"))
        except OSError:
            pass
    return out


def _healthy_instance(ctx, name="main", domains=("example.net",), **kw):
    sink = ctx.sink()
    main, tables = ctx.via_sink(sink, domains)
    main.update(kw.pop("main", {}))
    tables.update(kw.pop("tables", {}))
    return ctx.instance(name, main=main, tables=tables, **kw), sink


# --- baseline ------------------------------------------------------------------------

@scenario("healthy", expect=[], symptom="")
def healthy(ctx):
    """A working instance: mail relayed to a loopback sink, local delivery, empty queue."""
    inst, sink = _healthy_instance(ctx)
    inst.start()
    inst.send("bob@example.net", subject="healthy 1")
    inst.send("alice@lab.example", subject="healthy local")
    inst.wait_for_log(r"to=<bob@example\.net>.*status=sent", 30)
    inst.wait_for_log(r"to=<alice@lab\.example>.*status=sent", 30)
    inst.wait_for_queue(lambda q: not q, 30, "an empty queue")
    assert len(sink.messages) == 1


# --- daemon ---------------------------------------------------------------------------

@scenario("postfix-not-running", expect=["postfix-not-running"], symptom="mail not delivered")
def postfix_not_running(ctx):
    """One message delivered, `postfix stop`, two more submitted with sendmail wait in maildrop."""
    inst, sink = _healthy_instance(ctx)
    inst.start()
    inst.send("bob@example.net")
    inst.wait_for_log(r"status=sent", 30)
    inst.stop_postfix()
    for i in range(2):
        inst.sendmail("bob@example.net", subject=f"while stopped {i}")
    assert all(m["queue_name"] == "maildrop" for m in inst.queue())


# --- queue ------------------------------------------------------------------------------

@scenario("queue-on-hold", expect=["queue-on-hold"], symptom="mail stuck")
def queue_on_hold(ctx):
    """Messages held by a header_checks HOLD action (a real policy mistake), queue in hold."""
    inst, sink = _healthy_instance(ctx, main={"header_checks": "regexp:${config_directory}/header_checks"})
    inst.write_config()
    with open(os.path.join(inst.etc, "header_checks"), "w") as f:
        f.write("/^Subject:.*invoice/ HOLD held for review\n")
    inst.start()
    for i in range(3):
        inst.send("bob@example.net", subject=f"invoice {i}")
    inst.wait_for_queue(lambda q: len(q) == 3 and all(m["queue_name"] == "hold" for m in q), 30,
                        "3 messages in hold")


@scenario("relayhost-unreachable", expect=["relayhost-unreachable"], symptom="mail stuck")
def relayhost_unreachable(ctx):
    """relayhost is a loopback port where nothing listens: every message deferred, refused."""
    import labrun
    dead = labrun.reserve_port()
    inst = ctx.instance("main", main={"relayhost": f"[127.0.0.1]:{dead}"})
    inst.start()
    for i, r in enumerate(["bob@example.net", "dave@example.org", "frank@example.com"]):
        inst.send(r, subject=f"stuck {i}")
    inst.wait_for_queue(lambda q: len(q) == 3 and all(
        m["queue_name"] == "deferred" and all("Connection refused" in x.get("delay_reason", "")
                                              for x in m["recipients"]) for m in q),
        60, "3 deferred with Connection refused")


@scenario("mail-loop", expect=["mail-loop"], symptom="mail not delivered")
def mail_loop(ctx):
    """relayhost is the instance's own smtpd (port 25): 'loops back to myself'."""
    inst = ctx.instance("main")
    if inst.port != 25:
        raise pfxlab.LabError(f"mail-loop needs smtpd on port 25, got {inst.listen}")
    inst.extra_main["relayhost"] = f"[{inst.host}]:{inst.port}"
    inst.start()
    for i, r in enumerate(["bob@example.net", "dave@example.org"]):
        inst.send(r, subject=f"looping {i}")
    inst.wait_for_log(r"loops back to myself", 60, count=2)
    time.sleep(1)
