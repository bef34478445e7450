#!/usr/bin/env bash
# A team's own runbooks, written the way teams write them (shell variables,
# <angle> holes, bare redis-cli, symptom lines shared with other software),
# used on real faults: every step still runs as printed (case_end checks
# bash -n and leftover placeholders), steps that need a connection the
# server refuses are left out, and symptoms never count another service's
# errors.
source "$(dirname "$0")/lib.sh"

KB=$TMPD/team
mkdir -p "$KB"
cat >"$KB/redis-full.md" <<'MD'
# Redis connections exhausted

**Severity**: P1

## Symptoms
- "Connection refused" from the API
- "Too many connections"

## Diagnosis
```bash
redis-cli -h $REDIS_HOST -p ${REDIS_PORT} INFO clients
ss -tn state established '( sport = :6379 )' | wc -l
redis-cli -h "$REDIS_HOST" CLIENT KILL ID <client-id>
```

## Resolution
```bash
redis-cli -h "$REDIS_HOST" -p "$REDIS_PORT" CONFIG SET maxclients 10000
```
MD
cat >"$KB/placeholders.yaml" <<'YML'
REDIS_HOST: host
REDIS_PORT: port
YML

# --- maxclients held: the team's runbook is linked; its redis-cli steps are
# left out (the server refuses connections), the rest is filled.
if start_redis full --maxclients 3; then
    hold_conns "${R_PORT[full]}" 5
    diag full --json --timeout "$RMD_TIMEOUT" --kb "$KB" -p "${R_PORT[full]}"
    case_begin kb-team/maxclients-no-connection-steps
    need_json
    need_first maxclients-reached
    need_jq 'all(.findings[0].next_steps[]; test("redis-cli") | not)' "a redis-cli step while the server refuses connections"
    need_jq 'all(.findings[0].next_steps[]; test("[$][{]?127[.]") | not)' "a mapped variable left its \$ behind"
    case_end
    release_conns
else
    fail_line kb-team/maxclients-no-connection-steps "setup: $START_ERR"
fi

# --- reachable server with connections near the limit: the mapped
# $REDIS_HOST/${REDIS_PORT} are the endpoint's, the <client-id> hole is a
# template that refuses to run.
if start_redis near --maxclients 10; then
    hold_conns "${R_PORT[near]}" 9
    diag near --json --timeout "$RMD_TIMEOUT" --kb "$KB" -p "${R_PORT[near]}"
    case_begin kb-team/mapped-variables-filled
    need_json
    jq_true 'any(.findings[].next_steps[]; . == $c)' --arg c "redis-cli -h 127.0.0.1 -p ${R_PORT[near]} INFO clients" ||
        because "\$REDIS_HOST/\${REDIS_PORT} not filled with the endpoint"
    need_jq 'any(.findings[].steps[]; .command | test("CLIENT KILL ID \"[$][{]CLIENT_ID:[?]")) ' "<client-id> is not a template"
    need_jq 'any(.findings[].steps[]; .template and (.needs | test("CLIENT_ID")))' "the template is not marked"
    case_end
    release_conns
else
    fail_line kb-team/mapped-variables-filled "setup: $START_ERR"
fi

# --- triage: the team's symptom "Connection refused" counts on a Redis line,
# never on PostgreSQL's or MySQL's.
cat >"$TMPD/app.log" <<'LOG'
2026-11-30T10:00:00Z ERROR api: redis.exceptions.ConnectionError: Error 111 connecting to cache:6379. Connection refused.
2026-11-30T10:00:01Z ERROR api: psycopg2.OperationalError: connection to server at "db1" (10.0.0.5), port 5432 failed: Connection refused
2026-11-30T10:00:02Z ERROR api: mysql: ERROR 1040 (HY000): Too many connections
LOG
XDG_CACHE_HOME=$TMPD/cache "$RMD_BIN" triage --kb "$KB" --each --json "$TMPD/app.log" >"$TMPD/triage.out" 2>"$TMPD/triage.err"
case_begin kb-team/symptoms-never-count-other-services
grep -q '"line": *1' "$TMPD/triage.out" || grep -q '"line":1' "$TMPD/triage.out" || because "the Redis line was not classified"
if grep -q '"line": *[23][,}]' "$TMPD/triage.out" || grep -q '"line":[23][,}]' "$TMPD/triage.out"; then
    because "a PostgreSQL or MySQL line was counted: $(head -c 300 "$TMPD/triage.out")"
fi
case_end

# --- bad paths are usage errors, not a quiet run on the built-in runbooks
D_OUT= diag nokb --kb "$TMPD/no-such-dir" -p 1
case_begin kb-team/missing-kb-dir-is-a-usage-error
need_exit 64
need_stderr_one_line
case_end

"$RMD_BIN" kb import "$KB" >/dev/null 2>"$TMPD/imp.err"
rc=$?
case_begin kb-team/import-of-a-directory-is-a-usage-error
[ "$rc" = 64 ] || because "exit $rc: $(head -c 200 "$TMPD/imp.err")"
case_end

# --- a heredoc in a team's step: its body is not a command and $(...) runs
# there whatever the quoting, so no value goes into it; its end stays bare.
KB2=$TMPD/team2
mkdir -p "$KB2"
cat >"$KB2/down.md" <<'MD'
---
error_id: TEAM-DOWN
title: Redis is down
cause: server-down
---
# Redis is down

## Diagnosis Steps
```bash
cat > /tmp/incident-note.txt <<END
endpoint: {host}:{port}
END
```
MD
free_port
diag heredoc --json --timeout "$RMD_TIMEOUT" --kb "$KB2" -p "$PORT"
case_begin kb-team/heredoc-body-gets-no-values
need_first server-down
need_jq '.findings[0].next_steps | index("END") != null' "the heredoc's end line was changed"
need_jq 'any(.findings[0].steps[]; (.command | startswith("endpoint: ")) and .template)' "a value went into the heredoc body"
case_end
