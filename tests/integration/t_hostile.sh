#!/usr/bin/env bash
# Hostile peers (tests/tools/hostile.c: not Redis, and abusing the protocol):
# HTTP, binary garbage, an SSH banner -> not-redis; a 1 GB bulk announcement
# and arrays nested a million deep -> not-redis or server-unresponsive;
# a reply dripping one byte a second and a peer that never answers ->
# server-unresponsive, or not-redis when the host shows the port belongs to a
# program that is not a redis-server (as here: the hostile peer); a peer that closes at once -> unknown (with the
# evidence). Each run must end within a few deadlines (6 x
# --timeout: a bound, not a performance assertion), with bounded memory (peak
# RSS at most 48 MB above a plain refused-port run, when /usr/bin/time is
# there), and without crashing.
source "$(dirname "$0")/lib.sh"

BOUND_MS=$((RMD_TIMEOUT * 6))
if ! build_hostile; then
    for m in http garbage ssh bigbulk deepnest drip silent close; do
        fail_line "hostile/$m" "setup: cannot build $HOSTILE_BIN"
    done
    exit 1
fi

# Baseline peak RSS: a refused port (a reserved port nobody listens on).
free_port
diag baseline --json --timeout "$RMD_TIMEOUT" -h 127.0.0.1 -p "$PORT"
RSS_BOUND=
[ -n "$D_RSS" ] && RSS_BOUND=$((D_RSS + 48 * 1024))

# hostile_case MODE ALLOWED_IDS...: run diagnose against the peer; the first
# finding must be one of ALLOWED_IDS.
hostile_case() {
    local mode=$1; shift
    local ids
    ids=$(printf '"%s",' "$@")
    if ! start_hostile "$mode"; then
        fail_line "hostile/$mode" "setup: hostile $mode did not listen"
        return
    fi
    diag "h-$mode" --json --timeout "$RMD_TIMEOUT" -h 127.0.0.1 -p "$H_PORT"
    case_begin "hostile/$mode"
    need_json
    need_jq ".findings[0].id | IN(${ids%,})" "first finding not one of: $*"
    need_exit 2
    need_within_ms "$BOUND_MS"
    [ -n "$RSS_BOUND" ] && need_rss_below_kb "$RSS_BOUND"
    alive "$H_PID" || because "the hostile peer died (test bug)"
    case_end
    kill_pid "$H_PID" TERM
}

hostile_case http not-redis
hostile_case garbage not-redis
hostile_case ssh not-redis
hostile_case bigbulk not-redis server-unresponsive
hostile_case deepnest not-redis server-unresponsive
hostile_case drip server-unresponsive not-redis
hostile_case silent server-unresponsive not-redis
# Closes every connection at once, saying nothing, and is no TLS server either:
# no known cause fits, so the report must say "unknown" and show what it saw.
hostile_case close unknown
