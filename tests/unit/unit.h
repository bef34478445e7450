/* unit.h -- the tiny assertion set of redis-medic's unit tests.
 *
 * Each test binary defines TEST(name) functions and calls RUN(name) from main();
 * every test case prints "PASS name" or "FAIL name" (with the failed checks above
 * it), which tests/run-all.sh counts. UNIT_END() returns the exit status.
 */
#ifndef RMD_UNIT_H
#define RMD_UNIT_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int unit_case_failed;
static int unit_cases_passed, unit_cases_failed;

#define TEST(name) static void name(void)

#define CHECK(cond) do {                                                        \
        if (!(cond)) {                                                          \
            fprintf(stderr, "  %s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
            unit_case_failed = 1;                                               \
        }                                                                       \
    } while (0)

#define CHECK_STR(a, b) do {                                                    \
        const char *ua_ = (a), *ub_ = (b);                                      \
        if (!ua_ || !ub_ || strcmp(ua_, ub_) != 0) {                            \
            fprintf(stderr, "  %s:%d: %s == \"%s\", expected \"%s\"\n",         \
                    __FILE__, __LINE__, #a, ua_ ? ua_ : "(null)", ub_ ? ub_ : "(null)"); \
            unit_case_failed = 1;                                               \
        }                                                                       \
    } while (0)

#define CHECK_INT(a, b) do {                                                    \
        long long ua_ = (long long)(a), ub_ = (long long)(b);                   \
        if (ua_ != ub_) {                                                       \
            fprintf(stderr, "  %s:%d: %s == %lld, expected %lld\n",             \
                    __FILE__, __LINE__, #a, ua_, ub_);                          \
            unit_case_failed = 1;                                               \
        }                                                                       \
    } while (0)

#define RUN(name) do {                                                          \
        unit_case_failed = 0;                                                   \
        name();                                                                 \
        printf("%s %s\n", unit_case_failed ? "FAIL" : "PASS", #name);          \
        if (unit_case_failed) unit_cases_failed++; else unit_cases_passed++;    \
        fflush(stdout);                                                         \
    } while (0)

#define UNIT_END() (unit_cases_failed ? 1 : 0)

/* Read a test data file (at most 1 MiB) into a new NUL-terminated buffer; NULL if unreadable. */
static inline char *unit_slurp(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    char *buf = malloc(1 << 20);
    if (!buf) { fclose(f); return NULL; }
    *len = fread(buf, 1, (1 << 20) - 1, f);
    buf[*len] = '\0';
    fclose(f);
    return buf;
}

#endif
