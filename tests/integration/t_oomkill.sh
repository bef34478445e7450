#!/usr/bin/env bash
# The kernel OOM killer takes redis-server, for real: the server is moved into
# a memory cgroup made for this test (limit 96 MB) and the test fills it with
# DEBUG POPULATE until the kernel kills it. Then: refused, nothing listens, no
# redis-server runs, and the kernel log names it -> one finding, oom-killed
# (not server-down). diagnose runs in its own PID namespace (own /proc) so the
# redis-servers of tests running in parallel do not count as "running".
# Note: this leaves a real OOM-kill line in the kernel log.
source "$(dirname "$0")/lib.sh"

LIMIT_BYTES=$((96 * 1024 * 1024))
cg=
if [ -d /sys/fs/cgroup/memory ] && [ -w /sys/fs/cgroup/memory ]; then
    cg=/sys/fs/cgroup/memory/rmd-it-$$                 # cgroup v1
    limit_file=memory.limit_in_bytes
elif [ -f /sys/fs/cgroup/cgroup.controllers ] && grep -qw memory /sys/fs/cgroup/cgroup.controllers; then
    cg=/sys/fs/cgroup/rmd-it-$$                        # cgroup v2
    limit_file=memory.max
fi
if [ -z "$cg" ] || ! mkdir "$cg" 2>"$TMPD/cg.err"; then
    skip_case oomkill/oom-killed "no writable memory cgroup: $(head -n 1 "$TMPD/cg.err" 2>/dev/null)"
    exit 0
fi
on_cleanup "rmdir $cg"
if ! echo "$LIMIT_BYTES" >"$cg/$limit_file"; then
    skip_case oomkill/oom-killed "cannot set $limit_file on a memory cgroup"
    exit 0
fi
[ -f "$cg/memory.swap.max" ] && echo 0 >"$cg/memory.swap.max"
[ -f "$cg/memory.memsw.limit_in_bytes" ] && echo "$LIMIT_BYTES" >"$cg/memory.memsw.limit_in_bytes" 2>/dev/null

if ! start_redis victim --enable-debug-command yes; then
    fail_line oomkill/oom-killed "setup: $START_ERR"
    exit 1
fi
pid=${R_PID[victim]}
port=${R_PORT[victim]}
echo "$pid" >"$cg/cgroup.procs"
rcli victim DEBUG POPULATE 5000000 k 64 >/dev/null 2>&1
gone() { ! alive "$pid"; }
if ! wait_until 20 gone; then
    fail_line oomkill/oom-killed "setup: redis-server $pid survived filling its 96 MB cgroup"
    exit 1
fi
if ! dmesg 2>/dev/null | grep -q "Killed process $pid (redis-server)"; then
    fail_line oomkill/oom-killed "setup: no 'Killed process $pid (redis-server)' line in the kernel log"
    exit 1
fi

DIAG_PIDNS=1 diag oom --json --timeout "$RMD_TIMEOUT" -h 127.0.0.1 -p "$port"
case_begin oomkill/oom-killed
need_json
need_first oom-killed
need_finding oom-killed critical
need_no_finding server-down
need_reachable false
need_exit 2
case_end
