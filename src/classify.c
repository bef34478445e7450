/* classify.c -- vectorscan prefilter + PCRE2 confirmation (see classify.h). */
#include "classify.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <hs/hs.h>
#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "causes.h"
#include "logctx.h"
#include "term.h"

#define MAX_CAND_IDS 32        /* distinct patterns remembered per candidate line */
#define MATCH_LIMIT  100000    /* PCRE2 backtracking bound per line */
#define MAX_LINE     65536     /* longer lines are classified by their first 64 KiB */

/* How a pattern counts (the runbook key it comes from). A line matched by
 * several patterns takes the highest kind; within a kind, a cause before the
 * catch-all "unknown", then the match that starts first (the outermost message names the cause: a wrapper's text is
 * a fallback pattern), then the longest match, then the longest pattern. */
enum kind {
    K_URL = -1,                /* internal: a redis:// URL, whose port is learned */
    K_FALLBACK = 0,            /* fallback_patterns: only when nothing else explains the line, and with Redis evidence */
    K_GENERIC = 1,             /* generic_patterns: only with Redis evidence (logctx.h) */
    K_SPECIFIC = 2,            /* patterns */
};

typedef struct pattern {
    const char *src;           /* borrowed from the kb (or static) */
    const char *label;         /* cause id or runbook error_id; NULL for K_URL */
    const char *runbook;
    enum kind   kind;
    size_t      specificity;   /* pattern length: the last tie-break */
    pcre2_code *re;
    int         in_hs;         /* 1: in the vectorscan database; 0: checked on every line */
    unsigned    limit_hits;    /* lines on which it ran into the PCRE2 match limit */
    int         off;           /* disabled: it backtracked too often (a runbook's pattern) */
} pattern;

/* A pattern that hits the match limit on this many lines is turned off for
 * the rest of the run, with one warning: each hit costs MATCH_LIMIT steps,
 * and a lint-clean pattern can still backtrack on every line of a log. */
#define LIMIT_HITS_MAX 64

/* A confirmed match, for ranking (see enum kind). */
typedef struct hit {
    int    idx;                /* -1: none */
    size_t start, len;
} hit;

static const char url_src[] = "(?i)rediss?://";

typedef struct cand {
    size_t start, end;         /* line bounds in the scanned buffer */
    int    ids[MAX_CAND_IDS];
    int    n;
} cand;

struct rmd_classifier {
    pattern             *p;
    size_t               n;
    hs_database_t       *db;
    hs_scratch_t        *scratch;
    pcre2_match_data    *md;
    pcre2_match_context *mctx;
    size_t               n_always;  /* patterns vectorscan refused */
    const char          *buf;       /* scan state */
    size_t               len;
    cand                *cands;
    size_t               n_cands, cap_cands;
    int                  oom;
    rmd_logctx           ctx;       /* Redis ports learned from URLs in this input */
    rmd_logctx_memo      memo;      /* the last exception block judged (this scan) */
    int                  no_evidence; /* measurement only: generic/fallback patterns count without evidence */
};

/* ------------------------------------------------------------ db cache */

/* Compiling the database costs ~0.1 s for the built-in patterns, more than
 * scanning 100 MB; it is cached per pattern set in the user's cache dir
 * ($XDG_CACHE_HOME/redis-medic, else ~/.cache/redis-medic, mode 0700) as
 * "RMDHS1", the pattern count, one in-database flag per pattern, then
 * vectorscan's own serialized form (which it validates on load). Any
 * problem with the cache means compiling again; nothing is fatal. */

static unsigned long long fnv(unsigned long long h, const void *p, size_t n) {
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++) h = (h ^ b[i]) * 1099511628211ULL;
    return h;
}

static int cache_path(const rmd_classifier *c, char *out, size_t n) {
    const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
    char dir[512];
    unsigned long long h = 1469598103934665603ULL;
    if (xdg && xdg[0] == '/') snprintf(dir, sizeof dir, "%s/redis-medic", xdg);
    else if (home && home[0] == '/') snprintf(dir, sizeof dir, "%s/.cache/redis-medic", home);
    else return -1;
    h = fnv(h, hs_version(), strlen(hs_version()));
    for (size_t i = 0; i < c->n; i++) {
        h = fnv(h, c->p[i].src, strlen(c->p[i].src) + 1);
        h = fnv(h, &c->p[i].kind, sizeof c->p[i].kind);
    }
    char *slash = strrchr(dir, '/');
    if (slash && slash != dir) { /* ~/.cache may not exist yet */
        *slash = '\0';
        mkdir(dir, 0700);
        *slash = '/';
    }
    mkdir(dir, 0700);
    snprintf(out, n, "%s/patterns-%016llx.hsdb", dir, h);
    return 0;
}

