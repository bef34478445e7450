/* kbfmt.c -- the runbook formats teams already keep (see kb.h, kbint.h).
 *
 * Advice stage, knowledge base: after the front matter (if any) is read,
 * this file reads what the other formats keep in the markdown body -- the
 * title from the first heading, "**Severity**: MEDIUM" style metadata lines,
 * the Symptoms and Escalation sections -- maps severities of common scales
 * onto ours, turns symptoms into literal log patterns, derives an id from the
 * file name, and links the runbook to causes through the kblink.c table,
 * keeping the reason of every link. No I/O.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "advice.h"
#include "causes.h"
#include "kbint.h"
#include "kblink.h"

#define MAX_HITS 8

/* ------------------------------------------------------------ severity */

typedef struct sev_map {
    const char *word;
    const char *ours;
} sev_map;

static const sev_map sev_table[] = {
    {"info", "info"},         {"informational", "info"}, {"low", "low"},     {"minor", "low"},
    {"sev4", "low"},          {"p4", "low"},             {"warning", "warning"}, {"warn", "warning"},
    {"medium", "medium"},     {"moderate", "medium"},    {"sev3", "medium"}, {"p3", "medium"},
    {"high", "high"},         {"major", "high"},         {"sev2", "high"},   {"p2", "high"},
    {"critical", "critical"}, {"sev1", "critical"},      {"p1", "critical"}, {"sev0", "critical"},
    {"p0", "critical"},
};

const char *rmd_kb_severity_norm(const char *word) {
    char w[16];
    size_t o = 0;
    if (!word) return NULL;
    for (const char *p = word; *p && o + 1 < sizeof w; p++) /* "SEV-2", "Sev 2" read as sev2 */
        if (*p != '-' && *p != ' ' && *p != '_') w[o++] = (char)tolower((unsigned char)*p);
    w[o] = '\0';
    if (strlen(word) > 14) return NULL;
    for (size_t i = 0; i < sizeof sev_table / sizeof sev_table[0]; i++)
        if (!strcmp(w, sev_table[i].word)) return sev_table[i].ours;
    return NULL;
}

/* -------------------------------------------------------------- links */

void rmd_kb_link_add(rmd_runbook *rb, const char *cause, int weight, const char *reason) {
    for (size_t i = 0; i < rb->n_links; i++) {
        rmd_kb_link *l = &rb->links[i];
        if (strcmp(l->cause, cause)) continue;
        if (l->reason && strstr(l->reason, reason)) return;
        if (weight > l->weight) l->weight = weight;
        if (l->reason && !strstr(l->reason, " and ")) { /* keep up to two reasons */
            size_t n = strlen(l->reason) + strlen(reason) + 6;
            char *r = malloc(n);
            if (r) {
                snprintf(r, n, "%s and %s", l->reason, reason);
                free(l->reason);
                l->reason = r;
            }
        }
        return;
    }
    rmd_kb_link *nl = realloc(rb->links, (rb->n_links + 1) * sizeof *nl);
    if (!nl) return;
    rb->links = nl;
    nl[rb->n_links].cause = strdup(cause);
    nl[rb->n_links].reason = strdup(reason);
    nl[rb->n_links].weight = weight;
    if (nl[rb->n_links].cause) rb->n_links++;
    else free(nl[rb->n_links].reason);
}

static int cmp_link(const void *a, const void *b) {
    const rmd_kb_link *x = a, *y = b;
    return y->weight - x->weight;
}

/* Match text at place where and link what it names. */
static void link_text(rmd_runbook *rb, const char *text, size_t len, int where) {
    rmd_kblink_hit hits[MAX_HITS];
    size_t n = rmd_kblink_match(text, len, where, hits, MAX_HITS);
    for (size_t i = 0; i < n; i++) {
        char reason[160];
        snprintf(reason, sizeof reason, "the %s '%.*s'", rmd_kblink_place(where), (int)(len > 80 ? 80 : len), text);
        rmd_kb_link_add(rb, hits[i].cause, rmd_kblink_weight(where), reason);
    }
}

