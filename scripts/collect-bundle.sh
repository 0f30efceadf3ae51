#!/bin/sh
# collect-bundle.sh - make a pftriage evidence bundle (format 1) on a Postfix host.
#
# Runs only plain, read-only commands (postconf, postfix check/status,
# postqueue, ss, df, dig, openssl s_client, stat) and copies main.cf,
# master.cf, the mail log tail and public TLS certificates. It never copies a
# private key, a SASL password map or any lookup table, and it changes
# nothing on the host. pftriage is not needed to run it.
#
# Usage:  sh collect-bundle.sh [OUTDIR]
#         (makes OUTDIR/ and OUTDIR.tar.gz; files are mode 0600)
#
# Optional environment:
#   MAIL_CONFIG=DIR      Postfix configuration directory (default: Postfix's own)
#   SERVER_IPS="a b"     public addresses of this host (default: global
#                        addresses from `ip -o addr show scope global`)
#   MAIL_DOMAINS="d e"   mail domains (default: `postconf -h mydomain`)
#   DKIM_SELECTORS="s"   DKIM selectors (default: from /etc/opendkim.conf,
#                        else `default`)
#   DIG="dig"            dig command and fixed options, e.g. "dig @127.0.0.1 -p 5353";
#                        DIG=none skips the DNS files
#   SMTP_HOST=127.0.0.1  address openssl s_client connects to
#   SMTP_PORTS="25 587 465"  ports to probe with s_client; SMTP_PORTS=none skips
#   MAILLOG=FILE         mail log to copy (default: maillog_file, then
#                        /var/log/mail.log, /var/log/maillog, then journalctl)
#   MAILLOG_LINES=20000  how many trailing log lines to keep
#   CMD_TIMEOUT=20       seconds allowed to each command
#   BUNDLE_HOSTNAME=NAME hostname written to MANIFEST (default: myhostname)

umask 077
PATH=/usr/sbin:/usr/bin:/sbin:/bin:$PATH
export PATH LC_ALL=C
if [ -n "${MAIL_CONFIG:-}" ]; then export MAIL_CONFIG; fi

CMD_TIMEOUT=${CMD_TIMEOUT:-20}
MAILLOG_LINES=${MAILLOG_LINES:-20000}

stamp=$(date -u +%Y%m%dT%H%M%SZ)
OUT=${1:-./pftriage-bundle-$(hostname 2>/dev/null || echo host)-$stamp}
case $OUT in
  */) OUT=${OUT%/} ;;
esac
if [ -e "$OUT" ] && [ -n "$(ls -A "$OUT" 2>/dev/null)" ]; then
  echo "collect-bundle: $OUT exists and is not empty; choose another OUTDIR" >&2
  exit 2
fi
mkdir -p "$OUT" || exit 2
chmod 700 "$OUT"
LOG=$OUT/collect.log
: >"$LOG"

have() { command -v "$1" >/dev/null 2>&1; }

if have timeout; then TO="timeout $CMD_TIMEOUT"; else TO=""; fi

# run FILE CMD ARGS...: stdout to FILE, stderr (with the command) to collect.log.
run() {
  f=$1; shift
  echo "\$ $*" >>"$LOG"
  $TO "$@" >"$OUT/$f" 2>>"$LOG"
  rc=$?
  [ $rc -ne 0 ] && echo "(exit $rc)" >>"$LOG"
  return 0
}

if ! have postconf; then
  echo "collect-bundle: postconf not found; is Postfix installed?" >&2
  exit 2
fi

pc() { postconf -h "$@" 2>/dev/null; }
CONFIG_DIR=$(pc config_directory); CONFIG_DIR=${CONFIG_DIR:-/etc/postfix}
QUEUE_DIR=$(pc queue_directory); QUEUE_DIR=${QUEUE_DIR:-/var/spool/postfix}
MYHOSTNAME=$(pc myhostname)

# --- Postfix configuration and state -------------------------------------
run postconf.txt postconf
run postconf-n.txt postconf -n
run postconf-M.txt postconf -M
echo "\$ postconf -n 2>&1 >/dev/null" >>"$LOG"
$TO postconf -n 2>"$OUT/postconf-warnings.txt" >/dev/null
[ -f "$CONFIG_DIR/main.cf" ] && cp "$CONFIG_DIR/main.cf" "$OUT/main.cf"
[ -f "$CONFIG_DIR/master.cf" ] && cp "$CONFIG_DIR/master.cf" "$OUT/master.cf"
# postfix check and postfix status print their messages only to a terminal (else
# only to syslog), so an empty file would wrongly read as "no complaint": give them
# one with script(1) from util-linux when it is there.
ontty() {
    if command -v script >/dev/null 2>&1; then
        script -qec "$*" /dev/null | tr -d '\r'
    else
        "$@"
    fi
}
echo "\$ postfix check 2>&1" >>"$LOG"
ontty $TO postfix check >"$OUT/postfix-check.txt" 2>&1
echo "\$ postfix status 2>&1; echo exit=\$?" >>"$LOG"
{ $TO postfix status 2>&1 >/dev/null; st=$?; ontty $TO postfix status 2>&1; echo "exit=$st"; } >"$OUT/postfix-status.txt"
run postqueue-j.txt postqueue -j
run mailq.txt mailq

