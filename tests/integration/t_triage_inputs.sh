#!/usr/bin/env bash
# triage inputs as users give them (issue 8 items 11 and 12): more than 256
# files, directories read recursively, quoted globs; --follow on a slow pipe
# shows events as they come, and SIGTERM/SIGINT end it promptly with the
# summary, even while input keeps coming (/dev/zero). The error lines are
# redis-cli's own, against a real redis-server that was stopped.
source "$(dirname "$0")/lib.sh"

if ! start_redis in; then
    fail_line triage/inputs-setup "$START_ERR"
    exit 1
fi
port=${R_PORT[in]}
kill_pid "${R_PID[in]}" KILL
line=$(printf '%s ERROR %s' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$(timeout 5 redis-cli -h 127.0.0.1 -p "$port" PING 2>&1 | tr -d '\r')")
case "$line" in *"Could not connect"*) ;; *) fail_line triage/inputs-setup "redis-cli did not fail: $line"; exit 1 ;; esac

# 300 files on the command line: all read.
many=$TMPD/many
mkdir -p "$many"
for i in $(seq 300); do echo "$line" >"$many/app-$i.log"; done
tri many --json "$many"/app-*.log
case_begin triage/more-than-256-inputs
need_exit 1
need_jq '.events == 300' "want 300 events from 300 files: $(jq -c .events "$D_OUT" 2>/dev/null) $(head -c 200 "$D_ERR")"
case_end

# A directory: its files, recursively, compressed ones too; hidden ones skipped.
tree=$TMPD/tree
mkdir -p "$tree/a/b" "$tree/.hidden"
echo "$line" >"$tree/top.log"
echo "$line" >"$tree/a/b/deep.log"
echo "$line" | gzip -c >"$tree/a/rotated.log.1.gz"
echo "$line" >"$tree/.hidden/skipped.log"
echo "$line" >"$tree/.dotfile.log"
tri dir --each --json "$tree"
case_begin triage/directory-recursive
need_exit 1
[ "$(wc -l <"$D_OUT")" = 3 ] || because "want 3 events (top, deep, rotated .gz), got $(wc -l <"$D_OUT"): $(jq -r .file "$D_OUT" | tr '\n' ' ')"
grep -q 'deep.log' "$D_OUT" || because "the nested file was not read"
grep -q 'skipped.log\|dotfile' "$D_OUT" && because "a hidden file was read"
case_end

# A quoted glob is expanded; one that matches nothing is named, the rest still read.
tri glob --json "$many/app-1*.log" "$TMPD/nothing-*.log"
case_begin triage/quoted-glob
need_exit 2
need_jq '.events == 111' "want 111 events for app-1*.log (1, 10-19, 100-199): $(jq -c .events "$D_OUT" 2>/dev/null)"
grep -q 'nothing-\*.log: no file matches' "$D_ERR" || because "the glob that matches nothing is not named: $(head -c 200 "$D_ERR")"
case_end

# --follow on a slow pipe: an event is shown while the writer keeps the pipe
# open (nothing waits to fill a buffer), and SIGTERM prints the summary.
fifo=$TMPD/slow.fifo
mkfifo "$fifo"
timeout -k 2 60 "$RMD_BIN" triage --follow --each "$fifo" >"$TMPD/slow.out" 2>"$TMPD/slow.err" &
spid=$!
track_pid "$spid"
exec 7>"$fifo"
echo "$line" >&7
wait_until 10 grep -q 'server-down' "$TMPD/slow.out"
seen_before_close=$?
kill -TERM "$spid" 2>/dev/null
wait "$spid" 2>/dev/null
D_RC=$?
exec 7>&-
D_OUT=$TMPD/slow.out D_ERR=$TMPD/slow.err
case_begin triage/follow-slow-pipe
[ "$seen_before_close" = 0 ] || because "the event written into the open pipe was not shown"
need_exit 1
case_end

: >"$TMPD/grow.log"
timeout -k 2 60 "$RMD_BIN" triage --follow --json "$TMPD/grow.log" >"$TMPD/grow.out" 2>"$TMPD/grow.err" &
gpid=$!
track_pid "$gpid"
echo "$line" >>"$TMPD/grow.log"
wait_until 10 grep -q 'server-down' "$TMPD/grow.out"
kill -INT "$gpid" 2>/dev/null
wait "$gpid" 2>/dev/null
D_RC=$?
D_OUT=$TMPD/grow.out D_ERR=$TMPD/grow.err
case_begin triage/follow-sigint-summary
need_exit 1
[ "$(jq -s 'last | .causes[0].id' "$D_OUT" 2>/dev/null)" = '"server-down"' ] || because "no final summary after SIGINT"
case_end

# Input that never pauses (/dev/zero): SIGTERM still ends it, on its own
# (the outer timeout is only a safety net: 124/137 mean it did not stop).
timeout -k 2 30 "$RMD_BIN" triage --follow /dev/zero >"$TMPD/zero.out" 2>"$TMPD/zero.err" &
zpid=$!
track_pid "$zpid"
wait_until 5 test -n "$(ps -o pid= -p "$zpid")"
sleep 0.5
kill -TERM "$zpid" 2>/dev/null
wait "$zpid" 2>/dev/null
D_RC=$?
D_OUT=$TMPD/zero.out D_ERR=$TMPD/zero.err
case_begin triage/follow-sigterm-endless-input
case "$D_RC" in 124|137) because "did not stop on SIGTERM while input kept coming (exit $D_RC)" ;; esac
need_exit 0
need_out_contains "no Redis errors found"
case_end
