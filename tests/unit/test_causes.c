/* test_causes.c -- the cause table and docs/causes.md agree; severities and lookups. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "causes.h"
#include "unit.h"

TEST(every_cause_is_documented) {
    size_t dlen;
    char *doc = unit_slurp("docs/causes.md", &dlen);
    CHECK(doc != NULL);
    if (!doc) return;
    for (int i = 0; i < RMD_CAUSE__COUNT; i++) {
        char needle[80];
        snprintf(needle, sizeof needle, "| `%s` |", rmd_cause_get((rmd_cause)i)->id);
        if (!strstr(doc, needle)) {
            fprintf(stderr, "  docs/causes.md lacks a row for %s\n", rmd_cause_get((rmd_cause)i)->id);
            CHECK(0);
        }
    }
    free(doc);
}

TEST(every_documented_row_is_a_cause) {
    size_t dlen;
    char *doc = unit_slurp("docs/causes.md", &dlen);
    CHECK(doc != NULL);
    if (!doc) return;
    for (char *p = strstr(doc, "\n| `"); p; p = strstr(p + 1, "\n| `")) {
        char id[64];
        char *s = p + 4, *e = strchr(s, '`');
        if (!e || (size_t)(e - s) >= sizeof id) continue;
        memcpy(id, s, (size_t)(e - s));
        id[e - s] = '\0';
        if (rmd_cause_find(id) < 0) {
            fprintf(stderr, "  docs/causes.md documents %s, which is not in the table\n", id);
            CHECK(0);
        }
    }
    free(doc);
}

TEST(ids_are_kebab_and_unique) {
    for (int i = 0; i < RMD_CAUSE__COUNT; i++) {
        const char *id = rmd_cause_get((rmd_cause)i)->id;
        CHECK(strspn(id, "abcdefghijklmnopqrstuvwxyz-") == strlen(id));
        CHECK_INT(rmd_cause_find(id), i);
    }
    CHECK_INT(rmd_cause_find("no-such-cause"), -1);
    CHECK(rmd_cause_get(RMD_CAUSE__COUNT) == NULL);
    CHECK_STR(rmd_severity_name(RMD_SEV_CRITICAL), "critical");
}

int main(void) {
    RUN(every_cause_is_documented);
    RUN(every_documented_row_is_a_cause);
    RUN(ids_are_kebab_and_unique);
    return UNIT_END();
}
