/* test_store.c -- the SQLite occurrence store: creation, stats, default path,
 * unusable paths, persistence, pruning and concurrent writers. */
#include <ftw.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "store.h"
#include "unit.h"

/* A fresh temp dir into dir (at least 64 bytes). */
static int make_tmpdir(char *dir, size_t n) {
    snprintf(dir, n, "/tmp/rmd-store-XXXXXX");
    return mkdtemp(dir) ? 0 : -1;
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
    (void)st; (void)flag; (void)ftw;
    return remove(path);
}

static void rm_tree(const char *dir) {
    nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

TEST(fresh_db_nested_dirs_and_stats) {
    char dir[64], path[256], err[512] = "";
    rmd_store_stats st;
    CHECK(make_tmpdir(dir, sizeof dir) == 0);
    snprintf(path, sizeof path, "%s/a/b/c/state.db", dir);
    rmd_store *s = rmd_store_open(path, err, sizeof err);
    CHECK(s != NULL);
    if (!s) { fprintf(stderr, "  %s\n", err); rm_tree(dir); return; }
    CHECK(access(path, F_OK) == 0);

    CHECK_INT(rmd_store_record(s, "memory-full", "maxmemory", "critical", "redis://h:6379/0",
                               "used_memory at 100%", 1000), RMD_OK);
    CHECK_INT(rmd_store_record(s, "server-down", "refused", "critical", "redis://h:6379/0",
                               "connection refused", 1500), RMD_OK);
    CHECK_INT(rmd_store_record(s, "memory-full", "maxmemory", "warning", "redis://h:6379/0",
                               "used_memory at 91%", 3000), RMD_OK);
    CHECK_INT(rmd_store_record(s, "memory-full", NULL, "critical", NULL, NULL, 2000), RMD_OK);

    CHECK_INT(rmd_store_stats_get(s, "memory-full", &st), RMD_OK);
    CHECK_INT(st.count, 3);
    CHECK_INT(st.first, 1000);
    CHECK_INT(st.last, 3000);
    CHECK_INT(st.n_recent, 3);
    CHECK_INT(st.recent[0].when, 3000);
    CHECK_STR(st.recent[0].severity, "warning");
    CHECK_STR(st.recent[0].summary, "used_memory at 91%");
    CHECK_INT(st.recent[1].when, 2000);
    CHECK_STR(st.recent[1].target, "");
    CHECK_STR(st.recent[1].summary, "");
    CHECK_INT(st.recent[2].when, 1000);
    CHECK_STR(st.recent[2].target, "redis://h:6379/0");

    CHECK_INT(rmd_store_stats_get(s, "server-down", &st), RMD_OK);
    CHECK_INT(st.count, 1);
    CHECK_INT(st.first, 1500);
    CHECK_INT(st.last, 1500);
    CHECK_STR(st.recent[0].summary, "connection refused");

    CHECK_INT(rmd_store_stats_get(s, "never-seen", &st), RMD_OK);
    CHECK_INT(st.count, 0);
    CHECK_INT(st.first, 0);
    CHECK_INT(st.last, 0);
    CHECK_INT(st.n_recent, 0);
    rmd_store_close(s);
    rmd_store_close(NULL);
    rm_tree(dir);
}

TEST(long_strings_truncated_and_recent_capped) {
    char dir[64], path[256], err[512] = "", big[1000];
    rmd_store_stats st;
    CHECK(make_tmpdir(dir, sizeof dir) == 0);
    snprintf(path, sizeof path, "%s/state.db", dir);
    rmd_store *s = rmd_store_open(path, err, sizeof err);
    CHECK(s != NULL);
    if (!s) { rm_tree(dir); return; }
    /* 254 ASCII bytes then two-byte characters: a cut at 255 must not split one. */
    memset(big, 'x', 254);
    for (size_t i = 254; i + 2 < sizeof big; i += 2) { big[i] = (char)0xC3; big[i + 1] = (char)0xA9; }
    big[sizeof big - 2] = '\0';
    for (int i = 0; i < 15; i++)
        CHECK_INT(rmd_store_record(s, "slowlog", "c", "a-very-long-severity-word", big, big, 100 + i),
                  RMD_OK);
    CHECK_INT(rmd_store_stats_get(s, "slowlog", &st), RMD_OK);
    CHECK_INT(st.count, 15);
    CHECK_INT(st.n_recent, 10);
    CHECK_INT(st.recent[0].when, 114);
    CHECK_INT(st.recent[9].when, 105);
    CHECK_INT(strlen(st.recent[0].summary), 254);
    CHECK_INT(strlen(st.recent[0].target), 254);
    CHECK_INT(strlen(st.recent[0].severity), 15);
    rmd_store_close(s);
    rm_tree(dir);
}

TEST(default_path_honours_xdg) {
    char out[512];
    char *old_xdg = getenv("XDG_STATE_HOME") ? strdup(getenv("XDG_STATE_HOME")) : NULL;
    char *old_home = getenv("HOME") ? strdup(getenv("HOME")) : NULL;

    setenv("XDG_STATE_HOME", "/var/tmp/xdg", 1);
    setenv("HOME", "/home/someone", 1);
    rmd_store_default_path(out, sizeof out);
    CHECK_STR(out, "/var/tmp/xdg/redis-medic/state.db");
    setenv("XDG_STATE_HOME", "relative/dir", 1); /* not absolute: ignored */
    rmd_store_default_path(out, sizeof out);
    CHECK_STR(out, "/home/someone/.local/state/redis-medic/state.db");
    unsetenv("XDG_STATE_HOME");
    rmd_store_default_path(out, sizeof out);
    CHECK_STR(out, "/home/someone/.local/state/redis-medic/state.db");
    unsetenv("HOME");
    rmd_store_default_path(out, sizeof out);
    CHECK_STR(out, "./redis-medic-state.db");
    setenv("XDG_STATE_HOME", "/var/tmp/xdg", 1);
    rmd_store_default_path(out, 20); /* does not fit: the fallback, truncated */
    CHECK_STR(out, "./redis-medic-state");

    if (old_xdg) setenv("XDG_STATE_HOME", old_xdg, 1); else unsetenv("XDG_STATE_HOME");
    if (old_home) setenv("HOME", old_home, 1); else unsetenv("HOME");
    free(old_xdg);
    free(old_home);
}

TEST(open_default_path_under_xdg) {
    char dir[64], expect[256], err[512] = "";
    char *old_xdg = getenv("XDG_STATE_HOME") ? strdup(getenv("XDG_STATE_HOME")) : NULL;
    CHECK(make_tmpdir(dir, sizeof dir) == 0);
    setenv("XDG_STATE_HOME", dir, 1);
    rmd_store *s = rmd_store_open(NULL, err, sizeof err);
    CHECK(s != NULL);
    snprintf(expect, sizeof expect, "%s/redis-medic/state.db", dir);
    CHECK(access(expect, F_OK) == 0);
    rmd_store_close(s);
    if (old_xdg) setenv("XDG_STATE_HOME", old_xdg, 1); else unsetenv("XDG_STATE_HOME");
    free(old_xdg);
    rm_tree(dir);
}

TEST(text_file_is_refused) {
    char dir[64], path[256], err[512] = "";
    CHECK(make_tmpdir(dir, sizeof dir) == 0);
    snprintf(path, sizeof path, "%s/notes.txt", dir);
    FILE *f = fopen(path, "w");
    CHECK(f != NULL);
    if (f) {
        fputs("These are my notes about redis, not a database.\n", f);
        fclose(f);
    }
    rmd_store *s = rmd_store_open(path, err, sizeof err);
    CHECK(s == NULL);
    CHECK(strstr(err, path) != NULL);
    CHECK(strstr(err, "not a database") != NULL);
    rmd_store_close(s);

    /* A directory where the file should be. */
    err[0] = '\0';
    snprintf(path, sizeof path, "%s", dir);
    s = rmd_store_open(path, err, sizeof err);
    CHECK(s == NULL);
    CHECK(strstr(err, path) != NULL);
    rmd_store_close(s);
    rm_tree(dir);
}

TEST(unwritable_location_is_refused) {
    char err[512] = "";
    rmd_store *s = rmd_store_open("/proc/nonexistent/x.db", err, sizeof err);
    CHECK(s == NULL);
    CHECK(strstr(err, "/proc/nonexistent/x.db") != NULL);
    rmd_store_close(s);

    err[0] = '\0';
    s = rmd_store_open("/proc/x.db", err, sizeof err);
    CHECK(s == NULL);
    CHECK(strstr(err, "/proc/x.db") != NULL);
    rmd_store_close(s);
}

TEST(newer_schema_is_refused) {
    char dir[64], path[256], err[512] = "";
    sqlite3 *db = NULL;
    CHECK(make_tmpdir(dir, sizeof dir) == 0);
    snprintf(path, sizeof path, "%s/state.db", dir);
    CHECK_INT(sqlite3_open(path, &db), SQLITE_OK);
    CHECK_INT(sqlite3_exec(db, "PRAGMA user_version = 7", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    rmd_store *s = rmd_store_open(path, err, sizeof err);
    CHECK(s == NULL);
    CHECK(strstr(err, "schema version 7") != NULL);
    rmd_store_close(s);
    rm_tree(dir);
}

TEST(reopen_keeps_data) {
    char dir[64], path[256], err[512] = "";
    rmd_store_stats st;
    CHECK(make_tmpdir(dir, sizeof dir) == 0);
    snprintf(path, sizeof path, "%s/state.db", dir);
    rmd_store *s = rmd_store_open(path, err, sizeof err);
    CHECK(s != NULL);
    if (!s) { rm_tree(dir); return; }
    CHECK_INT(rmd_store_record(s, "server-down", "refused", "critical", "t", "one", 10), RMD_OK);
    CHECK_INT(rmd_store_record(s, "server-down", "refused", "critical", "t", "two", 20), RMD_OK);
    rmd_store_close(s);

    s = rmd_store_open(path, err, sizeof err);
    CHECK(s != NULL);
    if (!s) { rm_tree(dir); return; }
    CHECK_INT(rmd_store_stats_get(s, "server-down", &st), RMD_OK);
    CHECK_INT(st.count, 2);
    CHECK_INT(st.first, 10);
    CHECK_INT(st.last, 20);
    CHECK_STR(st.recent[0].summary, "two");
    CHECK_INT(rmd_store_record(s, "server-down", "refused", "critical", "t", "three", 30), RMD_OK);
    CHECK_INT(rmd_store_stats_get(s, "server-down", &st), RMD_OK);
    CHECK_INT(st.count, 3);
    rmd_store_close(s);
    rm_tree(dir);
}

TEST(old_rows_pruned_beyond_limit) {
    char dir[64], path[256], err[512] = "";
    rmd_store_stats st;
    sqlite3 *db = NULL;
    CHECK(make_tmpdir(dir, sizeof dir) == 0);
    snprintf(path, sizeof path, "%s/state.db", dir);
    rmd_store *s = rmd_store_open(path, err, sizeof err);
    CHECK(s != NULL);
    if (!s) { rm_tree(dir); return; }
    /* Bulk-load ids 1..100999 of one error_id (at = id) plus an older row of another. */
    CHECK_INT(sqlite3_open(path, &db), SQLITE_OK);
    CHECK_INT(sqlite3_exec(db,
        "BEGIN;"
        "INSERT INTO occurrences(id, error_id, at) VALUES (0, 'other', 0);"
        "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 100999)"
        " INSERT INTO occurrences(id, error_id, at) SELECT x, 'bulk', x FROM c;"
        "COMMIT;", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    /* The next rowid is 101000, a multiple of 1000: this insert prunes. */
    CHECK_INT(rmd_store_record(s, "bulk", NULL, "info", NULL, "newest", 200000), RMD_OK);
    CHECK_INT(rmd_store_stats_get(s, "bulk", &st), RMD_OK);
    CHECK_INT(st.count, 100000);
    CHECK_INT(st.first, 1001);
    CHECK_INT(st.last, 200000);
    CHECK_STR(st.recent[0].summary, "newest");
    CHECK_INT(rmd_store_stats_get(s, "other", &st), RMD_OK);
    CHECK_INT(st.count, 1);
    rmd_store_close(s);
    rm_tree(dir);
}

/* Child: open path itself and record n rows; exit status 0 when all succeeded. */
static void writer_child(const char *path, int n, int who) {
    char err[512] = "";
    int failed = 0;
    rmd_store *s = rmd_store_open(path, err, sizeof err);
    if (!s) {
        fprintf(stderr, "  child %d: %s\n", who, err);
        _exit(1);
    }
    for (int i = 0; i < n; i++) {
        char summary[64];
        snprintf(summary, sizeof summary, "writer %d row %d", who, i);
        if (rmd_store_record(s, "latency-spike", "fork", "warning", "t", summary, 1000 + i) != RMD_OK)
            failed++;
    }
    rmd_store_close(s);
    if (failed) fprintf(stderr, "  child %d: %d records failed\n", who, failed);
    _exit(failed ? 1 : 0);
}

TEST(concurrent_writers_lose_nothing) {
    char dir[64], path[256], err[512] = "";
    rmd_store_stats st;
    pid_t pids[2];
    CHECK(make_tmpdir(dir, sizeof dir) == 0);
    snprintf(path, sizeof path, "%s/shared/state.db", dir); /* both children create it */
    fflush(NULL);
    for (int i = 0; i < 2; i++) {
        pids[i] = fork();
        CHECK(pids[i] >= 0);
        if (pids[i] == 0) writer_child(path, 200, i);
    }
    for (int i = 0; i < 2; i++) {
        int status = -1;
        if (pids[i] <= 0) continue;
        CHECK(waitpid(pids[i], &status, 0) == pids[i]);
        CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    }
    rmd_store *s = rmd_store_open(path, err, sizeof err);
    CHECK(s != NULL);
    if (s) {
        CHECK_INT(rmd_store_stats_get(s, "latency-spike", &st), RMD_OK);
        CHECK_INT(st.count, 400);
        CHECK_INT(st.first, 1000);
        CHECK_INT(st.last, 1199);
        rmd_store_close(s);
    }
    rm_tree(dir);
}

TEST(created_private_even_with_open_umask) {
    char dir[64], path[256], err[512] = "";
    struct stat st;
    mode_t old = umask(0);
    CHECK(make_tmpdir(dir, sizeof dir) == 0);
    snprintf(path, sizeof path, "%s/x/y/state.db", dir);
    rmd_store *s = rmd_store_open(path, err, sizeof err);
    umask(old);
    CHECK(s != NULL);
    CHECK_INT(rmd_store_record(s, "RMD-SERVER-DOWN", "server-down", "critical", "redis://h:1/0", "down", 1), RMD_OK);
    CHECK_STR(rmd_store_warning(s), "");
    rmd_store_close(s);
    CHECK(stat(path, &st) == 0);
    CHECK_INT(st.st_mode & 07777, 0600);
    snprintf(path, sizeof path, "%s/x/y", dir);
    CHECK(stat(path, &st) == 0);
    CHECK_INT(st.st_mode & 07777, 0700);
    snprintf(path, sizeof path, "%s/x", dir);
    CHECK(stat(path, &st) == 0);
    CHECK_INT(st.st_mode & 07777, 0700);
    rm_tree(dir);
}

TEST(world_readable_existing_db_is_warned_about) {
    char dir[64], path[256], err[512] = "";
    CHECK(make_tmpdir(dir, sizeof dir) == 0);
    snprintf(path, sizeof path, "%s/state.db", dir);
    rmd_store *s = rmd_store_open(path, err, sizeof err);
    CHECK(s != NULL);
    rmd_store_close(s);
    CHECK(chmod(path, 0644) == 0);
    s = rmd_store_open(path, err, sizeof err);
    CHECK(s != NULL);
    CHECK(strstr(rmd_store_warning(s), "readable by other users (mode 0644)") != NULL);
    CHECK(strstr(rmd_store_warning(s), path) != NULL);
    rmd_store_close(s);
    CHECK(chmod(path, 0606) == 0);
    s = rmd_store_open(path, err, sizeof err);
    CHECK(s && strstr(rmd_store_warning(s), "writable by other users") != NULL);
    rmd_store_close(s);
    rm_tree(dir);
}

/* Another connection holds the write lock past the busy timeout: the record
 * fails with RMD_ETIMEOUT and a sentence naming the file, not silently. */
TEST(locked_past_busy_timeout_is_reported) {
    char dir[64], path[256], err[512] = "";
    sqlite3 *holder = NULL;
    CHECK(make_tmpdir(dir, sizeof dir) == 0);
    snprintf(path, sizeof path, "%s/state.db", dir);
    rmd_store *s = rmd_store_open(path, err, sizeof err);
    CHECK(s != NULL);
    CHECK(sqlite3_open(path, &holder) == SQLITE_OK);
    CHECK(sqlite3_exec(holder, "BEGIN EXCLUSIVE", NULL, NULL, NULL) == SQLITE_OK);
    CHECK_INT(rmd_store_record(s, "RMD-SERVER-DOWN", "server-down", "critical", "t", "x", 5), RMD_ETIMEOUT);
    CHECK(strstr(rmd_store_errstr(s), "stayed locked by another process") != NULL);
    CHECK(strstr(rmd_store_errstr(s), path) != NULL);
    sqlite3_exec(holder, "COMMIT", NULL, NULL, NULL);
    sqlite3_close(holder);
    CHECK_INT(rmd_store_record(s, "RMD-SERVER-DOWN", "server-down", "critical", "t", "x", 6), RMD_OK);
    CHECK_STR(rmd_store_errstr(s), "");
    rmd_store_close(s);
    rm_tree(dir);
}

int main(void) {
    RUN(fresh_db_nested_dirs_and_stats);
    RUN(long_strings_truncated_and_recent_capped);
    RUN(default_path_honours_xdg);
    RUN(open_default_path_under_xdg);
    RUN(text_file_is_refused);
    RUN(unwritable_location_is_refused);
    RUN(newer_schema_is_refused);
    RUN(reopen_keeps_data);
    RUN(old_rows_pruned_beyond_limit);
    RUN(concurrent_writers_lose_nothing);
    RUN(created_private_even_with_open_umask);
    RUN(world_readable_existing_db_is_warned_about);
    RUN(locked_past_busy_timeout_is_reported);
    return UNIT_END();
}
