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
    inst.wait_for_log(r"to=<bob@example\.net>.*status=sent", 90)
    inst.wait_for_log(r"to=<alice@lab\.example>.*status=sent", 90)
    inst.wait_for_queue(lambda q: not q, 30, "an empty queue")
    assert len(sink.messages) == 1


# --- daemon ---------------------------------------------------------------------------

@scenario("postfix-not-running", expect=["postfix-not-running"], symptom="mail not delivered")
def postfix_not_running(ctx):
    """One message delivered, `postfix stop`, two more submitted with sendmail wait in maildrop."""
    inst, sink = _healthy_instance(ctx)
    inst.start()
    inst.send("bob@example.net")
    inst.wait_for_log(r"status=sent", 90)
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
    inst.wait_for_log(r"loops back to myself", 90, count=2)
    time.sleep(1)


# --- DNS (Postfix's own resolver, through a private /etc/resolv.conf) -------------------

DESTS = ["bob@example.net", "dave@example.org", "frank@example.com"]


@scenario("dns-resolution-failure", expect=["dns-resolution-failure"], symptom="mail stuck")
def dns_resolution_failure(ctx):
    """The host's resolver answers SERVFAIL for every destination: Postfix (its own mount
    namespace, resolv.conf -> a private nsd on 127.0.0.N:53 whose zones are broken) defers
    all mail with "Host not found, try again"; pftriage's resolver is that nsd too."""
    broken = ["example.net", "example.org", "example.com"]
    zones = {k: v for k, v in pfxlab.default_zones().items() if k not in broken}
    dns = ctx.own_dns(port53=True, zones=zones, failing_zones=broken)
    inst = ctx.instance("main")
    ctx.private_resolver(inst, dns.host)
    inst.start()
    for r in DESTS:
        inst.send(r)
    inst.wait_for_queue(lambda q: len(q) == 3 and all(
        m["queue_name"] == "deferred" and "try again" in m["recipients"][0].get("delay_reason", "")
        for m in q), 90, "3 deferred with Host not found, try again")


@scenario("recipient-domain-no-mx", expect=["recipient-domain-no-mx"], symptom="mail not delivered")
def recipient_domain_no_mx(ctx):
    """Mail to a domain that does not exist (NXDOMAIN from the authoritative server):
    Postfix bounces it with "Host or domain name not found"."""
    dns = ctx.own_dns(port53=True)
    inst = ctx.instance("main")
    ctx.private_resolver(inst, dns.host)
    inst.start()
    for u in ("bob", "carol"):
        inst.send(f"{u}@nowhere.lab.example")
    inst.wait_for_log(r"to=<\w+@nowhere\.lab\.example>.*status=bounced", 90, count=2)
    time.sleep(1)


# --- relay permissions ---------------------------------------------------------------------

CLIENT = "127.0.0.77"  # a second loopback address as the "office" client (not in mynetworks)


def _swaks_from(inst, to, local=CLIENT, extra=()):
    port = [] if "--port" in extra else ["--port", str(inst.port)]
    return pfxlab.run(["swaks", "--server", inst.host] + port + ["--local-interface", local,
                       "--helo", "pc1.lab.example", "--from", "alice@lab.example", "--to", to,
                       "--timeout", "20"] + list(extra), timeout=40)


def _relay_denied_three_times(inst, to):
    """Three messages to `to` from the outside client, each refused with Relay access denied."""
    for i in range(3):
        r = _swaks_from(inst, to)
        assert "Relay access denied" in r.stdout, r.stdout[-500:]
    inst.wait_for_log(r"Relay access denied", 30, count=3)


@scenario("client-not-in-mynetworks", expect=["client-not-in-mynetworks"], symptom="relay access denied")
def client_not_in_mynetworks(ctx):
    """mynetworks is the host only; an office client relays from another address: 554 Relay access denied."""
    inst, sink = _healthy_instance(ctx, main={"mynetworks": "127.0.0.1/32"})
    inst.start()
    _relay_denied_three_times(inst, "bob@example.net")