static void link_by_matching(rmd_runbook *rb, const rmd_md *md) {
    if (rb->title) link_text(rb, rb->title, strlen(rb->title), RMD_LINK_TITLE);
    for (size_t i = 0; i < rb->symptoms.n; i++)
        link_text(rb, rb->symptoms.items[i], strlen(rb->symptoms.items[i]), RMD_LINK_SYMPTOM);
    for (size_t i = 0; i < md->n; i++) {
        const rmd_md_line *l = &md->lines[i];
        if (l->kind == RMD_MD_HEADING && l->level >= 2) {
            char words[256];
            rmd_md_heading_words(l, words, sizeof words);
            link_text(rb, words, strlen(words), RMD_LINK_SECTION);
        } else if (l->kind == RMD_MD_TABLE) {
            link_text(rb, l->text, l->len, RMD_LINK_ROW);
        } else if (l->kind == RMD_MD_CODE && rmd_md_shell_lang(l->key, l->key_len) && l->len && l->text[0] != '#' &&
                   rmd_kb_step_kind(md, i)) {
            link_text(rb, l->text, l->len, RMD_LINK_COMMAND);
        }
    }
    if (rb->n_links > 1) qsort(rb->links, rb->n_links, sizeof *rb->links, cmp_link);
}

/* ---------------------------------------------------------- body reading */

static int meta_is(const rmd_md_line *l, const char *const *names) {
    for (; *names; names++)
        if (strlen(*names) == l->key_len && !strncasecmp(l->key, *names, l->key_len)) return 1;
    return 0;
}


/* Strip markdown emphasis and code marks for a one-line value. */
static char *plain_dup(const char *p, size_t n) {
    char *s = malloc(n + 1);
    size_t o = 0;
    if (!s) return NULL;
    for (size_t i = 0; i < n; i++)
        if (p[i] != '*' && p[i] != '`') s[o++] = p[i];
    while (o && s[o - 1] == ' ') o--;
    s[o] = '\0';
    return s;
}

static int heading_is(const rmd_md_line *h, const char *word) {
    char w[128];
    rmd_md_heading_words(h, w, sizeof w);
    return !strncasecmp(w, word, strlen(word));
}

static int valid_date(const char *s, size_t n) {
    /* NOLINTNEXTLINE(clang-analyzer-core.UndefinedBinaryOperatorResult): s holds n == 10 bytes here */
    if (n != 10 || s[4] != '-' || s[7] != '-') return 0;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && !isdigit((unsigned char)s[i])) return 0;
    return 1;
}

static void add_unique(rmd_strlist *l, const char *s) {
    for (size_t i = 0; i < l->n; i++)
        if (!strcmp(l->items[i], s)) return;
    rmd_strlist_add(l, s);
}

/* "**Key**: value" lines: severity, owner, last updated, on-call, escalation. */
static void read_meta(rmd_runbook *rb, const rmd_md_line *l, const rmd_kb_fm_seen *seen, int *had_meta) {
    static const char *const sev[] = {"severity", "priority", NULL};
    static const char *const owner[] = {"owner", "author", "maintainer", NULL};
    static const char *const date[] = {"last updated", "last validated", "last reviewed", "lastvalidated", NULL};
    static const char *const contact[] = {"on-call", "oncall", "on call", "escalation", "escalation path", NULL};
    static const char *const svc[] = {"service", "services", NULL};
    static const char *const cat[] = {"category", NULL};
    char *v = plain_dup(l->text, l->len);
    if (!v) return;
    if (meta_is(l, sev)) {
        *had_meta = 1;
        if (!seen->severity_key && !rb->severity) { rb->severity = v; v = NULL; }
    } else if (meta_is(l, owner)) {
        *had_meta = 1;
        if (!rb->author) { rb->author = v; v = NULL; }
    } else if (meta_is(l, date)) {
        *had_meta = 1;
        if (!rb->last_validated && valid_date(v, strlen(v))) { rb->last_validated = v; v = NULL; }
    } else if (meta_is(l, contact)) {
        add_unique(&rb->contacts, v);
    } else if (meta_is(l, svc)) {
        *had_meta = 1;
        add_unique(&rb->services, v);
    } else if (meta_is(l, cat)) {
        *had_meta = 1;
        add_unique(&rb->tags, v);
    }
    free(v);
}

/* Symptom bullets become literal, case-insensitive log patterns: the quoted
 * parts of a bullet when it quotes messages, else nothing (prose is not a log
 * line); front-matter symptoms are taken whole. */
