"""scenarios_tls_dns_sasl - the fault lab's TLS, DNS-deliverability and SASL scenarios.

Fixtures come from labfaults.py: certificates made with openssl (expired,
expiring, wrong name, key mismatch, key 0644, incomplete chain, missing file),
nsd zone variants (PTR, SPF, DKIM, DMARC, a test blocklist listing the server's
documentation address) and Dovecot's auth service as a real SASL backend.

Every scenario triages its own running instance. DNS scenarios start a private
nsd with their broken zones and make it the scenario's resolver (ctx.dns), so
they never disturb the shared nsd the other scenarios use.
"""
import re

import labfaults
import pfxlab
from labrun import scenario


def _instance(ctx, name, tls="valid", **kw):
    """A lab instance (loopback smtpd, local delivery) whose STARTTLS certificate comes from
    labfaults (`tls`: one of labfaults.TLS_FAULTS; "valid" is a healthy chain)."""
    inst = ctx.instance(name, tls=False, **kw)
    labfaults.install_tls(inst, tls)
    return inst


# --- TLS ------------------------------------------------------------------------------------

def _tls_scenario(ctx, fault, log_regex=None):
    inst = _instance(ctx, "tls", tls=fault)
    inst.start()
    # A real client asks for STARTTLS, so smtpd loads the certificate and key now
    # (and logs what is wrong with them) - as the first mail program of the day would.
    r = labfaults.starttls_attempt(inst)
    ctx.log(f"swaks STARTTLS exit {r.returncode}")
    if log_regex:
        inst.wait_for_log(log_regex, 30)
    return inst


@scenario("tls-cert-expired", expect=["tls-cert-expired"], symptom="certificate error", group="tls")
def tls_cert_expired(ctx):
    """smtpd_tls_cert_file holds a certificate that expired 3 days ago (leaf + lab root)."""
    _tls_scenario(ctx, "expired")


@scenario("inbound-tls-required-on-port-25", expect=["inbound-tls-required-on-port-25"],
          symptom="mail not delivered", group="tls")
def inbound_tls_required_on_port_25(ctx):
    """smtpd_tls_security_level = encrypt in main.cf, so the port-25 smtpd demands TLS: a
    client without STARTTLS gets 530 5.7.0 (which Postfix does not log) and gives up."""
    inst = _instance(ctx, "tls", tls="valid")
    inst.extra_main["smtpd_tls_security_level"] = "encrypt"
    inst.write_config()
    inst.start()
    r = pfxlab.run(["swaks", "--server", inst.host, "--port", str(inst.port), "--from", "alice@lab.example",
                    "--to", "bob@lab.example", "--timeout", "20"], timeout=60)
    assert "530" in r.stdout, r.stdout[-400:]
    inst.wait_for_log(r"disconnect from \S+ ehlo=1 mail=0/1", 30)  # refused at MAIL FROM (530)


@scenario("tls-cert-expiring-soon", expect=["tls-cert-expiring-soon"], symptom="", group="tls")
def tls_cert_expiring_soon(ctx):
    """The certificate expires in 5 days (inside the 14-day warning window); a health check."""
    _tls_scenario(ctx, "expiring")


@scenario("tls-cert-file-missing", expect=["tls-cert-file-missing"], symptom="starttls fails", group="tls")
def tls_cert_file_missing(ctx):
    """main.cf names a certificate file that was removed; smtpd disables TLS and logs it."""
    _tls_scenario(ctx, "missing", r"cannot (get|load).*certificate|disabling TLS|No such file")


@scenario("tls-key-mismatch", expect=["tls-key-mismatch"], symptom="starttls fails", group="tls")
def tls_key_mismatch(ctx):
    """smtpd_tls_key_file is another key than the certificate's (a half-done renewal)."""
    _tls_scenario(ctx, "key-mismatch", r"key values mismatch|cannot get .*private key")


@scenario("tls-key-permissions-too-open", expect=["tls-key-permissions-too-open"], symptom="", group="tls")
def tls_key_permissions_too_open(ctx):
    """The private key file is mode 0644 (world-readable); mail still flows. A health check."""
    _tls_scenario(ctx, "key-too-open")


