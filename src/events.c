/* events.c -- classified lines grouped into events (see events.h). */
#include "events.h"

#include <string.h>

#include "triage.h"

#define WALK_BACK_LINES 256   /* how far above a line its logger header is looked for */

/* ------------------------------------------------------------ line kinds */

enum { L_HEADER, L_CONT, L_BLANK, L_TRACEBACK, L_CHAIN };

static int starts(const char *s, size_t n, const char *p) {
    size_t l = strlen(p);
    return n >= l && !memcmp(s, p, l);
}

/* What a line is to an exception block: a header (a new message), a
 * continuation (indented frame, "Caused by:", "at ...", "... N more"), a
 * blank line, Python's "Traceback (most recent call last):", or the text that
 * chains two Python tracebacks. */
static int line_kind(const char *s, size_t n) {
    static const char *const cont[] = {"Caused by:", "at ", "... ", "File \"", "Stack trace", "--- End of", "Suppressed:"};
    if (n && s[n - 1] == '\r') n--;
    if (n == 0) return L_BLANK;
    if (s[0] == ' ' || s[0] == '\t') return L_CONT;
    if (starts(s, n, "During handling") || starts(s, n, "The above exception")) return L_CHAIN;
    if (starts(s, n, "Traceback")) return L_TRACEBACK;
    for (size_t i = 0; i < sizeof cont / sizeof cont[0]; i++)
        if (starts(s, n, cont[i])) return L_CONT;
    return L_HEADER;
}

static int is_generic(const char *label) {
    return !strcmp(label, "connection-reset") || !strcmp(label, "command-timeout") || !strcmp(label, "protocol-error") ||
           !strcmp(label, "unknown");
}

/* ------------------------------------------------------------- the block */

/* Remember which clients a line of the block names. */
static void note_source(rmd_events *e, const char *s, size_t n) {
    if (n > 4096) n = 4096;
    const char *src = rmd_triage_source(s, n);
    if (memmem(s, n, "org.springframework.data.redis", 30) || !strcmp(src, "Spring Data Redis")) e->b_spring = 1;
    if (memmem(s, n, "io.lettuce", 10)) e->b_lettuce = 1;
    if (memmem(s, n, "redis.clients.jedis", 19)) e->b_jedis = 1;
    if (!e->b_src && strcmp(src, "unknown")) e->b_src = src;
}

/* The client of the event: Spring with the driver under it, else the cause
 * line's own, else the first named anywhere in the block. */
static const char *block_source(const rmd_events *e, const char *line, size_t len) {
    if (e->b_spring)
        return e->b_lettuce ? "Spring Data Redis (Lettuce)" : e->b_jedis ? "Spring Data Redis (Jedis)" : "Spring Data Redis";
    const char *own = rmd_triage_source(line, len);
    if (strcmp(own, "unknown")) return own;
    return e->b_src ? e->b_src : "unknown";
}

static void note_line(rmd_events *e, const char *s, size_t n) {
    if (n && s[n - 1] == '\r') n--;
    note_source(e, s, n);
    if (e->b_ts < 0) rmd_extract_time(s, n, e->ref_year, &e->b_ts);
    if (!e->b_have_ep) e->b_have_ep = rmd_extract_endpoint(s, n, &e->b_ep);
}

/* Start of the line before position p (in the chunk or the context lines
 * before it), or NULL. */
static const char *line_before(const rmd_events *e, const char *p) {
    if (p <= e->ctx) return NULL;
    const char *q = p - 1; /* the '\n' ending the previous line */
    while (q > e->ctx && q[-1] != '\n') q--;
    return q;
}

/* The header line is used for what the event's own lines lack: its time
 * and, failing all else, the client it names (a logger name). Not when it is
 * an event of its own (its time is not this event's), and never its
 * endpoint (that may be another event's). */
static void note_header(rmd_events *e, const char *s, size_t n, int classified) {
    if (classified) return;
    if (n && s[n - 1] == '\r') n--;
    if (e->b_ts < 0) rmd_extract_time(s, n, e->ref_year, &e->b_ts);
    if (!e->b_src) note_source(e, s, n);
}

/* The line before p (in this chunk): its kind, start and length; -1 at
 * the start of the chunk. */
static int prev_line(rmd_events *e, const char **p, const char **s, size_t *n) {
    const char *prev = line_before(e, *p);
    if (!prev) return -1;
    *s = prev;
    *n = (size_t)(*p - 1 - prev);
    *p = prev;
    return line_kind(prev, *n);
}

