/* test_evidence.c -- the evidence parsers (INFO, CLIENT LIST, SLOWLOG, LATENCY),
 * the key/value list, the name tables and the evidence struct itself.
 *
 * Golden cases come from a real redis-server 7.0.15 (the *-7.0.15* files in tests/data/evidence/,
 * made by tests/data/evidence/capture-7.0.15.py); reply trees are rebuilt from
 * the captured RESP bytes with hiredis's own reader. Every parser also gets
 * malformed input: truncated lines, missing '=', huge numbers, NUL bytes,
 * invalid UTF-8, a 100k-character line, and reply trees of the wrong shape.
 * Inputs are copied into exactly-sized heap buffers so ASan catches any read
 * past the length a parser was given.
 */
#include <hiredis/hiredis.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "evidence.h"
#include "unit.h"
#include "util.h"

#define DATA "tests/data/evidence/"

/* ---------------------------------------------------------------- helpers */

/* A heap copy of s[0..n) with no terminating NUL (owned by the caller). */
static char *exact(const void *s, size_t n) {
    char *p = malloc(n ? n : 1);
    if (p && n) memcpy(p, s, n);
    return p;
}

/* The first reply in RESP bytes, built by hiredis's reader (owned: freeReplyObject).
 * NULL when the bytes are not one complete reply. */
static redisReply *reply_of(const char *bytes, size_t len) {
    redisReader *rd = redisReaderCreate();
    void *rep = NULL;
    if (!rd) return NULL;
    if (redisReaderFeed(rd, bytes, len) != REDIS_OK || redisReaderGetReply(rd, &rep) != REDIS_OK) rep = NULL;
    redisReaderFree(rd);
    return rep;
}

static redisReply *reply_str(const char *bytes) { return reply_of(bytes, strlen(bytes)); }

/* Read a golden file; NULL (and a failed check) if it is missing. */
static char *golden(const char *name, size_t *len) {
    char *t = unit_slurp(name, len);
    if (!t) fprintf(stderr, "  cannot read %s (run from the repository root)\n", name);
    return t;
}

static int is_kebab(const char *s) {
    if (!*s) return 0;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '-')) return 0;
    return 1;
}

/* ---------------------------------------------------------------- key/value */

TEST(kv_list) {
    rmd_kvlist l = {0};
    long long v;
    double d;
    CHECK(rmd_kv_get(&l, "x") == NULL);
    CHECK_INT(rmd_kv_get_ll(&l, "x", &v), -1);
    CHECK_INT(rmd_kv_add(&l, "n", 1, "42", 2), RMD_OK);
    CHECK_INT(rmd_kv_add(&l, "n", 1, "43", 2), RMD_OK); /* appended, first wins */
    CHECK_INT(rmd_kv_add(&l, "f", 1, "0.75xyz", 4), RMD_OK);
    CHECK_INT(rmd_kv_add(&l, "z\0z", 3, "a\0b", 3), RMD_OK);
    CHECK_INT(rmd_kv_add(&l, "", 0, "", 0), RMD_OK);
    CHECK_INT((long long)l.n, 5);
    CHECK_STR(rmd_kv_get(&l, "n"), "42");
    CHECK_INT(rmd_kv_get_ll(&l, "n", &v), 0);
    CHECK_INT(v, 42);
    CHECK_INT(rmd_kv_get_double(&l, "f", &d), 0);
    CHECK(d == 0.75);
    CHECK_INT(rmd_kv_get_ll(&l, "f", &v), -1);
    CHECK_STR(rmd_kv_get(&l, "z?z"), "a?b"); /* NUL bytes cannot shorten a key */
    CHECK(rmd_kv_get(&l, "z") == NULL);
    CHECK_STR(rmd_kv_get(&l, ""), "");
    CHECK(rmd_kv_get(NULL, "n") == NULL);
    CHECK(rmd_kv_get(&l, NULL) == NULL);
    for (int i = 0; i < 1000; i++) CHECK_INT(rmd_kv_add(&l, "k", 1, "v", 1), RMD_OK); /* growth */
    CHECK_INT((long long)l.n, 1005);
    rmd_kv_free(&l);
    CHECK(l.items == NULL && l.n == 0 && l.cap == 0);
    rmd_kv_free(&l); /* twice is fine */
    rmd_kv_free(NULL);
    CHECK_INT(rmd_kv_add(&l, "a", 1, "b", 1), RMD_OK); /* reusable */
    CHECK_STR(rmd_kv_get(&l, "a"), "b");
    rmd_kv_free(&l);
}

/* -------------------------------------------------------------------- INFO */

TEST(info_golden_lf) {
    size_t len;
    char *t = golden(DATA "info-7.0.15-everything.lf.txt", &len);
    rmd_kvlist kv = {0};
    long long v;
    double d;
    char sub[32];
    CHECK(t != NULL);
    if (!t) return;
    CHECK_INT(rmd_info_parse(t, len, &kv), RMD_OK);
    CHECK_INT((long long)kv.n, 199); /* every "key:value" line of the capture */
    CHECK_STR(rmd_kv_get(&kv, "redis_version"), "7.0.15");
    CHECK_STR(rmd_kv_get(&kv, "role"), "master");
    CHECK_STR(rmd_kv_get(&kv, "os"), "Linux 6.18.44-fc-v595 x86_64");
    CHECK_STR(rmd_kv_get(&kv, "config_file"), ""); /* empty values are kept */
    CHECK_INT(rmd_kv_get_ll(&kv, "tcp_port", &v), 0);
    CHECK_INT(v, 17630);
    CHECK_INT(rmd_kv_get_ll(&kv, "connected_clients", &v), 0);
    CHECK_INT(v, 13);
    CHECK_INT(rmd_kv_get_ll(&kv, "blocked_clients", &v), 0);
    CHECK_INT(v, 2);
    CHECK_INT(rmd_kv_get_ll(&kv, "maxclients", &v), 0);
    CHECK_INT(v, 10000);
    CHECK_INT(rmd_kv_get_double(&kv, "mem_fragmentation_ratio", &d), 0);
    CHECK(d > 9.33 && d < 9.35);
    CHECK_INT(rmd_kv_get_ll(&kv, "used_memory_human", &v), -1); /* "1.23M" */
    CHECK(rmd_kv_get(&kv, "# Server") == NULL);
    CHECK(rmd_kv_get(&kv, "Server") == NULL);
    CHECK(rmd_kv_get(&kv, "") == NULL);
    /* keys are verbatim, '|' included */
    CHECK(rmd_kv_get(&kv, "cmdstat_client|setname") != NULL);
    CHECK_INT(rmd_info_subfield(rmd_kv_get(&kv, "db0"), "keys", sub, sizeof sub), 0);
    CHECK_STR(sub, "1");
    CHECK_INT(rmd_info_subfield(rmd_kv_get(&kv, "cmdstat_eval"), "usec", sub, sizeof sub), 0);
    CHECK_STR(sub, "30111");
    CHECK_INT(rmd_info_subfield(rmd_kv_get(&kv, "cmdstat_eval"), "usec_per_call", sub, sizeof sub), 0);
    CHECK_STR(sub, "30111.00");
    CHECK_INT(rmd_info_subfield(rmd_kv_get(&kv, "latency_percentiles_usec_eval"), "p99.9", sub, sizeof sub), 0);
    CHECK_STR(sub, "30146.559");
    for (size_t i = 0; i < kv.n; i++) CHECK(strchr(kv.items[i].val, '\r') == NULL);
    rmd_kv_free(&kv);
    free(t);
}

