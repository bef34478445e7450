# shellcheck shell=bash disable=SC2120
# lib.sh -- helpers for redis-medic's integration tests (sourced by every t_*.sh).
#
# The tests start REAL redis-server processes on spare loopback ports in a
# per-run temp dir and break them for real: kill, SIGSTOP, held connections,
# filled memory, a removed data dir, nft rules inside a network namespace made
# with `ip netns add`, TLS with certificates generated here. Never a mock.
# Every address used is in 127.0.0.0/8.
#
# Everything started is recorded and undone by the EXIT trap, by PID (never by
# process name: other redis-servers may be running on this machine): stopped
# processes get SIGCONT first, then SIGTERM, then SIGKILL; namespaces are
# deleted; the temp dir is removed. When RMD_IT_LEDGER names a file, every
# PID, namespace and dir is also appended there, so run.sh can undo what a test
# that was killed outright could not.
#
# Output contract: one line per test case, "PASS <name>", "FAIL <name>: <why>"
# or "SKIP <name>: <reason>" (only when a kernel feature is missing). run.sh
# counts the lines starting with "PASS " and "FAIL ".
#
# Environment: RMD_BIN (binary under test, default build/redis-medic),
# RMD_TIMEOUT (the --timeout passed to diagnose, default 500 ms),
# RMD_IT_KEEP=1 keeps the temp dir for post-mortems.

set -u

IT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$IT_DIR/../.." && pwd)
RMD_BIN=${RMD_BIN:-$ROOT/build/redis-medic}
HOSTILE_BIN=${HOSTILE_BIN:-$ROOT/build/tests/hostile}
RMD_TIMEOUT=${RMD_TIMEOUT:-500}
T_FILE=$(basename "$0" .sh)
PORT_DIR=/tmp/rmd-it-ports          # port reservations shared by parallel test files

TMPD=$(mktemp -d /tmp/rmd-it.XXXXXX) || { echo "FAIL $T_FILE: mktemp failed"; exit 1; }
chmod 755 "$TMPD"

declare -a IT_PIDS=()               # "pid:starttime" of every process started
declare -a IT_NETNS=()              # namespaces created
declare -a IT_PORTS=()              # port reservations (dirs under PORT_DIR)
declare -a HELD_FDS=()              # idle TCP connections held open by this shell
declare -A R_PORT=() R_PID=() R_NS=() R_DIR=() R_CLI=()   # per start_redis NAME

ledger() {
    [ -n "${RMD_IT_LEDGER:-}" ] && echo "$*" >>"$RMD_IT_LEDGER"
    return 0
}
ledger "dir $TMPD"

# ---------------------------------------------------------------- processes

