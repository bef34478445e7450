/* kblink.c -- the cause vocabulary for linking team runbooks (see kblink.h).
 *
 * One table: cause id, phrase, places where the phrase counts. A phrase
 * counts only where it is specific: "connection refused" in a title says the
 * runbook is about a refused connection (server-down), while the same words
 * among a dozen symptoms of a timeout runbook do not. docs/runbooks.md shows
 * this table; keep the two in step.
 */
#include "kblink.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "causes.h"

#define T RMD_LINK_TITLE
#define S RMD_LINK_SECTION
#define Y RMD_LINK_SYMPTOM
#define C RMD_LINK_COMMAND
#define R RMD_LINK_ROW

typedef struct vocab {
    const char *cause;
    const char *phrase;   /* lower case words separated by one space */
    int         where;
} vocab;

static const vocab table[] = {
    {"server-down", "connection refused", T},
    {"server-down", "econnrefused", T},
    {"server-down", "redis down", T | S | Y},
    {"server-down", "redis is down", T | S | Y},
    {"server-down", "redis up 0", Y},               /* the exporter metric redis_up = 0 */
    {"server-down", "container crashed", S},
    {"server-down", "container not started", S | Y},
    {"server-down", "server down", T | S | Y},
    {"firewall-reject", "firewall", T | S | Y},
    {"firewall-reject", "security group", T | S | Y},
    {"firewall-reject", "iptables", S | Y},
    {"connect-timeout", "connection timeout", T | S},
    {"connect-timeout", "connect timeout", T | S},
    {"server-unresponsive", "server overload", T | S},
    {"server-unresponsive", "unresponsive", T | S | Y},
    {"server-unresponsive", "not responding", T | S | Y},
    {"high-latency", "latency", T | S | R},
    {"keepalive-disabled", "keep alive", T | S | Y},
    {"keepalive-disabled", "keepalive", T | S | Y | C},
    {"oom-maxmemory", "out of memory", T | S | Y},
    {"oom-maxmemory", "maxmemory", T | S | C},
    {"oom-maxmemory", "oom command not allowed", T | S | Y},
    {"memory-high", "memory usage", R},
    {"memory-high", "high memory", T | S | Y},
    {"oom-killed", "oom killer", T | S | Y},
    {"oom-killed", "oom killed", T | S | Y},
    {"persistence-failure", "persistence", T | S},
    {"persistence-failure", "aof", T | S},
    {"persistence-failure", "rdb", T | S},
    {"persistence-failure", "disk full", T | S | Y},
    {"persistence-failure", "bgsave", T | S | Y},
    {"persistence-failure", "misconf", T | S | Y},
    {"clients-near-limit", "connection exhaustion", T | S},
    {"clients-near-limit", "pool exhausted", T | S | Y},
    {"clients-near-limit", "traffic spike", T | S},
    {"clients-near-limit", "too many connections", T | S | Y},
    {"clients-near-limit", "connected clients", R},
    {"clients-near-limit", "maxclients", T | S | C},
    {"maxclients-reached", "maxclients", T | S | C},
    {"maxclients-reached", "max number of clients", T | S | Y},
    {"connection-leak", "connection leak", T | S | Y},
    {"pool-exhausted", "pool exhausted", T | S | Y},
    {"pool-exhausted", "pool exhaustion", T | S | Y},
    {"rejected-connections", "rejected connections", T | S | Y},
    {"auth-failed", "wrongpass", T | S | Y},
    {"auth-failed", "invalid password", T | S | Y},
    {"auth-failed", "authentication failed", T | S | Y},
    {"auth-required", "noauth", T | S | Y},
    {"auth-required", "authentication required", T | S | Y},
    {"tls-error", "tls", T | S},
    {"tls-error", "ssl", T | S},
    {"tls-error", "certificate", T | S | Y},
    {"dns-failure", "dns", T | S | Y},
    {"dns-failure", "name resolution", T | S | Y},
    {"protected-mode", "protected mode", T | S | Y | C},
    {"readonly-replica", "readonly", T | S | Y},
    {"readonly-replica", "read only replica", T | S | Y},
    {"replica-link-down", "replication", T | S},
    {"replica-link-down", "master link", T | S | Y},
    {"replica-link-down", "replica link", T | S | Y},
    {"cluster-down", "cluster down", T | S | Y},
    {"cluster-down", "clusterdown", T | S | Y},
    {"slow-commands", "slow command", T | S | Y},
    {"slow-commands", "slow queries", T | S | Y},
    {"slow-commands", "slowlog", T},
    {"loading-dataset", "loading the dataset", T | S | Y},
    {"server-busy", "busy script", T | S | Y},
    {"server-busy", "lua script", T | S},
    {"command-timeout", "command timeout", T | S | Y},
    {"command-timeout", "read timeout", T | S | Y},
    {"command-timeout", "socket timeout", T | S | Y},
    {"connection-reset", "connection reset", T | S | Y},
    {"connection-reset", "econnreset", T | S | Y},
    {"connection-reset", "broken pipe", T | S | Y},
    {"port-in-use", "address already in use", T | S | Y},
    {"port-in-use", "port already in use", T | S | Y},
    {"port-in-use", "port conflict", T | S},
    {"server-crash", "crash", T | Y},
    {"server-crash", "segfault", T | S | Y},
    {"protocol-error", "protocol error", T | S | Y},
    {"eviction-active", "eviction", T | S | Y},
    {"latency-monitor-off", "latency monitor", T | S | C},
};