/* The server sends CRLF; the LF file is the same capture with '\r' removed. */
TEST(info_golden_crlf_matches_lf) {
    size_t l1, l2;
    char *crlf = golden(DATA "info-7.0.15-everything.crlf.txt", &l1);
    char *lf = golden(DATA "info-7.0.15-everything.lf.txt", &l2);
    rmd_kvlist a = {0}, b = {0};
    CHECK(crlf && lf);
    if (crlf && lf) {
        CHECK(memchr(crlf, '\r', l1) != NULL);
        CHECK_INT(rmd_info_parse(crlf, l1, &a), RMD_OK);
        CHECK_INT(rmd_info_parse(lf, l2, &b), RMD_OK);
        CHECK_INT((long long)a.n, (long long)b.n);
        for (size_t i = 0; i < a.n && i < b.n; i++) {
            CHECK_STR(a.items[i].key, b.items[i].key);
            CHECK_STR(a.items[i].val, b.items[i].val);
        }
    }
    rmd_kv_free(&a);
    rmd_kv_free(&b);
    free(crlf);
    free(lf);
}

TEST(info_golden_cluster) {
    size_t len;
    char *t = golden(DATA "clusterinfo-7.0.15-ok.txt", &len);
    rmd_kvlist kv = {0};
    long long v;
    CHECK(t != NULL);
    if (!t) return;
    CHECK_INT(rmd_info_parse(t, len, &kv), RMD_OK);
    CHECK_STR(rmd_kv_get(&kv, "cluster_state"), "ok");
    CHECK_INT(rmd_kv_get_ll(&kv, "cluster_slots_assigned", &v), 0);
    CHECK_INT(v, 16384);
    free(t);
    t = golden(DATA "clusterinfo-7.0.15-noslots.txt", &len);
    CHECK(t != NULL);
    if (!t) { rmd_kv_free(&kv); return; }
    CHECK_INT(rmd_info_parse(t, len, &kv), RMD_OK); /* reset, not appended */
    CHECK_STR(rmd_kv_get(&kv, "cluster_state"), "fail");
    CHECK_INT(rmd_kv_get_ll(&kv, "cluster_slots_assigned", &v), 0);
    CHECK_INT(v, 0);
    CHECK_INT((long long)kv.n, 12);
    rmd_kv_free(&kv);
    free(t);
}

TEST(info_malformed) {
    rmd_kvlist kv = {0};
    long long v;
    double d;
    static const char txt[] =
        "# Server\r\n"
        "#comment:with colon\r\n"
        "redis_version:7.2.4\r\n"
        "nocolon\r\n"
        ":novalue\r\n"
        "\r\n"
        "\r\r\n"
        "slave0:ip=::1,port=6380,state=online,offset=1,lag=0\r\n"
        "nul\0key:x\0y\r\n"
        "utf8:\xff\xfe\xc3\x28\r\n"
        "big:99999999999999999999999\n"
        "max:9223372036854775807\n"
        "over:9223372036854775808\n"
        "neg:-5\n"
        "junk:12x\n"
        "inf:1e400\n"
        " spaced : 1 \n"
        "last:noeol";
    char *t = exact(txt, sizeof txt - 1);
    CHECK_INT(rmd_info_parse(t, sizeof txt - 1, &kv), RMD_OK);
    CHECK_INT((long long)kv.n, 12);
    CHECK_STR(rmd_kv_get(&kv, "redis_version"), "7.2.4");
    CHECK_STR(rmd_kv_get(&kv, "slave0"), "ip=::1,port=6380,state=online,offset=1,lag=0");
    char ip[64];
    CHECK_INT(rmd_info_subfield(rmd_kv_get(&kv, "slave0"), "ip", ip, sizeof ip), 0);
    CHECK_STR(ip, "::1");
    CHECK_STR(rmd_kv_get(&kv, "nul?key"), "x?y");
    CHECK_STR(rmd_kv_get(&kv, "utf8"), "\xff\xfe\xc3\x28"); /* verbatim; the report escapes */
    CHECK(rmd_kv_get(&kv, "#comment") == NULL);
    CHECK_INT(rmd_kv_get_ll(&kv, "big", &v), -1);
    CHECK_INT(rmd_kv_get_ll(&kv, "max", &v), 0);
    CHECK_INT(v, LLONG_MAX);
    CHECK_INT(rmd_kv_get_ll(&kv, "over", &v), -1);
    CHECK_INT(rmd_kv_get_ll(&kv, "neg", &v), 0);
    CHECK_INT(v, -5);
    CHECK_INT(rmd_kv_get_ll(&kv, "junk", &v), -1);
    CHECK_INT(rmd_kv_get_double(&kv, "inf", &d), -1);
    CHECK_STR(rmd_kv_get(&kv, " spaced "), " 1 "); /* verbatim, no trimming */
    CHECK_STR(rmd_kv_get(&kv, "last"), "noeol");
    free(t);

    /* Never past len: "a:1\nb:2" cut after "b" leaves a line without ':'. */
    t = exact("a:1\nb:2", 5);
    CHECK_INT(rmd_info_parse(t, 5, &kv), RMD_OK);
    CHECK_INT((long long)kv.n, 1);
    CHECK_STR(rmd_kv_get(&kv, "a"), "1");
    free(t);
    /* Cut in the middle of a value. */
    t = exact("a:123456", 5);
    CHECK_INT(rmd_info_parse(t, 5, &kv), RMD_OK);
    CHECK_STR(rmd_kv_get(&kv, "a"), "123");
    free(t);

    /* Empty input resets whatever was there. */
    CHECK_INT(rmd_info_parse("", 0, &kv), RMD_OK);
    CHECK_INT((long long)kv.n, 0);
    CHECK_INT(rmd_info_parse("x:1", 3, &kv), RMD_OK);
    CHECK_INT(rmd_info_parse(NULL, 0, &kv), RMD_OK);
    CHECK_INT((long long)kv.n, 0);
    /* Only newlines, only '#'. */
    CHECK_INT(rmd_info_parse("\n\n\r\n\n", 5, &kv), RMD_OK);
    CHECK_INT((long long)kv.n, 0);
    CHECK_INT(rmd_info_parse("#", 1, &kv), RMD_OK);
    CHECK_INT((long long)kv.n, 0);
    rmd_kv_free(&kv);
}

