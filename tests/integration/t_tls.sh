#!/usr/bin/env bash
# TLS with certificates generated here (a CA, a server cert for 127.0.0.1 and
# localhost, and an unrelated second CA):
#  trusted (--cacert) -> answers; no --cacert or the wrong CA -> tls-error;
#  --insecure -> answers; plaintext to the TLS port -> tls-required;
#  TLS to a plaintext port -> tls-error.
source "$(dirname "$0")/lib.sh"

cases=(tls/trusted-flags tls/trusted-url tls/untrusted-default tls/untrusted-other-ca
       tls/insecure tls/plaintext-to-tls-port tls/tls-to-plaintext-port)
C=$TMPD/certs
if ! tls_gen "$C"; then
    for c in "${cases[@]}"; do fail_line "$c" "setup: openssl failed: $(tail -n 1 "$C/openssl.log")"; done
    exit 1
fi
free_port
tp=$PORT
if ! RS_PORT=$tp RS_CLI="--tls --cacert $C/ca.crt" start_redis tls --port 0 --tls-port "$tp" \
        --tls-cert-file "$C/server.crt" --tls-key-file "$C/server.key" \
        --tls-ca-cert-file "$C/ca.crt" --tls-auth-clients no; then
    for c in "${cases[@]}"; do fail_line "$c" "setup: $START_ERR"; done
    exit 1
fi
# The fault setups, checked with openssl and redis-cli first.
v_ok=$(openssl s_client -connect "127.0.0.1:$tp" -CAfile "$C/ca.crt" -verify_ip 127.0.0.1 \
    -verify_return_error </dev/null 2>&1 | grep -c 'Verify return code: 0 (ok)')
v_bad=$(openssl s_client -connect "127.0.0.1:$tp" -CAfile "$C/other-ca.crt" \
    -verify_return_error </dev/null 2>&1 | grep -c 'Verify return code: 0 (ok)')
plain=$(timeout 3 redis-cli -h 127.0.0.1 -p "$tp" PING 2>&1)
if [ "$v_ok" -lt 1 ] || [ "$v_bad" != 0 ] || [ "$plain" = PONG ]; then
    for c in "${cases[@]}"; do
        fail_line "$c" "setup: certificates do not behave (trusted=$v_ok untrusted=$v_bad plain=$plain)"
    done
    exit 1
fi

# reach_case NAME: the server answered over TLS.
reach_case() {
    case_begin "$1"
    need_json
    need_reachable true
    need_server tls
    need_no_finding tls-error
    need_no_finding tls-required
    [ "$D_RC" -le 1 ] || because "exit $D_RC, want 0 or 1"
    case_end
}

diag trusted --json --timeout "$RMD_TIMEOUT" --tls --cacert "$C/ca.crt" -h 127.0.0.1 -p "$tp"
reach_case tls/trusted-flags

diag trusted-url --json --timeout "$RMD_TIMEOUT" --cacert "$C/ca.crt" "rediss://127.0.0.1:$tp"
reach_case tls/trusted-url

diag_case tls/untrusted-default tls-error 2 --tls -h 127.0.0.1 -p "$tp"
diag_case tls/untrusted-other-ca tls-error 2 --cacert "$C/other-ca.crt" "rediss://127.0.0.1:$tp"

diag insecure --json --timeout "$RMD_TIMEOUT" --insecure "rediss://127.0.0.1:$tp"
reach_case tls/insecure

diag_case tls/plaintext-to-tls-port tls-required 2 "redis://127.0.0.1:$tp"

if start_redis plain; then
    diag_case tls/tls-to-plaintext-port tls-error 2 --cacert "$C/ca.crt" "rediss://127.0.0.1:${R_PORT[plain]}"
else
    fail_line tls/tls-to-plaintext-port "setup: $START_ERR"
fi

# Mutual TLS required and no client certificate given: TLS 1.3 says so on the
# first read, after the handshake. It is a TLS error naming the client
# certificate, not "unknown" and not a verification failure of ours.
free_port
mp=$PORT
if RS_PORT=$mp RS_NOPING=1 start_redis mtls --port 0 --tls-port "$mp" \
        --tls-cert-file "$C/server.crt" --tls-key-file "$C/server.key" \
        --tls-ca-cert-file "$C/ca.crt" --tls-auth-clients yes; then
    diag mtls --json --timeout "$RMD_TIMEOUT" --cacert "$C/ca.crt" "rediss://127.0.0.1:$mp"
    case_begin tls/client-certificate-required
    need_json
    need_first tls-error
    need_jq '.findings[0].summary | test("client certificate")' "summary does not name the client certificate"
    need_exit 2
    case_end
else
    fail_line tls/client-certificate-required "setup: $START_ERR"
fi
