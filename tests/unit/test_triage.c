/* test_triage.c -- the triage classifier on the corpus of real client and
 * server messages (tests/data/triage/samples-*.tsv: "cause<TAB>line  # source")
 * and on benign lines that merely mention Redis (benign.txt). Prints precision
 * and recall; fails below the floors. Also: aggregation, trends, sources. */
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "causes.h"
#include "classify.h"
#include "kb.h"
#include "triage.h"
#include "unit.h"

static rmd_kb kb;
static rmd_classifier *cls;

static long tp, fp, fn, samples, benign, benign_fp;

/* Benign lines (benign.txt: other services' connection errors, healthy Redis
 * lines) that the classifier still takes for Redis errors. A ratchet, not a
 * target: issue 9 item 4 (context for generic lines) brings it to 0; lower
 * it whenever the count drops, never raise it. */
#define BENIGN_FP_BUDGET 0

static void strip_source(char *line) {
    char *hash = strstr(line, "  # ");
    if (!hash) hash = strstr(line, " # ");
    if (hash) *hash = '\0';
    size_t n = strlen(line);
    while (n && (line[n - 1] == '\n' || line[n - 1] == '\r')) line[--n] = '\0';
}

static void run_samples(const char *path) {
    FILE *f = fopen(path, "r");
    char buf[8192];
    while (f && fgets(buf, sizeof buf, f)) {
        char *tab = strchr(buf, '\t');
        if (buf[0] == '#' || !tab) continue;
        *tab = '\0';
        char *line = tab + 1;
        strip_source(line);
        int idx = rmd_classify_line(cls, line, strlen(line));
        const char *got = idx >= 0 ? rmd_classifier_label(cls, idx) : NULL;
        samples++;
        if (got && !strcmp(got, buf)) tp++;
        else {
            fn++;
            if (got) fp++;
            fprintf(stderr, "  miss: want %s, got %s: %.160s\n", buf, got ? got : "nothing", line);
        }
    }
    if (f) fclose(f);
}

TEST(corpus_precision_recall) {
    DIR *d = opendir("tests/data/triage");
    struct dirent *de;
    CHECK(d != NULL);
    while (d && (de = readdir(d))) {
        if (strncmp(de->d_name, "samples-", 8)) continue;
        char path[512];
        snprintf(path, sizeof path, "tests/data/triage/%s", de->d_name);
        run_samples(path);
    }
    if (d) closedir(d);
    FILE *f = fopen("tests/data/triage/benign.txt", "r");
    char buf[4096];
    while (f && fgets(buf, sizeof buf, f)) {
        strip_source(buf);
        if (!buf[0]) continue;
        benign++;
        int idx = rmd_classify_line(cls, buf, strlen(buf));
        if (idx >= 0) {
            benign_fp++;
            fprintf(stderr, "  false positive (%s): %.160s\n", rmd_classifier_label(cls, idx), buf);
        }
    }
    if (f) fclose(f);
    double precision = tp + fp ? (double)tp / (double)(tp + fp) : 1, recall = samples ? (double)tp / (double)samples : 0;
    printf("  triage corpus: %ld error samples, %ld benign lines, %zu patterns: precision %.1f%%, recall %.1f%%, "
           "benign false positives %ld (budget %d)\n",
           samples, benign, rmd_classifier_patterns(cls), precision * 100, recall * 100, benign_fp, BENIGN_FP_BUDGET);
    CHECK(samples >= 50);
    CHECK(precision >= 0.95);
    CHECK(recall >= 0.85);
    CHECK(benign_fp <= BENIGN_FP_BUDGET);
}