@scenario("own-domain-not-accepted", expect=["own-domain-not-accepted"], symptom="relay access denied")
def own_domain_not_accepted(ctx):
    """mydestination lost the own domain ($myhostname, localhost only): mail from outside
    for alice@lab.example is refused with 554 Relay access denied. Trusting the sender
    (client-not-in-mynetworks) would be the wrong, dangerous fix."""
    inst, sink = _healthy_instance(ctx, main={"mydestination": "$myhostname, localhost", "mynetworks": "127.0.0.1/32"})
    inst.start()
    _relay_denied_three_times(inst, "alice@lab.example")


@scenario("restriction-rejects-everything", expect=["restriction-rejects-everything"], symptom="mail not delivered")
def restriction_rejects_everything(ctx):
    """"reject" put first in smtpd_recipient_restrictions: every recipient is refused
    (554 5.7.1 Access denied), even for the server's own users and networks."""
    inst, sink = _healthy_instance(ctx, main={"smtpd_recipient_restrictions":
                                              "reject, permit_mynetworks, reject_unauth_destination"})
    inst.start()
    for to in ("bob@example.net", "alice@lab.example"):
        _try_send(inst, to)
    inst.wait_for_log(r"Recipient address rejected: Access denied", 30, count=2)


@scenario("relay-restrictions-missing-sasl", expect=["relay-restrictions-missing-sasl"],
          symptom="relay access denied")
def relay_restrictions_missing_sasl(ctx):
    """SASL works (a real Dovecot auth backend), but smtpd_relay_restrictions lacks
    permit_sasl_authenticated: an authenticated user is refused relaying."""
    import labfaults
    dove = labfaults.DovecotAuth()
    dove.start()
    ctx.defer(dove.cleanup)
    main = dove.postfix_params()  # smtpd_sasl_type / smtpd_sasl_path
    main.update({"smtpd_sasl_auth_enable": "yes", "broken_sasl_auth_clients": "no",
                 "mynetworks": "127.0.0.1/32",
                 "smtpd_relay_restrictions": "permit_mynetworks, reject_unauth_destination"})
    inst, sink = _healthy_instance(ctx, main=main)
    # Mail clients submit on 587 (a submission service exists: only the relay rules are wrong).
    inst.master_extra = f"{inst.host}:587 inet n - n - - smtpd\n  -o syslog_name=postfix/submission\n"
    inst.start()
    for i in range(2):
        r = _swaks_from(inst, "bob@example.net", extra=["--port", "587", "--auth", "PLAIN", "--auth-user",
                                                        "alice@lab.example", "--auth-password", "Wonderland-42"])
        assert "235" in r.stdout and "Relay access denied" in r.stdout, r.stdout[-600:]
    inst.wait_for_log(r"Relay access denied", 30, count=2)


@scenario("open-relay", expect=["open-relay"], symptom="rejected as spam")
def open_relay(ctx):
    """mynetworks = 0.0.0.0/0: any client relays (a stranger's message is accepted and sent)."""
    inst, sink = _healthy_instance(ctx, main={"mynetworks": "0.0.0.0/0"})
    inst.start()
    r = _swaks_from(inst, "bob@example.net")
    assert "Relay access denied" not in r.stdout
    inst.wait_for_log(r"to=<bob@example\.net>.*status=sent", 90)


# --- listening ---------------------------------------------------------------------------------

@scenario("inet-interfaces-loopback-only", expect=["inet-interfaces-loopback-only"], symptom="cannot connect")
def inet_interfaces_loopback_only(ctx):
    """inet_interfaces = loopback-only: other hosts cannot connect (the lab's smtpd still
    names a 127.x address in master.cf)."""
    inst, sink = _healthy_instance(ctx, main={"inet_interfaces": "loopback-only"})
    inst.start()
    inst.send("bob@example.net")
    inst.wait_for_log(r"status=sent", 90)


