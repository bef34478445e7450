#!/usr/bin/env bash
# Collectors that fail are evidence, not crashes: CONFIG denied to an ACL user,
# CONFIG renamed away. The diagnosis still runs on INFO (maxclients and
# maxmemory fall back to INFO) and the report names what was not collected.
source "$(dirname "$0")/lib.sh"

PW=acl-$RANDOM-pw
if ! start_redis acl; then
    fail_line collect/config-denied-by-acl "setup: $START_ERR"
else
    port=${R_PORT[acl]}
    printf 'ACL SETUSER watcher on >%s +@all -config ~*\n' "$PW" | rcli acl >/dev/null
    diag acl-denied --json --timeout "$RMD_TIMEOUT" --user watcher --password-file <(printf '%s\n' "$PW") -p "$port"
    case_begin collect/config-denied-by-acl
    need_json
    need_reachable true
    need_server acl
    need_jq '[.collectors[] | select(.name | startswith("CONFIG GET")) | .status] | all(. == "denied")' "CONFIG GET not recorded as denied"
    need_jq '[.collectors[] | select(.name == "INFO") | .status] == ["ok"]' "INFO not collected"
    need_jq '.server.maxclients == null' "maxclients should be absent when CONFIG is denied"
    need_no_secret "$PW" "$D_OUT" "$D_ERR"
    # a health nobody checked is never an all-clear
    need_finding checks-incomplete warning
    need_exit 1
    case_end
fi

if ! start_redis renamed --rename-command CONFIG ""; then
    fail_line collect/config-renamed "setup: $START_ERR"
else
    port=${R_PORT[renamed]}
    diag renamed --timeout "$RMD_TIMEOUT" -p "$port"
    case_begin collect/config-renamed
    need_exit 1
    need_out_contains "checks-incomplete"
    need_out_contains "settings): ERR unknown command"
    need_out_contains "reachable"
    case_end
fi
