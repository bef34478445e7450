#!/usr/bin/env bash
# diagnose never writes: INFO commandstats before and after a full diagnosis
# of a healthy server; every command it ran must be read-only (no "write"
# flag in COMMAND INFO) and none of KEYS, SCAN, DEBUG or the stat resets.
source "$(dirname "$0")/lib.sh"

if ! start_redis ro; then
    fail_line readonly/no-writes "setup: $START_ERR"
    exit 1
fi
# cmdstats: "name calls" per line (name as in COMMAND INFO: config|get).
cmdstats() {
    rcli ro INFO commandstats | sed -n 's/^cmdstat_\([^:]*\):calls=\([0-9]*\).*/\1 \2/p' | sort
}
rcli ro CONFIG RESETSTAT >/dev/null
before=$(cmdstats)
diag ro --json --timeout "$RMD_TIMEOUT" -h 127.0.0.1 -p "${R_PORT[ro]}"
after=$(cmdstats)
# The test's own first INFO is counted in "after"; remove it.
used=$(join -a 2 -e 0 -o 2.1,1.2,2.2 <(echo "$before") <(echo "$after") |
    awk '{d = $3 - $2; if ($1 == "info") d -= 1; if (d > 0) print $1}')

case_begin readonly/no-writes
need_json
need_reachable true
need_server ro
[ -n "$used" ] || because "no command counted: did diagnose talk to the server?"
for c in $used; do
    case $c in
    keys | scan | sscan | hscan | zscan | debug | flushall | flushdb | config\|set | \
    config\|rewrite | config\|resetstat | slowlog\|reset | latency\|reset | client\|kill | \
    save | bgsave | bgrewriteaof | shutdown | monitor)
        because "ran $c" ;;
    esac
    if rcli ro COMMAND INFO "$c" | grep -qx write; then because "ran write command $c"; fi
done
case_end
echo "# readonly: diagnose ran: $(echo $used)" >&2
