/* fuzz_evidence.c -- libFuzzer target for the evidence parsers.
 *
 * The same bytes go to rmd_info_parse (then rmd_info_subfield on what it kept),
 * rmd_clients_parse and rmd_item_status_of_error, and through hiredis's reader
 * to rmd_slowlog_from_reply / rmd_latency_from_reply. hiredis 0.14 callocs an
 * array from its announced count, so the reader here refuses arrays over a small
 * limit: the target fuzzes our parsers, not hiredis's allocator. After each call
 * the outputs are checked against the contracts in evidence.h; a violation traps.
 *
 * Build and run (seeds: tests/data/evidence/):
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -std=c11 -D_GNU_SOURCE -Isrc \
 *     tests/fuzz/fuzz_evidence.c src/evidence.c src/util.c src/err.c -lhiredis -o /tmp/fz
 *   /tmp/fz -max_total_time=20 -rss_limit_mb=512 /tmp/fz-work tests/data/evidence
 */
#include <hiredis/hiredis.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "evidence.h"

#define FUZZ_MAX_ELEMENTS 4096 /* per array; deeper than any SLOWLOG GET 128 */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void require(int cond) {
    if (!cond) __builtin_trap();
}

/* A fixed-size text field is NUL-terminated inside its buffer. */
#define REQUIRE_TERMINATED(field) require(memchr((field), '\0', sizeof(field)) != NULL)

/* ------------------------------------------------------------- text parsers */

static void fuzz_info(const char *s, size_t size) {
    rmd_kvlist kv = {0};
    char out[32];
    rmd_err e = rmd_info_parse(s, size, &kv);
    require(e == RMD_OK || e == RMD_ETOOBIG || e == RMD_ENOMEM);
    require(kv.n <= RMD_INFO_MAX_FIELDS);
    for (size_t i = 0; i < kv.n; i++) {
        require(kv.items[i].key[0] != '\0' && kv.items[i].key[0] != '#');
        require(strchr(kv.items[i].key, ':') == NULL);
        require(strchr(kv.items[i].val, '\n') == NULL);
        if (i < 8 && rmd_info_subfield(kv.items[i].val, "keys", out, sizeof out) == 0)
            require(strlen(out) < sizeof out);
        rmd_info_subfield(kv.items[i].val, kv.items[i].key, out, sizeof out);
    }
    if (kv.n) require(rmd_kv_get(&kv, kv.items[0].key) == kv.items[0].val);
    rmd_kv_free(&kv);
}

static void fuzz_clients(const char *s, size_t size) {
    rmd_clients c = {0};
    long sum = 0, idle = 0;
    rmd_err e = rmd_clients_parse(s, size, 10, &c);
    require(e == RMD_OK || e == RMD_ETOOBIG || e == RMD_ENOMEM);
    require(c.n <= RMD_CLIENT_GROUPS_MAX && c.total >= 0 && c.skipped >= 0);
    for (size_t i = 0; i < c.n; i++) {
        const rmd_client_group *g = &c.groups[i];
        REQUIRE_TERMINATED(g->addr);
        REQUIRE_TERMINATED(g->name);
        require(g->count > 0 && g->idle_count <= g->count && g->blocked <= g->count && g->pubsub <= g->count);
        require(i == 0 || c.groups[i - 1].count >= g->count);
        sum += g->count;
        idle += g->idle_count;
    }
    require(sum == c.total && idle == c.idle_total);
    rmd_clients_free(&c);
}

static void fuzz_error_text(const char *s, size_t size) {
    char *z = malloc(size + 1);
    if (!z) return;
    memcpy(z, s, size);
    z[size] = '\0';
    rmd_item_status st = rmd_item_status_of_error(z);
    require(st == RMD_ITEM_DENIED || st == RMD_ITEM_UNAVAILABLE || st == RMD_ITEM_ERROR);
    free(z);
}

/* ------------------------------------------------------------ reply parsers */

/* hiredis's own object functions, with arrays capped. */
typedef struct capped_fns {
    redisReplyObjectFunctions fns;
    const redisReplyObjectFunctions *dflt;
} capped_fns;

static void *capped_array(const redisReadTask *task, int elements) {
    const capped_fns *cf = task->privdata;
    if (elements < 0 || elements > FUZZ_MAX_ELEMENTS) return NULL; /* reader error, no allocation */
    return cf->dflt->createArray(task, elements);
}

static void check_replies(const redisReply *r) {
    rmd_slowlog sl;
    rmd_latency lat;
    rmd_err e = rmd_slowlog_from_reply(r, &sl);
    require(e == RMD_OK || e == RMD_EPARSE);
    require(sl.n <= RMD_SLOWLOG_MAX);
    for (size_t i = 0; i < sl.n; i++) {
        REQUIRE_TERMINATED(sl.e[i].cmd);
        REQUIRE_TERMINATED(sl.e[i].client);
        require(sl.e[i].usec <= sl.max_usec || sl.e[i].usec < 0);
    }
    e = rmd_latency_from_reply(r, &lat);
    require(e == RMD_OK || e == RMD_EPARSE);
    require(lat.n <= RMD_LATENCY_MAX);
    for (size_t i = 0; i < lat.n; i++) REQUIRE_TERMINATED(lat.e[i].event);
}

static void fuzz_replies(const char *s, size_t size) {
    capped_fns cf;
    redisReader *probe = redisReaderCreate();
    if (!probe) return;
    cf.dflt = probe->fn; /* hiredis's static defaults: valid after the free */
    redisReaderFree(probe);
    cf.fns = *cf.dflt;
    cf.fns.createArray = capped_array;
    redisReader *rd = redisReaderCreateWithFunctions(&cf.fns);
    if (!rd) return;
    rd->privdata = &cf;
    if (redisReaderFeed(rd, s, size) == REDIS_OK) {
        void *rep = NULL;
        for (int i = 0; i < 4 && redisReaderGetReply(rd, &rep) == REDIS_OK && rep; i++) {
            check_replies(rep);
            freeReplyObject(rep);
            rep = NULL;
        }
    }
    redisReaderFree(rd);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    const char *s = (const char *)data;
    fuzz_info(s, size);
    fuzz_clients(s, size);
    fuzz_error_text(s, size);
    fuzz_replies(s, size);
    return 0;
}
