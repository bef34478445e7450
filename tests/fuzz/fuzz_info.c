/* fuzz_info.c -- libFuzzer target for INFO: rmd_info_parse and
 * rmd_info_subfield (evidence.c), then the INFO collector and every rule that
 * reads INFO fields, as the probe runs them on a reply.
 * Seeds: tests/fuzz/corpus/fuzz_info/ (INFO everything captured from redis 7.0). */
#include "fuzz_common.h"

static void check_parse(const char *s, size_t size) {
    rmd_kvlist kv = {0};
    char out[32];
    rmd_err e = rmd_info_parse(s, size, &kv);
    require(e == RMD_OK || e == RMD_ETOOBIG || e == RMD_ENOMEM);
    require(kv.n <= RMD_INFO_MAX_FIELDS);
    for (size_t i = 0; i < kv.n; i++) {
        require(kv.items[i].key[0] != '\0' && kv.items[i].key[0] != '#');
        require(strchr(kv.items[i].key, ':') == NULL);
        require(strchr(kv.items[i].val, '\n') == NULL);
        if (rmd_info_subfield(kv.items[i].val, "keys", out, sizeof out) == 0) require(strlen(out) < sizeof out);
        rmd_info_subfield(kv.items[i].val, kv.items[i].key, out, sizeof out);
    }
    if (kv.n) require(rmd_kv_get(&kv, kv.items[0].key) == kv.items[0].val);
    rmd_kv_free(&kv);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size > FUZZ_MAX_INPUT) return 0;
    check_parse((const char *)data, size);
    rmd_evidence *ev = fuzz_evidence_new();
    if (!ev) return 0;
    fuzz_store_text(ev, fuzz_collector("INFO", NULL), (const char *)data, size, 0);
    fuzz_judge(ev);
    fuzz_evidence_free(ev);
    return 0;
}
