#!/usr/bin/env bash
# Healthy servers: a plain TCP server answers (JSON and text report) and a
# server reached through its unix socket answers. Exit 0: info findings only.
source "$(dirname "$0")/lib.sh"

if ! start_redis ok --unixsocket "$TMPD/ok.sock" --unixsocketperm 700; then
    for c in healthy/json healthy/text healthy/unix-socket; do fail_line "$c" "setup: $START_ERR"; done
    exit 1
fi
port=${R_PORT[ok]}
version=$(info_field ok redis_version)

diag healthy-json --json --timeout "$RMD_TIMEOUT" -h 127.0.0.1 -p "$port"
case_begin healthy/json
need_json
need_reachable true
need_server ok
need_exit 0
need_jq 'all(.findings[]?; .severity == "info")' "findings above info on a healthy server"

need_jq ".server.version == \"$version\"" "server.version is not $version"
need_jq '.target | test("^redis://")' "target is not a redis:// URL"
case_end

diag healthy-text --timeout "$RMD_TIMEOUT" "redis://127.0.0.1:$port"
case_begin healthy/text
need_exit 0
need_out_contains "$version"
if [ ! -s "$D_OUT" ] || grep -q $'\e\[' "$D_OUT"; then
    because "text report empty or coloured although stdout is not a tty"
fi
case_end

diag healthy-unix --json --timeout "$RMD_TIMEOUT" "unix://$TMPD/ok.sock"
case_begin healthy/unix-socket
need_json
need_reachable true
need_server ok
need_exit 0
case_end
