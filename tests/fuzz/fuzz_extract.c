/* fuzz_extract.c -- libFuzzer target for the time and endpoint extraction of
 * triage (extract.c): rmd_extract_endpoint, rmd_extract_time and the
 * --since/--until parser rmd_parse_when. No allocation in these functions, so
 * the caps are the fixed output fields; the checks are their contracts, and
 * that a redis:// URL's password never reaches the shown endpoint.
 * Seeds: tests/fuzz/corpus/fuzz_extract/ (log lines with times and endpoints). */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "extract.h"

#define FUZZ_MAX_INPUT (1u << 20)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void require(int cond) {
    if (!cond) __builtin_trap();
}

#define REQUIRE_TERMINATED(field) require(memchr((field), '\0', sizeof(field)) != NULL)

/* In a shown redis:// URL, whatever sits between "user:" and '@' is "***". */
static void require_no_password(const char *text) {
    const char *p = strstr(text, "://");
    if (!p) return;
    const char *at = strchr(p + 3, '@');
    if (!at) return;
    const char *colon = memchr(p + 3, ':', (size_t)(at - p - 3));
    if (colon) require((size_t)(at - colon - 1) == 3 && memcmp(colon + 1, "***", 3) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    const char *s = (const char *)data;
    rmd_endpoint ep;
    double t;
    if (size > FUZZ_MAX_INPUT) return 0;
    memset(&ep, 0x55, sizeof ep); /* the function must set every field it promises */
    if (rmd_extract_endpoint(s, size, &ep)) {
        REQUIRE_TERMINATED(ep.host);
        REQUIRE_TERMINATED(ep.text);
        require(ep.port >= 0 && ep.port <= 65535);
        require(ep.text[0] != '\0');
        require_no_password(ep.text);
    }
    if (rmd_extract_time(s, size, 2026, &t)) require(isfinite(t));
    if (size < 256) {
        char z[256];
        memcpy(z, s, size);
        z[size] = '\0';
        if (rmd_parse_when(z, 1.8e9, &t)) require(isfinite(t));
    }
    return 0;
}
