#!/bin/sh
# fuzz.sh - builds the libFuzzer targets (clang, -DPFT_FUZZ=ON, ASan+UBSan) and runs each
# for SECONDS (default 60), one after the other; fails on the first finding (crash,
# sanitizer report, leak, timeout or out-of-memory), leaving the input in WORK/artifacts.
#
#   sh scripts/fuzz.sh [options] [SECONDS] [TARGET...]     TARGET: maillog kb_yaml expr ...
#     --build-dir DIR   where to build (default build-fuzz)
#     --work DIR        corpora, seeds, logs and artifacts (default DIR/fuzz-work)
#     --no-build        use the targets already built in --build-dir
#
# Seeds come from real outputs: tests/fixtures/, examples/bundles/, knowledge/ and the
# shared mail-log corpus (../shared/corpus, copied, never written). Inputs that add
# coverage are kept in WORK/corpus/TARGET, so a later run goes on from there.
# Each run ends with a line "fuzz.sh: TARGET ran N s, E execs, ..." (docs/safety.md).
set -eu
cd "$(dirname "$0")/.."
top=$(pwd)
build_dir=build-fuzz
work=
do_build=1
while [ $# -gt 0 ]; do
    case "$1" in
    --build-dir) build_dir=$2; shift 2 ;;
    --work) work=$2; shift 2 ;;
    --no-build) do_build=0; shift ;;
    -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
    *) break ;;
    esac
done
seconds=60
case "${1:-}" in
'' ) ;;
*[!0-9]*) ;;
*) seconds=$1; shift ;;
esac
all="maillog kb_yaml expr postqueue_json mailq postconf main_cf dig mail_auth host_outputs manifest pem dns_wire bundle"
targets=${*:-$all}
work=${work:-$build_dir/fuzz-work}

if [ "$do_build" = 1 ]; then
    command -v clang++ >/dev/null || { echo "fuzz.sh: clang++ is missing (sh scripts/deps.sh test)" >&2; exit 1; }
    mkdir -p "$build_dir"
    # -O1 and line tables only: half the compile time of -O2 -g, and stack traces still name lines.
    CXX=clang++ cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE=None -DPFT_FUZZ=ON -DPFT_BUILD_TESTS=OFF \
        "-DCMAKE_CXX_FLAGS=-Werror -O1 -gline-tables-only" > "$build_dir.cmake.log" 2>&1 || { cat "$build_dir.cmake.log"; exit 1; }
    t_list=
    for t in $targets; do t_list="$t_list --target fuzz_$t"; done
    # shellcheck disable=SC2086
    cmake --build "$build_dir" -j"$(nproc)" $t_list
fi

