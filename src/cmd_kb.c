/* cmd_kb.c -- `redis-medic kb list | show ID | lint [PATH...]`.
 *
 * Thin wiring over kb.c (load, find, lint) and store.c (occurrences).
 */
#include <jansson.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"
#include "causes.h"
#include "kb.h"
#include "opt.h"
#include "report.h"
#include "store.h"
#include "term.h"
#include "util.h"

typedef struct kb_opts {
    int           json, help, strict, no_builtin;
    const char   *state;
    rmd_opt_multi kb;
} kb_opts;

#define O(f) offsetof(kb_opts, f)
static const rmd_opt kb_table[] = {
    {"kb", 0, RMD_OPT_MULTI, O(kb), "DIR", "add the runbooks in DIR (repeatable; also REDIS_MEDIC_KB=DIR:DIR)"},
    {"json", 0, RMD_OPT_BOOL, O(json), NULL, "JSON output (list, show)"},
    {"state", 0, RMD_OPT_STRING, O(state), "PATH", "occurrence database (default $XDG_STATE_HOME/redis-medic/state.db)"},
    {"strict", 0, RMD_OPT_BOOL, O(strict), NULL, "lint: warnings count as errors"},
    {"no-builtin", 0, RMD_OPT_BOOL, O(no_builtin), NULL, "lint: check only the paths given, not the built-in runbooks"},
    {"help", 0, RMD_OPT_BOOL, O(help), NULL, "show this help"},
    {NULL, 0, RMD_OPT_BOOL, 0, NULL, NULL},
};
#undef O

static void kb_help(FILE *out) {
    fprintf(out, "usage: redis-medic [--kb DIR] kb list [--kb DIR] [--json]\n"
                 "       redis-medic kb show ID|CAUSE [--kb DIR] [--json] [--state PATH]\n"
                 "       redis-medic kb lint [--strict] [--no-builtin] [PATH...]\n"
                 "       redis-medic kb import FILE\n\n"
                 "The runbook knowledge base: markdown runbooks, with or without YAML front matter, in the\n"
                 "formats teams keep (docs/runbooks.md). show ID|CAUSE: a cause shows the team's runbook\n"
                 "first, then the built-in one. lint checks the built-in runbooks and every PATH (file or\n"
                 "directory), says how each file was read and which causes it covers and why, and prints\n"
                 "each problem as file:line:col; it exits 1 when it finds an error. import prints FILE with a\n"
                 "normalised front matter to review and keep.\n\noptions:\n");
    rmd_opt_help(out, kb_table);
}

/* The body, line by line, through rmd_tprintf: newlines kept, every other
 * control byte escaped. */
static void put_body(FILE *out, const char *body) {
    for (const char *p = body; p && *p;) {
        const char *nl = strchr(p, '\n');
        int n = nl ? (int)(nl - p) : (int)strlen(p);
        if (n && p[n - 1] == '\r') n--; /* a CRLF file reads as lines, not as "\r" at every end */
        rmd_tprintf(out, "%.*s\n", n, p);
        p = nl ? nl + 1 : NULL;
    }
}

/* "cause" column of kb list: the declared cause, or the linked ones. */
static void causes_text(const rmd_runbook *rb, char *out, size_t n) {
    if (rb->cause || !rb->n_links) {
        rmd_strlcpy(out, rb->cause ? rb->cause : "-", n);
        return;
    }
    snprintf(out, n, "%s%s", rb->links[0].cause, rb->n_links > 1 ? "+" : "");
}

static int kb_list(const rmd_kb *kb, const kb_opts *o) {
    if (o->json) {
        json_t *a = json_array();
        for (size_t i = 0; i < kb->n; i++) {
            const rmd_runbook *rb = &kb->items[i];
            if (rmd_kb_is_overridden(kb, i)) continue;
            json_t *j = json_object(), *cs = json_array();
            json_object_set_new(j, "id", rmd_json_string(rb->error_id));
            json_object_set_new(j, "cause", rb->cause ? rmd_json_string(rb->cause) : json_null());
            for (size_t k = 0; k < rb->n_links; k++) json_array_append_new(cs, json_string(rb->links[k].cause));
            json_object_set_new(j, "causes", cs);
            json_object_set_new(j, "severity", rmd_json_string(rb->severity));
            json_object_set_new(j, "title", rmd_json_string(rb->title));
            json_object_set_new(j, "source", rmd_json_string(rb->source));
            json_array_append_new(a, j);
        }
        json_dumpf(a, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_ENSURE_ASCII);
        fputc('\n', stdout);
        json_decref(a);
        return 0;
    }
    printf("%-26s %-22s %-9s %-44s %s\n", "ID", "CAUSE", "SEVERITY", "TITLE", "SOURCE");
    for (size_t i = 0; i < kb->n; i++) {
        const rmd_runbook *rb = &kb->items[i];
        char cs[64], line[256];
        if (rmd_kb_is_overridden(kb, i)) continue;
        causes_text(rb, cs, sizeof cs);
        snprintf(line, sizeof line, "%-26s %-22s %-9s %-44.44s ", rb->error_id, cs, rb->severity, rb->title);
        rmd_tprintf(stdout, "%s%s\n", line, rb->source);
    }
    return 0;
}

