/* evidence.c -- the evidence struct and the parsers that fill it (see evidence.h).
 *
 * Pipeline stage 3: target -> probe -> EVIDENCE -> rules -> findings -> report.
 * The probe and the collectors hand this module server replies; it turns them
 * into plain, bounded structs the rules can read without caring about RESP.
 *
 * Every parser here takes bytes (or a hiredis reply tree) and nothing else: no
 * I/O, no static mutable state. Each one resets its output first, never reads
 * past the length it is given (NUL bytes are data, not terminators), and keeps
 * at most the limits declared in evidence.h. Text that came from the server and
 * ends up in a fixed-size field is escaped with rmd_escape(), so a hostile or
 * broken server cannot put control bytes into a report.
 */
#include "evidence.h"

#include <hiredis/hiredis.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/* ------------------------------------------------------------------ lines */

/* The next line of text[0..len) starting at *pos, without its "\n" or "\r\n".
 * Sets *line (borrowed from text) and *n, advances *pos past the newline.
 * Returns 0 when the text is exhausted. A last line without "\n" counts. */
static int next_line(const char *text, size_t len, size_t *pos, const char **line, size_t *n) {
    if (!text || *pos >= len) return 0;
    const char *s = text + *pos;
    const char *nl = memchr(s, '\n', len - *pos);
    size_t l = nl ? (size_t)(nl - s) : len - *pos;
    *pos += l + (nl != NULL);
    if (l && s[l - 1] == '\r') l--;
    *line = s;
    *n = l;
    return 1;
}

/* ---------------------------------------------------------------- key/value */