/* Corpus by split: how well triage recognises the real messages of
 * redis-server and the client libraries, measured on a fixed split.
 *
 * tests/data/triage/messages/<library>.tsv holds one message per line:
 * "cause<TAB>library@version<TAB>source<TAB>line"; a line field may hold an
 * excerpt of several log lines separated by the two characters "\n" (a
 * trace: its cause is the deepest classified line that is not "unknown",
 * as `triage` reports an exception block). tests/data/triage/split.tsv says
 * which files the patterns were written from ("train") and which were kept
 * apart to measure generalisation ("unseen"; a file it does not list counts
 * as unseen). Prints recall per cause and per library for each half, and
 * false positives on benign.txt (lines that mention Redis or are other
 * systems' errors). Fails when a benign line is classified or when the train
 * recall drops below TRAIN_FLOOR; the unseen figure is a measurement, printed
 * and not asserted, and its misses are not printed (they would show the
 * held-out messages to whoever tunes the patterns).
 */
#define DIR_MSG     "tests/data/triage/messages"
#define SPLIT_FILE  "tests/data/triage/split.tsv"
#define BENIGN_FILE "tests/data/triage/benign.txt"
#define TRAIN_FLOOR 0.95
#define MAX_LIBS    96
#define MAX_MSG     16384

typedef struct tally {
    char name[64];
    long n, ok;
} tally;

typedef struct half {
    const char *name;               /* "train" | "unseen" */
    tally       causes[RMD_CAUSE__COUNT];
    tally       libs[MAX_LIBS];
    int         n_libs;
    long        n, ok;
    long        refused;            /* misses that a pattern explains but the evidence rule refused */
    long        wrong;              /* misses classified as another cause */
} half;

static half train = {.name = "train"}, unseen = {.name = "unseen"};
static char split_names[MAX_LIBS][64];
static int split_train[MAX_LIBS], n_split;

static void load_split(void) {
    FILE *f = fopen(SPLIT_FILE, "r");
    char buf[256];
    while (f && fgets(buf, sizeof buf, f) && n_split < MAX_LIBS) {
        char *tab = strchr(buf, '\t');
        if (buf[0] == '#' || !tab) continue;
        *tab = '\0';
        snprintf(split_names[n_split], sizeof split_names[0], "%.63s", buf);
        split_train[n_split++] = !strncmp(tab + 1, "train", 5);
    }
    if (f) fclose(f);
}

static half *half_of(const char *lib) {
    for (int i = 0; i < n_split; i++)
        if (!strcmp(split_names[i], lib)) return split_train[i] ? &train : &unseen;
    return &unseen;
}

/* The event label of a block: the deepest classified line not "unknown",
 * else "unknown" when a line was classified, else NULL. */
typedef struct block { const char *label; } block;

static void on_block_line(const char *line, size_t len, int idx, void *arg) {
    block *b = arg;
    const char *l = rmd_classifier_label(cls, idx);
    (void)line;
    (void)len;
    if (strcmp(l, "unknown") || !b->label) b->label = l;
}

static const char *classify_block(char *text) {
    size_t w = 0;
    for (size_t r = 0; text[r]; r++) { /* "\n" (two characters) separates the lines of an excerpt */
        if (text[r] == '\\' && text[r + 1] == 'n') {
            text[w++] = '\n';
            r++;
        } else if (text[r] == '\\' && text[r + 1] == 't') {
            text[w++] = '\t';
            r++;
        } else {
            text[w++] = text[r];
        }
    }
    text[w] = '\0';
    block b = {NULL};
    rmd_classifier_reset(cls);
    rmd_classifier_scan(cls, text, w, on_block_line, &b);
    return b.label;
}

static tally *slot(tally *arr, int *n, int max, const char *name) {
    for (int i = 0; i < *n; i++)
        if (!strcmp(arr[i].name, name)) return &arr[i];
    if (*n >= max) return NULL;
    snprintf(arr[*n].name, sizeof arr[*n].name, "%.63s", name);
    return &arr[(*n)++];
}

static void tally_one(half *h, const char *lib, const char *cause, int ok) {
    int c = rmd_cause_find(cause);
    h->n++;
    h->ok += ok;
    tally *t = slot(h->libs, &h->n_libs, MAX_LIBS, lib);
    if (t) { t->n++; t->ok += ok; }
    if (c >= 0) {
        snprintf(h->causes[c].name, sizeof h->causes[c].name, "%.63s", cause);
        h->causes[c].n++;
        h->causes[c].ok += ok;
    }
}