static const char *tristate(int v) { return v < 0 ? "-" : v ? "yes" : "no"; }

static void fmt_time(time_t t, char *out, size_t n) {
    struct tm tm;
    localtime_r(&t, &tm);
    strftime(out, n, "%Y-%m-%d %H:%M:%S", &tm);
}

static void say_list(const char *label, const rmd_strlist *l) {
    if (!l->n) return;
    rmd_tprintf(stdout, "  %s:", label);
    for (size_t i = 0; i < l->n; i++) rmd_tprintf(stdout, "%s%s", i ? "; " : " ", l->items[i]);
    rmd_tprintf(stdout, "\n");
}

/* What a team's runbook says about itself: format, owner, links and why. */
static void show_team(const rmd_runbook *rb) {
    static const char *const fmts[] = {"YAML front matter with error_id", "YAML front matter (team format)",
                                       "markdown with **Key**: metadata", "plain markdown"};
    if (!rb->builtin) rmd_tprintf(stdout, "  format: %s\n", fmts[rb->format]);
    if (rb->severity_written) rmd_tprintf(stdout, "  severity as written: %s\n", rb->severity_written);
    if (rb->author || rb->last_validated)
        rmd_tprintf(stdout, "  author: %s   last validated: %s\n", rb->author ? rb->author : "-",
            rb->last_validated ? rb->last_validated : "-");
    say_list("services", &rb->services);
    say_list("tags", &rb->tags);
    say_list("symptoms", &rb->symptoms);
    for (size_t i = 0; i < rb->contacts.n; i++) {
        char handle[128];
        const char *kind = rmd_kb_contact_kind(rb->contacts.items[i], handle, sizeof handle);
        rmd_tprintf(stdout, "  escalation contact (%s%s%s): %s\n", kind, handle[0] ? " " : "", handle,
                    rb->contacts.items[i]);
    }
    if (rb->builtin) return;
    for (size_t i = 0; i < rb->n_links; i++)
        rmd_tprintf(stdout, "  linked to %s by %s\n", rb->links[i].cause, rb->links[i].reason ? rb->links[i].reason : "?");
    if (!rb->n_links) rmd_tprintf(stdout, "  linked to no cause (add 'causes: [...]' to its front matter)\n");
}