static void add_literal_pattern(rmd_runbook *rb, const char *s, size_t n) {
    static const char meta[] = "\\^$.|?*+()[]{}";
    char pat[512] = "(?i)";
    size_t o = 4;
    if (n < 4 || n > 200) return;
    for (size_t i = 0; i < n && o + 3 < sizeof pat; i++) {
        if (strchr(meta, s[i])) pat[o++] = '\\';
        pat[o++] = s[i];
    }
    pat[o] = '\0';
    /* a symptom phrase ("Connection refused") is shared with other software:
     * it counts only on a line that carries Redis evidence */
    add_unique(&rb->generic_patterns, pat);
}

static void symptom_patterns_from_bullet(rmd_runbook *rb, const char *t, size_t n) {
    for (size_t i = 0; i < n; i++) {
        if (t[i] != '"') continue;
        const char *e = memchr(t + i + 1, '"', n - i - 1);
        if (!e) break;
        add_literal_pattern(rb, t + i + 1, (size_t)(e - t - i - 1));
        i = (size_t)(e - t);
    }
}

/* Which top-level section a line is in: 's' Symptoms, 'e' Escalation, 0. */
static int special_section(const rmd_md *md, size_t i) {
    int h = md->lines[i].head;
    while (h >= 0 && md->lines[h].level > 2) h = md->lines[h].head;
    if (h < 0 || md->lines[h].level != 2) return 0;
    if (heading_is(&md->lines[h], "symptom")) return 's';
    if (heading_is(&md->lines[h], "escalation") || heading_is(&md->lines[h], "contacts") ||
        heading_is(&md->lines[h], "on-call") || heading_is(&md->lines[h], "on call"))
        return 'e';
    return 0;
}

static void read_sections(rmd_runbook *rb, const rmd_md *md, const rmd_kb_fm_seen *seen, int *had_meta, int *title_line) {
    int fm_symptoms = rb->symptoms.n > 0, first_heading = -1;
    for (size_t i = 0; i < md->n; i++) {
        const rmd_md_line *l = &md->lines[i];
        if (l->kind == RMD_MD_HEADING) {
            if (first_heading < 0 || (l->level == 1 && md->lines[first_heading].level != 1)) first_heading = (int)i;
        } else if (l->kind == RMD_MD_META) {
            read_meta(rb, l, seen, had_meta);
        } else if (l->kind == RMD_MD_BULLET) {
            int sect = special_section(md, i);
            char *v = sect ? plain_dup(l->text, l->len) : NULL;
            if (v && sect == 's' && !fm_symptoms) add_unique(&rb->symptoms, v);
            if (v && sect == 's' && !seen->patterns_key) symptom_patterns_from_bullet(rb, l->text, l->len);
            if (v && sect == 'e') add_unique(&rb->contacts, v);
            free(v);
        }
    }
    if (!rb->title && first_heading >= 0) {
        char w[256];
        const rmd_md_line *h = &md->lines[first_heading];
        rmd_memlcpy(w, sizeof w, h->text, h->len);
        rb->title = strdup(w);
        *title_line = h->line;
    }
}

/* An id from the file name: the base name without extension, in id characters. */
static char *id_from_source(const char *source) {
    const char *b = strrchr(source, '/');
    b = b ? b + 1 : (strchr(source, ':') ? strchr(source, ':') + 1 : source);
    const char *dot = strrchr(b, '.');
    size_t n = dot && dot > b ? (size_t)(dot - b) : strlen(b);
    if (n > 64) n = 64;
    char *id = malloc(n + 8);
    if (!id) return NULL;
    size_t o = 0;
    for (size_t i = 0; i < n; i++) id[o++] = isalnum((unsigned char)b[i]) || strchr("-_.", b[i]) ? b[i] : '-';
    if (!o) { memcpy(id, "runbook", 7); o = 7; }
    id[o] = '\0';
    return id;
}

