#!/usr/bin/env bash
# The kernel OOM killer, for real: redis-server runs in a memory cgroup of its
# own limited to 48 MiB and DEBUG POPULATE fills it until the kernel kills it.
# diagnose runs in a PID namespace of its own (unshare --pid --mount-proc) so
# the redis-servers of other tests running now are not visible: refused +
# no listener + no redis-server process + the kernel's OOM line must be ONE
# finding, oom-killed, not server-down.
source "$(dirname "$0")/lib.sh"

CG=
if [ -d /sys/fs/cgroup/memory ] && [ -w /sys/fs/cgroup/memory ]; then
    CG=/sys/fs/cgroup/memory/rmd-$$-oom
    mkdir "$CG" 2>/dev/null && echo $((48 << 20)) >"$CG/memory.limit_in_bytes" 2>/dev/null || CG=
elif [ -f /sys/fs/cgroup/cgroup.controllers ] && grep -qw memory /sys/fs/cgroup/cgroup.controllers; then
    CG=/sys/fs/cgroup/rmd-$$-oom
    echo +memory >>/sys/fs/cgroup/cgroup.subtree_control 2>/dev/null
    mkdir "$CG" 2>/dev/null && echo $((48 << 20)) >"$CG/memory.max" 2>/dev/null || CG=
    [ -n "$CG" ] && echo 0 >"$CG/memory.swap.max" 2>/dev/null
fi
if [ -z "$CG" ]; then
    skip_case oom/killed "no writable memory cgroup on this machine"
    exit 0
fi
on_cleanup "rmdir '$CG' 2>/dev/null"
if ! command -v unshare >/dev/null || ! unshare --pid --fork --mount-proc true 2>/dev/null; then
    skip_case oom/killed "unshare --pid --mount-proc not permitted"
    exit 0
fi

if ! start_redis oom --enable-debug-command yes; then
    fail_line oom/killed "setup: $START_ERR"
    exit 1
fi
pid=${R_PID[oom]}
port=${R_PORT[oom]}
echo "$pid" >"$CG/cgroup.procs"
rcli oom DEBUG POPULATE 5000000 key 100 >/dev/null 2>&1
if ! wait_until 20 eval "! alive $pid"; then
    fail_line oom/killed "setup: redis-server $pid survived filling a 48 MiB cgroup"
    exit 1
fi
if ! dmesg 2>/dev/null | grep -q "Killed process $pid (redis-server)"; then
    fail_line oom/killed "setup: the kernel log has no OOM kill of pid $pid"
    exit 1
fi

D_OUT=$TMPD/oom.out D_ERR=$TMPD/oom.err
t0=$(date +%s%N)
XDG_STATE_HOME=$TMPD/state NO_COLOR=1 timeout -k 2 30 unshare --pid --fork --mount-proc \
    "$RMD_BIN" diagnose --json --timeout "$RMD_TIMEOUT" "redis://127.0.0.1:$port" >"$D_OUT" 2>"$D_ERR" </dev/null
D_RC=$?
D_MS=$(( ($(date +%s%N) - t0) / 1000000 ))
case_begin oom/killed
need_json
need_first oom-killed
need_finding oom-killed critical
need_no_finding server-down
need_reachable false
need_exit 2
need_jq '.findings[0].evidence | map(select(test("Killed process '"$pid"'"))) | length == 1' "the evidence does not quote the kernel's OOM line for pid $pid"
case_end