static void show_text(const rmd_runbook *rb, const rmd_store_stats *st) {
    rmd_tprintf(stdout, "%s  %s\n", rb->error_id, rb->title);
    rmd_tprintf(stdout, "  cause: %s   severity: %s   source: %s\n", rb->cause ? rb->cause : "-", rb->severity, rb->source);
    show_team(rb);
    if (rb->resolution_group || rb->assignee)
        rmd_tprintf(stdout, "  resolution group: %s   assignee: %s\n", rb->resolution_group ? rb->resolution_group : "-",
            rb->assignee ? rb->assignee : "-");
    rmd_tprintf(stdout, "  auto fix: %s%s%s   requires human: %s   business decision: %s\n", tristate(rb->auto_fix),
        rb->fix_command ? "  $ " : "", rb->fix_command ? rb->fix_command : "", tristate(rb->requires_human),
        tristate(rb->requires_business_decision));
    say_list("related", &rb->related);
    if (rb->esc_runbook || rb->esc_after) {
        rmd_tprintf(stdout, "  escalation: after %d failed fix%s -> %s, notify", rb->esc_after, rb->esc_after == 1 ? "" : "es",
            rb->esc_runbook ? rb->esc_runbook : "-");
        for (size_t i = 0; i < rb->notify.n; i++) rmd_tprintf(stdout, " %s", rb->notify.items[i]);
        rmd_tprintf(stdout, "\n");
    }
    for (size_t i = 0; i < rb->n_exceptions; i++) {
        const rmd_kb_exception *x = &rb->exceptions[i];
        if (x->window) rmd_tprintf(stdout, "  exception: %s -> %s%s%s", x->window, x->effect ? x->effect : "?", x->severity ? " to " : "",
                           x->severity ? x->severity : "");
        else rmd_tprintf(stdout, "  exception: first %llds after boot -> %s", x->after_boot_s, x->effect ? x->effect : "?");
        if (x->reason) rmd_tprintf(stdout, " (%s)", x->reason);
        rmd_tprintf(stdout, "\n");
    }
    if (rb->patterns.n || rb->generic_patterns.n || rb->fallback_patterns.n)
        rmd_tprintf(stdout, "  patterns: %zu, generic: %zu, fallback: %zu (kb show --json lists them)\n", rb->patterns.n,
                    rb->generic_patterns.n, rb->fallback_patterns.n);
    if (st && st->count) {
        char f[32], l[32];
        fmt_time(st->first, f, sizeof f);
        fmt_time(st->last, l, sizeof l);
        rmd_tprintf(stdout, "  seen: %lld time%s, first %s, last %s (this host's state database)\n", st->count,
            st->count == 1 ? "" : "s", f, l);
        for (size_t i = 0; i < st->n_recent && i < 5; i++) {
            fmt_time(st->recent[i].when, f, sizeof f);
            rmd_tprintf(stdout, "    %s %s %s  %s\n", f, st->recent[i].severity, st->recent[i].target, st->recent[i].summary);
        }
    } else {
        if (rb->occurrence_count >= 0 || rb->first_seen)
            rmd_tprintf(stdout, "  seen (as written in the runbook): %lld times, first %s, last %s\n", rb->occurrence_count,
                rb->first_seen ? rb->first_seen : "-", rb->last_seen ? rb->last_seen : "-");
        else
            rmd_tprintf(stdout, "  seen: never on this host\n");
    }
    rmd_tprintf(stdout, "\n");
    put_body(stdout, rb->body);
}

static json_t *strlist_json(const rmd_strlist *l) {
    json_t *a = json_array();
    for (size_t i = 0; i < l->n; i++) json_array_append_new(a, rmd_json_string(l->items[i]));
    return a;
}

/* The team-format fields and the causes with the reason of each link. */
static void team_json(json_t *j, const rmd_runbook *rb) {
    static const char *const fmts[] = {"error-id-front-matter", "team-front-matter", "bold-metadata", "markdown"};
    json_object_set_new(j, "format", json_string(fmts[rb->format]));
    if (rb->severity_written) json_object_set_new(j, "severity_as_written", rmd_json_string(rb->severity_written));
    if (rb->author) json_object_set_new(j, "author", rmd_json_string(rb->author));
    if (rb->last_validated) json_object_set_new(j, "last_validated", rmd_json_string(rb->last_validated));
    json_object_set_new(j, "services", strlist_json(&rb->services));
    json_object_set_new(j, "tags", strlist_json(&rb->tags));
    json_object_set_new(j, "symptoms", strlist_json(&rb->symptoms));
    json_t *cs = json_array();
    for (size_t i = 0; i < rb->contacts.n; i++) {
        char handle[128];
        json_t *c = json_object();
        json_object_set_new(c, "text", rmd_json_string(rb->contacts.items[i]));
        json_object_set_new(c, "kind", json_string(rmd_kb_contact_kind(rb->contacts.items[i], handle, sizeof handle)));
        if (handle[0]) json_object_set_new(c, "handle", rmd_json_string(handle));
        json_array_append_new(cs, c);
    }
    json_object_set_new(j, "contacts", cs);
    json_t *ls = json_array();
    for (size_t i = 0; i < rb->n_links; i++) {
        json_t *l = json_object();
        json_object_set_new(l, "cause", rmd_json_string(rb->links[i].cause));
        json_object_set_new(l, "weight", json_integer(rb->links[i].weight));
        json_object_set_new(l, "reason", rmd_json_string(rb->links[i].reason ? rb->links[i].reason : ""));
        json_array_append_new(ls, l);
    }
    json_object_set_new(j, "links", ls);
    rmd_strlist steps = {0};
    rmd_kb_steps(rb, &steps);
    json_object_set_new(j, "steps", strlist_json(&steps));
    rmd_strlist_free(&steps);
}

