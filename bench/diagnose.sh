#!/usr/bin/env bash
# bench/diagnose.sh -- what a full `redis-medic diagnose` costs, beside what a person
# runs by hand (redis-cli ping + INFO + CLIENT LIST), on a healthy local server and
# on a refused port. Prints median wall time and CPU (user+sys) per run.
# Measured, not asserted: targets are < 10 ms healthy, < 2 ms refused.
set -u
cd "$(dirname "$0")/.."
BIN=${RMD_BIN:-build/redis-medic}
N=${N:-51}
tmp=$(mktemp -d /tmp/rmd-bench.XXXXXX)
pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT INT TERM

free_port() {
    local p
    for p in $(shuf -i 30000-39999 -n 50); do
        (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return; }
    done
}
port=$(free_port)
dead=$(free_port)
redis-server --port "$port" --bind 127.0.0.1 --save '' --dir "$tmp" --logfile "$tmp/r.log" &
pid=$!
for _ in $(seq 100); do redis-cli -p "$port" ping >/dev/null 2>&1 && break; sleep 0.05; done
# a realistic-ish server: some keys and 50 idle clients
redis-cli -p "$port" debug populate 10000 >/dev/null 2>&1 || true
fds=()
for _ in $(seq 50); do exec {fd}<>"/dev/tcp/127.0.0.1/$port"; fds+=("$fd"); done

# measure NAME CMD... : runs CMD N times, prints median wall ms and median CPU ms
measure() {
    local name=$1; shift
    local walls=() cpus=()
    for _ in $(seq "$N"); do
        local t0 t1 c0 c1
        c0=$(awk '{print $14+$15+$16+$17}' /proc/$$/stat)
        t0=$(date +%s%N)
        "$@" >/dev/null 2>&1
        t1=$(date +%s%N)
        c1=$(awk '{print $14+$15+$16+$17}' /proc/$$/stat)
        walls+=($(( (t1 - t0) / 1000 )))
        cpus+=($(( (c1 - c0) * 1000000 / $(getconf CLK_TCK) )))
    done
    local mw mc
    mw=$(printf '%s\n' "${walls[@]}" | sort -n | awk '{a[NR]=$1} END{print a[int((NR+1)/2)]}')
    mc=$(printf '%s\n' "${cpus[@]}" | awk '{s+=$1} END{printf "%.0f", s/NR}')
    printf '%-52s %9.2f ms wall (median) %8.2f ms cpu (mean)\n' "$name" "$(echo "$mw/1000" | bc -l)" "$(echo "$mc/1000" | bc -l)"
}
by_hand() { redis-cli -p "$1" ping && redis-cli -p "$1" info && redis-cli -p "$1" client list; }

echo "redis-medic diagnose vs redis-cli by hand, $N runs each, $(nproc) cores, $(redis-server --version | cut -d' ' -f3)"
measure "healthy: redis-medic diagnose --json" "$BIN" diagnose --json "redis://127.0.0.1:$port"
measure "healthy: redis-medic diagnose --samples 0 --no-host" "$BIN" diagnose --json --samples 0 --no-host "redis://127.0.0.1:$port"
measure "healthy: redis-cli ping + INFO + CLIENT LIST" by_hand "$port"
measure "refused: redis-medic diagnose --json" "$BIN" diagnose --json "redis://127.0.0.1:$dead"
measure "refused: redis-cli ping" redis-cli -p "$dead" ping
for fd in "${fds[@]}"; do exec {fd}>&-; done