# starttime PID: the process start time (field 22 of /proc/PID/stat), so a
# recorded PID is never confused with a later process that reuses the number.
starttime() {
    local stat
    stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
    stat=${stat##*) }
    set -- $stat
    echo "${20}"
}

# track_pid PID: record a process for cleanup.
track_pid() {
    local st
    st=$(starttime "$1") || st=0
    IT_PIDS+=("$1:$st")
    ledger "pid $1 $st"
}

# alive PID: the process exists and is not a zombie.
alive() {
    local s
    s=$(awk '/^State:/{print $2}' "/proc/$1/status" 2>/dev/null) || return 1
    [ -n "$s" ] && [ "$s" != Z ] && [ "$s" != X ]
}

# is_ours PID:START -> the recorded process still runs (same start time).
is_ours() {
    local pid=${1%%:*} st=${1##*:}
    alive "$pid" && [ "$(starttime "$pid")" = "$st" ]
}

# now_us: wall clock in microseconds (bash's EPOCHREALTIME, no fork).
now_us() { echo "${EPOCHREALTIME//[.,]/}"; }

# wait_until SECONDS CMD...: poll CMD every 50 ms until it succeeds; 1 on timeout.
wait_until() {
    local limit=$1; shift
    local end=$(( ${EPOCHREALTIME//[.,]/} + limit * 1000000 ))
    while :; do
        "$@" && return 0
        [ "${EPOCHREALTIME//[.,]/}" -ge "$end" ] && return 1
        sleep 0.05
    done
}

# launch CMD...: start CMD in the background with the held fds closed (so a
# "released" connection is really closed), record it; the PID lands in LAUNCHED.
launch() {
    local out=$1; shift
    (
        for fd in "${HELD_FDS[@]}"; do eval "exec $fd>&-"; done
        exec "$@"
    ) >"$out" 2>&1 </dev/null &
    LAUNCHED=$!
    disown "$LAUNCHED"          # no "Killed" job notices; bash still reaps it
    track_pid "$LAUNCHED"
}

# kill_pid PID [SIGNAL]: signal a process we started (default KILL); for KILL/TERM,
# wait (bounded) until it is gone.
kill_pid() {
    kill -s "${2:-KILL}" "$1" 2>/dev/null
    if [ "${2:-KILL}" = KILL ] || [ "${2:-KILL}" = TERM ]; then
        wait_until 5 eval "! alive $1"
    fi
    return 0
}

# tri NAME ARGS...: run `redis-medic triage ARGS` (bounded to 60 s, stdin
# closed); output in D_OUT / D_ERR, exit status in D_RC.
tri() {
    local tag=$1; shift
    D_OUT=$TMPD/$tag.out D_ERR=$TMPD/$tag.err
    timeout -k 2 60 "$RMD_BIN" triage "$@" >"$D_OUT" 2>"$D_ERR" </dev/null
    D_RC=$?
}

# ---------------------------------------------------------------- ports

# port_busy PORT: something uses PORT locally (any TCP state, v4 or v6).
port_busy() {
    local hex
    hex=$(printf '%04X' "$1")
    awk -v h=":$hex" 'FNR > 1 && substr($2, length($2)-4) == h {f=1} END{exit !f}' \
        /proc/net/tcp /proc/net/tcp6 2>/dev/null
}

# reserve_port PORT: claim PORT for this run (atomic mkdir), reclaiming stale
# claims whose owner is gone. 0 when claimed.
reserve_port() {
    local d=$PORT_DIR/$1 owner
    mkdir -p "$PORT_DIR" 2>/dev/null
    if ! mkdir "$d" 2>/dev/null; then
        owner=$(cat "$d/owner" 2>/dev/null) || return 1
        alive "$owner" && return 1
        rm -rf "$d"
        mkdir "$d" 2>/dev/null || return 1
    fi
    echo $$ >"$d/owner"
    IT_PORTS+=("$d")
    ledger "port $d"
}

# free_port [--bus]: set PORT to a free loopback port below the ephemeral range
# (20000-31999); with --bus, PORT+10000 (the cluster bus) is free too.
free_port() {
    local p i hi=12000
    [ "${1:-}" = --bus ] && hi=2700
    for i in $(seq 1 500); do
        p=$(( 20000 + (RANDOM * 32768 + RANDOM) % hi ))
        port_busy "$p" && continue
        if [ "${1:-}" = --bus ]; then port_busy $((p + 10000)) && continue; fi
        reserve_port "$p" || continue
        PORT=$p
        return 0
    done
    echo "FAIL $T_FILE: no free loopback port found"
    exit 1
}

# is_listening PORT [NETNS]: a TCP listener on PORT (read from /proc/net/tcp
# of the namespace).
is_listening() {
    local hex
    hex=$(printf '%04X' "$1")
    ${2:+ip netns exec "$2"} cat /proc/net/tcp /proc/net/tcp6 2>/dev/null |
        awk -v h=":$hex" 'substr($2, length($2)-4) == h && $4 == "0A" {f=1} END{exit !f}'
}

# ---------------------------------------------------------------- redis

# start_redis NAME [redis args...]: run redis-server in the foreground, in the
# background, on a free port: --bind 127.0.0.1 --save '' --dir TMPD/NAME
# --logfile TMPD/NAME/redis.log, then the caller's args (which override).
# Waits (bounded, RS_WAIT seconds, default 10) until it answers PING.
# Env knobs: NETNS=ns (run inside a namespace), RS_PORT (port to use; the
# caller passes e.g. --port 0 --tls-port $RS_PORT itself), RS_CLI (extra
# redis-cli args for rcli, e.g. "--tls --cacert ..." or "-a pw"),
# RS_NOBIND=1 (no --bind: bind all, only inside a namespace),
# RS_NOPING=1 (wait for the log line "Ready to accept connections" instead).
# Sets R_PORT[NAME], R_PID[NAME], R_DIR[NAME], R_NS[NAME]; returns 1 (with a
# FAIL-ready message in START_ERR) when the server does not come up.
start_redis() {
    local name=$1; shift
    local port=${RS_PORT:-} ns=${NETNS:-}
    if [ -z "$port" ]; then free_port; port=$PORT; fi
    local dir=$TMPD/$name
    mkdir -p "$dir"
    local -a cmd=(redis-server --port "$port" --save "" --appendonly no --daemonize no
                  --dir "$dir" --logfile "$dir/redis.log")
    [ -z "${RS_NOBIND:-}" ] && cmd+=(--bind 127.0.0.1)
    [ -n "$ns" ] && cmd=(ip netns exec "$ns" "${cmd[@]}")
    launch "$dir/stdout" "${cmd[@]}" "$@"
    R_PORT[$name]=$port R_PID[$name]=$LAUNCHED R_DIR[$name]=$dir R_NS[$name]=$ns
    R_CLI[$name]=${RS_CLI:-}
    local ok=1
    if [ -n "${RS_NOPING:-}" ]; then
        wait_until "${RS_WAIT:-10}" grep -q 'Ready to accept connections' "$dir/redis.log" && ok=0
    else
        wait_until "${RS_WAIT:-10}" redis_ready "$name" && ok=0
    fi
    if [ "$ok" -ne 0 ]; then
        START_ERR="redis-server $name did not come up on port $port: $(tail -n 3 "$dir/redis.log" "$dir/stdout" 2>/dev/null | tr '\n' ' ' | cut -c1-300)"
        return 1
    fi
}

redis_ready() {
    alive "${R_PID[$1]}" || return 1
    [ "$(rcli "$1" PING 2>/dev/null)" = PONG ]
}

# rcli NAME ARGS...: redis-cli against server NAME (its namespace, port and
# RS_CLI args), bounded to 10 s.
rcli() {
    local name=$1; shift
    local ns=${R_NS[$name]}
    # shellcheck disable=SC2086
    ${ns:+ip netns exec "$ns"} timeout 10 redis-cli --no-auth-warning -h 127.0.0.1 \
        -p "${R_PORT[$name]}" ${R_CLI[$name]} "$@" | tr -d '\r'
}

# info_field NAME FIELD: one field of INFO everything.
info_field() {
    rcli "$1" INFO everything | awk -F: -v f="$2" '$1 == f {print $2; exit}'
}

# rcli_auth NAME PASSWORD ARGS...: rcli with a password from the environment
# (never on a command line).
rcli_auth() {
    local name=$1 pw=$2; shift 2
    REDISCLI_AUTH=$pw rcli "$name" "$@"
}

# --------------------------------------------------------------- namespaces

# netns_create NAME: make a network namespace with lo up; its real name
# (unique to this run) lands in NS. Returns 1 when namespaces are not
# permitted here (the caller prints SKIP).
netns_create() {
    NS=rmd-$$-$1
    ip netns add "$NS" 2>"$TMPD/netns.err" || return 1
    IT_NETNS+=("$NS")
    ledger "netns $NS"
    ip netns exec "$NS" ip link set lo up 2>>"$TMPD/netns.err" || return 1
}

# in_ns NS CMD...: run CMD inside the namespace.
in_ns() {
    local ns=$1; shift
    ip netns exec "$ns" "$@"
}

# ---------------------------------------------------------------- TLS

# tls_gen DIR: a CA (ca.crt/ca.key), a server cert signed by it for CN
# 127.0.0.1 with SAN IP:127.0.0.1 and DNS:localhost (server.crt/server.key),
# and an unrelated second CA the server does not use (other-ca.crt).
tls_gen() {
    local d=$1
    mkdir -p "$d"
    (
        set -e
        cd "$d"
        openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
            -subj "/CN=redis-medic test CA" -keyout ca.key -out ca.crt
        openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
            -subj "/CN=redis-medic untrusted CA" -keyout other-ca.key -out other-ca.crt
        openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
            -subj "/CN=127.0.0.1" -keyout server.key -out server.csr
        printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n' >ext.cnf
        openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 2 \
            -extfile ext.cnf -out server.crt
        chmod 644 ./*.key
    ) >"$d/openssl.log" 2>&1
}

# ------------------------------------------------------- held connections

# hold_conns PORT N [CLIENTNAME]: open N TCP connections from this shell
# (exec {fd}<>/dev/tcp/127.0.0.1/PORT), send "CLIENT SETNAME name" (or PING)
# on each and read the reply so the server has really accepted them. Sets
# HELD_OK (accepted) and HELD_REJECTED (answered -ERR max number of clients).
hold_conns() {
    local port=$1 n=$2 cname=${3:-} i fd line
    HELD_OK=0 HELD_REJECTED=0
    for ((i = 0; i < n; i++)); do
        exec {fd}<>"/dev/tcp/127.0.0.1/$port" || continue
        HELD_FDS+=("$fd")
        if [ -n "$cname" ]; then printf 'CLIENT SETNAME %s\r\n' "$cname" >&"$fd"
        else printf 'PING\r\n' >&"$fd"; fi 2>/dev/null
        line=
        read -r -t 3 -u "$fd" line 2>/dev/null
        case $line in
        +OK* | +PONG*) HELD_OK=$((HELD_OK + 1)) ;;
        *"max number of clients"*) HELD_REJECTED=$((HELD_REJECTED + 1)) ;;
        esac
    done
}

# release_conns: close every held connection.
release_conns() {
    local fd
    for fd in "${HELD_FDS[@]}"; do eval "exec $fd>&-" 2>/dev/null; done
    HELD_FDS=()
}

# ------------------------------------------------------------ hostile peer

# build_hostile: compile tests/tools/hostile.c when missing or outdated
# (serialised with flock, as test files run in parallel).
build_hostile() {
    local src=$ROOT/tests/tools/hostile.c
    mkdir -p "$(dirname "$HOSTILE_BIN")"
    (
        flock 9
        if [ ! -x "$HOSTILE_BIN" ] || [ "$src" -nt "$HOSTILE_BIN" ]; then
            cc -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -O2 -o "$HOSTILE_BIN.tmp.$$" "$src" &&
                mv -f "$HOSTILE_BIN.tmp.$$" "$HOSTILE_BIN"
        fi
    ) 9>"$(dirname "$HOSTILE_BIN")/.hostile.lock"
    [ -x "$HOSTILE_BIN" ]
}

# start_hostile MODE: run the hostile peer on a free port (60 s lifetime);
# sets H_PORT and H_PID. 1 when it does not come up.
start_hostile() {
    build_hostile || return 1
    free_port
    launch "$TMPD/hostile-$1.log" "$HOSTILE_BIN" "$1" "$PORT" 60
    H_PORT=$PORT H_PID=$LAUNCHED
    wait_until 5 is_listening "$H_PORT"
}

# ------------------------------------------------------- running the CLI

# diag TAG [ARGS...]: run `$RMD_BIN diagnose ARGS` (inside DIAG_NS when set),
# bounded to DIAG_LIMIT seconds (default 30), NO_COLOR set, stdin closed.
# DIAG_PIDNS=1 runs it in a fresh PID namespace with its own /proc, so the
# redis-servers of other tests running in parallel are not visible to it.
# Sets D_RC, D_MS (wall time), D_OUT/D_ERR (files), D_RSS (peak RSS in KB when
# /usr/bin/time exists, else empty).
diag() {
    local tag=${1//\//-}; shift
    D_OUT=$TMPD/$tag.out D_ERR=$TMPD/$tag.err D_RSS=
    : >"$D_OUT"; : >"$D_ERR"
    if [ ! -x "$RMD_BIN" ]; then
        echo "binary $RMD_BIN missing" >"$D_ERR"
        D_RC=127 D_MS=0
        return 0
    fi
    local -a pre=() tm=()
    [ -n "${DIAG_NS:-}" ] && pre=(ip netns exec "$DIAG_NS")
    [ -n "${DIAG_PIDNS:-}" ] && pre+=(unshare --pid --fork --mount-proc)
    [ -x /usr/bin/time ] && tm=(/usr/bin/time -f %M -o "$TMPD/$tag.rss")
    local t0 t1
    t0=$(now_us)
    XDG_STATE_HOME=$TMPD/state NO_COLOR=1 "${pre[@]}" timeout -k 2 "${DIAG_LIMIT:-30}" "${tm[@]}" \
        "$RMD_BIN" diagnose "$@" >"$D_OUT" 2>"$D_ERR" </dev/null
    D_RC=$?
    t1=$(now_us)
    D_MS=$(( (t1 - t0) / 1000 ))
    if [ -s "$TMPD/$tag.rss" ]; then D_RSS=$(tail -n 1 "$TMPD/$tag.rss" | tr -dc 0-9); fi
    return 0
}

# ------------------------------------------------------------ assertions
#
# A case collects requirements and prints exactly one line:
#   case_begin NAME; need_exit 2; need_first server-down; case_end
# need_* checks look at the last diag run (D_RC, D_OUT, D_ERR).

case_begin() {
    C_NAME=$1
    C_WHY=()
}

because() { C_WHY+=("$*"); }

# findings_summary FILE: "id/severity,..." for failure messages.
findings_summary() {
    jq -r '[.findings[]? | "\(.id)/\(.severity)"] | join(",")' "$1" 2>/dev/null
}

# context: what the last run produced, appended to failure reasons.
context() {
    local f
    f=$(findings_summary "$D_OUT")
    printf 'exit=%s findings=[%s] stderr=%s' "$D_RC" "$f" \
        "$(head -c 200 "$D_ERR" | head -n 2 | tr '\n' ' ')"
}

C_FAILS=0

# dup_flags CMD: flags given twice within one command of the line (segments
# split at | ; & && || $( ) ); quoted text is ignored. grep/awk -e may repeat.
dup_flags() {
    local s
    s=$(sed -e "s/'[^']*'/Q/g" -e 's/"[^"]*"/Q/g' <<<"$1" | sed -e 's/[$](/\n/g' -e 's/[|;&()]/\n/g')
    awk '{ delete seen; for (i = 1; i <= NF; i++) { w = $i; sub(/=.*/, "", w)
             if (w ~ /^--?[A-Za-z]/ && w != "-e" && seen[w]++) { print w; exit } } }' <<<"$s"
}

# steps_problems JSONFILE: one line for each next step that cannot run as
# printed: it does not parse (bash -n), it keeps a <placeholder>, it gives a
# flag twice, or it is a ${NAME:?} template although the evidence has NAME.
steps_problems() {
    local f=$1 b cmd dup
    jq -e '.findings' "$f" >/dev/null 2>&1 || return 0
    local pid dir
    pid=$(jq -r '.host.listener.pid // empty' "$f" 2>/dev/null)
    dir=$(jq -r '.collected.config.dir // empty' "$f" 2>/dev/null)
    for b in $(jq -r '.findings[].next_steps[]? | @base64' "$f" 2>/dev/null); do
        cmd=$(base64 -d <<<"$b")
        bash -n -c "$cmd" 2>/dev/null || echo "step does not parse: $cmd"
        if grep -qE '(^|[[:space:]=])<[A-Za-z][A-Za-z0-9_.-]*>' <<<"$cmd"; then echo "step keeps a placeholder: $cmd"; fi
        dup=$(dup_flags "$cmd")
        [ -n "$dup" ] && echo "step gives $dup twice: $cmd"
        if [ -n "$pid" ] && [ "$pid" != 0 ] && [[ $cmd == *'REDIS_PID:?'* ]]; then echo "step asks for REDIS_PID although the listener is pid $pid: $cmd"; fi
        if [ -n "$dir" ] && [[ $cmd == *'REDIS_DIR:?'* ]]; then echo "step asks for REDIS_DIR although dir is $dir: $cmd"; fi
    done
    return 0
}

case_end() {
    # every case of every file: the next steps of its last JSON run must run as printed
    if [ -n "${D_OUT:-}" ] && [ -s "$D_OUT" ]; then
        local sp
        while IFS= read -r sp; do [ -n "$sp" ] && C_WHY+=("$sp"); done < <(steps_problems "$D_OUT")
    fi
    if [ "${#C_WHY[@]}" -eq 0 ]; then
        echo "PASS $C_NAME"
        return 0
    fi
    C_FAILS=$((C_FAILS + 1))
    if [ "${D_RC:-}" = 127 ] && grep -q 'missing$' "${D_ERR:-/dev/null}" 2>/dev/null; then
        echo "FAIL $C_NAME: $(cat "$D_ERR")"
        return 0
    fi
    local msg=${C_WHY[0]} i
    for ((i = 1; i < ${#C_WHY[@]}; i++)); do msg+="; ${C_WHY[i]}"; done
    [ -n "${D_OUT:-}" ] && msg+=" [$(context)]"
    echo "FAIL $C_NAME: $msg"
}

# fail_line NAME WHY: a case that failed before it could run (setup).
fail_line() {
    C_FAILS=$((C_FAILS + 1))
    echo "FAIL $1: $2"
}

skip_case() { echo "SKIP $1: $2"; }

# need_exit WANT: the last run exited WANT.
need_exit() {
    [ "$D_RC" = "$1" ] || because "exit $D_RC, want $1"
}

# jq_true EXPR [JQ ARGS...]: stdout of the last run is exactly one JSON
# document and EXPR is true on it (an empty stdout is never vacuously true).
jq_true() {
    local e=$1; shift
    jq -e -s "$@" "length == 1 and (.[0] | ($e))" "$D_OUT" >/dev/null 2>&1
}

# need_json: the last run printed one valid JSON document.
need_json() {
    jq_true 'type == "object"' ||
        because "stdout is not a JSON object (first bytes: $(head -c 120 "$D_OUT" | tr '\n' ' '))"
}

# need_finding ID [SEVERITY]: a finding with that id (and severity) exists.
need_finding() {
    jq_true 'any(.findings[]?; .id == $id and ($sev == "" or .severity == $sev))' \
        --arg id "$1" --arg sev "${2:-}" ||
        because "no finding $1${2:+/$2}"
}

# need_no_finding ID: no finding with that id.
need_no_finding() {
    jq_true 'all(.findings[]?; .id != $id)' --arg id "$1" ||
        because "unexpected finding $1"
}

# need_first ID: the first (most severe) finding has that id.
need_first() {
    jq_true '.findings[0].id == $id' --arg id "$1" ||
        because "first finding is not $1"
}

# need_reachable true|false
need_reachable() {
    jq_true '.reachable == $r' --argjson r "$1" ||
        because "reachable is not $1"
}

# need_server NAME: the report describes server NAME itself: server.process_id
# is the PID this suite started (proof that the probe really talked to it).
need_server() {
    jq_true '.server.process_id == $p' --argjson p "${R_PID[$1]}" ||
        because "server.process_id is not ${R_PID[$1]} (the server started as $1)"
}

# need_jq EXPR DESCRIPTION: EXPR is true on the JSON output.
need_jq() {
    jq_true "$1" || because "$2"
}

# need_within_ms MS: the last run took at most MS milliseconds of wall time.
need_within_ms() {
    [ "$D_MS" -le "$1" ] || because "took ${D_MS} ms, bound ${1} ms"
}

# need_rss_below_kb KB: peak RSS of the last run below KB (when measurable).
need_rss_below_kb() {
    [ -z "$D_RSS" ] && return 0
    [ "$D_RSS" -le "$1" ] || because "peak RSS ${D_RSS} KB, bound ${1} KB"
}

# need_no_secret SECRET FILE...: SECRET appears in none of the files.
need_no_secret() {
    local s=$1 f; shift
    for f in "$@"; do
        if grep -qF -- "$s" "$f" 2>/dev/null; then because "password appears in $(basename "$f")"; fi
    done
}

# need_stderr_one_line: stderr is exactly one non-empty line.
need_stderr_one_line() {
    local n
    n=$(awk 'END{print NR}' "$D_ERR")
    if [ "$n" -ne 1 ] || [ ! -s "$D_ERR" ]; then
        because "stderr has $n lines, want 1: $(head -c 200 "$D_ERR" | tr '\n' '|')"
    fi
}

# need_out_contains TEXT: stdout contains TEXT.
need_out_contains() {
    grep -qF -- "$1" "$D_OUT" || because "stdout lacks '$1' (first line: $(head -n 1 "$D_OUT"); exit=$D_RC)"
}

# Single-shot forms: each prints its own PASS/FAIL line.
expect_finding() {   # NAME JSONFILE ID [SEVERITY]
    local o=$D_OUT
    case_begin "$1"; D_OUT=$2; need_finding "$3" "${4:-}"; D_OUT=$o; case_end
}
expect_exit() {      # NAME GOT WANT
    case_begin "$1"
    [ "$2" = "$3" ] || because "exit $2, want $3"
    case_end
}
expect_no_secret() { # NAME FILE SECRET
    case_begin "$1"; need_no_secret "$3" "$2"; case_end
}

# diag_case NAME ID EXIT [DIAG ARGS...]: the common connectivity case: run
# diagnose --json, require valid JSON, finding ID first, and exit EXIT.
diag_case() {
    local name=$1 id=$2 want=$3; shift 3
    diag "$name" --json --timeout "$RMD_TIMEOUT" "$@"
    case_begin "$name"
    need_json
    need_first "$id"
    need_exit "$want"
    case_end
}

# ---------------------------------------------------------------- cleanup

declare -a IT_HOOKS=()              # extra cleanup commands (eval'd, last first)

# on_cleanup CMD: run CMD (a string, eval'd) at cleanup, after the processes
# are gone; also written to the ledger as "hook CMD" for run.sh.
on_cleanup() {
    IT_HOOKS+=("$1")
    ledger "hook $1"
}

cleanup() {
    local rc=$? e pid i
    [ "$rc" -eq 0 ] && [ "$C_FAILS" -gt 0 ] && rc=1
    trap - EXIT INT TERM
    release_conns
    for e in "${IT_PIDS[@]}"; do
        is_ours "$e" || continue
        pid=${e%%:*}
        kill -CONT "$pid" 2>/dev/null
        kill -TERM "$pid" 2>/dev/null
    done
    for e in "${IT_PIDS[@]}"; do
        pid=${e%%:*}
        for ((i = 0; i < 40; i++)); do is_ours "$e" || break; sleep 0.05; done
        is_ours "$e" && kill -KILL "$pid" 2>/dev/null
    done
    for ((i = ${#IT_HOOKS[@]} - 1; i >= 0; i--)); do eval "${IT_HOOKS[i]}" 2>/dev/null; done
    for e in "${IT_NETNS[@]}"; do ip netns del "$e" 2>/dev/null; done
    for e in "${IT_PORTS[@]}"; do rm -rf "$e"; done
    if [ -z "${RMD_IT_KEEP:-}" ]; then rm -rf "$TMPD"; else echo "# kept $TMPD" >&2; fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
