#!/bin/bash
# pftriage's engine against CLIPS 6.30 on the workload of shared/bench/engine/WORKLOAD.md, in one run.
# It does not build anything or judge the machine: build pft_bench_engine first (see docs/performance.md).
#
#   run.sh [-r RUNS] [-n "100 1000 10000"] [-m "1000 10000 100000"] [-b PFT_BENCH_ENGINE] [-j] [OUTDIR]
#
# For every (N, M) cell: generates the workload into OUTDIR (default /tmp/pft-engine-workload) with
# shared/bench/engine/gen-workload.py if missing; runs CLIPS (`clips -f2 run-N-M.clp`) and
# pft_bench_engine alternately, RUNS times each (default 5), under /usr/bin/time; checks that both
# derive exactly expected-N-M.json (mid/cause counts and checksums); prints the medians: whole-process
# wall time, CPU time (user+sys), peak RSS, the CLIPS/pftriage ratios (> 1: pftriage is faster) and
# pftriage's phase split (rules load+compile / facts / run). -j adds the join-heavy workload of
# shared/bench/gen-engine-workload (N=1000 M=10000 and N=10000 M=100000; counts compared, not timed
# against expected files, since that generator writes none).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
SHARED=${PFT_SHARED_BENCH:-$ROOT/../shared/bench}
RUNS=5
NS="100 1000 10000"
MS="1000 10000 100000"
BIN=${PFT_BENCH_ENGINE:-$ROOT/build-bench/bench/engine/pft_bench_engine}
JOIN=0
while getopts "r:n:m:b:j" o; do
  case $o in
    r) RUNS=$OPTARG ;; n) NS=$OPTARG ;; m) MS=$OPTARG ;; b) BIN=$OPTARG ;; j) JOIN=1 ;;
    *) sed -n '2,15p' "$0"; exit 2 ;;
  esac
done
shift $((OPTIND - 1))
OUT=${1:-/tmp/pft-engine-workload}
mkdir -p "$OUT"
command -v clips > /dev/null || { echo "clips not found (apt-get install clips)" >&2; exit 2; }
[ -x "$BIN" ] || { echo "$BIN not built (cmake --build build-bench --target pft_bench_engine)" >&2; exit 2; }
[ -f "$SHARED/engine/gen-workload.py" ] || { echo "no $SHARED/engine/gen-workload.py (set PFT_SHARED_BENCH)" >&2; exit 2; }
BIN=$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "medians of $RUNS runs each, CLIPS and pftriage alternating; ratio = CLIPS / pftriage (> 1: pftriage faster)"
printf '%-6s %-7s | %8s %8s %6s | %8s %8s %6s | %8s %8s | %7s %7s %7s | %s\n' \
  N M clips_s pft_s wall× clips_cpu pft_cpu cpu× clips_MiB pft_MiB kb_s facts_s run_s check

# run_one LABEL CMD... : appends "wall cpu rss_kib" and the program's RESULT line to $T/LABEL
run_one() {
  local label=$1; shift
  /usr/bin/time -f "TIME %e %U %S %M" -o "$T/time" "$@" > "$T/out" 2>&1 || { cat "$T/out" >&2; exit 1; }
  echo "$(grep -E '^(RESULT|JOIN)' "$T/out" | tail -1) $(grep '^TIME' "$T/time")" >> "$T/$label"
}

for N in $NS; do
  for M in $MS; do
    [ -f "$OUT/expected-$N-$M.json" ] || python3 "$SHARED/engine/gen-workload.py" "$N" "$M" "$OUT" > /dev/null
    rm -f "$T/clips" "$T/pft"
    for ((i = 0; i < RUNS; i++)); do
      (cd "$OUT" && run_one clips clips -f2 "run-$N-$M.clp" < /dev/null)
      run_one pft "$BIN" "$OUT" "$N" "$M"
    done
    python3 - "$OUT/expected-$N-$M.json" "$T/clips" "$T/pft" "$N" "$M" <<'EOF'
import json, statistics as st, sys
exp = json.load(open(sys.argv[1]))
def rows(path):
    out = []
    for line in open(path):
        w = line.split()
        t = w.index("TIME")
        kv = {w[i]: w[i + 1] for i in range(1, t - 1)}
        out.append((float(w[t + 1]), float(w[t + 2]) + float(w[t + 3]), int(w[t + 4]) / 1024, kv))
    return out
