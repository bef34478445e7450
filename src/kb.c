/* kb.c -- runbook parsing, loading, lookup and lint (see kb.h). */
#include "kb.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pcre2.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml.h>

#include "causes.h"
#include "kbint.h"
#include "kbmd.h"
#include "term.h"
#include "yamlx.h"

/* The built-in runbooks, generated from kb/NAME.md at build time (scripts/embed-kb.sh). */
typedef struct rmd_kb_file {
    const char *name;
    const char *text;
    size_t      len;
} rmd_kb_file;
extern const rmd_kb_file rmd_kb_builtin_files[];
extern const size_t rmd_kb_builtin_count;

/* -------------------------------------------------------------- problems */

void rmd_kb_problem_add(rmd_kb_problems *p, const char *file, int line, int col, int warning, const char *fmt, ...) {
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (p->n == p->cap) {
        size_t nc = p->cap ? p->cap * 2 : 16;
        rmd_kb_problem *ni = realloc(p->items, nc * sizeof *ni);
        if (!ni) return;
        p->items = ni;
        p->cap = nc;
    }
    rmd_kb_problem *it = &p->items[p->n];
    it->file = strdup(file);
    it->msg = strdup(msg);
    if (!it->file || !it->msg) {
        free(it->file);
        free(it->msg);
        return;
    }
    it->line = line;
    it->col = col;
    it->warning = warning;
    p->n++;
    if (!warning) p->errors++;
    if (warning == 2) p->notes++;
}

void rmd_kb_problems_free(rmd_kb_problems *p) {
    for (size_t i = 0; i < p->n; i++) {
        free(p->items[i].file);
        free(p->items[i].msg);
    }
    free(p->items);
    memset(p, 0, sizeof *p);
}

void rmd_kb_problems_print(const rmd_kb_problems *p, void *file) {
    FILE *f = file;
    for (size_t i = 0; i < p->n; i++) {
        const rmd_kb_problem *it = &p->items[i];
        const char *kind = it->warning == 2 ? "note" : it->warning ? "warning" : "error";
        if (it->line) fprintf(f, "%s:%d:%d: %s: %s\n", it->file, it->line, it->col, kind, it->msg);
        else fprintf(f, "%s: %s: %s\n", it->file, kind, it->msg);
    }
}

/* ------------------------------------------------------------- runbooks */

void rmd_runbook_free(rmd_runbook *rb) {
    char **strs[] = {&rb->source, &rb->error_id, &rb->title, &rb->cause, &rb->severity, &rb->service,
                     &rb->error_domain, &rb->resolution_group, &rb->assignee, &rb->first_seen, &rb->last_seen,
                     &rb->fix_command, &rb->esc_runbook, &rb->body, &rb->severity_written, &rb->author,
                     &rb->last_validated};
    for (size_t i = 0; i < sizeof strs / sizeof strs[0]; i++) {
        free(*strs[i]);
        *strs[i] = NULL;
    }
    rmd_strlist_free(&rb->related);
    rmd_strlist_free(&rb->keywords);
    rmd_strlist_free(&rb->patterns);
    rmd_strlist_free(&rb->generic_patterns);
    rmd_strlist_free(&rb->fallback_patterns);
    free(rb->generic_pos);
    free(rb->fallback_pos);
    rmd_strlist_free(&rb->notify);
    rmd_strlist *lists[] = {&rb->symptoms, &rb->services, &rb->tags, &rb->contacts, &rb->ph_from, &rb->ph_to};
    for (size_t i = 0; i < sizeof lists / sizeof lists[0]; i++) rmd_strlist_free(lists[i]);
    for (size_t i = 0; i < rb->n_links; i++) {
        free(rb->links[i].cause);
        free(rb->links[i].reason);
    }
    free(rb->links);
    free(rb->pattern_pos);
    free(rb->related_pos);
    for (size_t i = 0; i < rb->n_exceptions; i++) {
        free(rb->exceptions[i].window);
        free(rb->exceptions[i].effect);
        free(rb->exceptions[i].severity);
        free(rb->exceptions[i].reason);
    }
    free(rb->exceptions);
    memset(rb, 0, sizeof *rb);
}

/* ------------------------------------------------------------ checks */

/* Offset of the first byte that is not valid UTF-8, or -1. */
static long utf8_invalid_at(const unsigned char *s, size_t n) {
    size_t i = 0;
    while (i < n) {
        unsigned char c = s[i];
        size_t k;
        if (c < 0x80) { i++; continue; }
        if (c >= 0xC2 && c <= 0xDF) k = 1;
        else if (c >= 0xE0 && c <= 0xEF) k = 2;
        else if (c >= 0xF0 && c <= 0xF4) k = 3;
        else return (long)i;
        for (size_t j = 1; j <= k; j++)
            if (i + j >= n || (s[i + j] & 0xC0) != 0x80) return (long)i;
        i += k + 1;
    }
    return -1;
}

/* 1-based line and column of byte offset off in text. */
static void line_col(const char *text, size_t off, int *line, int *col) {
    int l = 1, c = 1;
    for (size_t i = 0; i < off; i++) {
        if (text[i] == '\n') { l++; c = 1; }
        else c++;
    }
    *line = l;
    *col = c;
}

/* "{n,}" at p: an unbounded counted repeat. */
static int brace_unbounded(const char *p, size_t n) {
    const char *cb = memchr(p, '}', n);
    return cb && cb > p + 1 && cb[-1] == ',';
}

/* A quantified group that itself contains an unbounded quantifier, as in
 * (a+)+ or (\w+\s?)*: the shape of catastrophic backtracking. Returns the
 * offset of the outer quantifier, or -1. */
static long nested_quantifier(const char *p, size_t n) {
    int stack[64];
    int depth = 0;
    int inner = 0; /* current group contains an unbounded quantifier */
    for (size_t i = 0; i < n; i++) {
        char c = p[i];
        if (c == '\\') { i++; continue; }
        if (c == '[') { /* skip a character class */
            size_t j = i + 1;
            if (j < n && p[j] == '^') j++;
            if (j < n && p[j] == ']') j++;
            while (j < n && p[j] != ']') { if (p[j] == '\\') j++; j++; }
            i = j;
            continue;
        }
        if (c == '(') {
            if (depth < 64) stack[depth] = inner;
            depth++;
            inner = 0;
            continue;
        }
        int unbounded = c == '+' || c == '*' || (c == '{' && brace_unbounded(p + i, n - i));
        if (c == ')') {
            int had = inner;
            depth--;
            inner = depth >= 0 && depth < 64 ? stack[depth] : 0;
            if (depth < 0) depth = 0;
            size_t j = i + 1;
            int outer = j < n && (p[j] == '+' || p[j] == '*' || (p[j] == '{' && brace_unbounded(p + j, n - j)));
            if (outer && had) return (long)j;
            inner |= had;
            continue;
        }
        if (unbounded && i > 0 && p[i - 1] != '(') inner = 1;
    }
    return -1;
}

