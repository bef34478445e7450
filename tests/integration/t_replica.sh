#!/usr/bin/env bash
# A replica of a master that does not exist (a reserved port nobody listens
# on): master_link_status:down -> replica-link-down.
source "$(dirname "$0")/lib.sh"

free_port
dead=$PORT
if ! start_redis rep --replicaof 127.0.0.1 "$dead"; then
    fail_line replica/master-dead "setup: $START_ERR"
    exit 1
fi
down() {
    [ "$(info_field rep role)" = slave ] && [ "$(info_field rep master_link_status)" = down ]
}
if is_listening "$dead" || ! wait_until 5 down; then
    fail_line replica/master-dead "setup: role=$(info_field rep role) link=$(info_field rep master_link_status)"
    exit 1
fi
sleep 1   # let the link be down for a moment, as in real life

diag rep --json --timeout "$RMD_TIMEOUT" -h 127.0.0.1 -p "${R_PORT[rep]}"
case_begin replica/master-dead
need_json
need_reachable true
need_server rep
need_finding replica-link-down
need_jq '.server.role == "slave" or .server.role == "replica"' "server.role is not slave/replica"
[ "$D_RC" -ge 1 ] || because "exit $D_RC, want >= 1"
case_end