# --- Host ------------------------------------------------------------------
if have ss; then run ss-tlnp.txt ss -tlnp; fi
run df.txt df -P "$QUEUE_DIR"
run df-i.txt df -Pi "$QUEUE_DIR"
run meminfo.txt cat /proc/meminfo
run loadavg.txt cat /proc/loadavg
run ls-etc-postfix.txt ls -ln --time-style=full-iso "$CONFIG_DIR"

# --- Lookup tables: stat only, never their content ------------------------
{ postconf -nx 2>/dev/null; postconf -Mx 2>/dev/null; } |
  grep -oE '(hash|btree|lmdb|cdb|dbm):[^ ,]+' | sort -u |
  while IFS=: read -r type path; do
    case $type in
      hash|btree) sfx=".db" ;;
      lmdb) sfx=".lmdb" ;;
      cdb) sfx=".cdb" ;;
      dbm) sfx=".pag" ;;
    esac
    for p in "$path" "$path$sfx"; do
      if [ -e "$p" ]; then
        stat -c '%Y %s %a %u %g %n' "$p" 2>>"$LOG"
      else
        echo "missing $p"
      fi
    done
  done >"$OUT/tables.txt"

# --- Copies of host files inside the chroot (chroot.txt; not in bundle format 1) --
for f in resolv.conf hosts localtime services nsswitch.conf; do
  [ -e "/etc/$f" ] || continue
  if [ ! -e "$QUEUE_DIR/etc/$f" ]; then echo "missing /etc/$f"
  elif cmp -s "/etc/$f" "$QUEUE_DIR/etc/$f"; then echo "same /etc/$f"
  else echo "differs /etc/$f"; fi
done >"$OUT/chroot.txt"

# --- Mail log ---------------------------------------------------------------
logf=${MAILLOG:-}
if [ -z "$logf" ]; then
  mlf=$(pc maillog_file)
  case $mlf in
    /dev/*|"") ;;
    *) logf=$mlf ;;
  esac
fi
if [ -z "$logf" ]; then
  for c in /var/log/mail.log /var/log/maillog; do
    if [ -s "$c" ]; then logf=$c; break; fi
  done
fi
if [ -n "$logf" ] && [ -r "$logf" ]; then
  echo "\$ tail -n $MAILLOG_LINES $logf" >>"$LOG"
  tail -n "$MAILLOG_LINES" "$logf" >"$OUT/maillog" 2>>"$LOG"
elif have journalctl; then
  run maillog journalctl --no-pager -o short-iso -n "$MAILLOG_LINES" SYSLOG_FACILITY=2
fi

# --- TLS: public certificates, stat of keys, what the server presents ------
mkdir -p "$OUT/tls"
sasl_maps=$(pc smtp_sasl_password_maps)
for param in smtpd_tls_cert_file smtpd_tls_key_file smtpd_tls_chain_files \
    smtpd_tls_eccert_file smtpd_tls_eckey_file smtpd_tls_dcert_file \
    smtpd_tls_dkey_file smtpd_tls_CAfile smtp_tls_cert_file smtp_tls_key_file \
    smtp_tls_chain_files smtp_tls_CAfile; do
  files=$(pc -x "$param" 2>/dev/null | tr ',' ' ')
  [ -n "$files" ] || continue
  : >"$OUT/tls/$param.stat"
  for f in $files; do
    stat -c '%a %u %g %n' "$f" >>"$OUT/tls/$param.stat" 2>>"$LOG" ||
      echo "missing $f" >>"$OUT/tls/$param.stat"
    case $param in *key_file) continue ;; esac
    case " $sasl_maps " in *"$f"*) continue ;; esac
    # Public certificates only: copy the CERTIFICATE blocks, never a key block.
    [ -r "$f" ] && sed -n '/^-----BEGIN CERTIFICATE-----/,/^-----END CERTIFICATE-----/p' \
      "$f" >>"$OUT/tls/$param.pem" 2>>"$LOG"
  done
done
SMTP_HOST=${SMTP_HOST:-127.0.0.1}
SMTP_PORTS=${SMTP_PORTS:-25 587 465}
if [ "$SMTP_PORTS" != none ] && have openssl; then
  for port in $SMTP_PORTS; do
    if [ "$port" = 465 ]; then st=""; else st="-starttls smtp"; fi
    echo "\$ openssl s_client -connect $SMTP_HOST:$port $st -showcerts" >>"$LOG"
    # shellcheck disable=SC2086
    $TO openssl s_client -connect "$SMTP_HOST:$port" $st -showcerts \
      </dev/null >"$OUT/tls/s_client-$port.txt" 2>&1
  done
fi
rmdir "$OUT/tls" 2>/dev/null

# --- DNS --------------------------------------------------------------------
if [ -z "${SERVER_IPS+x}" ]; then
  SERVER_IPS=$(ip -o addr show scope global 2>/dev/null |
    awk '{ sub(/\/.*/, "", $4); print $4 }' | tr '\n' ' ')