rmd_err rmd_kb_split_argv(const char *cmd, rmd_strlist *out, int *bad_col) {
    rmd_buf arg = {.max = 4096};
    int in_arg = 0;
    size_t i = 0, n = strlen(cmd);
    *bad_col = 0;
    while (i <= n) {
        char c = cmd[i];
        if (c == '\0' || c == ' ' || c == '\t') {
            if (in_arg) {
                rmd_strlist_add(out, arg.p ? arg.p : "");
                rmd_buf_reset(&arg);
                in_arg = 0;
            }
            i++;
            continue;
        }
        in_arg = 1;
        if (c == '\'') {
            const char *e = strchr(cmd + i + 1, '\'');
            if (!e) goto bad;
            rmd_buf_append(&arg, cmd + i + 1, (size_t)(e - cmd - i - 1));
            i = (size_t)(e - cmd) + 1;
            continue;
        }
        if (c == '"') {
            size_t j = i + 1;
            for (; j < n && cmd[j] != '"'; j++) {
                if (cmd[j] == '`' || cmd[j] == '$') { i = j; goto bad; }
                if (cmd[j] == '\\' && j + 1 < n && strchr("\"\\$`", cmd[j + 1])) j++;
                rmd_buf_append(&arg, cmd + j, 1);
            }
            if (j >= n) goto bad;
            i = j + 1;
            continue;
        }
        if (c == '\\') {
            if (i + 1 >= n) goto bad;
            rmd_buf_append(&arg, cmd + i + 1, 1);
            i += 2;
            continue;
        }
        if (c == '{') { /* a placeholder such as {host}, filled (and checked) when the fix runs */
            size_t j = i + 1;
            while (j < n && ((cmd[j] >= 'a' && cmd[j] <= 'z') || cmd[j] == '_')) j++;
            if (j < n && cmd[j] == '}' && j > i + 1) {
                rmd_buf_append(&arg, cmd + i, j - i + 1);
                i = j + 1;
                continue;
            }
        }
        if (strchr("|;&<>`$(){}*?[]~\n\r", c)) goto bad;
        rmd_buf_append(&arg, &c, 1);
        i++;
    }
    rmd_buf_free(&arg);
    return out->n ? RMD_OK : (*bad_col = 1, RMD_EPARSE);
bad:
    rmd_buf_free(&arg);
    *bad_col = (int)i + 1;
    return RMD_EPARSE;
}

/* --------------------------------------------------------------- YAML */

typedef struct parse_ctx {
    const char      *source;
    const char      *text;       /* whole file */
    int              line0;      /* file line of the first front-matter line, minus 1 */
    yaml_document_t *doc;
    rmd_kb_problems *probs;
    rmd_runbook     *rb;
    int              bad;        /* an error was found */
    rmd_kb_fm_seen   seen;       /* which keys the front matter had */
    rmd_kb_pos       sev_pos;
} parse_ctx;

static rmd_kb_pos pos_of(const parse_ctx *c, const yaml_node_t *n) {
    rmd_kb_pos p = {(int)n->start_mark.line + 1 + c->line0, (int)n->start_mark.column + 1};
    return p;
}