@scenario("submission-port-not-enabled", expect=["submission-port-not-enabled"],
          symptom="cannot connect to port 587")
def submission_port_not_enabled(ctx):
    """SASL is enabled for mail clients (real Dovecot backend), but master.cf has no
    submission (587) or smtps (465) service: clients configured for 587 are refused."""
    import labfaults
    dove = labfaults.DovecotAuth()
    dove.start()
    ctx.defer(dove.cleanup)
    main = dove.postfix_params()
    main.update({"smtpd_sasl_auth_enable": "yes", "broken_sasl_auth_clients": "no",
                 "smtpd_relay_restrictions": "permit_mynetworks, permit_sasl_authenticated, "
                                             "reject_unauth_destination"})
    inst, sink = _healthy_instance(ctx, main=main)
    inst.start()
    r = pfxlab.run(["swaks", "--server", inst.host, "--port", "587", "--quit-after", "CONNECT",
                    "--timeout", "5"], timeout=20)
    assert r.returncode != 0


@scenario("port-in-use", expect=["port-in-use"], symptom="postfix won't start",
          tolerate=["postfix-not-running"],
          notes="another program holds the smtpd address; Postfix cannot start, so "
                "postfix-not-running is true too (a consequence, not a false alarm)")
def port_in_use(ctx):
    inst = ctx.instance("main")
    inst.write_config()
    squatter = ctx.popen(["python3", "-c",
                          "import socket,time\n"
                          "s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)\n"
                          f"s.bind(('{inst.host}', {inst.port})); s.listen(5)\n"
                          "time.sleep(3600)\n"])
    pfxlab.wait_until(lambda: not pfxlab.can_bind(inst.host, inst.port), 20, "the squatter to listen")
    inst.postfix("check", check=True)
    r = inst.postfix("start")
    inst.wait_for_log(r"bind .* Address already in use|Address already in use", 30)
    # The master exits (fatal bind error): wait until nothing of Postfix runs.
    pfxlab.wait_until(lambda: not inst.is_running(), 30, "master to give up")
    assert squatter.poll() is None, r.stderr


# --- configuration ---------------------------------------------------------------------------

def _try_send(inst, to, timeout=8):
    """One swaks attempt that may fail or hang (a broken server): bounded, result ignored."""
    try:
        return pfxlab.run(["swaks", "--server", inst.host, "--port", str(inst.port), "--to", to,
                           "--from", "alice@lab.example", "--timeout", str(timeout)], timeout=timeout * 3)
    except Exception:  # TimeoutExpired: the server never answered
        return None


def _append_main(inst, text):
    with open(os.path.join(inst.etc, "main.cf"), "a") as f:
        f.write(text)


@scenario("config-syntax-error", expect=["config-syntax-error"], symptom="cannot connect")
def config_syntax_error(ctx):
    """A value smtpd cannot use (smtpd_recipient_limit = lots) added and reloaded: the
    master runs, every smtpd dies with a fatal error, clients get no greeting."""
    inst, sink = _healthy_instance(ctx)
    inst.start()
    inst.send("bob@example.net")
    inst.wait_for_log(r"status=sent", 90)
    _append_main(inst, "smtpd_recipient_limit = lots\n")
    inst.reload()
    _try_send(inst, "bob@example.net")  # no greeting: smtpd exits at once
    inst.wait_for_log(r"fatal: .*smtpd_recipient_limit", 90)


@scenario("main-cf-missing", expect=["main-cf-missing"], symptom="postfix won't start")
def main_cf_missing(ctx):
    """main.cf deleted from a working instance after it was stopped (a slip in /etc, a
    configuration-management run): every Postfix command stops with "fatal: open .../main.cf"."""
    inst, sink = _healthy_instance(ctx)
    inst.start()
    inst.send("bob@example.net")
    inst.wait_for_log(r"status=sent", 90)
    inst.stop_postfix()
    os.unlink(os.path.join(inst.etc, "main.cf"))