/* Find the header of a block whose first classified line is line:
 *  - the top of the block: line itself, or for a "Caused by:"/indented line
 *    the first line above it that is not a frame;
 *  - its header: the line right above the top, or, above a Python
 *    traceback, the line above "Traceback (most recent call last):".
 * Frames above a top-level line belong to an earlier block: no header then. */
static void find_header(rmd_events *e, const char *line, size_t len) {
    const char *p = line, *s = NULL;
    size_t n = 0;
    int kind = line_kind(line, len), k;
    if (kind != L_HEADER) { /* walk up to the top of this block */
        for (k = 0; k < WALK_BACK_LINES; k++) {
            kind = prev_line(e, &p, &s, &n);
            if (kind < 0) return; /* beyond the context kept */
            if (kind == L_TRACEBACK) e->b_tb = 1;
            note_source(e, s, n);
            if (kind == L_HEADER) {
                note_header(e, s, n, s == e->last_cls);
                break;
            }
        }
        if (k == WALK_BACK_LINES) return;
    }
    kind = prev_line(e, &p, &s, &n);
    if (kind == L_HEADER) {
        note_header(e, s, n, s == e->last_cls);
        return;
    }
    for (k = 0; k < WALK_BACK_LINES && (kind == L_CONT || kind == L_BLANK); k++) {
        kind = prev_line(e, &p, &s, &n);
    }
    if (kind != L_TRACEBACK) return; /* frames of an earlier block */
    e->b_tb = 1;
    if (prev_line(e, &p, &s, &n) == L_HEADER) note_header(e, s, n, s == e->last_cls);
}

static void set_cause(rmd_events *e, const char *line, size_t len, int idx, long long lineno) {
    e->p_line = line;
    e->p_len = len;
    e->p_idx = idx;
    e->p_lineno = lineno;
}

static void start_block(rmd_events *e, const char *line, size_t len, int idx, long long lineno) {
    e->pend = 1;
    e->b_ts = -1;
    e->b_have_ep = 0;
    e->b_spring = e->b_lettuce = e->b_jedis = e->b_tb = 0;
    e->b_src = NULL;
    set_cause(e, line, len, idx, lineno);
    note_line(e, line, len); /* its own time and endpoint come first */
    find_header(e, line, len);
}

static void emit(rmd_events *e) {
    rmd_event ev;
    size_t len = e->p_len;
    if (len && e->p_line[len - 1] == '\r') len--;
    memset(&ev, 0, sizeof ev);
    ev.line = e->p_line;
    ev.len = len;
    ev.idx = e->p_idx;
    ev.lineno = e->p_lineno;
    ev.ts = e->b_ts;
    ev.have_ep = rmd_extract_endpoint(e->p_line, len, &ev.ep);
    if (!ev.have_ep && e->b_have_ep) {
        ev.ep = e->b_ep;
        ev.have_ep = 1;
    }
    ev.source = block_source(e, e->p_line, len);
    e->pend = 0;
    e->cb(&ev, e->arg);
}

/* ------------------------------------------------------------- the gap */

/* Walk the lines of [from, to) after the block's last classified line.
 * Returns 1 when one of them closes the block (a new header). Inside a
 * Python traceback, the first line that is not a frame is its exception
 * line: it ends the traceback but not the block (a chained traceback may
 * follow, after "During handling ..." or "The above exception ..."). */
static int walk_gap(rmd_events *e, const char *from, const char *to) {
    for (const char *p = from; p < to;) {
        const char *nl = memchr(p, '\n', (size_t)(to - p));
        const char *end = nl ? nl : to;
        size_t n = (size_t)(end - p);
        switch (line_kind(p, n)) {
        case L_HEADER:
            if (!e->g_intb) return 1;
            e->g_intb = e->g_chained = 0;
            break;
        case L_CHAIN: e->g_chained = 1; break;
        case L_TRACEBACK: /* a chained traceback, or the one under a logged message */
            if (!e->g_chained && (e->g_lines > 0 || e->b_tb || e->g_tb)) return 1;
            e->g_tb = e->g_intb = 1;
            e->g_chained = 0;
            break;
        case L_CONT: note_source(e, p, n); break;
        default: break;
        }
        e->g_lines++;
        p = nl ? nl + 1 : to;
    }
    return 0;
}

/* Does the classified line b continue the block, given the gap before it? */
static int joins(const rmd_events *e, const char *b, size_t n) {
    if (line_kind(b, n) != L_HEADER) return 1; /* "Caused by: ...", an indented line */
    return e->g_intb;                          /* the exception line of a Python traceback */
}

static void gap_reset(rmd_events *e) { e->g_lines = e->g_chained = e->g_tb = e->g_intb = 0; }

