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