static void node_err(parse_ctx *c, const yaml_node_t *n, int warning, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void node_err(parse_ctx *c, const yaml_node_t *n, int warning, const char *fmt, ...) {
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    rmd_kb_pos p = pos_of(c, n);
    rmd_kb_problem_add(c->probs, c->source, p.line, p.col, warning, "%s", msg);
    if (!warning) c->bad = 1;
}

static char *scalar_dup(const yaml_node_t *n) {
    char *s = malloc(n->data.scalar.length + 1);
    if (!s) return NULL;
    memcpy(s, n->data.scalar.value, n->data.scalar.length);
    s[n->data.scalar.length] = '\0';
    return s;
}

static int want_scalar(parse_ctx *c, const yaml_node_t *v, const char *key) {
    if (v->type == YAML_SCALAR_NODE) return 1;
    node_err(c, v, 0, "'%s' must be a single value, not a %s", key, v->type == YAML_SEQUENCE_NODE ? "list" : "map");
    return 0;
}

static void set_str(parse_ctx *c, const yaml_node_t *v, const char *key, char **dst) {
    if (!want_scalar(c, v, key)) return;
    free(*dst);
    *dst = scalar_dup(v);
}

static void set_bool(parse_ctx *c, const yaml_node_t *v, const char *key, int *dst) {
    static const char *const yes[] = {"true", "yes", "on"}, *const no[] = {"false", "no", "off"};
    if (!want_scalar(c, v, key)) return;
    const char *s = (const char *)v->data.scalar.value;
    for (int i = 0; i < 3; i++) {
        if (!strcasecmp(s, yes[i])) { *dst = 1; return; }
        if (!strcasecmp(s, no[i])) { *dst = 0; return; }
    }
    node_err(c, v, 0, "'%s' must be true or false, not '%.40s'", key, s);
}

static void set_int(parse_ctx *c, const yaml_node_t *v, const char *key, long long *dst) {
    long long x;
    if (!want_scalar(c, v, key)) return;
    if (rmd_parse_ll((const char *)v->data.scalar.value, v->data.scalar.length, &x) != 0 || x < 0) {
        node_err(c, v, 0, "'%s' must be a whole number >= 0, not '%.40s'", key, (const char *)v->data.scalar.value);
        return;
    }
    *dst = x;
}

static void set_date(parse_ctx *c, const yaml_node_t *v, const char *key, char **dst) {
    if (!want_scalar(c, v, key)) return;
    const char *s = (const char *)v->data.scalar.value;
    int ok = v->data.scalar.length == 10 && s[4] == '-' && s[7] == '-';
    for (int i = 0; ok && i < 10; i++)
        if (i != 4 && i != 7 && !isdigit((unsigned char)s[i])) ok = 0;
    if (ok) { /* a calendar date: 2025-13-45 is not one */
        int mo = (s[5] - '0') * 10 + s[6] - '0', d = (s[8] - '0') * 10 + s[9] - '0';
        int y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + s[3] - '0';
        static const int days[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
        ok = mo >= 1 && mo <= 12 && d >= 1 && d <= days[mo - 1] &&
             (mo != 2 || d < 29 || (y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)));
    }
    if (!ok) {
        node_err(c, v, 0, "'%s' must be a date YYYY-MM-DD, not '%.40s'", key, s);
        return;
    }
    free(*dst);
    *dst = scalar_dup(v);
}

/* A list of scalars (a lone scalar counts as a one-item list). Positions optional. */
static void set_list(parse_ctx *c, const yaml_node_t *v, const char *key, rmd_strlist *dst, rmd_kb_pos **pos) {
    yaml_node_item_t *it, *end;
    rmd_strlist_free(dst);
    if (pos) { free(*pos); *pos = NULL; }
    if (v->type == YAML_SCALAR_NODE) {
        if (v->data.scalar.length == 0) return;
        char *s = scalar_dup(v);
        if (s) rmd_strlist_add(dst, s);
        free(s);
        if (pos && (*pos = malloc(sizeof **pos))) (*pos)[0] = pos_of(c, v);
        return;
    }
    if (v->type != YAML_SEQUENCE_NODE) {
        node_err(c, v, 0, "'%s' must be a list", key);
        return;
    }
    it = v->data.sequence.items.start;
    end = v->data.sequence.items.top;
    if (pos) *pos = calloc((size_t)(end - it) + 1, sizeof **pos);
    for (; it < end; it++) {
        yaml_node_t *e = yaml_document_get_node(c->doc, *it);
        if (!e || e->type != YAML_SCALAR_NODE) {
            if (e) node_err(c, e, 0, "items of '%s' must be single values", key);
            continue;
        }
        char *s = scalar_dup(e);
        if (!s) continue;
        if (pos && *pos) (*pos)[dst->n] = pos_of(c, e);
        rmd_strlist_add(dst, s);
        free(s);
    }
}

static yaml_node_t *map_get(parse_ctx *c, const yaml_node_t *m, const char *key) {
    for (yaml_node_pair_t *p = m->data.mapping.pairs.start; p < m->data.mapping.pairs.top; p++) {
        yaml_node_t *k = yaml_document_get_node(c->doc, p->key);
        if (k && k->type == YAML_SCALAR_NODE && !strcmp((const char *)k->data.scalar.value, key))
            return yaml_document_get_node(c->doc, p->value);
    }
    return NULL;
}

static void set_escalation(parse_ctx *c, const yaml_node_t *v) {
    rmd_runbook *rb = c->rb;
    if (v->type != YAML_MAPPING_NODE) {
        node_err(c, v, 0, "'escalation' must be a map with after_failed_fixes, runbook and notify");
        return;
    }
    for (yaml_node_pair_t *p = v->data.mapping.pairs.start; p < v->data.mapping.pairs.top; p++) {
        yaml_node_t *k = yaml_document_get_node(c->doc, p->key), *val = yaml_document_get_node(c->doc, p->value);
        if (!k || !val || k->type != YAML_SCALAR_NODE) continue;
        const char *name = (const char *)k->data.scalar.value;
        if (!strcmp(name, "after_failed_fixes")) {
            long long x = 0;
            set_int(c, val, "escalation.after_failed_fixes", &x);
            if (x < 1 || x > 1000) node_err(c, val, 0, "'escalation.after_failed_fixes' must be from 1 to 1000");
            rb->esc_after = (int)x;
        } else if (!strcmp(name, "runbook")) {
            set_str(c, val, "escalation.runbook", &rb->esc_runbook);
            rb->esc_runbook_pos = pos_of(c, val);
        } else if (!strcmp(name, "notify")) {
            set_list(c, val, "escalation.notify", &rb->notify, NULL);
        } else {
            node_err(c, k, 1, "unknown key 'escalation.%.40s' (ignored)", name);
        }
    }
}

/* "Sun 03:00-04:00", "Mon-Fri 22:00-23:30", "daily 02:00-02:15". */
static int valid_window(const char *w) {
    static const char *const days[] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};
    char d1[8] = "", d2[8] = "";
    const char *sp = strchr(w, ' ');
    if (!sp || sp - w > 7) return 0;
    const char *dash = memchr(w, '-', (size_t)(sp - w));
    rmd_memlcpy(d1, sizeof d1, w, dash ? (size_t)(dash - w) : (size_t)(sp - w));
    if (dash) rmd_memlcpy(d2, sizeof d2, dash + 1, (size_t)(sp - dash - 1));
    int ok1 = !strcasecmp(d1, "daily") && !dash, ok2 = !dash;
    for (int i = 0; i < 7; i++) {
        if (!strcasecmp(d1, days[i])) ok1 = 1;
        if (dash && !strcasecmp(d2, days[i])) ok2 = 1;
    }
    const char *t = sp + 1;
    int h1, m1, h2, m2;
    if (!ok1 || !ok2 || strlen(t) != 11 || t[2] != ':' || t[5] != '-' || t[8] != ':') return 0;
    for (int i = 0; i < 11; i++)
        if (i != 2 && i != 5 && i != 8 && !isdigit((unsigned char)t[i])) return 0;
    h1 = (t[0] - '0') * 10 + t[1] - '0';
    m1 = (t[3] - '0') * 10 + t[4] - '0';
    h2 = (t[6] - '0') * 10 + t[7] - '0';
    m2 = (t[9] - '0') * 10 + t[10] - '0';
    return h1 < 24 && h2 <= 24 && m1 < 60 && m2 < 60;
}

static void set_exceptions(parse_ctx *c, const yaml_node_t *v) {
    rmd_runbook *rb = c->rb;
    if (v->type != YAML_SEQUENCE_NODE) {
        node_err(c, v, 0, "'exceptions' must be a list of maps (see docs/runbooks.md)");
        return;
    }
    size_t n = (size_t)(v->data.sequence.items.top - v->data.sequence.items.start);
    for (size_t i = 0; i < rb->n_exceptions; i++) { /* a second 'exceptions:' key replaces the first */
        free(rb->exceptions[i].window);
        free(rb->exceptions[i].effect);
        free(rb->exceptions[i].severity);
        free(rb->exceptions[i].reason);
    }
    free(rb->exceptions);
    rb->n_exceptions = 0;
    rb->exceptions = calloc(n ? n : 1, sizeof *rb->exceptions);
    if (!rb->exceptions) return;
    for (yaml_node_item_t *it = v->data.sequence.items.start; it < v->data.sequence.items.top; it++) {
        yaml_node_t *e = yaml_document_get_node(c->doc, *it);
        if (!e) continue;
        if (e->type != YAML_MAPPING_NODE) {
            node_err(c, e, 0, "each exception must be a map with window or after_boot_s, effect and reason");
            continue;
        }
        rmd_kb_exception *x = &rb->exceptions[rb->n_exceptions++];
        x->after_boot_s = -1;
        x->pos = pos_of(c, e);
        yaml_node_t *w = map_get(c, e, "window"), *b = map_get(c, e, "after_boot_s"), *ef = map_get(c, e, "effect");
        yaml_node_t *sv = map_get(c, e, "severity"), *r = map_get(c, e, "reason");
        if ((w != NULL) == (b != NULL)) node_err(c, e, 0, "an exception needs exactly one of 'window' and 'after_boot_s'");
        if (w) {
            set_str(c, w, "window", &x->window);
            if (x->window && !valid_window(x->window))
                node_err(c, w, 0, "window '%.60s' is not like \"Sun 03:00-04:00\", \"Mon-Fri 22:00-23:30\" or \"daily 02:00-02:15\"", x->window);
        }
        if (b) set_int(c, b, "after_boot_s", &x->after_boot_s);
        if (!ef) node_err(c, e, 0, "an exception needs 'effect: downgrade' or 'effect: hold'");
        else set_str(c, ef, "effect", &x->effect);
        if (x->effect && strcmp(x->effect, "downgrade") && strcmp(x->effect, "hold"))
            node_err(c, ef, 0, "effect must be 'downgrade' or 'hold', not '%.40s'", x->effect);
        if (sv) set_str(c, sv, "severity", &x->severity);
        if (x->effect && !strcmp(x->effect, "downgrade") && !x->severity)
            node_err(c, e, 0, "'effect: downgrade' needs the 'severity' to downgrade to");
        if (r) set_str(c, r, "reason", &x->reason);
    }
}

