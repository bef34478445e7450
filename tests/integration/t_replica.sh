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

# --- a replica of itself: named as such, never "lost its master".
if start_redis selfrep; then
    rcli selfrep REPLICAOF 127.0.0.1 "${R_PORT[selfrep]}" >/dev/null
    sleep 0.5
    diag selfrep --json --timeout "$RMD_TIMEOUT" -p "${R_PORT[selfrep]}"
    case_begin replica/replica-of-itself
    need_json
    need_jq 'any(.findings[]; .id == "replica-link-down" and (.summary | test("replica of itself")))' "not named a replica of itself"
    case_end
else
    fail_line replica/replica-of-itself "setup: $START_ERR"
fi

# --- replica-serve-stale-data no with a dead master: PING answers MASTERDOWN;
# the probe still collects and names the lost link (never "unknown").
free_port
gone=$PORT
if start_redis nostale --replica-serve-stale-data no; then
    rcli nostale REPLICAOF 127.0.0.1 "$gone" >/dev/null
    sleep 0.5
    diag nostale --json --timeout "$RMD_TIMEOUT" -p "${R_PORT[nostale]}"
    case_begin replica/masterdown-is-a-lost-link
    need_json
    need_first replica-link-down
    need_no_finding unknown
    need_jq '.findings[0].summary | test("MASTERDOWN")' "the MASTERDOWN answers are not said"
    need_exit 2
    case_end
else
    fail_line replica/masterdown-is-a-lost-link "setup: $START_ERR"
fi

# --- min-replicas-to-write 1 and no replica: writes fail with NOREPLICAS
# while reads answer; never an all-clear.
if start_redis minrep --min-replicas-to-write 1 --min-replicas-max-lag 10; then
    w=$(rcli minrep SET k v 2>&1)
    diag minrep --json --timeout "$RMD_TIMEOUT" -p "${R_PORT[minrep]}"
    case_begin replica/min-replicas-unmet
    [[ $w == *NOREPLICAS* ]] || because "setup: SET answered '$w'"
    need_json
    need_first min-replicas-unmet
    need_exit 2
    case_end
else
    fail_line replica/min-replicas-unmet "setup: $START_ERR"
fi
