/* cmd_triage.c -- `redis-medic triage [FILE...]`: which Redis errors are in
 * these logs, since when, against which endpoints, getting worse or not.
 *
 * Wiring: logsrc.c (files, directories, globs; plain, gzip, zstd; what a pipe
 * has now) -> chunks of whole lines -> events.c (classify.c's lines grouped
 * into events, with time, endpoint and client) -> redact.c (no secret is
 * printed) -> triage.c (per-cause summary) -> text (through
 * rmd_fprintf_safe) / JSON. Memory is bounded by the chunk size whatever the
 * input size.
 */
#include <jansson.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "classify.h"
#include "cmd.h"
#include "events.h"
#include "extract.h"
#include "kb.h"
#include "logsrc.h"
#include "opt.h"
#include "redact.h"
#include "report.h"
#include "triage.h"
#include "term.h"
#include "util.h"

#define CHUNK    (4u << 20)   /* bytes read per scan */
#define MAX_LINE (1u << 20)   /* a longer line is classified by its first MiB */
#define CTX_MAX  (64u << 10)  /* earlier lines kept for events.c to find a header above a chunk */
#define CTX_LINES 256

typedef struct triage_opts {
    int           each, json, help, follow;
    const char   *since, *until;
    rmd_opt_multi kb;
} triage_opts;

#define O(f) offsetof(triage_opts, f)
static const rmd_opt triage_table[] = {
    {"each", 0, RMD_OPT_BOOL, O(each), NULL, "print every classified line (file:line: cause: text)"},
    {"json", 0, RMD_OPT_BOOL, O(json), NULL, "JSON: the summary, or one object per line with --each"},
    {"since", 0, RMD_OPT_STRING, O(since), "WHEN", "only events at or after WHEN (a time, or a duration like 2h)"},
    {"until", 0, RMD_OPT_STRING, O(until), "WHEN", "only events before WHEN"},
    {"kb", 0, RMD_OPT_MULTI, O(kb), "DIR", "add the patterns of the runbooks in DIR (repeatable)"},
    {"follow", 'f', RMD_OPT_BOOL, O(follow), NULL, "keep reading the last input as it grows (like tail -f); the summary is refreshed until SIGINT/SIGTERM, then printed"},
    {"help", 0, RMD_OPT_BOOL, O(help), NULL, "show this help"},
    {NULL, 0, RMD_OPT_BOOL, 0, NULL, NULL},
};
#undef O

/* -------------------------------------------------------------- scanning */

typedef struct scan {
    rmd_classifier    *cls;
    rmd_triage        *t;
    const triage_opts *o;
    double             since, until;
    char               file[600];  /* the input's name, escaped for text output */
    const char        *file_raw;
    long long          untimed_each; /* --each: untimed lines left out by --since/--until */
} scan;

static volatile sig_atomic_t stop_following;

static void on_stop(int sig) {
    (void)sig;
    stop_following = 1;
}

static void print_each(scan *s, const rmd_event *ev, const char *label) {
    char clean[1024], text[2048];
    size_t n = rmd_redact(clean, sizeof clean, ev->line, ev->len > 600 ? 600 : ev->len);
    rmd_escape(text, sizeof text, clean, n);
    if (!s->o->json) {
        rmd_fprintf_safe(stdout, "%s:%lld: %s: %s\n", s->file, ev->lineno, label, text);
        return;
    }
    json_t *j = json_object();
    json_object_set_new(j, "file", rmd_json_string(s->file_raw));
    json_object_set_new(j, "line", json_integer(ev->lineno));
    json_object_set_new(j, "id", rmd_json_string(label));
    json_object_set_new(j, "runbook", rmd_json_string(rmd_classifier_runbook(s->cls, ev->idx)));
    json_object_set_new(j, "host", ev->have_ep && ev->ep.host[0] ? rmd_json_string(ev->ep.host) : json_null());
    json_object_set_new(j, "port", ev->have_ep && ev->ep.port ? json_integer(ev->ep.port) : json_null());
    if (ev->ts >= 0) {
        char tb[40];
        time_t sec = (time_t)ev->ts;
        struct tm tm;
        gmtime_r(&sec, &tm);
        strftime(tb, sizeof tb, "%Y-%m-%dT%H:%M:%SZ", &tm);
        json_object_set_new(j, "time", json_string(tb));
    } else {
        json_object_set_new(j, "time", json_null());
    }
    json_object_set_new(j, "source", rmd_json_string(ev->source));
    json_object_set_new(j, "text", rmd_json_string(text));
    json_dumpf(j, stdout, JSON_COMPACT | JSON_ENSURE_ASCII);
    fputc('\n', stdout);
    json_decref(j);
}