TEST(info_long_line) {
    const size_t n = 100000;
    char *t = malloc(n + 20);
    rmd_kvlist kv = {0};
    CHECK(t != NULL);
    if (!t) return;
    memcpy(t, "long:", 5);
    memset(t + 5, 'x', n);
    memcpy(t + 5 + n, "\r\nafter:1\r\n", 11);
    CHECK_INT(rmd_info_parse(t, n + 16, &kv), RMD_OK);
    CHECK_INT((long long)kv.n, 2);
    CHECK(rmd_kv_get(&kv, "long") && strlen(rmd_kv_get(&kv, "long")) == n);
    CHECK_STR(rmd_kv_get(&kv, "after"), "1");
    /* a 100k-byte line without ':' is skipped */
    memset(t, 'y', n);
    CHECK_INT(rmd_info_parse(t, n, &kv), RMD_OK);
    CHECK_INT((long long)kv.n, 0);
    rmd_kv_free(&kv);
    free(t);
}

TEST(info_field_limit) {
    rmd_buf b = {0};
    rmd_kvlist kv = {0};
    for (int i = 0; i < RMD_INFO_MAX_FIELDS; i++) rmd_buf_printf(&b, "# s%d\nk%d:%d\n", i, i, i);
    CHECK_INT(rmd_info_parse(b.p, b.len, &kv), RMD_OK); /* exactly the limit is fine */
    CHECK_INT((long long)kv.n, RMD_INFO_MAX_FIELDS);
    rmd_buf_printf(&b, "one:more\n");
    CHECK_INT(rmd_info_parse(b.p, b.len, &kv), RMD_ETOOBIG);
    CHECK_INT((long long)kv.n, RMD_INFO_MAX_FIELDS); /* the first ones are kept */
    CHECK_STR(rmd_kv_get(&kv, "k0"), "0");
    CHECK(rmd_kv_get(&kv, "one") == NULL);
    rmd_kv_free(&kv);
    rmd_buf_free(&b);
}

TEST(info_subfield) {
    char out[16];
    const char *ks = "keys=1,expires=0,avg_ttl=0";
    CHECK_INT(rmd_info_subfield(ks, "keys", out, sizeof out), 0);
    CHECK_STR(out, "1");
    CHECK_INT(rmd_info_subfield(ks, "avg_ttl", out, sizeof out), 0);
    CHECK_STR(out, "0");
    CHECK_INT(rmd_info_subfield(ks, "expires", out, sizeof out), 0);
    CHECK_STR(out, "0");
    CHECK_INT(rmd_info_subfield(ks, "key", out, sizeof out), -1);   /* no prefix match */
    CHECK_INT(rmd_info_subfield(ks, "ttl", out, sizeof out), -1);   /* no suffix match */
    CHECK_INT(rmd_info_subfield(ks, "nope", out, sizeof out), -1);
    CHECK_INT(rmd_info_subfield("a=,b=2", "a", out, sizeof out), 0);
    CHECK_STR(out, "");
    CHECK_INT(rmd_info_subfield("keys,keys=2", "keys", out, sizeof out), 0);
    CHECK_STR(out, "2");
    CHECK_INT(rmd_info_subfield("x=a=b", "x", out, sizeof out), 0); /* split on the first '=' */
    CHECK_STR(out, "a=b");
    CHECK_INT(rmd_info_subfield(",,,", "x", out, sizeof out), -1);
    CHECK_INT(rmd_info_subfield("", "x", out, sizeof out), -1);
    CHECK_INT(rmd_info_subfield("=1", "", out, sizeof out), -1);
    CHECK_INT(rmd_info_subfield(NULL, "x", out, sizeof out), -1);
    CHECK_INT(rmd_info_subfield("x=1", NULL, out, sizeof out), -1);
    CHECK_INT(rmd_info_subfield("x=1", "x", out, 0), -1);
    /* a value that does not fit is refused, not truncated into another number */
    CHECK_INT(rmd_info_subfield("n=123456789012345678901234", "n", out, sizeof out), -1);
    CHECK_INT(rmd_info_subfield("n=123456789012345", "n", out, sizeof out), 0); /* 15 + NUL fits */
    CHECK_STR(out, "123456789012345");
}

/* ------------------------------------------------------------- CLIENT LIST */

static const rmd_client_group *find_group(const rmd_clients *c, const char *addr, const char *name) {
    for (size_t i = 0; i < c->n; i++)
        if (!strcmp(c->groups[i].addr, addr) && !strcmp(c->groups[i].name, name)) return &c->groups[i];
    return NULL;
}

static void check_sorted(const rmd_clients *c) {
    for (size_t i = 1; i < c->n; i++) CHECK(c->groups[i - 1].count >= c->groups[i].count);
}

/* 13 clients of a real server: 3 pooled, 2 subscribers, 2 blocked, 2 unix, 2 IPv6. */
TEST(clients_golden) {
    size_t len;
    char *t = golden(DATA "clientlist-7.0.15.txt", &len);
    rmd_clients c = {0};
    CHECK(t != NULL);
    if (!t) return;
    CHECK_INT(rmd_clients_parse(t, len, 2, &c), RMD_OK);
    CHECK_INT(c.total, 13);
    CHECK_INT(c.skipped, 0);
    CHECK_INT(c.idle_total, 11);
    CHECK_INT((long long)c.n, 10);
    static const char *order[][2] = {
        {"127.0.0.1", "app-pool"}, {"127.0.0.1", ""}, {"127.0.0.1", "ctl"}, {"127.0.0.1", "fresh"},
        {"127.0.0.1", "svc:orders/v2@eu-1"}, {"127.0.0.1", "worker-1"}, {"::1", ""}, {"::1", "ipv6-client"},
        {"unix", ""}, {"unix", "sidecar"},
    };
    for (size_t i = 0; i < c.n && i < 10; i++) {
        CHECK_STR(c.groups[i].addr, order[i][0]);
        CHECK_STR(c.groups[i].name, order[i][1]);
    }
    const rmd_client_group *g = find_group(&c, "127.0.0.1", "app-pool");
    CHECK(g && g->count == 3 && g->idle_count == 3 && g->oldest_age_s == 3 && g->max_idle_s == 3);
    CHECK(g && g->blocked == 0 && g->pubsub == 0);
    g = find_group(&c, "127.0.0.1", "");
    CHECK(g && g->count == 2 && g->pubsub == 2); /* SUBSCRIBE and PSUBSCRIBE */
    g = find_group(&c, "127.0.0.1", "worker-1");
    CHECK(g && g->blocked == 1);
    g = find_group(&c, "unix", "");
    CHECK(g && g->blocked == 1 && g->count == 1);
    g = find_group(&c, "127.0.0.1", "ctl");
    CHECK(g && g->idle_count == 0 && g->max_idle_s == 0 && g->oldest_age_s == 3);
    g = find_group(&c, "127.0.0.1", "fresh");
    CHECK(g && g->idle_count == 0 && g->max_idle_s == 1);
    CHECK(find_group(&c, "::1", "ipv6-client") != NULL);
    long blocked = 0, pubsub = 0;
    for (size_t i = 0; i < c.n; i++) {
        blocked += c.groups[i].blocked;
        pubsub += c.groups[i].pubsub;
    }
    CHECK_INT(blocked, 2);
    CHECK_INT(pubsub, 2);
    /* threshold 0: every client with an idle= counts as idle */
    CHECK_INT(rmd_clients_parse(t, len, 0, &c), RMD_OK);
    CHECK_INT(c.idle_total, 13);
    rmd_clients_free(&c);
    free(t);
}

