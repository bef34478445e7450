#!/usr/bin/env bash
# A slow command recorded by the slowlog (DEBUG SLEEP 0.2, run by the test with
# enable-debug-command yes, slowlog-log-slower-than 1000 us) -> slow-commands.
source "$(dirname "$0")/lib.sh"

if ! start_redis slow --enable-debug-command yes --slowlog-log-slower-than 1000; then
    fail_line slowlog/debug-sleep "setup: $START_ERR"
    exit 1
fi
rcli slow DEBUG SLEEP 0.2 >/dev/null
n=$(rcli slow SLOWLOG LEN)
if [ "${n:-0}" -lt 1 ]; then
    fail_line slowlog/debug-sleep "setup: SLOWLOG LEN is '$n' after DEBUG SLEEP 0.2"
    exit 1
fi

diag slow --json --timeout "$RMD_TIMEOUT" -h 127.0.0.1 -p "${R_PORT[slow]}"
case_begin slowlog/debug-sleep
need_json
need_reachable true
need_server slow
need_finding slow-commands
case_end
