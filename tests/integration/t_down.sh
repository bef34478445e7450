#!/usr/bin/env bash
# A dead server and a frozen one: redis-server killed with SIGKILL (refused,
# nothing listens -> server-down) and redis-server stopped with SIGSTOP (the
# kernel still accepts, nobody answers -> server-unresponsive).
source "$(dirname "$0")/lib.sh"

# --- killed: start it, kill -9 by PID, make sure nothing listens any more.
# A second redis-server (ours) keeps running on another port, as on most
# hosts: with no redis-server at all and a redis-server OOM kill anywhere in
# the kernel log, "oom-killed" would be the more likely story (t_oom.sh).
if start_redis witness && start_redis dead; then
    port=${R_PORT[dead]}
    kill_pid "${R_PID[dead]}" KILL
    for _ in 1 2 3 4 5 6 7 8 9 10; do is_listening "$port" || break; sleep 0.2; done
    if is_listening "$port"; then
        fail_line down/killed "setup: port $port still listening after kill -9"
    else
        diag killed --json --timeout "$RMD_TIMEOUT" -h 127.0.0.1 -p "$port"
        case_begin down/killed
        need_json
        need_first server-down
        need_finding server-down critical
        need_reachable false
        need_exit 2
        need_within_ms $((RMD_TIMEOUT * 6))
        case_end
    fi
else
    fail_line down/killed "setup: $START_ERR"
fi

# --- SIGSTOP'd: the listener stays, the backlog accepts, nothing answers.
# cleanup sends SIGCONT before killing it.
if start_redis frozen; then
    port=${R_PORT[frozen]}
    kill -STOP "${R_PID[frozen]}"
    if [ -n "$(timeout 1 redis-cli -h 127.0.0.1 -p "$port" PING 2>/dev/null)" ]; then
        fail_line down/sigstop "setup: a stopped server answered PING"
    else
        diag frozen --json --timeout "$RMD_TIMEOUT" "redis://127.0.0.1:$port"
        case_begin down/sigstop
        need_json
        need_first server-unresponsive
        need_reachable false
        need_exit 2
        need_within_ms $((RMD_TIMEOUT * 6))
        case_end
    fi
else
    fail_line down/sigstop "setup: $START_ERR"
fi