static long run_file(const char *lib, const char *path) {
    FILE *f = fopen(path, "r");
    static char buf[MAX_MSG];
    half *h = half_of(lib);
    long lineno = 0, bad = 0;
    while (f && fgets(buf, sizeof buf, f)) {
        lineno++;
        size_t n = strlen(buf);
        while (n && (buf[n - 1] == '\n' || buf[n - 1] == '\r')) buf[--n] = '\0';
        if (!n || buf[0] == '#') continue;
        char *field[4] = {buf, NULL, NULL, NULL};
        for (int k = 1; k < 4; k++) {
            char *tab = field[k - 1] ? strchr(field[k - 1], '\t') : NULL;
            if (tab) { *tab = '\0'; field[k] = tab + 1; }
        }
        if (!field[3] || (rmd_cause_find(field[0]) < 0)) {
            fprintf(stderr, "  %s:%ld: not cause<TAB>library<TAB>source<TAB>line with a known cause\n", path, lineno);
            bad++;
            continue;
        }
        const char *got = classify_block(field[3]);
        int ok = got && !strcmp(got, field[0]);
        tally_one(h, lib, field[0], ok);
        h->wrong += !ok && got;
        if (!ok) { /* would the line be right without the evidence rule? (a count, no text) */
            rmd_classifier_require_evidence(cls, 0);
            const char *loose = classify_block(field[3]);
            rmd_classifier_require_evidence(cls, 1);
            h->refused += loose && !strcmp(loose, field[0]);
        }
        if (!ok && h == &train)
            fprintf(stderr, "  miss %s:%ld: want %s, got %s: %.200s\n", lib, lineno, field[0], got ? got : "nothing", field[3]);
    }
    if (f) fclose(f);
    return bad;
}

static double pct(long ok, long n) { return n ? 100.0 * (double)ok / (double)n : 0; }

static void print_half(const half *h) {
    printf("  triage recall, %s half: %ld/%ld = %.1f%%; of the misses, %ld another cause, %ld without Redis evidence on "
           "the line or its trace\n",
           h->name, h->ok, h->n, pct(h->ok, h->n), h->wrong, h->refused);
    printf("    per cause:");
    for (int c = 0; c < RMD_CAUSE__COUNT; c++)
        if (h->causes[c].n)
            printf(" %s %ld/%ld;", h->causes[c].name, h->causes[c].ok, h->causes[c].n);
    printf("\n    per library:");
    for (int i = 0; i < h->n_libs; i++) printf(" %s %.0f%% (%ld);", h->libs[i].name, pct(h->libs[i].ok, h->libs[i].n), h->libs[i].n);
    printf("\n");
}

/* Benign lines, each alone and then the whole file as one log (so that the
 * context rules see neighbouring lines and URLs as they would in a file). */
static long benign_false_positives(long *lines) {
    FILE *f = fopen(BENIGN_FILE, "r");
    static char all[1 << 20];
    size_t used = 0;
    long fps = 0;
    char buf[MAX_MSG];
    *lines = 0;
    while (f && fgets(buf, sizeof buf, f)) {
        size_t n = strlen(buf);
        if (used + n < sizeof all) { memcpy(all + used, buf, n); used += n; }
        while (n && (buf[n - 1] == '\n' || buf[n - 1] == '\r')) buf[--n] = '\0';
        if (!n || buf[0] == '#') continue;
        (*lines)++;
        rmd_classifier_reset(cls);
        int idx = rmd_classify_line(cls, buf, n);
        if (idx >= 0) {
            fps++;
            fprintf(stderr, "  false positive (%s): %.200s\n", rmd_classifier_label(cls, idx), buf);
        }
    }
    if (f) fclose(f);
    block b = {NULL};
    rmd_classifier_reset(cls);
    rmd_classifier_scan(cls, all, used, on_block_line, &b);
    if (b.label && !fps) {
        fps++;
        fprintf(stderr, "  false positive in the whole benign file (%s)\n", b.label);
    }
    return fps;
}

