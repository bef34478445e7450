#!/usr/bin/env bash
# Client limits, with real idle TCP connections held open from this shell:
#  - maxclients 10, 10 held: the probe's own connection is turned away
#    ("-ERR max number of clients reached") -> maxclients-reached;
#  - maxclients 20, 17 held: near the limit -> clients-near-limit;
#  - connections rejected in the past (held to the limit, one more refused
#    by redis, all released) -> rejected-connections.
source "$(dirname "$0")/lib.sh"

# --- at the limit
if start_redis full --maxclients 10; then
    port=${R_PORT[full]}
    hold_conns "$port" 10
    out=$(timeout 3 redis-cli -h 127.0.0.1 -p "$port" PING 2>&1)
    if [ "$HELD_OK" -ne 10 ] || [[ $out != *"max number of clients"* ]]; then
        fail_line clients/maxclients-reached "setup: held $HELD_OK/10, 11th got: $out"
    else
        diag full --json --timeout "$RMD_TIMEOUT" -h 127.0.0.1 -p "$port"
        case_begin clients/maxclients-reached
        need_json
        need_first maxclients-reached
        need_exit 2
        case_end
    fi
    release_conns
else
    fail_line clients/maxclients-reached "setup: $START_ERR"
fi

# --- near the limit: 17 held + the probe = 18 of 20 (85-90 %)
if start_redis near --maxclients 20; then
    port=${R_PORT[near]}
    hold_conns "$port" 17
    n=$(info_field near connected_clients)
    if [ "$HELD_OK" -ne 17 ] || [ "${n:-0}" -lt 18 ]; then
        fail_line clients/near-limit "setup: held $HELD_OK/17, connected_clients=$n"
    else
        diag near --json --timeout "$RMD_TIMEOUT" -h 127.0.0.1 -p "$port"
        case_begin clients/near-limit
        need_json
        need_reachable true
        need_server near
        need_finding clients-near-limit
        need_no_finding maxclients-reached
        [ "$D_RC" = 1 ] || [ "$D_RC" = 2 ] || because "exit $D_RC, want 1 or 2"
        case_end
    fi
    release_conns
else
    fail_line clients/near-limit "setup: $START_ERR"
fi

# --- rejected in the past
if start_redis rej --maxclients 5; then
    port=${R_PORT[rej]}
    hold_conns "$port" 5
    out=$(timeout 3 redis-cli -h 127.0.0.1 -p "$port" PING 2>&1)
    release_conns
    settled() { [ "$(info_field rej connected_clients)" = 1 ]; }
    if [ "$HELD_OK" -ne 5 ] || [[ $out != *"max number of clients"* ]] || ! wait_until 5 settled; then
        fail_line clients/rejected-connections "setup: held $HELD_OK/5, 6th got: $out, connected_clients=$(info_field rej connected_clients)"
    elif [ "$(info_field rej rejected_connections)" -lt 1 ]; then
        fail_line clients/rejected-connections "setup: rejected_connections is 0"
    else
        diag rej --json --timeout "$RMD_TIMEOUT" -h 127.0.0.1 -p "$port"
        case_begin clients/rejected-connections
        need_json
        need_reachable true
        need_server rej
        need_finding rejected-connections
        need_no_finding maxclients-reached
        [ "$D_RC" -ge 1 ] || because "exit $D_RC, want >= 1 (rejected connections are a warning)"
        case_end
    fi
else
    fail_line clients/rejected-connections "setup: $START_ERR"
fi
