/* fuzz_latency.c -- libFuzzer target for LATENCY LATEST replies as the probe
 * reads them: bytes through the bounded RESP reader (resp.c), each reply to
 * rmd_latency_from_reply (evidence.c) and to the LATENCY collector, then the
 * latency rules.
 * Seeds: tests/fuzz/corpus/fuzz_latency/ (LATENCY LATEST captured from redis 7.0). */
#include "fuzz_common.h"

static void on_reply(const redisReply *r, void *arg) {
    rmd_evidence *ev = arg;
    rmd_latency lat;
    rmd_err e = rmd_latency_from_reply(r, &lat);
    require(e == RMD_OK || e == RMD_EPARSE);
    require(lat.n <= RMD_LATENCY_MAX);
    for (size_t i = 0; i < lat.n; i++) REQUIRE_TERMINATED(lat.e[i].event);
    rmd_collect_store(fuzz_collector("LATENCY", "LATEST"), ev, r);
    fuzz_judge(ev);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size > FUZZ_MAX_INPUT) return 0;
    rmd_evidence *ev = fuzz_evidence_new();
    if (!ev) return 0;
    fuzz_replies(data, size, on_reply, ev);
    fuzz_evidence_free(ev);
    return 0;
}
