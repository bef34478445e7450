/* rules.h -- judge: turn evidence into findings.
 *
 * Pipeline stage 4: target -> probe -> evidence -> RULES -> findings -> report.
 * The rules are a table of {cause, predicate}; each predicate reads the
 * evidence and the thresholds and adds at most one finding with its summary
 * and evidence lines. Thresholds are data, defaulting to the health table of
 * the seed runbook (memory 80/90 %, clients 80/90 %, PING 5/10 ms).
 */
#ifndef RMD_RULES_H
#define RMD_RULES_H

#include "evidence.h"
#include "findings.h"

typedef struct rmd_thresholds {
    double    mem_warn_pct, mem_crit_pct;         /* used_memory / maxmemory */
    double    clients_warn_pct, clients_crit_pct; /* connected_clients / maxclients */
    double    ping_warn_ms, ping_crit_ms;         /* average PING round trip */
    long long slow_warn_us;                       /* slowlog entry that is a warning */
    long long slow_recent_s;                      /* slowlog entries newer than this count */
    long      leak_min_conns;                     /* a group needs this many connections */
    double    leak_share;                         /* ... and this share of all connections */
    double    leak_idle_share;                    /* ... mostly idle: this share idle */
    long long restart_s;                          /* uptime below this is a recent restart */
    double    oom_recent_s;                       /* OOM-killer lines newer than this matter */
} rmd_thresholds;

/* The defaults (seed runbook health table). */
void rmd_thresholds_default(rmd_thresholds *th);

/* Run every rule over ev and append findings to out (not sorted). */
void rmd_rules_run(const rmd_evidence *ev, const rmd_thresholds *th, rmd_findings *out);

#endif
