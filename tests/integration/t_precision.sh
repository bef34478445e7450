#!/usr/bin/env bash
# Precision: the diagnosis a careful engineer would give, on real servers
# broken for real. Each case also goes through case_end's check that every
# next step runs as printed (bash -n, no <placeholder>, no flag twice, no
# template for a value the evidence has).
source "$(dirname "$0")/lib.sh"

# --- MISCONF: save points configured, the data dir removed, BGSAVE fails.
# Redis 7 answers PING itself with -MISCONF; collection must go on.
if start_redis misconf --save "900 1"; then
    rcli misconf SET k v >/dev/null
    rm -rf "${R_DIR[misconf]}"
    rcli misconf BGSAVE >/dev/null 2>&1
    wait_until 5 sh -c "[ \"\$(redis-cli -p ${R_PORT[misconf]} INFO persistence | tr -d '\r' | grep -c 'rdb_last_bgsave_status:err')\" = 1 ]"
    diag misconf --json --timeout "$RMD_TIMEOUT" -p "${R_PORT[misconf]}"
    case_begin precision/misconf-is-persistence-failure
    need_json
    need_first persistence-failure
    need_finding persistence-failure critical
    need_reachable true
    need_server misconf
    need_jq 'any(.findings[0].evidence[]; startswith("PING answered: MISCONF"))' "no MISCONF evidence"
    need_jq '.findings[0].summary | test("refuses writes")' "summary does not say writes are refused"
    need_jq 'any(.findings[0].steps[]; .command | test("^ls -ld /"))' "no ls -ld step with the removed dir filled in"
    need_exit 2
    case_end
else
    fail_line precision/misconf-is-persistence-failure "setup: $START_ERR"
fi

# --- save "": a failed BGSAVE does not stop writes even with
# stop-writes-on-bgsave-error yes. Say what is true.
if start_redis nosave --stop-writes-on-bgsave-error yes; then
    rm -rf "${R_DIR[nosave]}"
    rcli nosave BGSAVE >/dev/null 2>&1
    wait_until 5 sh -c "redis-cli -p ${R_PORT[nosave]} INFO persistence | grep -q 'rdb_last_bgsave_status:err'"
    w=$(rcli nosave SET k v)
    diag nosave --json --timeout "$RMD_TIMEOUT" -p "${R_PORT[nosave]}"
    case_begin precision/save-empty-writes-still-work
    [ "$w" = OK ] || because "setup: SET answered '$w'"
    need_json
    need_finding persistence-failure warning
    need_jq '.findings[] | select(.id == "persistence-failure") | .summary | test("writes still succeed")' "summary claims writes are refused"
    need_exit 1
    case_end
else
    fail_line precision/save-empty-writes-still-work "setup: $START_ERR"
fi

# --- IPv6 client, IPv4 server: redis://[::1]:PORT against bind 127.0.0.1.
if ! ip -6 addr show lo 2>/dev/null | grep -q '::1'; then
    skip_case precision/ipv6-client-ipv4-server "no IPv6 loopback here"
elif start_redis v4only; then
    diag v6 --json --timeout "$RMD_TIMEOUT" "redis://[::1]:${R_PORT[v4only]}"
    case_begin precision/ipv6-client-ipv4-server
    need_json
    need_first bind-mismatch
    need_jq '.findings[0].summary | test("pid '"${R_PID[v4only]}"'") and test("IPv6") and test("127.0.0.1")' \
        "summary does not name the listener pid and the address family"
    need_exit 2
    case_end
else
    fail_line precision/ipv6-client-ipv4-server "setup: $START_ERR"
fi

# --- bound to another interface: 127.0.0.2 only, the client dials 127.0.0.1.
if RS_NOBIND=1 RS_NOPING=1 start_redis otherif --bind 127.0.0.2; then
    diag otherif --json --timeout "$RMD_TIMEOUT" -p "${R_PORT[otherif]}"
    case_begin precision/bound-to-another-interface
    need_json
    need_first bind-mismatch
    need_jq '.findings[0].summary | test("127.0.0.2")' "summary does not say where it listens"
    need_exit 2
    case_end
else
    fail_line precision/bound-to-another-interface "setup: $START_ERR"
fi

# --- a restricted ACL user: INFO, CONFIG and CLIENT denied. Never an all-clear.
PW=rst-$RANDOM-pw
if start_redis restricted; then
    printf 'ACL SETUSER pinger on >%s +ping +select ~*\n' "$PW" | rcli restricted >/dev/null
    diag restricted --json --timeout "$RMD_TIMEOUT" --user pinger --password-file <(printf '%s\n' "$PW") \
        -p "${R_PORT[restricted]}"
    case_begin precision/restricted-acl-user
    need_json
    need_reachable true
    need_finding checks-incomplete warning
    need_jq 'any(.findings[] | select(.id == "checks-incomplete") | .evidence[]; test("INFO"))' "does not say INFO was not checked"
    need_no_secret "$PW" "$D_OUT" "$D_ERR"
    need_exit 1
    case_end
