#!/usr/bin/env bash
# bench/triage.sh -- triage throughput on a synthetic log (default 1 GiB: mostly
# ordinary lines, about 0.1% Redis errors of many kinds taken from the test
# corpus), beside ripgrep and grep with the same patterns and `cat > /dev/null`
# (the floor). Prints MB/s and peak RSS. Measured, not asserted.
#   SIZE_MB=256 bench/triage.sh      a smaller log
set -u
cd "$(dirname "$0")/.."
BIN=${RMD_BIN:-build/redis-medic}
SIZE_MB=${SIZE_MB:-1024}
tmp=$(mktemp -d /tmp/rmd-bench-triage.XXXXXX)
trap 'rm -rf "$tmp"' EXIT INT TERM

# The patterns of the built-in runbooks (all three kinds), as the other tools take them.
for id in $("$BIN" kb list --json | jq -r '.[].id'); do
    "$BIN" kb show "$id" --json | jq -r '(.patterns + (.generic_patterns // []) + (.fallback_patterns // []))[]'
done >"$tmp/patterns.pcre"
sed 's/(?i)//g' "$tmp/patterns.pcre" >"$tmp/patterns.ere"
echo "patterns: $(wc -l <"$tmp/patterns.pcre")"

# A 16 MiB block: ordinary lines, and one error line in a thousand.
{ cut -f2- tests/data/triage/samples-*.tsv 2>/dev/null | sed 's/  *# .*$//'
  grep -hv '^#' tests/data/triage/messages/*.tsv 2>/dev/null | cut -f4 | sed 's/\\n/\n/g; s/\\t/\t/g'
} | grep -v '^$' >"$tmp/errors.txt"
awk -v errs="$tmp/errors.txt" 'BEGIN {
    while ((getline l < errs) > 0) e[n++] = l
    srand(42)
    for (i = 0; i < 160000; i++) {
        if (n && i % 1000 == 999) print e[int(rand() * n)]
        else printf "2026-11-22T10:%02d:%02d.%03dZ INFO request id=%08x path=/api/v1/items/%d status=200 duration_ms=%d user=%d\n", (i/60)%60, i%60, i%1000, i*2654435761%4294967296, i%5000, i%97, i%10007
    }
}' >"$tmp/block.log"
blocks=$(( SIZE_MB * 1024 * 1024 / $(stat -c %s "$tmp/block.log") ))
for _ in $(seq "$blocks"); do cat "$tmp/block.log"; done >"$tmp/big.log"
size=$(stat -c %s "$tmp/big.log")
echo "log: $((size / 1048576)) MiB, $(wc -l <"$tmp/big.log") lines"
cat "$tmp/big.log" >/dev/null # warm the page cache

run() { # run NAME CMD...: wall time -> MB/s, peak RSS
    local name=$1; shift
    local t0 t1 rss
    t0=$(date +%s%N)
    /usr/bin/time -f %M -o "$tmp/rss" "$@" >"$tmp/out" 2>/dev/null
    t1=$(date +%s%N)
    rss=$(tail -n 1 "$tmp/rss")
    printf '%-44s %8.0f MB/s  %7.1f MiB peak RSS  (%s)\n' "$name" \
        "$(echo "$size / 1000000 / (($t1 - $t0) / 1000000000)" | bc -l)" "$(echo "$rss / 1024" | bc -l)" \
        "$(head -c 60 "$tmp/out" | tr '\n' ' ')"
}
run "cat > /dev/null (floor)" sh -c "cat \"$tmp/big.log\" > /dev/null"
run "redis-medic triage (summary)" "$BIN" triage --json "$tmp/big.log"
run "rg -c -f patterns (PCRE2 engine off)" rg -c -f "$tmp/patterns.pcre" "$tmp/big.log"
run "grep -E -i -c -f patterns" grep -E -i -c -f "$tmp/patterns.ere" "$tmp/big.log"