#undef T
#undef S
#undef Y
#undef C
#undef R

int rmd_kblink_weight(int where) {
    if (where & RMD_LINK_TITLE) return 3;
    if (where & (RMD_LINK_SECTION | RMD_LINK_SYMPTOM)) return 2;
    return where ? 1 : 0;
}

const char *rmd_kblink_place(int where) {
    switch (where) {
    case RMD_LINK_TITLE: return "title";
    case RMD_LINK_SECTION: return "section";
    case RMD_LINK_SYMPTOM: return "symptom";
    case RMD_LINK_COMMAND: return "command";
    case RMD_LINK_ROW: return "table row";
    }
    return "text";
}

/* Lower-case words of text, one space between, CamelCase split
 * ("ConnectionRefused" -> "connection refused"), into out. Returns length. */
static size_t normalise(const char *t, size_t n, char *out, size_t outlen) {
    size_t o = 0;
    int space = 1;
    for (size_t i = 0; i < n && o + 2 < outlen; i++) {
        unsigned char c = (unsigned char)t[i];
        if (isalnum(c)) {
            if (!space && isupper(c) && i && islower((unsigned char)t[i - 1])) out[o++] = ' ';
            out[o++] = (char)tolower(c);
            space = 0;
        } else if (!space) {
            out[o++] = ' ';
            space = 1;
        }
    }
    while (o && out[o - 1] == ' ') o--;
    out[o] = '\0';
    return o;
}

/* Does phrase occur in words s at word boundaries (a plural "s" allowed)? */
static int has_phrase(const char *s, size_t sl, const char *phrase) {
    size_t pl = strlen(phrase);
    for (const char *p = s; (p = strstr(p, phrase)) != NULL; p++) {
        size_t at = (size_t)(p - s);
        if (at && s[at - 1] != ' ') continue;
        size_t e = at + pl;
        if (e < sl && s[e] == 's') e++;
        if (e == sl || s[e] == ' ') return 1;
    }
    return 0;
}

size_t rmd_kblink_match(const char *text, size_t len, int where, rmd_kblink_hit *out, size_t max) {
    char words[1024];
    size_t wl = normalise(text, len, words, sizeof words), n = 0;
    if (!wl) return 0;
    for (size_t i = 0; i < sizeof table / sizeof table[0] && n < max; i++) {
        if (!(table[i].where & where) || !has_phrase(words, wl, table[i].phrase)) continue;
        int dup = 0;
        for (size_t k = 0; k < n; k++) dup |= !strcmp(out[k].cause, table[i].cause);
        if (!dup) out[n++] = (rmd_kblink_hit){table[i].cause, table[i].phrase, where};
    }
    return n;
}

void rmd_kblink_table_print(void *f) {
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
        fprintf(f, "%-22s %-26s", table[i].cause, table[i].phrase);
        for (int b = RMD_LINK_TITLE; b <= RMD_LINK_ROW; b <<= 1)
            if (table[i].where & b) fprintf(f, " %s", rmd_kblink_place(b));
        fputc('\n', f);
    }
}