static int valid_id(const char *s) {
    if (!*s || strlen(s) > 64) return 0;
    for (; *s; s++)
        if (!isalnum((unsigned char)*s) && !strchr("-_.", *s)) return 0;
    return 1;
}

/* Each pattern of one list (patterns, generic_patterns, fallback_patterns)
 * must compile, be at most RMD_KB_MAX_PATTERN long and have no nested
 * unbounded quantifier. */
static void check_pattern_list(parse_ctx *c, const rmd_strlist *list, const rmd_kb_pos *pos) {
    for (size_t i = 0; i < list->n; i++) {
        const char *pat = list->items[i];
        size_t len = strlen(pat);
        rmd_kb_pos p = pos ? pos[i] : (rmd_kb_pos){0, 0};
        if (len > RMD_KB_MAX_PATTERN) {
            rmd_kb_problem_add(c->probs, c->source, p.line, p.col, 0, "pattern is %zu characters long; the limit is %d", len,
                    RMD_KB_MAX_PATTERN);
            c->bad = 1;
            continue;
        }
        int code;
        PCRE2_SIZE off;
        pcre2_code *re = pcre2_compile((PCRE2_SPTR)pat, len, 0, &code, &off, NULL);
        if (!re) {
            PCRE2_UCHAR msg[256];
            pcre2_get_error_message(code, msg, sizeof msg);
            rmd_kb_problem_add(c->probs, c->source, p.line, p.col, 0, "pattern does not compile at offset %zu: %s", (size_t)off,
                    (const char *)msg);
            c->bad = 1;
            continue;
        }
        pcre2_code_free(re);
        long nq = nested_quantifier(pat, len);
        if (nq >= 0) {
            rmd_kb_problem_add(c->probs, c->source, p.line, p.col, 0,
                    "pattern has a nested unbounded quantifier at offset %ld, which can backtrack catastrophically; "
                    "rewrite it without a repeated group of repeats",
                    nq);
            c->bad = 1;
        }
    }
}

static void check_patterns(parse_ctx *c) {
    check_pattern_list(c, &c->rb->patterns, c->rb->pattern_pos);
    check_pattern_list(c, &c->rb->generic_patterns, c->rb->generic_pos);
    check_pattern_list(c, &c->rb->fallback_patterns, c->rb->fallback_pos);
}

/* placeholders: a map of literal text in the steps -> evidence placeholder name. */
static void set_placeholders(parse_ctx *c, const yaml_node_t *v) {
    if (v->type != YAML_MAPPING_NODE) {
        node_err(c, v, 0, "'placeholders' must be a map, e.g. \"<redis-host>\": host");
        return;
    }
    for (yaml_node_pair_t *p = v->data.mapping.pairs.start; p < v->data.mapping.pairs.top; p++) {
        yaml_node_t *k = yaml_document_get_node(c->doc, p->key), *val = yaml_document_get_node(c->doc, p->value);
        if (!k || !val || k->type != YAML_SCALAR_NODE || val->type != YAML_SCALAR_NODE || !k->data.scalar.length) {
            if (k) node_err(c, k, 0, "each placeholder maps one text to one evidence name");
            continue;
        }
        const char *to = (const char *)val->data.scalar.value;
        size_t tl = val->data.scalar.length;
        if (tl > 2 && to[0] == '{' && to[tl - 1] == '}') { to++; tl -= 2; }
        if (!rmd_kb_placeholder_known(to, tl)) {
            node_err(c, val, 0, "placeholder '%.40s' maps to '%.40s', which is not a placeholder redis-medic fills from "
                     "the evidence (host, port, cli, dir, socket, container, service... see docs/runbooks.md)",
                     (const char *)k->data.scalar.value, (const char *)val->data.scalar.value);
            continue;
        }
        char name[16];
        rmd_memlcpy(name, sizeof name, to, tl);
        rmd_kb_ph_add(c->rb, (const char *)k->data.scalar.value, name);
    }
}

/* cause: / causes: -- each must be a cause id; declared links. */
static void set_causes(parse_ctx *c, const yaml_node_t *v, const char *key) {
    rmd_strlist l = {0};
    rmd_kb_pos *pos = NULL;
    set_list(c, v, key, &l, &pos);
    for (size_t i = 0; i < l.n; i++) {
        if (rmd_cause_find(l.items[i]) < 0) {
            rmd_kb_pos p = pos ? pos[i] : (rmd_kb_pos){0, 0};
            /* NOLINTNEXTLINE(clang-analyzer-core.CallAndMessage): set_list gives pos one entry per item of l */
            rmd_kb_problem_add(c->probs, c->source, p.line, p.col, 0, "unknown cause id '%.60s' (see docs/causes.md)", l.items[i]);
            c->bad = 1;
            continue;
        }
        char why[64];
        snprintf(why, sizeof why, "'%s:' in the front matter", key);
        rmd_kb_link_add(c->rb, l.items[i], RMD_LINK_WEIGHT_EXPLICIT, why);
    }
    if (!strcmp(key, "cause") && l.n == 1 && rmd_cause_find(l.items[0]) >= 0) {
        free(c->rb->cause);
        c->rb->cause = strdup(l.items[0]);
        c->rb->cause_pos = pos ? pos[0] : (rmd_kb_pos){0, 0};
    }
    free(pos);
    rmd_strlist_free(&l);
}

/* Keys of the other front-matter formats teams keep, read for what they say. */
static int apply_team_key(parse_ctx *c, const char *key, const yaml_node_t *v) {
    rmd_runbook *rb = c->rb;
    if (!strcmp(key, "symptoms")) set_list(c, v, key, &rb->symptoms, NULL);
    else if (!strcmp(key, "services")) set_list(c, v, key, &rb->services, NULL);
    else if (!strcmp(key, "tags")) set_list(c, v, key, &rb->tags, NULL);
    else if (!strcmp(key, "contacts")) set_list(c, v, key, &rb->contacts, NULL);
    else if (!strcmp(key, "author") || !strcmp(key, "owner")) set_str(c, v, key, &rb->author);
    else if (!strcmp(key, "lastValidated") || !strcmp(key, "last_validated")) set_date(c, v, key, &rb->last_validated);
    else if (!strcmp(key, "causes")) set_causes(c, v, key);
    else if (!strcmp(key, "placeholders")) set_placeholders(c, v);
    else if (!strcmp(key, "type")) { /* "runbook": nothing to keep */ }
    else return 0;
    return 1;
}