/* One event from events.c: filtered by --since/--until (an event without a
 * time is counted apart, never kept or dropped silently), counted, printed. */
static void on_event(const rmd_event *ev, void *arg) {
    scan *s = arg;
    const char *label = rmd_classifier_label(s->cls, ev->idx);
    if (s->since >= 0 || s->until >= 0) {
        if (ev->ts < 0) {
            rmd_triage_skip_untimed(s->t, label);
            s->untimed_each++;
            return;
        }
        if ((s->since >= 0 && ev->ts < s->since) || (s->until >= 0 && ev->ts >= s->until)) return;
    }
    rmd_triage_add(s->t, label, rmd_classifier_runbook(s->cls, ev->idx), ev->ts, ev->have_ep ? &ev->ep : NULL,
                   ev->source, ev->line, ev->len);
    if (s->o->each) print_each(s, ev, label);
}

/* --follow: the summary so far, refreshed when new events arrived. */
static void refresh(scan *s, long long *shown) {
    if (s->o->each) {
        fflush(stdout);
        return;
    }
    if (s->t->events == *shown) return;
    *shown = s->t->events;
    rmd_triage *copy = malloc(sizeof *copy);
    if (!copy) return;
    memcpy(copy, s->t, sizeof *copy);
    rmd_triage_sort(copy);
    if (s->o->json) rmd_triage_print_json(stdout, copy);
    else {
        time_t now = time(NULL);
        struct tm tmv;
        char tb[32] = "";
        if (localtime_r(&now, &tmv)) strftime(tb, sizeof tb, "%H:%M:%S", &tmv);
        rmd_fprintf_safe(stdout, "---- %s ----\n", tb);
        rmd_triage_print_text(stdout, copy);
    }
    fflush(stdout);
    free(copy);
}

static void report_input(const char *name, const char *what) {
    char esc[600];
    rmd_escape(esc, sizeof esc, name, strlen(name));
    rmd_fprintf_safe(stderr, "redis-medic triage: %s: %s\n", esc, what);
}

enum feed_mode {
    FEED_HOLD,  /* complete lines, but the last block waits for what follows */
    FEED_LINES, /* every complete line (input paused) */
    FEED_END    /* everything (end of input) */
};

/* Feed buf[0..have) as mode says, with the ctx bytes before buf as context;
 * returns how many bytes were used. *skipping: the rest of a line longer
 * than the buffer, already classified by its first MAX_LINE bytes. */
static size_t feed_lines(rmd_events *ev, char *buf, size_t have, size_t ctx, enum feed_mode mode, int *skipping) {
    const char *last_nl = have ? memrchr(buf, '\n', have) : NULL;
    size_t upto = mode == FEED_END ? have : last_nl ? (size_t)(last_nl - buf) + 1 : 0;
    if (mode != FEED_END && upto == 0 && have == CHUNK) upto = have; /* one line longer than the buffer */
    if (mode == FEED_HOLD && upto && have < CHUNK && !*skipping && buf[upto - 1] == '\n')
        upto = rmd_events_hold(buf, upto); /* 0: all of it is one open block, wait */
    if (!upto) return 0;
    size_t start = 0;
    if (*skipping) {
        const char *nl = memchr(buf, '\n', upto);
        start = nl ? (size_t)(nl - buf) + 1 : upto;
        if (nl) {
            *skipping = 0;
            ev->line++;
        }
    }
    size_t n = upto - start;
    if (n > 0) rmd_events_feed(ev, buf + start, n > MAX_LINE && !memchr(buf + start, '\n', n) ? MAX_LINE : n, start ? 0 : ctx);
    if (upto == have && mode != FEED_END && buf[have - 1] != '\n') *skipping = 1;
    return upto;
}

/* Where the context kept from buf[0..total) starts: at most CTX_LINES whole
 * lines and CTX_MAX bytes before total (total ends a line). */
static size_t context_start(const char *buf, size_t total) {
    size_t start = total;
    for (int k = 0; k < CTX_LINES && start > 0; k++) {
        const char *q = start > 1 ? memrchr(buf, '\n', start - 1) : NULL;
        size_t ls = q ? (size_t)(q - buf) + 1 : 0;
        if (total - ls > CTX_MAX) break;
        start = ls;
    }
    return start;
}