int rmd_kb_read_body(rmd_runbook *rb, const rmd_md *md, const rmd_kb_fm_seen *seen, rmd_kb_problems *probs) {
    int had_meta = 0, title_line = 0, rc = 0;
    if (!seen->patterns_key)
        for (size_t i = 0; i < rb->symptoms.n; i++) add_literal_pattern(rb, rb->symptoms.items[i], strlen(rb->symptoms.items[i]));
    read_sections(rb, md, seen, &had_meta, &title_line);
    if (!rb->title) {
        rmd_kb_problem_add(probs, rb->source, rb->body_line, 1, 0,
                           "no title: a runbook needs a 'title:' in its front matter or a first heading ('# Title')");
        rc = -1;
    }
    rb->format = rb->error_id ? RMD_KB_FMT_ERROR_ID
                 : seen->front_matter ? RMD_KB_FMT_FRONT_MATTER
                 : had_meta ? RMD_KB_FMT_BOLD_META : RMD_KB_FMT_MARKDOWN;
    if (!rb->error_id) {
        rb->error_id = id_from_source(rb->source);
        rb->id_derived = 1;
    }
    if (rb->severity) {
        const char *n = rmd_kb_severity_norm(rb->severity);
        if (n && strcmp(n, rb->severity)) {
            rb->severity_written = rb->severity;
            rb->severity = strdup(n);
        } else if (!n && !seen->severity_key) {
            rmd_kb_problem_add(probs, rb->source, 0, 0, 1, "severity '%.40s' is not on a known scale; taken as warning",
                               rb->severity);
            rb->severity_written = rb->severity;
            rb->severity = strdup("warning");
        }
    } else {
        rb->severity = strdup("warning");
    }
    if (!rb->n_links) link_by_matching(rb, md);
    if (md->n >= RMD_MD_MAX_LINES)
        rmd_kb_problem_add(probs, rb->source, md->lines[md->n - 1].line, 1, 1,
                           "only the first %d lines of the body were read (title, sections, steps)", RMD_MD_MAX_LINES);
    (void)title_line;
    return rc;
}

/* ------------------------------------------------------------- contacts */

/* The first word of text starting with c ('#', '@') or holding '@' (email). */
static int word_with(const char *text, char c, char *out, size_t n) {
    for (const char *p = text; *p; p++) {
        if (p != text && !(p[-1] == ' ' || p[-1] == '(' || p[-1] == ':')) continue;
        size_t w = strcspn(p, " ,;)");
        const char *at = memchr(p, '@', w);
        if ((c && *p == c && w > 1) || (!c && at && at != p && at + 1 < p + w && memchr(at, '.', (size_t)(p + w - at)))) {
            rmd_memlcpy(out, n, p, w);
            return 1;
        }
    }
    return 0;
}

const char *rmd_kb_contact_kind(const char *text, char *handle, size_t n) {
    handle[0] = '\0';
    if (strcasestr(text, "pagerduty") || strcasestr(text, "pager duty")) return "pagerduty";
    if (word_with(text, 0, handle, n)) return "email";
    if (word_with(text, '#', handle, n) || (strcasestr(text, "slack") && word_with(text, '@', handle, n))) return "slack";
    return "team";
}

/* ------------------------------------------------------------ placeholders */

int rmd_kb_placeholder_known(const char *name, size_t n) { return rmd_advice_placeholder_known(name, n); }

void rmd_kb_ph_add(rmd_runbook *rb, const char *from, const char *to) {
    for (size_t i = 0; i < rb->ph_from.n; i++)
        if (!strcmp(rb->ph_from.items[i], from)) return; /* the first mapping of a text wins */
    if (rmd_strlist_add(&rb->ph_from, from) != RMD_OK) return;
    if (rmd_strlist_add(&rb->ph_to, to) != RMD_OK) {
        free(rb->ph_from.items[--rb->ph_from.n]);
    }
}

/* ---------------------------------------------------------------- import */

/* s as a YAML double-quoted scalar. */
static void yq(FILE *f, const char *s) {
    fputc('"', f);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\') fprintf(f, "\\%c", *p);
        else if (*p < 0x20 || *p == 0x7f) fprintf(f, "\\x%02x", *p);
        else fputc(*p, f);
    }
    fputc('"', f);
}

static void y_str(FILE *f, const char *key, const char *v) {
    if (!v) return;
    fprintf(f, "%s: ", key);
    yq(f, v);
    fputc('\n', f);
}