@scenario("main-cf-unparseable", expect=["config-syntax-error"], symptom="postfix won't start")
def main_cf_unparseable(ctx):
    """A half-pasted setting without '=' in main.cf of a stopped instance: postconf and
    postfix start stop at that line ("missing '=' after attribute name"); no log says so."""
    inst, sink = _healthy_instance(ctx)
    inst.start()
    inst.send("bob@example.net")
    inst.wait_for_log(r"status=sent", 90)
    inst.stop_postfix()
    _append_main(inst, "# pasted from a how-to\nsmtpd_tls_security_level may\n")
    r = inst.postfix("start", timeout=60)
    assert r.returncode != 0, "postfix start should refuse the configuration"


@scenario("duplicate-parameter", expect=["duplicate-parameter"], symptom="postfix check complains")
def duplicate_parameter(ctx):
    """message_size_limit set twice in main.cf (the later one silently wins)."""
    inst, sink = _healthy_instance(ctx)
    inst.write_config()
    _append_main(inst, "message_size_limit = 20480000\n# added later by someone else\n"
                       "message_size_limit = 10240000\n")
    inst.start()
    inst.send("bob@example.net")
    inst.wait_for_log(r"status=sent", 90)


@scenario("unused-parameter", expect=["unused-parameter"], symptom="postfix check complains")
def unused_parameter(ctx):
    """A typo in a parameter name (smtpd_helo_restriction without the s): Postfix ignores it."""
    inst, sink = _healthy_instance(ctx)
    inst.write_config()
    _append_main(inst, "smtpd_helo_restriction = reject_invalid_helo_hostname\n")
    inst.start()
    inst.send("bob@example.net")
    inst.wait_for_log(r"status=sent", 90)


# --- lookup tables ---------------------------------------------------------------------------

def _edit_without_postmap(inst, line):
    """Append to transport without postmap, as an admin did 5 minutes ago (Postfix warns
    about a stale .db only when the source changed more than 100 s ago: dict_db.c)."""
    src = os.path.join(inst.etc, "transport")
    with open(src, "a") as f:
        f.write(line)
    now = time.time()
    os.utime(src + ".db", (now - 900, now - 900))
    os.utime(src, (now - 300, now - 300))
    inst.reload()


@scenario("lookup-table-stale", expect=["lookup-table-stale"], symptom="mail not delivered")
def lookup_table_stale(ctx):
    """transport edited (a new route) but postmap not run: the .db is older than the source."""
    inst, sink = _healthy_instance(ctx)
    inst.start()
    inst.send("bob@example.net")
    inst.wait_for_log(r"status=sent", 90)
    _edit_without_postmap(inst, f"example.org smtp:[127.0.0.1]:{sink.port}\n")
    inst.send("bob@example.net", subject="after the edit")
    inst.wait_for_log(r"is older than source file", 90)


@scenario("lookup-table-missing", expect=["lookup-table-missing"], symptom="mail stuck")
def lookup_table_missing(ctx):
    """transport_maps names hash:transport but transport.db was never made (deleted)."""
    inst, sink = _healthy_instance(ctx)
    inst.write_config()
    os.remove(os.path.join(inst.etc, "transport.db"))
    inst.start()
    _try_send(inst, "bob@example.net")
    inst.wait_for_log(r"transport\.db", 90)


@scenario("table-type-unsupported", expect=["table-type-unsupported"], symptom="mail not delivered")
def table_type_unsupported(ctx):
    """virtual_alias_maps = mysql:... on a host without the postfix-mysql plugin: every
    lookup fails (451 4.3.0), and postmap would not help."""
    if "mysql" in pfxlab.run(["postconf", "-m"], timeout=30).stdout.split():
        raise RuntimeError("this host has postfix-mysql: the fault cannot be made")
    inst, sink = _healthy_instance(ctx)
    inst.extra_main["virtual_alias_maps"] = "mysql:${config_directory}/mysql-virtual.cf"
    inst.write_config()
    with open(os.path.join(inst.etc, "mysql-virtual.cf"), "w") as f:
        f.write("hosts = 127.0.0.1\nuser = mail\npassword = x\ndbname = mail\nquery = SELECT 1\n")
    inst.start()
    for to in ("bob@example.net", "alice@lab.example"):
        _swaks_from(inst, to)
    inst.wait_for_log(r"unsupported dictionary type: mysql", 60)