/* The input buffer: [ctx bytes of earlier lines][have bytes not yet fed]. */
typedef struct inbuf {
    char  *p;
    size_t ctx, have;
    int    skipping;
} inbuf;

/* Feed what mode allows, then keep the context lines and the rest. */
static void feed(rmd_events *ev, inbuf *b, enum feed_mode mode) {
    size_t used = feed_lines(ev, b->p + b->ctx, b->have, b->ctx, mode, &b->skipping), total = b->ctx + used;
    if (!used) return;
    size_t keep = b->skipping || b->p[total - 1] != '\n' ? total : context_start(b->p, total);
    memmove(b->p, b->p + keep, total - keep + b->have - used);
    b->ctx = total - keep;
    b->have -= used;
}

/* Input paused (--follow): classify every complete line, report the event
 * being built, refresh the summary. */
static void paused(scan *s, rmd_events *ev, inbuf *b, long long *shown) {
    feed(ev, b, FEED_LINES);
    rmd_events_flush(ev);
    refresh(s, shown);
}

/* Scan one input. Returns 0, or -1 on a read error (reported). follow: at
 * the end, wait for more until SIGINT / SIGTERM; the summary is refreshed
 * while input is idle. */
static int scan_input(scan *s, const char *name, char *buf, int follow) {
    long long shown = 0; /* the summary is shown once there is something to show */
    rmd_logsrc in;
    if (rmd_logsrc_open(&in, name, follow) != 0) {
        report_input(name, in.err);
        return -1;
    }
    s->file_raw = strcmp(name, "-") ? name : "(stdin)";
    rmd_escape(s->file, sizeof s->file, s->file_raw, strlen(s->file_raw));
    rmd_classifier_reset(s->cls); /* Redis URL ports are learned per input */
    rmd_events ev;
    rmd_events_init(&ev, s->cls, s->t->ref_year, s->o->each, on_event, s);
    inbuf b = {buf, 0, 0, 0};
    int rc = 0;
    for (;;) {
        if (follow && stop_following) break;
        if (follow && !in.regular) {
            int w = rmd_logsrc_wait(&in, 500);
            if (w == RMD_LOGSRC_INTR) continue;
            if (w == 0) { /* a pipe with nothing new: show what is there */
                paused(s, &ev, &b, &shown);
                continue;
            }
        }
        ssize_t r = rmd_logsrc_read(&in, b.p + b.ctx + b.have, CHUNK - b.have);
        if (r == RMD_LOGSRC_INTR) continue; /* a signal: the loop checks why */
        if (r < 0) {
            report_input(name, in.err);
            rc = -1;
        }
        if (r > 0) b.have += (size_t)r;
        if (r == 0 && follow && in.regular && b.have < CHUNK) { /* a growing file: a partial last line waits for its newline */
            paused(s, &ev, &b, &shown);
            struct timespec ts = {0, 500 * 1000 * 1000};
            nanosleep(&ts, NULL);
            continue;
        }
        if (r <= 0) break;
        feed(&ev, &b, FEED_HOLD);
        if (follow) refresh(s, &shown);
    }
    feed(&ev, &b, FEED_END); /* the end, or stopped while following: what was seen counts */
    rmd_events_flush(&ev);
    rmd_logsrc_close(&in);
    return rc;
}

static void triage_help(FILE *out) {
    fprintf(out, "usage: redis-medic triage [options] [FILE|DIR|GLOB...]   (none or \"-\": standard input)\n\n"
                 "Classify Redis connection errors in application and server logs (plain, gzip, zstd) by the\n"
                 "runbooks' patterns: per cause, how many, since when, which endpoints and client libraries,\n"
                 "the trend (constant, spike, gradual increase, intermittent) and the runbook to open.\n"
                 "A directory stands for the files under it (recursively, sorted, hidden ones skipped); a\n"
                 "quoted glob ('logs/*.log') is expanded. Passwords in URLs, AUTH, -a and requirepass are\n"
                 "printed as ***.\n\noptions:\n");
    rmd_opt_help(out, triage_table);
    fprintf(out, "\nexit status: 0 nothing classified, 1 something classified, 2 a read error on some input\n"
                 "             (the others are still read), 64 usage error\n");
}

