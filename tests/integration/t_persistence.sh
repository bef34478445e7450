#!/usr/bin/env bash
# The data dir removed under a running server, then BGSAVE: the fork cannot
# create its temp file, rdb_last_bgsave_status:err -> persistence-failure.
source "$(dirname "$0")/lib.sh"

mkdir -p "$TMPD/pers/data"
if ! start_redis pers --dir "$TMPD/pers/data"; then
    fail_line persistence/bgsave-failed "setup: $START_ERR"
    exit 1
fi
rm -rf "$TMPD/pers/data"
out=$(rcli pers BGSAVE 2>&1)
failed() {
    [ "$(info_field pers rdb_bgsave_in_progress)" = 0 ] &&
        [ "$(info_field pers rdb_last_bgsave_status)" = err ]
}
if ! wait_until 10 failed; then
    fail_line persistence/bgsave-failed "setup: BGSAVE said '$out' but rdb_last_bgsave_status=$(info_field pers rdb_last_bgsave_status)"
    exit 1
fi

diag pers --json --timeout "$RMD_TIMEOUT" -h 127.0.0.1 -p "${R_PORT[pers]}"
case_begin persistence/bgsave-failed
need_json
need_reachable true
need_server pers
need_finding persistence-failure
[ "$D_RC" -ge 1 ] || because "exit $D_RC, want >= 1"
case_end