@scenario("domain-in-two-address-classes", expect=["domain-in-two-address-classes"], symptom="mail not delivered")
def domain_in_two_address_classes(ctx):
    """lab.example in both mydestination and virtual_mailbox_domains: Postfix warns and uses
    the local class, so carol, who has only a virtual mailbox, is "User unknown"."""
    inst, sink = _healthy_instance(ctx, main={"virtual_mailbox_domains": "lab.example",
                                              "virtual_mailbox_maps": "hash:${config_directory}/vmailbox",
                                              "virtual_mailbox_base": "/tmp"},
                                   tables={"vmailbox": "carol@lab.example lab.example/carol/\n"})
    inst.start()
    r = _swaks_from(inst, "carol@lab.example")
    assert "User unknown" in r.stdout, r.stdout[-500:]
    inst.wait_for_log(r"in BOTH mydestination and virtual_mailbox_domains", 30)


@scenario("transport-not-in-master-cf", expect=["transport-not-in-master-cf"], symptom="mail stuck")
def transport_not_in_master_cf(ctx):
    """A typo in transport_maps (smpt: for smtp:): no such master.cf service, so mail for
    example.net is deferred with "mail transport unavailable"."""
    sink = ctx.sink()
    inst = ctx.instance("main", main={"transport_maps": "hash:${config_directory}/transport"},
                        tables={"transport": f"example.net smpt:[127.0.0.1]:{sink.port}\n"})
    inst.start()
    for i in range(2):
        inst.send("bob@example.net", subject=f"typo {i}")
    inst.wait_for_log(r"connect to transport private/smpt", 60)
    inst.wait_for_log(r"mail transport unavailable", 60)


@scenario("outbound-disabled-by-error-transport", expect=["outbound-disabled-by-error-transport"],
          symptom="mail not delivered")
def outbound_disabled_by_error_transport(ctx):
    """default_transport and relay_transport left at "error" (a "local only" setup): smtpd
    refuses mail for other domains at RCPT (550 5.1.1 Recipient address rejected)."""
    inst, sink = _healthy_instance(ctx, domains=(), main={"default_transport": "error", "relay_transport": "error"})
    inst.start()
    _try_send(inst, "bob@example.net")
    inst.wait_for_log(r"<bob@example\.net>: Recipient address rejected: example\.net", 60)


@scenario("master-cf-command-wrong", expect=["master-cf-command-wrong"], symptom="mail stuck")
def master_cf_command_wrong(ctx):
    """The smtp/unix service of master.cf names "smtpd_client" (no such program): master
    cannot start it, throttles it, and outgoing mail waits."""
    inst, sink = _healthy_instance(ctx)
    inst.write_config()
    p = os.path.join(inst.etc, "master.cf")
    with open(p) as f:
        text = f.read()
    fixed = text.replace("-       smtp\nrelay", "-       smtpd_client\nrelay")
    assert fixed != text, "the smtp/unix line was not found in master.cf"
    with open(p, "w") as f:
        f.write(fixed)
    inst.start()
    for i in range(2):
        inst.send("bob@example.net", subject=f"out {i}")
    inst.wait_for_log(r"master_spawn: exec \S*smtpd_client", 60)


