#!/usr/bin/env bash
# memcheck.sh -- valgrind memcheck over the diagnose and triage paths (make memcheck).
#
# diagnose runs under valgrind against real redis-servers started on loopback
# (tests/integration/lib.sh): healthy, killed (refused), at maxclients (the
# probe's own connection turned away), with a password from a file, in text and
# JSON; triage runs on the test logs (plain, gzip, zstd, stdin; summary, --each,
# --json); kb show reads the state the diagnoses recorded. Any memory error, or
# any definite or indirect leak, fails the case: valgrind --error-exitcode.
# Output: one "PASS name" / "FAIL name: why" line per case; exit 1 on a FAIL.
source "$(dirname "$0")/integration/lib.sh"

command -v valgrind >/dev/null || { echo "FAIL memcheck: valgrind is not installed (scripts/deps.sh)"; exit 1; }
VG_RC=99
VG=(valgrind --quiet --error-exitcode=$VG_RC --leak-check=full --show-leak-kinds=definite,indirect
    --errors-for-leak-kinds=definite,indirect --num-callers=30 --child-silent-after-fork=yes)
TIMEOUT=5000    # valgrind slows the probe ~30x; the deadline must not be what is measured
export XDG_STATE_HOME=$TMPD/state XDG_CACHE_HOME=$TMPD/cache NO_COLOR=1

# vg NAME CMD...: run CMD (redis-medic arguments) under valgrind, then judge it:
# a valgrind error exit, or an exit status above want_max (VG_MAX_RC, default 2),
# fails; so does JSON output on which the jq expression VG_JQ (if set) is false.
vg() {
    local name=$1 want_max=${VG_MAX_RC:-2}; shift
    local log=$TMPD/${name//\//-}.vg out=$TMPD/${name//\//-}.out
    timeout -k 5 300 "${VG[@]}" --log-file="$log" "$RMD_BIN" "$@" >"$out" 2>"$out.err" <"${VG_STDIN:-/dev/null}"
    local rc=$?
    case_begin "$name"
    if [ "$rc" -eq "$VG_RC" ]; then
        because "valgrind: $(grep -m1 -E 'definitely lost|indirectly lost|Invalid|uninitialised|ERROR SUMMARY' "$log" | cut -c1-200) (log $log)"
    elif [ "$rc" -gt "$want_max" ]; then
        because "exit $rc (stderr: $(head -c 200 "$out.err" | tr '\n' ' '))"
    fi
    [ -s "$out" ] || because "no output"
    if [ -n "${VG_JQ:-}" ] && ! jq -e "$VG_JQ" "$out" >/dev/null 2>&1; then
        because "output does not satisfy $VG_JQ: the path under test was not reached"
    fi
    D_OUT=
    case_end
}

if start_redis healthy; then
    port=${R_PORT[healthy]}
    vg memcheck/diagnose-healthy diagnose --timeout $TIMEOUT --samples 5 -h 127.0.0.1 -p "$port"
    VG_JQ='.reachable == true and (.server.process_id | type) == "number"' \
        vg memcheck/diagnose-healthy-json diagnose --json --timeout $TIMEOUT --samples 5 "redis://127.0.0.1:$port/0"
    PW="rmd-Vg-$RANDOM$RANDOM"
    printf 'CONFIG SET requirepass "%s"\n' "$PW" | rcli healthy >/dev/null
    printf '%s\n' "$PW" >"$TMPD/pw" && chmod 600 "$TMPD/pw"
    VG_JQ='.reachable == true' vg memcheck/diagnose-password-file diagnose --json --timeout $TIMEOUT --samples 2 --password-file "$TMPD/pw" -h 127.0.0.1 -p "$port"
    VG_JQ='.findings[0].id == "auth-required"' vg memcheck/diagnose-auth-required diagnose --json --timeout $TIMEOUT -h 127.0.0.1 -p "$port"
else
    fail_line memcheck/diagnose-healthy "setup: $START_ERR"
fi

if start_redis killed; then
    port=${R_PORT[killed]}
    kill_pid "${R_PID[killed]}" KILL
    vg memcheck/diagnose-killed diagnose --timeout $TIMEOUT -h 127.0.0.1 -p "$port"
    VG_JQ='.findings[0].id == "server-down"' vg memcheck/diagnose-killed-json diagnose --json --timeout $TIMEOUT -h 127.0.0.1 -p "$port"
else
    fail_line memcheck/diagnose-killed "setup: $START_ERR"
fi

if start_redis full --maxclients 10; then
    port=${R_PORT[full]}
    hold_conns "$port" 10
    if [ "$HELD_OK" -ne 10 ]; then
        fail_line memcheck/diagnose-maxclients "setup: held $HELD_OK/10 connections"
    else
        VG_JQ='.findings[0].id == "maxclients-reached"' vg memcheck/diagnose-maxclients diagnose --json --timeout $TIMEOUT -h 127.0.0.1 -p "$port"
    fi
    release_conns
else
    fail_line memcheck/diagnose-maxclients "setup: $START_ERR"
fi

# triage: the corpus of real messages and the benign lines, as files, compressed, and on stdin.
logs=$TMPD/logs
mkdir -p "$logs"
cut -f2- "$ROOT/tests/data/triage/samples-core.tsv" >"$logs/app.log"
cp "$ROOT/tests/data/triage/benign.txt" "$logs/benign.log"
gzip -c "$logs/app.log" >"$logs/app.log.gz"
zstd -q -c "$logs/app.log" >"$logs/app.log.zst"
VG_MAX_RC=1
vg memcheck/triage-summary triage "$logs/app.log" "$logs/benign.log"
VG_JQ='.events > 0 and (.causes | length) > 0' vg memcheck/triage-compressed triage --json "$logs/app.log.gz" "$logs/app.log.zst"
vg memcheck/triage-each triage --each --json --since 3650d "$logs/app.log"
VG_STDIN=$logs/app.log vg memcheck/triage-stdin triage -
VG_STDIN=
VG_MAX_RC=2
vg memcheck/kb-show kb show RMD-SERVER-DOWN
