/* advice.h -- advise: the next steps of each finding, from runbook text.
 *
 * Pipeline stage 5b: findings get the runbook of their cause and concrete
 * commands with the endpoint filled in. A step is built once, here, as a
 * shell command line that can be pasted into a root shell as printed:
 *
 * - Placeholders ({host}, {port}, {cli}, {dir}, {pid}, {socket}, {service},
 *   {container}, {user}, {db}, {master_host}, {master_port}, {cluster},
 *   {cacert}, {logfile}, {config_file}, {bound_addr}) are
 *   filled from the evidence and quoted for the shell context they stand in
 *   (unquoted, inside '...', inside "..."), so a value chosen by whoever
 *   controls the server (CONFIG SET dir, a replica's master host) is always
 *   one literal argument, whatever quotes the runbook author wrote.
 * - A value the evidence lacks, or holds but cannot print safely (control
 *   bytes, invalid UTF-8), becomes "${NAME:?...}": the step is marked a
 *   template, parses, and refuses to run until NAME is set.
 * - Steps the evidence rules out are left out: docker / kubectl / cloud CLI
 *   commands unless the listener runs there, TLS commands for a port shown to
 *   be plaintext, commands that need a connection when the server accepts
 *   none. {cli} never repeats a flag the runbook line gives itself.
 */
#ifndef RMD_ADVICE_H
#define RMD_ADVICE_H

#include <time.h>

#include "evidence.h"
#include "findings.h"
#include "kb.h"
#include "target.h"

/* Link every finding in l to the runbook of its cause in kb, apply the
 * runbook's exceptions in force at now (they annotate and hold; they never
 * lower the severity of a failure), and build its next steps. t may be NULL. */
void rmd_advice_fill(rmd_findings *l, const rmd_kb *kb, const rmd_evidence *ev, const rmd_target *t, time_t now);

/* One runbook line made into a step. */
typedef struct rmd_expansion {
    char cmd[2048];     /* the command line ("" when dropped) */
    int  is_template;   /* some "${NAME:?...}" must be set first */
    char needs[128];    /* those NAMEs, comma-separated */
    char note[160];     /* why, for people */
    int  truncated;     /* did not fit: dropped */
} rmd_expansion;

/* Expand tmpl with the evidence, quoting each value for its shell context.
 * Unknown {words} (awk's '{print $1}') are copied as they are. cause is the
 * finding's: under auth-failed and checks-incomplete, {cli} asks for an
 * admin user instead of repeating the credentials that failed. */
void rmd_advice_expand(const char *tmpl, const rmd_evidence *ev, const rmd_target *t, rmd_cause cause, rmd_expansion *out);

/* Does a runbook line apply to this finding, given the evidence? 0 with a
 * reason in why when the evidence rules it out or it is for another setup. */
int rmd_advice_applies(const char *tmpl, char phase, rmd_cause cause, const rmd_evidence *ev, char *why, size_t whylen);

/* Quote s as one word for a POSIX shell: as it is when it holds only
 * [A-Za-z0-9._/:@%+=,-], else in single quotes. Returns -1 (out "") when s
 * holds control bytes or invalid UTF-8, which are not printed as commands. */
int rmd_shell_quote(const char *s, char *out, size_t outlen);

/* Is name[0..len) a placeholder the expansion fills ({host}, {port}, {cli},
 * {dir}...)? kb lint and placeholders: maps use it, so the list is one. */
int rmd_advice_placeholder_known(const char *name, size_t len);

#endif