static void count_to(rmd_events *e, const char *p) {
    if (!e->count_lines) return;
    for (const char *q = e->counted; q < p;) {
        const char *nl = memchr(q, '\n', (size_t)(p - q));
        if (!nl) break;
        e->line++;
        q = nl + 1;
    }
    if (p > e->counted) e->counted = p;
}

typedef struct feed_ctx {
    rmd_events *e;
    const char *walked;  /* the gap is walked up to here */
    const char *end;     /* end of the chunk */
} feed_ctx;

static void on_line(const char *line, size_t len, int idx, void *arg) {
    feed_ctx *f = arg;
    rmd_events *e = f->e;
    if (line < e->cur) return; /* a context line, classified with an earlier chunk */
    count_to(e, line);
    const char *after = line + len < f->end ? line + len + 1 : f->end;
    if (e->pend) {
        if (!walk_gap(e, f->walked, line) && joins(e, line, len)) {
            /* one block, one event: the deeper line names the cause, unless it
             * is generic (a reset, a timeout) and the earlier one is not */
            const char *cur = rmd_classifier_label(e->cls, e->p_idx), *now = rmd_classifier_label(e->cls, idx);
            if (e->g_tb) e->b_tb = 1;
            if (!is_generic(now) || is_generic(cur)) set_cause(e, line, len, idx, e->line);
            note_line(e, line, len);
            e->p_end = line + len;
            gap_reset(e);
            f->walked = after;
            e->last_cls = line;
            return;
        }
        emit(e);
    }
    gap_reset(e);
    start_block(e, line, len, idx, e->line);
    e->p_end = line + len;
    f->walked = after;
    e->last_cls = line;
}

/* Keep what the next chunk needs: the pending event's line (copied) when
 * its block may go on, and where the last classified line was. */
static void chunk_end(rmd_events *e, feed_ctx *f) {
    if (e->pend && walk_gap(e, f->walked, f->end)) emit(e);
    if (e->pend && e->p_line != e->p_copy) {
        size_t n = e->p_len < sizeof e->p_copy - 1 ? e->p_len : sizeof e->p_copy - 1;
        memcpy(e->p_copy, e->p_line, n);
        e->p_copy[n] = '\0';
        e->p_len = n;
        e->p_line = e->p_copy;
    }
    e->p_end = NULL;
    e->last_back = e->last_cls ? (size_t)(f->end - e->last_cls) : 0;
}

void rmd_events_init(rmd_events *e, rmd_classifier *cls, int ref_year, int count_lines, rmd_event_cb cb, void *arg) {
    memset(e, 0, sizeof *e);
    e->cls = cls;
    e->ref_year = ref_year;
    e->count_lines = count_lines;
    e->cb = cb;
    e->arg = arg;
    e->line = 1;
}

/* Where to start scanning so that the classifier sees the whole block the
 * chunk starts in (its context lines, up to its top and the header above,
 * are scanned again but not reported): a pattern may need Redis evidence
 * from the rest of the trace, and a Python exception line's trace is above
 * it. */
static const char *scan_start(const rmd_events *e, const char *buf) {
    const char *p = buf, *prev;
    for (int k = 0, top = 0; k < WALK_BACK_LINES && (prev = line_before(e, p)) != NULL; k++) {
        int kind = line_kind(prev, (size_t)(p - 1 - prev));
        p = prev;
        if (top) break;                 /* the line above the top: its header */
        if (kind == L_HEADER) top = 1;
    }
    return p;
}

int rmd_events_feed(rmd_events *e, const char *buf, size_t len, size_t ctx) {
    feed_ctx f = {e, buf, buf + len};
    e->cur = e->counted = buf;
    e->ctx = buf - ctx;
    e->last_cls = e->last_back && e->last_back <= ctx ? buf - e->last_back : NULL;
    if (len == 0) return 0;
    const char *from = scan_start(e, buf);
    int rc = rmd_classifier_scan(e->cls, from, (size_t)(buf + len - from), on_line, &f);
    chunk_end(e, &f);
    count_to(e, buf + len);
    return rc;
}

size_t rmd_events_hold(const char *buf, size_t len) {
    const char *p = buf + len;
    if (p > buf && p[-1] == '\n') p--; /* p: just past the last line's text */
    for (int k = 0; k < WALK_BACK_LINES && p > buf; k++) {
        const char *ls = p;
        while (ls > buf && ls[-1] != '\n') ls--;
        if (line_kind(ls, (size_t)(p - ls)) == L_HEADER) return (size_t)(ls - buf);
        if (ls == buf) return 0;
        p = ls - 1;
    }
    return len;
}

void rmd_events_flush(rmd_events *e) {
    if (e->pend) emit(e);
    gap_reset(e);
}
