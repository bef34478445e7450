/* cmd_kb.c -- `redis-medic kb list | show ID | lint [PATH...]`.
 *
 * Thin wiring over kb.c (load, find, lint) and store.c (occurrences).
 */
#include <jansson.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"
#include "kb.h"
#include "opt.h"
#include "store.h"
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
    fprintf(out, "usage: redis-medic kb list [--kb DIR] [--json]\n"
                 "       redis-medic kb show ID|CAUSE [--kb DIR] [--json] [--state PATH]\n"
                 "       redis-medic kb lint [--strict] [--no-builtin] [PATH...]\n\n"
                 "The runbook knowledge base: markdown files with YAML front matter (docs/runbooks.md).\n"
                 "lint checks the built-in runbooks and every PATH (file or directory) and prints each\n"
                 "problem as file:line:col; it exits 1 when it finds an error.\n\noptions:\n");
    rmd_opt_help(out, kb_table);
}

static int kb_list(const rmd_kb *kb, const kb_opts *o) {
    if (o->json) {
        json_t *a = json_array();
        for (size_t i = 0; i < kb->n; i++) {
            const rmd_runbook *rb = &kb->items[i];
            if (rmd_kb_is_overridden(kb, i)) continue;
            json_t *j = json_object();
            json_object_set_new(j, "id", json_string(rb->error_id));
            json_object_set_new(j, "cause", rb->cause ? json_string(rb->cause) : json_null());
            json_object_set_new(j, "severity", json_string(rb->severity));
            json_object_set_new(j, "title", json_string(rb->title));
            json_object_set_new(j, "source", json_string(rb->source));
            json_array_append_new(a, j);
        }
        json_dumpf(a, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        fputc('\n', stdout);
        json_decref(a);
        return 0;
    }
    printf("%-26s %-22s %-9s %-44s %s\n", "ID", "CAUSE", "SEVERITY", "TITLE", "SOURCE");
    for (size_t i = 0; i < kb->n; i++) {
        const rmd_runbook *rb = &kb->items[i];
        if (rmd_kb_is_overridden(kb, i)) continue;
        printf("%-26s %-22s %-9s %-44.44s %s\n", rb->error_id, rb->cause ? rb->cause : "-", rb->severity, rb->title,
               rb->source);
    }
    return 0;
}

static const char *tristate(int v) { return v < 0 ? "-" : v ? "yes" : "no"; }

static void fmt_time(time_t t, char *out, size_t n) {
    struct tm tm;
    localtime_r(&t, &tm);
    strftime(out, n, "%Y-%m-%d %H:%M:%S", &tm);
}

static void show_text(const rmd_runbook *rb, const rmd_store_stats *st) {
    printf("%s  %s\n", rb->error_id, rb->title);
    printf("  cause: %s   severity: %s   source: %s\n", rb->cause ? rb->cause : "-", rb->severity, rb->source);
    if (rb->resolution_group || rb->assignee)
        printf("  resolution group: %s   assignee: %s\n", rb->resolution_group ? rb->resolution_group : "-",
               rb->assignee ? rb->assignee : "-");
    printf("  auto fix: %s%s%s   requires human: %s   business decision: %s\n", tristate(rb->auto_fix),
           rb->fix_command ? "  $ " : "", rb->fix_command ? rb->fix_command : "", tristate(rb->requires_human),
           tristate(rb->requires_business_decision));
    if (rb->related.n) {
        printf("  related:");
        for (size_t i = 0; i < rb->related.n; i++) printf(" %s", rb->related.items[i]);
        printf("\n");
    }
    if (rb->esc_runbook || rb->esc_after) {
        printf("  escalation: after %d failed fix%s -> %s, notify", rb->esc_after, rb->esc_after == 1 ? "" : "es",
               rb->esc_runbook ? rb->esc_runbook : "-");
        for (size_t i = 0; i < rb->notify.n; i++) printf(" %s", rb->notify.items[i]);
        printf("\n");
    }
    for (size_t i = 0; i < rb->n_exceptions; i++) {
        const rmd_kb_exception *x = &rb->exceptions[i];
        if (x->window) printf("  exception: %s -> %s%s%s", x->window, x->effect ? x->effect : "?", x->severity ? " to " : "",
                              x->severity ? x->severity : "");
        else printf("  exception: first %llds after boot -> %s", x->after_boot_s, x->effect ? x->effect : "?");
        if (x->reason) printf(" (%s)", x->reason);
        printf("\n");
    }
    if (rb->patterns.n || rb->generic_patterns.n || rb->fallback_patterns.n)
        printf("  patterns: %zu, generic: %zu, fallback: %zu (kb show --json lists them)\n", rb->patterns.n,
               rb->generic_patterns.n, rb->fallback_patterns.n);
    if (st && st->count) {
        char f[32], l[32];
        fmt_time(st->first, f, sizeof f);
        fmt_time(st->last, l, sizeof l);
        printf("  seen: %lld time%s, first %s, last %s (this host's state database)\n", st->count,
               st->count == 1 ? "" : "s", f, l);
        for (size_t i = 0; i < st->n_recent && i < 5; i++) {
            fmt_time(st->recent[i].when, f, sizeof f);
            printf("    %s %-8s %s  %s\n", f, st->recent[i].severity, st->recent[i].target, st->recent[i].summary);
        }
    } else {
        if (rb->occurrence_count >= 0 || rb->first_seen)
            printf("  seen (as written in the runbook): %lld times, first %s, last %s\n", rb->occurrence_count,
                   rb->first_seen ? rb->first_seen : "-", rb->last_seen ? rb->last_seen : "-");
        else
            printf("  seen: never on this host\n");
    }
    printf("\n%s", rb->body ? rb->body : "");
}

static json_t *strlist_json(const rmd_strlist *l) {
    json_t *a = json_array();
    for (size_t i = 0; i < l->n; i++) json_array_append_new(a, json_string(l->items[i]));
    return a;
}

static void show_json(const rmd_runbook *rb, const rmd_store_stats *st) {
    json_t *j = json_object();
    json_object_set_new(j, "id", json_string(rb->error_id));
    json_object_set_new(j, "title", json_string(rb->title));
    json_object_set_new(j, "cause", rb->cause ? json_string(rb->cause) : json_null());
    json_object_set_new(j, "severity", json_string(rb->severity));
    json_object_set_new(j, "source", json_string(rb->source));
    if (rb->resolution_group) json_object_set_new(j, "resolution_group", json_string(rb->resolution_group));
    if (rb->assignee) json_object_set_new(j, "assignee", json_string(rb->assignee));
    if (rb->auto_fix >= 0) json_object_set_new(j, "auto_fix", json_boolean(rb->auto_fix));
    if (rb->fix_command) json_object_set_new(j, "fix_command", json_string(rb->fix_command));
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
        if (rb->esc_runbook) json_object_set_new(e, "runbook", json_string(rb->esc_runbook));
        json_object_set_new(e, "notify", strlist_json(&rb->notify));
        json_object_set_new(j, "escalation", e);
    }
    json_t *ex = json_array();
    for (size_t i = 0; i < rb->n_exceptions; i++) {
        const rmd_kb_exception *x = &rb->exceptions[i];
        json_t *o = json_object();
        if (x->window) json_object_set_new(o, "window", json_string(x->window));
        else json_object_set_new(o, "after_boot_s", json_integer(x->after_boot_s));
        if (x->effect) json_object_set_new(o, "effect", json_string(x->effect));
        if (x->severity) json_object_set_new(o, "severity", json_string(x->severity));
        if (x->reason) json_object_set_new(o, "reason", json_string(x->reason));
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
            json_object_set_new(e, "severity", json_string(st->recent[i].severity));
            json_object_set_new(e, "target", json_string(st->recent[i].target));
            json_object_set_new(e, "summary", json_string(st->recent[i].summary));
            json_array_append_new(h, e);
        }
        json_object_set_new(occ, "history", h);
    }
    json_object_set_new(j, "occurrences", occ);
    json_t *written = json_object();
    if (rb->first_seen) json_object_set_new(written, "first_seen", json_string(rb->first_seen));
    if (rb->last_seen) json_object_set_new(written, "last_seen", json_string(rb->last_seen));
    if (rb->occurrence_count >= 0) json_object_set_new(written, "occurrence_count", json_integer(rb->occurrence_count));
    json_object_set_new(j, "as_written", written);
    json_object_set_new(j, "body", json_string(rb->body ? rb->body : ""));
    json_dumpf(j, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    fputc('\n', stdout);
    json_decref(j);
}