/* Apply one top-level key. */
static void apply_key(parse_ctx *c, const yaml_node_t *k, const yaml_node_t *v) {
    rmd_runbook *rb = c->rb;
    const char *key = (const char *)k->data.scalar.value;
    if (!strcmp(key, "error_id")) { set_str(c, v, key, &rb->error_id); rb->error_id_pos = pos_of(c, v); }
    else if (!strcmp(key, "title")) { set_str(c, v, key, &rb->title); c->seen.title_key = 1; }
    else if (!strcmp(key, "cause")) set_causes(c, v, key);
    else if (!strcmp(key, "severity")) { set_str(c, v, key, &rb->severity); c->seen.severity_key = 1; c->sev_pos = pos_of(c, v); }
    else if (!strcmp(key, "service")) set_str(c, v, key, &rb->service);
    else if (!strcmp(key, "error_domain")) set_str(c, v, key, &rb->error_domain);
    else if (!strcmp(key, "resolution_group")) set_str(c, v, key, &rb->resolution_group);
    else if (!strcmp(key, "assignee")) set_str(c, v, key, &rb->assignee);
    else if (!strcmp(key, "first_seen")) set_date(c, v, key, &rb->first_seen);
    else if (!strcmp(key, "last_seen")) set_date(c, v, key, &rb->last_seen);
    else if (!strcmp(key, "occurrence_count")) set_int(c, v, key, &rb->occurrence_count);
    else if (!strcmp(key, "in_kb")) set_bool(c, v, key, &rb->in_kb);
    else if (!strcmp(key, "auto_fix")) set_bool(c, v, key, &rb->auto_fix);
    else if (!strcmp(key, "fix_command")) { set_str(c, v, key, &rb->fix_command); rb->fix_pos = pos_of(c, v); }
    else if (!strcmp(key, "requires_human")) set_bool(c, v, key, &rb->requires_human);
    else if (!strcmp(key, "requires_business_decision")) set_bool(c, v, key, &rb->requires_business_decision);
    else if (!strcmp(key, "related_errors")) set_list(c, v, key, &rb->related, &rb->related_pos);
    else if (!strcmp(key, "keywords")) set_list(c, v, key, &rb->keywords, NULL);
    else if (!strcmp(key, "patterns")) { set_list(c, v, key, &rb->patterns, &rb->pattern_pos); c->seen.patterns_key = 1; }
    else if (!strcmp(key, "generic_patterns")) { set_list(c, v, key, &rb->generic_patterns, &rb->generic_pos); c->seen.patterns_key = 1; }
    else if (!strcmp(key, "fallback_patterns")) { set_list(c, v, key, &rb->fallback_patterns, &rb->fallback_pos); c->seen.patterns_key = 1; }
    else if (!strcmp(key, "escalation")) set_escalation(c, v);
    else if (!strcmp(key, "exceptions")) set_exceptions(c, v);
    else if (!apply_team_key(c, key, v)) node_err(c, k, 1, "unknown key '%.60s' (kept in the file, ignored here)", key);
}

/* Per-runbook checks after the front matter and the body are read. */
static void check_runbook(parse_ctx *c) {
    rmd_runbook *rb = c->rb;
    if (rb->error_id && !rb->id_derived && !valid_id(rb->error_id)) {
        rmd_kb_problem_add(c->probs, c->source, rb->error_id_pos.line, rb->error_id_pos.col, 0,
                "error_id '%.60s' may only use letters, digits, '-', '_' and '.' (at most 64)", rb->error_id);
        c->bad = 1;
    }
    if (c->seen.severity_key && rb->severity && !rmd_kb_severity_norm(rb->severity)) {
        rmd_kb_problem_add(c->probs, c->source, c->sev_pos.line, c->sev_pos.col, 0,
                "severity '%.40s' is not on a scale redis-medic knows (info, low, warning, medium, high, critical; "
                "sev1-sev4; P1-P4)", rb->severity);
        c->bad = 1;
    }
    if (rb->auto_fix == 1 && !rb->fix_command) {
        rmd_kb_problem_add(c->probs, c->source, 2, 1, 0, "auto_fix is true but there is no fix_command");
        c->bad = 1;
    }
    if (rb->fix_command) {
        rmd_strlist argv = {0};
        int col;
        if (rmd_kb_split_argv(rb->fix_command, &argv, &col) != RMD_OK) {
            rmd_kb_problem_add(c->probs, c->source, rb->fix_pos.line, rb->fix_pos.col, 0,
                    "fix_command cannot be split into argv (character %d: quotes unbalanced or shell syntax such as "
                    "pipes, ;, &&, redirections, $ or backticks, which no shell will interpret here)",
                    col);
            c->bad = 1;
        }
        rmd_strlist_free(&argv);
    }
    for (size_t i = 0; i < rb->related.n; i++)
        if (rb->error_id && !strcasecmp(rb->related.items[i], rb->error_id)) {
            rmd_kb_pos p = rb->related_pos ? rb->related_pos[i] : (rmd_kb_pos){0, 0};
            rmd_kb_problem_add(c->probs, c->source, p.line, p.col, 0, "related_errors names the runbook itself (%s)", rb->error_id);
            c->bad = 1;
        }
    check_patterns(c);
}

/* Split the front matter off. Returns 0 and sets *fm, *fml, *body; -1 if
 * there is none; -2 if a first line '---' opens one that never ends. */
static int split_front_matter(const char *t, size_t n, const char **fm, size_t *fml, const char **body, int *body_line) {
    size_t i = 0;
    if (n >= 3 && (unsigned char)t[0] == 0xEF && (unsigned char)t[1] == 0xBB && (unsigned char)t[2] == 0xBF) i = 3;
    if (n - i < 4 || strncmp(t + i, "---", 3) || (t[i + 3] != '\n' && t[i + 3] != '\r')) return -1;
    const char *start = memchr(t + i, '\n', n - i);
    if (!start) return -2;
    start++;
    int line = 2;
    for (const char *p = start; p < t + n;) {
        const char *nl = memchr(p, '\n', (size_t)(t + n - p));
        size_t ll = nl ? (size_t)(nl - p) : (size_t)(t + n - p);
        if (ll && p[ll - 1] == '\r') ll--;
        if ((ll == 3 && (!strncmp(p, "---", 3) || !strncmp(p, "...", 3)))) {
            *fm = start;
            *fml = (size_t)(p - start);
            *body = nl ? nl + 1 : t + n;
            *body_line = line + 1;
            return 0;
        }
        line++;
        if (!nl) break;
        p = nl + 1;
    }
    return -2;
}