@scenario("tls-cert-hostname-mismatch", expect=["tls-cert-hostname-mismatch"], symptom="certificate error",
          group="tls")
def tls_cert_hostname_mismatch(ctx):
    """The certificate is for www.other.example, not myhostname mx.lab.example (nor the MX)."""
    _tls_scenario(ctx, "wrong-name")


@scenario("tls-chain-incomplete", expect=["tls-chain-incomplete"], symptom="certificate error", group="tls")
def tls_chain_incomplete(ctx):
    """The leaf is signed by an intermediate CA that the certificate file does not hold."""
    _tls_scenario(ctx, "chain-incomplete")


# --- DNS deliverability -------------------------------------------------------------------------

def _dns_scenario(ctx, fault):
    """Private nsd with the broken zones as this scenario's resolver, and a running instance
    that has delivered one message (so the log is not empty)."""
    dns = pfxlab.Dns(zones=labfaults.zones(fault))
    ctx.defer(dns.cleanup)
    dns.start()
    ctx.dns = dns
    inst = _instance(ctx, "dns")
    inst.start()
    r = inst.send("alice@lab.example", subject="dns scenario")
    assert r.returncode == 0, r.stdout[-400:]
    inst.wait_for_log(r"to=<alice@lab\.example>.*status=sent", 90)
    return inst


def _dns(fault_id, zone_fault, doc, symptom="our mail goes to spam"):
    def setup(ctx):
        _dns_scenario(ctx, zone_fault)
    setup.__doc__ = doc
    scenario(fault_id, expect=[fault_id], symptom=symptom, group="dns")(setup)


_dns("ptr-missing", "ptr-missing", "192.0.2.25 has no PTR record (the reverse zone is empty: NXDOMAIN).")
_dns("ptr-mismatch", "ptr-mismatch",
     "192.0.2.25 PTR host-25.dsl.example.net: a generic provider name that does not resolve back.")
_dns("spf-missing", "spf-missing", "lab.example publishes no v=spf1 record.")
_dns("spf-not-authorizing-server", "spf-not-authorizing",
     "lab.example's SPF lists only 198.51.100.0/24 (the old provider), -all: 192.0.2.25 fails.")
_dns("spf-invalid", "spf-two-records", "lab.example publishes two v=spf1 records (permerror).")
_dns("dkim-record-missing", "dkim-missing", "No TXT at default._domainkey.lab.example.")
_dns("dmarc-missing", "dmarc-missing", "No TXT at _dmarc.lab.example.")
_dns("dmarc-invalid", "dmarc-invalid", "_dmarc.lab.example says p=block (no such policy) and rua without mailto:.")
_dns("ip-blocklisted", "blocklisted",
     "192.0.2.25 is listed in the test blocklist bl.lab.example (the one smtpd_client_restrictions uses).",
     symptom="mail rejected as spam")


@scenario("spf-invalid-too-many-lookups", expect=["spf-invalid"], symptom="our mail goes to spam", group="dns")
def spf_invalid_lookups(ctx):
    """lab.example's one SPF record includes 11 other records: over the 10-lookup limit."""
    _dns_scenario(ctx, "spf-too-many-lookups")


# --- SASL ------------------------------------------------------------------------------------------

GOOD_USER, GOOD_PASS = "alice@lab.example", "Wonderland-42"


def _sasl_instance(ctx, backend, tls="valid"):
    """An instance whose users log in on a submission service (587 beside the reserved :25
    address; another free port when the lab had to fall back to 127.0.0.1:<port>)."""
    inst = _instance(ctx, "sasl", tls=tls, main=backend.postfix_params())
    sub = 587 if inst.port == 25 and pfxlab.can_bind(inst.host, 587) else pfxlab.free_port(inst.host)
    inst.master_extra = labfaults.submission_service(inst.host, sub)
    inst.submission_port = sub
    inst.start()
    return inst


def _dovecot(ctx):
    dv = labfaults.DovecotAuth(users={GOOD_USER: GOOD_PASS})
    ctx.defer(dv.cleanup)
    dv.start()
    return dv


