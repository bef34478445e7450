/* kbsteps.c -- next steps out of runbook bodies, and what lint says about them
 * (see kb.h).
 *
 * Advice stage, knowledge base: the command lines of a runbook's shell code
 * blocks under its diagnosis and resolution sections become a finding's next
 * steps, as templates: the team's own placeholders (<redis-host>, or any text
 * mapped by a placeholders: map) are rewritten as {host}-style placeholders,
 * which advice.c fills (quoted) from the evidence. Anything else in angle
 * brackets is left as written and reported by lint; nothing is guessed.
 * No I/O except kb import's printing.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "kbint.h"
#include "kblink.h"
#include "util.h"

#define STEP_MAX 2048   /* bytes of one step (continued lines joined) */

/* Section words: the code under such a heading is a step. 'd' diagnosis, 'r' resolution. */
static const struct { const char *word; char kind; } step_words[] = {
    {"diagnos", 'd'},   {"investigat", 'd'}, {"immediate action", 'd'}, {"troubleshoot", 'd'},
    {"triage", 'd'},    {"resolution", 'r'}, {"resolve", 'r'},          {"remediat", 'r'},
    {"mitigat", 'r'},   {"fix", 'r'},        {"recover", 'r'},          {"solution", 'r'},
    {"emergency", 'r'}, {"workaround", 'r'}, {"restore", 'r'},
};

int rmd_kb_step_section(const rmd_md_line *h, void *arg) {
    char w[256];
    (void)arg;
    if (h->level < 2) return 0;
    rmd_md_heading_words(h, w, sizeof w);
    for (char *p = w; *p; p++) *p = (char)tolower((unsigned char)*p);
    for (size_t i = 0; i < sizeof step_words / sizeof step_words[0]; i++)
        if (strstr(w, step_words[i].word)) return step_words[i].kind;
    return 0;
}

/* The kind of section line i is in: the outermost heading with step words
 * decides ("## Diagnosis Steps" > "### 1. Resolve it the way the client does"
 * is diagnosis). */
static int outer_kind(const rmd_md_line *h, void *arg) {
    int k = rmd_kb_step_section(h, NULL);
    if (k) *(int *)arg = k;
    return 0;
}

int rmd_kb_step_kind(const rmd_md *md, size_t i) {
    int k = 0;
    rmd_md_under(md, i, outer_kind, &k);
    return k;
}

/* For a runbook linked to several causes by matching: 1 when a heading names
 * the cause wanted, 2 when it names only others, 0 when it names none. */
static int heading_for_cause(const rmd_md_line *h, void *arg) {
    const char *cause = arg;
    char w[256];
    rmd_kblink_hit hits[8];
    if (h->level < 2) return 0;
    rmd_md_heading_words(h, w, sizeof w);
    size_t n = rmd_kblink_match(w, strlen(w), RMD_LINK_SECTION, hits, 8);
    for (size_t i = 0; i < n; i++)
        if (!strcmp(hits[i].cause, cause)) return 1;
    return n ? 2 : 0;
}

/* Rewrite the mapped placeholders of step s into out: <redis-host> and
 * <redis-port> always; rb's placeholders: map (text at word boundaries). */
static void map_placeholders(const rmd_runbook *rb, const char *s, char *out, size_t outlen) {
    static const char *const auto_from[] = {"<redis-host>", "<redis-port>", "<host>", "<port>"};
    static const char *const auto_to[] = {"host", "port", "host", "port"};
    size_t o = 0;
    for (size_t i = 0; s[i] && o + 1 < outlen;) {
        const char *to = NULL;
        size_t fl = 0;
        /* a mapped shell variable is replaced whole: $NAME and ${NAME} */
        size_t pre0 = s[i] == '$' ? (s[i + 1] == '{' ? 2 : 1) : 0;
        for (size_t k = 0; k < rb->ph_from.n && !to; k++) {
            const char *f = rb->ph_from.items[k];
            size_t l = strlen(f), pre = pre0;
            if (!pre || strncmp(s + i + pre, f, l) != 0) pre = 0; /* also when the mapping itself has the '$' */
            size_t at = i + pre;
            int word = isalnum((unsigned char)f[0]);
            if (strncmp(s + at, f, l) != 0) continue;
            if (pre == 2 && s[at + l] != '}') continue;
            if (word && ((!pre && at && (isalnum((unsigned char)s[at - 1]) || strchr("_-.", s[at - 1]))) ||
                         (pre != 2 && (isalnum((unsigned char)s[at + l]) || (s[at + l] && strchr("_-", s[at + l]))))))
                continue;
            to = rb->ph_to.items[k];
            fl = pre + l + (pre == 2);
        }
        for (size_t k = 0; k < sizeof auto_from / sizeof auto_from[0] && !to; k++)
            if (!strncasecmp(s + i, auto_from[k], strlen(auto_from[k]))) {
                to = auto_to[k];
                fl = strlen(auto_from[k]);
            }
        if (to) {
            int w = snprintf(out + o, outlen - o, "{%s}", to);
            if (w < 0 || (size_t)w >= outlen - o) break;
            o += (size_t)w;
            i += fl;
            continue;
        }
        out[o++] = s[i++];
    }
    out[o] = '\0';
}

