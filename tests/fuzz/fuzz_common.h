/* fuzz_common.h -- shared by the libFuzzer targets of tests/fuzz/.
 *
 * Helpers to push fuzzed bytes down the same path the probe uses: through the
 * bounded RESP reader (src/resp.c), into a collector of the registry
 * (src/collect.c) and from the evidence through every rule (src/rules.c), then
 * check the contracts the headers promise; a violation traps. Allocation caps:
 * the RESP reader is built with small limits (FUZZ_MAX_BYTES, FUZZ_MAX_ELEMENTS)
 * and tests/run-fuzz.sh passes -malloc_limit_mb and -rss_limit_mb, so a target
 * that tried to allocate what a hostile announcement asks for fails loudly.
 */
#ifndef RMD_FUZZ_COMMON_H
#define RMD_FUZZ_COMMON_H

#include <hiredis/hiredis.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "collect.h"
#include "evidence.h"
#include "findings.h"
#include "resp.h"
#include "rules.h"

#define FUZZ_MAX_BYTES    (1u << 20) /* one reply: 1 MiB (the probe allows 32 MiB) */
#define FUZZ_MAX_ELEMENTS 4096       /* one array: more than SLOWLOG GET 128 needs */
#define FUZZ_MAX_INPUT    (1u << 20) /* inputs past this are skipped, not truncated */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static inline void require(int cond) {
    if (!cond) __builtin_trap();
}

/* A fixed-size text field is NUL-terminated inside its buffer. */
#define REQUIRE_TERMINATED(field) require(memchr((field), '\0', sizeof(field)) != NULL)

/* Registry index of the collector whose command starts with a0 [a1]. */
static inline size_t fuzz_collector(const char *a0, const char *a1) {
    for (size_t i = 0; i < rmd_collect_count(); i++) {
        const char *argv[RMD_COLLECT_MAX_ARGS];
        int n = rmd_collect_command(i, argv);
        if (n >= 1 && strcmp(argv[0], a0) == 0 && (!a1 || (n >= 2 && strcmp(argv[1], a1) == 0))) return i;
    }
    __builtin_trap();
}

/* A fresh evidence as the probe leaves it once PING answered (heap: it is large). */
static inline rmd_evidence *fuzz_evidence_new(void) {
    rmd_evidence *ev = malloc(sizeof *ev);
    if (!ev) return NULL;
    rmd_evidence_init(ev);
    ev->reachable = 1;
    ev->port = 6379;
    memcpy(ev->host, "127.0.0.1", 10);
    for (int p = 0; p < RMD_PHASE__COUNT; p++) ev->phase[p].ran = ev->phase[p].ok = 1;
    return ev;
}

static inline void fuzz_evidence_free(rmd_evidence *ev) {
    if (!ev) return;
    rmd_evidence_free(ev);
    free(ev);
}

/* Give text to collector idx as the bulk (or error, when is_error) reply it
 * would get; NUL-terminated like hiredis's strings. */
static inline void fuzz_store_text(rmd_evidence *ev, size_t idx, const char *s, size_t len, int is_error) {
    redisReply r;
    char *z = malloc(len + 1);
    if (!z) return;
    memcpy(z, s, len);
    z[len] = '\0';
    memset(&r, 0, sizeof r);
    r.type = is_error ? REDIS_REPLY_ERROR : REDIS_REPLY_STRING;
    r.str = z;
    r.len = len;
    rmd_collect_store(idx, ev, &r);
    free(z);
}

/* Run every rule over ev; check what the findings promise; free them. */
static inline void fuzz_judge(const rmd_evidence *ev) {
    rmd_thresholds th;
    rmd_findings fl = {0};
    rmd_thresholds_default(&th);
    rmd_rules_run(ev, &th, &fl);
    for (size_t i = 0; i < fl.n; i++) {
        const rmd_finding *f = &fl.items[i];
        REQUIRE_TERMINATED(f->summary);
        require(f->summary[0] != '\0');
        require(f->sev == RMD_SEV_INFO || f->sev == RMD_SEV_WARNING || f->sev == RMD_SEV_CRITICAL);
        for (size_t k = 0; k < f->evidence.n; k++) require(f->evidence.items[k] != NULL);
    }
    rmd_findings_sort(&fl);
    rmd_findings_free(&fl);
}

/* Feed bytes to a bounded reader in chunks whose sizes come from the data
 * itself (so split points are fuzzed too) and hand each complete reply to
 * cb; stops at the first reader error. */
typedef void (*fuzz_reply_cb)(const redisReply *r, void *arg);

static inline void fuzz_replies(const uint8_t *data, size_t size, fuzz_reply_cb cb, void *arg) {
    rmd_resp *r = rmd_resp_new(FUZZ_MAX_BYTES, FUZZ_MAX_ELEMENTS);
    size_t off = 0;
    if (!r) return;
    while (off < size) {
        size_t chunk = 1 + (data[off] % 61) * 7;
        if (chunk > size - off) chunk = size - off;
        if (rmd_resp_feed(r, (const char *)data + off, chunk) != RMD_OK) break;
        off += chunk;
        for (;;) {
            redisReply *rep = NULL;
            if (rmd_resp_next(r, &rep) != RMD_OK || !rep) break;
            cb(rep, arg);
            freeReplyObject(rep);
        }
    }
    require(rmd_resp_errstr(r) != NULL && rmd_resp_first_bytes(r) != NULL);
    rmd_resp_free(r);
}

#endif
