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

# --- a replica of a master that requires a password it does not have: the
# link stays down, and the evidence says masterauth is not set (never a value).
MPW=master-$RANDOM-pw
if RS_NOPING=1 start_redis pwmaster --requirepass "$MPW" && start_redis pwrep; then
    rcli pwrep REPLICAOF 127.0.0.1 "${R_PORT[pwmaster]}" >/dev/null
    sleep 1
    diag pwrep --json --timeout "$RMD_TIMEOUT" -p "${R_PORT[pwrep]}"
    case_begin replica/master-needs-masterauth
    need_json
    need_finding replica-link-down critical
    need_jq 'any(.findings[] | select(.id == "replica-link-down") | .evidence[]; test("masterauth is not set"))' \
        "the missing masterauth is not said"
    need_no_secret "$MPW" "$D_OUT" "$D_ERR"
    case_end
else
    fail_line replica/master-needs-masterauth "setup: $START_ERR"
fi
