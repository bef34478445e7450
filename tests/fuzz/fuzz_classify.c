/* fuzz_classify.c -- libFuzzer target for log classification (classify.c):
 * the built-in runbooks' patterns through the vectorscan prefilter and the
 * PCRE2 confirmation, with the Redis-evidence rule for generic wordings, over
 * a whole buffer (rmd_classifier_scan) and line by line (rmd_classify_line),
 * plus the client-library guess of triage.c (rmd_triage_source).
 * Seeds: tests/fuzz/corpus/fuzz_classify/ (real client and server log lines). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "classify.h"
#include "kb.h"
#include "triage.h"

#define FUZZ_MAX_INPUT (1u << 20)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

static rmd_kb kb;
static rmd_classifier *cls;

static void require(int cond) {
    if (!cond) __builtin_trap();
}

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

typedef struct seen {
    const char *buf;
    size_t      len;
    long        n;
} seen;

/* Each classified line lies inside the buffer, has no '\n', and names a
 * pattern that exists. (The single-line API may disagree: a line can count
 * because of the exception block around it, which it does not see.) */
static void on_line(const char *line, size_t len, int idx, void *arg) {
    seen *s = arg;
    require(line >= s->buf && line + len <= s->buf + s->len);
    require(memchr(line, '\n', len) == NULL);
    require(idx >= 0 && (size_t)idx < rmd_classifier_patterns(cls));
    require(rmd_classifier_label(cls, idx) != NULL && rmd_classifier_runbook(cls, idx) != NULL);
    int alone = len < 4096 ? rmd_classify_line(cls, line, len) : -1;
    require(alone >= -1 && (alone < 0 || (size_t)alone < rmd_classifier_patterns(cls)));
    s->n++;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    const char *s = (const char *)data;
    seen sn = {s, size, 0};
    if (size > FUZZ_MAX_INPUT) return 0;
    rmd_classifier_reset(cls); /* a new input: forget the ports learned from the last */
    require(rmd_classifier_scan(cls, s, size, on_line, &sn) == 0);
    rmd_triage_source(s, size);
    return 0;
}
