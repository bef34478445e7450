/* evidence.c -- the evidence struct and the reply parsers (see evidence.h).
 *
 * Parsers take bytes (or a hiredis reply tree), never do I/O, reset their
 * output first and bound what they keep.
 */
#include "evidence.h"

#include <hiredis/hiredis.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/* ---------------------------------------------------------------- key/value */

const char *rmd_kv_get(const rmd_kvlist *l, const char *key) {
    for (size_t i = 0; i < l->n; i++)
        if (strcmp(l->items[i].key, key) == 0) return l->items[i].val;
    return NULL;
}

int rmd_kv_get_ll(const rmd_kvlist *l, const char *key, long long *out) {
    const char *v = rmd_kv_get(l, key);
    return v ? rmd_parse_ll(v, strlen(v), out) : -1;
}

int rmd_kv_get_double(const rmd_kvlist *l, const char *key, double *out) {
    const char *v = rmd_kv_get(l, key);
    return v ? rmd_parse_double(v, strlen(v), out) : -1;
}

/* Copy n bytes into a new string with NUL bytes replaced by '?'. */
static char *dup_clean(const char *s, size_t n) {
    char *d = malloc(n + 1);
    if (!d) return NULL;
    for (size_t i = 0; i < n; i++) d[i] = s[i] ? s[i] : '?';
    d[n] = '\0';
    return d;
}

rmd_err rmd_kv_add(rmd_kvlist *l, const char *k, size_t klen, const char *v, size_t vlen) {
    if (l->n == l->cap) {
        size_t nc = l->cap ? l->cap * 2 : 64;
        rmd_kv *ni = realloc(l->items, nc * sizeof *ni);
        if (!ni) return RMD_ENOMEM;
        l->items = ni;
        l->cap = nc;
    }
    char *kk = dup_clean(k, klen), *vv = dup_clean(v, vlen);
    if (!kk || !vv) {
        free(kk);
        free(vv);
        return RMD_ENOMEM;
    }
    l->items[l->n].key = kk;
    l->items[l->n].val = vv;
    l->n++;
    return RMD_OK;
}

void rmd_kv_free(rmd_kvlist *l) {
    for (size_t i = 0; i < l->n; i++) {
        free(l->items[i].key);
        free(l->items[i].val);
    }
    free(l->items);
    l->items = NULL;
    l->n = l->cap = 0;
}

/* -------------------------------------------------------------------- INFO */

rmd_err rmd_info_parse(const char *text, size_t len, rmd_kvlist *out) {
    const char *p = text, *end = text + len;
    rmd_kv_free(out);
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *le = nl ? nl : end;
        const char *next = nl ? nl + 1 : end;
        if (le > p && le[-1] == '\r') le--;
        if (le > p && *p != '#') {
            const char *colon = memchr(p, ':', (size_t)(le - p));
            if (colon && colon > p) {
                if (out->n >= RMD_INFO_MAX_FIELDS) return RMD_ETOOBIG;
                rmd_err e = rmd_kv_add(out, p, (size_t)(colon - p), colon + 1, (size_t)(le - colon - 1));
                if (e != RMD_OK) return e;
            }
        }
        p = next;
    }
    return RMD_OK;
}

int rmd_info_subfield(const char *value, const char *field, char *out, size_t outlen) {
    size_t fl = strlen(field);
    const char *p = value;
    while (p && *p) {
        const char *comma = strchr(p, ',');
        size_t il = comma ? (size_t)(comma - p) : strlen(p);
        if (il > fl && p[fl] == '=' && strncmp(p, field, fl) == 0) {
            rmd_memlcpy(out, outlen, p + fl + 1, il - fl - 1);
            return 0;
        }
        p = comma ? comma + 1 : NULL;
    }
    return -1;
}

/* ------------------------------------------------------------- CLIENT LIST */

/* Find "key=" in a CLIENT LIST line (fields separated by spaces); value is up
 * to the next space. Returns 1 and sets *v / *vl when found. The name field
 * is last-but-not-always; Redis escapes nothing in it but forbids spaces. */