@scenario("sasl-not-enabled", expect=["sasl-not-enabled"], symptom="authentication failed", group="sasl")
def sasl_not_enabled(ctx):
    """smtpd_sasl_auth_enable = no (the default), yet mail programs set to log in send AUTH:
    smtpd answers 503 "authentication not enabled" (disconnect lines count auth=0/1)."""
    inst = _instance(ctx, "nosasl")
    inst.start()
    codes = [labfaults.auth_attempt(inst, GOOD_USER, GOOD_PASS) for _ in range(3)]
    ctx.log(f"AUTH replies {codes}")
    assert all(c == 503 for c in codes), codes
    inst.wait_for_log(r"disconnect from .* auth=0/1", 20, count=3)


@scenario("sasl-backend-unavailable", expect=["sasl-backend-unavailable"], symptom="authentication failed",
          group="sasl")
def sasl_backend_unavailable(ctx):
    """Dovecot auth answers (one real login succeeds), then dies; the next logins fail
    ("SASL: Connect to Dovecot auth socket ... failed")."""
    dv = _dovecot(ctx)
    inst = _sasl_instance(ctx, dv)
    sub = inst.submission_port
    r = labfaults.swaks_auth(inst, GOOD_USER, GOOD_PASS, to="bob@lab.example", port=sub)
    assert r.returncode == 0, r.stdout[-500:]
    inst.wait_for_log(r"sasl_method=PLAIN, sasl_username=alice@lab\.example", 20)
    dv.stop()
    for _ in range(2):
        labfaults.swaks_auth(inst, GOOD_USER, GOOD_PASS, to="bob@lab.example", port=sub)
    inst.wait_for_log(r"SASL: Connect to .* failed", 30)


@scenario("sasl-brute-force", expect=["sasl-brute-force"], symptom="authentication failed", group="sasl")
def sasl_brute_force(ctx):
    """A real user logs in; then 24 password guesses with swaks for 12 common account names
    from one address, against the real Dovecot backend."""
    dv = _dovecot(ctx)
    inst = _sasl_instance(ctx, dv)
    sub = inst.submission_port
    r = labfaults.swaks_auth(inst, GOOD_USER, GOOD_PASS, to="bob@lab.example", port=sub)
    assert r.returncode == 0, r.stdout[-500:]
    names = ["admin", "info", "test", "sales", "office", "webmaster", "root", "support",
             "contact", "billing", "hr", "noreply"]
    labfaults.swaks_attack(inst, names, 24, parallel=4, port=sub)
    hits = inst.wait_for_log(r"SASL PLAIN authentication failed", 60, count=24)
    ctx.log(f"{len(hits)} failed logins logged")
    assert not re.search(r"SASL: Connect to", inst.log_text())


# --- two faults at once ----------------------------------------------------------------------

@scenario("tls-cert-expired+ptr-missing", expect=["tls-cert-expired", "ptr-missing"], symptom="", group="tls",
          notes="An expired certificate on a server whose address has no PTR record; a health check.")
def two_expired_cert_and_no_ptr(ctx):
    dns = pfxlab.Dns(zones=labfaults.zones("ptr-missing"))
    ctx.defer(dns.cleanup)
    dns.start()
    ctx.dns = dns
    _tls_scenario(ctx, "expired")


@scenario("sasl-brute-force+key-too-open", expect=["sasl-brute-force", "tls-key-permissions-too-open"],
          symptom="", group="sasl",
          notes="Password guessing against the submission service of a server whose TLS key is 0644.")
def two_brute_force_and_open_key(ctx):
    dv = _dovecot(ctx)
    inst = _sasl_instance(ctx, dv, tls="key-too-open")
    sub = inst.submission_port
    names = ["admin", "info", "test", "sales", "office", "webmaster", "root", "support",
             "contact", "billing", "hr", "noreply"]
    labfaults.swaks_attack(inst, names, 24, parallel=4, port=sub)
    inst.wait_for_log(r"SASL PLAIN authentication failed", 60, count=24)
