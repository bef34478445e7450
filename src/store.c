/* store.c -- local state: when each runbook's cause fired, in SQLite (see store.h).
 *
 * The report/actions end of the pipeline records every finding that fires
 * here, and `kb show` reads the statistics back. One table, `occurrences`,
 * indexed on (error_id, at), schema version in PRAGMA user_version.
 *
 * Concurrency: several `diagnose` processes may write at once. The database
 * is switched to WAL mode (persistent in the file): readers never block the
 * one writer, and a commit is an append to the log, not a journal dance with
 * two fsyncs. In the default rollback mode a stress run of 16 processes each
 * writing and reading 100 times lost records to "database is locked"; in WAL
 * it lost none and ran ten times faster. synchronous=NORMAL means a power cut
 * may drop the last few occurrences but never corrupts the file. A writer that
 * finds the file locked waits in the busy handler (up to BUSY_TIMEOUT_MS);
 * multi-statement writes use BEGIN IMMEDIATE so that wait happens up front.
 * All statements are prepared once at open, with bound parameters only.
 *
 * Permissions: occurrences name hosts, ports and what is wrong with them, so
 * the file is created 0600 before SQLite opens it (SQLite would use 0644, and
 * gives its -wal and -shm files the mode of the database file) and missing
 * directories 0700. An existing file that others can read or write, or that
 * another user owns, is used but named in rmd_store_warning().
 */
#include "store.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "util.h"

#define SCHEMA_VERSION   1       /* keep equal to the user_version in SCHEMA_SQL */
#define BUSY_TIMEOUT_MS  2000
#define TEXT_MAX         255     /* bytes kept of target and summary */
#define KEEP_PER_ID      100000  /* rows kept per error_id */
#define PRUNE_EVERY      1000    /* prune when the new rowid is a multiple of this */
#define RECENT_MAX       (sizeof ((rmd_store_stats *)0)->recent / sizeof ((rmd_store_stats *)0)->recent[0])

struct rmd_store {
    sqlite3      *db;      /* owned connection */
    char          path[512];    /* as opened, for messages (cut when longer) */
    char          warning[640]; /* about the file's owner or mode, "" if none */
    char          errstr[768];  /* last rmd_store_record failure, "" if none */
    sqlite3_stmt *insert;  /* owned: one occurrence */
    sqlite3_stmt *summary; /* owned: count, min(at), max(at) for an error_id */
    sqlite3_stmt *recent;  /* owned: newest rows for an error_id */
    sqlite3_stmt *prune;   /* owned: delete rows beyond KEEP_PER_ID for an error_id */
};

static const char SCHEMA_SQL[] =
    "BEGIN IMMEDIATE;"
    "CREATE TABLE IF NOT EXISTS occurrences("
    " id INTEGER PRIMARY KEY, error_id TEXT NOT NULL, cause TEXT, severity TEXT,"
    " target TEXT, summary TEXT, at INTEGER NOT NULL);"
    "CREATE INDEX IF NOT EXISTS occurrences_id_at ON occurrences(error_id, at);"
    "PRAGMA user_version = 1;"
    "COMMIT;";

static const char INSERT_SQL[] =
    "INSERT INTO occurrences(error_id, cause, severity, target, summary, at)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
static const char SUMMARY_SQL[] =
    "SELECT count(*), min(at), max(at) FROM occurrences WHERE error_id = ?1";
static const char RECENT_SQL[] =
    "SELECT at, severity, target, summary FROM occurrences WHERE error_id = ?1"
    " ORDER BY at DESC, id DESC LIMIT ?2";
static const char PRUNE_SQL[] =
    "DELETE FROM occurrences WHERE id IN (SELECT id FROM occurrences WHERE error_id = ?1"
    " ORDER BY at DESC, id DESC LIMIT -1 OFFSET ?2)";

void rmd_store_default_path(char *out, size_t outlen) {
    const char *xdg = getenv("XDG_STATE_HOME");
    const char *home = getenv("HOME");
    int n = -1;

    if (!outlen) return;
    if (xdg && xdg[0] == '/')
        n = snprintf(out, outlen, "%s/redis-medic/state.db", xdg);
    else if (home && home[0] != '\0')
        n = snprintf(out, outlen, "%s/.local/state/redis-medic/state.db", home);
    if (n < 0 || (size_t)n >= outlen)
        rmd_strlcpy(out, "./redis-medic-state.db", outlen);
}

