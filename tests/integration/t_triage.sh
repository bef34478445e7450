#!/usr/bin/env bash
# triage on logs made for real: a redis-server whose data dir was removed
# before BGSAVE (its own log says why), the same server killed and redis-cli's
# own errors against it, written into an application log; then the logs
# compressed (.gz, .zst), truncated, mixed with a directory and a missing file.
source "$(dirname "$0")/lib.sh"

datadir=$TMPD/data-logs
mkdir -p "$datadir"
if ! start_redis logs --dir "$datadir"; then
    fail_line triage/real-logs "setup: $START_ERR"
    exit 1
fi
port=${R_PORT[logs]}
log=${R_DIR[logs]}/redis.log
rm -rf "$datadir"
rcli logs BGSAVE >/dev/null
wait_until 10 grep -q 'Background saving error\|Failed opening' "$log" || true
app=$TMPD/app.log
{
    echo "$(date -u +%Y-%m-%dT%H:%M:%SZ) INFO service started, redis at 127.0.0.1:$port"
    for i in $(seq 5); do
        printf '%s ERROR cache write failed: %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$(rcli logs SET k$i v 2>&1)"
    done
} >>"$app"
kill_pid "${R_PID[logs]}" KILL
for i in $(seq 3); do
    printf '%s ERROR %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" \
        "$(timeout 5 redis-cli -h 127.0.0.1 -p "$port" PING 2>&1)" >>"$app"
done
cat >>"$app" <<PY
$(date -u +%Y-%m-%dT%H:%M:%SZ) ERROR cache get failed for key session:42
Traceback (most recent call last):
  File "/srv/app/cache.py", line 42, in get
    return self.client.get(key)
  File "/usr/lib/python3/dist-packages/redis/connection.py", line 611, in connect
    raise ConnectionError(self._error_message(e))
