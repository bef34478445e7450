#!/usr/bin/env bash
# Protected mode, for real: inside a namespace made for this test, the local
# routes are changed so that connections to 127.0.0.1 leave from source
# 127.0.0.2, which redis does not count as loopback; redis-server runs there
# with protected-mode yes, no password and no --bind (all addresses: the
# namespace has only lo) -> it answers DENIED -> protected-mode.
source "$(dirname "$0")/lib.sh"

if ! netns_create pm; then
    skip_case protected/denied "network namespaces not permitted: $(head -n 1 "$TMPD/netns.err")"
    exit 0
fi
if ! RS_NOBIND=1 NETNS=$NS start_redis pm --protected-mode yes; then
    fail_line protected/denied "setup: $START_ERR"
    exit 1
fi
in_ns "$NS" ip route replace local 127.0.0.0/8 dev lo table local src 127.0.0.2 &&
    in_ns "$NS" ip route replace local 127.0.0.1 dev lo table local src 127.0.0.2
out=$(in_ns "$NS" timeout 3 redis-cli -h 127.0.0.1 -p "${R_PORT[pm]}" PING 2>&1)
if [[ $out != DENIED* ]]; then
    fail_line protected/denied "setup: redis-cli from 127.0.0.2 got '${out:0:80}', not DENIED"
    exit 1
fi

DIAG_NS=$NS diag pm --json --timeout "$RMD_TIMEOUT" -h 127.0.0.1 -p "${R_PORT[pm]}"
case_begin protected/denied
need_json
need_first protected-mode
need_exit 2
case_end
