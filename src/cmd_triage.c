/* cmd_triage.c -- `redis-medic triage [FILE...]`: which Redis errors are in
 * these logs, since when, against which endpoints, getting worse or not.
 *
 * Wiring: input (plain, .gz, .zst, stdin) -> chunks of whole lines ->
 * classify.c (vectorscan + PCRE2) -> exception blocks merged -> extract.c
 * (endpoint, time) -> triage.c (per-cause summary) -> text / JSON.
 * Memory is bounded by the chunk size whatever the input size.
 */
#include <errno.h>
#include <signal.h>
#include <fcntl.h>
#include <jansson.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include "classify.h"
#include "cmd.h"
#include "extract.h"
#include "kb.h"
#include "opt.h"
#include "triage.h"
#include "util.h"

#define CHUNK    (4u << 20)   /* bytes read per scan */
#define MAX_LINE (1u << 20)   /* a longer line is classified by its first MiB */

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
    {"follow", 'f', RMD_OPT_BOOL, O(follow), NULL, "keep reading the last input as it grows (like tail -f); the summary is refreshed until interrupted"},
    {"help", 0, RMD_OPT_BOOL, O(help), NULL, "show this help"},
    {NULL, 0, RMD_OPT_BOOL, 0, NULL, NULL},
};
#undef O

/* ------------------------------------------------------------- input */

typedef struct input {
    const char *name;
    int         fd;
    gzFile      gz;         /* plain files and .gz (zlib reads plain data transparently) */
    ZSTD_DCtx  *zs;         /* .zst */
    char       *zin;
    ZSTD_inBuffer zib;
    int         zeof;
    char        err[256];
} input;

static int input_open(input *in, const char *name) {
    memset(in, 0, sizeof *in);
    in->name = name;
    in->fd = strcmp(name, "-") ? open(name, O_RDONLY | O_CLOEXEC | O_NOCTTY) : dup(STDIN_FILENO);
    if (in->fd < 0) {
        snprintf(in->err, sizeof in->err, "%s", strerror(errno));
        return -1;
    }
    struct stat st;
    if (fstat(in->fd, &st) == 0 && S_ISDIR(st.st_mode)) {
        snprintf(in->err, sizeof in->err, "is a directory");
        close(in->fd);
        return -1;
    }
    size_t l = strlen(name);
    if (l > 4 && !strcmp(name + l - 4, ".zst")) {
        in->zs = ZSTD_createDCtx();
        in->zin = malloc(ZSTD_DStreamInSize());
        if (!in->zs || !in->zin) {
            snprintf(in->err, sizeof in->err, "out of memory");
            return -1;
        }
        return 0;
    }
    in->gz = gzdopen(in->fd, "rb");
    if (!in->gz) {
        snprintf(in->err, sizeof in->err, "cannot read");
        close(in->fd);
        return -1;
    }
    gzbuffer(in->gz, 1 << 17);
    return 0;
}

/* Read up to n bytes. 0 at the end, -1 on error (in->err says why). */
static ssize_t input_read(input *in, char *buf, size_t n) {
    if (in->gz) {
        int r = gzread(in->gz, buf, (unsigned)(n > (1u << 30) ? 1u << 30 : n));
        if (r < 0) {
            int e;
            const char *m = gzerror(in->gz, &e);
            snprintf(in->err, sizeof in->err, "%s", e == Z_ERRNO ? strerror(errno) : m);
            return -1;
        }
        if (r == 0 && !gzeof(in->gz)) return 0;
        if (r == 0) {
            int e;
            const char *m = gzerror(in->gz, &e);
            if (e != Z_OK && e != Z_STREAM_END) {
                snprintf(in->err, sizeof in->err, "%s", m);
                return -1;
            }
        }
        return r;
    }
    ZSTD_outBuffer ob = {buf, n, 0};
    while (ob.pos == 0) {
        if (in->zib.pos == in->zib.size) {
            ssize_t r = read(in->fd, in->zin, ZSTD_DStreamInSize());
            if (r < 0) {
                snprintf(in->err, sizeof in->err, "%s", strerror(errno));
                return -1;
            }
            if (r == 0) {
                if (in->zeof) {
                    snprintf(in->err, sizeof in->err, "truncated zstd stream");
                    return -1;
                }
                return 0;
            }
            in->zib = (ZSTD_inBuffer){in->zin, (size_t)r, 0};
        }
        size_t rc = ZSTD_decompressStream(in->zs, &ob, &in->zib);
        if (ZSTD_isError(rc)) {
            snprintf(in->err, sizeof in->err, "zstd: %s", ZSTD_getErrorName(rc));
            return -1;
        }
        in->zeof = rc != 0; /* inside a frame: more input is required */
    }
    return (ssize_t)ob.pos;
}