static int line_field(const char *s, size_t n, const char *key, const char **v, size_t *vl) {
    size_t kl = strlen(key);
    size_t i = 0;
    while (i < n) {
        size_t j = i;
        while (j < n && s[j] != ' ') j++;
        if (j - i > kl && s[i + kl] == '=' && memcmp(s + i, key, kl) == 0) {
            *v = s + i + kl + 1;
            *vl = j - i - kl - 1;
            return 1;
        }
        i = j + 1;
    }
    return 0;
}

static long long field_ll(const char *s, size_t n, const char *key, long long dflt) {
    const char *v;
    size_t vl;
    long long x;
    if (!line_field(s, n, key, &v, &vl) || rmd_parse_ll(v, vl, &x) != 0) return dflt;
    return x;
}

static rmd_client_group *group_for(rmd_clients *c, const char *addr, const char *name) {
    for (size_t i = 0; i < c->n; i++)
        if (!strcmp(c->groups[i].addr, addr) && !strcmp(c->groups[i].name, name)) return &c->groups[i];
    if (c->n >= RMD_CLIENT_GROUPS_MAX - 1) { /* the last slot collects everyone else */
        addr = "(other)";
        name = "";
        for (size_t i = 0; i < c->n; i++)
            if (!strcmp(c->groups[i].addr, addr)) return &c->groups[i];
    }
    if (c->n == c->cap) {
        size_t nc = c->cap ? c->cap * 2 : 16;
        rmd_client_group *ng = realloc(c->groups, nc * sizeof *ng);
        if (!ng) return NULL;
        c->groups = ng;
        c->cap = nc;
    }
    rmd_client_group *g = &c->groups[c->n++];
    memset(g, 0, sizeof *g);
    rmd_strlcpy(g->addr, addr, sizeof g->addr);
    rmd_strlcpy(g->name, name, sizeof g->name);
    return g;
}

static int cmp_group(const void *a, const void *b) {
    const rmd_client_group *x = a, *y = b;
    return x->count < y->count ? 1 : x->count > y->count ? -1 : strcmp(x->addr, y->addr);
}

/* The client IP of an addr= value: "1.2.3.4:5" -> "1.2.3.4", "::1:5" -> "::1",
 * "[::1]:5" -> "::1", "/tmp/redis.sock:0" -> "unix". */
static void client_ip(const char *v, size_t vl, int unix_flag, char *out, size_t outlen) {
    if (unix_flag || (vl && v[0] == '/')) {
        rmd_strlcpy(out, "unix", outlen);
        return;
    }
    const char *colon = NULL;
    for (size_t i = vl; i > 0; i--)
        if (v[i - 1] == ':') { colon = v + i - 1; break; }
    size_t il = colon ? (size_t)(colon - v) : vl;
    if (il >= 2 && v[0] == '[' && v[il - 1] == ']') { v++; il -= 2; }
    char tmp[64];
    rmd_escape(tmp, sizeof tmp, v, il);
    rmd_strlcpy(out, tmp, outlen);
}

