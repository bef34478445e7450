/* fuzz_logctx.c -- libFuzzer target for the Redis-evidence reader of triage
 * (logctx.c): port learning from redis:// URLs, the verdict of one line, and
 * the verdict of a line with its exception block, with and without the memo,
 * and the continuation test.
 * Pure functions, no allocation: the caps are the fixed ports array and the
 * block walk (RMD_LOGCTX_BLOCK lines each way); inputs over 1 MiB are skipped.
 * Seeds: tests/fuzz/corpus/fuzz_logctx/ (Java and Python traces). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "logctx.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void require(int cond) {
    if (!cond) __builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    const char *s = (const char *)data;
    rmd_logctx ctx;
    rmd_logctx_memo memo;
    if (size > (1u << 20)) return 0;
    memset(&ctx, 0, sizeof ctx);
    memset(&memo, 0, sizeof memo);
    rmd_logctx_learn(&ctx, s, size);
    require(ctx.n_ports >= 0 && ctx.n_ports <= RMD_LOGCTX_PORTS);
    int v = rmd_logctx_line(&ctx, s, size);
    require(v >= -1 && v <= 1);
    require(rmd_logctx_line(NULL, s, size) >= -1);
    /* every line with its block, with and without the memo. (They may differ:
     * a line inside a block walked from another line reuses that walk's
     * verdict, and a walk from the line itself can find a smaller block.) */
    size_t ls = 0;
    for (int k = 0; ls <= size && k < 256; k++) {
        const char *nl = memchr(s + ls, '\n', size - ls);
        size_t le = nl ? (size_t)(nl - s) : size;
        int with = rmd_logctx_block(&ctx, s, size, ls, le, &memo);
        int without = rmd_logctx_block(&ctx, s, size, ls, le, NULL);
        require(with >= -1 && with <= 1 && without >= -1 && without <= 1);
        rmd_logctx_continues(s + ls, le - ls);
        if (!nl) break;
        ls = le + 1;
    }
    return 0;
}
