/* advice.c -- next steps per cause (see advice.h).
 *
 * The steps are the first diagnosis and resolution steps of each cause's
 * runbook (docs/causes.md), with the endpoint filled in.
 */
#include "advice.h"

#include <stdio.h>
#include <string.h>

#include "util.h"

#define MAX_STEPS 6

typedef struct advice {
    rmd_cause   cause;
    const char *steps[MAX_STEPS];
} advice;

static const advice table[] = {
    {RMD_CAUSE_DNS_FAILURE, {"getent ahosts {host}", "cat /etc/resolv.conf",
        "check the host name in the client's configuration (REDIS_URL, settings) for a typo or a stale service name"}},
    {RMD_CAUSE_SERVER_DOWN, {"systemctl status redis-server   # or: docker ps -a --filter name=redis",
        "journalctl -u redis-server -n 50   # or: docker logs --tail 50 <container>",
        "ss -ltnp 'sport = :{port}'", "systemctl start redis-server   # or: docker start <container>",
        "{cli} ping"}},
    {RMD_CAUSE_FIREWALL_REJECT, {"nft list ruleset | grep -n {port}   # or: iptables -S | grep {port}",
        "ss -ltnp 'sport = :{port}'", "check cloud security groups / network policies between client and server",
        "{cli} ping"}},
    {RMD_CAUSE_CONNECT_TIMEOUT, {"ping -c 3 {host}", "nc -vz -w 2 {host} {port}",
        "nft list ruleset | grep -n {port}   # a DROP rule, or a security group without port {port}",
        "ss -ltn 'sport = :{port}'   # on the server host: Recv-Q > 0 on the listener means a full accept queue"}},
    {RMD_CAUSE_SERVER_UNRESPONSIVE, {"ps -o pid,stat,etime,cmd -C redis-server   # STAT T = stopped",
        "kill -CONT <pid>   # only if it was stopped by mistake", "{cli} --latency",
        "{cli} SLOWLOG GET 10   # once it answers", "grep -i -E 'swap|oom' /var/log/syslog | tail"}},
    {RMD_CAUSE_TLS_REQUIRED, {"{cli} --tls --cacert <ca.crt> ping",
        "use rediss://{host}:{port} in the client (REDIS_URL) and give it the CA certificate"}},
    {RMD_CAUSE_TLS_ERROR, {"openssl s_client -connect {host}:{port} -servername {host} </dev/null | head -30",
        "{cli} --tls --cacert <ca.crt> ping", "check the certificate's expiry and names: openssl x509 -noout -dates -ext subjectAltName -in <server.crt>",
        "if the port is plaintext, use redis://{host}:{port}"}},
    {RMD_CAUSE_AUTH_REQUIRED, {"{cli} --askpass ping", "set the password in the client (REDIS_URL redis://:<password>@{host}:{port}, or REDISCLI_AUTH)"}},
    {RMD_CAUSE_AUTH_FAILED, {"{cli} --user <user> --askpass ping", "{cli} ACL LIST   # as an admin: is the user on, does it have the password",
        "compare the client's secret with the server's requirepass / ACL file (a rotated secret?)"}},
    {RMD_CAUSE_PROTECTED_MODE, {"set a password (requirepass or an ACL user) and use it in clients",
        "or bind to the private interface explicitly and set protected-mode no in redis.conf, then restart",
        "redis-cli -h 127.0.0.1 -p {port} CONFIG GET protected-mode   # on the server host"}},
    {RMD_CAUSE_MAXCLIENTS_REACHED, {"redis-cli -h {host} -p {port} INFO clients   # from a host whose connection is already open, or as soon as one frees",
        "ss -tn state established '( sport = :{port} )' | awk '{print $4}' | cut -d: -f1 | sort | uniq -c | sort -rn | head",
        "{cli} CONFIG SET maxclients <higher>   # needs ulimit -n above it", "restart or fix the client holding most connections (pool size, leak)"}},
    {RMD_CAUSE_NOT_REDIS, {"nc -v {host} {port} </dev/null | head -c 200", "ss -ltnp 'sport = :{port}'   # which process owns the port",
        "check the port in the client's configuration"}},
    {RMD_CAUSE_LOADING_DATASET, {"{cli} INFO persistence | grep -E 'loading|async_loading'",
        "wait for loading_eta_seconds; clients should retry on LOADING"}},
    {RMD_CAUSE_SERVER_BUSY, {"{cli} SCRIPT KILL   # or FUNCTION KILL; only if the script has not written",
        "{cli} INFO stats | grep busy", "find the script: SLOWLOG GET after it ends; fix its loop"}},
    {RMD_CAUSE_UNKNOWN, {"{cli} ping", "nc -v {host} {port} </dev/null | head -c 200",
        "journalctl -u redis-server -n 50   # or: docker logs --tail 50 <container>"}},
    {RMD_CAUSE_OOM_MAXMEMORY, {"{cli} INFO memory", "{cli} --bigkeys   # scans the keyspace: run on a replica or off-peak",
        "{cli} CONFIG SET maxmemory <bigger>   # if the host has room", "{cli} CONFIG SET maxmemory-policy allkeys-lru   # only if the data is a cache"}},
    {RMD_CAUSE_MEMORY_HIGH, {"{cli} INFO memory", "{cli} MEMORY DOCTOR", "{cli} --memkeys   # scans the keyspace: off-peak",
        "plan: raise maxmemory, add TTLs, or shard"}},
    {RMD_CAUSE_PERSISTENCE_FAILURE, {"{cli} INFO persistence", "ls -ld {dir} && df -h {dir}",
        "journalctl -u redis-server -n 50 | grep -i -E 'save|fork|aof|disk'",
        "fix the cause (disk full, dir removed, permissions, fork failing), then: {cli} BGSAVE"}},
    {RMD_CAUSE_CLIENTS_NEAR_LIMIT, {"{cli} INFO clients", "{cli} CLIENT LIST | awk '{print $2}' | cut -d= -f2 | cut -d: -f1 | sort | uniq -c | sort -rn | head",
        "{cli} CONFIG GET maxclients", "reduce pool sizes, or raise maxclients (and ulimit -n)"}},
    {RMD_CAUSE_REJECTED_CONNECTIONS, {"{cli} INFO stats | grep rejected_connections", "{cli} CONFIG GET maxclients",
        "find who holds connections: {cli} CLIENT LIST"}},
    {RMD_CAUSE_CONNECTION_LEAK, {"{cli} CLIENT LIST | grep -E 'idle=[0-9]{3,}' | head",
        "fix the client: close connections / reuse a bounded pool; restart it to release them now",
        "{cli} CONFIG SET timeout 300   # closes idle clients after 5 min; check pools tolerate it"}},
    {RMD_CAUSE_SLOW_COMMANDS, {"{cli} SLOWLOG GET 10", "{cli} INFO commandstats | sort -t= -k4 -n -r | head",
        "{cli} LATENCY DOCTOR", "replace O(N) commands (KEYS, SMEMBERS of big sets, ...) with SCAN / smaller structures"}},
    {RMD_CAUSE_HIGH_LATENCY, {"{cli} --latency-history -i 1", "{cli} --intrinsic-latency 5   # on the server host",
        "{cli} LATENCY DOCTOR", "check CPU steal, swap and network between client and server"}},
    {RMD_CAUSE_REPLICA_LINK_DOWN, {"{cli} INFO replication", "redis-cli -h <master_host> -p <master_port> ping",
        "journalctl -u redis-server -n 50 | grep -i -E 'master|sync|replica'"}},
    {RMD_CAUSE_CLUSTER_DOWN, {"{cli} CLUSTER INFO", "{cli} CLUSTER NODES | grep -E 'fail|disconnected'",
        "redis-cli --cluster check {host}:{port}", "restart the failed nodes, or fail over their slots to replicas"}},
    {RMD_CAUSE_RECENT_RESTART, {"journalctl -u redis-server --since '-1h' | tail -50   # or: docker inspect --format '{{.State}}' <container>",
        "dmesg -T | grep -i -E 'killed process|out of memory'", "{cli} INFO persistence   # did it reload its data?"}},
    {RMD_CAUSE_OOM_KILLED, {"dmesg -T | grep -i -E 'killed process|out of memory'", "free -h",
        "set maxmemory below the host's memory (leave room for fork copy-on-write)", "systemctl start redis-server   # or: docker start <container>"}},
    {RMD_CAUSE_KEEPALIVE_DISABLED, {"{cli} CONFIG SET tcp-keepalive 300", "persist it in redis.conf: tcp-keepalive 300"}},
    {RMD_CAUSE_EVICTION_ACTIVE, {"{cli} INFO stats | grep -E 'evicted_keys|keyspace_misses'", "{cli} INFO memory",
        "if the data is not a cache, raise maxmemory or use noeviction"}},
    {RMD_CAUSE_LATENCY_MONITOR_OFF, {"{cli} CONFIG SET latency-monitor-threshold 100",
        "{cli} CONFIG SET slowlog-log-slower-than 10000", "persist both in redis.conf"}},
};