/* Bytes that make a file not a runbook: NUL (binary), invalid UTF-8. */
static int check_text(const char *source, const char *text, size_t len, rmd_kb_problems *probs) {
    const char *nul = memchr(text, '\0', len);
    int l, c;
    if (nul) {
        line_col(text, (size_t)(nul - text), &l, &c);
        rmd_kb_problem_add(probs, source, l, c, 0, "binary file (NUL byte): a runbook is markdown text");
        return -1;
    }
    long bad = utf8_invalid_at((const unsigned char *)text, len);
    if (bad >= 0) {
        line_col(text, (size_t)bad, &l, &c);
        rmd_kb_problem_add(probs, source, l, c, 0, "not UTF-8: byte 0x%02x cannot start or continue a character", (unsigned char)text[bad]);
        return -1;
    }
    return 0;
}

/* Parse the front matter fm[0..fml) into c->rb. -1 when it is not YAML
 * (nothing else can be read), 0 otherwise (c->bad tells of bad keys). */
static int parse_front_matter(parse_ctx *c, const char *fm, size_t fml) {
    yaml_document_t doc;
    rmd_yaml_error ye = {0};
    rmd_err e = rmd_yaml_load(fm, fml, NULL, &doc, &ye);
    if (e != RMD_OK) {
        if (ye.ctx_line)
            rmd_kb_problem_add(c->probs, c->source, ye.line + c->line0, ye.col ? ye.col : 1, 0, "%s that starts at line %d, column %d",
                    ye.msg, ye.ctx_line + c->line0, ye.ctx_col);
        else
            rmd_kb_problem_add(c->probs, c->source, ye.line + c->line0, ye.col ? ye.col : 1, 0, "%s",
                    e == RMD_ENOMEM ? "out of memory reading the front matter" : ye.msg);
        c->bad = 1;
        return -1;
    }
    c->doc = &doc;
    yaml_node_t *root = yaml_document_get_root_node(&doc);
    if (!root || root->type != YAML_MAPPING_NODE) {
        rmd_kb_problem_add(c->probs, c->source, 2, 1, 0, "the front matter must be a map of keys (key: value)");
        c->bad = 1;
    } else {
        for (yaml_node_pair_t *p = root->data.mapping.pairs.start; p < root->data.mapping.pairs.top; p++) {
            yaml_node_t *k = yaml_document_get_node(&doc, p->key), *v = yaml_document_get_node(&doc, p->value);
            if (!k || !v) continue;
            if (k->type != YAML_SCALAR_NODE) {
                node_err(c, k, 0, "keys must be plain names");
                continue;
            }
            apply_key(c, k, v);
        }
    }
    yaml_document_delete(&doc);
    c->doc = NULL;
    return 0;
}

rmd_err rmd_kb_parse(const char *source, const char *text, size_t len, rmd_runbook *rb, rmd_kb_problems *probs) {
    const char *fm = NULL, *body = text;
    size_t fml = 0;
    int body_line = 1;
    memset(rb, 0, sizeof *rb);
    rb->occurrence_count = -1;
    rb->in_kb = rb->auto_fix = rb->requires_human = rb->requires_business_decision = -1;
    rb->source = strdup(source);
    if (!rb->source) return RMD_ENOMEM;
    if (check_text(source, text, len, probs) != 0) return RMD_EPARSE;
    parse_ctx c = {source, text, 1, NULL, probs, rb, 0, {0}, {0, 0}};
    int fmr = split_front_matter(text, len, &fm, &fml, &body, &body_line);
    if (fmr == -2) {
        rmd_kb_problem_add(probs, source, 1, 1, 0, "front matter opened with '---' on line 1 is never closed by a line '---'");
        return RMD_EPARSE;
    }
    if (fmr == 0) {
        c.seen.front_matter = 1;
        if (parse_front_matter(&c, fm, fml) != 0) return RMD_EPARSE;
    } else {
        body = text;
        body_line = 1;
    }
    rb->body = strndup(body, (size_t)(text + len - body));
    rb->body_line = body_line;
    if (!rb->body) return RMD_ENOMEM;
    rmd_md md;
    if (rmd_md_parse(rb->body, strlen(rb->body), body_line, &md) != 0) return RMD_ENOMEM;
    if (rmd_kb_read_body(rb, &md, &c.seen, probs) != 0) c.bad = 1;
    rmd_md_free(&md);
    check_runbook(&c);
    return c.bad ? RMD_EPARSE : RMD_OK;
}

/* ------------------------------------------------------------- loading */

static rmd_runbook *kb_push(rmd_kb *kb) {
    if (kb->n == kb->cap) {
        size_t nc = kb->cap ? kb->cap * 2 : 64;
        rmd_runbook *ni = realloc(kb->items, nc * sizeof *ni);
        if (!ni) return NULL;
        kb->items = ni;
        kb->cap = nc;
    }
    return &kb->items[kb->n];
}

static void kb_add(rmd_kb *kb, const char *source, const char *text, size_t len, int builtin, rmd_kb_problems *probs) {
    rmd_runbook *rb = kb_push(kb);
    if (!rb) return;
    if (rmd_kb_parse(source, text, len, rb, probs) == RMD_OK || (kb->keep_invalid && rb->error_id)) {
        rb->builtin = builtin;
        kb->n++;
    } else {
        rmd_runbook_free(rb);
    }
}

void rmd_kb_load_builtin(rmd_kb *kb, rmd_kb_problems *probs) {
    for (size_t i = 0; i < rmd_kb_builtin_count; i++) {
        char src[256];
        snprintf(src, sizeof src, "builtin:%s", rmd_kb_builtin_files[i].name);
        kb_add(kb, src, rmd_kb_builtin_files[i].text, rmd_kb_builtin_files[i].len, 1, probs);
    }
}

/* Read a whole file (bounded). NULL with a problem recorded on failure. */
static char *read_file(const char *path, size_t *len, rmd_kb_problems *probs) {
    struct stat st;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (fd < 0) {
        rmd_kb_problem_add(probs, path, 0, 0, 0, "cannot read: %s", strerror(errno));
        return NULL;
    }
    if (fstat(fd, &st) != 0) {
        rmd_kb_problem_add(probs, path, 0, 0, 0, "cannot read: %s", strerror(errno));
        close(fd);
        return NULL;
    }
    if (!S_ISREG(st.st_mode)) {
        rmd_kb_problem_add(probs, path, 0, 0, 0, "%s", S_ISDIR(st.st_mode) ? "is a directory, not a runbook file" : "not a regular file");
        close(fd);
        return NULL;
    }
    if (st.st_size > RMD_KB_MAX_FILE) {
        rmd_kb_problem_add(probs, path, 0, 0, 0, "file is %lld bytes; a runbook may be at most %d", (long long)st.st_size, RMD_KB_MAX_FILE);
        close(fd);
        return NULL;
    }
    char *buf = calloc(1, (size_t)st.st_size + 1); /* zeroed: a file that shrinks while read leaves no garbage */
    size_t got = 0;
    while (buf && got < (size_t)st.st_size) {
        ssize_t r = read(fd, buf + got, (size_t)st.st_size - got);
        if (r <= 0) break;
        got += (size_t)r;
    }
    close(fd);
    if (!buf) return NULL;
    buf[got] = '\0';
    *len = got;
    return buf;
}

