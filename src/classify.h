/* classify.h -- classify log lines by the runbooks' patterns, fast.
 *
 * Rules stage for `triage`. Every pattern of every effective runbook is
 * compiled into one vectorscan (Hyperscan API) database in prefilter mode,
 * which finds candidate lines in a whole buffer in one pass; only candidates
 * are confirmed with PCRE2 (JIT, bounded match limit).
 *
 * A runbook has three kinds of patterns: `patterns` (texts only Redis or a
 * Redis client writes), `generic_patterns` (wordings shared with other
 * software, such as "Connection refused": they count only when the line or
 * its exception block carries Redis evidence and names no other service, see
 * logctx.h) and `fallback_patterns` (wrapper texts such as a client's
 * generic connection exception: they count only when nothing else explains
 * the line, and, like generic ones, with Redis evidence). A line matched by several takes the highest kind (specific,
 * generic, fallback), then the match that starts first, then the longest.
 * The ports of redis:// URLs seen earlier in the same input count as Redis
 * evidence; rmd_classifier_reset() forgets them between inputs.
 */
#ifndef RMD_CLASSIFY_H
#define RMD_CLASSIFY_H

#include <stddef.h>

#include "kb.h"

typedef struct rmd_classifier rmd_classifier;

/* Build from the effective runbooks of kb (borrowed; must outlive the
 * classifier). NULL with err on failure (no patterns is not a failure). */
rmd_classifier *rmd_classifier_new(const rmd_kb *kb, char *err, size_t errlen);
void rmd_classifier_free(rmd_classifier *c);

/* Number of runbook patterns compiled (all three kinds). */
size_t rmd_classifier_patterns(const rmd_classifier *c);

/* Forget what was learned from the input scanned so far (the Redis ports of
 * its URLs): call before each new input. */
void rmd_classifier_reset(rmd_classifier *c);

/* on = 1 (the default): generic and fallback patterns need Redis evidence.
 * on = 0 lets them count without it -- for measurement only (how many
 * misses are lines the evidence rule refused), never for triage itself. */
void rmd_classifier_require_evidence(rmd_classifier *c, int on);

/* What pattern idx stands for: the cause id (or, for a runbook without a
 * cause, its error_id) and the runbook error_id. */
const char *rmd_classifier_label(const rmd_classifier *c, int idx);
const char *rmd_classifier_runbook(const rmd_classifier *c, int idx);

/* Called for each classified line of a scanned buffer, in order. */
typedef void (*rmd_classify_cb)(const char *line, size_t len, int idx, void *arg);

/* Classify every line of buf[0..len) (lines end with '\n'; the last may not).
 * Returns 0, or -1 on a scanner error. */
int rmd_classifier_scan(rmd_classifier *c, const char *buf, size_t len, rmd_classify_cb cb, void *arg);

/* Classify one line: the winning pattern index, or -1. */
int rmd_classify_line(rmd_classifier *c, const char *line, size_t len);

#endif
