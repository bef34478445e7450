/* kbint.h -- shared between the knowledge-base files (kb.c: front matter,
 * loading, lookup, lint; kbfmt.c: the team formats read from the body;
 * kbsteps.c: steps, placeholders, explanations). Not a public interface.
 */
#ifndef RMD_KBINT_H
#define RMD_KBINT_H

#include <stddef.h>

#include "kb.h"
#include "kbmd.h"

/* What the front matter said, for the body readers. */
typedef struct rmd_kb_fm_seen {
    int front_matter;     /* the file has YAML front matter */
    int patterns_key;     /* a patterns: key was given (symptoms do not become patterns) */
    int severity_key;     /* severity was given in the front matter */
    int title_key;
} rmd_kb_fm_seen;

/* Read what the team formats keep in the body into rb (title, **Key**: value
 * lines, Symptoms and Escalation sections), derive the id from the file
 * name when there is none, link the runbook to causes, and decide the format.
 * Problems (no title, unknown severity) are appended; returns 0 when the
 * runbook is usable, -1 when it is not. */
int rmd_kb_read_body(rmd_runbook *rb, const rmd_md *md, const rmd_kb_fm_seen *seen, rmd_kb_problems *probs);

/* Section kind of a heading from its words: 'd' diagnosis (Diagnosis,
 * Investigation, Immediate Actions...), 'r' resolution (Resolution,
 * Mitigation, Fix, Solutions...), 0 other. arg unused (rmd_md_under). */
int rmd_kb_step_section(const rmd_md_line *h, void *arg);

/* The kind of section line i of md is in: the outermost heading with step
 * words decides. 0 when it is in none. */
int rmd_kb_step_kind(const rmd_md *md, size_t i);

/* Add a link (cause, weight, reason) to rb, keeping the strongest per cause
 * and up to two reasons. */
void rmd_kb_link_add(rmd_runbook *rb, const char *cause, int weight, const char *reason);

/* Is name one of the evidence placeholders ({host}, {port}, {cli}, {dir},
 * {socket}, {container}, {service})? n = length of name. */
int rmd_kb_placeholder_known(const char *name, size_t n);

/* A literal text to an evidence placeholder (placeholders: maps). */
void rmd_kb_ph_add(rmd_runbook *rb, const char *from, const char *to);

#endif