/* File names a knowledge-base directory reads as runbooks. */
static int runbook_name(const char *name) {
    static const char *const exts[] = {".md", ".markdown", ".txt"};
    size_t l = strlen(name);
    for (size_t i = 0; i < sizeof exts / sizeof exts[0]; i++) {
        size_t e = strlen(exts[i]);
        if (l > e && !strcasecmp(name + l - e, exts[i])) return 1;
    }
    return 0;
}

/* The KB-level placeholder map of a directory (placeholders.yaml): a map of
 * text -> evidence name, or such a map under a 'placeholders:' key. Parsed by
 * giving it to the runbook parser as a front matter, so the rules are one. */
static void load_dir_placeholders(const char *dir, rmd_runbook *map, rmd_kb_problems *probs) {
    char path[4096];
    struct stat st;
    memset(map, 0, sizeof *map);
    snprintf(path, sizeof path, "%s/%s", dir, RMD_KB_PLACEHOLDERS_FILE);
    if (stat(path, &st) != 0) return;
    size_t len;
    char *t = read_file(path, &len, probs);
    if (!t) return;
    rmd_buf fm = {.max = RMD_KB_MAX_FILE + 64};
    int nested = strncmp(t, "placeholders:", 13) == 0 || strstr(t, "\nplaceholders:") != NULL;
    rmd_buf_printf(&fm, "---\n%s", nested ? "" : "placeholders:\n");
    for (const char *p = t; !nested && *p;) { /* indent a bare map under placeholders: */
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p + 1) : strlen(p);
        rmd_buf_append(&fm, "  ", 2);
        rmd_buf_append(&fm, p, n);
        p += n;
    }
    if (nested) rmd_buf_append(&fm, t, len);
    rmd_buf_printf(&fm, "\n---\n# placeholders\n");
    rmd_kb_problems local = {0};
    if (fm.p && rmd_kb_parse(path, fm.p, fm.len, map, &local) != RMD_OK) {
        for (size_t i = 0; i < local.n; i++)
            if (local.items[i].warning != 2)
                rmd_kb_problem_add(probs, path, local.items[i].line ? local.items[i].line - (nested ? 1 : 2) : 0,
                        local.items[i].col > 2 && !nested ? local.items[i].col - 2 : local.items[i].col,
                        local.items[i].warning, "%s", local.items[i].msg);
    }
    rmd_kb_problems_free(&local);
    rmd_buf_free(&fm);
    free(t);
}