fi
MAIL_DOMAINS=${MAIL_DOMAINS:-$(pc mydomain)}
if [ -z "${DKIM_SELECTORS:-}" ]; then
  DKIM_SELECTORS=$(awk '$1 == "Selector" { print $2 }' /etc/opendkim.conf 2>/dev/null)
  DKIM_SELECTORS=${DKIM_SELECTORS:-default}
fi
DIG=${DIG:-dig}
if [ "$DIG" != none ] && have "${DIG%% *}"; then
  mkdir -p "$OUT/dig"
  qd() {  # qd TYPE NAME
    n=${2%.}
    echo "\$ $DIG $1 $n" >>"$LOG"
    # shellcheck disable=SC2086
    $TO $DIG "$1" "$n" >"$OUT/dig/$1_$n.txt" 2>>"$LOG"
  }
  for d in $MAIL_DOMAINS; do
    for t in MX A AAAA TXT; do qd "$t" "$d"; done
    qd TXT "_dmarc.$d"
    for s in $DKIM_SELECTORS; do qd TXT "$s._domainkey.$d"; done
  done
  if [ -n "$MYHOSTNAME" ]; then
    for t in MX A AAAA; do qd "$t" "$MYHOSTNAME"; done
  fi
  # DNS blocklists named in the restrictions or postscreen.
  zones=$( { postconf -hx smtpd_client_restrictions smtpd_helo_restrictions \
               smtpd_sender_restrictions smtpd_relay_restrictions \
               smtpd_recipient_restrictions smtpd_data_restrictions 2>/dev/null |
             awk '{ n = split($0, w, /[ ,\t]+/)
                    for (i = 1; i < n; i++) if (w[i] == "reject_rbl_client") print w[i+1] }'
             postconf -hx postscreen_dnsbl_sites 2>/dev/null |
               awk '{ n = split($0, w, /[ ,\t]+/); for (i = 1; i <= n; i++) if (w[i] != "") print w[i] }'
           } | sed -e 's/[*=].*$//' | grep -E '^[A-Za-z0-9._-]+$' | sort -u)
  for ip in $SERVER_IPS; do
    echo "\$ $DIG -x $ip" >>"$LOG"
    # shellcheck disable=SC2086
    $TO $DIG -x "$ip" >"$OUT/dig/PTR_$ip.txt" 2>>"$LOG"
    case $ip in
      *:*) ;;
      *.*.*.*)
        rev=$(echo "$ip" | awk -F. '{ print $4"."$3"."$2"."$1 }')
        for z in $zones; do qd A "$rev.$z"; done ;;
    esac
  done
fi

# --- MANIFEST -----------------------------------------------------------------
{
  echo "format: 1"
  echo "hostname: ${BUNDLE_HOSTNAME:-${MYHOSTNAME:-$(hostname)}}"
  echo "collected_at: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  # shellcheck disable=SC2086
  set -- $SERVER_IPS; echo "server_ips: $*"
  # shellcheck disable=SC2086
  set -- $MAIL_DOMAINS; echo "mail_domains: $*"
  echo "collector: manual"
} >"$OUT/MANIFEST"

parent=$(dirname "$OUT"); base=$(basename "$OUT")
if tar -czf "$OUT.tar.gz" -C "$parent" "$base" 2>>"$LOG"; then
  chmod 600 "$OUT.tar.gz"
  echo "collect-bundle: wrote $OUT/ and $OUT.tar.gz" >&2
else
  echo "collect-bundle: wrote $OUT/ (tar failed, see $LOG)" >&2
fi
exit 0
