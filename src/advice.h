/* advice.h -- advise: the next steps of each finding, from runbook text.
 *
 * Pipeline stage 5b: findings get the runbook of their cause and concrete
 * commands with the endpoint filled in ({host}, {port}, {cli}, {dir},
 * {socket}, {container}, {service}). Values are checked and shell-quoted
 * when they are not plain, so nothing taken from the evidence (or a log
 * line) can reach a shell as code.
 */
#ifndef RMD_ADVICE_H
#define RMD_ADVICE_H

#include "evidence.h"
#include "findings.h"
#include "kb.h"
#include "target.h"

/* Link every finding in l to the runbook of its cause in kb and fill its
 * next steps from that runbook's Diagnosis Steps and Resolution, with the
 * placeholders filled from the evidence. t may be NULL. */
void rmd_advice_fill(rmd_findings *l, const rmd_kb *kb, const rmd_evidence *ev, const rmd_target *t);

/* Expand {name} placeholders of tmpl into out using the evidence; unknown
 * placeholders are kept as they are. Values are shell-quoted as needed. */
void rmd_advice_expand(const char *tmpl, const rmd_evidence *ev, const rmd_target *t, char *out, size_t outlen);

/* Quote s for a POSIX shell when it contains anything but [A-Za-z0-9._/:@%+=,-]. */
void rmd_shell_quote(const char *s, char *out, size_t outlen);

#endif
