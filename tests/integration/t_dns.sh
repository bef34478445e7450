#!/usr/bin/env bash
# A name that cannot resolve (.invalid is reserved, RFC 2606) -> dns-failure.
source "$(dirname "$0")/lib.sh"

diag dns --json --timeout "$RMD_TIMEOUT" "redis://nosuchhost.invalid:6379"
case_begin dns/invalid-host
need_json
need_first dns-failure
need_reachable false
need_exit 2
case_end

diag dns-h --json --timeout "$RMD_TIMEOUT" -h nosuchhost.invalid -p 6379
case_begin dns/invalid-host-flag
need_json
need_first dns-failure
need_exit 2
case_end
