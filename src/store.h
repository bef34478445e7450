/* store.h -- local state: when each runbook's cause fired, in SQLite.
 *
 * Part of the report/actions end of the pipeline. Every finding that fires is
 * recorded against its runbook (never by rewriting the user's markdown), so
 * `kb show` can say first seen, last seen, how often and the recent history.
 * Default location: $XDG_STATE_HOME/redis-medic/state.db, else
 * ~/.local/state/redis-medic/state.db; `--state PATH` moves it. The database
 * is created on first use; a database that cannot be opened or is corrupt is
 * an error the caller reports once and goes on without.
 */
#ifndef RMD_STORE_H
#define RMD_STORE_H

#include <stddef.h>
#include <time.h>

#include "err.h"

typedef struct rmd_store rmd_store;

/* Open (creating the file, its directory and the schema if needed). path NULL
 * means the default location. A new file is created mode 0600 and new
 * directories 0700: occurrences name hosts and what is wrong with them. On
 * failure returns NULL and writes one sentence naming the path and the reason
 * into err. */
rmd_store *rmd_store_open(const char *path, char *err, size_t errlen);
void rmd_store_close(rmd_store *s);

/* A sentence about an existing database file that other users can read or
 * write, or that belongs to another user ("" when there is nothing to say);
 * borrowed, valid until rmd_store_close. The caller prints it as a warning. */
const char *rmd_store_warning(const rmd_store *s);

/* The sentence describing the last failure of rmd_store_record (borrowed, ""
 * when none). */
const char *rmd_store_errstr(const rmd_store *s);

/* The default path into out (never fails: falls back to ./redis-medic-state.db). */
void rmd_store_default_path(char *out, size_t outlen);

/* Record one occurrence of runbook error_id (cause id, severity word,
 * redacted target, one-line summary) at time `when`. All strings borrowed;
 * target must already be redacted (no password). RMD_OK; RMD_ETIMEOUT when
 * another process kept the database locked past the busy timeout (the
 * occurrence is not recorded); RMD_EIO on another failure. On failure
 * rmd_store_errstr() says what happened. */
rmd_err rmd_store_record(rmd_store *s, const char *error_id, const char *cause, const char *severity,
                         const char *target, const char *summary, time_t when);

typedef struct rmd_store_entry {
    time_t when;
    char   severity[16];
    char   target[256];
    char   summary[256];
} rmd_store_entry;

typedef struct rmd_store_stats {
    long long       count;        /* occurrences recorded */
    time_t          first, last;  /* 0 when count == 0 */
    rmd_store_entry recent[10];   /* newest first */
    size_t          n_recent;
} rmd_store_stats;

/* Occurrence statistics for error_id. RMD_OK (count may be 0) or RMD_EIO. */
rmd_err rmd_store_stats_get(rmd_store *s, const char *error_id, rmd_store_stats *out);

#endif