typedef void (*step_fn)(const rmd_runbook *rb, const char *step, const rmd_md_line *at, void *arg);

/* Call fn for every step of rb in section kind want ('d' or 'r'), in order. */
static void each_step(const rmd_runbook *rb, const rmd_md *md, const char *cause, char want, step_fn fn, void *arg) {
    /* resolutions under a heading naming other causes are theirs; checks are for everyone */
    int filter = want == 'r' && cause && rb->n_links > 1 && rb->links[0].weight < RMD_LINK_WEIGHT_EXPLICIT;
    char acc[STEP_MAX], mapped[STEP_MAX];
    size_t al = 0;
    const rmd_md_line *first = NULL;
    for (size_t i = 0; i < md->n; i++) {
        const rmd_md_line *l = &md->lines[i];
        if (l->kind != RMD_MD_CODE || !rmd_md_shell_lang(l->key, l->key_len)) continue;
        if (rmd_kb_step_kind(md, i) != want) continue;
        if (filter && rmd_md_under(md, i, heading_for_cause, (void *)cause) == 2) continue;
        const char *t = l->text;
        size_t n = l->len;
        if (!al && (!n || t[0] == '#')) continue;
        if (!al && n >= 2 && t[0] == '$' && t[1] == ' ') { t += 2; n -= 2; }
        int cont = n && t[n - 1] == '\\';
        if (cont) n--;
        if (!al) first = l;
        if (al + n + 2 < sizeof acc) {
            memcpy(acc + al, t, n);
            al += n;
            if (cont && al && acc[al - 1] != ' ') acc[al++] = ' ';
        }
        acc[al] = '\0';
        if (cont) continue;
        map_placeholders(rb, acc, mapped, sizeof mapped);
        fn(rb, mapped, first, arg);
        al = 0;
    }
}

static void add_step(const rmd_runbook *rb, const char *step, const rmd_md_line *at, void *arg) {
    (void)rb;
    (void)at;
    rmd_strlist_add(arg, step);
}

void rmd_kb_steps_for(const rmd_runbook *rb, const char *cause, rmd_strlist *out) {
    rmd_md md;
    if (!rb->body || rmd_md_parse(rb->body, strlen(rb->body), rb->body_line, &md) != 0) return;
    each_step(rb, &md, cause, 'd', add_step, out);
    each_step(rb, &md, cause, 'r', add_step, out);
    rmd_md_free(&md);
}

void rmd_kb_steps(const rmd_runbook *rb, rmd_strlist *out) { rmd_kb_steps_for(rb, NULL, out); }

void rmd_kb_steps_of_cause(const rmd_runbook *rb, char phase, const char *cause, rmd_strlist *out) {
    rmd_md md;
    if (!rb->body || rmd_md_parse(rb->body, strlen(rb->body), rb->body_line, &md) != 0) return;
    each_step(rb, &md, cause, phase, add_step, out);
    rmd_md_free(&md);
}

void rmd_kb_steps_of(const rmd_runbook *rb, char phase, rmd_strlist *out) { rmd_kb_steps_of_cause(rb, phase, NULL, out); }

void rmd_kb_cause_steps(const rmd_kb *kb, const char *cause, rmd_strlist *out) {
    const rmd_runbook *rb = rmd_kb_for_cause(kb, cause), *bi = rmd_kb_builtin_for_cause(kb, cause);
    if (rb) rmd_kb_steps_for(rb, cause, out);
    if (bi && bi != rb) rmd_kb_steps_for(bi, cause, out);
}

/* ------------------------------------------------------------------ lint */

typedef struct explain_ctx {
    rmd_kb_problems *probs;
    rmd_strlist      unmapped;   /* "<service>" reported once each */
} explain_ctx;

/* Column of needle in the file line at (1-based), or at's own column. */
static int col_in(const rmd_md_line *at, const char *needle, size_t n) {
    for (size_t i = 0; n && i + n <= at->len; i++)
        if (!memcmp(at->text + i, needle, n)) return at->col + (int)i;
    return at->col;
}

/* A {placeholder} inside the author's own quotes: the value's quoting would
 * end inside theirs, and a server-controlled value could run as shell. */