rmd_err rmd_clients_parse(const char *text, size_t len, long idle_threshold_s, rmd_clients *out) {
    const char *p = text, *end = text + len;
    rmd_clients_free(out);
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *le = nl ? nl : end;
        const char *next = nl ? nl + 1 : end;
        if (le > p && le[-1] == '\r') le--;
        size_t n = (size_t)(le - p);
        p = next;
        if (n == 0) continue;
        if (out->total + out->skipped >= RMD_CLIENTS_MAX_LINES) return RMD_ETOOBIG;
        const char *line = le - n, *v, *flags = "";
        size_t vl, fl = 0;
        if (!line_field(line, n, "addr", &v, &vl) || !line_field(line, n, "id", &flags, &fl)) {
            out->skipped++;
            continue;
        }
        line_field(line, n, "flags", &flags, &fl);
        int unix_flag = memchr(flags, 'U', fl) != NULL;
        char ip[64], name[64] = "";
        client_ip(v, vl, unix_flag, ip, sizeof ip);
        const char *nv;
        size_t nvl;
        if (line_field(line, n, "name", &nv, &nvl)) rmd_escape(name, sizeof name, nv, nvl);
        rmd_client_group *g = group_for(out, ip, name);
        if (!g) return RMD_ENOMEM;
        long long age = field_ll(line, n, "age", 0), idle = field_ll(line, n, "idle", 0);
        g->count++;
        out->total++;
        if (idle >= idle_threshold_s) { g->idle_count++; out->idle_total++; }
        if (age > g->oldest_age_s) g->oldest_age_s = age;
        if (idle > g->max_idle_s) g->max_idle_s = idle;
        if (memchr(flags, 'b', fl)) g->blocked++;
        if (memchr(flags, 'P', fl) || field_ll(line, n, "sub", 0) > 0 || field_ll(line, n, "psub", 0) > 0) g->pubsub++;
    }
    if (out->n > 1) qsort(out->groups, out->n, sizeof out->groups[0], cmp_group);
    return RMD_OK;
}

void rmd_clients_free(rmd_clients *c) {
    free(c->groups);
    memset(c, 0, sizeof *c);
}

/* ------------------------------------------------------ SLOWLOG / LATENCY */

static int reply_ll(const redisReply *r, long long *v) {
    if (r->type == REDIS_REPLY_INTEGER) { *v = r->integer; return 0; }
    if (r->type == REDIS_REPLY_STRING || r->type == REDIS_REPLY_STATUS) return rmd_parse_ll(r->str, r->len, v);
    return -1;
}

rmd_err rmd_slowlog_from_reply(const redisReply *r, rmd_slowlog *out) {
    memset(out, 0, sizeof *out);
    if (!r || r->type != REDIS_REPLY_ARRAY) return RMD_EPARSE;
    for (size_t i = 0; i < r->elements && out->n < RMD_SLOWLOG_MAX; i++) {
        const redisReply *e = r->element[i];
        rmd_slow_entry *s = &out->e[out->n];
        if (e->type != REDIS_REPLY_ARRAY || e->elements < 4) return RMD_EPARSE;
        if (reply_ll(e->element[0], &s->id) || reply_ll(e->element[1], &s->when) || reply_ll(e->element[2], &s->usec))
            return RMD_EPARSE;
        const redisReply *args = e->element[3];
        if (args->type != REDIS_REPLY_ARRAY) return RMD_EPARSE;
        rmd_buf cmd = {.max = 4096};
        for (size_t a = 0; a < args->elements && a < 3; a++) {
            const redisReply *x = args->element[a];
            char esc[64];
            if (x->type != REDIS_REPLY_STRING && x->type != REDIS_REPLY_STATUS) continue;
            rmd_escape(esc, sizeof esc, x->str, x->len);
            if (a) rmd_buf_append(&cmd, " ", 1);
            rmd_buf_append(&cmd, esc, strlen(esc));
        }
        rmd_strlcpy(s->cmd, cmd.p ? cmd.p : "", sizeof s->cmd);
        rmd_buf_free(&cmd);
        if (e->elements >= 5 && e->element[4]->type == REDIS_REPLY_STRING)
            rmd_escape(s->client, sizeof s->client, e->element[4]->str, e->element[4]->len);
        if (s->usec > out->max_usec) out->max_usec = s->usec;
        out->n++;
    }
    return RMD_OK;
}

