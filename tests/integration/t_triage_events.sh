#!/usr/bin/env bash
# triage counts events, not lines, on a realistic mixed log: a redis-server
# really stopped and started again (its own log), redis-cli's own errors
# against it, and the traces of other clients as they print them (Python
# tracebacks under logger headers, chained tracebacks, Spring/Lettuce and
# Jedis traces, two ioredis errors each with its frame, go-redis lines), with
# secrets in URLs, AUTH and -a. Issue 9 "events right" and issue 8 item 7.
source "$(dirname "$0")/lib.sh"

if ! start_redis ev; then
    fail_line triage/events-setup "$START_ERR"
    exit 1
fi
port=${R_PORT[ev]}
srvlog=${R_DIR[ev]}/redis.log
kill_pid "${R_PID[ev]}" TERM                    # a clean shutdown, logged by the server itself
app=$TMPD/app.log
ts() { date -u -d "@$1" +%Y-%m-%dT%H:%M:%S; }
base=$(( $(date -u +%s) - 3600 ))              # the application's events: an hour ago, over 2 minutes
{
    printf '%s.000Z INFO  service started, cache at redis://:Hunter2pw@127.0.0.1:%s/0\n' "$(ts "$base")" "$port"
    for i in 1 2 3; do
        printf '%s.120Z ERROR %s\n' "$(ts $((base + i)))" "$(timeout 5 redis-cli -h 127.0.0.1 -p "$port" -a Hunter2pw --no-auth-warning PING 2>&1 | tr -d '\r')"
    done
    for i in 10 20; do
        cat <<PY
$(ts $((base + i))),100 ERROR [cache] get failed for session:$i
Traceback (most recent call last):
  File "/srv/app/cache.py", line 42, in get
    return self.client.get(key)
  File "/usr/lib/python3/dist-packages/redis/connection.py", line 611, in connect
    raise ConnectionError(self._error_message(e))
redis.exceptions.ConnectionError: Error 111 connecting to 127.0.0.1:$port. Connection refused.
PY
    done
    cat <<PY
[$(ts $((base + 30))),000: ERROR/MainProcess] consumer: Cannot connect to redis://:Hunter2pw@127.0.0.1:$port/0: Error 111 connecting to 127.0.0.1:$port. Connection refused.
Traceback (most recent call last):
  File "/usr/lib/python3/dist-packages/kombu/connection.py", line 446, in _reraise_as_library_errors
    yield
ConnectionRefusedError: [Errno 111] Connection refused

The above exception was the direct cause of the following exception:

Traceback (most recent call last):
  File "/usr/lib/python3/dist-packages/redis/connection.py", line 611, in connect
    raise ConnectionError(self._error_message(e))
redis.exceptions.ConnectionError: Error 111 connecting to 127.0.0.1:$port. Connection refused.
$(ts $((base + 40))).000 ERROR 1 --- [nio-8080-exec-1] o.a.c.c.C.[.[.[/].[dispatcherServlet] : Servlet.service() threw exception
org.springframework.data.redis.RedisConnectionFailureException: Unable to connect to Redis; nested exception is io.lettuce.core.RedisConnectionException: Unable to connect to localhost:$port
	at org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory.getConnection(LettuceConnectionFactory.java:1117)
Caused by: io.lettuce.core.RedisConnectionException: Unable to connect to localhost:$port
	at io.lettuce.core.RedisConnectionException.create(RedisConnectionException.java:78)
Caused by: io.netty.channel.AbstractChannel\$AnnotatedConnectException: Connection refused: localhost/127.0.0.1:$port
	... 1 common frames omitted
$(ts $((base + 50))).000Z error: [ioredis] Unhandled error event: Error: connect ECONNREFUSED 127.0.0.1:$port
    at TCPConnectWrap.afterConnect [as oncomplete] (node:net:1607:16)
$(ts $((base + 51))).000Z error: [ioredis] Unhandled error event: Error: connect ECONNREFUSED 127.0.0.2:$port
    at TCPConnectWrap.afterConnect [as oncomplete] (node:net:1607:16)
$(ts $((base + 60))).000  WARN 1 --- [main] redis.clients.jedis.JedisPool : pool error
redis.clients.jedis.exceptions.JedisConnectionException: Could not get a resource from the pool
	at redis.clients.jedis.util.Pool.getResource(Pool.java:84)
Caused by: java.util.NoSuchElementException: Timeout waiting for idle object
	at org.apache.commons.pool2.impl.GenericObjectPool.borrowObject(GenericObjectPool.java:449)
$(date -u -d "@$((base + 61))" '+%Y/%m/%d %H:%M:%S') redis: dial tcp 127.0.0.1:$port: connect: connection refused
$(ts $((base + 70))).000Z WARN replaying MONITOR: "AUTH" "default" "Hunter2pw" then CONFIG SET requirepass Hunter2pw
$(ts $((base + 71))).000Z ERROR cache: WRONGPASS invalid username-password pair or user is disabled. (AUTH Hunter2pw)
PY
} >"$app"
# A restarted server: its own log, then the same server running again.
if ! RS_PORT=$port start_redis ev2; then fail_line triage/events-setup "$START_ERR"; exit 1; fi
cat "${R_DIR[ev2]}/redis.log" >>"$srvlog"

tri summary-json --json "$app" "$srvlog"
case_begin triage/events-times-from-headers
need_exit 1
need_jq '[.causes[] | select(.id == "server-down") | .count] == [10]' "want 10 server-down events (3 redis-cli, 2 Python, 1 Celery chained, 1 Spring, 2 ioredis, 1 go-redis): $(jq -c '[.causes[]|{id,count}]' "$D_OUT")"
need_jq '[.causes[] | select(.id == "server-down") | .untimed] == [0]' "events without a time: the header's time was not carried"
need_jq '[.causes[] | select(.id == "pool-exhausted") | .count] == [1]' "the Jedis trace followed by a go-redis line lost the Jedis event"
case_end

case_begin triage/events-endpoints-and-sources
need_jq "[.causes[] | select(.id == \"server-down\") | .endpoints[].name] | index(\"127.0.0.2:$port\") != null" "the second ioredis error's endpoint was lost (merged into the first)"
need_jq '[.causes[] | select(.id == "server-down") | .sources[].name] | index("Spring Data Redis (Lettuce)") != null' "the Spring/Lettuce trace names no client"
need_jq '[.causes[] | select(.id == "server-down") | .sources[].name] | index("go-redis") != null' "the go-redis dial tcp line names no client"
need_jq '[.causes[] | select(.id == "server-down") | .sources[].name] | index("unknown") == null' "an event with no client: $(jq -c '[.causes[]|select(.id=="server-down")|.sources]' "$D_OUT")"
case_end

# --since: an hour-old window keeps the application's events; the untimed
# line is counted apart and said so, never kept or dropped silently.
printf 'Could not connect to Redis at 127.0.0.1:%s: Connection refused\n' "$port" >>"$app"
tri since-json --json --since "$(ts $((base + 15)))Z" --until "$(ts $((base + 65)))Z" "$app"
case_begin triage/since-untimed-counted-apart
need_exit 1
need_jq '[.causes[] | select(.id == "server-down") | .count] == [6]' "want the 6 server-down events from +15 s to +65 s: $(jq -c '[.causes[]|{id,count}]' "$D_OUT")"
need_jq '.untimed_excluded == 1' "the untimed line was not counted apart"
case_end
tri since-text --since "$(ts $((base + 15)))Z" "$app"
case_begin triage/since-untimed-said
grep -q 'without a time left out by --since/--until' "$D_OUT" || because "the text summary does not say an untimed event was left out"
case_end
tri since-each --each --since "$(ts $((base + 15)))Z" "$app"
case_begin triage/since-untimed-each
grep -q 'without a time left out by --since/--until' "$D_ERR" || because "--each does not say an untimed event was left out"
case_end

# No secret in any output.
tri text "$app" "$srvlog"
cp "$D_OUT" "$TMPD/all.text"
tri each --each "$app"
cp "$D_OUT" "$TMPD/all.each"
tri eachjson --each --json "$app"
case_begin triage/no-secret-in-any-output
need_no_secret Hunter2pw "$TMPD/summary-json.out" "$TMPD/all.text" "$TMPD/all.each" "$D_OUT" "$TMPD/since-json.out"
grep -q '\*\*\*' "$TMPD/all.each" || because "--each shows no redaction mark"
case_end

case_begin triage/histogram-legend
grep -q '^  histogram: |' "$TMPD/all.text" || because "no histogram in the text summary"
grep -q "^histogram: one column per time slice" "$TMPD/all.text" || because "the histogram's glyphs are not explained"
case_end

case_begin triage/server-restart-seen
grep -q 'Ready to accept connections' "$srvlog" && grep -q 'ready to exit' "$srvlog" || because "setup: the server log lacks the restart"
case_end

# A truncated .gz names the file; control bytes in a file name are escaped.
gzip -c "$app" | head -c 300 >"$TMPD/cut.log.gz"
evil=$TMPD/$'evil\e[31m\a.log'
cp "$app" "$evil"
tri names --each "$TMPD/cut.log.gz" "$evil"
case_begin triage/names-escaped
need_exit 2
grep -q 'cut.log.gz: truncated gzip stream' "$D_ERR" || because "the truncated .gz is not named: $(head -c 200 "$D_ERR")"
grep -q '<fd:' "$D_ERR" && because "a file descriptor is named instead of the file"
grep -q $'\e' "$D_OUT" "$D_ERR" && because "an ESC byte from a file name reached the output"
grep -q $'\a' "$D_OUT" "$D_ERR" && because "a BEL byte from a file name reached the output"
grep -qF 'evil\x1b[31m\x07.log:' "$D_OUT" || because "the file name is not shown escaped: $(head -n 1 "$D_OUT" | cut -c1-120)"
case_end
