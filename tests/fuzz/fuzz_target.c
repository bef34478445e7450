/* fuzz_target.c -- libFuzzer target for the URL parser and redaction. */
#include <stdint.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "target.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    char *url = size > (64u << 10) ? NULL : malloc(size + 1); /* cap: the parser refuses past 4096 */
    char err[256], red[512], ep[300];
    rmd_target t;
    if (!url) return 0;
    memcpy(url, data, size);
    url[size] = '\0';
    rmd_target_init(&t);
    if (rmd_target_parse_url(&t, url, err, sizeof err) == RMD_OK) {
        rmd_target_redacted(&t, red, sizeof red);
        rmd_target_endpoint(&t, ep, sizeof ep);
        /* the password never shows in the redacted form */
        /* Invariant: the redacted form does not depend on the password's content. */
        if (t.password) {
            char red2[512];
            rmd_target_set(&t.password, "different-secret");
            rmd_target_redacted(&t, red2, sizeof red2);
            if (strcmp(red, red2) != 0) abort();
        }
    }
    rmd_target_clear(&t);
    free(url);
    return 0;
}