@scenario("queue-permissions-wrong", expect=["queue-permissions-wrong"], symptom="mail stuck")
def queue_permissions_wrong(ctx):
    """The queue directories owned by root after a restore or copy (rsync without -o):
    the daemons that must write there fail and are throttled; new mail is stuck."""
    inst, sink = _healthy_instance(ctx)
    inst.start()
    inst.send("bob@example.net")
    inst.wait_for_log(r"status=sent", 60)
    inst.stop_postfix()
    for d in ("active", "deferred", "incoming", "maildrop", "defer", "bounce", "hold", "corrupt", "flush", "trace"):
        p = os.path.join(inst.spool, d)
        if os.path.isdir(p):
            os.chown(p, 0, 0)
    # As a start right after the copy would: quick-start skips postfix-script's own check,
    # so the daemons meet the wrong owners themselves (as they do on a running system).
    with open(os.path.join(inst.spool, "quick-start"), "w"):
        pass
    inst.cmd(["postfix", "-c", inst.etc, "start"], timeout=60)
    _try_send(inst, "bob@example.net")
    try:
        inst.sendmail("bob@example.net", subject="while broken")
    except Exception as exc:  # postdrop may refuse: that is the fault
        ctx.log(f"sendmail: {exc!r}")
    # One of the lines queue-permissions-wrong reads (not just any "Permission denied").
    inst.wait_for_log(r"scan_dir_push: open directory|master_wakeup_timer_event: service .*Permission denied"
                      r"|mail_queue_enter: create file .*Permission denied|chdir \S+: Permission denied"
                      r"|connect to private/anvil: Permission denied", 60)


# --- delivery --------------------------------------------------------------------------------

@scenario("content-filter-unavailable", expect=["content-filter-unavailable"], symptom="mail stuck")
def content_filter_unavailable(ctx):
    """content_filter = smtp:[127.0.0.1]:PORT where the filter (amavis-like) is not running."""
    import labrun
    port = 10024 if pfxlab.can_bind("127.0.0.1", 10024) else labrun.reserve_port()
    inst, sink = _healthy_instance(ctx, main={"content_filter": f"smtp:[127.0.0.1]:{port}"})
    inst.start()
    for r in DESTS[:2] + ["alice@lab.example"]:
        inst.send(r)
    inst.wait_for_queue(lambda q: len(q) == 3 and all(m["queue_name"] == "deferred" for m in q), 90,
                        "3 deferred (filter refused)")


@scenario("remote-server-rejecting", expect=["remote-server-rejecting"], symptom="mail not delivered")
def remote_server_rejecting(ctx):
    """The next hop answers RCPT with 550 (a policy rejection): mail bounces."""
    sink = ctx.sink(rcpt_reply="550 5.7.1 Recipient address rejected: Access denied by policy")
    main, tables = ctx.via_sink(sink, ("example.net", "example.org"))
    inst = ctx.instance("main", main=main, tables=tables)
    inst.start()
    for r in ["bob@example.net", "carol@example.net", "dave@example.org"]:
        inst.send(r)
    inst.wait_for_log(r"said: 550 5\.7\.1.*status=bounced|status=bounced.*said: 550", 90, count=3)
    time.sleep(1)


# --- queue and resources ---------------------------------------------------------------------

@scenario("queue-disk-full", expect=["queue-disk-full"], symptom="mail not delivered")
def queue_disk_full(ctx):
    """The queue lives on a tiny file system (an 8 MB tmpfs): smtpd refuses mail with
    452 Insufficient system storage (less than 1.5 x message_size_limit free)."""
    inst, sink = _healthy_instance(ctx)
    os.makedirs(inst.spool, exist_ok=True)
    pfxlab.run(["mount", "-t", "tmpfs", "-o", "size=8m,mode=0755", "pfxlab-queue", inst.spool], check=True)

    def unmount():
        inst.stop()
        pfxlab.run(["umount", inst.spool], timeout=30)
        if os.path.ismount(inst.spool):
            pfxlab.run(["umount", "-l", inst.spool], timeout=30)
    ctx.defer(unmount)
    inst.start()
    # Fill most of it, as a runaway log or a huge message would.
    pfxlab.run(["dd", "if=/dev/zero", f"of={inst.spool}/filler", "bs=1M", "count=7"], timeout=60)
    for i in range(2):
        inst.send("bob@example.net", subject=f"no room {i}")
    inst.wait_for_log(r"not enough free space|Insufficient system storage", 90)


