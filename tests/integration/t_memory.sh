#!/usr/bin/env bash
# Memory, filled for real:
#  - maxmemory 2mb with noeviction, SETs until redis answers "OOM command not
#    allowed" -> oom-maxmemory (critical);
#  - maxmemory 64mb filled to ~86 % (between the 80 % warning and the 90 %
#    critical thresholds, measured with INFO) -> memory-high (warning).
source "$(dirname "$0")/lib.sh"

# --- full
if start_redis oom --maxmemory 2mb --maxmemory-policy noeviction; then
    head -c 65536 /dev/zero | tr '\0' x >"$TMPD/64k"
    got=
    for ((i = 0; i < 200; i++)); do
        r=$(rcli oom -x SET "fill:$i" <"$TMPD/64k" 2>&1)
        if [[ $r == *OOM* ]]; then got=$r; break; fi
    done
    if [ -z "$got" ]; then
        fail_line memory/oom-maxmemory "setup: never got an OOM error (used_memory=$(info_field oom used_memory))"
    else
        diag oom --json --timeout "$RMD_TIMEOUT" -h 127.0.0.1 -p "${R_PORT[oom]}"
        case_begin memory/oom-maxmemory
        need_json
        need_reachable true
        need_server oom
        need_finding oom-maxmemory critical
        need_exit 2
        case_end
    fi
else
    fail_line memory/oom-maxmemory "setup: $START_ERR"
fi

# --- 86 % full: DEBUG POPULATE (the test's own filling tool) in shrinking
# steps until used_memory / maxmemory lands in [0.855, 0.875].
MAX=$((64 * 1024 * 1024))
if start_redis high --maxmemory "$MAX" --maxmemory-policy noeviction --enable-debug-command yes; then
    ok=
    for ((step = 0; step < 40; step++)); do
        used=$(info_field high used_memory)
        if [ "$used" -ge $((MAX * 855 / 1000)) ]; then
            [ "$used" -le $((MAX * 875 / 1000)) ] && ok=1
            break
        fi
        n=$(( (MAX * 865 / 1000 - used) / 1400 ))
        [ "$n" -lt 1 ] && n=1
        rcli high DEBUG POPULATE "$n" "p$step" 1000 >/dev/null
    done
    rcli high SLOWLOG RESET >/dev/null   # DEBUG POPULATE itself is slow; not the point here
    pct=$(( $(info_field high used_memory) * 100 / MAX ))
    echo "# memory-high: used_memory at $pct % of maxmemory after $step steps" >&2
    if [ -z "$ok" ]; then
        fail_line memory/memory-high "setup: could not land between 85.5 and 87.5 % (at $pct %)"
    else
        diag high --json --timeout "$RMD_TIMEOUT" -h 127.0.0.1 -p "${R_PORT[high]}"
        case_begin memory/memory-high
        need_json
        need_reachable true
        need_server high
        need_finding memory-high warning
        need_no_finding oom-maxmemory
        need_exit 1
        case_end
    fi
else
    fail_line memory/memory-high "setup: $START_ERR"
fi
