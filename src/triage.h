/* triage.h -- aggregate classified log lines into a summary per cause.
 *
 * Findings stage for `triage`: for each cause, how many events, first and
 * last time, the endpoints and client libraries involved, a bounded time
 * histogram and its trend (constant, spike, gradual increase, intermittent:
 * the classification of the seed Sentry playbook). Memory is bounded: at
 * most RMD_TRIAGE_ENDPOINTS endpoints and RMD_TRIAGE_BUCKETS time buckets
 * per cause, whatever the input size.
 */
#ifndef RMD_TRIAGE_H
#define RMD_TRIAGE_H

#include <stdio.h>

#include "classify.h"
#include "extract.h"

#define RMD_TRIAGE_ENDPOINTS 16
#define RMD_TRIAGE_SOURCES   8
#define RMD_TRIAGE_BUCKETS   60
#define RMD_TRIAGE_LABELS    128

typedef struct rmd_tcount {
    char      name[300];
    long long n;
} rmd_tcount;

typedef struct rmd_tlabel {
    const char *label;            /* cause id (or runbook id), borrowed */
    const char *runbook;
    long long   count;
    double      first, last;      /* event times, -1 when none had a time */
    long long   untimed;
    rmd_tcount  endpoints[RMD_TRIAGE_ENDPOINTS];
    int         n_endpoints;
    long long   other_endpoints;  /* events whose endpoint did not fit */
    rmd_tcount  sources[RMD_TRIAGE_SOURCES];
    int         n_sources;
    double      t0, width;        /* histogram: bucket i covers [t0 + i*width, t0 + (i+1)*width) */
    long long   bucket[RMD_TRIAGE_BUCKETS];
    char        example[400];     /* the first line, escaped */
} rmd_tlabel;

typedef struct rmd_triage {
    rmd_tlabel labels[RMD_TRIAGE_LABELS];
    int        n_labels;
    long long  events;
    int        ref_year;          /* for timestamps without a year */
    long long  untimed_skipped;   /* events without a time left out by --since/--until */
    rmd_tcount skipped[RMD_TRIAGE_SOURCES]; /* ... per cause */
    int        n_skipped;
} rmd_triage;

/* Which client library or server wrote the line ("redis-py", "Jedis",
 * "redis-server", ... or "unknown"). Static string. */
const char *rmd_triage_source(const char *line, size_t len);

/* Count one event of label/runbook (borrowed, must outlive t), at time ts
 * (-1 when unknown), talking to ep (NULL when none), written by source. */
void rmd_triage_add(rmd_triage *t, const char *label, const char *runbook, double ts, const rmd_endpoint *ep,
                    const char *source, const char *line, size_t len);

/* Count an event of label that --since/--until left out because it has no
 * time: it is reported apart, never dropped silently. */
void rmd_triage_skip_untimed(rmd_triage *t, const char *label);

/* The trend of a label's events: "constant", "spike", "gradual increase",
 * "intermittent", or "isolated" (too few events or no times). Static. */
const char *rmd_triage_trend(const rmd_tlabel *l);

/* Sort labels: most important first (severity of the cause, then count). */
void rmd_triage_sort(rmd_triage *t);

/* Text report; every byte goes through rmd_fprintf_safe(). */
void rmd_triage_print_text(FILE *out, const rmd_triage *t);
void rmd_triage_print_json(FILE *out, const rmd_triage *t);

#endif
