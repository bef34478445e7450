#!/usr/bin/env bash
# Files that hold secrets or history: a --password-file every user can read is
# used with a warning (refused with --strict); the state database and the
# directories made for it are private (0600 / 0700) whatever the umask, and an
# existing world-readable one is warned about; a state database held locked by
# another process (the sqlite3 CLI, for real) past the busy timeout costs the
# occurrences, said in one line on stderr, while the report still prints and
# the exit status stays that of the diagnosis.
source "$(dirname "$0")/lib.sh"

PW="rmd-Perm-$RANDOM$RANDOM-pw"
cases=(perms/password-file-world-readable perms/password-file-strict perms/password-file-strict-private
       perms/state-created-private perms/state-world-readable-warned perms/kb-show-world-readable-warned
       perms/state-locked)

if ! start_redis pp; then
    for c in "${cases[@]}"; do fail_line "$c" "setup: $START_ERR"; done
    exit 1
fi
port=${R_PORT[pp]}
printf 'CONFIG SET requirepass "%s"\n' "$PW" | rcli pp >/dev/null
printf '%s\n' "$PW" >"$TMPD/pw-open"
chmod 644 "$TMPD/pw-open"
printf '%s\n' "$PW" >"$TMPD/pw-private"
chmod 600 "$TMPD/pw-private"

diag pw-open --json --timeout "$RMD_TIMEOUT" --password-file "$TMPD/pw-open" -h 127.0.0.1 -p "$port"
case_begin perms/password-file-world-readable
need_json
need_reachable true
need_server pp
need_no_finding auth-failed
need_no_finding auth-required
grep -q "warning: --password-file: '$TMPD/pw-open' is readable by every user .*chmod 600" "$D_ERR" ||
    because "no warning about the world-readable password file on stderr"
need_no_secret "$PW" "$D_OUT" "$D_ERR"
case_end

diag pw-strict --json --strict --timeout "$RMD_TIMEOUT" --password-file "$TMPD/pw-open" -h 127.0.0.1 -p "$port"
case_begin perms/password-file-strict
need_exit 64
need_stderr_one_line
grep -q "refused (--strict)" "$D_ERR" || because "stderr does not say the file was refused"
[ -s "$D_OUT" ] && because "stdout is not empty"
need_no_secret "$PW" "$D_OUT" "$D_ERR"
case_end

diag pw-strict-ok --json --strict --timeout "$RMD_TIMEOUT" --password-file "$TMPD/pw-private" -h 127.0.0.1 -p "$port"
case_begin perms/password-file-strict-private
need_json
need_reachable true
need_server pp
[ -s "$D_ERR" ] && because "stderr not empty: $(head -c 200 "$D_ERR")"
case_end

# A port where nothing listens: a server-down finding to record.
free_port
dead=$PORT
db=$TMPD/st/a/b/state.db
rows() { sqlite3 "$db" 'SELECT count(*) FROM occurrences' 2>/dev/null; }

old_umask=$(umask)
umask 000
diag state-new --json --timeout "$RMD_TIMEOUT" --no-host --state "$db" -h 127.0.0.1 -p "$dead"
umask "$old_umask"
case_begin perms/state-created-private
need_json
need_first server-down
need_exit 2
[ "$(stat -c %a "$db" 2>/dev/null)" = 600 ] || because "state.db mode $(stat -c %a "$db" 2>&1), want 600"
for d in "$TMPD/st" "$TMPD/st/a" "$TMPD/st/a/b"; do
    [ "$(stat -c %a "$d" 2>/dev/null)" = 700 ] || because "$d mode $(stat -c %a "$d" 2>&1), want 700"
done
[ "$(rows)" -ge 1 ] 2>/dev/null || because "nothing recorded (rows: $(rows))"
[ -s "$D_ERR" ] && because "stderr not empty: $(head -c 200 "$D_ERR")"
case_end

chmod 644 "$db"
diag state-open --json --timeout "$RMD_TIMEOUT" --no-host --state "$db" -h 127.0.0.1 -p "$dead"
case_begin perms/state-world-readable-warned
need_json
need_exit 2
grep -q "warning: state database $db is readable by other users (mode 0644)" "$D_ERR" ||
    because "no warning about the world-readable state database"
case_end

case_begin perms/kb-show-world-readable-warned
XDG_STATE_HOME=$TMPD/none "$RMD_BIN" kb show --state "$db" RMD-SERVER-DOWN >"$TMPD/kbshow.out" 2>"$TMPD/kbshow.err"
rc=$?
[ "$rc" -eq 0 ] || because "kb show exit $rc: $(head -c 200 "$TMPD/kbshow.err")"
grep -q "warning: state database $db is readable by other users (mode 0644)" "$TMPD/kbshow.err" ||
    because "kb show does not warn about the world-readable state database"
D_OUT=
case_end
chmod 600 "$db"

# The sqlite3 CLI takes the write lock (BEGIN EXCLUSIVE) and keeps it while
# diagnose runs; it prints "locked" once the lock is held.
before=$(rows)
mkfifo "$TMPD/lock.in"
sqlite3 "$db" <"$TMPD/lock.in" >"$TMPD/lock.out" 2>&1 &
holder=$!
track_pid "$holder"
exec {lockfd}>"$TMPD/lock.in"
printf "BEGIN EXCLUSIVE;\nSELECT 'locked';\n" >&"$lockfd"
if ! wait_until 10 grep -q '^locked$' "$TMPD/lock.out"; then
    fail_line perms/state-locked "setup: sqlite3 did not take the lock: $(head -c 200 "$TMPD/lock.out")"
else
    diag state-locked --json --timeout "$RMD_TIMEOUT" --no-host --state "$db" -h 127.0.0.1 -p "$dead"
    case_begin perms/state-locked
    need_json
    need_first server-down
    need_exit 2
    need_stderr_one_line
    grep -q "warning: [0-9]* of [0-9]* occurrences not recorded: state database $db stayed locked by another process" \
        "$D_ERR" || because "stderr does not say the occurrences were lost to the lock"
    alive "$holder" || because "the lock holder was gone before diagnose ended: the lock was not held"
    printf 'COMMIT;\n.quit\n' >&"$lockfd"
    exec {lockfd}>&-
    lockfd=
    wait "$holder" 2>/dev/null
    [ "$(rows)" = "$before" ] || because "rows changed under the lock: $before -> $(rows)"
    diag state-unlocked --json --timeout "$RMD_TIMEOUT" --no-host --state "$db" -h 127.0.0.1 -p "$dead"
    [ "$(rows)" -gt "$before" ] || because "nothing recorded once the lock was released"
    case_end
fi
if [ -n "${lockfd:-}" ]; then exec {lockfd}>&-; fi