static int cache_load(rmd_classifier *c) {
    char path[600], magic[7] = "";
    unsigned long long n = 0;
    if (cache_path(c, path, sizeof path) != 0) return -1;
    FILE *f = fopen(path, "rb");
    if (!f) return -1;
    int rc = -1;
    char *blob = NULL;
    unsigned char *flags = NULL;
    long size = 0;
    if (fread(magic, 1, 6, f) != 6 || memcmp(magic, "RMDHS1", 6) || fread(&n, sizeof n, 1, f) != 1 || n != c->n) goto out;
    flags = malloc(c->n ? c->n : 1);
    if (!flags || fread(flags, 1, c->n, f) != c->n) goto out;
    long start = ftell(f);
    if (fseek(f, 0, SEEK_END) != 0 || (size = ftell(f) - start) <= 0 || size > (64L << 20) || fseek(f, start, SEEK_SET) != 0)
        goto out;
    blob = malloc((size_t)size);
    if (!blob || fread(blob, 1, (size_t)size, f) != (size_t)size) goto out;
    if (hs_deserialize_database(blob, (size_t)size, &c->db) != HS_SUCCESS) { c->db = NULL; goto out; }
    if (hs_alloc_scratch(c->db, &c->scratch) != HS_SUCCESS) {
        hs_free_database(c->db);
        c->db = NULL;
        goto out;
    }
    for (size_t i = 0; i < c->n; i++) {
        c->p[i].in_hs = flags[i] != 0;
        if (!c->p[i].in_hs) c->n_always++;
    }
    rc = 0;
out:
    free(blob);
    free(flags);
    fclose(f);
    return rc;
}

static void cache_save(const rmd_classifier *c) {
    char path[600], tmp[640], *blob = NULL;
    size_t size = 0;
    unsigned long long n = c->n;
    if (!c->db || cache_path(c, path, sizeof path) != 0) return;
    if (hs_serialize_database(c->db, &blob, &size) != HS_SUCCESS) return;
    snprintf(tmp, sizeof tmp, "%s.%d.tmp", path, (int)getpid());
    FILE *f = fopen(tmp, "wb");
    int ok = 0;
    if (f) {
        ok = fwrite("RMDHS1", 1, 6, f) == 6 && fwrite(&n, sizeof n, 1, f) == 1;
        for (size_t i = 0; ok && i < c->n; i++) ok = fputc(c->p[i].in_hs ? 1 : 0, f) != EOF;
        ok = ok && fwrite(blob, 1, size, f) == size;
        ok = (fclose(f) == 0) && ok;
    }
    if (ok) rename(tmp, path); /* atomic: a reader never sees half a file */
    else unlink(tmp);
    free(blob);
}

/* Compile the prefilter database. A pattern vectorscan refuses even in
 * prefilter mode moves to the checked-on-every-line set. */
static int build_db(rmd_classifier *c, char *err, size_t errlen) {
    const char **ex = calloc(c->n, sizeof *ex);
    unsigned *fl = calloc(c->n, sizeof *fl), *ids = calloc(c->n, sizeof *ids);
    int rc = -1;
    if (!ex || !fl || !ids) goto out;
    for (size_t attempt = 0; attempt <= c->n; attempt++) {
        unsigned m = 0;
        for (size_t i = 0; i < c->n; i++) {
            if (!c->p[i].in_hs) continue;
            ex[m] = c->p[i].src;
            fl[m] = HS_FLAG_PREFILTER | HS_FLAG_MULTILINE | HS_FLAG_ALLOWEMPTY;
            ids[m] = (unsigned)i;
            m++;
        }
        if (m == 0) { rc = 0; goto out; }
        hs_compile_error_t *ce = NULL;
        if (hs_compile_multi(ex, fl, ids, m, HS_MODE_BLOCK, NULL, &c->db, &ce) == HS_SUCCESS) {
            rc = hs_alloc_scratch(c->db, &c->scratch) == HS_SUCCESS ? 0 : -1;
            if (rc) snprintf(err, errlen, "cannot allocate vectorscan scratch space");
            goto out;
        }
        if (ce && ce->expression >= 0 && (unsigned)ce->expression < m) {
            c->p[ids[ce->expression]].in_hs = 0;
            c->n_always++;
            hs_free_compile_error(ce);
            continue;
        }
        snprintf(err, errlen, "vectorscan: %s", ce && ce->message ? ce->message : "compile error");
        if (ce) hs_free_compile_error(ce);
        goto out;
    }
out:
    free(ex);
    free(fl);
    free(ids);
    return rc;
}