static void y_list(FILE *f, const char *key, const rmd_strlist *l) {
    if (!l->n) return;
    fprintf(f, "%s:\n", key);
    for (size_t i = 0; i < l->n; i++) {
        fputs("  - ", f);
        yq(f, l->items[i]);
        fputc('\n', f);
    }
}

static void y_bool(FILE *f, const char *key, int v) {
    if (v >= 0) fprintf(f, "%s: %s\n", key, v ? "true" : "false");
}

void rmd_kb_print_normalised(const rmd_runbook *rb, void *file) {
    FILE *f = file;
    fprintf(f, "---\n# normalised by redis-medic kb import from %s; review, then keep it in your --kb directory\n",
            rb->source);
    y_str(f, "error_id", rb->error_id);
    y_str(f, "title", rb->title);
    y_str(f, "severity", rb->severity);
    if (rb->severity_written) fprintf(f, "# severity as written: %s\n", rb->severity_written);
    if (rb->n_links) {
        fprintf(f, "causes:\n");
        for (size_t i = 0; i < rb->n_links; i++)
            fprintf(f, "  - %s    # %s\n", rb->links[i].cause, rb->links[i].reason ? rb->links[i].reason : "");
    }
    y_str(f, "service", rb->service);
    y_list(f, "services", &rb->services);
    y_list(f, "symptoms", &rb->symptoms);
    y_list(f, "tags", &rb->tags);
    y_str(f, "author", rb->author);
    y_str(f, "last_validated", rb->last_validated);
    y_list(f, "contacts", &rb->contacts);
    y_str(f, "error_domain", rb->error_domain);
    y_str(f, "resolution_group", rb->resolution_group);
    y_str(f, "assignee", rb->assignee);
    y_str(f, "first_seen", rb->first_seen);
    y_str(f, "last_seen", rb->last_seen);
    if (rb->occurrence_count >= 0) fprintf(f, "occurrence_count: %lld\n", rb->occurrence_count);
    y_bool(f, "in_kb", rb->in_kb);
    y_bool(f, "auto_fix", rb->auto_fix);
    y_str(f, "fix_command", rb->fix_command);
    y_bool(f, "requires_human", rb->requires_human);
    y_bool(f, "requires_business_decision", rb->requires_business_decision);
    y_list(f, "related_errors", &rb->related);
    y_list(f, "keywords", &rb->keywords);
    y_list(f, "patterns", &rb->patterns);
    y_list(f, "generic_patterns", &rb->generic_patterns);
    y_list(f, "fallback_patterns", &rb->fallback_patterns);
    if (rb->esc_runbook || rb->esc_after || rb->notify.n) {
        fprintf(f, "escalation:\n");
        if (rb->esc_after) fprintf(f, "  after_failed_fixes: %d\n", rb->esc_after);
        if (rb->esc_runbook) { fprintf(f, "  runbook: "); yq(f, rb->esc_runbook); fputc('\n', f); }
        if (rb->notify.n) {
            fprintf(f, "  notify:\n");
            for (size_t i = 0; i < rb->notify.n; i++) { fputs("    - ", f); yq(f, rb->notify.items[i]); fputc('\n', f); }
        }
    }
    if (rb->n_exceptions) {
        fprintf(f, "exceptions:\n");
        for (size_t i = 0; i < rb->n_exceptions; i++) {
            const rmd_kb_exception *x = &rb->exceptions[i];
            if (x->window) { fprintf(f, "  - window: "); yq(f, x->window); fputc('\n', f); }
            else fprintf(f, "  - after_boot_s: %lld\n", x->after_boot_s);
            if (x->effect) { fprintf(f, "    effect: "); yq(f, x->effect); fputc('\n', f); }
            if (x->severity) { fprintf(f, "    severity: "); yq(f, x->severity); fputc('\n', f); }
            if (x->reason) { fprintf(f, "    reason: "); yq(f, x->reason); fputc('\n', f); }
        }
    }
    if (rb->ph_from.n) {
        fprintf(f, "placeholders:\n");
        for (size_t i = 0; i < rb->ph_from.n; i++) {
            fputs("  ", f);
            yq(f, rb->ph_from.items[i]);
            fprintf(f, ": %s\n", rb->ph_to.items[i]);
        }
    }
    fprintf(f, "---\n%s", rb->body ? rb->body : "");
}