/* The older capture (tests/data/evidence/clientlist-7.0.txt) still parses. */
TEST(clients_golden_older_capture) {
    size_t len;
    char *t = golden(DATA "clientlist-7.0.txt", &len);
    rmd_clients c = {0};
    CHECK(t != NULL);
    if (!t) return;
    CHECK_INT(rmd_clients_parse(t, len, 10, &c), RMD_OK);
    CHECK_INT(c.total, 4);
    CHECK_INT(c.skipped, 0);
    CHECK(find_group(&c, "unix", "") != NULL);
    CHECK(find_group(&c, "127.0.0.1", "worker-1") != NULL);
    rmd_clients_free(&c);
    free(t);
}

TEST(clients_addr_forms) {
    static const char txt[] =
        "id=1 addr=10.0.0.5:40001 name=a\n"
        "id=2 addr=[::1]:40003 name=b\n"
        "id=3 addr=::1:40004 name=c\n"                       /* pre-2.8 IPv6, no brackets */
        "id=4 addr=[fe80::1%eth0]:5 name=d\n"
        "id=5 addr=redis.sock:0 flags=U name=e\n"            /* relative unix path */
        "id=6 addr=/var/run/redis/redis.sock:0 name=f\n"     /* unix without the flag */
        "id=7 addr=?:0 name=g\n"                             /* peer unknown */
        "id=8 addr=weird name=h\n"                           /* no port at all */
        "id=9 addr=:6379 name=i\n"
        "id=10 addr=[]:1 name=j\n"
        "id=11 addr=1.2.3.4\x1b[31m:1 name=k\n";             /* hostile bytes */
    rmd_clients c = {0};
    char *t = exact(txt, sizeof txt - 1);
    CHECK_INT(rmd_clients_parse(t, sizeof txt - 1, 10, &c), RMD_OK);
    CHECK_INT(c.total, 11);
    CHECK(find_group(&c, "10.0.0.5", "a") != NULL);
    CHECK(find_group(&c, "::1", "b") != NULL);
    CHECK(find_group(&c, "::1", "c") != NULL);
    CHECK(find_group(&c, "fe80::1%eth0", "d") != NULL);
    CHECK(find_group(&c, "unix", "e") != NULL);
    CHECK(find_group(&c, "unix", "f") != NULL);
    CHECK(find_group(&c, "?", "g") != NULL);
    CHECK(find_group(&c, "weird", "h") != NULL);
    CHECK(find_group(&c, "?", "i") != NULL);
    CHECK(find_group(&c, "?", "j") != NULL);
    CHECK(find_group(&c, "1.2.3.4\\x1b[31m", "k") != NULL);
    rmd_clients_free(&c);
    free(t);
}

TEST(clients_malformed) {
    static const char txt[] =
        "garbage line without fields\n"
        "id=5 fd=12 name=noaddr\n"                  /* no addr= */
        "id=6 addr= name=empty\n"                   /* empty addr */
        "id=7 addr\n"                               /* missing '=' */
        "=\n"
        "addr\n"
        "\n"
        "\r\n"
        "      \n"
        "id=8 addr=10.0.0.1:1 age=99999999999999999999999 idle=-3 flags=N\n"      /* huge, negative */
        "id=9 addr=10.0.0.1:2 age=5 idle=x5 sub=1x psub=-1 ssub=99999999999999999999\n"
        "id=10 addr=10.0.0.1:3 age=7 idle=10 flags=bP\r\n"    /* CRLF; idle == threshold */
        "id=11 addr=10.0.0.1:4 addr=9.9.9.9:1 idle=11 idle=0 name=\0x\xff\n" /* dup keys: first wins */
        "addr=10.0.0.1:5  name=  idle=1\n"                       /* no id= (Redis < 2.8.12) */
        "id=12 addr=10.0.0.1:6 name=\x01\x02 ssub=2";            /* no final newline */
    rmd_clients c = {0};
    char *t = exact(txt, sizeof txt - 1);
    CHECK_INT(rmd_clients_parse(t, sizeof txt - 1, 10, &c), RMD_OK);
    CHECK_INT(c.skipped, 7);  /* the blank lines are not counted at all */
    CHECK_INT(c.total, 6);
    const rmd_client_group *g = find_group(&c, "10.0.0.1", "");
    CHECK(g != NULL);
    if (g) {
        CHECK_INT(g->count, 4);       /* ids 8, 9, 10 and the id-less line */
        CHECK_INT(g->idle_count, 1);  /* only id 10: huge/negative/garbage idle is unknown */
        CHECK_INT(g->oldest_age_s, 7);
        CHECK_INT(g->max_idle_s, 10);
        CHECK_INT(g->blocked, 1);
        CHECK_INT(g->pubsub, 1);
    }
    g = find_group(&c, "10.0.0.1", "\\x00x\\xff");
    CHECK(g && g->count == 1 && g->idle_count == 1 && g->max_idle_s == 11);
    g = find_group(&c, "10.0.0.1", "\\x01\\x02");
    CHECK(g && g->pubsub == 1);
    CHECK(find_group(&c, "9.9.9.9", "") == NULL);
    CHECK_INT(c.idle_total, 2);
    check_sorted(&c);
    /* never past len: the line is cut inside "addr=" */
    free(t);
    t = exact("id=1 addr=1.2.3.4:5", 9);
    CHECK_INT(rmd_clients_parse(t, 9, 10, &c), RMD_OK);
    CHECK_INT(c.total, 0);
    CHECK_INT(c.skipped, 1);
    free(t);
    /* empty and NULL input reset a filled result */
    CHECK_INT(rmd_clients_parse("addr=1.1.1.1:1", 14, 10, &c), RMD_OK);
    CHECK_INT(c.total, 1);
    CHECK_INT(rmd_clients_parse("", 0, 10, &c), RMD_OK);
    CHECK(c.total == 0 && c.n == 0 && c.skipped == 0 && c.groups == NULL);
    CHECK_INT(rmd_clients_parse(NULL, 0, 10, &c), RMD_OK);
    CHECK_INT(c.total, 0);
    rmd_clients_free(&c);
    rmd_clients_free(&c);
    rmd_clients_free(NULL);
}

