/* causes.c -- the cause table (see causes.h). */
#include "causes.h"

#include <string.h>

static const rmd_cause_info causes[RMD_CAUSE__COUNT] = {
#define RMD_CAUSE_INFO(e, id, group, title) {RMD_CAUSE_##e, id, group, title},
    RMD_CAUSES(RMD_CAUSE_INFO)
#undef RMD_CAUSE_INFO
};

const char *rmd_severity_name(rmd_severity s) {
    switch (s) {
    case RMD_SEV_INFO: return "info";
    case RMD_SEV_WARNING: return "warning";
    case RMD_SEV_CRITICAL: return "critical";
    }
    return "?";
}

const rmd_cause_info *rmd_cause_get(rmd_cause c) {
    if ((int)c < 0 || c >= RMD_CAUSE__COUNT) return NULL;
    return &causes[c];
}

int rmd_cause_find(const char *id) {
    for (int i = 0; i < RMD_CAUSE__COUNT; i++)
        if (strcmp(causes[i].id, id) == 0) return i;
    return -1;
}
