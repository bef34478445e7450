/* fuzz_cluster.c -- libFuzzer target for CLUSTER INFO: the CLUSTER INFO
 * collector (text through rmd_info_parse into ev->cluster, or an error reply
 * when the input starts with '-') and the cluster rule that judges it.
 * Seeds: tests/fuzz/corpus/fuzz_cluster/ (captured from redis 7.0.15). */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size > FUZZ_MAX_INPUT) return 0;
    rmd_evidence *ev = fuzz_evidence_new();
    if (!ev) return 0;
    int is_error = size > 0 && data[0] == '-';
    /* a cluster node also says so in INFO: let the rule look at the fields */
    fuzz_store_text(ev, fuzz_collector("INFO", NULL), "cluster_enabled:1\r\n", 19, 0);
    fuzz_store_text(ev, fuzz_collector("CLUSTER", "INFO"), (const char *)data + is_error, size - (size_t)is_error,
                    is_error);
    require(ev->cluster.n <= RMD_INFO_MAX_FIELDS);
    for (size_t i = 0; i < ev->cluster.n; i++) {
        require(ev->cluster.items[i].key[0] != '\0');
        require(strchr(ev->cluster.items[i].val, '\n') == NULL);
    }
    require(ev->n_collectors <= RMD_COLLECTORS_MAX);
    for (size_t i = 0; i < ev->n_collectors; i++) REQUIRE_TERMINATED(ev->collectors[i].detail);
    fuzz_judge(ev);
    fuzz_evidence_free(ev);
    return 0;
}
