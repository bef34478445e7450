/* fuzz_evidence.c -- libFuzzer target for the INFO and CLIENT LIST parsers and,
 * through the bounded RESP reader, the SLOWLOG / LATENCY reply parsers. */
#include <hiredis/hiredis.h>
#include <stdint.h>
#include <stdlib.h>

#include "evidence.h"
#include "resp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    const char *s = (const char *)data;
    rmd_kvlist kv = {0};
    rmd_clients c = {0};
    rmd_info_parse(s, size, &kv);
    for (size_t i = 0; i < kv.n && i < 4; i++) {
        char out[64];
        rmd_info_subfield(kv.items[i].val, "keys", out, sizeof out);
    }
    rmd_kv_free(&kv);
    rmd_clients_parse(s, size, 10, &c);
    rmd_clients_free(&c);

    rmd_resp *r = rmd_resp_new(1 << 16, 1024);
    redisReply *rep = NULL;
    if (r && rmd_resp_feed(r, s, size) == RMD_OK && rmd_resp_next(r, &rep) == RMD_OK && rep) {
        rmd_slowlog sl;
        rmd_latency lat;
        rmd_slowlog_from_reply(rep, &sl);
        rmd_latency_from_reply(rep, &lat);
        freeReplyObject(rep);
    }
    rmd_resp_free(r);
    return 0;
}