/* Whether path names an existing directory; errno is left as it was. */
static int is_dir(const char *path) {
    int saved = errno;
    struct stat st;
    int yes = stat(path, &st) == 0 && S_ISDIR(st.st_mode);
    errno = saved;
    return yes;
}

/* mkdir -p of the directory part of path (mode 0700 for what it creates).
 * Returns 0, or -1 with a sentence naming the directory in err. */
static int make_parent_dirs(const char *path, char *err, size_t errlen) {
    char dir[PATH_MAX];
    char *slash;

    if (rmd_strlcpy(dir, path, sizeof dir) >= sizeof dir) {
        snprintf(err, errlen, "cannot open state database %.200s...: path is too long", path);
        return -1;
    }
    slash = strrchr(dir, '/');
    if (!slash || slash == dir) return 0; /* relative file name, or directly under / */
    *slash = '\0';
    for (char *p = dir + 1; ; p++) {
        if (*p != '/' && *p != '\0') continue;
        char saved = *p;
        *p = '\0';
        if (mkdir(dir, 0700) != 0 && !is_dir(dir)) {
            int e = errno == EEXIST ? ENOTDIR : errno;
            snprintf(err, errlen, "cannot create directory %s for state database %s: %s",
                     dir, path, strerror(e));
            return -1;
        }
        *p = saved;
        if (saved == '\0') return 0;
    }
}

/* Create path mode 0600 if it does not exist, and describe in s->warning an
 * existing file that other users can read or write or that belongs to someone
 * else. Best effort: when the file cannot be opened here, SQLite's own open
 * reports why. */
static void precreate_private(rmd_store *s, const char *path) {
    struct stat st;
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOCTTY, 0600);

    if (fd < 0) return;
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
        unsigned mode = (unsigned)(st.st_mode & 07777);
        if (st.st_uid != geteuid())
            snprintf(s->warning, sizeof s->warning, "state database %s belongs to uid %u, not to you (uid %u):"
                     " another user can read and change what is recorded", s->path, (unsigned)st.st_uid,
                     (unsigned)geteuid());
        else if (mode & (S_IROTH | S_IWOTH))
            snprintf(s->warning, sizeof s->warning, "state database %s is %s by other users (mode %04o);"
                     " chmod 600 it", s->path, mode & S_IWOTH ? "writable" : "readable", mode);
    }
    close(fd);
}

/* One sentence naming path and SQLite's reason for rc into err; the OS reason
 * is added when the failure came from the file system. */
static void db_error(sqlite3 *db, int rc, const char *path, char *err, size_t errlen) {
    const char *why = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    int prim = rc & 0xff;
    int sys = db && (prim == SQLITE_CANTOPEN || prim == SQLITE_IOERR) ? sqlite3_system_errno(db) : 0;

    if (sys)
        snprintf(err, errlen, "cannot open state database %s: %s (%s)", path, why, strerror(sys));
    else
        snprintf(err, errlen, "cannot open state database %s: %s", path, why);
}

/* Create the schema unless it is already at SCHEMA_VERSION; refuse newer
 * schemas. Returns 0, or -1 with one sentence naming path in err. Reading the
 * version is also the first real read of the file, so this is where "file is
 * not a database" shows up. */
static int ensure_schema(sqlite3 *db, const char *path, char *err, size_t errlen) {
    sqlite3_stmt *st = NULL;
    int version = 0, rc;

    rc = sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL);
    if (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        version = sqlite3_column_int(st, 0);
        rc = SQLITE_OK;
    }
    if (rc != SQLITE_OK) db_error(db, rc, path, err, errlen); /* before finalize clears it */
    sqlite3_finalize(st);
    if (rc != SQLITE_OK) return -1;
    if (version == SCHEMA_VERSION) return 0;
    if (version > SCHEMA_VERSION) {
        snprintf(err, errlen, "cannot open state database %s: it has schema version %d,"
                 " newer than this redis-medic understands (%d)", path, version, SCHEMA_VERSION);
        return -1;
    }
    rc = sqlite3_exec(db, SCHEMA_SQL, NULL, NULL, NULL);
    if (rc == SQLITE_OK) return 0;
    db_error(db, rc, path, err, errlen);
    if (!sqlite3_get_autocommit(db)) sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
    return -1;
}

