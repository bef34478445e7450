/* fuzz_triage.c -- libFuzzer target for the line classifier (built-in runbook
 * patterns through vectorscan and PCRE2, the Redis evidence of logctx.c) and
 * the endpoint / time extractors. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "classify.h"
#include "extract.h"
#include "kb.h"
#include "logctx.h"
#include "triage.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

static rmd_kb kb;
static rmd_classifier *cls;

int LLVMFuzzerInitialize(int *argc, char ***argv) {
    char err[256];
    rmd_kb_problems probs = {0};
    (void)argc;
    (void)argv;
    rmd_kb_load_builtin(&kb, &probs);
    rmd_kb_problems_free(&probs);
    cls = rmd_classifier_new(&kb, err, sizeof err);
    return cls ? 0 : 1;
}

static void count(const char *line, size_t len, int idx, void *arg) {
    (void)line;
    (void)len;
    (void)idx;
    (*(long *)arg)++;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    const char *s = (const char *)data;
    long n = 0;
    rmd_endpoint ep;
    double t;
    rmd_logctx ctx = {{0}, 0};
    const char *nl = memchr(s, '\n', size);
    size_t first = nl ? (size_t)(nl - s) : size;
    rmd_classifier_reset(cls);
    rmd_classifier_scan(cls, s, size, count, &n);
    rmd_logctx_learn(&ctx, s, size);
    rmd_logctx_line(&ctx, s, size);
    rmd_logctx_block(&ctx, s, size, 0, first, NULL);
    rmd_extract_endpoint(s, size, &ep);
    rmd_extract_time(s, size, 2026, &t);
    rmd_triage_source(s, size);
    return 0;
}