static int kb_show(const rmd_kb *kb, const kb_opts *o, const char *id) {
    const rmd_runbook *rb = rmd_kb_find(kb, id);
    if (!rb) {
        fprintf(stderr, "redis-medic kb show: no runbook with id or cause '%.80s' (see redis-medic kb list)\n", id);
        return RMD_EXIT_USAGE;
    }
    rmd_store_stats st;
    int have = 0;
    char err[512];
    rmd_store *s = rmd_store_open(o->state, err, sizeof err);
    if (s) {
        have = rmd_store_stats_get(s, rb->error_id, &st) == RMD_OK;
        rmd_store_close(s);
    } else if (o->state) {
        fprintf(stderr, "redis-medic kb show: warning: %s\n", err);
    }
    if (o->json) show_json(rb, have ? &st : NULL);
    else show_text(rb, have ? &st : NULL);
    return 0;
}

static int kb_lint(const kb_opts *o, const char **paths, int npaths) {
    rmd_kb kb = {.keep_invalid = 1};
    rmd_kb_problems probs = {0};
    if (!o->no_builtin) rmd_kb_load_builtin(&kb, &probs);
    for (int i = 0; i < npaths; i++) rmd_kb_load_path(&kb, paths[i], &probs);
    rmd_kb_check(&kb, !o->no_builtin, &probs);
    rmd_kb_problems_print(&probs, stdout);
    size_t warnings = probs.n - probs.errors;
    printf("%zu runbook%s checked: %zu error%s, %zu warning%s\n", kb.n, kb.n == 1 ? "" : "s", probs.errors,
           probs.errors == 1 ? "" : "s", warnings, warnings == 1 ? "" : "s");
    int rc = probs.errors || (o->strict && warnings) ? 1 : 0;
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
        fprintf(stderr, "redis-medic kb: %s\n", err);
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
    if (strcmp(pos[0], "list") && strcmp(pos[0], "show")) {
        fprintf(stderr, "redis-medic kb: unknown subcommand '%.40s' (list, show, lint)\n", pos[0]);
        return RMD_EXIT_USAGE;
    }
    if (!strcmp(pos[0], "show") && npos != 2) {
        fprintf(stderr, "redis-medic kb show: give one runbook id or cause id\n");
        return RMD_EXIT_USAGE;
    }
    if (!strcmp(pos[0], "list") && npos != 1) {
        fprintf(stderr, "redis-medic kb list: unexpected argument '%.40s'\n", pos[1]);
        return RMD_EXIT_USAGE;
    }
    rmd_kb kb = {0};
    rmd_kb_load_all(&kb, o.kb.v, o.kb.n, 1);
    rc = !strcmp(pos[0], "list") ? kb_list(&kb, &o) : kb_show(&kb, &o, pos[1]);
    rmd_kb_free(&kb);
    return rc;
}