static void input_close(input *in) {
    if (in->gz) gzclose(in->gz); /* closes fd */
    else if (in->fd >= 0) close(in->fd);
    if (in->zs) ZSTD_freeDCtx(in->zs);
    free(in->zin);
}

/* -------------------------------------------------------------- scanning */

typedef struct scan {
    rmd_classifier    *cls;
    rmd_triage        *t;
    const triage_opts *o;
    double             since, until;
    const char        *file;
    const char        *buf;      /* current chunk */
    const char        *counted;  /* line numbers are counted up to here */
    long long          line;     /* line number of *counted */
    /* the pending event (an exception block may extend it) */
    int                pend;
    const char        *p_line, *p_end;
    size_t             p_len;
    long long          p_lineno;
    int                p_idx;
} scan;

static int is_generic(const char *label) {
    return !strcmp(label, "connection-reset") || !strcmp(label, "command-timeout") || !strcmp(label, "protocol-error") ||
           !strcmp(label, "unknown");
}

/* A line that continues an exception block: a stack frame, "Caused by:", a
 * chained traceback's connective text. "Traceback (most recent call last):"
 * continues a block only right after such connective text (chained
 * exceptions); otherwise it starts a new one. */
static int continues(const char *s, size_t n, int *chained) {
    static const char *const starts[] = {"Caused by:", "at ", "... ", "File \"", "Stack trace", "--- End of"};
    if (n == 0 || (n == 1 && s[0] == '\r')) return 1;
    if (s[0] == ' ' || s[0] == '\t') return 1;
    if ((n >= 15 && !memcmp(s, "During handling", 15)) || (n >= 19 && !memcmp(s, "The above exception", 19))) {
        *chained = 1;
        return 1;
    }
    if (n >= 9 && !memcmp(s, "Traceback", 9)) return *chained;
    for (size_t i = 0; i < sizeof starts / sizeof starts[0]; i++)
        if (n >= strlen(starts[i]) && !memcmp(s, starts[i], strlen(starts[i]))) return 1;
    return 0;
}

/* Do the lines between the end of one classified line (a) and the start of
 * the next (b), and that next line itself, make one exception block? */
static int same_block(const char *a, const char *b, const char *bline, size_t blen) {
    int chained = 0, between = 0;
    for (const char *p = a; p < b;) {
        const char *nl = memchr(p, '\n', (size_t)(b - p));
        const char *e = nl ? nl : b;
        if (!continues(p, (size_t)(e - p), &chained)) return 0;
        between++;
        p = nl ? nl + 1 : b;
    }
    /* adjacent lines are separate events unless the second continues the first */
    if (between == 0) /* adjacent: one block only when the second line is a frame or "Caused by:" */
        return blen > 0 && (bline[0] == ' ' || bline[0] == '\t' || (blen >= 10 && !memcmp(bline, "Caused by:", 10)));
    return 1;
}

static void emit(scan *s) {
    const char *line = s->p_line;
    size_t len = s->p_len;
    if (len && line[len - 1] == '\r') len--;
    double ts = -1;
    rmd_endpoint ep;
    int have_ep = rmd_extract_endpoint(line, len, &ep);
    rmd_extract_time(line, len, s->t->ref_year, &ts);
    s->pend = 0;
    if (ts >= 0 && ((s->since >= 0 && ts < s->since) || (s->until >= 0 && ts >= s->until))) return;
    const char *label = rmd_classifier_label(s->cls, s->p_idx), *src = rmd_triage_source(line, len);
    rmd_triage_add(s->t, label, rmd_classifier_runbook(s->cls, s->p_idx), ts, have_ep ? &ep : NULL, src, line, len);
    if (!s->o->each) return;
    char text[1024];
    rmd_escape(text, sizeof text, line, len > 600 ? 600 : len);
    if (!s->o->json) {
        printf("%s:%lld: %s: %s\n", s->file, s->p_lineno, label, text);
        return;
    }
    json_t *j = json_object(), *file = json_string(s->file);
    json_object_set_new(j, "file", file ? file : json_string("?"));
    json_object_set_new(j, "line", json_integer(s->p_lineno));
    json_object_set_new(j, "id", json_string(label));
    json_object_set_new(j, "runbook", json_string(rmd_classifier_runbook(s->cls, s->p_idx)));
    json_object_set_new(j, "host", have_ep && ep.host[0] ? json_string(ep.host) : json_null());
    json_object_set_new(j, "port", have_ep && ep.port ? json_integer(ep.port) : json_null());
    if (ts >= 0) {
        char tb[40];
        time_t sec = (time_t)ts;
        struct tm tm;
        gmtime_r(&sec, &tm);
        strftime(tb, sizeof tb, "%Y-%m-%dT%H:%M:%SZ", &tm);
        json_object_set_new(j, "time", json_string(tb));
    } else {
        json_object_set_new(j, "time", json_null());
    }
    json_object_set_new(j, "source", json_string(src));
    json_object_set_new(j, "text", json_string(text));
    json_dumpf(j, stdout, JSON_COMPACT | JSON_ENSURE_ASCII);
    fputc('\n', stdout);
    json_decref(j);
}