/* Compile one pattern (a pattern that does not compile is skipped: lint
 * names it, and a runbook that loaded has none). -1 only for K_URL failing. */
static int add_pattern(rmd_classifier *c, const char *src, const char *label, const char *runbook, enum kind kind) {
    int ec;
    PCRE2_SIZE eo;
    pcre2_code *re = pcre2_compile((PCRE2_SPTR)src, PCRE2_ZERO_TERMINATED, 0, &ec, &eo, NULL);
    if (!re) return kind == K_URL ? -1 : 0;
    pcre2_jit_compile(re, PCRE2_JIT_COMPLETE);
    c->p[c->n++] = (pattern){src, label, runbook, kind, strlen(src), re, 1, 0, 0};
    return 0;
}

/* A pattern is labelled with its runbook's cause: the declared one, else the
 * strongest link found by matching (a team's runbook without cause: still
 * counts under a cause a reader knows), else the runbook's own id. */
static void add_list(rmd_classifier *c, const rmd_kb *kb, const rmd_runbook *rb, const rmd_strlist *l, enum kind kind) {
    const char *label = rb->cause ? rb->cause : rb->n_links ? rb->links[0].cause : rb->error_id;
    /* events name the runbook a reader should open for that cause: a team's first */
    const rmd_runbook *open = rmd_cause_find(label) >= 0 ? rmd_kb_for_cause(kb, label) : NULL;
    for (size_t k = 0; k < l->n; k++) add_pattern(c, l->items[k], label, open ? open->error_id : rb->error_id, kind);
}

/* Patterns are dropped only when a later runbook replaces this one by its
 * id (a team's edited copy); a team's runbook for the same cause adds its
 * patterns to ours instead of silently taking the built-in ones away. */
static int replaced_by_id(const rmd_kb *kb, size_t i) {
    const rmd_runbook *rb = &kb->items[i];
    for (size_t j = i + 1; j < kb->n && rb->error_id; j++)
        if (kb->items[j].error_id && !strcasecmp(rb->error_id, kb->items[j].error_id)) return 1;
    return 0;
}

rmd_classifier *rmd_classifier_new(const rmd_kb *kb, char *err, size_t errlen) {
    rmd_classifier *c = calloc(1, sizeof *c);
    size_t total = 0;
    if (!c) goto oom;
    for (size_t i = 0; i < kb->n; i++)
        if (!replaced_by_id(kb, i))
            total += kb->items[i].patterns.n + kb->items[i].generic_patterns.n + kb->items[i].fallback_patterns.n;
    c->p = calloc(total + 1, sizeof *c->p);
    c->md = pcre2_match_data_create(4, NULL);
    c->mctx = pcre2_match_context_create(NULL);
    if (!c->p || !c->md || !c->mctx) goto oom;
    pcre2_set_match_limit(c->mctx, MATCH_LIMIT);
    for (size_t i = 0; i < kb->n; i++) {
        const rmd_runbook *rb = &kb->items[i];
        if (replaced_by_id(kb, i)) continue;
        add_list(c, kb, rb, &rb->patterns, K_SPECIFIC);
        add_list(c, kb, rb, &rb->generic_patterns, K_GENERIC);
        add_list(c, kb, rb, &rb->fallback_patterns, K_FALLBACK);
    }
    if (c->n && add_pattern(c, url_src, NULL, NULL, K_URL) != 0) goto oom;
    if (c->n && cache_load(c) != 0) {
        if (build_db(c, err, errlen) != 0) {
            rmd_classifier_free(c);
            return NULL;
        }
        cache_save(c);
    }
    return c;
oom:
    snprintf(err, errlen, "out of memory building the classifier");
    rmd_classifier_free(c);
    return NULL;
}

void rmd_classifier_free(rmd_classifier *c) {
    if (!c) return;
    for (size_t i = 0; i < c->n; i++) pcre2_code_free(c->p[i].re);
    free(c->p);
    free(c->cands);
    if (c->db) hs_free_database(c->db);
    if (c->scratch) hs_free_scratch(c->scratch);
    pcre2_match_data_free(c->md);
    pcre2_match_context_free(c->mctx);
    free(c);
}

