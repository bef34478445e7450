#!/usr/bin/env bash
# run.sh -- run every tests/integration/t_*.sh and print their result lines.
#
# Each test file runs in its own bash process (it sources lib.sh itself), so
# one test's cleanup cannot break another. Files run in parallel
# (RMD_IT_JOBS, default 4; their waits are mostly sleeps), each bounded to
# RMD_IT_FILE_LIMIT seconds (default 120). Output is printed file by file, in
# a fixed order: the lines "PASS name", "FAIL name: why", "SKIP name: reason".
# A file that dies without a FAIL line, or prints no result at all, gets one.
# After each file, whatever it recorded in its ledger (PIDs, namespaces, temp
# dirs) and left behind is undone, by PID and start time, never by name.
#
# Usage: run.sh [t_name ...]   (default: all). Exits 1 if any FAIL.
set -u
IT_DIR=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$IT_DIR/../.." && pwd)
cd "$ROOT" || exit 1
export RMD_BIN=${RMD_BIN:-$ROOT/build/redis-medic}
export HOSTILE_BIN=${HOSTILE_BIN:-$ROOT/build/tests/hostile}
JOBS=${RMD_IT_JOBS:-4}
LIMIT=${RMD_IT_FILE_LIMIT:-120}

if [ "$(id -u)" -ne 0 ]; then
    echo "SKIP integration: needs root (network namespaces, nft)"
fi

# Slowest files first so the parallel run ends sooner.
slow_first="t_leak t_cluster t_memory t_hostile t_tls t_firewall"
files=()
if [ $# -gt 0 ]; then
    for a in "$@"; do a=${a%.sh}; files+=("$IT_DIR/$(basename "$a").sh"); done
else
    for s in $slow_first; do [ -f "$IT_DIR/$s.sh" ] && files+=("$IT_DIR/$s.sh"); done
    for f in "$IT_DIR"/t_*.sh; do
        case " $slow_first " in *" $(basename "$f" .sh) "*) continue ;; esac
        files+=("$f")
    done
fi

RUN=$(mktemp -d /tmp/rmd-it-run.XXXXXX)
trap 'rm -rf "$RUN"' EXIT

# Build the hostile peer once, before the files race for it.
mkdir -p "$(dirname "$HOSTILE_BIN")"
if [ ! -x "$HOSTILE_BIN" ] || [ tests/tools/hostile.c -nt "$HOSTILE_BIN" ]; then
    cc -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -O2 -o "$HOSTILE_BIN" tests/tools/hostile.c ||
        echo "# could not build $HOSTILE_BIN" >&2
fi

start_time() {
    local s
    s=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
    s=${s##*) }
    set -- $s
    echo "${20}"
}

# reap LEDGER: undo what a test file recorded and did not clean up itself:
# first the processes (by PID and start time), then hooks, namespaces, dirs.
reap() {
    local kind a b killed=
    [ -f "$1" ] || return 0
    while read -r kind a b; do
        [ "$kind" = pid ] && [ "$(start_time "$a")" = "$b" ] || continue
        killed=1
        echo "# reaping leftover pid $a ($(tr '\0' ' ' <"/proc/$a/cmdline" | cut -c1-80))" >&2
        kill -CONT "$a" 2>/dev/null
        kill -KILL "$a" 2>/dev/null
    done <"$1"
    [ -n "$killed" ] && sleep 0.2
    while read -r kind a b; do
        case $kind in
        hook) eval "$a $b" 2>/dev/null ;;
        netns) ip netns del "$a" 2>/dev/null ;;
        port) case $a in /tmp/rmd-it-ports/*) rm -rf "$a" ;; esac ;;
        dir) [ -z "${RMD_IT_KEEP:-}" ] && case $a in /tmp/rmd-it.*) rm -rf "$a" ;; esac ;;
        esac
    done <"$1"
}

# run_one FILE: run a test file to $RUN/NAME.{out,err,rc}.
run_one() {
    local f=$1 n
    n=$(basename "$f" .sh)
    RMD_IT_LEDGER=$RUN/$n.ledger timeout -k 5 "$LIMIT" bash "$f" >"$RUN/$n.out" 2>"$RUN/$n.err" </dev/null
    echo $? >"$RUN/$n.rc"
    reap "$RUN/$n.ledger" 2>>"$RUN/$n.err"
}

t0=$(date +%s)
pids=()
for f in "${files[@]}"; do
    while [ "$(jobs -rp | wc -l)" -ge "$JOBS" ]; do wait -n; done
    [ -f "$f" ] || continue
    run_one "$f" &
    pids+=($!)
done

# report FILE RC: the result lines of one finished file.
report() {
    local n rc=$2
    n=$(basename "$1" .sh)
    grep -E '^(PASS|FAIL|SKIP) ' "$RUN/$n.out"
    if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
        echo "FAIL $n: timed out after ${LIMIT}s"
    elif [ "$rc" != 0 ] && ! grep -q '^FAIL ' "$RUN/$n.out"; then
        echo "FAIL $n: exited $rc: $(tail -n 2 "$RUN/$n.err" | tr '\n' ' ' | cut -c1-200)"
    elif ! grep -qE '^(PASS|FAIL|SKIP) ' "$RUN/$n.out"; then
        echo "FAIL $n: printed no result"
    fi
    # Context for people when something failed: the file's stderr tail.
    if { grep -q '^FAIL ' "$RUN/$n.out" || [ "$rc" != 0 ]; } && [ -s "$RUN/$n.err" ]; then
        tail -n 5 "$RUN/$n.err" | sed 's/^/  # /'
    fi
}

: >"$RUN/all"
i=0
for f in "${files[@]}"; do
    if [ ! -f "$f" ]; then
        echo "FAIL $(basename "$f" .sh): no such test file" | tee -a "$RUN/all"
        continue
    fi
    wait "${pids[i]}"
    i=$((i + 1))
    report "$f" "$(cat "$RUN/$(basename "$f" .sh).rc" 2>/dev/null || echo 1)" | tee -a "$RUN/all"
done
wait

passes=$(grep -c '^PASS ' "$RUN/all")
fails=$(grep -c '^FAIL ' "$RUN/all")
skips=$(grep -c '^SKIP ' "$RUN/all")
echo "# integration: $passes passed, $fails failed, $skips skipped in $(($(date +%s) - t0)) s"
[ "$fails" -eq 0 ]
