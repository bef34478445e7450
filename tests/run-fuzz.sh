#!/usr/bin/env bash
# Runs each libFuzzer binary given, printing one result line per check:
#   "PASS fuzz_x/regressions (N inputs)": every input kept under
#       tests/fuzz/regressions/fuzz_x/ (crashes found before, fixed since) replays
#       without a crash -- this part runs even with FUZZ_SECONDS=0;
#   "PASS fuzz_x (N runs)": FUZZ_SECONDS (default 5) of fuzzing from the seeds
#       in tests/fuzz/corpus/fuzz_x/, with memory caps.
# A crash prints the sanitizer's summary and lands in build/fuzz/crashes/: copy
# it to tests/fuzz/regressions/fuzz_x/ once fixed.
set -u
secs=${FUZZ_SECONDS:-5}
caps=(-rss_limit_mb=1024 -malloc_limit_mb=256 -timeout=10)
mkdir -p build/fuzz/crashes
rc=0
for f in "$@"; do
    name=$(basename "$f")
    regs=(tests/fuzz/regressions/"$name"/*)
    if [ -e "${regs[0]}" ]; then
        if out=$("$f" "${caps[@]}" "${regs[@]}" 2>&1); then
            echo "PASS $name/regressions (${#regs[@]} inputs)"
        else
            printf '%s\n' "$out" | grep -E 'Running:|ERROR|SUMMARY' | tail -4 >&2
            echo "FAIL $name/regressions"
            rc=1
        fi
    fi
    [ "$secs" -gt 0 ] || continue
    corpus="tests/fuzz/corpus/$name"
    work="build/fuzz/work/$name"     # libFuzzer adds new inputs to the first dir: keep the repo's seeds clean
    mkdir -p "$work"
    args=("$work")
    [ -d "$corpus" ] && args+=("$corpus")
    [ -e "${regs[0]}" ] && args+=("tests/fuzz/regressions/$name")
    if out=$("$f" -max_total_time="$secs" "${caps[@]}" -artifact_prefix=build/fuzz/crashes/"$name"- \
             "${args[@]}" 2>&1); then
        runs=$(printf '%s\n' "$out" | grep -o 'Done [0-9]* runs' | tail -1)
        echo "PASS $name (${runs:-ran})"
    else
        printf '%s\n' "$out" | grep -E 'ERROR|SUMMARY|Test unit written' | head -5 >&2
        echo "FAIL $name"
        rc=1
    fi
done
exit $rc
