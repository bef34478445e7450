/* fuzz_resp.c -- libFuzzer target for the bounded RESP reader (resp.c) as the
 * probe uses it: arbitrary bytes fed in arbitrary chunks never crash, never
 * grow past the limits; every reply that comes out is handed to one collector
 * of the registry (chosen by the reply's position), so CONFIG GET, INFO,
 * CLIENT LIST, ... all see hostile shapes, and error replies are classified.
 * Seeds: tests/fuzz/corpus/fuzz_resp/ (replies captured from redis 7.0). */
#include "fuzz_common.h"

typedef struct state {
    rmd_evidence *ev;
    size_t        nth;  /* replies seen */
} state;

static void on_reply(const redisReply *r, void *arg) {
    state *st = arg;
    if (r->type == REDIS_REPLY_ERROR) {
        rmd_item_status s = rmd_item_status_of_error(r->str);
        require(s == RMD_ITEM_DENIED || s == RMD_ITEM_UNAVAILABLE || s == RMD_ITEM_ERROR);
    }
    rmd_collect_store(st->nth++ % rmd_collect_count(), st->ev, r);
    require(st->ev->n_collectors <= RMD_COLLECTORS_MAX);
    for (int k = 0; k < RMD_CFG__COUNT; k++) REQUIRE_TERMINATED(st->ev->config[k].value);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    state st = {0};
    if (size > FUZZ_MAX_INPUT) return 0;
    if (!(st.ev = fuzz_evidence_new())) return 0;
    fuzz_replies(data, size, on_reply, &st);
    fuzz_judge(st.ev);
    fuzz_evidence_free(st.ev);
    return 0;
}
