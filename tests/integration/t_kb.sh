#!/usr/bin/env bash
# The runbook knowledge base as users meet it: kb list / show / lint on the
# built-in runbooks and on the seed ERROR-001 file, a user runbook overriding
# a built-in one for diagnose (via --kb and REDIS_MEDIC_KB), a broken user
# runbook skipped with one warning, and occurrences recorded per finding.
source "$(dirname "$0")/lib.sh"

SEED=$ROOT/../shared/seeds/001_637540c2f2690f34.txt
# A redis-server of ours keeps running, so a refused port is server-down even
# when the kernel log holds an OOM kill from another test (see t_down.sh).
start_redis sibling >/dev/null || true
kb() { # kb NAME ARGS...: run redis-medic kb, output in $TMPD/NAME.{out,err}, rc in K_RC
    local tag=$1; shift
    D_OUT=$TMPD/$tag.out D_ERR=$TMPD/$tag.err
    XDG_STATE_HOME=$TMPD/state timeout 20 "$RMD_BIN" kb "$@" >"$D_OUT" 2>"$D_ERR" </dev/null
    D_RC=$?
}

kb list list
case_begin kb/list-covers-every-cause
need_exit 0
for id in $(sed -n 's/^| `\([a-z-]*\)` |.*/\1/p' "$ROOT/docs/causes.md"); do
    grep -q " $id " "$D_OUT" || because "no runbook listed for cause $id"
done
case_end

kb lint-builtin lint
case_begin kb/lint-builtin-clean
need_exit 0
grep -q ' 0 errors' "$D_OUT" || because "lint output: $(tail -n 1 "$D_OUT")"
case_end

if [ -r "$SEED" ]; then
    kb lint-seed lint "$SEED"
    case_begin kb/lint-seed-clean
    need_exit 0
    grep -q ' 0 errors' "$D_OUT" || because "lint output: $(head -n 3 "$D_OUT")"
    case_end

    kb show-seed show ERROR-001 --kb "$SEED"
    case_begin kb/show-seed
    need_exit 0
    grep -q 'Redis Connection Refused' "$D_OUT" || because "title missing"
    grep -q 'docker restart redis' "$D_OUT" || because "fix_command missing"
    grep -q 'Diagnosis Steps' "$D_OUT" || because "body missing"
    case_end
else
    skip_case kb/lint-seed-clean "shared/seeds not beside this clone"
fi

# A broken knowledge base: every kind of problem, each named with file:line:col.
BAD=$TMPD/badkb
mkdir -p "$BAD"
printf -- '---\nerror_id: B-1\ntitle: bad pattern\nseverity: low\npatterns:\n  - "x(y"\n---\n' >"$BAD/pattern.md"
printf -- '---\nerror_id: B-2\ntitle: tabs\nseverity: low\nkeywords:\n\t- redis\n---\n' >"$BAD/tabs.md"
printf -- 'no front matter and no heading\n' >"$BAD/plain.md"
printf -- '---\nerror_id: B-1\ntitle: dup\nseverity: low\nfix_command: a | b\ncause: not-a-cause\n---\n' >"$BAD/dup.md"
printf -- '---\nerror_id: B-3\ntitle: \xff\xfe\nseverity: low\n---\n' >"$BAD/latin1.md"
kb lint-bad lint --no-builtin "$BAD"
case_begin kb/lint-reports-every-problem
need_exit 1
for want in "pattern.md:6:5: error: pattern does not compile" "tabs.md:6:1: error: tab character" \
            "plain.md:1:1: error: no title" ".md:2:11: error: duplicate error_id B-1" \
            "dup.md:5:14: error: fix_command cannot be split" "dup.md:6:8: error: unknown cause id" \
            "latin1.md:3:8: error: not UTF-8"; do
    grep -qF "$want" "$D_OUT" || because "missing: $want"
done
case_end

# A user runbook for server-down overrides the built-in one in diagnose.
USER=$TMPD/userkb
mkdir -p "$USER"
cat >"$USER/refused.md" <<'MD'
---
error_id: OPS-7
title: Our Redis is down
cause: server-down
severity: high
---
## Diagnosis Steps
```bash
ops-check-redis --port {port} --host {host}
```
## Resolution
```bash
ops-restart redis
```
MD
cp "$BAD/pattern.md" "$USER/zz-broken.md"
free_port
diag override --json --timeout "$RMD_TIMEOUT" --kb "$USER" -p "$PORT"
case_begin kb/user-runbook-overrides
need_jq '.findings[0].runbook == "OPS-7"' "finding not linked to the user runbook"
need_jq ".findings[0].next_steps[0] | startswith(\"ops-check-redis --port $PORT --host 127.0.0.1\")" "steps not from the user runbook"
# the team's tool is not on this host: the step stays, and says so
need_jq '.findings[0].next_steps[0] | endswith("# ops-check-redis is not installed on this host")' "missing tool not said"
[ "$(grep -c 'warning: skipping runbook' "$D_ERR")" = 1 ] || because "want one warning for the broken runbook, got: $(head -c 300 "$D_ERR")"
case_end

REDIS_MEDIC_KB=$USER diag override-env --json --timeout "$RMD_TIMEOUT" -p "$PORT"
case_begin kb/user-runbook-from-env
need_jq '.findings[0].runbook == "OPS-7"' "REDIS_MEDIC_KB not honoured"
case_end

diag builtin-link --json --timeout "$RMD_TIMEOUT" -p "$PORT"
case_begin kb/findings-link-builtin-runbooks
need_jq '.findings[0].runbook == "RMD-SERVER-DOWN"' "server-down not linked to RMD-SERVER-DOWN"
need_jq '.findings[0].next_steps | length > 0' "no next steps"
case_end

# Occurrences: two diagnoses, then kb show reports them from the state database.
STATE=$TMPD/occ/state.db
diag occ1 --json --timeout "$RMD_TIMEOUT" --state "$STATE" -p "$PORT"
diag occ2 --json --timeout "$RMD_TIMEOUT" --state "$STATE" -p "$PORT"
kb show-occ show RMD-SERVER-DOWN --json --state "$STATE"
case_begin kb/occurrences-recorded
need_exit 0
need_jq '.occurrences.count == 2' "occurrence count not 2"
need_jq ".occurrences.history[0].target == \"redis://127.0.0.1:$PORT/0\"" "history target wrong"
case_end
kb show-missing show NO-SUCH-RUNBOOK
case_begin kb/show-unknown-id
need_exit 64
need_stderr_one_line
case_end
