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

# cmdline_case NAME SERVER URL-WITH-$SECRET: while diagnose waits on a stopped
# server, its /proc/PID/cmdline must not show the password of the URL.
cmdline_case() {
    local name=$1 server=$2 url=$3 dpid cmdline
    kill -STOP "${R_PID[$server]}"
    XDG_STATE_HOME=$TMPD/state "$RMD_BIN" diagnose --timeout 1500 "$url" >"$TMPD/$server.out" 2>&1 </dev/null &
    dpid=$!
    sleep 0.5
    cmdline=$(tr '\0' ' ' <"/proc/$dpid/cmdline" 2>/dev/null)
    wait "$dpid"
    kill -CONT "${R_PID[$server]}"
    case_begin "$name"
    [ -n "$cmdline" ] || because "setup: could not read the cmdline"
    [[ $cmdline == *"$SECRET"* ]] && because "the password is readable in /proc/PID/cmdline: $cmdline"
    [[ $cmdline == *"@127.0.0.1"* ]] || because "the URL was mangled beyond the password: $cmdline"
    case_end
}

# --- a URL password (user:password@ or a lone password@) does not stay
# readable in /proc/PID/cmdline while the run lasts.
SECRET=cmdline-$RANDOM-$RANDOM
if start_redis slowauth; then
    cmdline_case robust/url-password-masked-in-cmdline slowauth "redis://app:$SECRET@127.0.0.1:${R_PORT[slowauth]}"
    cmdline_case robust/lone-userinfo-masked-in-cmdline slowauth "redis://$SECRET@127.0.0.1:${R_PORT[slowauth]}"
else
    fail_line robust/url-password-masked-in-cmdline "setup: $START_ERR"
fi

# --- runbook file names and contents with escape sequences: not on stderr,
# not in kb import's output, not in kb list --json.
EK=$TMPD/esckb
mkdir -p "$EK"
printf -- '---\nerror_id: E-1\ntitle: "t\\e]0;T\\a"\ncause: server-down\n---\n# x\n' >"$EK/bad$(printf '\033')]0;T$(printf '\007').md"
printf -- '---\nerror_id: [\n' >"$EK/br$(printf '\033')[2J.md"
"$RMD_BIN" kb list --kb "$EK" >"$TMPD/ek.out" 2>"$TMPD/ek.err"
"$RMD_BIN" kb list --json --kb "$EK" >>"$TMPD/ek.out" 2>>"$TMPD/ek.err"
"$RMD_BIN" kb import "$EK"/bad*.md >>"$TMPD/ek.out" 2>>"$TMPD/ek.err"
case_begin robust/runbook-bytes-never-reach-the-terminal
if LC_ALL=C grep -q "$(printf '[\001-\010\013-\037\177]')" "$TMPD/ek.out" "$TMPD/ek.err"; then
    because "raw control bytes from a runbook's name or title reached stdout or stderr"
fi
grep -q 'br\\x1b\[2J.md' "$TMPD/ek.err" || because "the broken runbook is not named (escaped) on stderr"
case_end

# --- a redis-server started with its password on the command line: the
# password is not in the evidence, and neither is the one we were given.
SECRET=argv-$RANDOM-secret
if RS_NOPING=1 start_redis argvpw --set-proc-title no --requirepass "$SECRET"; then
    REDISCLI_AUTH=$SECRET diag argvpw --json --timeout "$RMD_TIMEOUT" -p "${R_PORT[argvpw]}"
    case_begin robust/server-argv-password-hidden
    need_json
    need_reachable true
    need_no_secret "$SECRET" "$D_OUT" "$D_ERR"
    need_jq 'all(.host.redis_processes[]; .cmdline | test("--requirepass [^*]") | not)' "the --requirepass value is not masked"
    case_end
else
    fail_line robust/server-argv-password-hidden "setup: $START_ERR"
fi


# --- a runbook pattern that passes lint but backtracks on every line: turned
# off after 64 lines that hit PCRE2's match limit, with one warning each;
# the other lines are still read. (Bounded by timeout, not a speed assertion.)
BT=$TMPD/bt
mkdir -p "$BT"
{
    printf -- '---\nerror_id: BT-1\ntitle: bt\ncause: server-down\npatterns:\n'
    for i in $(seq 1 20); do printf "  - 'redis.(a|aa)*(?<=b)c{0,%d}'\n" "$i"; done
    printf -- '---\n# bt\n'
} >"$BT/rb.md"
awk 'BEGIN { s = "redis "; for (i = 0; i < 300; i++) s = s "a"; s = s "c"; for (i = 0; i < 2000; i++) print s;
             print "redis.exceptions.ConnectionError: Error 111 connecting to localhost:6379. Connection refused." }' >"$BT/bt.log"
XDG_CACHE_HOME=$TMPD/cache timeout 120 "$RMD_BIN" triage --kb "$BT" "$BT/bt.log" >"$TMPD/bt.out" 2>"$TMPD/bt.err"
rc=$?
case_begin robust/backtracking-pattern-turned-off
[ "$rc" != 124 ] || because "triage did not finish within 120 s"
grep -q "backtracks too much" "$TMPD/bt.err" || because "no warning about the pattern"
grep -q "server-down" "$TMPD/bt.out" || because "the real error line after them was not classified"
case_end

# --- a quoted glob picks files, never a FIFO or a device it matches
GL=$TMPD/gl
mkdir -p "$GL"
echo "redis.exceptions.ConnectionError: Error 111 connecting to localhost:6379. Connection refused." >"$GL/a.log"
mkfifo "$GL/b.log"
ln -s /dev/zero "$GL/c.log"
XDG_CACHE_HOME=$TMPD/cache timeout 20 "$RMD_BIN" triage "$GL/*.log" >"$TMPD/gl.out" 2>"$TMPD/gl.err"
rc=$?
case_begin robust/glob-skips-fifos-and-devices
[ "$rc" != 124 ] || because "triage hung on a FIFO or /dev/zero matched by a glob"
grep -q "server-down" "$TMPD/gl.out" || because "the regular file was not read"
grep -q "b.log: not a regular file" "$TMPD/gl.err" || because "the FIFO is not named on stderr"
case_end