const char *rmd_kv_get(const rmd_kvlist *l, const char *key) {
    if (!l || !key) return NULL;
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

/* A new C string holding s[0..n) with NUL bytes replaced by '?', so the copy
 * is as long as the input and a key like "a\0b" cannot pose as "a". Owned by
 * the caller; NULL on allocation failure. */
static char *dup_clean(const char *s, size_t n) {
    char *d = malloc(n + 1);
    if (!d) return NULL;
    for (size_t i = 0; i < n; i++) d[i] = s[i] ? s[i] : '?';
    d[n] = '\0';
    return d;
}

/* Make room for one more item. RMD_ENOMEM when the list cannot grow. */
static rmd_err kv_reserve(rmd_kvlist *l) {
    if (l->n < l->cap) return RMD_OK;
    size_t nc = l->cap ? l->cap * 2 : 64;
    if (nc < l->cap || nc > SIZE_MAX / sizeof(rmd_kv)) return RMD_ENOMEM;
    rmd_kv *ni = realloc(l->items, nc * sizeof *ni);
    if (!ni) return RMD_ENOMEM;
    l->items = ni;
    l->cap = nc;
    return RMD_OK;
}

/* Copies klen / vlen bytes of k / v (borrowed) into the list, which owns the
 * copies. The list is unchanged on failure. */
rmd_err rmd_kv_add(rmd_kvlist *l, const char *k, size_t klen, const char *v, size_t vlen) {
    if (!l || (!k && klen) || (!v && vlen)) return RMD_EINTERNAL;
    if (kv_reserve(l) != RMD_OK) return RMD_ENOMEM;
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

/* Frees every item and the array; the list is empty and reusable afterwards. */
void rmd_kv_free(rmd_kvlist *l) {
    if (!l) return;
    for (size_t i = 0; i < l->n; i++) {
        free(l->items[i].key);
        free(l->items[i].val);
    }
    free(l->items);
    l->items = NULL;
    l->n = l->cap = 0;
}

/* -------------------------------------------------------------------- INFO */

/* One INFO line: "key:value" is added (split on the first ':', so values may
 * hold ':'), anything else -- comments, blank lines, lines without a key --
 * is ignored. */
static rmd_err info_line(const char *s, size_t n, rmd_kvlist *out) {
    if (n == 0 || s[0] == '#') return RMD_OK;
    const char *colon = memchr(s, ':', n);
    if (!colon || colon == s) return RMD_OK;
    if (out->n >= RMD_INFO_MAX_FIELDS) return RMD_ETOOBIG;
    size_t kl = (size_t)(colon - s);
    return rmd_kv_add(out, s, kl, colon + 1, n - kl - 1);
}

/* Borrows text; out is emptied first and owns what it gets. On RMD_ETOOBIG out
 * keeps the first RMD_INFO_MAX_FIELDS fields; on RMD_ENOMEM what fitted. */
rmd_err rmd_info_parse(const char *text, size_t len, rmd_kvlist *out) {
    size_t pos = 0, n;
    const char *line;
    rmd_kv_free(out);
    while (next_line(text, len, &pos, &line, &n)) {
        rmd_err e = info_line(line, n, out);
        if (e != RMD_OK) return e;
    }
    return RMD_OK;
}

/* Borrows value and field. Items are separated by ',' and the field name must
 * match a whole item key ("keys" does not match "keys_x=1"). Returns 0 with the
 * value in out, or -1 when the field is missing or its value does not fit in
 * outlen (a truncated number would be a wrong number). */
int rmd_info_subfield(const char *value, const char *field, char *out, size_t outlen) {
    if (!value || !field || !out || outlen == 0) return -1;
    size_t fl = strlen(field);
    if (fl == 0) return -1;
    for (const char *p = value;;) {
        const char *comma = strchr(p, ',');
        size_t il = comma ? (size_t)(comma - p) : strlen(p);
        if (il > fl && p[fl] == '=' && memcmp(p, field, fl) == 0) {
            size_t vl = il - fl - 1;
            if (vl >= outlen) return -1;
            rmd_memlcpy(out, outlen, p + fl + 1, vl);
            return 0;
        }
        if (!comma) return -1;
        p = comma + 1;
    }
}

/* ------------------------------------------------------------- CLIENT LIST */

/* A slice of the input text (borrowed). p is NULL when the field is absent. */
typedef struct span {
    const char *p;
    size_t      n;
} span;

/* The fields of one CLIENT LIST line that the groups need. */
typedef struct client_line {
    span      addr, name, flags, cmd;
    long long age, idle;   /* -1 when absent, negative or not a number */
    int       subscribed;  /* sub=, psub= or ssub= is a positive number */
} client_line;

static int span_is(span k, const char *lit) {
    size_t n = strlen(lit);
    return k.n == n && memcmp(k.p, lit, n) == 0;
}

static int span_has(span s, char c) {
    return s.p && s.n && memchr(s.p, c, s.n) != NULL;
}

/* A non-negative decimal, or -1. */
static long long span_count(span s) {
    long long x;
    return s.p && rmd_parse_ll(s.p, s.n, &x) == 0 && x >= 0 ? x : -1;
}

/* Commands that block by design (the BLOCKING flag in Redis's command
 * table): a client blocked in anything else is held by the server itself,
 * as CLIENT PAUSE WRITE holds a SET. Module commands are unknown: counted
 * apart only when their name has no dot. */
static int blocking_command(span c) {
    static const char *const names[] = {"blpop", "brpop", "brpoplpush", "blmove", "blmpop", "bzpopmin", "bzpopmax",
                                        "bzmpop", "xread", "xreadgroup", "wait", "waitaof", "client|pause"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (span_is(c, names[i])) return 1;
    return !c.p || !c.n || memchr(c.p, '.', c.n) != NULL || span_is(c, "NULL");
}

/* Record one "key=value" token; the first occurrence of a key wins. */
static void client_token(client_line *cl, span k, span v) {
    if (span_is(k, "addr") && !cl->addr.p) cl->addr = v;
    else if (span_is(k, "name") && !cl->name.p) cl->name = v;
    else if (span_is(k, "flags") && !cl->flags.p) cl->flags = v;
    else if (span_is(k, "cmd") && !cl->cmd.p) cl->cmd = v;
    else if (span_is(k, "age") && cl->age < 0) cl->age = span_count(v);
    else if (span_is(k, "idle") && cl->idle < 0) cl->idle = span_count(v);
    else if (span_is(k, "sub") || span_is(k, "psub") || span_is(k, "ssub"))
        cl->subscribed |= span_count(v) > 0;
}

/* Split one line into space-separated "key=value" tokens (tokens without '='
 * are ignored). Returns 0, or -1 when the line has no non-empty addr= -- the
 * one field every Redis version prints -- and so is not a client line. */
static int client_line_parse(const char *s, size_t n, client_line *cl) {
    memset(cl, 0, sizeof *cl);
    cl->age = cl->idle = -1;
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j < n && s[j] != ' ') j++;
        const char *eq = memchr(s + i, '=', j - i);
        if (eq) {
            span k = {s + i, (size_t)(eq - (s + i))}, v = {eq + 1, (size_t)(s + j - eq - 1)};
            client_token(cl, k, v);
        }
        i = j + 1;
    }
    return cl->addr.p && cl->addr.n ? 0 : -1;
}

/* The client IP of an addr= value, escaped into out: "1.2.3.4:5" -> "1.2.3.4",
 * "[::1]:5" -> "::1" (Redis >= 2.8), "::1:5" -> "::1" (older servers print
 * IPv6 without brackets), and "unix" for a unix-socket client ("/path:0", or
 * flag 'U' whatever the path looks like). */
static void client_ip(const client_line *cl, char *out, size_t outlen) {
    const char *v = cl->addr.p;
    size_t vl = cl->addr.n, il = vl;
    if (span_has(cl->flags, 'U') || v[0] == '/') {
        rmd_strlcpy(out, "unix", outlen);
        return;
    }
    while (il > 0 && v[il - 1] != ':') il--;
    il = il ? il - 1 : vl; /* no ':' at all: the whole value */
    if (il >= 2 && v[0] == '[' && v[il - 1] == ']') {
        v++;
        il -= 2;
    }
    if (il == 0) rmd_strlcpy(out, "?", outlen); /* Redis prints "?:0" for an unknown peer */
    else rmd_escape(out, outlen, v, il);
}

/* Parse state kept beside the groups: a hash per group so one million lines
 * over 256 groups stay cheap, and where the overflow group lives. */
typedef struct group_index {
    uint32_t hash[RMD_CLIENT_GROUPS_MAX];
    long     other;  /* index of "(other)", -1 until needed */
} group_index;

static uint32_t group_hash(const char *addr, const char *name) {
    uint32_t h = 2166136261u; /* FNV-1a over addr, a separator, name */
    for (const char *p = addr; *p; p++) h = (h ^ (unsigned char)*p) * 16777619u;
    h = (h ^ 0xffu) * 16777619u;
    for (const char *p = name; *p; p++) h = (h ^ (unsigned char)*p) * 16777619u;
    return h;
}

/* Append a zeroed group (addr, name copied). NULL on allocation failure. */
static rmd_client_group *group_new(rmd_clients *c, const char *addr, const char *name) {
    if (c->n == c->cap) {
        size_t nc = c->cap ? c->cap * 2 : 16;
        if (nc > RMD_CLIENT_GROUPS_MAX) nc = RMD_CLIENT_GROUPS_MAX;
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

/* The group for (addr, name): an existing one, a new one while there is room
 * (the last slot is reserved), else the "(other)" group. NULL on ENOMEM. */
static rmd_client_group *group_for(rmd_clients *c, group_index *ix, const char *addr, const char *name) {
    uint32_t h = group_hash(addr, name);
    for (size_t i = 0; i < c->n; i++)
        if ((long)i != ix->other && ix->hash[i] == h && !strcmp(c->groups[i].addr, addr) &&
            !strcmp(c->groups[i].name, name))
            return &c->groups[i];
    if (ix->other >= 0) return &c->groups[ix->other];
    size_t at = c->n;
    int overflow = at >= RMD_CLIENT_GROUPS_MAX - 1;
    rmd_client_group *g = group_new(c, overflow ? "(other)" : addr, overflow ? "" : name);
    if (!g) return NULL;
    ix->hash[at] = h;
    if (overflow) ix->other = (long)at;
    return g;
}

/* Count one client line into its group; malformed lines only bump skipped. */
static rmd_err clients_line(rmd_clients *c, group_index *ix, const char *s, size_t n, long idle_threshold_s) {
    client_line cl;
    char ip[sizeof c->groups[0].addr], name[sizeof c->groups[0].name];
    if (client_line_parse(s, n, &cl) != 0) {
        c->skipped++;
        return RMD_OK;
    }
    client_ip(&cl, ip, sizeof ip);
    rmd_escape(name, sizeof name, cl.name.p, cl.name.p ? cl.name.n : 0);
    rmd_client_group *g = group_for(c, ix, ip, name);
    if (!g) return RMD_ENOMEM;
    int idle = cl.idle >= 0 && cl.idle >= idle_threshold_s;
    g->count++;
    c->total++;
    g->idle_count += idle;
    c->idle_total += idle;
    if (cl.age > g->oldest_age_s) g->oldest_age_s = cl.age;
    if (cl.idle > g->max_idle_s) g->max_idle_s = cl.idle;
    g->blocked += span_has(cl.flags, 'b');
    if (span_has(cl.flags, 'b') && !blocking_command(cl.cmd)) {
        c->held_total++;
        if (!c->held_cmd[0]) rmd_escape(c->held_cmd, sizeof c->held_cmd, cl.cmd.p, cl.cmd.n);
    }
    g->pubsub += span_has(cl.flags, 'P') || cl.subscribed;
    return RMD_OK;
}

/* Most connections first; ties by address, then name, so output is stable. */
static int cmp_group(const void *a, const void *b) {
    const rmd_client_group *x = a, *y = b;
    if (x->count != y->count) return x->count < y->count ? 1 : -1;
    int r = strcmp(x->addr, y->addr);
    return r ? r : strcmp(x->name, y->name);
}

/* Borrows text; out is emptied first and owns its groups. On RMD_ETOOBIG (more
 * than RMD_CLIENTS_MAX_LINES non-empty lines) or RMD_ENOMEM, out holds what was
 * counted so far, still sorted. */
rmd_err rmd_clients_parse(const char *text, size_t len, long idle_threshold_s, rmd_clients *out) {
    group_index ix = {.other = -1};
    size_t pos = 0, n;
    const char *line;
    rmd_err e = RMD_OK;
    rmd_clients_free(out);
    while (e == RMD_OK && next_line(text, len, &pos, &line, &n)) {
        if (n == 0) continue;
        if (out->total + out->skipped >= RMD_CLIENTS_MAX_LINES) e = RMD_ETOOBIG;
        else e = clients_line(out, &ix, line, n, idle_threshold_s);
    }
    if (out->n > 1) qsort(out->groups, out->n, sizeof out->groups[0], cmp_group);
    return e;
}

void rmd_clients_free(rmd_clients *c) {
    if (!c) return;
    free(c->groups);
    memset(c, 0, sizeof *c);
}

/* ------------------------------------------------------ SLOWLOG / LATENCY */

/* Element i of an array reply, or NULL when r is not an array that long. */
static const redisReply *elem(const redisReply *r, size_t i) {
    if (!r || r->type != REDIS_REPLY_ARRAY || !r->element || i >= r->elements) return NULL;
    return r->element[i];
}

static int is_text(const redisReply *r) {
    return r && (r->type == REDIS_REPLY_STRING || r->type == REDIS_REPLY_STATUS) && (r->str || !r->len);
}

/* An integer reply, or a string holding a decimal integer. 0 / -1. */
static int reply_ll(const redisReply *r, long long *v) {
    if (r && r->type == REDIS_REPLY_INTEGER) {
        *v = r->integer;
        return 0;
    }
    return is_text(r) ? rmd_parse_ll(r->str, r->len, v) : -1;
}

/* Whether rmd_escape() renders n bytes of s into room bytes without truncating. */
static int escape_fits(const char *s, size_t n, size_t room) {
    size_t l = 0;
    for (size_t i = 0; i < n && l < room; i++) {
        unsigned char c = (unsigned char)s[i];
        l += (c == '\r' || c == '\n' || c == '\t' || c == '\\') ? 2 : (c >= 0x20 && c < 0x7f) ? 1 : 4;
    }
    return l < room;
}

/* "arg0 arg1 arg2" from the args array of a slowlog entry, each argument
 * escaped; an argument that does not fit ends the text with "...".
 * Non-string arguments show as "?". */
static void slow_cmd(const redisReply *args, char *out, size_t outlen) {
    size_t o = 0;
    out[0] = '\0';
    for (size_t a = 0; a < 3 && a < args->elements; a++) {
        const redisReply *x = elem(args, a);
        const char *s = is_text(x) ? x->str : "?";
        size_t n = is_text(x) ? x->len : 1;
        if (a) {
            if (o + 2 >= outlen) break;
            out[o++] = ' ';
        }
        rmd_escape(out + o, outlen - o, s, n);
        if (!escape_fits(s, n, outlen - o)) break; /* truncated: nothing after "..." */
        o += strlen(out + o);
    }
}

/* One entry: [id, timestamp, usec, [args...], client-addr (>= 4.0), client-name].
 * Returns 0, or -1 when the shape is wrong. */
static int slow_entry(const redisReply *e, rmd_slow_entry *s) {
    const redisReply *args = elem(e, 3), *client = elem(e, 4);
    memset(s, 0, sizeof *s);
    if (!args || args->type != REDIS_REPLY_ARRAY || (args->elements && !args->element)) return -1;
    if (reply_ll(elem(e, 0), &s->id) || reply_ll(elem(e, 1), &s->when) || reply_ll(elem(e, 2), &s->usec))
        return -1;
    slow_cmd(args, s->cmd, sizeof s->cmd);
    if (is_text(client)) rmd_escape(s->client, sizeof s->client, client->str, client->len);
    return 0;
}

/* Borrows r. Keeps the first RMD_SLOWLOG_MAX entries (SLOWLOG GET lists the
 * newest first); max_usec covers every well-formed entry. On RMD_EPARSE, out
 * holds the entries before the bad one. */
rmd_err rmd_slowlog_from_reply(const redisReply *r, rmd_slowlog *out) {
    memset(out, 0, sizeof *out);
    if (!r || r->type != REDIS_REPLY_ARRAY || (r->elements && !r->element)) return RMD_EPARSE;
    for (size_t i = 0; i < r->elements; i++) {
        rmd_slow_entry s;
        if (slow_entry(r->element[i], &s) != 0) return RMD_EPARSE;
        if (s.usec > out->max_usec) out->max_usec = s.usec;
        if (out->n < RMD_SLOWLOG_MAX) out->e[out->n++] = s;
    }
    return RMD_OK;
}

/* One LATENCY LATEST entry: [event, timestamp, latest_ms, max_ms, ...]. 0 / -1. */
static int latency_entry(const redisReply *e, rmd_latency_event *l) {
    const redisReply *ev = elem(e, 0);
    memset(l, 0, sizeof *l);
    if (!is_text(ev)) return -1;
    if (reply_ll(elem(e, 1), &l->when) || reply_ll(elem(e, 2), &l->latest_ms) || reply_ll(elem(e, 3), &l->max_ms))
        return -1;
    rmd_escape(l->event, sizeof l->event, ev->str, ev->len);
    return 0;
}

/* Borrows r. Keeps the first RMD_LATENCY_MAX events; every entry is checked.
 * On RMD_EPARSE, out holds the events before the bad one. */
rmd_err rmd_latency_from_reply(const redisReply *r, rmd_latency *out) {
    memset(out, 0, sizeof *out);
    if (!r || r->type != REDIS_REPLY_ARRAY || (r->elements && !r->element)) return RMD_EPARSE;
    for (size_t i = 0; i < r->elements; i++) {
        rmd_latency_event l;
        if (latency_entry(r->element[i], &l) != 0) return RMD_EPARSE;
        if (out->n < RMD_LATENCY_MAX) out->e[out->n++] = l;
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
#define RMD_CFG_NAME(id, name) \
    case RMD_CFG_##id: return name;
        RMD_CONFIG_KEYS(RMD_CFG_NAME)
#undef RMD_CFG_NAME
    case RMD_CFG__COUNT: break;
    }
    return "?";
}

/* ---------------------------------------------------------------- evidence */

/* Everything zero except the fields whose "unknown" is -1. */
void rmd_evidence_init(rmd_evidence *ev) {
    if (!ev) return;
    memset(ev, 0, sizeof *ev);
    ev->failed_phase = -1;
    ev->client_id = -1;
    ev->host_facts.mem_total_kb = ev->host_facts.mem_available_kb = -1;
    ev->host_facts.disk_free_bytes = ev->host_facts.disk_total_bytes = -1;
    ev->host_facts.disk_dir_exists = -1;
    ev->host_facts.oom_age_s = -1;
}

void rmd_evidence_free(rmd_evidence *ev) {
    if (!ev) return;
    rmd_kv_free(&ev->info);
    rmd_kv_free(&ev->cluster);
    rmd_clients_free(&ev->clients);
}

/* Borrows detail (escaped into the record); name must outlive ev. Records past
 * RMD_COLLECTORS_MAX are dropped: the registry is far smaller than that. */
void rmd_evidence_collector(rmd_evidence *ev, const char *name, rmd_item_status st, const char *detail) {
    if (!ev || ev->n_collectors >= RMD_COLLECTORS_MAX) return;
    rmd_collect_status *c = &ev->collectors[ev->n_collectors++];
    c->name = name ? name : "?";
    c->status = st;
    if (!detail) detail = "";
    rmd_escape(c->detail, sizeof c->detail, detail, strlen(detail));
}

/* Whether hay contains needle, ASCII case-insensitively. */
static int contains_nocase(const char *hay, const char *needle) {
    size_t nl = strlen(needle);
    for (; *hay; hay++) {
        size_t i = 0;
        while (i < nl && hay[i] && (hay[i] | 0x20) == (needle[i] | 0x20)) i++;
        if (i == nl) return 1;
    }
    return 0;
}

/* Wordings seen: "NOPERM this user has no permissions to run the 'info' command",
 * "ERR unknown command 'X', with args beginning with:" (7.x), "ERR unknown
 * command `X`" (5.x/6.x), "ERR Unknown subcommand or wrong number of arguments
 * for 'X'" (5.x/6.x), "ERR unknown subcommand 'X'. Try LATENCY HELP." (7.x). */
rmd_item_status rmd_item_status_of_error(const char *err) {
    if (!err) return RMD_ITEM_ERROR;
    if (err[0] == '-') err++; /* tolerate the raw RESP form */
    if (strncmp(err, "NOPERM", 6) == 0) return RMD_ITEM_DENIED;
    if (contains_nocase(err, "unknown command") || contains_nocase(err, "unknown subcommand"))
        return RMD_ITEM_UNAVAILABLE;
    return RMD_ITEM_ERROR;
}

/* ------------------------------------------------------------ secrets */

/* Replace every occurrence of needle (len nl > 0) in the NUL-terminated s with
 * "***", in place (the result is never longer: needles shorter than 3 bytes
 * are widened to "***" only when the buffer has room). */
static void scrub_one(char *s, size_t cap, const char *needle, size_t nl) {
    char *from = s, *hit;
    while (nl && (hit = strstr(from, needle)) != NULL) {
        size_t tail = strlen(hit + nl);
        if (nl < 3 && (size_t)(hit - s) + 3 + tail + 1 > cap) {
            memset(hit, '*', nl);
            from = hit + nl;
            continue;
        }
        memmove(hit + 3, hit + nl, tail + 1);
        memcpy(hit, "***", 3);
        from = hit + 3;
    }
}

static void scrub_text(char *s, size_t cap, const char *secret, const char *esc) {
    char *args = strstr(s, "with args beginning with:");
    if (args) rmd_strlcpy(args, "with args beginning with: (not shown)", cap - (size_t)(args - s));
    if (secret && secret[0]) scrub_one(s, cap, secret, strlen(secret));
    if (esc && esc[0] && strcmp(esc, secret ? secret : "") != 0) scrub_one(s, cap, esc, strlen(esc));
    if (secret && strchr(secret, '\\')) { /* as a parser that doubles backslashes stored it */
        char dbl[1024];
        size_t o = 0;
        for (const char *p = secret; *p && o + 2 < sizeof dbl; p++) {
            if (*p == '\\') dbl[o++] = '\\';
            dbl[o++] = *p;
        }
        dbl[o] = '\0';
        scrub_one(s, cap, dbl, o);
        rmd_wipe(dbl, sizeof dbl);
    }
}

void rmd_evidence_scrub(rmd_evidence *ev, const char *secret) {
    char esc[1024] = "";
    if (secret && secret[0]) rmd_escape(esc, sizeof esc, secret, strlen(secret));
#define SCRUB(buf) scrub_text((buf), sizeof(buf), secret, esc)
    SCRUB(ev->reply_error);
    SCRUB(ev->ping_error);
    SCRUB(ev->select_error);
    SCRUB(ev->peer_bytes);
    SCRUB(ev->xcheck_detail);
    for (int i = 0; i < RMD_PHASE__COUNT; i++) SCRUB(ev->phase[i].detail);
    for (size_t i = 0; i < ev->n_collectors; i++) SCRUB(ev->collectors[i].detail);
    for (int i = 0; i < RMD_CFG__COUNT; i++) SCRUB(ev->config[i].value);
    for (size_t i = 0; i < ev->slowlog.n; i++) {
        SCRUB(ev->slowlog.e[i].cmd);
        SCRUB(ev->slowlog.e[i].client);
    }
    for (size_t i = 0; i < ev->latency.n; i++) SCRUB(ev->latency.e[i].event);
    for (size_t i = 0; i < ev->clients.n; i++) {
        SCRUB(ev->clients.groups[i].addr);
        SCRUB(ev->clients.groups[i].name);
    }
    SCRUB(ev->clients.held_cmd);
    for (int i = 0; i < ev->host_facts.n_procs; i++) SCRUB(ev->host_facts.procs[i].args);
#undef SCRUB
    rmd_kvlist *kvs[] = {&ev->info, &ev->cluster};
    for (size_t k = 0; k < 2 && secret && secret[0]; k++)
        for (size_t i = 0; i < kvs[k]->n; i++) {
            char *v = kvs[k]->items[i].val;
            scrub_text(v, strlen(v) + 1, secret, esc);
        }
    rmd_wipe(esc, sizeof esc);
}
