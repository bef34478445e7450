/* opt.c -- the option table parser (see opt.h). */
#include "opt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

static const rmd_opt *find_long(const rmd_opt *t, const char *name, size_t len) {
    for (; t->name; t++)
        if (strlen(t->name) == len && memcmp(t->name, name, len) == 0) return t;
    return NULL;
}

static const rmd_opt *find_short(const rmd_opt *t, char c) {
    for (; t->name; t++)
        if (t->shrt && t->shrt == c) return t;
    return NULL;
}

static rmd_err set_int(const rmd_opt *o, void *dst, const char *v, long long lo, long long hi, char *err, size_t errlen) {
    long long n;
    if (rmd_parse_ll(v, strlen(v), &n) != 0 || n < lo || n > hi) {
        snprintf(err, errlen, "--%s: '%.40s' is not a whole number from %lld to %lld", o->name, v, lo, hi);
        return RMD_EUSAGE;
    }
    *(int *)((char *)dst + o->offset) = (int)n;
    return RMD_OK;
}

static rmd_err set_value(const rmd_opt *o, void *dst, char *v, char *err, size_t errlen) {
    switch (o->type) {
    case RMD_OPT_BOOL:
        *(int *)((char *)dst + o->offset) = 1;
        return RMD_OK;
    case RMD_OPT_STRING:
        *(const char **)((char *)dst + o->offset) = v;
        return RMD_OK;
    case RMD_OPT_SECRET: {
        char **slot = (char **)((char *)dst + o->offset);
        char *copy = strdup(v);
        if (!copy) return RMD_ENOMEM;
        if (*slot) { rmd_wipe(*slot, strlen(*slot)); free(*slot); }
        *slot = copy;
        /* Hide it from ps(1) as far as we can: overwrite our argv copy. */
        memset(v, '*', strlen(v));
        return RMD_OK;
    }
    case RMD_OPT_MILLIS:
        return set_int(o, dst, v, 1, 3600000, err, errlen);
    case RMD_OPT_PORT:
        return set_int(o, dst, v, 1, 65535, err, errlen);
    case RMD_OPT_COUNT:
        return set_int(o, dst, v, 0, 1000000, err, errlen);
    case RMD_OPT_MULTI: {
        rmd_opt_multi *m = (rmd_opt_multi *)((char *)dst + o->offset);
        if (m->n >= RMD_OPT_MULTI_MAX) {
            snprintf(err, errlen, "--%s given more than %d times", o->name, RMD_OPT_MULTI_MAX);
            return RMD_EUSAGE;
        }
        m->v[m->n++] = v;
        return RMD_OK;
    }
    case RMD_OPT_FILE:
        if (access(v, R_OK) != 0) {
            snprintf(err, errlen, "--%s: cannot read '%.200s'", o->name, v);
            return RMD_EUSAGE;
        }
        *(const char **)((char *)dst + o->offset) = v;
        return RMD_OK;
    }
    return RMD_EINTERNAL;
}

rmd_err rmd_opt_parse(const rmd_opt *table, void *dst, int argc, char **argv, const char **pos, int maxpos,
                      int *npos, char *err, size_t errlen) {
    int only_pos = 0;
    *npos = 0;
    for (int i = 0; i < argc; i++) {
        char *a = argv[i];
        const rmd_opt *o = NULL;
        char *val = NULL;
        if (only_pos || a[0] != '-' || a[1] == '\0') {
            if (*npos >= maxpos) {
                snprintf(err, errlen, "unexpected argument '%.60s'", a);
                return RMD_EUSAGE;
            }
            pos[(*npos)++] = a;
            continue;
        }
        if (strcmp(a, "--") == 0) { only_pos = 1; continue; }
        if (a[1] == '-') {
            char *eq = strchr(a + 2, '=');
            o = find_long(table, a + 2, eq ? (size_t)(eq - a - 2) : strlen(a + 2));
            if (!o) {
                size_t n = eq ? (size_t)(eq - a) : strlen(a);
                snprintf(err, errlen, "unknown option '%.*s' (see --help)", (int)(n > 60 ? 60 : n), a);
                return RMD_EUSAGE;
            }
            if (eq) {
                if (o->type == RMD_OPT_BOOL) {
                    snprintf(err, errlen, "--%s takes no value", o->name);
                    return RMD_EUSAGE;
                }
                val = eq + 1;
            }
        } else {
            o = find_short(table, a[1]);
            if (o && a[2] != '\0') {
                /* "-aPASSWORD": never echo what follows, and hide a secret from ps(1) */
                if (o->type == RMD_OPT_SECRET) memset(a + 2, '*', strlen(a + 2));
                snprintf(err, errlen, "-%c takes its value as the next argument (-%c VALUE); what followed is not shown",
                         a[1], a[1]);
                return RMD_EUSAGE;
            }
            if (!o) {
                snprintf(err, errlen, "unknown option '%.60s' (see --help)", a);
                return RMD_EUSAGE;
            }
        }
        if (o->type != RMD_OPT_BOOL && !val) {
            if (i + 1 >= argc) {
                snprintf(err, errlen, "--%s needs a value (%s)", o->name, o->arg ? o->arg : "value");
                return RMD_EUSAGE;
            }
            val = argv[++i];
        }
        rmd_err e = set_value(o, dst, val, err, errlen);
        if (e != RMD_OK) return e;
    }
    return RMD_OK;
}

void rmd_opt_help(FILE *out, const rmd_opt *t) {
    for (; t->name; t++) {
        char left[64];
        if (t->shrt) snprintf(left, sizeof left, "-%c, --%s%s%s", t->shrt, t->name, t->arg ? " " : "", t->arg ? t->arg : "");
        else snprintf(left, sizeof left, "    --%s%s%s", t->name, t->arg ? " " : "", t->arg ? t->arg : "");
        fprintf(out, "  %-28s %s\n", left, t->help);
    }
}