static json_t *show_json(const rmd_runbook *rb, const rmd_store_stats *st) {
    json_t *j = json_object();
    json_object_set_new(j, "id", rmd_json_string(rb->error_id));
    json_object_set_new(j, "title", rmd_json_string(rb->title));
    json_object_set_new(j, "cause", rb->cause ? rmd_json_string(rb->cause) : json_null());
    json_object_set_new(j, "severity", rmd_json_string(rb->severity));
    json_object_set_new(j, "source", rmd_json_string(rb->source));
    team_json(j, rb);
    if (rb->resolution_group) json_object_set_new(j, "resolution_group", rmd_json_string(rb->resolution_group));
    if (rb->assignee) json_object_set_new(j, "assignee", rmd_json_string(rb->assignee));
    if (rb->auto_fix >= 0) json_object_set_new(j, "auto_fix", json_boolean(rb->auto_fix));
    if (rb->fix_command) json_object_set_new(j, "fix_command", rmd_json_string(rb->fix_command));
    if (rb->requires_human >= 0) json_object_set_new(j, "requires_human", json_boolean(rb->requires_human));
    if (rb->requires_business_decision >= 0)
        json_object_set_new(j, "requires_business_decision", json_boolean(rb->requires_business_decision));
    json_object_set_new(j, "related_errors", strlist_json(&rb->related));
    json_object_set_new(j, "keywords", strlist_json(&rb->keywords));
    json_object_set_new(j, "patterns", strlist_json(&rb->patterns));
    json_object_set_new(j, "generic_patterns", strlist_json(&rb->generic_patterns));
    json_object_set_new(j, "fallback_patterns", strlist_json(&rb->fallback_patterns));
    if (rb->esc_runbook || rb->esc_after) {
        json_t *e = json_object();
        json_object_set_new(e, "after_failed_fixes", json_integer(rb->esc_after));
        if (rb->esc_runbook) json_object_set_new(e, "runbook", rmd_json_string(rb->esc_runbook));
        json_object_set_new(e, "notify", strlist_json(&rb->notify));
        json_object_set_new(j, "escalation", e);
    }
    json_t *ex = json_array();
    for (size_t i = 0; i < rb->n_exceptions; i++) {
        const rmd_kb_exception *x = &rb->exceptions[i];
        json_t *o = json_object();
        if (x->window) json_object_set_new(o, "window", rmd_json_string(x->window));
        else json_object_set_new(o, "after_boot_s", json_integer(x->after_boot_s));
        if (x->effect) json_object_set_new(o, "effect", rmd_json_string(x->effect));
        if (x->severity) json_object_set_new(o, "severity", rmd_json_string(x->severity));
        if (x->reason) json_object_set_new(o, "reason", rmd_json_string(x->reason));
        json_array_append_new(ex, o);
    }
    json_object_set_new(j, "exceptions", ex);
    json_t *occ = json_object();
    json_object_set_new(occ, "count", json_integer(st ? st->count : 0));
    if (st && st->count) {
        json_object_set_new(occ, "first_seen", json_integer((json_int_t)st->first));
        json_object_set_new(occ, "last_seen", json_integer((json_int_t)st->last));
        json_t *h = json_array();
        for (size_t i = 0; i < st->n_recent; i++) {
            json_t *e = json_object();
            json_object_set_new(e, "time", json_integer((json_int_t)st->recent[i].when));
            json_object_set_new(e, "severity", rmd_json_string(st->recent[i].severity));
            json_object_set_new(e, "target", rmd_json_string(st->recent[i].target));
            json_object_set_new(e, "summary", rmd_json_string(st->recent[i].summary));
            json_array_append_new(h, e);
        }
        json_object_set_new(occ, "history", h);
    }
    json_object_set_new(j, "occurrences", occ);
    json_t *written = json_object();
    if (rb->first_seen) json_object_set_new(written, "first_seen", rmd_json_string(rb->first_seen));
    if (rb->last_seen) json_object_set_new(written, "last_seen", rmd_json_string(rb->last_seen));
    if (rb->occurrence_count >= 0) json_object_set_new(written, "occurrence_count", json_integer(rb->occurrence_count));
    json_object_set_new(j, "as_written", written);
    json_object_set_new(j, "body", rmd_json_string(rb->body ? rb->body : ""));
    return j;
}

