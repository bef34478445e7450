/* kb.h -- the runbook knowledge base: markdown files with YAML front matter.
 *
 * Advice stage of the pipeline: every finding links to the runbook of its
 * cause, and its next steps come from that runbook. The built-in runbooks
 * (kb/NAME.md) are compiled into the binary; --kb DIR and REDIS_MEDIC_KB add
 * user runbooks, which override a built-in one with the same error_id or
 * cause. Format: docs/runbooks.md.
 *
 * Parsing never does I/O (rmd_kb_parse takes bytes); loading reads files and
 * reports each bad one as problems, skipping it. Lint = parse + cross-file
 * checks, every problem with file:line:col.
 */
#ifndef RMD_KB_H
#define RMD_KB_H

#include <stddef.h>
#include <time.h>

#include "err.h"
#include "util.h"

#define RMD_KB_MAX_FILE    (1 << 20)  /* a runbook file larger than 1 MiB is refused */
#define RMD_KB_MAX_PATTERN 4096       /* characters in one pattern */

typedef struct rmd_kb_pos {
    int line, col;                    /* 1-based, in the file */
} rmd_kb_pos;

typedef struct rmd_kb_exception {
    char      *window;                /* "Sun 03:00-04:00", NULL if after_boot_s */
    long long  after_boot_s;          /* -1 if window */
    char      *effect;                /* "downgrade" | "hold" */
    char      *severity;              /* with downgrade */
    char      *reason;
    rmd_kb_pos pos;
} rmd_kb_exception;

typedef struct rmd_runbook {
    char       *source;               /* file path, or "builtin:kb/NAME.md" */
    int         builtin;
    char       *error_id, *title, *cause, *severity, *service, *error_domain;
    char       *resolution_group, *assignee, *first_seen, *last_seen, *fix_command;
    long long   occurrence_count;     /* -1 when absent */
    int         in_kb, auto_fix, requires_human, requires_business_decision; /* -1 absent */
    rmd_strlist related, keywords, patterns, notify;
    rmd_strlist generic_patterns;     /* wordings shared with other software: need Redis evidence (classify.h) */
    rmd_strlist fallback_patterns;    /* wrapper texts: count only when no other pattern explains the line */
    rmd_kb_pos *pattern_pos;          /* one per pattern */
    rmd_kb_pos *generic_pos;          /* one per generic pattern */
    rmd_kb_pos *fallback_pos;         /* one per fallback pattern */
    rmd_kb_pos *related_pos;          /* one per related id */
    int         esc_after;            /* escalation.after_failed_fixes, 0 when absent */
    char       *esc_runbook;
    rmd_kb_pos  esc_runbook_pos, error_id_pos, cause_pos, fix_pos;
    rmd_kb_exception *exceptions;
    size_t      n_exceptions;
    char       *body;                 /* markdown after the front matter, owned */
    int         body_line;            /* line number where the body starts */
} rmd_runbook;

/* One problem found while parsing or linting. */
typedef struct rmd_kb_problem {
    char *file;                       /* owned */
    int   line, col;                  /* 0 when not applicable */
    int   warning;                    /* 1: reported, not a failure */
    char *msg;                        /* owned, one sentence */
} rmd_kb_problem;

typedef struct rmd_kb_problems {
    rmd_kb_problem *items;
    size_t          n, cap;
    size_t          errors;           /* items that are not warnings */
} rmd_kb_problems;

typedef struct rmd_kb {
    rmd_runbook *items;               /* owned; later entries override earlier */
    size_t       n, cap;
    int          keep_invalid;        /* lint: keep runbooks with errors for cross-file checks */
} rmd_kb;

/* Parse one runbook from text (borrowed) named source into *rb (owned by the
 * caller: rmd_runbook_free). Every problem is appended to probs. Returns
 * RMD_OK when the runbook is usable (warnings allowed), RMD_EPARSE when not. */
rmd_err rmd_kb_parse(const char *source, const char *text, size_t len, rmd_runbook *rb, rmd_kb_problems *probs);
void rmd_runbook_free(rmd_runbook *rb);

/* Load the built-in runbooks into kb. */
void rmd_kb_load_builtin(rmd_kb *kb, rmd_kb_problems *probs);

/* Load every *.md file in dir (or dir itself when it is a file); bad files are
 * skipped with their problems recorded. Returns the number loaded. */
int rmd_kb_load_path(rmd_kb *kb, const char *path, rmd_kb_problems *probs);

/* Built-in, then REDIS_MEDIC_KB (colon-separated), then each of dirs[0..n).
 * Problems of user files are printed to stderr as one warning line each when
 * warn is set. */
void rmd_kb_load_all(rmd_kb *kb, const char *const *dirs, size_t n, int warn);

/* Cross-file checks over kb (duplicate ids, unknown related / escalation ids,
 * escalation cycles, unknown causes, causes without a runbook when
 * require_all_causes). Problems are appended. */
void rmd_kb_check(const rmd_kb *kb, int require_all_causes, rmd_kb_problems *probs);

/* The effective runbook: by error_id (case-insensitive) or cause id; the last
 * loaded wins (user runbooks override built-in ones). NULL if none. */
const rmd_runbook *rmd_kb_find(const rmd_kb *kb, const char *id_or_cause);
const rmd_runbook *rmd_kb_for_cause(const rmd_kb *kb, const char *cause);

/* Is kb->items[i] overridden by a later runbook with the same error_id or cause? */
int rmd_kb_is_overridden(const rmd_kb *kb, size_t i);

/* Next steps of a runbook: the command lines of the fenced code blocks of its
 * "Diagnosis Steps" and "Resolution" sections, in order, comments and blank
 * lines skipped. Appended to out as templates (placeholders not filled). */
void rmd_kb_steps(const rmd_runbook *rb, rmd_strlist *out);
/* The step lines of one section kind only: 'd' diagnosis, 'r' resolution. */
void rmd_kb_steps_of(const rmd_runbook *rb, char phase, rmd_strlist *out);

/* Split a fix_command into argv (POSIX quoting). Refuses shell syntax: pipes,
 * ;, &, redirections, backticks, $( ), globs are not run by a shell here.
 * Returns RMD_OK with out filled, or RMD_EPARSE with the offending column. */
rmd_err rmd_kb_split_argv(const char *cmd, rmd_strlist *out, int *bad_col);

/* Is exception x in force at local time tm (tm_wday 0 = Sunday) on a host
 * that booted uptime_s seconds ago? */
int rmd_kb_exception_active(const rmd_kb_exception *x, const struct tm *tm, double uptime_s);

/* A runbook severity word mapped onto finding severities: info/low -> 0,
 * warning/medium -> 1, high/critical -> 2; -1 when unknown. */
int rmd_kb_severity_level(const char *word);

void rmd_kb_free(rmd_kb *kb);
void rmd_kb_problems_free(rmd_kb_problems *p);

/* Print problems as "file:line:col: error: message", one per line. */
void rmd_kb_problems_print(const rmd_kb_problems *p, void *file /* FILE* */);

#endif