TEST(clients_long_lines_and_names) {
    const size_t n = 100000;
    rmd_buf b = {0};
    rmd_clients c = {0};
    char name63[64];
    memset(name63, 'n', 63);
    name63[63] = '\0';
    rmd_buf_printf(&b, "id=1 addr=1.2.3.4:5 name=");
    for (size_t i = 0; i < n; i++) rmd_buf_append(&b, "x", 1);
    rmd_buf_printf(&b, " idle=50\nid=2 addr=1.2.3.4:6 name=%s\nid=3 addr=", name63);
    for (size_t i = 0; i < n; i++) rmd_buf_append(&b, "7", 1);
    rmd_buf_printf(&b, ":1 name=z\n");
    for (size_t i = 0; i < n; i++) rmd_buf_append(&b, "=", 1);
    CHECK_INT(rmd_clients_parse(b.p, b.len, 10, &c), RMD_OK);
    CHECK_INT(c.total, 3);
    CHECK_INT(c.skipped, 1);
    int saw_long = 0, saw_63 = 0, saw_addr = 0;
    for (size_t i = 0; i < c.n; i++) {
        const rmd_client_group *g = &c.groups[i];
        CHECK(strlen(g->name) < sizeof g->name && strlen(g->addr) < sizeof g->addr);
        if (!strncmp(g->name, "xxx", 3)) {
            saw_long = 1;
            CHECK(strcmp(g->name + strlen(g->name) - 3, "...") == 0);
            CHECK_INT(g->max_idle_s, 50); /* fields after the long name still count */
        }
        if (!strcmp(g->name, name63)) saw_63 = 1; /* an exact fit is not truncated */
        if (!strcmp(g->name, "z")) {
            saw_addr = 1;
            CHECK(strcmp(g->addr + strlen(g->addr) - 3, "...") == 0);
        }
    }
    CHECK(saw_long && saw_63 && saw_addr);
    rmd_clients_free(&c);
    rmd_buf_free(&b);
}

TEST(clients_group_cap) {
    rmd_buf b = {0};
    rmd_clients c = {0};
    for (int i = 0; i < 1000; i++) rmd_buf_printf(&b, "id=%d addr=10.%d.%d.1:1 name=n idle=0\n", i, i / 256, i % 256);
    /* a group created before the cap keeps its own clients after it */
    rmd_buf_printf(&b, "id=1000 addr=10.0.0.1:2 name=n idle=0\n");
    /* a hostile client whose address looks like the overflow label */
    rmd_buf_printf(&b, "id=1001 addr=(other):1 idle=0\n");
    CHECK_INT(rmd_clients_parse(b.p, b.len, 10, &c), RMD_OK);
    CHECK_INT(c.total, 1002);
    CHECK_INT((long long)c.n, RMD_CLIENT_GROUPS_MAX);
    long sum = 0;
    for (size_t i = 0; i < c.n; i++) sum += c.groups[i].count;
    CHECK_INT(sum, 1002);
    CHECK_STR(c.groups[0].addr, "(other)"); /* the biggest group sorts first */
    CHECK_STR(c.groups[0].name, "");
    CHECK_INT(c.groups[0].count, 1002 - (RMD_CLIENT_GROUPS_MAX - 1) - 1);
    const rmd_client_group *g = find_group(&c, "10.0.0.1", "n");
    CHECK(g && g->count == 2);
    check_sorted(&c);
    rmd_clients_free(&c);
    rmd_buf_free(&b);
}

TEST(clients_line_limit) {
    rmd_buf b = {.max = (size_t)64 << 20};
    rmd_clients c = {0};
    for (long i = 0; i < RMD_CLIENTS_MAX_LINES; i++) rmd_buf_append(&b, i % 2 ? "addr=a:1 idle=9\n" : "junk\n", i % 2 ? 16 : 5);
    CHECK_INT(rmd_clients_parse(b.p, b.len, 10, &c), RMD_OK);
    CHECK_INT(c.total + c.skipped, RMD_CLIENTS_MAX_LINES);
    rmd_buf_append(&b, "addr=b:1\naddr=c:1\n", 18);
    CHECK_INT(rmd_clients_parse(b.p, b.len, 10, &c), RMD_ETOOBIG);
    CHECK_INT(c.total, RMD_CLIENTS_MAX_LINES / 2);     /* what was read is kept */
    CHECK_INT(c.skipped, RMD_CLIENTS_MAX_LINES / 2);
    CHECK(find_group(&c, "b", "") == NULL);
    CHECK((long long)c.n == 1 && c.groups[0].count == RMD_CLIENTS_MAX_LINES / 2);
    rmd_clients_free(&c);
    rmd_buf_free(&b);
}

/* ------------------------------------------------------ SLOWLOG / LATENCY */

TEST(slowlog_golden) {
    size_t len;
    char *t = golden(DATA "slowlog-7.0.15.resp", &len);
    rmd_slowlog s;
    CHECK(t != NULL);
    if (!t) return;
    redisReply *r = reply_of(t, len);
    CHECK(r != NULL);
    CHECK_INT(rmd_slowlog_from_reply(r, &s), RMD_OK);
    CHECK_INT((long long)s.n, 3);
    /* newest first: the EVAL with a 147-byte script and 40 arguments */
    CHECK_INT(s.e[0].id, 2);
    CHECK_INT(s.e[0].usec, 30111);
    CHECK_INT(s.e[0].when, 1795365649);
    CHECK(strncmp(s.e[0].cmd, "EVAL local i=0 local t=redis.call('TIME')", 41) == 0);
    CHECK(strlen(s.e[0].cmd) < sizeof s.e[0].cmd);
    CHECK(strcmp(s.e[0].cmd + strlen(s.e[0].cmd) - 3, "...") == 0);
    CHECK(strstr(s.e[0].cmd, "arg0") == NULL); /* nothing after a truncated argument */
    CHECK_STR(s.e[0].client, "127.0.0.1:57408");
    CHECK_STR(s.e[1].cmd, "DEBUG SLEEP 0.02");
    CHECK_INT(s.e[1].usec, 20247);
    CHECK_STR(s.e[2].cmd, "DEBUG SLEEP 0.05");
    CHECK_INT(s.e[2].id, 0);
    CHECK_INT(s.e[2].usec, 51006);
    CHECK_INT(s.e[2].when, 1795365648);
    CHECK_INT(s.max_usec, 51006);
    freeReplyObject(r);
    free(t);
    /* the older capture, 2 entries */
    t = golden(DATA "slowlog.resp", &len);
    CHECK(t != NULL);
    if (!t) return;
    r = reply_of(t, len);
    CHECK_INT(rmd_slowlog_from_reply(r, &s), RMD_OK);
    CHECK_INT((long long)s.n, 2);
    CHECK(strncmp(s.e[0].cmd, "debug sleep", 11) == 0);
    freeReplyObject(r);
    free(t);
}

