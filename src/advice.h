/* advice.h -- advise: the next steps of each finding, from runbook text.
 *
 * Pipeline stage 5b: findings get concrete commands with the endpoint filled
 * in ({host}, {port}, {cli}, {dir}, {pid}, {socket}). Values are shell-quoted
 * when they are not plain, so nothing taken from the evidence can reach a
 * shell as code. The steps come from the built-in runbook table.
 */
#ifndef RMD_ADVICE_H
#define RMD_ADVICE_H

#include "evidence.h"
#include "findings.h"
#include "target.h"

/* Fill next_steps of every finding in l. */
void rmd_advice_fill(rmd_findings *l, const rmd_evidence *ev, const rmd_target *t);

/* Expand {name} placeholders of tmpl into out using the evidence; unknown
 * placeholders are kept as they are. Values are shell-quoted as needed. */
void rmd_advice_expand(const char *tmpl, const rmd_evidence *ev, const rmd_target *t, char *out, size_t outlen);

/* Quote s for a POSIX shell when it contains anything but [A-Za-z0-9._/:@%+=,-]. */
void rmd_shell_quote(const char *s, char *out, size_t outlen);

#endif