static void on_line(const char *line, size_t len, int idx, void *arg) {
    scan *s = arg;
    for (const char *p = s->counted; s->o->each && p < line;) { /* line number (only --each prints it) */
        const char *nl = memchr(p, '\n', (size_t)(line - p));
        if (!nl) break;
        s->line++;
        p = nl + 1;
    }
    s->counted = line;
    if (s->pend && same_block(s->p_end + 1 <= line ? s->p_end + 1 : line, line, line, len)) {
        /* one exception block, one event: the deeper line (Java's last
         * "Caused by:", Python's final exception) names the cause, unless it
         * is generic (a reset, a timeout) and the earlier one is not */
        const char *cur = rmd_classifier_label(s->cls, s->p_idx), *now = rmd_classifier_label(s->cls, idx);
        if (!is_generic(now) || is_generic(cur)) {
            s->p_idx = idx;
            s->p_line = line;
            s->p_len = len;
            s->p_lineno = s->line;
        }
        s->p_end = line + len;
        return;
    }
    if (s->pend) emit(s);
    s->pend = 1;
    s->p_line = line;
    s->p_len = len;
    s->p_end = line + len;
    s->p_lineno = s->line;
    s->p_idx = idx;
}

static volatile sig_atomic_t stop_following;

static void on_stop(int sig) {
    (void)sig;
    stop_following = 1;
}

/* --follow: the summary so far, refreshed when new events arrived. */
static void refresh(scan *s, long long *shown) {
    if (s->o->each || s->t->events == *shown) return;
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
        printf("---- %s ----\n", tb);
        rmd_triage_print_text(stdout, copy);
    }
    fflush(stdout);
    free(copy);
}

/* Scan one input. Returns 0, or -1 on a read error (reported). follow: at
 * the end, wait for more (0.5 s polls) until SIGINT / SIGTERM. */
static int scan_input(scan *s, const char *name, char *buf, int follow) {
    long long shown = -1;
    input in;
    if (input_open(&in, name) != 0) {
        fprintf(stderr, "redis-medic triage: %s: %s\n", name, in.err);
        input_close(&in);
        return -1;
    }
    s->file = strcmp(name, "-") ? name : "(stdin)";
    s->line = 1;
    rmd_classifier_reset(s->cls); /* Redis URL ports are learned per input */
    size_t have = 0;
    int skipping = 0, rc = 0;
    for (;;) {
        ssize_t r = input_read(&in, buf + have, CHUNK - have);
        if (r < 0) {
            fprintf(stderr, "redis-medic triage: %s: %s (the part read before is counted)\n", name, in.err);
            rc = -1;
        }
        if (r > 0) have += (size_t)r;
        int end = r <= 0;
        if (end && follow && r == 0 && !stop_following && have < CHUNK) {
            /* a partial last line waits for its newline while following */
            refresh(s, &shown);
            struct timespec ts = {0, 500 * 1000 * 1000};
            nanosleep(&ts, NULL);
            if (in.gz) gzclearerr(in.gz);
            continue;
        }
        const char *last_nl = have ? memrchr(buf, '\n', have) : NULL;
        size_t upto = end ? have : last_nl ? (size_t)(last_nl - buf) + 1 : 0;
        if (!end && upto == 0 && have == CHUNK) upto = have; /* one line longer than the buffer */
        if (upto) {
            size_t start = 0;
            if (skipping) { /* the rest of an overlong line: already classified */
                const char *nl = memchr(buf, '\n', upto);
                start = nl ? (size_t)(nl - buf) + 1 : upto;
                if (nl) { skipping = 0; s->line++; }
            }
            s->buf = buf;
            s->counted = buf + start;
            size_t n = upto - start;
            if (n > 0) rmd_classifier_scan(s->cls, buf + start, n > MAX_LINE && !memchr(buf + start, '\n', n) ? MAX_LINE : n,
                                           on_line, s);
            if (s->pend) emit(s);
            for (const char *p = s->counted; s->o->each && p < buf + upto;) {
                const char *nl = memchr(p, '\n', (size_t)(buf + upto - p));
                if (!nl) break;
                s->line++;
                p = nl + 1;
            }
            if (upto == have && !end && buf[have - 1] != '\n') skipping = 1;
            memmove(buf, buf + upto, have - upto);
            have -= upto;
        }
        if (end) break;
    }
    input_close(&in);
    return rc;
}