TEST(slowlog_shapes) {
    rmd_slowlog s;
    struct { const char *resp; rmd_err want; size_t n; } cases[] = {
        /* Redis 2.6-3.x: four fields, no client */
        {"*1\r\n*4\r\n:7\r\n:1700000000\r\n:12000\r\n*2\r\n$4\r\nKEYS\r\n$1\r\n*\r\n", RMD_OK, 1},
        /* numbers as strings, a non-string argument, no arguments at all */
        {"*2\r\n*4\r\n$1\r\n5\r\n$1\r\n6\r\n$1\r\n7\r\n*2\r\n$3\r\nGET\r\n:1\r\n*4\r\n:1\r\n:2\r\n:3\r\n*0\r\n", RMD_OK, 2},
        {"*0\r\n", RMD_OK, 0},
        {":5\r\n", RMD_EPARSE, 0},                               /* integer where an array belongs */
        {"$-1\r\n", RMD_EPARSE, 0},
        {"-ERR unknown command 'SLOWLOG'\r\n", RMD_EPARSE, 0},
        {"*1\r\n:1\r\n", RMD_EPARSE, 0},                         /* entry not an array */
        {"*1\r\n*-1\r\n", RMD_EPARSE, 0},                        /* nil entry */
        {"*1\r\n*3\r\n:1\r\n:2\r\n:3\r\n", RMD_EPARSE, 0},       /* too short */
        {"*1\r\n*4\r\n:1\r\n:2\r\n:3\r\n:4\r\n", RMD_EPARSE, 0},   /* args not an array */
        {"*1\r\n*4\r\n:1\r\n:2\r\n:3\r\n*-1\r\n", RMD_EPARSE, 0},  /* args nil */
        {"*1\r\n*4\r\n$2\r\nxx\r\n:2\r\n:3\r\n*0\r\n", RMD_EPARSE, 0},
        {"*1\r\n*4\r\n:1\r\n:2\r\n$23\r\n99999999999999999999999\r\n*0\r\n", RMD_EPARSE, 0},
        {"*1\r\n*4\r\n:1\r\n$-1\r\n:3\r\n*0\r\n", RMD_EPARSE, 0},
        /* a good entry, then a bad one: the good one is kept */
        {"*2\r\n*4\r\n:1\r\n:2\r\n:3\r\n*0\r\n*2\r\n:1\r\n:2\r\n", RMD_EPARSE, 1},
    };
    CHECK_INT(rmd_slowlog_from_reply(NULL, &s), RMD_EPARSE);
    CHECK_INT((long long)s.n, 0);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        redisReply *r = reply_str(cases[i].resp);
        CHECK(r != NULL);
        if (!r) continue;
        if (rmd_slowlog_from_reply(r, &s) != cases[i].want || s.n != cases[i].n) {
            fprintf(stderr, "  slowlog case %zu\n", i);
            CHECK(0);
        }
        if (i == 0) {
            CHECK_STR(s.e[0].cmd, "KEYS *");
            CHECK_STR(s.e[0].client, "");
            CHECK_INT(s.max_usec, 12000);
        }
        if (i == 1) {
            CHECK_INT(s.e[0].id, 5);
            CHECK_STR(s.e[0].cmd, "GET ?");
            CHECK_STR(s.e[1].cmd, "");
        }
        freeReplyObject(r);
    }
}

TEST(slowlog_hostile_args) {
    rmd_slowlog s;
    rmd_buf b = {0};
    /* control bytes and invalid UTF-8 are escaped; a 200-byte key is cut with "..." */
    static const char head[] = "*1\r\n*6\r\n:1\r\n:2\r\n:3\r\n*3\r\n$3\r\nSET\r\n$6\r\n\x00\xff\r\n\x1b\\\r\n$200\r\n";
    static const char tail[] = "\r\n$5\r\n\x01\x02:77\r\n$4\r\nname\r\n";
    rmd_buf_append(&b, head, sizeof head - 1); /* holds a NUL: not printf */
    for (int i = 0; i < 200; i++) rmd_buf_append(&b, "v", 1);
    rmd_buf_append(&b, tail, sizeof tail - 1);
    redisReply *r = reply_of(b.p, b.len);
    CHECK(r != NULL);
    if (r) {
        CHECK_INT(rmd_slowlog_from_reply(r, &s), RMD_OK);
        CHECK(strncmp(s.e[0].cmd, "SET \\x00\\xff\\r\\n\\x1b\\\\ vvvv", 27) == 0);
        CHECK(strlen(s.e[0].cmd) <= sizeof s.e[0].cmd - 1);
        CHECK(strcmp(s.e[0].cmd + strlen(s.e[0].cmd) - 3, "...") == 0);
        CHECK_STR(s.e[0].client, "\\x01\\x02:77");
        freeReplyObject(r);
    }
    /* more entries than kept: the first RMD_SLOWLOG_MAX, max over all */
    rmd_buf_reset(&b);
    rmd_buf_printf(&b, "*%d\r\n", RMD_SLOWLOG_MAX + 10);
    for (int i = 0; i < RMD_SLOWLOG_MAX + 10; i++)
        rmd_buf_printf(&b, "*4\r\n:%d\r\n:1\r\n:%d\r\n*1\r\n$4\r\nPING\r\n", i, i == RMD_SLOWLOG_MAX + 9 ? 999999 : i);
    r = reply_of(b.p, b.len);
    CHECK(r != NULL);
    if (r) {
        CHECK_INT(rmd_slowlog_from_reply(r, &s), RMD_OK);
        CHECK_INT((long long)s.n, RMD_SLOWLOG_MAX);
        CHECK_INT(s.e[RMD_SLOWLOG_MAX - 1].id, RMD_SLOWLOG_MAX - 1);
        CHECK_INT(s.max_usec, 999999);
        freeReplyObject(r);
    }
    rmd_buf_free(&b);
}

/* Trees built by hand can hold what hiredis never makes: NULL children. */
TEST(reply_trees_with_holes) {
    rmd_slowlog s;
    rmd_latency l;
    redisReply kids[4] = {{.type = REDIS_REPLY_INTEGER}, {.type = REDIS_REPLY_INTEGER}, {.type = REDIS_REPLY_INTEGER}};
    redisReply *kp[4] = {&kids[0], &kids[1], &kids[2], NULL};
    redisReply entry = {.type = REDIS_REPLY_ARRAY, .elements = 4, .element = kp};
    redisReply *ep[1] = {&entry};
    redisReply top = {.type = REDIS_REPLY_ARRAY, .elements = 1, .element = ep};
    CHECK_INT(rmd_slowlog_from_reply(&top, &s), RMD_EPARSE);
    CHECK_INT(rmd_latency_from_reply(&top, &l), RMD_EPARSE);
    ep[0] = NULL;
    CHECK_INT(rmd_slowlog_from_reply(&top, &s), RMD_EPARSE);
    CHECK_INT(rmd_latency_from_reply(&top, &l), RMD_EPARSE);
    top.element = NULL;
    CHECK_INT(rmd_slowlog_from_reply(&top, &s), RMD_EPARSE);
    CHECK_INT(rmd_latency_from_reply(&top, &l), RMD_EPARSE);
    redisReply str = {.type = REDIS_REPLY_STRING, .len = 3, .str = NULL};
    kids[0] = str;
    kp[3] = &kids[3];
    kids[3].type = REDIS_REPLY_INTEGER;
    top.element = ep;
    ep[0] = &entry;
    CHECK_INT(rmd_latency_from_reply(&top, &l), RMD_EPARSE); /* string with NULL str */
}

TEST(latency_golden) {
    size_t len;
    char *t = golden(DATA "latency-7.0.15.resp", &len);
    rmd_latency l;
    CHECK(t != NULL);
    if (!t) return;
    redisReply *r = reply_of(t, len);
    CHECK(r != NULL);
    CHECK_INT(rmd_latency_from_reply(r, &l), RMD_OK);
    CHECK_INT((long long)l.n, 1);
    CHECK_STR(l.e[0].event, "command");
    CHECK_INT(l.e[0].when, 1795365649);
    CHECK_INT(l.e[0].latest_ms, 30);
    CHECK_INT(l.e[0].max_ms, 51);
    /* a slowlog parser given a latency reply refuses it */
    rmd_slowlog s;
    CHECK_INT(rmd_slowlog_from_reply(r, &s), RMD_EPARSE);
    freeReplyObject(r);
    free(t);
}

