#!/bin/sh
# run.sh - benchmark of `pftriage logs` against `LC_ALL=C grep -c status=` and pflogsumm
# on one gen-maillog log, measured in the same run (medians of whole-process wall times,
# peak RSS from /usr/bin/time). It is not a test: it prints numbers, it checks nothing.
#   sh bench/logs/run.sh [--size 1G] [--runs 3] [--pflogsumm-runs N] [--pftriage PATH] [--no-pflogsumm]
set -eu
size=1G
runs=3
pfl_runs=
pft=
with_pfl=1
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
gen="$root/../shared/bench/gen-maillog"
while [ $# -gt 0 ]; do
    case "$1" in
    --size) size=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --pflogsumm-runs) pfl_runs=$2; shift 2 ;;
    --pftriage) pft=$2; shift 2 ;;
    --no-pflogsumm) with_pfl=0; shift ;;
    -h|--help) sed -n 2,5p "$0"; exit 0 ;;
    *) echo "run.sh: unknown option $1" >&2; exit 64 ;;
    esac
done
[ -n "$pfl_runs" ] || pfl_runs=$runs
if [ -z "$pft" ]; then
    for p in "$root"/build*/cli/pftriage; do [ -x "$p" ] && pft=$p; done
fi
[ -x "$pft" ] || { echo "run.sh: pftriage not found; build it or pass --pftriage PATH" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "run.sh: /usr/bin/time missing (apt-get install time)" >&2; exit 1; }
if [ "$with_pfl" = 1 ] && ! command -v pflogsumm >/dev/null 2>&1; then
    echo "run.sh: pflogsumm is not installed (apt-get install pflogsumm); use --no-pflogsumm" >&2; exit 1
fi

log=/tmp/pft-bench-mail-$size.log
truth=/tmp/pft-bench-mail-$size.json
if [ ! -s "$log" ] || [ ! -s "$truth" ]; then
    echo "generating $log ($size) ..."
    python3 "$gen" --size "$size" -o "$log" --truth "$truth"
fi
bytes=$(stat -c %s "$log")
cat "$log" > /dev/null   # warm the page cache

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# measure NAME RUNS CMD... -> prints "median_seconds max_rss_kib" into $tmp/NAME
measure() {
    name=$1; n=$2; shift 2
    : > "$tmp/$name.runs"
    i=0
    while [ "$i" -lt "$n" ]; do
        /usr/bin/time -f "%e %M" -o "$tmp/$name.t" "$@" > "$tmp/$name.out" 2> /dev/null || true
        tail -n 1 "$tmp/$name.t" >> "$tmp/$name.runs"
        i=$((i + 1))
    done
    sort -n "$tmp/$name.runs" | awk '{ t[NR] = $1; if ($2 > m) m = $2 } END {
        med = (NR % 2) ? t[(NR + 1) / 2] : (t[NR / 2] + t[NR / 2 + 1]) / 2; print med, m }' > "$tmp/$name"
}

measure grep "$runs" env LC_ALL=C grep -c status= "$log"
measure pftriage "$runs" "$pft" logs --only --format json "$log"
cp "$tmp/pftriage.out" "$tmp/pftriage.json"
if [ "$with_pfl" = 1 ]; then
    measure pflogsumm "$pfl_runs" pflogsumm "$log"
fi

echo
echo "pftriage logs benchmark: $log ($bytes bytes), $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
printf '%-34s %10s %10s %12s\n' tool "median s" "MB/s" "peak RSS MiB"
row() {
    read -r t m < "$tmp/$1"
    awk -v name="$2" -v t="$t" -v m="$m" -v b="$bytes" 'BEGIN {
        printf "%-34s %10.3f %10.0f %12.1f\n", name, t, (t > 0 ? b / 1e6 / t : 0), m / 1024 }'
}
row grep "LC_ALL=C grep -c status= ($runs runs)"
row pftriage "pftriage logs ($runs runs)"
[ "$with_pfl" = 1 ] && row pflogsumm "pflogsumm ($pfl_runs runs)"
read -r tg _ < "$tmp/grep"
read -r tp _ < "$tmp/pftriage"
awk -v g="$tg" -v p="$tp" 'BEGIN { printf "pftriage / grep:      %.2f x slower (goal <= 3)\n", p / g }'
if [ "$with_pfl" = 1 ]; then
    read -r tf _ < "$tmp/pflogsumm"
    awk -v f="$tf" -v p="$tp" 'BEGIN { printf "pflogsumm / pftriage: %.1f x faster (goal >= 25)\n", f / p }'
fi
python3 - "$tmp/pftriage.json" "$truth" <<'PY'
import json, sys
s = json.load(open(sys.argv[1])); t = json.load(open(sys.argv[2]))["counts"]
tot = s["totals"]
pairs = [("received", tot["received"], t["received"]), ("delivered (st_sent)", tot["delivered"], t["st_sent"]),
         ("deferrals (st_deferred)", tot["deferrals"], t["st_deferred"]), ("bounced (st_bounced)", tot["bounced"], t["st_bounced"]),
         ("rejected", tot["rejected"], t.get("rejects", 0)), ("expired", tot["expired"], t.get("st_expired", 0))]
tw = json.load(open(sys.argv[2]))
pairs += [("connections", tot["connections"], t["connections"]),
          ("bounce notifications", tot["bounce_notifications"], t["bounce_notifications"]),
          ("warning lines", s["warnings"]["lines"], t["warnings"]), ("fatal", s["warnings"]["fatal"], t["fatal"])]
sasl = {c["client"]: c["count"] for c in s["sasl_failures"]["by_client"]}
pairs.append(("SASL failures", sum(sasl.values()), t["sasl_failures"]))
pairs.append(("SASL failures by client", "same" if sasl == tw.get("sasl_failures_by_ip", sasl) else "differ", "same"))
rr = {r["restriction"]: r["count"] for r in s["reject_restrictions"]}
pairs.append(("relay rejects", rr.get("reject_unauth_destination", 0), t.get("reject_relay", 0)))
pairs.append(("RBL rejects", sum(v for k, v in rr.items() if k.startswith("reject_rbl_client")), t.get("reject_rbl", 0)))
pairs.append(("postscreen rejects", sum(v for k, v in rr.items() if k.startswith("postscreen_")), t.get("reject_postscreen", 0)))
print("counts vs --truth: " + ", ".join(f"{n} {a}{'' if a == b else ' != ' + str(b)}" for n, a, b in pairs))
bad = [n for n, a, b in pairs if a != b]
print("all counts equal the truth" if not bad else "MISMATCH: " + ", ".join(bad))
print(f"signatures explained {100 * s['lines']['explained_share']:.2f} % of {s['lines']['postfix']} Postfix lines")
PY
