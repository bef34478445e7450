/* fuzz_triage.c -- libFuzzer target for the line classifier (built-in runbook
 * patterns through vectorscan and PCRE2, the Redis evidence of logctx.c), the
 * endpoint / time extractors, events.c (lines grouped into events across chunk
 * boundaries) and redact.c. The first input byte chooses after which line the
 * input is cut in two chunks (moved back to the start of the block still open
 * there, as triage feeds its chunks); the events must not depend on the cut
 * (the oracle), and redaction must stay within its buffer. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "classify.h"
#include "events.h"
#include "extract.h"
#include "kb.h"
#include "logctx.h"
#include "redact.h"
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

typedef struct sum {
    unsigned long long h;
    long n;
} sum;

static void on_ev(const rmd_event *ev, void *arg) {
    sum *s = arg;
    char red[256];
    rmd_redact(red, sizeof red, ev->line, ev->len);
    s->n++;
    s->h = s->h * 1099511628211ull + (unsigned long long)ev->lineno * 31u + (unsigned)ev->idx + (unsigned long long)(ev->ts + 2) +
           (unsigned long long)ev->have_ep;
}

static sum run(const char *s, size_t n, size_t cut) {
    rmd_events e;
    sum r = {0, 0};
    rmd_events_init(&e, cls, 2026, 1, on_ev, &r);
    if (cut) rmd_events_feed(&e, s, cut, 0);
    rmd_events_feed(&e, s + cut, n - cut, cut);
    rmd_events_flush(&e);
    return r;
}

/* The oracle: cut after the line chosen by data[0], the same events. */
static void events_oracle(const uint8_t *data, size_t size) {
    if (size < 1) return;
    const char *s = (const char *)data + 1;
    size_t n = size - 1, cut = 0;
    int want = data[0];
    for (size_t i = 0; i < n && want > 0; i++)
        if (s[i] == '\n') {
            cut = i + 1;
            want--;
        }
    if (cut) { /* as triage feeds a chunk: its last open block waits for the next one */
        size_t h = rmd_events_hold(s, cut);
        if (h < cut) cut = h;
    }
    sum whole = run(s, n, 0), parts = run(s, n, cut);
    /* a line longer than the copy kept across chunks may lose its tail, and
     * headers are looked for within 256 lines: compare within those bounds */
    size_t longest = 0, cur = 0, lines = 0;
    for (size_t i = 0; i < n; i++) {
        cur = s[i] == '\n' ? 0 : cur + 1;
        lines += s[i] == '\n';
        if (cur > longest) longest = cur;
    }
    if (longest < 2000 && lines < 200 && (whole.n != parts.n || whole.h != parts.h)) abort();
    char out[64];
    rmd_redact(out, sizeof out, s, n);
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
    events_oracle(data, size);
    return 0;
}