TEST(latency_shapes) {
    rmd_latency l;
    struct { const char *resp; rmd_err want; size_t n; } cases[] = {
        {"*0\r\n", RMD_OK, 0},
        /* a trailing field a newer server might add is ignored */
        {"*2\r\n*5\r\n$4\r\nfork\r\n:1\r\n:2\r\n:3\r\n:4\r\n*4\r\n+aof-fsync-always\r\n$2\r\n10\r\n:20\r\n:30\r\n", RMD_OK, 2},
        {":1\r\n", RMD_EPARSE, 0},
        {"+OK\r\n", RMD_EPARSE, 0},
        {"*1\r\n*3\r\n$4\r\nfork\r\n:1\r\n:2\r\n", RMD_EPARSE, 0},
        {"*1\r\n*4\r\n:9\r\n:1\r\n:2\r\n:3\r\n", RMD_EPARSE, 0},            /* event not a string */
        {"*1\r\n*4\r\n$4\r\nfork\r\n:1\r\n$-1\r\n:3\r\n", RMD_EPARSE, 0},
        {"*1\r\n*4\r\n$4\r\nfork\r\n:1\r\n:2\r\n*0\r\n", RMD_EPARSE, 0},
        {"*1\r\n*-1\r\n", RMD_EPARSE, 0},
        {"*2\r\n*4\r\n$1\r\na\r\n:1\r\n:2\r\n:3\r\n:7\r\n", RMD_EPARSE, 1},
    };
    CHECK_INT(rmd_latency_from_reply(NULL, &l), RMD_EPARSE);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        redisReply *r = reply_str(cases[i].resp);
        CHECK(r != NULL);
        if (!r) continue;
        if (rmd_latency_from_reply(r, &l) != cases[i].want || l.n != cases[i].n) {
            fprintf(stderr, "  latency case %zu\n", i);
            CHECK(0);
        }
        if (i == 1) {
            CHECK_STR(l.e[0].event, "fork");
            CHECK_INT(l.e[0].max_ms, 3);
            CHECK_STR(l.e[1].event, "aof-fsync-always");
            CHECK_INT(l.e[1].when, 10);
        }
        freeReplyObject(r);
    }
    /* hostile event names and too many events */
    rmd_buf b = {0};
    rmd_buf_printf(&b, "*%d\r\n", RMD_LATENCY_MAX + 5);
    for (int i = 0; i < RMD_LATENCY_MAX + 5; i++) rmd_buf_printf(&b, "*4\r\n$3\r\ne\n\x7f\r\n:%d\r\n:1\r\n:2\r\n", i);
    redisReply *r = reply_of(b.p, b.len);
    CHECK(r != NULL);
    if (r) {
        CHECK_INT(rmd_latency_from_reply(r, &l), RMD_OK);
        CHECK_INT((long long)l.n, RMD_LATENCY_MAX);
        CHECK_STR(l.e[0].event, "e\\n\\x7f");
        CHECK_INT(l.e[RMD_LATENCY_MAX - 1].when, RMD_LATENCY_MAX - 1);
        freeReplyObject(r);
    }
    rmd_buf_free(&b);
}

/* ------------------------------------------------------- names, statuses */

TEST(error_classes_golden) {
    size_t len;
    char *t = golden(DATA "errors-7.0.15.resp", &len);
    static const rmd_item_status want[] = {
        RMD_ITEM_UNAVAILABLE, /* ERR unknown command 'NOSUCHCMD', ... */
        RMD_ITEM_UNAVAILABLE, /* ERR unknown subcommand 'NOSUCHSUB'. Try LATENCY HELP. */
        RMD_ITEM_UNAVAILABLE, /* ERR unknown subcommand 'NOSUCHSUB'. Try CLIENT HELP. */
        RMD_ITEM_ERROR,       /* ERR wrong number of arguments for 'config|get' command */
        RMD_ITEM_DENIED,      /* NOPERM ... 'config|get' */
        RMD_ITEM_DENIED,      /* NOPERM ... 'info' */
    };
    CHECK(t != NULL);
    if (!t) return;
    redisReader *rd = redisReaderCreate();
    redisReaderFeed(rd, t, len);
    size_t i = 0;
    void *rep;
    while (redisReaderGetReply(rd, &rep) == REDIS_OK && rep) {
        redisReply *r = rep;
        CHECK_INT(r->type, REDIS_REPLY_ERROR);
        if (i < sizeof want / sizeof want[0]) CHECK_INT(rmd_item_status_of_error(r->str), want[i]);
        i++;
        freeReplyObject(r);
    }
    CHECK_INT((long long)i, 6);
    redisReaderFree(rd);
    free(t);
}

TEST(error_classes_other_versions) {
    CHECK_INT(rmd_item_status_of_error("ERR unknown command `CONFIG`, with args beginning with: `GET`, "), RMD_ITEM_UNAVAILABLE);
    CHECK_INT(rmd_item_status_of_error("ERR unknown command 'LATENCY'"), RMD_ITEM_UNAVAILABLE);
    CHECK_INT(rmd_item_status_of_error("ERR Unknown subcommand or wrong number of arguments for 'LATEST'. Try LATENCY HELP."),
              RMD_ITEM_UNAVAILABLE);
    CHECK_INT(rmd_item_status_of_error("ERR UNKNOWN COMMAND"), RMD_ITEM_UNAVAILABLE);
    CHECK_INT(rmd_item_status_of_error("NOPERM User default has no permissions to run the 'client' command"), RMD_ITEM_DENIED);
    CHECK_INT(rmd_item_status_of_error("-NOPERM raw"), RMD_ITEM_DENIED);
    CHECK_INT(rmd_item_status_of_error("ERR NOPERM later in the text"), RMD_ITEM_ERROR);
    CHECK_INT(rmd_item_status_of_error("LOADING Redis is loading the dataset in memory"), RMD_ITEM_ERROR);
    CHECK_INT(rmd_item_status_of_error("ERR unknown"), RMD_ITEM_ERROR);
    CHECK_INT(rmd_item_status_of_error("ERR unknown comman"), RMD_ITEM_ERROR);
    CHECK_INT(rmd_item_status_of_error("\xff\xfe unknown\x00 command"), RMD_ITEM_ERROR);
    CHECK_INT(rmd_item_status_of_error(""), RMD_ITEM_ERROR);
    CHECK_INT(rmd_item_status_of_error(NULL), RMD_ITEM_ERROR);
}