@scenario("process-limit-reached", expect=["process-limit-reached"], symptom="slow delivery")
def process_limit_reached(ctx):
    """postscreen in front of smtpd (a `pass` service with a process limit of 2) and four
    clients that keep their connections open: the master warns that smtpd reached its
    process limit. (A loopback-only inet smtpd never warns: master(8) treats it as
    local-only and skips the warning; a pass service is never local-only.)"""
    import socket
    inst, sink = _healthy_instance(ctx)
    inst.write_config()
    mcf = os.path.join(inst.etc, "master.cf")
    with open(mcf) as f:
        text = f.read()
    old = f"{inst.listen} inet  n       -       n       -       -       smtpd"
    assert old in text
    with open(mcf, "w") as f:
        f.write(text.replace(old, f"{inst.listen} inet  n       -       n       -       1       postscreen\n"
                                  "smtpd     pass  -       -       n       -       2       smtpd\n"
                                  "dnsblog   unix  -       -       n       -       0       dnsblog\n"
                                  "tlsproxy  unix  -       -       n       -       0       tlsproxy"))
    inst.start()
    conns = []
    try:
        for i in range(4):
            c = socket.create_connection((inst.host, inst.port), timeout=10)
            conns.append(c)
            time.sleep(0.3)
        inst.wait_for_log(r"has reached its process limit", 90)
    finally:
        for c in conns:
            c.close()


# --- two faults at once ----------------------------------------------------------------------

@scenario("hold-and-relayhost-down", expect=["queue-on-hold", "relayhost-unreachable"], symptom="mail stuck")
def hold_and_relayhost(ctx):
    """Some mail held by a header_checks HOLD rule, the rest deferred: relayhost refuses."""
    import labrun
    dead = labrun.reserve_port()
    inst = ctx.instance("main", main={"relayhost": f"[127.0.0.1]:{dead}",
                                      "header_checks": "regexp:${config_directory}/header_checks"})
    inst.write_config()
    with open(os.path.join(inst.etc, "header_checks"), "w") as f:
        f.write("/^Subject:.*invoice/ HOLD held for review\n")
    inst.start()
    for i, r in enumerate(DESTS):
        inst.send(r, subject=f"invoice {i}")
        inst.send(r, subject=f"hello {i}")
    inst.wait_for_queue(lambda q: len(q) == 6 and sum(m["queue_name"] == "hold" for m in q) == 3
                        and sum(m["queue_name"] == "deferred" for m in q) == 3, 90, "3 held + 3 deferred")


@scenario("duplicate-and-unused-parameter", expect=["duplicate-parameter", "unused-parameter"],
          symptom="parameter errors")
def duplicate_and_unused(ctx):
    """main.cf sets myorigin twice and has a misspelt parameter (smtp_tls_loglevl)."""
    inst, sink = _healthy_instance(ctx)
    inst.write_config()
    _append_main(inst, "myorigin = lab.example\nsmtp_tls_loglevl = 1\n")
    inst.start()
    inst.send("bob@example.net")
    inst.wait_for_log(r"status=sent", 90)


@scenario("stale-table-and-remote-reject", expect=["lookup-table-stale", "remote-server-rejecting"],
          symptom="mail not delivered")
def stale_and_reject(ctx):
    """The next hop rejects with 550, and the admin's transport edit was never postmapped."""
    sink = ctx.sink(rcpt_reply="550 5.1.1 <bob@example.net>: Recipient address rejected: User unknown")
    main, tables = ctx.via_sink(sink, ("example.net",))
    inst = ctx.instance("main", main=main, tables=tables)
    inst.start()
    for r in ["bob@example.net", "carol@example.net"]:
        inst.send(r)
    inst.wait_for_log(r"status=bounced", 90, count=2)
    _edit_without_postmap(inst, f"example.org smtp:[127.0.0.1]:{sink.port}\n")
    inst.send("erin@example.net")
    inst.wait_for_log(r"is older than source file", 90)