static void triage_help(FILE *out) {
    fprintf(out, "usage: redis-medic triage [options] [FILE...]   (no FILE or \"-\": standard input)\n\n"
                 "Classify Redis connection errors in application and server logs (plain, .gz, .zst) by the\n"
                 "runbooks' patterns: per cause, how many, since when, which endpoints and client libraries,\n"
                 "the trend (constant, spike, gradual increase, intermittent) and the runbook to open.\n\noptions:\n");
    rmd_opt_help(out, triage_table);
    fprintf(out, "\nexit status: 0 nothing classified, 1 something classified, 2 a read error on some input\n"
                 "             (the others are still read), 64 usage error\n");
}

int rmd_cmd_triage(int argc, char **argv) {
    triage_opts o;
    const char *files[256];
    int nfiles = 0, read_errors = 0, rc = RMD_EXIT_SOFTWARE;
    char err[512];
    memset(&o, 0, sizeof o);
    if (rmd_opt_parse(triage_table, &o, argc - 1, argv + 1, files, 256, &nfiles, err, sizeof err) != RMD_OK) {
        fprintf(stderr, "redis-medic triage: %s\n", err);
        return RMD_EXIT_USAGE;
    }
    if (o.help) {
        triage_help(stdout);
        return RMD_EXIT_OK;
    }
    double now = (double)time(NULL);
    scan s = {.o = &o, .since = -1, .until = -1};
    if (o.since && !rmd_parse_when(o.since, now, &s.since)) {
        fprintf(stderr, "redis-medic triage: --since: '%.60s' is not a time or a duration like 2h\n", o.since);
        return RMD_EXIT_USAGE;
    }
    if (o.until && !rmd_parse_when(o.until, now, &s.until)) {
        fprintf(stderr, "redis-medic triage: --until: '%.60s' is not a time or a duration like 2h\n", o.until);
        return RMD_EXIT_USAGE;
    }
    rmd_kb kb = {0};
    rmd_kb_load_all(&kb, o.kb.v, o.kb.n, 1);
    rmd_triage *t = calloc(1, sizeof *t);
    char *buf = malloc(CHUNK + 1);
    s.cls = rmd_classifier_new(&kb, err, sizeof err);
    if (!t || !buf || !s.cls) {
        fprintf(stderr, "redis-medic triage: %s\n", s.cls ? "out of memory" : err);
        goto out;
    }
    struct tm tm;
    time_t tn = (time_t)now;
    gmtime_r(&tn, &tm);
    t->ref_year = tm.tm_year + 1900;
    s.t = t;
    if (nfiles == 0) files[nfiles++] = "-";
    if (o.follow) {
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = on_stop;
        sigaction(SIGINT, &sa, NULL);
        sigaction(SIGTERM, &sa, NULL);
    }
    for (int i = 0; i < nfiles; i++)
        if (scan_input(&s, files[i], buf, o.follow && i == nfiles - 1) != 0) read_errors++;
    rmd_triage_sort(t);
    if (!o.each) {
        if (o.json) rmd_triage_print_json(stdout, t);
        else rmd_triage_print_text(stdout, t);
    }
    fflush(stdout);
    rc = read_errors ? 2 : t->events ? 1 : 0;
out:
    rmd_classifier_free(s.cls);
    free(buf);
    free(t);
    rmd_kb_free(&kb);
    return rc;
}