TEST(names) {
    static const char *phases[] = {"resolve", "connect", "tls", "auth", "ping", "collect"};
    CHECK_INT(sizeof phases / sizeof phases[0], RMD_PHASE__COUNT);
    for (int p = 0; p < RMD_PHASE__COUNT; p++) CHECK_STR(rmd_phase_name((rmd_phase)p), phases[p]);
    CHECK_STR(rmd_phase_name(RMD_PHASE__COUNT), "?");
    CHECK_STR(rmd_fail_name(RMD_FAIL_DNS), "dns");
    CHECK_STR(rmd_fail_name(RMD_FAIL_REFUSED), "refused");
    CHECK_STR(rmd_fail_name(RMD_FAIL_NOENT), "no-such-socket");
    CHECK_STR(rmd_fail_name(RMD_FAIL_TLS_VERIFY), "tls-verify");
    CHECK_STR(rmd_fail_name(RMD_FAIL_REPLY), "error-reply");
    CHECK_STR(rmd_fail_name(RMD_FAIL_UNEXPECTED), "unexpected-reply");
    CHECK_STR(rmd_fail_name(RMD_FAIL_SYSTEM), "system");
    /* every failure has its own kebab-case name */
    for (int a = RMD_FAIL_NONE; a <= RMD_FAIL_SYSTEM; a++) {
        CHECK(is_kebab(rmd_fail_name((rmd_fail)a)));
        for (int b = a + 1; b <= RMD_FAIL_SYSTEM; b++) CHECK(strcmp(rmd_fail_name((rmd_fail)a), rmd_fail_name((rmd_fail)b)) != 0);
    }
    CHECK_STR(rmd_config_name(RMD_CFG_MAXCLIENTS), "maxclients");
    CHECK_STR(rmd_config_name(RMD_CFG_MAXMEMORY_POLICY), "maxmemory-policy");
    CHECK_STR(rmd_config_name(RMD_CFG_LATENCY_MONITOR_THRESHOLD), "latency-monitor-threshold");
    CHECK_STR(rmd_config_name(RMD_CFG__COUNT), "?");
    for (int a = 0; a < RMD_CFG__COUNT; a++) {
        CHECK(is_kebab(rmd_config_name((rmd_config_key)a)));
        for (int b = a + 1; b < RMD_CFG__COUNT; b++)
            CHECK(strcmp(rmd_config_name((rmd_config_key)a), rmd_config_name((rmd_config_key)b)) != 0);
    }
}

/* ---------------------------------------------------------------- evidence */

TEST(evidence_lifecycle) {
    rmd_evidence *ev = malloc(sizeof *ev);
    CHECK(ev != NULL);
    if (!ev) return;
    memset(ev, 0xa5, sizeof *ev); /* init must not trust what was there */
    rmd_evidence_init(ev);
    CHECK_INT(ev->failed_phase, -1);
    CHECK_INT(ev->n_collectors, 0);
    CHECK(ev->info.items == NULL && ev->info.n == 0 && ev->clients.groups == NULL);
    CHECK_INT(ev->host_facts.mem_total_kb, -1);
    CHECK_INT(ev->host_facts.mem_available_kb, -1);
    CHECK_INT(ev->host_facts.disk_free_bytes, -1);
    CHECK_INT(ev->host_facts.disk_total_bytes, -1);
    CHECK_INT(ev->host_facts.disk_dir_exists, -1);
    CHECK(ev->host_facts.oom_age_s == -1);
    CHECK_INT(ev->host_facts.collected, 0);
    CHECK_INT(ev->phase[RMD_PHASE_CONNECT].fail, RMD_FAIL_NONE);
    CHECK_INT(ev->xcheck, RMD_XCHECK_NONE);
    CHECK_INT(ev->config[RMD_CFG_MAXCLIENTS].status, RMD_ITEM_NOT_RUN);

    CHECK_INT(rmd_info_parse("a:1\r\n", 5, &ev->info), RMD_OK);
    CHECK_INT(rmd_info_parse("cluster_state:ok\r\n", 18, &ev->cluster), RMD_OK);
    CHECK_INT(rmd_clients_parse("addr=1.1.1.1:1\n", 15, 10, &ev->clients), RMD_OK);
    rmd_evidence_free(ev);
    CHECK(ev->info.items == NULL && ev->info.n == 0);
    CHECK(ev->cluster.items == NULL && ev->clients.groups == NULL && ev->clients.total == 0);
    rmd_evidence_free(ev); /* twice is fine */
    CHECK_INT(rmd_info_parse("b:2\r\n", 5, &ev->info), RMD_OK); /* reusable */
    rmd_evidence_free(ev);
    rmd_evidence_free(NULL);
    rmd_evidence_init(NULL);

    /* collectors: escaped, truncated, capped; NULL detail is "" */
    rmd_evidence_init(ev);
    char longd[500];
    memset(longd, 'd', sizeof longd - 1);
    longd[sizeof longd - 1] = '\0';
    rmd_evidence_collector(ev, "INFO", RMD_ITEM_OK, "");
    rmd_evidence_collector(ev, "CONFIG GET maxclients", RMD_ITEM_DENIED, "NOPERM \x01\r\n\xff");
    rmd_evidence_collector(ev, "CLIENT LIST", RMD_ITEM_ERROR, longd);
    rmd_evidence_collector(ev, "SLOWLOG GET", RMD_ITEM_UNAVAILABLE, NULL);
    CHECK_INT(ev->n_collectors, 4);
    CHECK_STR(ev->collectors[0].name, "INFO");
    CHECK_STR(ev->collectors[0].detail, "");
    CHECK_INT(ev->collectors[1].status, RMD_ITEM_DENIED);
    CHECK_STR(ev->collectors[1].detail, "NOPERM \\x01\\r\\n\\xff");
    CHECK(strlen(ev->collectors[2].detail) == sizeof ev->collectors[2].detail - 1);
    CHECK(strcmp(ev->collectors[2].detail + strlen(ev->collectors[2].detail) - 3, "...") == 0);
    CHECK_STR(ev->collectors[3].detail, "");
    for (int i = 0; i < RMD_COLLECTORS_MAX + 5; i++) rmd_evidence_collector(ev, "X", RMD_ITEM_OK, "x");
    CHECK_INT(ev->n_collectors, RMD_COLLECTORS_MAX);
    CHECK_STR(ev->collectors[RMD_COLLECTORS_MAX - 1].name, "X");
    rmd_evidence_free(ev);
    free(ev);
}

int main(void) {
    RUN(kv_list);
    RUN(info_golden_lf);
    RUN(info_golden_crlf_matches_lf);
    RUN(info_golden_cluster);
    RUN(info_malformed);
    RUN(info_long_line);
    RUN(info_field_limit);
    RUN(info_subfield);
    RUN(clients_golden);
    RUN(clients_golden_older_capture);
    RUN(clients_addr_forms);
    RUN(clients_malformed);
    RUN(clients_long_lines_and_names);
    RUN(clients_group_cap);
    RUN(clients_line_limit);
    RUN(slowlog_golden);
    RUN(slowlog_shapes);
    RUN(slowlog_hostile_args);
    RUN(reply_trees_with_holes);
    RUN(latency_golden);
    RUN(latency_shapes);
    RUN(error_classes_golden);
    RUN(error_classes_other_versions);
    RUN(names);
    RUN(evidence_lifecycle);
    return UNIT_END();
}