size_t rmd_classifier_patterns(const rmd_classifier *c) { return c->n ? c->n - 1 : 0; /* without the URL one */ }

void rmd_classifier_reset(rmd_classifier *c) { memset(&c->ctx, 0, sizeof c->ctx); }

void rmd_classifier_require_evidence(rmd_classifier *c, int on) { c->no_evidence = !on; }
const char *rmd_classifier_label(const rmd_classifier *c, int idx) { return c->p[idx].label; }
const char *rmd_classifier_runbook(const rmd_classifier *c, int idx) { return c->p[idx].runbook; }

/* vectorscan match callback: remember the line that contains the match end. */
static int on_match(unsigned id, unsigned long long from, unsigned long long to, unsigned flags, void *ctx) {
    rmd_classifier *c = ctx;
    (void)from;
    (void)flags;
    size_t pos = to ? (size_t)to - 1 : 0;
    if (pos >= c->len) pos = c->len ? c->len - 1 : 0;
    if (c->buf[pos] == '\n' && pos > 0) pos--;
    cand *last = c->n_cands ? &c->cands[c->n_cands - 1] : NULL;
    if (!last || pos < last->start || pos >= last->end) {
        if (c->n_cands == c->cap_cands) {
            size_t nc = c->cap_cands ? c->cap_cands * 2 : 256;
            cand *ni = realloc(c->cands, nc * sizeof *ni);
            if (!ni) { c->oom = 1; return 1; }
            c->cands = ni;
            c->cap_cands = nc;
        }
        last = &c->cands[c->n_cands++];
        const char *nl = memrchr(c->buf, '\n', pos + (c->buf[pos] == '\n' ? 0 : 1));
        /* NOLINTNEXTLINE(clang-analyzer-core.NullDereference): cands is non-NULL whenever n_cands > 0 */
        last->start = nl ? (size_t)(nl - c->buf) + 1 : 0;
        const char *e = memchr(c->buf + pos, '\n', c->len - pos);
        last->end = e ? (size_t)(e - c->buf) : c->len;
        last->n = 0;
    }
    for (int i = 0; i < last->n; i++)
        if (last->ids[i] == (int)id) return 0;
    if (last->n < MAX_CAND_IDS) last->ids[last->n++] = (int)id;
    return 0;
}

static int cmp_cand(const void *a, const void *b) {
    const cand *x = a, *y = b;
    return x->start < y->start ? -1 : x->start > y->start;
}

/* Does a beat b (see enum kind)? */
static int better(const rmd_classifier *c, const hit *a, const hit *b) {
    if (b->idx < 0) return 1;
    const pattern *pa = &c->p[a->idx], *pb = &c->p[b->idx];
    if (pa->kind != pb->kind) return pa->kind > pb->kind;
    int ua = !strcmp(pa->label, "unknown"), ub = !strcmp(pb->label, "unknown");
    if (ua != ub) return ub; /* the catch-all loses to any cause of the same kind */
    if (a->start != b->start) return a->start < b->start;
    if (a->len != b->len) return a->len > b->len;
    return pa->specificity > pb->specificity;
}

/* Try pattern idx on the line; keep it in *best when it matches and ranks
 * higher. A generic pattern also needs Redis evidence (*ev caches the
 * line's verdict: 2 = not computed yet); so does a fallback pattern, as a
 * wrapper text ("Unable to connect") may come from any client. line lies in
 * c->buf. */
static void try_one(rmd_classifier *c, const char *line, size_t len, int idx, hit *best, int *ev) {
    pattern *p = &c->p[idx];
    if (p->kind == K_URL || p->off || (best->idx >= 0 && c->p[best->idx].kind > p->kind)) return;
    int rc = pcre2_match(p->re, (PCRE2_SPTR)line, len, 0, 0, c->md, c->mctx);
    if (rc == PCRE2_ERROR_MATCHLIMIT && ++p->limit_hits >= LIMIT_HITS_MAX) {
        p->off = 1;
        rmd_tprintf(stderr, "redis-medic: warning: pattern '%.80s' of runbook %s backtracks too much (the match limit on "
                    "%u lines): turned off for this run; rewrite it without nested or alternating repeats\n",
                    p->src, p->runbook ? p->runbook : "?", p->limit_hits);
    }
    if (rc < 0) return;
    PCRE2_SIZE *ov = pcre2_get_ovector_pointer(c->md);
    hit h = {idx, (size_t)ov[0], ov[1] > ov[0] ? (size_t)(ov[1] - ov[0]) : 0};
    if (!better(c, &h, best)) return;
    if (p->kind != K_SPECIFIC) { /* generic and fallback texts need Redis evidence */
        if (*ev == 2) {
            size_t ls = (size_t)(line - c->buf);
            *ev = rmd_logctx_block(&c->ctx, c->buf, c->len, ls, ls + len, &c->memo);
        }
        if (*ev <= 0 && !c->no_evidence) return;
    }
    *best = h;
}

