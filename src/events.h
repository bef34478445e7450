/* events.h -- group classified log lines into events.
 *
 * Evidence stage for `triage`, between classify.c (which lines match a cause)
 * and triage.c (per-cause summary). A multi-line report is one event: a Java
 * trace with its frames and "Caused by:" lines, a Python traceback with its
 * logger header and chained exceptions. The event takes
 *   - its cause from the deepest line that names one (a generic reset or
 *     timeout does not override a specific cause named earlier),
 *   - its time from its own line or, when that has none, from the logger's
 *     header line just above the block,
 *   - its endpoint from that line or, failing that, from any line of the block,
 *   - its client from the line or its trace ("Spring Data Redis (Lettuce)").
 * A new header line (anything that is not a frame, "Caused by:", or part of a
 * Python traceback) starts a new event.
 *
 * Bytes in, events out: no I/O, no allocation. Input is fed in chunks of
 * whole lines with some earlier lines as context; an event that spans chunks
 * is kept (a bounded copy of its line) until the next chunk shows where it
 * ends.
 */
#ifndef RMD_EVENTS_H
#define RMD_EVENTS_H

#include <stddef.h>

#include "classify.h"
#include "extract.h"

#define RMD_EVENT_COPY 8192   /* bytes kept of a line that outlives its chunk */

typedef struct rmd_event {
    const char  *line;     /* the line that names the cause (borrowed, valid during the callback) */
    size_t       len;      /* without the trailing '\n' and '\r' */
    int          idx;      /* classifier pattern index */
    long long    lineno;   /* 1-based line number of *line (0 when not counted) */
    double       ts;       /* event time (UTC seconds) or -1 */
    int          have_ep;
    rmd_endpoint ep;
    const char  *source;   /* client or server that wrote it (static string) */
} rmd_event;

typedef void (*rmd_event_cb)(const rmd_event *ev, void *arg);

typedef struct rmd_events {
    rmd_classifier *cls;          /* borrowed */
    int             ref_year;
    int             count_lines;  /* keep line numbers (costs a pass over the input) */
    rmd_event_cb    cb;
    void           *arg;
    long long       line;         /* line number at the current position */
    /* private: scanning state */
    const char     *cur, *counted;
    int             pend;         /* an event is being built */
    const char     *p_line;       /* its cause line (in the chunk, or p_copy) */
    size_t          p_len;
    long long       p_lineno;
    int             p_idx;
    const char     *p_end;        /* end of the block's last classified line in this chunk, or NULL */
    double          b_ts;         /* block: time of its first line or header, -1 */
    int             b_have_ep;
    rmd_endpoint    b_ep;         /* block: first endpoint seen */
    int             b_spring, b_lettuce, b_jedis;
    const char     *b_src;        /* block: first client seen in its lines */
    int             b_tb;         /* block: a Python "Traceback" line seen */
    int             g_lines, g_chained, g_tb, g_intb; /* the gap after the last classified line */
    char            p_copy[RMD_EVENT_COPY];
    const char     *ctx;          /* start of the earlier lines kept before the chunk */
    const char     *last_cls;     /* start of the last classified line (chunk or context) */
    size_t          last_back;    /* ... as a distance from the end of the last chunk */
} rmd_events;

/* Start grouping; cls borrowed. */
void rmd_events_init(rmd_events *e, rmd_classifier *cls, int ref_year, int count_lines, rmd_event_cb cb, void *arg);

/* Classify and group buf[0..len), whole lines (the last '\n' may be missing
 * only at the end of the input). buf[-ctx..0) are the last lines fed before
 * (whole lines, 0 for none), kept by the caller so that a block's header
 * above the chunk is found: the events do not depend on where the input is
 * cut as long as the header is within the context. Events are reported
 * through cb once their block is known to be complete. Returns 0, or -1 on
 * a scanner error. */
int rmd_events_feed(rmd_events *e, const char *buf, size_t len, size_t ctx);

/* Where the last block of buf[0..len) (whole lines) starts: the start of its
 * last header line when only frames, "Caused by:" and the like follow it;
 * len when it is further up than 256 lines. A caller that holds this block
 * back until more input (or a pause) shows where it ends gives the
 * classifier the whole trace at once. */
size_t rmd_events_hold(const char *buf, size_t len);

/* End of input (or a pause in --follow): report the event being built. */
void rmd_events_flush(rmd_events *e);

#endif
