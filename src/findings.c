/* findings.c -- the findings list (see findings.h). */
#include "findings.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

rmd_finding *rmd_findings_add(rmd_findings *l, rmd_cause c, rmd_severity sev, const char *fmt, ...) {
    if (l->n == l->cap) {
        size_t nc = l->cap ? l->cap * 2 : 8;
        rmd_finding *ni = realloc(l->items, nc * sizeof *ni);
        if (!ni) return NULL;
        l->items = ni;
        l->cap = nc;
    }
    rmd_finding *f = &l->items[l->n++];
    memset(f, 0, sizeof *f);
    f->cause = c;
    f->sev = sev;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(f->summary, sizeof f->summary, fmt, ap);
    va_end(ap);
    return f;
}

int rmd_findings_has(const rmd_findings *l, rmd_cause c) {
    for (size_t i = 0; i < l->n; i++)
        if (l->items[i].cause == c) return 1;
    return 0;
}

static int cmp_finding(const void *a, const void *b) {
    const rmd_finding *x = a, *y = b;
    if (x->sev != y->sev) return (int)y->sev - (int)x->sev;
    int gx = strcmp(rmd_cause_get(x->cause)->group, "connectivity") == 0;
    int gy = strcmp(rmd_cause_get(y->cause)->group, "connectivity") == 0;
    if (gx != gy) return gy - gx;
    return (int)x->cause - (int)y->cause;
}

void rmd_findings_sort(rmd_findings *l) {
    if (l->n > 1) qsort(l->items, l->n, sizeof l->items[0], cmp_finding);
}

int rmd_findings_max(const rmd_findings *l) {
    int m = -1;
    for (size_t i = 0; i < l->n; i++)
        if ((int)l->items[i].sev > m) m = (int)l->items[i].sev;
    return m;
}

void rmd_findings_free(rmd_findings *l) {
    for (size_t i = 0; i < l->n; i++) {
        rmd_strlist_free(&l->items[i].evidence);
        rmd_steps_free(&l->items[i].steps);
    }
    free(l->items);
    l->items = NULL;
    l->n = l->cap = 0;
}

rmd_err rmd_steps_add(rmd_steps *l, const char *cmd, char phase, int is_template, const char *needs, const char *note) {
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 8;
        rmd_step *it = realloc(l->items, cap * sizeof *it);
        if (!it) return RMD_ENOMEM;
        l->items = it;
        l->cap = cap;
    }
    rmd_step *s = &l->items[l->n];
    memset(s, 0, sizeof *s);
    s->cmd = strdup(cmd);
    if (!s->cmd) return RMD_ENOMEM;
    s->phase = phase;
    s->is_template = is_template;
    rmd_strlcpy(s->needs, needs ? needs : "", sizeof s->needs);
    rmd_strlcpy(s->note, note ? note : "", sizeof s->note);
    l->n++;
    return RMD_OK;
}

void rmd_steps_free(rmd_steps *l) {
    for (size_t i = 0; i < l->n; i++) free(l->items[i].cmd);
    free(l->items);
    memset(l, 0, sizeof *l);
}
