#!/usr/bin/env python3
"""make-probe-fixtures.py - capture real outputs for the socket, TLS and table parser tests.

Starts one lab Postfix instance (pfxlab.Instance, loopback only, temp dir) with a
hash: transport table whose index is then made stale, and writes into
tests/fixtures/probes/real/: ss -tlnp, /proc/net/tcp and tcp6, openssl s_client
(STARTTLS and a plain-TCP failure), stat lines as in tables.txt and tls/*.stat,
and ls -ln --time-style=full-iso of the config directory. Outputs are not edited.
"""
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pfxlab  # noqa: E402

OUT = os.path.join(pfxlab.REPO, "tests", "fixtures", "probes", "real")


def write(name, text):
    with open(os.path.join(OUT, name), "w") as f:
        f.write(text)


def main():
    os.makedirs(OUT, exist_ok=True)
    inst = pfxlab.Instance("fixtures", main={"transport_maps": "hash:{etc}/transport"},
                           tables={"transport": "example.net smtp:[127.0.0.1]:10025\n"})
    inst.extra_main["transport_maps"] = f"hash:{inst.etc}/transport"
    try:
        with inst:
            time.sleep(1.1)
            with open(os.path.join(inst.etc, "transport"), "a") as f:  # source newer than index
                f.write("example.org smtp:[127.0.0.1]:10026\n")
            write("ss-tlnp.txt", pfxlab.run(["ss", "-tlnp"]).stdout)
            with open("/proc/net/tcp") as f:
                write("proc-net-tcp.txt", f.read())
            with open("/proc/net/tcp6") as f:
                write("proc-net-tcp6.txt", f.read())
            r = pfxlab.run(["openssl", "s_client", "-connect", inst.listen, "-starttls", "smtp",
                            "-showcerts"], timeout=30)
            write("s_client-starttls.txt", r.stdout + r.stderr)
            # implicit TLS against a STARTTLS port: a real handshake failure
            r = pfxlab.run(["openssl", "s_client", "-connect", inst.listen, "-showcerts"], timeout=30)
            write("s_client-wrongmode.txt", r.stdout + r.stderr)
            lines = []
            for p in (f"{inst.etc}/transport", f"{inst.etc}/transport.db", f"{inst.etc}/aliases",
                      f"{inst.etc}/aliases.db", f"{inst.etc}/nosuch", f"{inst.etc}/nosuch.db"):
                if os.path.exists(p):
                    lines.append(pfxlab.run(["stat", "-c", "%Y %s %a %u %g %n", p]).stdout)
                else:
                    lines.append(f"missing {p}\n")
            write("tables.txt", "".join(lines))
            write("tls-key.stat", pfxlab.run(["stat", "-c", "%a %u %g %n", inst.key_file]).stdout)
            write("ls-etc-postfix.txt", pfxlab.run(["ls", "-ln", "--time-style=full-iso", inst.etc]).stdout)
            write("listen.txt", inst.listen + "\n")
    finally:
        inst.cleanup()
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
