#!/usr/bin/env bash
# make demo: start a throwaway redis-server on a free loopback port, break it for
# real in a few ways and diagnose each. Cleans up everything it started, by PID.
set -u
BIN=${RMD_BIN:-build/redis-medic}
tmp=$(mktemp -d /tmp/redis-medic-demo.XXXXXX)
pids=()
fds=()
cleanup() {
    for fd in "${fds[@]}"; do exec {fd}>&- 2>/dev/null; done
    for p in "${pids[@]}"; do kill -CONT "$p" 2>/dev/null; kill -9 "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
    rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

free_port() {
    local p
    for p in $(shuf -i 20000-29999 -n 50); do
        (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return; }
    done
    return 1
}
start() { # start PORT args...
    local port=$1; shift
    redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no --dir "$tmp" \
        --logfile "$tmp/redis-$port.log" "$@" &
    pids+=($!)
    for _ in $(seq 100); do redis-cli -p "$port" ping >/dev/null 2>&1 && return 0; sleep 0.05; done
    echo "demo: redis-server did not start" >&2; exit 1
}
banner() { printf '\n\033[1m=== %s\033[0m\n$ redis-medic diagnose %s\n' "$1" "$2"; }

port=$(free_port)
start "$port" --maxclients 12
banner "1. a healthy server" "redis://127.0.0.1:$port"
"$BIN" diagnose --timeout 1000 "redis://127.0.0.1:$port"

for i in $(seq 11); do exec {fd}<>"/dev/tcp/127.0.0.1/$port"; fds+=("$fd"); done
sleep 0.2
banner "2. connections held up to maxclients (12)" "redis://127.0.0.1:$port"
"$BIN" diagnose --timeout 1000 "redis://127.0.0.1:$port"
for fd in "${fds[@]}"; do exec {fd}>&-; done
fds=()

redis-cli -p "$port" config set maxmemory 2mb >/dev/null
redis-cli -p "$port" config set maxmemory-policy noeviction >/dev/null
val=$(head -c 10000 /dev/zero | tr '\0' x)
for i in $(seq 400); do redis-cli -p "$port" set "k$i" "$val" 2>/dev/null | grep -q OOM && break; done
banner "3. maxmemory filled with noeviction" "redis://127.0.0.1:$port"
"$BIN" diagnose --timeout 1000 "redis://127.0.0.1:$port"

kill -9 "${pids[0]}"; wait "${pids[0]}" 2>/dev/null
banner "4. the server killed" "redis://127.0.0.1:$port"
"$BIN" diagnose --timeout 1000 "redis://127.0.0.1:$port"
echo