TEST(corpus_by_split) {
    DIR *d = opendir(DIR_MSG);
    struct dirent *de;
    char names[MAX_LIBS][64];
    int n = 0;
    long bad = 0;
    CHECK(d != NULL);
    load_split();
    CHECK(n_split > 0);
    while (d && (de = readdir(d)) && n < MAX_LIBS) {
        size_t l = strlen(de->d_name);
        if (l < 5 || l >= sizeof names[0] + 4 || strcmp(de->d_name + l - 4, ".tsv")) continue;
        snprintf(names[n], sizeof names[0], "%.*s", (int)(l - 4), de->d_name);
        n++;
    }
    if (d) closedir(d);
    qsort(names, (size_t)n, sizeof names[0], (int (*)(const void *, const void *))strcmp);
    for (int i = 0; i < n; i++) {
        char path[512];
        snprintf(path, sizeof path, "%s/%.63s.tsv", DIR_MSG, names[i]);
        bad += run_file(names[i], path);
    }
    long benign_lines = 0, fps = benign_false_positives(&benign_lines);
    printf("  triage corpus: %d message files, %zu patterns; benign: %ld lines, %ld false positive%s\n", n,
           rmd_classifier_patterns(cls), benign_lines, fps, fps == 1 ? "" : "s");
    print_half(&train);
    if (unseen.n) print_half(&unseen);
    else printf("  triage recall, unseen half: no unseen files yet\n");
    CHECK(bad == 0);
    CHECK(fps == 0);
    CHECK(train.n >= 300);
    CHECK(pct(train.ok, train.n) >= TRAIN_FLOOR * 100);
}

/* Label of the last classified line of buf (NULL when none). */
static const char *last_label(const char *buf) {
    block b = {NULL};
    rmd_classifier_reset(cls);
    rmd_classifier_scan(cls, buf, strlen(buf), on_block_line, &b);
    return b.label;
}

TEST(context_rules) {
    /* generic wordings need Redis evidence, and never count for another service */
    CHECK(last_label("Error: connect ECONNREFUSED 127.0.0.1:7000\n") == NULL);
    CHECK_STR(last_label("Error: connect ECONNREFUSED 127.0.0.1:6379\n"), "server-down");
    CHECK(last_label("dial tcp 10.0.0.5:5432: connect: connection refused\n") == NULL);
    CHECK(last_label("java.net.ConnectException: Connection refused\n\tat org.postgresql.Driver.connect(Driver.java:1)\n") == NULL);
    CHECK_STR(last_label("java.net.ConnectException: Connection refused\n\tat redis.clients.jedis.Connection.connect(Connection.java:1)\n"),
              "server-down");
    /* the port of a redis:// URL seen earlier in the same input */
    CHECK_STR(last_label("config: REDIS_URL=redis://:pw@cache:7000/0\nError: connect ECONNREFUSED 10.0.0.9:7000\n"), "server-down");
    CHECK(last_label("Error: connect ECONNREFUSED 10.0.0.9:7000\n") == NULL); /* reset between inputs */
    /* a wrapper exception is a fallback; the cause it wraps wins */
    CHECK_STR(last_label("redis.clients.jedis.exceptions.JedisConnectionException: java.net.SocketTimeoutException: connect timed out\n"),
              "connect-timeout");
    CHECK_STR(last_label("Redis::CannotConnectError: Error connecting to Redis on 10.0.3.7:6379 (Errno::ECONNREFUSED)\n"), "server-down");
    /* nothing Redis-related is dropped: a client's error with no known cause is "unknown" */
    CHECK_STR(last_label("redis.exceptions.NoPermissionError: User app has no permissions to run the 'flushall' command\n"), "unknown");
    /* both server wordings */
    CHECK_STR(last_label("-READONLY You can't write against a read only slave.\n"), "readonly-replica");
    CHECK_STR(last_label("-READONLY You can't write against a read only replica.\n"), "readonly-replica");
}