/* Prepare every statement the store uses, once per connection. SQLite result code. */
static int prepare_all(rmd_store *s) {
    int rc;
    unsigned flags = SQLITE_PREPARE_PERSISTENT;

    if ((rc = sqlite3_prepare_v3(s->db, INSERT_SQL, -1, flags, &s->insert, NULL)) != SQLITE_OK) return rc;
    if ((rc = sqlite3_prepare_v3(s->db, SUMMARY_SQL, -1, flags, &s->summary, NULL)) != SQLITE_OK) return rc;
    if ((rc = sqlite3_prepare_v3(s->db, RECENT_SQL, -1, flags, &s->recent, NULL)) != SQLITE_OK) return rc;
    return sqlite3_prepare_v3(s->db, PRUNE_SQL, -1, flags, &s->prune, NULL);
}

rmd_store *rmd_store_open(const char *path, char *err, size_t errlen) {
    char def[PATH_MAX];
    rmd_store *s;
    int rc;

    if (!path) {
        rmd_store_default_path(def, sizeof def);
        path = def;
    }
    if (make_parent_dirs(path, err, errlen) != 0) return NULL;
    if (!(s = calloc(1, sizeof *s))) {
        snprintf(err, errlen, "cannot open state database %s: out of memory", path);
        return NULL;
    }
    rmd_strlcpy(s->path, path, sizeof s->path);
    precreate_private(s, path);
    rc = sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                         NULL);
    if (rc != SQLITE_OK) {
        db_error(s->db, rc, path, err, errlen);
        goto out_close_store;
    }
    sqlite3_extended_result_codes(s->db, 1);
    sqlite3_busy_timeout(s->db, BUSY_TIMEOUT_MS);
    /* Best effort: where WAL is unavailable (some network file systems) SQLite
     * stays in rollback mode, and a file that is not a database is reported by
     * ensure_schema() below. */
    (void)sqlite3_exec(s->db, "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL", NULL, NULL, NULL);
    if (ensure_schema(s->db, path, err, errlen) != 0) goto out_close_store;
    if ((rc = prepare_all(s)) != SQLITE_OK) {
        db_error(s->db, rc, path, err, errlen);
        goto out_close_store;
    }
    return s;

out_close_store:
    rmd_store_close(s);
    return NULL;
}

const char *rmd_store_warning(const rmd_store *s) {
    return s ? s->warning : "";
}

const char *rmd_store_errstr(const rmd_store *s) {
    return s ? s->errstr : "";
}

void rmd_store_close(rmd_store *s) {
    if (!s) return;
    sqlite3_finalize(s->insert);
    sqlite3_finalize(s->summary);
    sqlite3_finalize(s->recent);
    sqlite3_finalize(s->prune);
    sqlite3_close(s->db); /* NULL is a no-op */
    free(s);
}

/* Length of s cut to at most max bytes without splitting a UTF-8 sequence. */
static size_t utf8_cut(const char *s, size_t max) {
    size_t n = strlen(s);
    if (n <= max) return n;
    n = max;
    while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80) n--; /* s[n] continues a sequence */
    return n;
}

/* Bind s (borrowed; NULL binds SQL NULL) truncated to max bytes. */
static int bind_text(sqlite3_stmt *st, int idx, const char *s, size_t max) {
    if (!s) return sqlite3_bind_null(st, idx);
    return sqlite3_bind_text(st, idx, s, (int)utf8_cut(s, max), SQLITE_STATIC);
}

/* Delete the oldest rows of error_id beyond KEEP_PER_ID. Best effort: the
 * occurrence is already recorded, so a failure here only delays the pruning. */
static void prune_old(rmd_store *s, const char *error_id) {
    if (bind_text(s->prune, 1, error_id, INT_MAX) == SQLITE_OK &&
        sqlite3_bind_int64(s->prune, 2, KEEP_PER_ID) == SQLITE_OK)
        (void)sqlite3_step(s->prune);
    sqlite3_reset(s->prune);
    sqlite3_clear_bindings(s->prune);
}

