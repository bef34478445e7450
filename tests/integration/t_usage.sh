#!/usr/bin/env bash
# Usage errors: exit 64 and exactly one line on stderr, nothing probed.
source "$(dirname "$0")/lib.sh"

# usage_case NAME ARGS...
usage_case() {
    local name=$1; shift
    diag "usage-${name//\//-}" "$@"
    case_begin "usage/$name"
    need_exit 64
    need_stderr_one_line
    case_end
}

long_host=$(head -c 5000 /dev/zero | tr '\0' a)
usage_case port-out-of-range-url "redis://:99999"
usage_case wrong-scheme "http://x"
usage_case host-5000-chars "redis://$long_host:6379"
usage_case unclosed-ipv6-bracket "redis://[::1"
usage_case unknown-flag --frobnicate
usage_case port-out-of-range-flag -p 70000
usage_case port-not-a-number -p 63x79
usage_case timeout-not-a-number --timeout soon
usage_case flag-missing-value -h
