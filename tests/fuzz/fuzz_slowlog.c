/* fuzz_slowlog.c -- libFuzzer target for SLOWLOG GET replies as the probe
 * reads them: bytes through the bounded RESP reader (resp.c), each reply to
 * rmd_slowlog_from_reply (evidence.c) and to the SLOWLOG collector, then the
 * slow-commands rule.
 * Seeds: tests/fuzz/corpus/fuzz_slowlog/ (SLOWLOG GET captured from redis 7.0). */
#include "fuzz_common.h"

static void on_reply(const redisReply *r, void *arg) {
    rmd_evidence *ev = arg;
    rmd_slowlog sl;
    rmd_err e = rmd_slowlog_from_reply(r, &sl);
    require(e == RMD_OK || e == RMD_EPARSE);
    require(sl.n <= RMD_SLOWLOG_MAX);
    for (size_t i = 0; i < sl.n; i++) {
        REQUIRE_TERMINATED(sl.e[i].cmd);
        REQUIRE_TERMINATED(sl.e[i].client);
        require(sl.e[i].usec <= sl.max_usec || sl.e[i].usec < 0);
    }
    rmd_collect_store(fuzz_collector("SLOWLOG", "GET"), ev, r);
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