rmd_err rmd_store_record(rmd_store *s, const char *error_id, const char *cause, const char *severity,
                         const char *target, const char *summary, time_t when) {
    sqlite3_stmt *st;
    sqlite3_int64 rowid = 1;
    int rc;

    if (!s || !error_id) return RMD_EUSAGE;
    s->errstr[0] = '\0';
    st = s->insert;
    if ((rc = bind_text(st, 1, error_id, INT_MAX)) != SQLITE_OK ||
        (rc = bind_text(st, 2, cause, INT_MAX)) != SQLITE_OK ||
        (rc = bind_text(st, 3, severity, INT_MAX)) != SQLITE_OK ||
        (rc = bind_text(st, 4, target, TEXT_MAX)) != SQLITE_OK ||
        (rc = bind_text(st, 5, summary, TEXT_MAX)) != SQLITE_OK ||
        (rc = sqlite3_bind_int64(st, 6, (sqlite3_int64)when)) != SQLITE_OK)
        goto out_reset;
    rc = sqlite3_step(st);
    rowid = sqlite3_last_insert_rowid(s->db);

out_reset:
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    if ((rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED) {
        snprintf(s->errstr, sizeof s->errstr, "state database %s stayed locked by another process for"
                 " more than %d ms", s->path, BUSY_TIMEOUT_MS);
        return RMD_ETIMEOUT;
    }
    if (rc != SQLITE_DONE) {
        snprintf(s->errstr, sizeof s->errstr, "cannot write to state database %s: %s", s->path,
                 sqlite3_errstr(rc));
        return RMD_EIO;
    }
    if (rowid % PRUNE_EVERY == 0) prune_old(s, error_id);
    return RMD_OK;
}

/* Copy text column col of st into dst (n bytes), "" for NULL. */
static void column_copy(sqlite3_stmt *st, int col, char *dst, size_t n) {
    const unsigned char *t = sqlite3_column_text(st, col);
    size_t len = (size_t)sqlite3_column_bytes(st, col);
    if (!t) len = 0;
    rmd_memlcpy(dst, n, t ? (const void *)t : "", len);
    if (len >= n) dst[utf8_cut(dst, n - 1)] = '\0';
}

/* count, first and last of error_id into out. */
static rmd_err read_summary(rmd_store *s, const char *error_id, rmd_store_stats *out) {
    sqlite3_stmt *st = s->summary;
    rmd_err e = RMD_EIO;

    if (bind_text(st, 1, error_id, INT_MAX) != SQLITE_OK) goto out_reset;
    if (sqlite3_step(st) != SQLITE_ROW) goto out_reset;
    out->count = sqlite3_column_int64(st, 0);
    out->first = (time_t)sqlite3_column_int64(st, 1); /* NULL reads as 0 */
    out->last = (time_t)sqlite3_column_int64(st, 2);
    e = RMD_OK;
out_reset:
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return e;
}

/* The newest RECENT_MAX rows of error_id into out->recent, newest first. */
static rmd_err read_recent(rmd_store *s, const char *error_id, rmd_store_stats *out) {
    sqlite3_stmt *st = s->recent;
    rmd_err e = RMD_EIO;
    int rc;

    if (bind_text(st, 1, error_id, INT_MAX) != SQLITE_OK ||
        sqlite3_bind_int64(st, 2, (sqlite3_int64)RECENT_MAX) != SQLITE_OK)
        goto out_reset;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW && out->n_recent < RECENT_MAX) {
        rmd_store_entry *r = &out->recent[out->n_recent++];
        r->when = (time_t)sqlite3_column_int64(st, 0);
        column_copy(st, 1, r->severity, sizeof r->severity);
        column_copy(st, 2, r->target, sizeof r->target);
        column_copy(st, 3, r->summary, sizeof r->summary);
    }
    if (rc == SQLITE_DONE || rc == SQLITE_ROW) e = RMD_OK;
out_reset:
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return e;
}

rmd_err rmd_store_stats_get(rmd_store *s, const char *error_id, rmd_store_stats *out) {
    rmd_err e;

    if (!out) return RMD_EIO;
    memset(out, 0, sizeof *out);
    if (!s || !error_id) return RMD_EIO;
    /* One read transaction so the count and the recent rows agree. */
    if (sqlite3_exec(s->db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK) return RMD_EIO;
    e = read_summary(s, error_id, out);
    if (e == RMD_OK) e = read_recent(s, error_id, out);
    sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL);
    if (e != RMD_OK) memset(out, 0, sizeof *out);
    return e;
}
