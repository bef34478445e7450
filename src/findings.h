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

/* One next step: a command line built once, quoted for a POSIX shell, and
 * carried unchanged into every output. A template needs shell variables set
 * first (it says which); it is written as "${NAME:?what to set}" so it
 * parses, and refuses to run rather than run with a hole. */
typedef struct rmd_step {
    char *cmd;          /* owned: exactly what is printed and put in JSON */
    char  phase;        /* 'd' diagnosis (read-only checks), 'r' resolution (changes something) */
    int   is_template;  /* some value was not in the evidence, or not safe to print */
    char  needs[128];   /* the variables to set, comma-separated ("REDIS_DIR"), "" if none */
    char  note[160];    /* why it is a template, "" if not */
} rmd_step;

typedef struct rmd_steps {
    rmd_step *items;  /* owned */
    size_t    n, cap;
} rmd_steps;

/* Append a step (cmd copied). RMD_ENOMEM on allocation failure. */
rmd_err rmd_steps_add(rmd_steps *l, const char *cmd, char phase, int is_template, const char *needs, const char *note);
void rmd_steps_free(rmd_steps *l);

typedef struct rmd_finding {
    rmd_cause    cause;
    rmd_severity sev;
    char         summary[512];  /* one plain sentence with the numbers */
    rmd_strlist  evidence;      /* facts with values */
    rmd_steps    steps;         /* next steps, diagnosis first, host and port filled in */
    char         runbook[72];   /* error_id of the runbook that explains it, "" if none */
    int          held;          /* a runbook exception holds its alert back (boot, window) */
    int          steps_dropped; /* runbook steps left out: ruled out by the evidence or not for this setup */
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