else
    fail_line precision/restricted-acl-user "setup: $START_ERR"
fi

# --- a password sent to a server without one; a database it does not have.
if start_redis nopass; then
    REDISCLI_AUTH=not-needed-$RANDOM diag nopass --json --timeout "$RMD_TIMEOUT" -p "${R_PORT[nopass]}"
    case_begin precision/password-to-server-without-one
    need_json
    need_finding no-password warning
    need_exit 1
    case_end

    diag baddb --json --timeout "$RMD_TIMEOUT" "redis://127.0.0.1:${R_PORT[nopass]}/99999"
    case_begin precision/db-out-of-range
    need_json
    need_first db-out-of-range
    need_jq '.findings[0].summary | test("no database 99999") and test("0 to 15")' "summary does not give the range"
    need_exit 2
    case_end
else
    fail_line precision/password-to-server-without-one "setup: $START_ERR"
fi

# --- AUTH renamed away: Redis echoes the password in its error. It must
# appear nowhere, and the case is AUTH disabled, not a wrong password.
SECRET=echo-$RANDOM-$RANDOM-secret
if start_redis noauth --rename-command AUTH ""; then
    REDISCLI_AUTH=$SECRET diag noauth-json --json --timeout "$RMD_TIMEOUT" -p "${R_PORT[noauth]}"
    case_begin precision/renamed-auth-echo-scrubbed
    need_json
    need_no_finding auth-failed
    need_finding no-password warning
    need_no_secret "$SECRET" "$D_OUT" "$D_ERR"
    case_end
    REDISCLI_AUTH=$SECRET diag noauth-text --timeout "$RMD_TIMEOUT" -p "${R_PORT[noauth]}"
    case_begin precision/renamed-auth-echo-scrubbed-text
    need_no_secret "$SECRET" "$D_OUT" "$D_ERR"
    if [ -d "$TMPD/state" ] && grep -rqaF "$SECRET" "$TMPD/state"; then because "secret stored in the state database"; fi
    case_end
else
    fail_line precision/renamed-auth-echo-scrubbed "setup: $START_ERR"
fi

# --- CLIENT PAUSE ALL: the server reads PING and holds the reply.
if start_redis paused; then
    rcli paused CLIENT PAUSE 4000 ALL >/dev/null
    diag paused --json --timeout "$RMD_TIMEOUT" -p "${R_PORT[paused]}"
    case_begin precision/client-pause
    need_json
    need_first clients-paused
    need_exit 2
    case_end
else
    fail_line precision/client-pause "setup: $START_ERR"
fi

# --- SIGSTOP: the step to resume names the listener's pid, not pgrep's guess.
if start_redis other && start_redis stopped; then
    kill -STOP "${R_PID[stopped]}"
    diag stopped --json --timeout "$RMD_TIMEOUT" -p "${R_PORT[stopped]}"
    case_begin precision/sigstop-step-names-the-pid
    need_json
    need_first server-unresponsive
    jq_true 'any(.findings[0].steps[]; .command == $p and .phase == "resolution")' --arg p "kill -CONT ${R_PID[stopped]}" ||
        because "no 'kill -CONT ${R_PID[stopped]}' resolution step"
    need_jq 'all(.findings[0].next_steps[]; test("pgrep") | not)' "a step guesses the pid with pgrep"
    need_jq 'all(.findings[0].evidence[]; test("process '"${R_PID[other]}"'") | not)' "evidence lists an unrelated redis-server"
    need_exit 2
    case_end
    kill -CONT "${R_PID[stopped]}"
else
    fail_line precision/sigstop-step-names-the-pid "setup: $START_ERR"
fi

# --- maxclients reached: no step needs a connection the server refuses;
# who holds them is shown from the host.
if start_redis full --maxclients 4; then
    hold_conns "${R_PORT[full]}" 6
    diag full --json --timeout "$RMD_TIMEOUT" -p "${R_PORT[full]}"
    case_begin precision/maxclients-steps-need-no-connection
    need_json
    need_first maxclients-reached
    need_jq 'all(.findings[0].steps[] | select(.phase == "diagnosis"); .command | test("^redis-cli") | not)' \
        "a diagnosis step needs a Redis connection"
    need_jq 'any(.findings[0].steps[]; .command | test("^ss -tn"))' "no ss step"
    need_exit 2
    case_end
    release_conns