/* Occurrences of rb from the state database; 1 when st was filled. */
static int stats_of(const rmd_runbook *rb, const kb_opts *o, rmd_store_stats *st) {
    char err[512];
    int have = 0;
    rmd_store *s = rmd_store_open(o->state, err, sizeof err);
    if (s) {
        if (rmd_store_warning(s)[0]) fprintf(stderr, "redis-medic kb show: warning: %s\n", rmd_store_warning(s));
        have = rmd_store_stats_get(s, rb->error_id, st) == RMD_OK;
        rmd_store_close(s);
    } else if (o->state) {
        rmd_tprintf(stderr, "redis-medic kb show: warning: %s\n", err);
    }
    return have;
}

static int kb_show(const rmd_kb *kb, const kb_opts *o, const char *id) {
    const rmd_runbook *rb = rmd_kb_find(kb, id), *bi = NULL;
    if (!rb) {
        rmd_tprintf(stderr, "redis-medic kb show: no runbook with id or cause '");
        rmd_tprintf(stderr, "%.80s", id);
        rmd_tprintf(stderr, "' (see redis-medic kb list)\n");
        return RMD_EXIT_USAGE;
    }
    /* a cause asked for and a team's runbook found: the built-in one follows */
    if (rmd_cause_find(id) >= 0 && !rb->builtin) bi = rmd_kb_builtin_for_cause(kb, id);
    rmd_store_stats st, bst;
    int have = stats_of(rb, o, &st), bhave = bi ? stats_of(bi, o, &bst) : 0;
    if (o->json) {
        json_t *j = show_json(rb, have ? &st : NULL);
        if (bi) json_object_set_new(j, "builtin", show_json(bi, bhave ? &bst : NULL));
        if (rmd_cause_find(id) >= 0) { /* the steps a finding of this cause gets, team's first */
            rmd_strlist cs = {0};
            rmd_kb_cause_steps(kb, id, &cs);
            json_object_set_new(j, "cause_steps", strlist_json(&cs));
            rmd_strlist_free(&cs);
        }
        json_dumpf(j, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_ENSURE_ASCII);
        fputc('\n', stdout);
        json_decref(j);
        return 0;
    }
    show_text(rb, have ? &st : NULL);
    if (bi) {
        rmd_tprintf(stdout, "\n---- the built-in runbook for %s follows; its steps come after the team's ----\n\n", id);
        show_text(bi, bhave ? &bst : NULL);
    }
    return 0;
}

static int kb_lint(const kb_opts *o, const char **paths, int npaths) {
    rmd_kb kb = {.keep_invalid = 1};
    rmd_kb_problems probs = {0};
    if (!o->no_builtin) rmd_kb_load_builtin(&kb, &probs);
    size_t first_user = kb.n;
    for (int i = 0; i < npaths; i++) rmd_kb_load_path(&kb, paths[i], &probs);
    time_t now = time(NULL);
    for (size_t i = first_user; i < kb.n; i++) rmd_kb_explain(&kb.items[i], now, &probs);
    for (size_t i = 0; i < first_user; i++) { /* built-in runbooks: only what is wrong */
        rmd_kb_problems mine = {0};
        rmd_kb_explain(&kb.items[i], now, &mine);
        for (size_t k = 0; k < mine.n; k++)
            if (mine.items[k].warning != 2)
                rmd_kb_problem_add(&probs, mine.items[k].file, mine.items[k].line, mine.items[k].col,
                                   mine.items[k].warning, "%s", mine.items[k].msg);
        rmd_kb_problems_free(&mine);
    }
    rmd_kb_check(&kb, !o->no_builtin, &probs);
    for (size_t i = 0; i < probs.n; i++) { /* file:line:col: kind: message, escaped */
        const rmd_kb_problem *it = &probs.items[i];
        const char *kind = it->warning == 2 ? "note" : it->warning ? "warning" : "error";
        if (it->line) rmd_tprintf(stdout, "%s:%d:%d: %s: %s\n", it->file, it->line, it->col, kind, it->msg);
        else rmd_tprintf(stdout, "%s: %s: %s\n", it->file, kind, it->msg);
    }
    size_t warnings = probs.n - probs.errors - probs.notes;
    printf("%zu runbook%s checked: %zu error%s, %zu warning%s\n", kb.n, kb.n == 1 ? "" : "s", probs.errors,
           probs.errors == 1 ? "" : "s", warnings, warnings == 1 ? "" : "s");
    int rc = probs.errors || (o->strict && warnings) ? 1 : 0;
    rmd_kb_problems_free(&probs);
    rmd_kb_free(&kb);
    return rc;
}