def ok(rs):
    keys = ("mid_facts", "cause_facts", "mid_checksum", "cause_checksum")
    return all(int(kv[k]) == exp[k] for _, _, _, kv in rs for k in keys)
c, p = rows(sys.argv[2]), rows(sys.argv[3])
med = lambda rs, i: st.median(r[i] for r in rs)
mk = lambda rs, k: st.median(float(r[3][k]) for r in rs)
cw, pw, cc, pc = med(c, 0), med(p, 0), med(c, 1), med(p, 1)
ratio = lambda a, b: "%6.2f" % (a / b) if b > 0 else "   inf"
check = ("clips ok" if ok(c) else "clips MISMATCH") + ", " + ("pft ok" if ok(p) else "pft MISMATCH")
print("%-6s %-7s | %8.3f %8.3f %s | %8.3f %8.3f %s | %8.1f %8.1f | %7.3f %7.3f %7.3f | %s" % (
    sys.argv[4], sys.argv[5], cw, pw, ratio(cw, pw), cc, pc, ratio(cc, pc), med(c, 2), med(p, 2),
    mk(p, "load_kb_s"), mk(p, "load_facts_s"), mk(p, "run_s"), check))
EOF
  done
done

if [ $JOIN = 1 ]; then
  echo
  echo "join-heavy workload (shared/bench/gen-engine-workload; CLIPS loads it with load*, then reset, run)"
  printf '%-6s %-7s | %8s %8s %6s | %8s %8s %6s | %8s %8s | %s\n' N M clips_s pft_s wall× clips_cpu pft_cpu cpu× clips_MiB pft_MiB "derived (mid cause alert)"
  for cell in "1000 10000" "10000 100000"; do
    set -- $cell
    N=$1 M=$2
    W="$OUT/join-$N-$M"
    [ -f "$W.json" ] || python3 "$SHARED/gen-engine-workload" --rules "$N" --facts "$M" --format json > "$W.json"
    [ -f "$W.clp" ] || python3 "$SHARED/gen-engine-workload" --rules "$N" --facts "$M" --format clips > "$W.clp"
    cat > "$W.driver.clp" <<EOF
(load* "$W.clp")
(reset)
(run)
(printout t "RESULT mid " (length\$ (find-all-facts ((?f mid)) TRUE)) " cause " (length\$ (find-all-facts ((?f cause)) TRUE)) " alert " (length\$ (find-all-facts ((?f alert)) TRUE)) crlf)
(exit)
EOF
    rm -f "$T/clips" "$T/pft"
    for ((i = 0; i < RUNS; i++)); do
      run_one clips clips -f2 "$W.driver.clp" < /dev/null
      run_one pft "$BIN" --join "$W.json"
    done
    python3 - "$T/clips" "$T/pft" "$N" "$M" <<'EOF'
import statistics as st, sys
def rows(path):
    out = []
    for line in open(path):
        w = line.split()
        t = w.index("TIME")
        kv = {w[i]: w[i + 1] for i in range(1, t - 1)}
        out.append((float(w[t + 1]), float(w[t + 2]) + float(w[t + 3]), int(w[t + 4]) / 1024,
                    tuple(int(kv[k]) for k in ("mid", "cause", "alert"))))
    return out
c, p = rows(sys.argv[1]), rows(sys.argv[2])
med = lambda rs, i: st.median(r[i] for r in rs)
same = len({r[3] for r in c + p}) == 1
ratio = lambda a, b: "%6.2f" % (a / b) if b > 0 else "   inf"
cw, pw, cc, pc = med(c, 0), med(p, 0), med(c, 1), med(p, 1)
print("%-6s %-7s | %8.3f %8.3f %s | %8.3f %8.3f %s | %8.1f %8.1f | %s %s" % (
    sys.argv[3], sys.argv[4], cw, pw, ratio(cw, pw), cc, pc, ratio(cc, pc), med(c, 2), med(p, 2),
    " ".join(map(str, p[0][3])), "same" if same else "DIFFERENT: clips %s" % (c[0][3],)))
EOF
  done
fi
