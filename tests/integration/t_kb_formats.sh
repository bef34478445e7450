#!/usr/bin/env bash
# The runbooks teams already keep (issue 10): the five seeds copied unchanged
# into a knowledge base, linked to the causes a reader expects, and used by
# diagnose on real faults -- a killed server, a server held at maxclients, a
# frozen one -- with the seed's steps first and host and port filled. Then
# the malformed variants: broken YAML, no heading, binary, a 10 MB file, a
# YAML nesting bomb; each one precise message. kb import, global options,
# quoted placeholders, escaped kb show output.
source "$(dirname "$0")/lib.sh"

SEEDS=$ROOT/tests/data/kb/seeds
KB=$TMPD/teamkb
mkdir -p "$KB"
cp "$SEEDS"/*.txt "$KB"/
# The KB-level placeholder map: the team's own literal names, mapped to evidence.
cat >"$KB/placeholders.yaml" <<'YAML'
"6379": port
prod-redis: host
YAML
start_redis sibling >/dev/null || true  # see t_kb.sh: a redis of ours keeps running

kb() { # kb TAG ARGS...: redis-medic ARGS (global options allowed first)
    local tag=$1; shift
    D_OUT=$TMPD/$tag.out D_ERR=$TMPD/$tag.err
    XDG_STATE_HOME=$TMPD/state timeout 20 "$RMD_BIN" "$@" >"$D_OUT" 2>"$D_ERR" </dev/null
    D_RC=$?
}

kb lint-seeds kb lint --no-builtin "$KB"
case_begin kb-formats/seeds-lint-clean
need_exit 0
grep -q '^5 runbooks checked: 0 errors' "$D_OUT" || because "lint: $(tail -n 1 "$D_OUT")"
for want in "000_12a76c97ad4bef0f.txt: note: read as plain markdown" \
            "001_637540c2f2690f34.txt: note: read as YAML front matter with error_id" \
            "002_6ff58a1f6801da72.txt: note: read as markdown with **Key**: metadata lines" \
            "004_4d2e6d5bea575b87.txt: note: read as YAML front matter (team format)" \
            "severity high (written 'sev2')" \
            "linked to connection-leak by the section 'Connection Leak'" \
            "linked to pool-exhausted by the symptom 'Connection pool exhausted'" \
            "placeholder <service> cannot be filled" \
            "004_4d2e6d5bea575b87.txt: warning: last validated 2024-01-10, more than a year ago"; do
    grep -qF "$want" "$D_OUT" || because "missing: $want"
done
case_end

# The causes a reader would expect, per seed (kb list --json, global --kb first).
kb list-seeds --kb "$KB" kb list --json
case_begin kb-formats/seeds-link-expected-causes
need_exit 0
for spec in "000_12a76c97ad4bef0f:server-down" "ERROR-001:server-down" \
            "002_6ff58a1f6801da72:connect-timeout server-unresponsive high-latency keepalive-disabled firewall-reject" \
            "003_7a7d8f6362e7008d:server-down oom-maxmemory clients-near-limit maxclients-reached persistence-failure high-latency" \
            "004_4d2e6d5bea575b87:clients-near-limit maxclients-reached connection-leak pool-exhausted"; do
    id=${spec%%:*}
    for c in ${spec#*:}; do
        jq -e --arg id "$id" --arg c "$c" '.[] | select(.id == $id) | .causes | index($c)' "$D_OUT" >/dev/null ||
            because "$id not linked to $c"
    done
done
jq -e '.[] | select(.id == "002_6ff58a1f6801da72") | .causes | index("server-down") | not' "$D_OUT" >/dev/null ||
    because "002 linked to server-down"
case_end

kb show-cause --kb "$KB" kb show connection-leak
case_begin kb-formats/show-merges-team-and-builtin
need_exit 0
grep -q '^004_4d2e6d5bea575b87  Redis Connection Exhaustion' "$D_OUT" || because "team runbook not first"
grep -qF "linked to connection-leak by the section 'Connection Leak'" "$D_OUT" || because "no reason shown"
grep -qF "escalation contact (slack #platform-oncall): Primary: #platform-oncall in Slack" "$D_OUT" || because "no contacts"
grep -qF "escalation contact (pagerduty): If data loss suspected: Page Database Team via PagerDuty" "$D_OUT" ||
    because "no PagerDuty contact"
grep -q '^RMD-CONNECTION-LEAK ' "$D_OUT" || because "built-in runbook not merged after it"
case_end

kb show-cause-json --kb "$KB" kb show server-down --json
case_begin kb-formats/show-json-merges
need_exit 0
need_jq '.id == "ERROR-001" and .builtin.id == "RMD-SERVER-DOWN"' "team runbook with the built-in one under .builtin"
need_jq '.cause_steps[0] == "docker ps | grep redis"' "cause_steps do not start with the team's"
need_jq '.cause_steps | map(select(test("^\\{cli\\}"))) | length > 0' "built-in steps not after the team's"
need_jq '.links[0].reason | test("title")' "no reason in JSON"
case_end

# --- a killed server: ERROR-001's steps first, the port filled from the evidence
if start_redis dead; then
    port=${R_PORT[dead]}
    kill_pid "${R_PID[dead]}" KILL
    diag killed --json --timeout "$RMD_TIMEOUT" --kb "$KB" -h 127.0.0.1 -p "$port"
    case_begin kb-formats/killed-server-team-steps
    need_first server-down
    need_jq '.findings[0].runbook == "ERROR-001"' "server-down not linked to the team's ERROR-001"
    # docker steps are ruled out here (no container): the seed's first that applies leads
    need_jq ".findings[0].next_steps[0] == \"netstat -tuln | grep $port\"" "the team's step (port filled) not first"
    need_jq ".findings[0].next_steps | index(\"lsof -i :$port\")" "port not filled in lsof"
    need_jq '.findings[0].next_steps | map(select(test("redis-cli -h 127.0.0.1"))) | length > 0' "built-in steps not after"
    case_end
else
    fail_line kb-formats/killed-server-team-steps "setup: $START_ERR"
fi

# --- maxclients held: seed 004 (its Maxclients section) is the finding's runbook
if start_redis full --maxclients 4; then
    port=${R_PORT[full]}
    hold_conns "$port" 4
    if [ "$HELD_OK" -ne 4 ]; then
        fail_line kb-formats/maxclients-team-steps "setup: held $HELD_OK/4"
    else
        diag full --json --timeout "$RMD_TIMEOUT" --kb "$KB" -h 127.0.0.1 -p "$port"
        case_begin kb-formats/maxclients-team-steps
        need_first maxclients-reached
        need_jq '.findings[0].runbook == "004_4d2e6d5bea575b87"' "maxclients-reached not linked to seed 004"
        # the seed's steps are aws/kubectl ones: ruled out off AWS and Kubernetes, and said so;
        # the built-in runbook's steps follow
        need_jq '.findings[0].steps_ruled_out >= 1' "the seed's aws steps not counted as ruled out"
        need_jq ".findings[0].next_steps | map(select(test(\"sport = :$port\"))) | length > 0" \
            "built-in steps missing after the team's runbook"
        case_end
    fi
    release_conns
else
    fail_line kb-formats/maxclients-team-steps "setup: $START_ERR"
fi

# --- frozen server: seed 002 is the team's runbook; its redis-cli steps need
# a connection the stopped server cannot give, so they are ruled out
if start_redis frozen; then
    port=${R_PORT[frozen]}
    kill -STOP "${R_PID[frozen]}"
    diag frozen --json --timeout "$RMD_TIMEOUT" --kb "$KB" -h 127.0.0.1 -p "$port"
    case_begin kb-formats/frozen-server-team-steps-ruled-out
    need_first server-unresponsive
    need_jq '.findings[0].runbook == "002_6ff58a1f6801da72"' "not linked to seed 002"
    need_jq 'all(.findings[0].next_steps[]; test("^redis-cli") | not)' "a redis-cli step for a stopped server"
    need_jq '.findings[0].steps_ruled_out >= 1' "nothing ruled out"
    case_end
    kill -CONT "${R_PID[frozen]}"
else
    fail_line kb-formats/frozen-server-team-steps-ruled-out "setup: $START_ERR"
fi

# --- seed 002's own <redis-host> and <redis-port> filled, on a server that
# answers (tcp-keepalive 0: a cause seed 002 covers)
if start_redis nokeepalive --tcp-keepalive 0; then
    port=${R_PORT[nokeepalive]}
    diag nokeepalive --json --timeout "$RMD_TIMEOUT" --kb "$KB" -h 127.0.0.1 -p "$port"
    case_begin kb-formats/seed-host-port-filled
    jq_true 'any(.findings[] | select(.id == "keepalive-disabled") | .next_steps[]; . == $c)' \
        --arg c "redis-cli --latency -h 127.0.0.1 -p $port" || because "<redis-host>/<redis-port> not filled"
    case_end
else
    fail_line kb-formats/seed-host-port-filled "setup: $START_ERR"
fi

# --- malformed variants: one precise message each
BAD=$TMPD/badformats
mkdir -p "$BAD"
printf -- '---\ntitle: broken\nseverity: [sev2\n---\n# Broken\n' >"$BAD/broken-yaml.md"
printf -- 'Just some notes about redis.\n\nNo heading at all.\n' >"$BAD/no-heading.md"
printf -- '# Bin\n\x00\x01\x02\xff' >"$BAD/binary.md"
head -c $((10 * 1024 * 1024)) /dev/zero | tr '\0' 'a' >"$BAD/huge.md"
{ printf -- '---\ntitle: deep\nx: '; head -c 1000000 /dev/zero | tr '\0' '['; printf '\n---\n# deep\n'; } >"$BAD/deep.md"
printf -- '# Quoted\n## Diagnosis Steps\n```bash\nls -ld '"'"'{dir}'"'"'\n```\n' >"$BAD/quoted.md"
kb lint-bad kb lint --no-builtin "$BAD"
case_begin kb-formats/malformed-one-message-each
need_exit 1
for want in "broken-yaml.md:4:1: error: bad YAML: did not find expected ',' or ']' while parsing a flow sequence that starts at line 3, column 11" "no-heading.md:1:1: error: no title" \
            "binary.md:2:1: error: binary file" "huge.md: error: file is 10485760 bytes" \
            "deep.md:3:35: error: YAML nested more than 32 levels deep" \
            "quoted.md:4:9: error: placeholder {dir} is inside single quotes"; do
    grep -qF "$want" "$D_OUT" || because "missing: $want"
done
for f in broken-yaml no-heading binary huge deep; do
    [ "$(grep -c "^$BAD/$f.md.*: error:" "$D_OUT")" = 1 ] || because "$f.md: not exactly one error"
done
case_end

# --- kb import: a normalised front matter that lints clean
kb import kb import "$KB/004_4d2e6d5bea575b87.txt"
cp "$D_OUT" "$TMPD/imported.md"
case_begin kb-formats/import-normalises
need_exit 0
grep -q '^error_id: "004_4d2e6d5bea575b87"' "$D_OUT" || because "no error_id"
grep -q '^severity: "high"' "$D_OUT" || because "severity not normalised"
grep -q '^  - connection-leak    # the section' "$D_OUT" || because "causes not listed with reasons"
kb lint-imported kb lint --no-builtin "$TMPD/imported.md"
grep -q ' 0 errors' "$D_OUT" || because "imported runbook does not lint: $(grep error "$D_OUT" | head -2)"
case_end

# --- global options: before the command, and an unknown one refused
kb global-bad --bogus kb list
case_begin kb-formats/global-options
need_exit 64
grep -q "cannot stand before the command" "$D_ERR" || because "stderr: $(head -c 200 "$D_ERR")"
case_end

# --- kb show escapes control bytes from a runbook; --json keeps every field
printf -- '---\ntitle: "esc \\e]0;pwned\\a title"\ncauses: [dns-failure]\n---\n# t\n' >"$TMPD/esc.md"
kb show-esc kb show esc --kb "$TMPD/esc.md"
case_begin kb-formats/show-escapes-control-bytes
need_exit 0
grep -q $'\e' "$D_OUT" && because "raw ESC reached the output"
grep -qF 'esc \x1b]0;pwned\x07 title' "$D_OUT" || because "title not shown escaped: $(head -n 1 "$D_OUT" | cat -v)"
case_end

# --- a KB-level placeholder map that names no evidence: one error, with its position
PH=$TMPD/phkb
mkdir -p "$PH"
cp "$SEEDS/004_4d2e6d5bea575b87.txt" "$PH/"
printf -- '# our names\nprod-redis: cluster_id\n' >"$PH/placeholders.yaml"
kb lint-ph kb lint --no-builtin "$PH"
case_begin kb-formats/placeholders-file-checked
need_exit 1
grep -qF "placeholders.yaml:2:13: error: placeholder 'prod-redis' maps to 'cluster_id'" "$D_OUT" ||
    because "lint: $(grep error "$D_OUT" | head -2)"
case_end