# Seeds, rebuilt each run from the files of the repository (and the shared corpus).
seeds_for() { # target dir
    d=$2
    rm -rf "$d"
    mkdir -p "$d"
    n=0
    add() { for f in "$@"; do [ -f "$f" ] || continue; n=$((n + 1)); cp "$f" "$d/seed-$n"; done; }
    case "$1" in
    maillog)
        # Real lines, cut into 40-line pieces so each seed stays small.
        for f in tests/fixtures/logs/* examples/bundles/*/maillog tests/fixtures/probes/bundle-deferred/maillog \
                 ../shared/corpus/maillog-real/*; do
            [ -f "$f" ] || continue
            n=$((n + 1))
            head -c 2000000 "$f" | split -l 40 -a 4 - "$d/seed-$n-"
        done
        # Keep at most 4000 pieces: enough variety, quick to load.
        ls "$d" | awk 'NR > 4000' | while read -r x; do rm -f "$d/$x"; done ;;
    kb_yaml) add knowledge/*.yaml knowledge/causes/*.yaml knowledge/tests/*.yaml knowledge/signatures/*.yaml ;;
    expr)
        # Every single-line condition of the knowledge base.
        grep -rh '^ *when: [^>|]' knowledge | sed 's/^ *when: //' | sort -u | head -1500 | while IFS= read -r line; do
            n=$((n + 1)); printf '%s' "$line" > "$d/seed-$n"
        done ;;
    postqueue_json) add tests/fixtures/probes/postqueue-j-active.txt examples/bundles/*/postqueue-j.txt tests/fixtures/probes/bundle-deferred/postqueue-j.txt ;;
    mailq) add tests/fixtures/probes/mailq-active.txt examples/bundles/*/mailq.txt tests/fixtures/probes/bundle-deferred/mailq.txt ;;
    postconf) add examples/bundles/*/postconf.txt examples/bundles/*/postconf-n.txt examples/bundles/*/postconf-warnings.txt \
                  examples/bundles/*/postfix-check.txt examples/bundles/*/postfix-status.txt tests/fixtures/probes/bundle-deferred/postconf*.txt ;;
    main_cf) add examples/bundles/*/main.cf examples/bundles/*/master.cf examples/bundles/*/postconf-M.txt tests/fixtures/probes/bundle-deferred/main.cf ;;
    dig) add tests/fixtures/probes/dig/* examples/bundles/*/dig/* ;;
    mail_auth)
        for f in tests/fixtures/probes/dig/TXT_* examples/bundles/*/dig/TXT_*; do
            [ -f "$f" ] || continue
            grep -h 'IN[[:space:]]*TXT' "$f" | sed 's/.*TXT[[:space:]]*//; s/" "//g; s/"//g' | while IFS= read -r line; do
                n=$((n + 1)); printf '%s' "$line" > "$d/seed-$(echo "$f" | tr '/' '_')-$n"
            done
        done
        printf 'v=spf1 ip4:192.0.2.0/24 ip6:2001:db8::/32 a mx include:_spf.example.org exists:%%{i}.x.example.org redirect=_spf2.example.org -all' > "$d/seed-spf"
        printf 'v=DMARC1; p=reject; sp=quarantine; pct=50; rua=mailto:d@example.org' > "$d/seed-dmarc"
        printf 'v=DKIM1; k=rsa; p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDwIRP/UC3SBsEmGqZ9ZJW3/DkMoGeLnQg1fWn7/zYtIxN2SnFCjxOCKG9v3b4jYfcTNh5ijSsq631uBItLa7od+v/RtdC2UzJ1lWT947qR+Rcac2gbto/NMqJ0fzfVjH4OuKhitdY9tf6mcwGjaNBcWToIMmPSPDdQPNUYckcQ2QIDAQAB' > "$d/seed-dkim" ;;
    host_outputs)
        # First byte picks the parser (fuzz_host_outputs.cpp).
        i=0
        for f in tests/fixtures/probes/real/ss-tlnp.txt tests/fixtures/probes/real/proc-net-tcp.txt \
                 tests/fixtures/probes/real/proc-net-tcp6.txt examples/bundles/healthy/df.txt \
                 examples/bundles/healthy/meminfo.txt examples/bundles/healthy/loadavg.txt \
                 tests/fixtures/probes/real/tables.txt tests/fixtures/probes/real/tls-key.stat \
                 tests/fixtures/probes/real/ls-etc-postfix.txt tests/fixtures/probes/real/s_client-starttls.txt; do
            { printf "\\$(printf '%03o' $((48 + i)))"; cat "$f"; } > "$d/seed-$i"
            i=$((i + 1))
        done
        { printf '9'; cat tests/fixtures/probes/real/s_client-wrongmode.txt; } > "$d/seed-wrongmode"
        { printf '3'; cat examples/bundles/healthy/df-i.txt; } > "$d/seed-dfi" ;;
    manifest) add examples/bundles/*/MANIFEST tests/fixtures/probes/bundle-deferred/MANIFEST ;;
    pem) add examples/bundles/*/tls/*.pem ;;
    dns_wire) python3 "$top/fuzz/dns_seeds.py" "$d" ;;
    bundle)
        for b in examples/bundles/* tests/fixtures/probes/bundle-deferred; do
            [ -d "$b" ] || continue
            n=$((n + 1))
            tar -C "$b" --owner=0 --group=0 -cf "$d/seed-$n.tar" .
            gzip -n -c "$d/seed-$n.tar" > "$d/seed-$n.tar.gz"
        done ;;
    esac
}

mkdir -p "$work/artifacts" "$work/logs"
status=0
for t in $targets; do
    bin="$build_dir/fuzz/fuzz_$t"
    [ -x "$bin" ] || { echo "fuzz.sh: $bin is not built" >&2; exit 1; }
    seeds_for "$t" "$work/seeds/$t"
    mkdir -p "$work/corpus/$t"
    log="$work/logs/$t.log"
    case "$t" in
    maillog|expr|mail_auth) max_len=-max_len=8192 ;;
    bundle) max_len=-max_len=300000 ;;
    *) max_len=-max_len=65536 ;;
    esac
    start=$(date +%s)
    marker="$work/logs/.$t.started"
    : > "$marker"
    rc=0
    # A per-input time limit of 30 s catches a catastrophically slow input; memory is capped at 2 GB.
    ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:halt_on_error=1:abort_on_error=0}" \
    UBSAN_OPTIONS="${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}" \
    LSAN_OPTIONS="${LSAN_OPTIONS:-suppressions=$top/fuzz/lsan.supp}" \
        "$bin" -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=30 $max_len -print_final_stats=1 \
        -artifact_prefix="$work/artifacts/$t-" "$work/corpus/$t" "$work/seeds/$t" > "$log" 2>&1 || rc=$?
    end=$(date +%s)
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | sed 's/cov: //')
    echo "fuzz.sh: $t ran $((end - start)) s, ${execs:-?} execs, cov ${cov:-?}, corpus $(ls "$work/corpus/$t" | wc -l) files, exit $rc"
    # Only artifacts written by this run count (an earlier run's slow unit is not news).
    if [ "$rc" != 0 ] || [ -n "$(find "$work/artifacts" -name "$t-*" -newer "$marker" 2>/dev/null)" ]; then
        echo "fuzz.sh: FINDING in $t (log $log):" >&2
        grep -E 'ERROR|SUMMARY|runtime error|Test unit written' "$log" | head -20 >&2
        status=1
        break
    fi
done
exit $status