/* The winning pattern among ids (and the always-checked ones) that PCRE2
 * confirms on the line, or -1. */
static int confirm(rmd_classifier *c, const char *line, size_t len, const int *ids, int n) {
    hit best = {-1, 0, 0};
    int ev = 2;
    if (len > MAX_LINE) len = MAX_LINE;
    for (int i = 0; i < n; i++)
        if (c->p[ids[i]].kind == K_URL) {
            int before = c->ctx.n_ports;
            rmd_logctx_learn(&c->ctx, line, len);
            if (c->ctx.n_ports != before) memset(&c->memo, 0, sizeof c->memo); /* verdicts may change */
        }
    for (int i = 0; i < n; i++) try_one(c, line, len, ids[i], &best, &ev);
    for (size_t i = 0; c->n_always && i < c->n; i++)
        if (!c->p[i].in_hs) try_one(c, line, len, (int)i, &best, &ev);
    return best.idx;
}

int rmd_classifier_scan(rmd_classifier *c, const char *buf, size_t len, rmd_classify_cb cb, void *arg) {
    c->buf = buf;
    c->len = len;
    c->n_cands = 0;
    memset(&c->memo, 0, sizeof c->memo); /* the caller may reuse the buffer with new bytes */
    c->oom = 0;
    if (len == 0 || c->n == 0) return 0;
    if (c->db && len <= 0xffffffffu &&
        hs_scan(c->db, buf, (unsigned)len, 0, c->scratch, on_match, c) != HS_SUCCESS && !c->oom)
        return -1;
    if (c->oom) return -1;
    if (c->n_cands > 1) {
        /* matches may arrive out of line order: sort, then merge a line's entries */
        qsort(c->cands, c->n_cands, sizeof *c->cands, cmp_cand);
        size_t w = 0;
        for (size_t r = 1; r < c->n_cands; r++) {
            cand *d = &c->cands[w], *x = &c->cands[r];
            if (x->start != d->start) { c->cands[++w] = *x; continue; }
            for (int i = 0; i < x->n; i++) {
                int dup = 0;
                for (int j = 0; j < d->n; j++) dup |= d->ids[j] == x->ids[i];
                if (!dup && d->n < MAX_CAND_IDS) d->ids[d->n++] = x->ids[i];
            }
        }
        c->n_cands = w + 1;
    }
    if (!c->n_always) {
        for (size_t i = 0; i < c->n_cands; i++) {
            cand *k = &c->cands[i];
            int best = confirm(c, buf + k->start, k->end - k->start, k->ids, k->n);
            if (best >= 0) cb(buf + k->start, k->end - k->start, best, arg);
        }
        return 0;
    }
    /* some patterns are checked on every line */
    size_t ci = 0;
    for (size_t s = 0; s < len;) {
        const char *nl = memchr(buf + s, '\n', len - s);
        size_t e = nl ? (size_t)(nl - buf) : len;
        int ids[MAX_CAND_IDS], n = 0;
        while (ci < c->n_cands && c->cands[ci].start < s) ci++;
        if (ci < c->n_cands && c->cands[ci].start == s) {
            n = c->cands[ci].n;
            memcpy(ids, c->cands[ci].ids, (size_t)n * sizeof ids[0]);
        }
        int best = confirm(c, buf + s, e - s, ids, n);
        if (best >= 0) cb(buf + s, e - s, best, arg);
        s = e + 1;
    }
    return 0;
}

typedef struct one { int idx; } one;

static void take_one(const char *line, size_t len, int idx, void *arg) {
    (void)line;
    (void)len;
    ((one *)arg)->idx = idx;
}

int rmd_classify_line(rmd_classifier *c, const char *line, size_t len) {
    one o = {-1};
    if (rmd_classifier_scan(c, line, len, take_one, &o) != 0) return -1;
    return o.idx;
}
