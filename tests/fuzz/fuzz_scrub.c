/* fuzz_scrub.c -- libFuzzer target for secret scrubbing (evidence.c,
 * rmd_evidence_scrub): whatever a server echoes, the password we sent never
 * survives in the evidence that is printed, put in JSON or stored.
 *
 * Input: byte 0 is the secret's length, then the secret, then text a hostile
 * server returns; the text, with the secret spliced in, lands in the error
 * reply, the phase detail, a collector detail, a CONFIG value, a SLOWLOG
 * entry and an INFO value. After scrubbing, the secret occurs in none of
 * them (checked when it holds no '*', which scrubbing itself writes).
 * Allocation caps: inputs over 64 KiB are skipped; run-fuzz.sh caps malloc.
 * Seeds: tests/fuzz/corpus/fuzz_scrub/ (renamed AUTH echoes, WRONGPASS). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "evidence.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void require(int cond) {
    if (!cond) __builtin_trap();
}

/* secret occurs nowhere in the text fields scrubbing covers. */
static void require_absent(const rmd_evidence *ev, const char *secret) {
    require(!strstr(ev->reply_error, secret));
    require(!strstr(ev->phase[RMD_PHASE_AUTH].detail, secret));
    require(!strstr(ev->config[RMD_CFG_DIR].value, secret));
    for (size_t i = 0; i < ev->n_collectors; i++) require(!strstr(ev->collectors[i].detail, secret));
    for (size_t i = 0; i < ev->slowlog.n; i++) require(!strstr(ev->slowlog.e[i].cmd, secret));
    for (size_t i = 0; i < ev->info.n; i++) require(!strstr(ev->info.items[i].val, secret));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    char secret[256], text[512];
    if (size < 1 || size > (64u << 10)) return 0;
    size_t sl = data[0];
    if (sl == 0 || sl > size - 1) return 0;
    memcpy(secret, data + 1, sl);
    secret[sl] = '\0';
    sl = strlen(secret); /* a NUL ends a C string secret, as it would on the wire */
    if (!sl) return 0;
    /* text: the rest, with the secret spliced in the middle and at the end */
    size_t rest = size - 1 - (size_t)data[0], half = rest / 2, o = 0;
    const char *r = (const char *)data + 1 + data[0];
    rmd_buf b = {.max = sizeof text - 1};
    rmd_buf_append(&b, r, half);
    rmd_buf_append(&b, secret, sl);
    rmd_buf_append(&b, r + half, rest - half);
    rmd_buf_append(&b, secret, sl);
    if (b.p) o = strlen(b.p); /* up to an embedded NUL */
    memcpy(text, b.p ? b.p : "", o);
    text[o] = '\0';
    rmd_buf_free(&b);

    rmd_evidence *ev = malloc(sizeof *ev);
    if (!ev) return 0;
    rmd_evidence_init(ev);
    rmd_strlcpy(ev->reply_error, text, sizeof ev->reply_error);
    rmd_strlcpy(ev->phase[RMD_PHASE_AUTH].detail, text, sizeof ev->phase[RMD_PHASE_AUTH].detail);
    rmd_strlcpy(ev->config[RMD_CFG_DIR].value, text, sizeof ev->config[RMD_CFG_DIR].value);
    rmd_evidence_collector(ev, "CONFIG GET dir", RMD_ITEM_ERROR, text);
    ev->slowlog.n = 1;
    rmd_strlcpy(ev->slowlog.e[0].cmd, text, sizeof ev->slowlog.e[0].cmd);
    rmd_kv_add(&ev->info, "errorstat_ERR", 13, text, strlen(text));
    rmd_evidence_scrub(ev, secret);
    if (!strchr(secret, '*')) require_absent(ev, secret);
    rmd_evidence_free(ev);
    free(ev);
    return 0;
}
