/* kb.h -- the runbook knowledge base: markdown runbooks, with or without
 * YAML front matter, in the formats teams keep.
 *
 * Advice stage of the pipeline: every finding links to the runbook of its
 * cause, and its next steps come from that runbook. The built-in runbooks
 * (kb/NAME.md) are compiled into the binary; --kb DIR and REDIS_MEDIC_KB add
 * user runbooks, which override a built-in one with the same error_id or
 * declared cause, and come first for every cause they cover (declared, or
 * linked by kblink.c's table, with a reason). kb.c reads the front matter,
 * loads and looks up; kbfmt.c reads the team formats from the body; kbmd.c
 * classifies markdown lines; kbsteps.c makes steps and lint notes. Format:
 * docs/runbooks.md.
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
#include "kblink.h"
#include "util.h"

#define RMD_KB_MAX_FILE    (1 << 20)  /* a runbook file larger than 1 MiB is refused */
#define RMD_KB_PLACEHOLDERS_FILE "placeholders.yaml" /* KB-level placeholder map in a --kb DIR */
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

/* A cause a runbook covers: declared (cause:/causes:) or matched (kblink.c). */
typedef struct rmd_kb_link {
    char *cause;                      /* cause id, owned */
    int   weight;                     /* RMD_LINK_WEIGHT_EXPLICIT (4) declared; 3 title .. 1 command */
    char *reason;                     /* "the section 'Connection Leak'", owned */
} rmd_kb_link;

/* How the file was written (kb lint reports it). */
typedef enum rmd_kb_format {
    RMD_KB_FMT_ERROR_ID,              /* YAML front matter with error_id (the ERROR-001 format, ours) */
    RMD_KB_FMT_FRONT_MATTER,          /* other YAML front matter (type: runbook, symptoms, services...) */
    RMD_KB_FMT_BOLD_META,             /* plain markdown with **Severity**: lines */
    RMD_KB_FMT_MARKDOWN               /* plain markdown: title and sections only */
} rmd_kb_format;

typedef struct rmd_runbook {
    char       *source;               /* file path, or "builtin:kb/NAME.md" */
    int         builtin;
    rmd_kb_format format;
    int         id_derived;           /* error_id made from the file name (no error_id key) */
    char       *severity_written;     /* the severity word as written ("sev2"), NULL when none */
    char       *author, *last_validated; /* author/owner; lastValidated or **Last Updated** (YYYY-MM-DD) */
    rmd_strlist symptoms, services, tags, contacts; /* contacts: escalation (Slack, PagerDuty, teams) */
    rmd_strlist ph_from, ph_to;       /* placeholder map: literal text -> evidence name (host, port...) */
    rmd_kb_link *links;               /* causes covered, strongest first */
    size_t      n_links;
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
    int   warning;                    /* 0 error, 1 warning (not a failure), 2 note (how it was read) */
    char *msg;                        /* owned, one sentence */
} rmd_kb_problem;

