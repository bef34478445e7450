#!/usr/bin/env bash
# requirepass: no password -> auth-required; a wrong one -> auth-failed; the
# right one through -a, the URL, REDISCLI_AUTH and --password-file -> the
# server answers. The password never appears in stdout or stderr of any run.
# (argv of a finished process cannot be checked; not attempted.)
source "$(dirname "$0")/lib.sh"

PW="rmd-S3cret-$RANDOM$RANDOM-pw"
WRONG="rmd-Wr0ng-$RANDOM$RANDOM-pw"
USERPW="rmd-UserPw-$RANDOM$RANDOM"
cases=(auth/none auth/wrong auth/flag-a auth/url auth/env auth/password-file auth/text-report auth/acl-user-url)

if ! start_redis au; then
    for c in "${cases[@]}"; do fail_line "$c" "setup: $START_ERR"; done
    exit 1
fi
port=${R_PORT[au]}
# Set the passwords through stdin, never on a command line.
printf 'CONFIG SET requirepass "%s"\nACL SETUSER medic on >%s +@all ~*\n' "$PW" "$USERPW" | rcli au >/dev/null
if [[ "$(rcli au PING 2>&1)" != *NOAUTH* ]] || [ "$(rcli_auth au "$PW" PING)" != PONG ]; then
    for c in "${cases[@]}"; do fail_line "$c" "setup: requirepass not in effect"; done
    exit 1
fi
version=$(rcli_auth au "$PW" INFO server | awk -F: '$1 == "redis_version" {print $2}')
printf '%s\n' "$PW" >"$TMPD/pwfile"
chmod 600 "$TMPD/pwfile"
outs=()

diag none --json --timeout "$RMD_TIMEOUT" -h 127.0.0.1 -p "$port"
case_begin auth/none
need_json
need_first auth-required
need_exit 2
case_end

diag wrong --json --timeout "$RMD_TIMEOUT" -h 127.0.0.1 -p "$port" -a "$WRONG"
case_begin auth/wrong
need_json
need_first auth-failed
need_exit 2
need_no_secret "$WRONG" "$D_OUT" "$D_ERR"
case_end
outs+=("$D_OUT" "$D_ERR")

# ok_case NAME: the right password worked and left no trace in the output.
ok_case() {
    case_begin "$1"
    need_json
    need_reachable true
    need_server au
    need_no_finding auth-required
    need_no_finding auth-failed
    [ "$D_RC" -le 1 ] || because "exit $D_RC, want 0 or 1"
    need_no_secret "$PW" "$D_OUT" "$D_ERR"
    need_jq '.target | test("\\*\\*\\*") or (contains("@") | not)' "target shows a password instead of ***"
    case_end
    outs+=("$D_OUT" "$D_ERR")
}

diag flag-a --json --timeout "$RMD_TIMEOUT" -h 127.0.0.1 -p "$port" -a "$PW"
ok_case auth/flag-a

diag url --json --timeout "$RMD_TIMEOUT" "redis://:$PW@127.0.0.1:$port/0"
ok_case auth/url

REDISCLI_AUTH=$PW diag env --json --timeout "$RMD_TIMEOUT" -h 127.0.0.1 -p "$port"
ok_case auth/env

diag pwfile --json --timeout "$RMD_TIMEOUT" --password-file "$TMPD/pwfile" "redis://127.0.0.1:$port"
ok_case auth/password-file

diag text --timeout "$RMD_TIMEOUT" "redis://:$PW@127.0.0.1:$port"
case_begin auth/text-report
need_out_contains "$version"
[ "$D_RC" -le 1 ] || because "exit $D_RC, want 0 or 1"
[ -s "$D_OUT" ] || because "empty report"
need_no_secret "$PW" "$D_OUT" "$D_ERR"
case_end

diag acl --json --timeout "$RMD_TIMEOUT" "redis://medic:$USERPW@127.0.0.1:$port"
case_begin auth/acl-user-url
need_json
need_reachable true
need_server au
need_no_secret "$USERPW" "$D_OUT" "$D_ERR"
need_jq '.target | test("^redis://medic:\\*\\*\\*@")' "target is not redis://medic:***@..."
case_end
