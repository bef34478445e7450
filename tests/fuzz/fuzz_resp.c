/* fuzz_resp.c -- libFuzzer target for the bounded RESP reader: arbitrary bytes
 * fed in arbitrary chunks must never crash or grow past the limits. */
#include <hiredis/hiredis.h>
#include <stdint.h>
#include <stdlib.h>

#include "resp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    rmd_resp *r = rmd_resp_new(1 << 16, 1024);
    size_t off = 0;
    if (!r) return 0;
    while (off < size) {
        size_t chunk = 1 + (data[off] % 17);
        if (chunk > size - off) chunk = size - off;
        if (rmd_resp_feed(r, (const char *)data + off, chunk) != RMD_OK) break;
        off += chunk;
        for (;;) {
            redisReply *rep = NULL;
            if (rmd_resp_next(r, &rep) != RMD_OK || !rep) break;
            freeReplyObject(rep);
        }
    }
    rmd_resp_free(r);
    return 0;
}