else
    fail_line precision/maxclients-steps-need-no-connection "setup: $START_ERR"
fi

# --- the probe's own connection is not the user's: 8 held of maxclients 10
# is 80 %, not "9 of 10".
if start_redis count --maxclients 10; then
    hold_conns "${R_PORT[count]}" 8
    diag count --json --timeout "$RMD_TIMEOUT" -p "${R_PORT[count]}"
    case_begin precision/probe-connection-not-counted
    need_json
    need_finding clients-near-limit warning
    need_jq '.findings[] | select(.id == "clients-near-limit") | .summary | startswith("8 of maxclients 10")' \
        "the probe's own connection was counted"
    need_jq '[.collected.client_groups[].count] | add == 8' "CLIENT LIST groups include the probe"
    case_end
    release_conns
else
    fail_line precision/probe-connection-not-counted "setup: $START_ERR"
fi

# --- LOADING: progress from INFO while the dataset loads (key-load-delay
# makes a small dataset load slowly, as Redis's own tests do).
if start_redis loader --enable-debug-command yes; then
    rcli loader DEBUG POPULATE 30000 >/dev/null
    rcli loader SAVE >/dev/null
    dir=${R_DIR[loader]}
    kill_pid "${R_PID[loader]}" TERM
    wait_until 5 sh -c "! redis-cli -p ${R_PORT[loader]} PING >/dev/null 2>&1"
    launch "$dir/stdout2" redis-server --port "${R_PORT[loader]}" --bind 127.0.0.1 --save "" --dir "$dir" \
        --logfile "$dir/redis2.log" --key-load-delay 100 --loading-process-events-interval-bytes 1024
    wait_until 10 sh -c "redis-cli -p ${R_PORT[loader]} PING 2>&1 | grep -q LOADING"
    diag loading --json --timeout 1000 -p "${R_PORT[loader]}"
    case_begin precision/loading-progress
    need_json
    need_first loading-dataset
    need_jq '.findings[0].summary | test("% of .* loaded")' "summary gives no progress"
    need_jq 'any(.findings[0].evidence[]; test("loading_eta_seconds="))' "no ETA in the evidence"
    need_exit 2
    case_end
else
    fail_line precision/loading-progress "setup: $START_ERR"
fi

# --- a team's backup window: Sunday 03:30, server killed. The window
# annotates; the endpoint stays critical and the exit 2.
KB=$TMPD/team-kb
mkdir -p "$KB"
cat >"$KB/backup.md" <<'EOF'
---
error_id: TEAM-REDIS-DOWN
title: "Redis down"
cause: server-down
severity: critical
exceptions:
  - window: "Sun 03:00-04:00"
    effect: downgrade
    severity: low
    reason: nightly backup restarts
---

# Redis down

## Diagnosis Steps

```bash
systemctl status {service}
```
EOF
if start_redis keep && start_redis sunday; then
    kill_pid "${R_PID[sunday]}" KILL
    for _ in 1 2 3 4 5 6 7 8 9 10; do is_listening "${R_PORT[sunday]}" || break; sleep 0.2; done
    diag sunday --json --timeout "$RMD_TIMEOUT" --kb "$KB" --now 2026-12-06T03:30 -p "${R_PORT[sunday]}"
    case_begin precision/window-never-hides-an-outage
    need_json
    need_finding server-down critical
    need_jq 'any(.findings[0].evidence[]; test("expected during the window Sun 03:00-04:00 per TEAM-REDIS-DOWN"))' \
        "no window note"
    need_jq '.findings[0].held == true' "not held"
    need_exit 2
    case_end
    diag sunday-builtin --json --timeout "$RMD_TIMEOUT" --now 2026-12-06T03:30 -p "${R_PORT[sunday]}"
    case_begin precision/builtin-runbooks-ship-no-window
    need_finding server-down critical
    need_jq 'all(.findings[0].evidence[]; test("window") | not)' "a built-in runbook applied a window"
    need_exit 2
    case_end
else
    fail_line precision/window-never-hides-an-outage "setup: $START_ERR"
fi

# --- --samples: help and validation agree.
diag samples --samples 65 -p 1
case_begin precision/samples-over-64-is-a-usage-error
need_exit 64
need_stderr_one_line
case_end


# --- a Sentinel whose master is gone: the master is reported (odown), and the
# commands a Sentinel does not have are not "checks that could not run".
SP=$TMPD/sentinel
mkdir -p "$SP"
free_port
spt=$PORT
free_port
dead=$PORT
printf 'port %s\nbind 127.0.0.1\nsentinel monitor mymaster 127.0.0.1 %s 1\nsentinel down-after-milliseconds mymaster 200\n' \
    "$spt" "$dead" >"$SP/sentinel.conf"
