#!/usr/bin/env bash
# Hostile peers that answer just enough: the deadline holds against a peer
# that sends without end, and a failure after a valid PONG is a finding,
# never "no findings" with exit 0.
source "$(dirname "$0")/lib.sh"

# --- "+" and then bytes without a line end, as fast as we read. Before the
# line cap and the bounded read loop this kept --timeout 1000 busy for 40 s.
if start_hostile endless; then
    DIAG_LIMIT=20 diag endless --json --timeout 1000 -p "$H_PORT"
    case_begin robust/endless-line-keeps-the-deadline
    [ "$D_RC" != 124 ] && [ "$D_RC" != 137 ] || because "killed by the test's 20 s limit: the deadline did not hold"
    need_json
    need_first not-redis
    need_exit 2
    need_rss_below_kb 100000
    case_end
else
    fail_line robust/endless-line-keeps-the-deadline "setup: hostile peer did not start"
fi

# --- PONG, then garbage for the collectors: a broken proxy.
if start_hostile pongjunk; then
    diag pongjunk --json --timeout "$RMD_TIMEOUT" -p "$H_PORT"
    case_begin robust/garbage-after-pong
    need_json
    need_reachable true
    need_finding not-redis warning
    need_exit 1
    case_end
else
    fail_line robust/garbage-after-pong "setup: hostile peer did not start"
fi

# --- PONG, then a 200 MB INFO announced.
if start_hostile pongbig; then
    diag pongbig --json --timeout "$RMD_TIMEOUT" -p "$H_PORT"
    case_begin robust/huge-reply-after-pong
    need_json
    need_finding not-redis warning
    need_jq 'any(.findings[] | select(.id == "not-redis") | .evidence[]; test("209715200 bytes was announced"))' \
        "the announced size is not in the evidence"
    need_exit 1
    need_rss_below_kb 100000
    case_end
else
    fail_line robust/huge-reply-after-pong "setup: hostile peer did not start"
fi

# --- PONG, then silence: the checks time out. Reachable, but not healthy.
if start_hostile pongmute; then
    diag pongmute --json --timeout "$RMD_TIMEOUT" -p "$H_PORT"
    case_begin robust/silence-after-pong
    need_json
    need_finding server-unresponsive warning
    need_exit 1
    case_end
else
    fail_line robust/silence-after-pong "setup: hostile peer did not start"
fi

# --- terminal injection: a master host name with escape sequences reaches
# the report through INFO; the text output carries no raw control byte.
if start_redis escrep; then
    rcli escrep REPLICAOF "$(printf 'evil\033[2J\033]0;pwned\007host')" 6999 >/dev/null
    diag escrep --timeout "$RMD_TIMEOUT" -p "${R_PORT[escrep]}"
    case_begin robust/no-control-bytes-reach-the-terminal
    if LC_ALL=C grep -q "$(printf '[\001-\010\013-\037\177]')" "$D_OUT"; then because "raw control bytes in the text report"; fi
    need_out_contains 'evil\x1b[2J'
    case_end
    diag escrep-json --json --timeout "$RMD_TIMEOUT" -p "${R_PORT[escrep]}"
    case_begin robust/no-control-bytes-in-json
    need_json
    if LC_ALL=C grep -q "$(printf '[\001-\010\013-\037\177]')" "$D_OUT"; then because "raw control bytes in the JSON"; fi
    case_end
else
    fail_line robust/no-control-bytes-reach-the-terminal "setup: $START_ERR"
fi

# --- a URL password does not stay readable in /proc/PID/cmdline while the
# run lasts (a stopped server keeps it waiting for the deadline).
SECRET=cmdline-$RANDOM-$RANDOM
if start_redis slowauth; then
    kill -STOP "${R_PID[slowauth]}"
    XDG_STATE_HOME=$TMPD/state "$RMD_BIN" diagnose --timeout 1500 "redis://app:$SECRET@127.0.0.1:${R_PORT[slowauth]}" \
        >"$TMPD/slowauth.out" 2>&1 </dev/null &
    dpid=$!
    sleep 0.5
    cmdline=$(tr '\0' ' ' <"/proc/$dpid/cmdline" 2>/dev/null)
    wait "$dpid"
    kill -CONT "${R_PID[slowauth]}"
    case_begin robust/url-password-masked-in-cmdline
    [ -n "$cmdline" ] || because "setup: could not read the cmdline"
    [[ $cmdline == *"$SECRET"* ]] && because "the password is readable in /proc/PID/cmdline: $cmdline"
    [[ $cmdline == *"app:"*"@127.0.0.1"* ]] || because "the URL was mangled beyond the password: $cmdline"
    case_end
else
    fail_line robust/url-password-masked-in-cmdline "setup: $START_ERR"
fi
