/* probe.h -- probe one endpoint, phase by phase, on a libuv loop.
 *
 * Pipeline stage 2: target -> PROBE -> evidence -> rules -> findings -> report.
 * A probe is a nonblocking state machine driven by socket readiness and timer
 * events: resolve -> connect -> TLS -> AUTH -> PING -> collect (read-only
 * commands) -> PING latency sample. Each phase has its own deadline and is
 * timed; the first failure is classified precisely into the evidence and the
 * probe stops. Many probes can share one loop (watch); diagnose drives one.
 *
 * The probe never writes to the server: it sends only AUTH, PING, INFO,
 * CONFIG GET, CLIENT LIST, SLOWLOG GET, LATENCY LATEST and CLUSTER INFO.
 */
#ifndef RMD_PROBE_H
#define RMD_PROBE_H

#include <uv.h>

#include "err.h"
#include "evidence.h"
#include "target.h"

typedef struct rmd_probe_opts {
    int timeout_ms;    /* deadline of each phase (> 0) */
    int collect;       /* run the read-only collectors after PING */
    int ping_samples;  /* sequential PINGs for the latency sample (0 = none) */
    int xcheck;        /* allow one extra connection to tell TLS from plaintext */
} rmd_probe_opts;

typedef struct rmd_probe rmd_probe;

/* Called once when the probe has finished (success or failure). The evidence
 * is complete; the callback may call rmd_probe_free(). */
typedef void (*rmd_probe_done_cb)(rmd_probe *p, rmd_evidence *ev, void *arg);

/* New probe of target t (borrowed: must outlive the probe) filling ev
 * (borrowed, initialised by the caller with rmd_evidence_init). NULL on OOM. */
rmd_probe *rmd_probe_new(uv_loop_t *loop, const rmd_target *t, const rmd_probe_opts *o,
                         rmd_evidence *ev, rmd_probe_done_cb cb, void *arg);

/* Start probing; the result arrives through the callback. */
void rmd_probe_start(rmd_probe *p);

/* Stop (if running, without calling the callback) and release the probe. Its
 * libuv handles close asynchronously: keep running the loop until it has no
 * more active handles. Safe from inside the done callback. NULL is a no-op. */
void rmd_probe_free(rmd_probe *p);

#endif