TEST(aggregation_and_trend) {
    rmd_triage *t = calloc(1, sizeof *t);
    rmd_endpoint ep = {.host = "10.0.3.7", .port = 6379, .text = "10.0.3.7:6379"};
    for (int i = 0; i < 100; i++) rmd_triage_add(t, "server-down", "RMD-SERVER-DOWN", 1000.0 + i, &ep, "redis-py", "x", 1);
    for (int i = 0; i < 40; i++) rmd_triage_add(t, "command-timeout", "RMD-COMMAND-TIMEOUT", 5000.0, NULL, "Jedis", "y", 1);
    for (int i = 0; i < 3; i++) rmd_triage_add(t, "command-timeout", "RMD-COMMAND-TIMEOUT", 1000.0 + i * 500, NULL, "Jedis", "y", 1);
    for (int i = 0; i < 60; i++) /* ever denser: a rising rate */
        rmd_triage_add(t, "pool-exhausted", "RMD-POOL-EXHAUSTED", 1000.0 + 6000.0 * sqrt(i / 60.0), NULL, "Jedis", "z", 1);
    rmd_triage_sort(t);
    CHECK_STR(t->labels[0].label, "server-down");
    CHECK_INT(t->labels[0].count, 100);
    CHECK_STR(rmd_triage_trend(&t->labels[0]), "constant");
    CHECK_INT(t->labels[0].endpoints[0].n, 100);
    for (int i = 0; i < t->n_labels; i++) {
        if (!strcmp(t->labels[i].label, "command-timeout")) CHECK_STR(rmd_triage_trend(&t->labels[i]), "spike");
        if (!strcmp(t->labels[i].label, "pool-exhausted")) CHECK_STR(rmd_triage_trend(&t->labels[i]), "gradual increase");
    }
    free(t);
}

TEST(sources) {
    CHECK_STR(rmd_triage_source("redis.exceptions.ConnectionError: x", 35), "redis-py");
    CHECK_STR(rmd_triage_source("1234:M 22 Nov 2026 10:00:03.123 # x", 35), "redis-server");
    CHECK_STR(rmd_triage_source("redis.clients.jedis.exceptions.JedisConnectionException", 55), "Jedis");
    CHECK_STR(rmd_triage_source("plain text", 10), "unknown");
}

TEST(database_cache_survives_corruption) {
    char dir[] = "/tmp/rmd-hscache-XXXXXX", err[256];
    CHECK(mkdtemp(dir) != NULL);
    setenv("XDG_CACHE_HOME", dir, 1);
    const char *line = "redis.exceptions.ConnectionError: Error 111 connecting to 10.0.3.7:6379. Connection refused.";
    for (int round = 0; round < 3; round++) {
        if (round == 2) { /* corrupt every cached database: must fall back to compiling */
            char cmd[256];
            snprintf(cmd, sizeof cmd, "for f in %s/redis-medic/*.hsdb; do head -c 64 \"$f\" > \"$f.t\" && mv \"$f.t\" \"$f\"; done", dir);
            CHECK(system(cmd) == 0);
        }
        rmd_classifier *c = rmd_classifier_new(&kb, err, sizeof err);
        CHECK(c != NULL);
        if (!c) break;
        int idx = rmd_classify_line(c, line, strlen(line));
        CHECK(idx >= 0 && !strcmp(rmd_classifier_label(c, idx), "server-down"));
        rmd_classifier_free(c);
    }
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    CHECK(system(cmd) == 0);
    unsetenv("XDG_CACHE_HOME");
}

int main(void) {
    char err[256];
    rmd_kb_problems probs = {0};
    rmd_kb_load_builtin(&kb, &probs);
    rmd_kb_problems_free(&probs);
    cls = rmd_classifier_new(&kb, err, sizeof err);
    if (!cls) {
        fprintf(stderr, "classifier: %s\n", err);
        return 1;
    }
    RUN(corpus_precision_recall);
    RUN(corpus_by_split);
    RUN(context_rules);
    RUN(aggregation_and_trend);
    RUN(sources);
    RUN(database_cache_survives_corruption);
    rmd_classifier_free(cls);
    rmd_kb_free(&kb);
    return UNIT_END();
}