typedef struct rmd_kb_problems {
    rmd_kb_problem *items;
    size_t          n, cap;
    size_t          errors;           /* items that are not warnings */
    size_t          notes;            /* items that only say how a file was read (warning == 2) */
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

/* Load every runbook file (*.md, *.markdown, *.txt) in dir, or dir itself when
 * it is a file; a placeholders.yaml in dir maps placeholders for all of them.
 * Bad files are skipped with their problems recorded. Returns the number loaded. */
int rmd_kb_load_path(rmd_kb *kb, const char *path, rmd_kb_problems *probs);

/* Every path given with --kb exists (a mistyped directory is a usage error,
 * not a silent run on the built-in runbooks only). 0, or -1 with err. */
int rmd_kb_paths_check(const char *const *paths, size_t n, char *err, size_t errlen);

/* Built-in, then REDIS_MEDIC_KB (colon-separated), then each of dirs[0..n).
 * Problems of user files are printed to stderr as one warning line each when
 * warn is set. */
void rmd_kb_load_all(rmd_kb *kb, const char *const *dirs, size_t n, int warn);

/* Cross-file checks over kb (duplicate ids, unknown related / escalation ids,
 * escalation cycles, unknown causes, causes without a runbook when
 * require_all_causes). Problems are appended. */
void rmd_kb_check(const rmd_kb *kb, int require_all_causes, rmd_kb_problems *probs);

/* The effective runbook: by error_id (case-insensitive) or cause id. For a
 * cause, a team's runbook comes first: the user runbook with the strongest
 * link to it (declared > title > section/symptom > command/table row; then
 * one with steps; then the one covering fewer causes; then the last loaded),
 * else the built-in one. NULL if none. */
const rmd_runbook *rmd_kb_find(const rmd_kb *kb, const char *id_or_cause);
const rmd_runbook *rmd_kb_for_cause(const rmd_kb *kb, const char *cause);

/* The link of rb to cause, or NULL when rb does not cover it. */
const rmd_kb_link *rmd_kb_link_of(const rmd_runbook *rb, const char *cause);

/* The built-in runbook of a cause (ignoring user runbooks), or NULL. */
const rmd_runbook *rmd_kb_builtin_for_cause(const rmd_kb *kb, const char *cause);

/* Next steps for a finding of cause: the steps of rmd_kb_for_cause's runbook
 * (for a runbook covering several causes, sections about the other causes
 * left out), then, when that is a team's runbook, the built-in runbook's. */
void rmd_kb_cause_steps(const rmd_kb *kb, const char *cause, rmd_strlist *out);

/* Is kb->items[i] overridden by a later runbook with the same error_id or cause? */
int rmd_kb_is_overridden(const rmd_kb *kb, size_t i);

/* Next steps of a runbook: the command lines of the shell code blocks (```,
 * ```bash, ```sh...) of its diagnosis sections (Diagnosis, Diagnostic,
 * Investigation, Immediate Actions...), then of its resolution sections
 * (Resolution, Remediation, Mitigation, Fix, Solutions, Recovery...), in order;
 * comments and blank lines skipped, lines continued with '\' joined, mapped
 * placeholders (<redis-host>, placeholders:) rewritten as {host}...
 * Appended to out as templates (placeholders not filled). When cause is not
 * NULL, code under a heading that names only other causes is left out. */
void rmd_kb_steps(const rmd_runbook *rb, rmd_strlist *out);
void rmd_kb_steps_for(const rmd_runbook *rb, const char *cause, rmd_strlist *out);

/* Lint notes of one runbook: how the file was understood (format, id, title,
 * severity mapping, causes linked and why, placeholders it cannot fill,
 * placeholders written inside quotes, stale validation) appended to probs as
 * warnings ("note:" lines are informational: warning == 2), quoted
 * placeholders as errors. now is the current time (validation age). */
void rmd_kb_explain(const rmd_runbook *rb, time_t now, rmd_kb_problems *probs);

/* Map a severity word of any common scale onto ours: sev1/P1/critical ->
 * critical, sev2/P2/high/major -> high, sev3/P3/medium/moderate -> medium,
 * warning, sev4/P4/low/minor -> low, info. NULL when unknown. */
const char *rmd_kb_severity_norm(const char *word);

/* What an escalation contact line names: "slack" (a #channel or an @handle,
 * copied into handle), "pagerduty", "email" (an address, copied), or "team"
 * (anything else: "Backend Team + Infrastructure Team"). */
const char *rmd_kb_contact_kind(const char *text, char *handle, size_t handlelen);

/* Print rb with a normalised front matter (every key redis-medic understood,
 * in the ERROR-001 format, causes with their reasons as comments) and its
 * body unchanged, for `kb import`. f is a FILE*. */
void rmd_kb_print_normalised(const rmd_runbook *rb, void *f);

/* The step lines of one section kind only: 'd' diagnosis, 'r' resolution.
 * rmd_kb_steps_of_cause leaves out, in a runbook linked to several causes by
 * matching, the resolutions under headings that name only other causes. */
void rmd_kb_steps_of(const rmd_runbook *rb, char phase, rmd_strlist *out);
void rmd_kb_steps_of_cause(const rmd_runbook *rb, char phase, const char *cause, rmd_strlist *out);

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

/* Append one problem (warning: 0 error, 1 warning, 2 note); msg is copied. */
void rmd_kb_problem_add(rmd_kb_problems *p, const char *file, int line, int col, int warning, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));

void rmd_kb_free(rmd_kb *kb);
void rmd_kb_problems_free(rmd_kb_problems *p);

/* Print problems as "file:line:col: error: message", one per line. */
void rmd_kb_problems_print(const rmd_kb_problems *p, void *file /* FILE* */);

#endif