static void apply_dir_placeholders(rmd_runbook *rb, const rmd_runbook *map) {
    for (size_t i = 0; i < map->ph_from.n; i++) rmd_kb_ph_add(rb, map->ph_from.items[i], map->ph_to.items[i]);
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

int rmd_kb_load_path(rmd_kb *kb, const char *path, rmd_kb_problems *probs) {
    struct stat st;
    size_t before = kb->n;
    if (stat(path, &st) != 0) {
        rmd_kb_problem_add(probs, path, 0, 0, 0, "cannot read: %s", strerror(errno));
        return 0;
    }
    if (!S_ISDIR(st.st_mode)) {
        size_t len;
        char *t = read_file(path, &len, probs);
        if (t) kb_add(kb, path, t, len, 0, probs);
        free(t);
        return (int)(kb->n - before);
    }
    DIR *d = opendir(path);
    if (!d) {
        rmd_kb_problem_add(probs, path, 0, 0, 0, "cannot read directory: %s", strerror(errno));
        return 0;
    }
    rmd_strlist names = {0};
    struct dirent *de;
    while ((de = readdir(d))) {
        if (de->d_name[0] == '.' || !runbook_name(de->d_name)) continue;
        rmd_strlist_addf(&names, "%s/%s", path, de->d_name);
    }
    closedir(d);
    if (names.n > 1) qsort(names.items, names.n, sizeof names.items[0], cmp_str);
    rmd_runbook map;
    load_dir_placeholders(path, &map, probs);
    for (size_t i = 0; i < names.n; i++) {
        size_t len, at = kb->n;
        char *t = read_file(names.items[i], &len, probs);
        if (t) kb_add(kb, names.items[i], t, len, 0, probs);
        if (kb->n > at) apply_dir_placeholders(&kb->items[at], &map);
        free(t);
    }
    rmd_runbook_free(&map);
    rmd_strlist_free(&names);
    return (int)(kb->n - before);
}

int rmd_kb_paths_check(const char *const *paths, size_t n, char *err, size_t errlen) {
    for (size_t i = 0; i < n; i++) {
        struct stat st;
        if (stat(paths[i], &st) != 0) {
            snprintf(err, errlen, "--kb: cannot read '%.200s': %s", paths[i], strerror(errno));
            return -1;
        }
    }
    return 0;
}

void rmd_kb_load_all(rmd_kb *kb, const char *const *dirs, size_t n, int warn) {
    rmd_kb_problems probs = {0};
    rmd_kb_load_builtin(kb, &probs);
    const char *env = getenv("REDIS_MEDIC_KB");
    for (const char *p = env; p && *p;) {
        const char *colon = strchr(p, ':');
        size_t l = colon ? (size_t)(colon - p) : strlen(p);
        if (l) {
            char *dir = strndup(p, l);
            if (dir) rmd_kb_load_path(kb, dir, &probs);
            free(dir);
        }
        p = colon ? colon + 1 : NULL;
    }
    for (size_t i = 0; i < n; i++) rmd_kb_load_path(kb, dirs[i], &probs);
    if (warn && probs.errors) {
        /* one warning per skipped file: its first error */
        const char *last = NULL;
        for (size_t i = 0; i < probs.n; i++) {
            const rmd_kb_problem *p = &probs.items[i];
            if (p->warning || (last && !strcmp(last, p->file))) continue;
            last = p->file;
            if (p->line)
                rmd_tprintf(stderr, "redis-medic: warning: skipping runbook %s:%d:%d: %s\n", p->file, p->line, p->col, p->msg);
            else
                rmd_tprintf(stderr, "redis-medic: warning: skipping runbook %s: %s\n", p->file, p->msg);
        }
    }
    rmd_kb_problems_free(&probs);
}

/* -------------------------------------------------------------- lookup */

const rmd_runbook *rmd_kb_find(const rmd_kb *kb, const char *id) {
    for (size_t i = kb->n; i-- > 0;)
        if (kb->items[i].error_id && !strcasecmp(kb->items[i].error_id, id)) return &kb->items[i];
    return rmd_kb_for_cause(kb, id);
}

int rmd_kb_is_overridden(const rmd_kb *kb, size_t i) {
    const rmd_runbook *rb = &kb->items[i];
    for (size_t j = i + 1; j < kb->n; j++) {
        const rmd_runbook *o = &kb->items[j];
        if ((rb->error_id && o->error_id && !strcasecmp(rb->error_id, o->error_id)) ||
            (rb->cause && o->cause && !strcmp(rb->cause, o->cause)))
            return 1;
    }
    return 0;
}

const rmd_kb_link *rmd_kb_link_of(const rmd_runbook *rb, const char *cause) {
    for (size_t i = 0; i < rb->n_links; i++)
        if (!strcmp(rb->links[i].cause, cause)) return &rb->links[i];
    return NULL;
}

const rmd_runbook *rmd_kb_builtin_for_cause(const rmd_kb *kb, const char *cause) {
    for (size_t i = kb->n; i-- > 0;)
        if (kb->items[i].builtin && kb->items[i].cause && !strcmp(kb->items[i].cause, cause)) return &kb->items[i];
    return NULL;
}

/* Does rb have steps? (a tie-breaker between team runbooks) */
static int has_steps(const rmd_runbook *rb) {
    rmd_strlist s = {0};
    rmd_kb_steps(rb, &s);
    int n = s.n > 0;
    rmd_strlist_free(&s);
    return n;
}

/* Is a better than b for cause (both user runbooks linked to it)? */
static int better_for(const rmd_runbook *a, const rmd_runbook *b, const char *cause) {
    int wa = rmd_kb_link_of(a, cause)->weight, wb = rmd_kb_link_of(b, cause)->weight;
    if (wa != wb) return wa > wb;
    int sa = has_steps(a), sb = has_steps(b);
    if (sa != sb) return sa > sb;
    if (a->n_links != b->n_links) return a->n_links < b->n_links;
    return 1; /* a was loaded later */
}

const rmd_runbook *rmd_kb_for_cause(const rmd_kb *kb, const char *cause) {
    const rmd_runbook *best = NULL;
    for (size_t i = 0; i < kb->n; i++) {
        const rmd_runbook *rb = &kb->items[i];
        if (rb->builtin || !rmd_kb_link_of(rb, cause)) continue;
        if (!best || better_for(rb, best, cause)) best = rb;
    }
    return best ? best : rmd_kb_builtin_for_cause(kb, cause);
}

/* ----------------------------------------------------------------- lint */

void rmd_kb_check(const rmd_kb *kb, int require_all_causes, rmd_kb_problems *probs) {
    for (size_t i = 0; i < kb->n; i++) {
        const rmd_runbook *a = &kb->items[i];
        for (size_t j = 0; j < i; j++) {
            const rmd_runbook *b = &kb->items[j];
            if (a->error_id && b->error_id && !strcasecmp(a->error_id, b->error_id) && a->builtin == b->builtin)
                rmd_kb_problem_add(probs, a->source, a->error_id_pos.line, a->error_id_pos.col, 0,
                        "duplicate error_id %s (also in %s)", a->error_id, b->source);
        }
        for (size_t r = 0; r < a->related.n; r++) {
            int found = 0;
            for (size_t j = 0; j < kb->n && !found; j++)
                found = kb->items[j].error_id && !strcasecmp(kb->items[j].error_id, a->related.items[r]);
            rmd_kb_pos p = a->related_pos ? a->related_pos[r] : (rmd_kb_pos){0, 0};
            if (!found)
                rmd_kb_problem_add(probs, a->source, p.line, p.col, 1,
                        "related error %s is not in this knowledge base (fine if it lives in another team's)",
                        a->related.items[r]);
        }
        if (a->esc_runbook) {
            /* follow the escalation chain: it must exist and must not come back */
            const rmd_runbook *cur = a;
            int steps = 0;
            while (cur && cur->esc_runbook && steps < 64) {
                const rmd_runbook *next = NULL;
                for (size_t j = 0; j < kb->n && !next; j++)
                    if (kb->items[j].error_id && !strcasecmp(kb->items[j].error_id, cur->esc_runbook)) next = &kb->items[j];
                if (!next) {
                    if (cur == a)
                        rmd_kb_problem_add(probs, a->source, a->esc_runbook_pos.line, a->esc_runbook_pos.col, 0,
                                "escalation runbook %s does not exist", a->esc_runbook);
                    break;
                }
                if (next == a) {
                    rmd_kb_problem_add(probs, a->source, a->esc_runbook_pos.line, a->esc_runbook_pos.col, 0,
                            "escalation cycle: %s escalates back to itself after %d step%s", a->error_id ? a->error_id : "?",
                            steps + 1, steps ? "s" : "");
                    break;
                }
                cur = next;
                steps++;
            }
        }
    }
    if (!require_all_causes) return;
    for (int c = 0; c < RMD_CAUSE__COUNT; c++) {
        const char *id = rmd_cause_get((rmd_cause)c)->id;
        if (!rmd_kb_builtin_for_cause(kb, id))
            rmd_kb_problem_add(probs, "builtin:kb", 0, 0, 0, "cause %s has no runbook (add kb/%s.md)", id, id);
    }
}

int rmd_kb_severity_level(const char *w) {
    if (!w) return -1;
    if (!strcasecmp(w, "info") || !strcasecmp(w, "low")) return 0;
    if (!strcasecmp(w, "warning") || !strcasecmp(w, "medium")) return 1;
    if (!strcasecmp(w, "high") || !strcasecmp(w, "critical")) return 2;
    return -1;
}

static int day_index(const char *d, size_t n) {
    static const char *const days[] = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};
    for (int i = 0; i < 7; i++)
        if (n == 3 && !strncasecmp(d, days[i], 3)) return i;
    return -1;
}

int rmd_kb_exception_active(const rmd_kb_exception *x, const struct tm *tm, double uptime_s) {
    if (!x->window) return x->after_boot_s >= 0 && uptime_s >= 0 && uptime_s < (double)x->after_boot_s;
    if (!valid_window(x->window)) return 0;
    const char *sp = strchr(x->window, ' '), *dash = memchr(x->window, '-', (size_t)(sp - x->window));
    int d1 = day_index(x->window, dash ? (size_t)(dash - x->window) : (size_t)(sp - x->window));
    int d2 = dash ? day_index(dash + 1, (size_t)(sp - dash - 1)) : d1;
    const char *t = sp + 1;
    int from = ((t[0] - '0') * 10 + t[1] - '0') * 60 + (t[3] - '0') * 10 + t[4] - '0';
    int to = ((t[6] - '0') * 10 + t[7] - '0') * 60 + (t[9] - '0') * 10 + t[10] - '0';
    int now = tm->tm_hour * 60 + tm->tm_min;
    int day = tm->tm_wday;
    if (d1 >= 0) { /* day or day range (may wrap: Sat-Mon) */
        int in = d1 <= d2 ? day >= d1 && day <= d2 : day >= d1 || day <= d2;
        if (!in) return 0;
    }
    return from <= to ? now >= from && now < to : now >= from || now < to;
}

void rmd_kb_free(rmd_kb *kb) {
    for (size_t i = 0; i < kb->n; i++) rmd_runbook_free(&kb->items[i]);
    free(kb->items);
    memset(kb, 0, sizeof *kb);
}
