/* report.h -- render a diagnosis for people (terminal text) or machines (JSON).
 *
 * Pipeline stage 6: target -> probe -> evidence -> rules -> findings -> REPORT.
 * Renderers only read; the password never reaches them (the evidence holds
 * the redacted target). JSON schema: docs/json.md.
 */
#ifndef RMD_REPORT_H
#define RMD_REPORT_H

#include <stdio.h>

#include "evidence.h"
#include "findings.h"

typedef struct rmd_report_opts {
    int color;       /* ANSI colour (only on a tty, NO_COLOR unset) */
    int max_steps;   /* next steps shown per finding in text (0 = all) */
} rmd_report_opts;

/* Readable report, most severe finding first (l must be sorted). */
void rmd_report_text(FILE *out, const rmd_evidence *ev, const rmd_findings *l, const rmd_report_opts *o);

struct json_t;
/* A JSON string for s; text that is not valid UTF-8 (from a hostile server
 * or log) is escaped instead of dropped. Returns a new reference. */
struct json_t *rmd_json_string(const char *s);

/* One JSON document (docs/json.md). Returns 0, or -1 on allocation failure. */
int rmd_report_json(FILE *out, const rmd_evidence *ev, const rmd_findings *l);

#endif
