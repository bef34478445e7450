#!/usr/bin/env bash
# Runs each libFuzzer binary given for FUZZ_SECONDS (default 5) with a memory cap,
# printing "PASS fuzz_x" or "FAIL fuzz_x" per target. Crashes land in build/fuzz/crashes/.
set -u
secs=${FUZZ_SECONDS:-5}
mkdir -p build/fuzz/crashes
rc=0
for f in "$@"; do
    name=$(basename "$f")
    corpus="tests/fuzz/corpus/$name"
    work="build/fuzz/work/$name"     # libFuzzer adds new inputs to the first dir: keep the repo's seeds clean
    mkdir -p "$work"
    args=("$work")
    [ -d "$corpus" ] && args+=("$corpus")
    if out=$("$f" -max_total_time="$secs" -rss_limit_mb=1024 -malloc_limit_mb=256 -timeout=10 \
             -artifact_prefix=build/fuzz/crashes/ "${args[@]}" 2>&1); then
        runs=$(printf '%s\n' "$out" | grep -o 'Done [0-9]* runs' | tail -1)
        echo "PASS $name (${runs:-ran})"
    else
        printf '%s\n' "$out" | grep -E 'ERROR|SUMMARY|Test unit written' | head -5 >&2
        echo "FAIL $name"
        rc=1
    fi
done
exit $rc
