#!/usr/bin/env bash
# A 3-master cluster (cluster-node-timeout 1000) built with
# `redis-cli --cluster create`, one node killed by PID: the survivors mark it
# failed and report cluster_state:fail -> cluster-down on a survivor.
source "$(dirname "$0")/lib.sh"

addrs=()
for n in c1 c2 c3; do
    free_port --bus
    if ! RS_PORT=$PORT start_redis "$n" --cluster-enabled yes --cluster-config-file nodes.conf \
            --cluster-node-timeout 1000; then
        fail_line cluster/node-killed "setup: $START_ERR"
        exit 1
    fi
    addrs+=("127.0.0.1:${R_PORT[$n]}")
done
if ! timeout 30 redis-cli --cluster create "${addrs[@]}" --cluster-replicas 0 --cluster-yes \
        >"$TMPD/create.log" 2>&1; then
    fail_line cluster/node-killed "setup: cluster create failed: $(tail -n 2 "$TMPD/create.log" | tr '\n' ' ')"
    exit 1
fi
state_is() { # NODE STATE
    [ "$(rcli "$1" CLUSTER INFO | awk -F: '$1 == "cluster_state" {print $2}')" = "$2" ]
}
all_ok() { state_is c1 ok && state_is c2 ok && state_is c3 ok; }
if ! wait_until 20 all_ok; then
    fail_line cluster/node-killed "setup: cluster never reached cluster_state:ok"
    exit 1
fi
kill_pid "${R_PID[c3]}" KILL
if ! wait_until 20 state_is c1 fail; then
    fail_line cluster/node-killed "setup: survivor still reports cluster_state:$(rcli c1 CLUSTER INFO | awk -F: '$1 == "cluster_state" {print $2}')"
    exit 1
fi

diag cluster --json --timeout "$RMD_TIMEOUT" -h 127.0.0.1 -p "${R_PORT[c1]}"
case_begin cluster/node-killed
need_json
need_reachable true
need_server c1
need_finding cluster-down critical
need_exit 2
case_end
