/* test_triage.c -- the triage classifier on the corpus of real client and
 * server messages (tests/data/triage/samples-*.tsv: "cause<TAB>line  # source")
 * and on benign lines that merely mention Redis (benign.txt). Prints precision
 * and recall; fails below the floors. Also: aggregation, trends, sources. */
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
#define BENIGN_FP_BUDGET 33

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
    RUN(aggregation_and_trend);
    RUN(sources);
    RUN(database_cache_survives_corruption);
    rmd_classifier_free(cls);
    rmd_kb_free(&kb);
    return UNIT_END();
}