redis.exceptions.ConnectionError: Error 111 connecting to 127.0.0.1:$port. Connection refused.
2026-11-22 10:00:05.123 ERROR 1 --- [nio-8080-exec-1] o.a.c.c.C.[.[.[/].[dispatcherServlet] : Servlet.service() threw exception
org.springframework.data.redis.RedisConnectionFailureException: Unable to connect to Redis; nested exception is io.lettuce.core.RedisConnectionException: Unable to connect to localhost:$port
	at org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory\$ExceptionTranslatingConnectionProvider.translateException(LettuceConnectionFactory.java:1689)
	at org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory.getConnection(LettuceConnectionFactory.java:1117)
Caused by: io.lettuce.core.RedisConnectionException: Unable to connect to localhost:$port
	at io.lettuce.core.RedisConnectionException.create(RedisConnectionException.java:78)
Caused by: io.netty.channel.AbstractChannel\$AnnotatedConnectException: Connection refused: localhost/127.0.0.1:$port
	... 1 common frames omitted
PY

tri real-logs --json "$log" "$app"
case_begin triage/real-logs
need_exit 1
need_jq '[.causes[].id] | index("persistence-failure") != null' "the server's own save error not found"
need_jq '[.causes[] | select(.id == "persistence-failure") | .sources[].name] | index("redis-server") != null' "source redis-server not named"
need_jq '[.causes[] | select(.id == "server-down") | .count] == [5]' "want 5 server-down events (3 redis-cli lines, 1 Python traceback, 1 Spring/Lettuce trace)"
need_jq "[.causes[] | select(.id == \"server-down\") | .endpoints[0].name] == [\"127.0.0.1:$port\"]" "endpoint not extracted"
case_end

tri each --each --json "$app"
case_begin triage/each-json
need_exit 1
jq -e -s 'length >= 4 and all(.[]; has("file") and has("line") and has("id") and has("time") and has("source") and has("text"))' "$D_OUT" >/dev/null ||
    because "--each --json lines lack fields: $(head -c 300 "$D_OUT")"
jq -e -s "[.[] | select(.id == \"server-down\") | .port] | all(. == $port)" "$D_OUT" >/dev/null || because "port not extracted on each line"
case_end

# Compressed copies, a truncated one, a directory and a missing file: the good ones are still read.
gzip -c "$app" >"$TMPD/app.log.gz"
zstd -q -c "$app" >"$TMPD/app.log.zst" 2>/dev/null || cp "$app" "$TMPD/app.log.zst.missing"
head -c 200 "$TMPD/app.log.gz" >"$TMPD/truncated.log.gz"
tri compressed --json "$TMPD/app.log.gz"
case_begin triage/gzip
need_exit 1
need_jq '[.causes[] | select(.id == "server-down") | .count] == [5]' "gz not read like the plain file"
case_end
if [ -f "$TMPD/app.log.zst" ]; then
    tri zst --json "$TMPD/app.log.zst"
    case_begin triage/zstd
    need_exit 1
    need_jq '[.causes[] | select(.id == "server-down") | .count] == [5]' "zst not read like the plain file"
    case_end
fi
tri bad-inputs --json "$TMPD/truncated.log.gz" "$TMPD/no-such-file" "$app"
case_begin triage/bad-inputs-named-and-rest-read
need_exit 2
need_jq '[.causes[] | select(.id == "server-down") | .count] | .[0] >= 5' "the good input was not read"
for want in "truncated.log.gz: truncated gzip stream" "no-such-file"; do
    grep -q "$want" "$D_ERR" || because "stderr does not name: $want"
done
case_end

# Binary garbage, NUL bytes, CRLF and one 3 MB line do not break anything.
{ head -c 100000 /dev/urandom; printf 'A\0B\r\n'; head -c 3000000 /dev/zero | tr '\0' x; printf '\nNOAUTH Authentication required.\r\n'; } >"$TMPD/hostile.log"
tri hostile --json "$TMPD/hostile.log"
case_begin triage/hostile-input
need_exit 1
need_jq '[.causes[].id] | index("auth-required") != null' "the line after the garbage was not classified"
case_end

tri since --json --since 1h "$app"
case_begin triage/since
need_exit 1
case_end
tri until --json --until 2000-01-01T00:00:00Z "$app"
case_begin triage/until-filters
need_jq '[.causes[] | select(.first != null)] | length == 0' "events before 2000 kept"
case_end
tri usage --since yesterday-ish "$app"
case_begin triage/usage
need_exit 64
need_stderr_one_line
case_end

# --follow: lines appended after start are classified; SIGTERM ends it with the summary.
: >"$TMPD/follow.log"
timeout -k 2 30 "$RMD_BIN" triage --follow --json "$TMPD/follow.log" >"$TMPD/follow.out" 2>"$TMPD/follow.err" &
fpid=$!
track_pid "$fpid"
sleep 0.7
echo "$(date -u +%Y-%m-%dT%H:%M:%SZ) READONLY You can't write against a read only replica." >>"$TMPD/follow.log"
wait_until 10 grep -q readonly-replica "$TMPD/follow.out"
kill -TERM "$fpid" 2>/dev/null
wait "$fpid" 2>/dev/null
D_RC=$?
D_OUT=$TMPD/follow.out D_ERR=$TMPD/follow.err
case_begin triage/follow
need_exit 1
grep -q '"readonly-replica"' "$D_OUT" || because "the appended line was not classified"
case_end

# Context for generic lines (issue 9 item 4): a bare "connect ECONNREFUSED" counts when its
# port is the port of a redis:// URL seen earlier in the same file, and never for another
# service's port or driver, even in the same file; the learned port does not carry over to
# the next file.
ctx1=$TMPD/ctx1.log ctx2=$TMPD/ctx2.log
cat >"$ctx1" <<CTX
2026-11-22T10:00:00Z INFO config REDIS_URL=redis://127.0.0.1:$port/0
2026-11-22T10:00:01Z ERROR Error: connect ECONNREFUSED 127.0.0.1:$port
2026-11-22T10:00:02Z ERROR dial tcp 10.0.0.5:5432: connect: connection refused
2026-11-22T10:00:03Z ERROR consumer: Cannot connect to amqp://guest:**@rabbit:5672//: [Errno 111] Connection refused.
Traceback (most recent call last):
  File "/usr/lib/python3/dist-packages/psycopg2/__init__.py", line 122, in connect
psycopg2.OperationalError: connection to server at "db" (10.0.0.5), port 5432 failed: Connection refused
java.net.ConnectException: Connection refused
	at org.postgresql.core.PGStream.<init>(PGStream.java:98)
CTX
echo "2026-11-22T10:00:04Z ERROR Error: connect ECONNREFUSED 127.0.0.1:$port" >"$ctx2"
tri context --each "$ctx1" "$ctx2"
case_begin triage/context
need_exit 1
[ "$(wc -l <"$D_OUT")" = 1 ] || because "want exactly one classified line, got: $(head -c 400 "$D_OUT")"
grep -q "ctx1.log:2: server-down:" "$D_OUT" || because "the refused connection to the redis:// URL's port was not counted"
case_end
