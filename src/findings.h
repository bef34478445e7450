/* findings.h -- what the rules concluded: cause, severity, plain summary,
 * the evidence it rests on, and the next steps.
 *
 * Pipeline stage 5: target -> probe -> evidence -> rules -> FINDINGS -> report.
 */
#ifndef RMD_FINDINGS_H
#define RMD_FINDINGS_H

#include <stddef.h>

#include "causes.h"
#include "util.h"

typedef struct rmd_finding {
    rmd_cause    cause;
    rmd_severity sev;
    char         summary[512];  /* one plain sentence with the numbers */
    rmd_strlist  evidence;      /* facts with values */
    rmd_strlist  next_steps;    /* concrete commands, host and port filled in */
    char         runbook[72];   /* error_id of the runbook that explains it, "" if none */
    int          held;          /* a runbook exception holds its alert back (boot, window) */
} rmd_finding;

typedef struct rmd_findings {
    rmd_finding *items;  /* owned */
    size_t       n, cap;
} rmd_findings;

/* Append a finding with a printf-style summary. Returns it (owned by the
 * list, valid until the next add) or NULL on OOM. */
rmd_finding *rmd_findings_add(rmd_findings *l, rmd_cause c, rmd_severity sev, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Is there a finding for cause c? */
int rmd_findings_has(const rmd_findings *l, rmd_cause c);

/* Most severe first; connectivity before server state; then table order. */
void rmd_findings_sort(rmd_findings *l);

/* Highest severity present, or -1 when the list is empty. */
int rmd_findings_max(const rmd_findings *l);

void rmd_findings_free(rmd_findings *l);

#endif