launch "$SP/stdout" redis-server "$SP/sentinel.conf" --sentinel --logfile "$SP/sentinel.log"
if wait_until 10 sh -c "redis-cli -p $spt INFO sentinel 2>/dev/null | grep -q 'status=odown'"; then
    diag sentinel --json --timeout "$RMD_TIMEOUT" -p "$spt"
    case_begin precision/sentinel-master-odown
    need_json
    need_first sentinel-master-down
    need_finding sentinel-master-down critical
    need_no_finding checks-incomplete
    need_jq 'any(.findings[0].next_steps[]; test("SENTINEL ckquorum mymaster"))' "the master's name is not filled in"
    need_exit 2
    case_end
else
    fail_line precision/sentinel-master-odown "setup: the Sentinel did not see its master odown"
fi

# --- maxmemory full under volatile-lru with no key holding a TTL: nothing
# can be evicted, and the evidence says why.
if start_redis vol --maxmemory 2mb --maxmemory-policy volatile-lru; then
    v=$(head -c 8000 /dev/zero | tr '\0' x)
    for i in $(seq 1 400); do printf 'SET k%s %s\n' "$i" "$v"; done | rcli vol >/dev/null 2>&1
    diag vol --json --timeout "$RMD_TIMEOUT" -p "${R_PORT[vol]}"
    case_begin precision/volatile-policy-without-ttls
    need_json
    need_finding oom-maxmemory critical
    need_jq 'any(.findings[] | select(.id == "oom-maxmemory") | .evidence[]; test("nothing can be evicted"))' \
        "the volatile policy with no TTL keys is not explained"
    case_end
else
    fail_line precision/volatile-policy-without-ttls "setup: $START_ERR"
fi

# --- a unix socket this user may not use (unixsocketperm 700, owned by root),
# diagnosed as nobody: socket-permission with the mode and owners, and no
# "join the group" fix that cannot help.
if ! command -v setpriv >/dev/null; then
    skip_case precision/socket-permission "setpriv is not installed"
elif start_redis sockperm --unixsocket "$TMPD/perm.sock" --unixsocketperm 700; then
    setpriv --reuid=65534 --regid=65534 --clear-groups env XDG_STATE_HOME="$TMPD/nobody-state" NO_COLOR=1 \
        "$RMD_BIN" diagnose --json --timeout "$RMD_TIMEOUT" "unix://$TMPD/perm.sock" >"$TMPD/perm.out" 2>"$TMPD/perm.err"
    D_RC=$? D_OUT=$TMPD/perm.out D_ERR=$TMPD/perm.err
    case_begin precision/socket-permission
    need_json
    need_first socket-permission
    need_jq 'any(.findings[0].evidence[]; test("socket mode 0700"))' "the socket's mode is not in the evidence"
    need_jq 'all(.findings[0].next_steps[]; test("usermod") | not)' "a group fix that cannot help"
    need_exit 2
    case_end
else
    fail_line precision/socket-permission "setup: $START_ERR"
fi

# --- a data directory the server's user may not write (redis-server runs as
# nobody, the directory belongs to root, mode 0755): the failed save says why.
if command -v setpriv >/dev/null; then
    free_port
    np=$PORT
    nd=$TMPD/rootdir
    mkdir -p "$nd"
    chmod 755 "$nd"
    launch "$TMPD/nobody.out" setpriv --reuid=65534 --regid=65534 --clear-groups \
        redis-server --port "$np" --bind 127.0.0.1 --dir "$nd" --save "900 1" --logfile ""
    if wait_until 10 sh -c "redis-cli -p $np PING 2>/dev/null | grep -q PONG"; then
        redis-cli -p "$np" SET k v >/dev/null
        redis-cli -p "$np" BGSAVE >/dev/null 2>&1
        wait_until 5 sh -c "redis-cli -p $np INFO persistence | grep -q 'rdb_last_bgsave_status:err'"
        diag nobodydir --json --timeout "$RMD_TIMEOUT" -p "$np"
        case_begin precision/data-dir-not-writable-by-the-server
        need_json
        need_finding persistence-failure critical
        need_jq 'any(.findings[] | select(.id == "persistence-failure") | .evidence[]; test("runs as uid 65534.*may not create files there"))' \
            "the directory's owner and mode against the server's user are not said"
        case_end
    else
        fail_line precision/data-dir-not-writable-by-the-server "setup: redis-server as nobody did not start"
    fi
else
    skip_case precision/data-dir-not-writable-by-the-server "setpriv is not installed"
fi
