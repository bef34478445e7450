#!/usr/bin/env bash
# A connection leak: 60 connections from one client (one address, one
# CLIENT SETNAME "leaky"), held idle for more than 10 s -> connection-leak.
source "$(dirname "$0")/lib.sh"

if ! start_redis leak; then
    fail_line leak/idle-connections "setup: $START_ERR"
    exit 1
fi
hold_conns "${R_PORT[leak]}" 60 leaky
# min_idle: the smallest idle time (s) among the "leaky" connections.
min_idle() {
    rcli leak CLIENT LIST | awk '/ name=leaky /{for (i = 1; i <= NF; i++) if ($i ~ /^idle=/) {
        v = substr($i, 6) + 0; if (m == "" || v < m) m = v }} END{print (m == "" ? -1 : m)}'
}
idle_enough() { [ "$(min_idle)" -ge 11 ]; }
if [ "$HELD_OK" -ne 60 ]; then
    fail_line leak/idle-connections "setup: only $HELD_OK of 60 connections named"
    exit 1
fi
if ! wait_until 20 idle_enough; then
    fail_line leak/idle-connections "setup: idle only $(min_idle) s"
    exit 1
fi

diag leak --json --timeout "$RMD_TIMEOUT" -h 127.0.0.1 -p "${R_PORT[leak]}"
case_begin leak/idle-connections
need_json
need_reachable true
need_server leak
need_finding connection-leak
case_end