static void install_stop_handlers(void) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa); /* no SA_RESTART: a blocked read returns at once */
    sa.sa_handler = on_stop;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

/* The inputs: arguments expanded (directories, globs); problems reported. */
static int inputs(const char **args, int nargs, rmd_strlist *files, int *problems) {
    rmd_strlist probs = {0};
    static const char *const stdin_only[] = {"-"};
    int rc = rmd_logsrc_expand(nargs ? args : (const char **)stdin_only, nargs ? nargs : 1, files, &probs);
    for (size_t i = 0; i < probs.n; i++) {
        char esc[1200];
        rmd_escape(esc, sizeof esc, probs.items[i], strlen(probs.items[i]));
        rmd_fprintf_safe(stderr, "redis-medic triage: %s\n", esc);
    }
    *problems = (int)probs.n;
    rmd_strlist_free(&probs);
    return rc;
}

int rmd_cmd_triage(int argc, char **argv) {
    triage_opts o;
    const char **args = calloc((size_t)(argc > 0 ? argc : 1), sizeof *args);
    int nargs = 0, read_errors = 0, rc = RMD_EXIT_SOFTWARE;
    char err[512];
    rmd_strlist files = {0};
    memset(&o, 0, sizeof o);
    if (!args) {
        rmd_tprintf(stderr, "redis-medic triage: out of memory\n");
        return RMD_EXIT_SOFTWARE;
    }
    if (rmd_opt_parse(triage_table, &o, argc - 1, argv + 1, args, argc, &nargs, err, sizeof err) != RMD_OK) {
        rmd_tprintf(stderr, "redis-medic triage: %s\n", err);
        free(args);
        return RMD_EXIT_USAGE;
    }
    if (o.help) {
        triage_help(stdout);
        free(args);
        return RMD_EXIT_OK;
    }
    double now = (double)time(NULL);
    scan s = {.o = &o, .since = -1, .until = -1};
    if ((o.since && !rmd_parse_when(o.since, now, &s.since)) || (o.until && !rmd_parse_when(o.until, now, &s.until))) {
        const char *opt = o.since && s.since < 0 ? "--since" : "--until", *v = o.since && s.since < 0 ? o.since : o.until;
        rmd_tprintf(stderr, "redis-medic triage: %s: '%.60s' is not a time or a duration like 2h\n", opt, v);
        free(args);
        return RMD_EXIT_USAGE;
    }
    rmd_kb kb = {0};
    {
        char kerr[300];
        if (rmd_kb_paths_check(o.kb.v, o.kb.n, kerr, sizeof kerr) != 0) {
            rmd_tprintf(stderr, "redis-medic triage: %s\n", kerr);
            free(args);
            return RMD_EXIT_USAGE;
        }
    }
    rmd_kb_load_all(&kb, o.kb.v, o.kb.n, 1);
    rmd_triage *t = calloc(1, sizeof *t);
    char *buf = malloc(CTX_MAX + CHUNK + 1);
    s.cls = rmd_classifier_new(&kb, err, sizeof err);
    if (!t || !buf || !s.cls || inputs(args, nargs, &files, &read_errors) != 0) {
        rmd_tprintf(stderr, "redis-medic triage: %s\n", s.cls ? "out of memory" : err);
        goto out;
    }
    struct tm tm;
    time_t tn = (time_t)now;
    gmtime_r(&tn, &tm);
    t->ref_year = tm.tm_year + 1900;
    s.t = t;
    if (o.follow) install_stop_handlers();
    for (size_t i = 0; i < files.n && !(o.follow && stop_following); i++)
        if (scan_input(&s, files.items[i], buf, o.follow && i + 1 == files.n) != 0) read_errors++;
    rmd_triage_sort(t);
    if (!o.each) {
        if (o.json) rmd_triage_print_json(stdout, t);
        else rmd_triage_print_text(stdout, t);
    } else if (s.untimed_each) {
        rmd_tprintf(stderr, "redis-medic triage: %lld event%s without a time left out by --since/--until\n", s.untimed_each,
                s.untimed_each == 1 ? "" : "s");
    }
    fflush(stdout);
    rc = read_errors ? 2 : t->events ? 1 : 0;
out:
    rmd_classifier_free(s.cls);
    rmd_strlist_free(&files);
    free(args);
    free(buf);
    free(t);
    rmd_kb_free(&kb);
    return rc;
}