static void check_quoted(const rmd_runbook *rb, const char *step, const rmd_md_line *at, explain_ctx *x) {
    char q = 0;
    for (size_t i = 0; step[i]; i++) {
        char c = step[i];
        if (q != '\'' && c == '\\' && step[i + 1]) { i++; continue; }
        if (q == 0 && (c == '\'' || c == '"')) { q = c; continue; }
        if (q && c == q) { q = 0; continue; }
        if (!q || c != '{') continue;
        const char *e = strchr(step + i, '}');
        if (!e || !rmd_kb_placeholder_known(step + i + 1, (size_t)(e - step - i - 1))) continue;
        if (!strncmp(step + i, "{port}", 6)) continue; /* a number by construction: nothing to escape from */
        char name[16];
        rmd_memlcpy(name, sizeof name, step + i + 1, (size_t)(e - step - i - 1));
        rmd_kb_problem_add(x->probs, rb->source, at->line, col_in(at, step + i, (size_t)(e - step - i + 1)), 0,
                           "placeholder {%s} is inside %s quotes: redis-medic quotes the value itself, and a value "
                           "that closes your quotes would run as shell code; write {%s} without quotes",
                           name, q == '\'' ? "single" : "double", name);
        i = (size_t)(e - step);
    }
}

/* <word> left in a step after mapping: shown as written, said once. */
static void check_unmapped(const rmd_runbook *rb, const char *step, const rmd_md_line *at, explain_ctx *x) {
    for (const char *p = strchr(step, '<'); p; p = strchr(p + 1, '<')) {
        size_t n = 1;
        while (p[n] && (isalnum((unsigned char)p[n]) || p[n] == '-' || p[n] == '_')) n++;
        if (p[n] != '>' || n < 2) continue;
        char ph[64];
        rmd_memlcpy(ph, sizeof ph, p, n + 1);
        int seen = 0;
        for (size_t i = 0; i < x->unmapped.n; i++) seen |= !strcmp(x->unmapped.items[i], ph);
        if (seen) continue;
        rmd_strlist_add(&x->unmapped, ph);
        rmd_kb_problem_add(x->probs, rb->source, at->line, col_in(at, ph, strlen(ph)), 2,
                           "placeholder %s cannot be filled from the evidence; the step is shown as written (map it "
                           "with 'placeholders:' if the evidence holds it: host, port, cli, dir, socket, container, "
                           "service...)", ph);
    }
}

static void explain_step(const rmd_runbook *rb, const char *step, const rmd_md_line *at, void *arg) {
    check_quoted(rb, step, at, arg);
    check_unmapped(rb, step, at, arg);
}

static const char *format_name(rmd_kb_format f) {
    switch (f) {
    case RMD_KB_FMT_ERROR_ID: return "YAML front matter with error_id";
    case RMD_KB_FMT_FRONT_MATTER: return "YAML front matter (team format)";
    case RMD_KB_FMT_BOLD_META: return "markdown with **Key**: metadata lines";
    case RMD_KB_FMT_MARKDOWN: return "plain markdown";
    }
    return "?";
}

/* Days from 1970-01-01 of a YYYY-MM-DD date (checked elsewhere). */
static long long days_of(const char *d) {
    struct tm tm = {0};
    tm.tm_year = (d[0] - '0') * 1000 + (d[1] - '0') * 100 + (d[2] - '0') * 10 + (d[3] - '0') - 1900;
    tm.tm_mon = (d[5] - '0') * 10 + (d[6] - '0') - 1;
    tm.tm_mday = (d[8] - '0') * 10 + (d[9] - '0');
    return (long long)timegm(&tm) / 86400;
}

static void explain_links(const rmd_runbook *rb, rmd_kb_problems *probs) {
    if (!rb->n_links) {
        rmd_kb_problem_add(probs, rb->source, 0, 0, 2,
                           "linked to no cause: nothing in its title, symptoms, sections or commands names one (add "
                           "'causes: [...]' to link it)");
        return;
    }
    for (size_t i = 0; i < rb->n_links; i++)
        rmd_kb_problem_add(probs, rb->source, 0, 0, 2, "linked to %s by %s", rb->links[i].cause,
                           rb->links[i].reason ? rb->links[i].reason : "?");
}

void rmd_kb_explain(const rmd_runbook *rb, time_t now, rmd_kb_problems *probs) {
    rmd_kb_problem_add(probs, rb->source, 0, 0, 2, "read as %s: id %s%s, title '%.80s', severity %s%s%s%s",
                       format_name(rb->format), rb->error_id, rb->id_derived ? " (from the file name)" : "",
                       rb->title ? rb->title : "", rb->severity, rb->severity_written ? " (written '" : "",
                       rb->severity_written ? rb->severity_written : "", rb->severity_written ? "')" : "");
    explain_links(rb, probs);
    if (rb->last_validated && now > 0 && (long long)now / 86400 - days_of(rb->last_validated) > 365)
        rmd_kb_problem_add(probs, rb->source, 0, 0, 1,
                           "last validated %s, more than a year ago: check its steps still work and update the date",
                           rb->last_validated);
    rmd_md md;
    if (!rb->body || rmd_md_parse(rb->body, strlen(rb->body), rb->body_line, &md) != 0) return;
    explain_ctx x = {probs, {0}};
    each_step(rb, &md, NULL, 'd', explain_step, &x);
    each_step(rb, &md, NULL, 'r', explain_step, &x);
    rmd_strlist_free(&x.unmapped);
    rmd_md_free(&md);
}