void rmd_shell_quote(const char *s, char *out, size_t outlen) {
    size_t o = 0;
    int plain = s[0] != '\0';
    for (const char *p = s; *p; p++)
        if (!strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._/:@%+=,-", *p)) plain = 0;
    if (plain) {
        rmd_strlcpy(out, s, outlen);
        return;
    }
    if (outlen < 3) { if (outlen) out[0] = '\0'; return; }
    out[o++] = '\'';
    for (const char *p = s; *p && o + 6 < outlen; p++) {
        if (*p == '\'') { memcpy(out + o, "'\\''", 4); o += 4; }
        else if ((unsigned char)*p < 0x20 || *p == 0x7f) out[o++] = '?';
        else out[o++] = *p;
    }
    out[o++] = '\'';
    out[o] = '\0';
}

/* The redis-cli invocation for this target, never with the password. */
static void cli_for(const rmd_evidence *ev, const rmd_target *t, char *out, size_t n) {
    char q[300];
    if (ev->unix_path[0]) {
        rmd_shell_quote(ev->unix_path, q, sizeof q);
        snprintf(out, n, "redis-cli -s %s", q);
    } else {
        rmd_shell_quote(ev->host, q, sizeof q);
        snprintf(out, n, "redis-cli -h %s -p %d%s", q, ev->port, ev->tls ? " --tls" : "");
    }
    if (t && t->user) {
        size_t l = strlen(out);
        rmd_shell_quote(t->user, q, sizeof q);
        snprintf(out + l, n - l, " --user %s", q);
    }
    if (t && t->password) {
        size_t l = strlen(out);
        snprintf(out + l, n - l, " --askpass");
    }
}

void rmd_advice_expand(const char *tmpl, const rmd_evidence *ev, const rmd_target *t, char *out, size_t outlen) {
    size_t o = 0;
    const char *p = tmpl;
    if (!outlen) return;
    while (*p && o + 1 < outlen) {
        char val[600] = "";
        int known = 1;
        if (*p == '{') {
            const char *e = strchr(p, '}');
            size_t nl = e ? (size_t)(e - p - 1) : 0;
            if (e && nl == 4 && !strncmp(p + 1, "host", 4)) rmd_shell_quote(ev->host[0] ? ev->host : "localhost", val, sizeof val);
            else if (e && nl == 4 && !strncmp(p + 1, "port", 4)) snprintf(val, sizeof val, "%d", ev->port);
            else if (e && nl == 3 && !strncmp(p + 1, "cli", 3)) cli_for(ev, t, val, sizeof val);
            else if (e && nl == 6 && !strncmp(p + 1, "socket", 6)) rmd_shell_quote(ev->unix_path, val, sizeof val);
            else if (e && nl == 3 && !strncmp(p + 1, "dir", 3)) {
                const char *d = ev->config[RMD_CFG_DIR].status == RMD_ITEM_OK && ev->config[RMD_CFG_DIR].value[0]
                                    ? ev->config[RMD_CFG_DIR].value : "<dir>";
                rmd_shell_quote(d, val, sizeof val);
            } else known = 0;
            if (known) {
                size_t vl = strlen(val);
                if (o + vl >= outlen) break;
                memcpy(out + o, val, vl);
                o += vl;
                p = e + 1;
                continue;
            }
        }
        out[o++] = *p++;
    }
    out[o] = '\0';
}

void rmd_advice_fill(rmd_findings *l, const rmd_evidence *ev, const rmd_target *t) {
    for (size_t i = 0; i < l->n; i++) {
        rmd_finding *f = &l->items[i];
        for (size_t a = 0; a < sizeof table / sizeof table[0]; a++) {
            if (table[a].cause != f->cause) continue;
            for (int s = 0; s < MAX_STEPS && table[a].steps[s]; s++) {
                char buf[1024];
                rmd_advice_expand(table[a].steps[s], ev, t, buf, sizeof buf);
                rmd_strlist_add(&f->next_steps, buf);
            }
        }
    }
}
