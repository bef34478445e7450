/* fuzz_clientlist.c -- libFuzzer target for CLIENT LIST: rmd_clients_parse
 * (evidence.c), then the CLIENT LIST collector and the rules that read the
 * groups (connection leak, clients near the limit).
 * Seeds: tests/fuzz/corpus/fuzz_clientlist/ (captured from redis 7.0). */
#include "fuzz_common.h"

static void check_parse(const char *s, size_t size, long idle) {
    rmd_clients c = {0};
    long sum = 0, idle_sum = 0;
    rmd_err e = rmd_clients_parse(s, size, idle, &c);
    require(e == RMD_OK || e == RMD_ETOOBIG || e == RMD_ENOMEM);
    require(c.n <= RMD_CLIENT_GROUPS_MAX && c.total >= 0 && c.skipped >= 0);
    for (size_t i = 0; i < c.n; i++) {
        const rmd_client_group *g = &c.groups[i];
        REQUIRE_TERMINATED(g->addr);
        REQUIRE_TERMINATED(g->name);
        require(g->count > 0 && g->idle_count <= g->count && g->blocked <= g->count && g->pubsub <= g->count);
        require(i == 0 || c.groups[i - 1].count >= g->count);
        sum += g->count;
        idle_sum += g->idle_count;
    }
    require(sum == c.total && idle_sum == c.idle_total);
    rmd_clients_free(&c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size > FUZZ_MAX_INPUT) return 0;
    check_parse((const char *)data, size, 10);
    check_parse((const char *)data, size, 0);
    rmd_evidence *ev = fuzz_evidence_new();
    if (!ev) return 0;
    fuzz_store_text(ev, fuzz_collector("CLIENT", "LIST"), (const char *)data, size, 0);
    fuzz_judge(ev);
    fuzz_evidence_free(ev);
    return 0;
}