/* kb import FILE: the runbook with a normalised front matter, or its
 * problems. Exit 1 when it has errors (also those only lint sees, such as a
 * quoted placeholder: the printed copy keeps them and says so); 64 when FILE
 * is a directory. */
static int kb_import(const char *path) {
    rmd_kb kb = {0};
    rmd_kb_problems probs = {0};
    struct stat st;
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
        rmd_tprintf(stderr, "redis-medic kb import: %s is a directory: give one runbook file\n", path);
        return RMD_EXIT_USAGE;
    }
    rmd_kb_load_path(&kb, path, &probs);
    int rc = 0;
    if (kb.n == 1) {
        rmd_kb_explain(&kb.items[0], time(NULL), &probs);
        /* written through the escaping writer: a runbook's bytes never act on
         * the terminal (in YAML strings \xHH reads back as the same byte) */
        char *text = NULL;
        size_t tl = 0;
        FILE *mem = open_memstream(&text, &tl);
        if (mem) {
            rmd_kb_print_normalised(&kb.items[0], mem);
            fclose(mem);
            rmd_fwrite_safe(stdout, text, tl);
        }
        free(text);
    }
    for (size_t i = 0; i < probs.n; i++) {
        const rmd_kb_problem *it = &probs.items[i];
        if (it->warning) continue;
        if (it->line) rmd_tprintf(stderr, "redis-medic kb import: %s:%d:%d: %s\n", it->file, it->line, it->col, it->msg);
        else rmd_tprintf(stderr, "redis-medic kb import: %s: %s\n", it->file, it->msg);
    }
    if (kb.n != 1 && !probs.errors) rmd_tprintf(stderr, "redis-medic kb import: give one runbook file\n");
    if (kb.n != 1 || probs.errors) rc = 1;
    rmd_kb_problems_free(&probs);
    rmd_kb_free(&kb);
    return rc;
}

int rmd_cmd_kb(int argc, char **argv) {
    kb_opts o;
    const char *pos[RMD_OPT_MULTI_MAX + 2];
    int npos = 0, rc;
    char err[512];
    memset(&o, 0, sizeof o);
    if (rmd_opt_parse(kb_table, &o, argc - 1, argv + 1, pos, RMD_OPT_MULTI_MAX + 2, &npos, err, sizeof err) != RMD_OK) {
        rmd_tprintf(stderr, "redis-medic kb: %s\n", err);
        return RMD_EXIT_USAGE;
    }
    if (o.help || npos == 0) {
        kb_help(o.help ? stdout : stderr);
        return o.help ? RMD_EXIT_OK : RMD_EXIT_USAGE;
    }
    if (!strcmp(pos[0], "lint")) {
        const char **paths = pos + 1;
        int n = npos - 1;
        for (size_t i = 0; i < o.kb.n && n < RMD_OPT_MULTI_MAX + 1; i++) paths[n++] = o.kb.v[i];
        return kb_lint(&o, paths, n);
    }
    if (!strcmp(pos[0], "import")) {
        if (npos != 2) {
            rmd_tprintf(stderr, "redis-medic kb import: give one runbook file\n");
            return RMD_EXIT_USAGE;
        }
        return kb_import(pos[1]);
    }
    if (strcmp(pos[0], "list") && strcmp(pos[0], "show")) {
        rmd_tprintf(stderr, "redis-medic kb: unknown subcommand '%.40s' (list, show, lint, import)\n", pos[0]);
        return RMD_EXIT_USAGE;
    }
    if (!strcmp(pos[0], "show") && npos != 2) {
        rmd_tprintf(stderr, "redis-medic kb show: give one runbook id or cause id\n");
        return RMD_EXIT_USAGE;
    }
    if (!strcmp(pos[0], "list") && npos != 1) {
        rmd_tprintf(stderr, "redis-medic kb list: unexpected argument '%.40s'\n", pos[1]);
        return RMD_EXIT_USAGE;
    }
    rmd_kb kb = {0};
    {
        char kerr[300];
        if (rmd_kb_paths_check(o.kb.v, o.kb.n, kerr, sizeof kerr) != 0) {
            rmd_tprintf(stderr, "redis-medic kb: %s\n", kerr);
            return RMD_EXIT_USAGE;
        }
    }
    rmd_kb_load_all(&kb, o.kb.v, o.kb.n, 1);
    rc = !strcmp(pos[0], "list") ? kb_list(&kb, &o) : kb_show(&kb, &o, pos[1]);
    rmd_kb_free(&kb);
    return rc;
}
