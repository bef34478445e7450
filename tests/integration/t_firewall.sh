#!/usr/bin/env bash
# Firewalls, for real, inside a network namespace made for this test: redis
# runs in the namespace, an nft input rule drops (SYN unanswered ->
# connect-timeout) or rejects with a TCP reset (refused while a listener
# exists -> firewall-reject). redis-medic runs inside the namespace too, so
# it sees the listener in /proc/net/tcp.
source "$(dirname "$0")/lib.sh"

if ! netns_create fw; then
    skip_case firewall/drop "network namespaces not permitted: $(head -n 1 "$TMPD/netns.err")"
    skip_case firewall/reject "network namespaces not permitted"
    exit 0
fi
if ! NETNS=$NS start_redis fw; then
    fail_line firewall/drop "setup: $START_ERR"
    fail_line firewall/reject "setup: $START_ERR"
    exit 1
fi
port=${R_PORT[fw]}

if ! in_ns "$NS" nft -f - <<NFT 2>"$TMPD/nft.err"
table inet filter {
    chain input {
        type filter hook input priority 0; policy accept;
    }
}
NFT
then
    skip_case firewall/drop "nft not usable: $(head -n 1 "$TMPD/nft.err")"
    skip_case firewall/reject "nft not usable"
    exit 0
fi

# --- drop
in_ns "$NS" nft add rule inet filter input tcp dport "$port" drop
out=$(in_ns "$NS" timeout 2 redis-cli -h 127.0.0.1 -p "$port" PING 2>&1); rc=$?
if [ "$rc" -ne 124 ]; then
    fail_line firewall/drop "setup: redis-cli was not left hanging by the drop rule (rc=$rc: $out)"
else
    DIAG_NS=$NS diag drop --json --timeout "$RMD_TIMEOUT" -h 127.0.0.1 -p "$port"
    case_begin firewall/drop
    need_json
    need_first connect-timeout
    need_reachable false
    need_exit 2
    need_within_ms $((RMD_TIMEOUT * 6))
    case_end
fi

# --- reject with tcp reset
in_ns "$NS" nft flush chain inet filter input
in_ns "$NS" nft add rule inet filter input tcp dport "$port" reject with tcp reset
out=$(in_ns "$NS" timeout 2 redis-cli -h 127.0.0.1 -p "$port" PING 2>&1)
if ! grep -qi refused <<<"$out" || ! is_listening "$port" "$NS"; then
    fail_line firewall/reject "setup: expected refused with a listener present, got: $out"
else
    DIAG_NS=$NS diag reject --json --timeout "$RMD_TIMEOUT" "redis://127.0.0.1:$port"
    case_begin firewall/reject
    need_json
    need_first firewall-reject
    need_no_finding server-down
    need_reachable false
    need_exit 2
    case_end
fi