rmd_err rmd_latency_from_reply(const redisReply *r, rmd_latency *out) {
    memset(out, 0, sizeof *out);
    if (!r || r->type != REDIS_REPLY_ARRAY) return RMD_EPARSE;
    for (size_t i = 0; i < r->elements && out->n < RMD_LATENCY_MAX; i++) {
        const redisReply *e = r->element[i];
        rmd_latency_event *l = &out->e[out->n];
        if (e->type != REDIS_REPLY_ARRAY || e->elements < 4 || e->element[0]->type != REDIS_REPLY_STRING)
            return RMD_EPARSE;
        rmd_escape(l->event, sizeof l->event, e->element[0]->str, e->element[0]->len);
        if (reply_ll(e->element[1], &l->when) || reply_ll(e->element[2], &l->latest_ms) ||
            reply_ll(e->element[3], &l->max_ms))
            return RMD_EPARSE;
        out->n++;
    }
    return RMD_OK;
}

/* ------------------------------------------------------------------ names */

const char *rmd_phase_name(rmd_phase p) {
    switch (p) {
    case RMD_PHASE_RESOLVE: return "resolve";
    case RMD_PHASE_CONNECT: return "connect";
    case RMD_PHASE_TLS: return "tls";
    case RMD_PHASE_AUTH: return "auth";
    case RMD_PHASE_PING: return "ping";
    case RMD_PHASE_COLLECT: return "collect";
    case RMD_PHASE__COUNT: break;
    }
    return "?";
}

const char *rmd_fail_name(rmd_fail f) {
    switch (f) {
    case RMD_FAIL_NONE: return "none";
    case RMD_FAIL_DNS: return "dns";
    case RMD_FAIL_REFUSED: return "refused";
    case RMD_FAIL_NOENT: return "no-such-socket";
    case RMD_FAIL_PERM: return "permission";
    case RMD_FAIL_UNREACHABLE: return "unreachable";
    case RMD_FAIL_TIMEOUT: return "timeout";
    case RMD_FAIL_RESET: return "reset";
    case RMD_FAIL_EOF: return "eof";
    case RMD_FAIL_TLS: return "tls";
    case RMD_FAIL_TLS_VERIFY: return "tls-verify";
    case RMD_FAIL_PROTOCOL: return "protocol";
    case RMD_FAIL_TOO_BIG: return "too-big";
    case RMD_FAIL_REPLY: return "error-reply";
    case RMD_FAIL_UNEXPECTED: return "unexpected-reply";
    case RMD_FAIL_SYSTEM: return "system";
    }
    return "?";
}

const char *rmd_config_name(rmd_config_key k) {
    switch (k) {
#define RMD_CFG_NAME(id, name) case RMD_CFG_##id: return name;
    RMD_CONFIG_KEYS(RMD_CFG_NAME)
#undef RMD_CFG_NAME
    case RMD_CFG__COUNT: break;
    }
    return "?";
}

/* ---------------------------------------------------------------- evidence */

void rmd_evidence_init(rmd_evidence *ev) {
    memset(ev, 0, sizeof *ev);
    ev->failed_phase = -1;
    ev->host_facts.mem_total_kb = ev->host_facts.mem_available_kb = -1;
    ev->host_facts.disk_free_bytes = ev->host_facts.disk_total_bytes = -1;
    ev->host_facts.disk_dir_exists = -1;
    ev->host_facts.oom_age_s = -1;
}

void rmd_evidence_free(rmd_evidence *ev) {
    rmd_kv_free(&ev->info);
    rmd_kv_free(&ev->cluster);
    rmd_clients_free(&ev->clients);
}

void rmd_evidence_collector(rmd_evidence *ev, const char *name, rmd_item_status st, const char *detail) {
    if (ev->n_collectors >= RMD_COLLECTORS_MAX) return;
    rmd_collect_status *c = &ev->collectors[ev->n_collectors++];
    c->name = name;
    c->status = st;
    rmd_escape(c->detail, sizeof c->detail, detail, strlen(detail));
}

rmd_item_status rmd_item_status_of_error(const char *err) {
    if (strncmp(err, "NOPERM", 6) == 0) return RMD_ITEM_DENIED;
    if (strstr(err, "unknown command") || strstr(err, "nknown subcommand")) return RMD_ITEM_UNAVAILABLE;
    return RMD_ITEM_ERROR;
}
