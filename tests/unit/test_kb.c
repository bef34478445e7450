/* test_kb.c -- runbook parsing and lint: one test per kind of problem, the seed
 * runbook as it is, steps extraction, placeholder filling and injection. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "advice.h"
#include "evidence.h"
#include "kb.h"
#include "unit.h"

#define GOOD_HEAD "---\nerror_id: T-1\ntitle: Test\nseverity: warning\n"

/* Parse text; return the problems (caller frees) and whether it was usable. */
static int parse(const char *text, rmd_kb_problems *probs, rmd_runbook *rb) {
    return rmd_kb_parse("t.md", text, strlen(text), rb, probs) == RMD_OK;
}

/* The first problem that is an error contains needle, at line:col. */
static int has_problem(const rmd_kb_problems *p, const char *needle, int line, int col) {
    for (size_t i = 0; i < p->n; i++)
        if (strstr(p->items[i].msg, needle) && (!line || p->items[i].line == line) && (!col || p->items[i].col == col))
            return 1;
    for (size_t i = 0; i < p->n; i++)
        fprintf(stderr, "  got %d:%d %s %s\n", p->items[i].line, p->items[i].col, p->items[i].warning ? "warning" : "error",
                p->items[i].msg);
    return 0;
}

#define EXPECT_PROBLEM(text, needle, line, col) do {                \
        rmd_kb_problems p_ = {0};                                  \
        rmd_runbook rb_;                                           \
        CHECK(!parse(text, &p_, &rb_));                            \
        CHECK(has_problem(&p_, needle, line, col));                \
        rmd_runbook_free(&rb_);                                    \
        rmd_kb_problems_free(&p_);                                 \
    } while (0)

TEST(good_runbook_and_steps) {
    const char *t = GOOD_HEAD "cause: server-down\nauto_fix: true\nfix_command: systemctl start redis-server\n"
                              "patterns:\n  - 'Error 111 connecting to [^ ]+'\n"
                              "exceptions:\n  - window: \"Sun 03:00-04:00\"\n    effect: downgrade\n    severity: low\n"
                              "  - after_boot_s: 120\n    effect: hold\n---\n"
                              "## Symptoms\nx\n## 🩺 Diagnosis Steps\n```bash\n# comment\n{cli} ping\n\nss -ltn\n```\n"
                              "## Resolution\n```\nsystemctl start {service}\n```\n## Notes\n```\nnot a step\n```\n";
    rmd_kb_problems p = {0};
    rmd_runbook rb;
    CHECK(parse(t, &p, &rb));
    CHECK_INT((long long)p.errors, 0);
    CHECK_STR(rb.error_id, "T-1");
    CHECK_STR(rb.cause, "server-down");
    CHECK_INT(rb.auto_fix, 1);
    CHECK_INT((long long)rb.n_exceptions, 2);
    CHECK_INT(rb.exceptions[1].after_boot_s, 120);
    rmd_strlist steps = {0};
    rmd_kb_steps(&rb, &steps);
    CHECK_INT((long long)steps.n, 3);
    if (steps.n == 3) {
        CHECK_STR(steps.items[0], "{cli} ping");
        CHECK_STR(steps.items[1], "ss -ltn");
        CHECK_STR(steps.items[2], "systemctl start {service}");
    }
    rmd_strlist_free(&steps);
    rmd_runbook_free(&rb);
    rmd_kb_problems_free(&p);
}

TEST(seed_runbook_loads_unchanged) {
    rmd_kb kb = {0};
    rmd_kb_problems p = {0};
    int n = rmd_kb_load_path(&kb, "../shared/seeds/001_637540c2f2690f34.txt", &p);
    if (access("../shared/seeds/001_637540c2f2690f34.txt", R_OK) != 0) return; /* shared/ not beside this clone */
    CHECK_INT(n, 1);
    CHECK_INT((long long)p.errors, 0);
    const rmd_runbook *rb = rmd_kb_find(&kb, "error-001");
    CHECK(rb != NULL);
    if (rb) {
        CHECK_STR(rb->title, "Redis Connection Refused");
        CHECK_INT((long long)rb->patterns.n, 3);
        CHECK_STR(rb->fix_command, "docker restart redis");
        CHECK_INT(rb->occurrence_count, 7);
        rmd_strlist steps = {0};
        rmd_kb_steps(rb, &steps);
        CHECK(steps.n >= 5);
        if (steps.n) CHECK_STR(steps.items[0], "docker ps | grep redis");
        rmd_strlist_free(&steps);
    }
    rmd_kb_problems_free(&p);
    rmd_kb_free(&kb);
}

TEST(bad_yaml) { EXPECT_PROBLEM(GOOD_HEAD "patterns: [unclosed\n---\nbody\n", "bad YAML", 0, 0); }

TEST(tab_indented_yaml) {
    EXPECT_PROBLEM(GOOD_HEAD "keywords:\n\t- redis\n---\nbody\n", "tab character", 6, 1);
}

TEST(no_front_matter) { EXPECT_PROBLEM("# Just markdown\n\nNo front matter.\n", "no YAML front matter", 1, 1); }

TEST(unterminated_front_matter) { EXPECT_PROBLEM(GOOD_HEAD "body but no closing line\n", "no YAML front matter", 1, 1); }

TEST(not_utf8) { EXPECT_PROBLEM(GOOD_HEAD "---\nline one\nbad \xff byte\n", "not UTF-8", 7, 5); }

TEST(missing_required_keys) { EXPECT_PROBLEM("---\nerror_id: X-1\n---\nbody\n", "missing required key 'title'", 0, 0); }

TEST(bad_types) {
    EXPECT_PROBLEM(GOOD_HEAD "auto_fix: sometimes\n---\n", "must be true or false", 5, 11);
    EXPECT_PROBLEM(GOOD_HEAD "occurrence_count: many\n---\n", "whole number", 5, 19);
    EXPECT_PROBLEM(GOOD_HEAD "first_seen: yesterday\n---\n", "YYYY-MM-DD", 5, 13);
    EXPECT_PROBLEM(GOOD_HEAD "title2: x\nseverity: urgent\n---\n", "not one of", 0, 0);
}

TEST(unknown_cause) { EXPECT_PROBLEM(GOOD_HEAD "cause: server-on-fire\n---\n", "unknown cause id 'server-on-fire'", 5, 8); }

TEST(pattern_does_not_compile) {
    EXPECT_PROBLEM(GOOD_HEAD "patterns:\n  - 'ok'\n  - 'broken(group'\n---\n", "does not compile at offset 12", 7, 5);
}

TEST(generic_and_fallback_patterns_are_checked) {
    EXPECT_PROBLEM(GOOD_HEAD "generic_patterns:\n  - '(?i)connection refused'\n  - 'x(y'\n---\n", "does not compile", 7, 5);
    EXPECT_PROBLEM(GOOD_HEAD "fallback_patterns:\n  - '(a+)+$'\n---\n", "nested unbounded quantifier", 6, 5);
    rmd_kb_problems p = {0};
    rmd_runbook rb;
    CHECK(parse(GOOD_HEAD "generic_patterns: ['(?i)broken pipe']\nfallback_patterns: ['JedisConnectionException']\n---\n", &p, &rb));
    CHECK_INT((long long)rb.generic_patterns.n, 1);
    CHECK_INT((long long)rb.fallback_patterns.n, 1);
    rmd_runbook_free(&rb);
    rmd_kb_problems_free(&p);
}

TEST(catastrophic_pattern) {
    EXPECT_PROBLEM(GOOD_HEAD "patterns:\n  - '(a+)+$'\n---\n", "nested unbounded quantifier", 6, 5);
    EXPECT_PROBLEM(GOOD_HEAD "patterns:\n  - '^(\\w+\\s?)*x'\n---\n", "nested unbounded quantifier", 6, 5);
    /* bounded or simple ones are fine */
    rmd_kb_problems p = {0};
    rmd_runbook rb;
    CHECK(parse(GOOD_HEAD "patterns:\n  - '(ab){2}x+'\n  - '[(+]+(x)'\n  - 'Error \\d+ connecting'\n---\n", &p, &rb));
    rmd_runbook_free(&rb);
    rmd_kb_problems_free(&p);
}

TEST(huge_pattern) {
    size_t n = 10 << 20;
    char *t = malloc(n + 200);
    strcpy(t, GOOD_HEAD "patterns:\n  - '");
    size_t l = strlen(t);
    memset(t + l, 'a', n);
    strcpy(t + l + n, "'\n---\n");
    EXPECT_PROBLEM(t, "characters long; the limit is 4096", 6, 5);
    free(t);
}

TEST(fix_command_not_argv) {
    EXPECT_PROBLEM(GOOD_HEAD "fix_command: docker restart redis && rm -rf /data\n---\n", "cannot be split into argv", 5, 14);
    EXPECT_PROBLEM(GOOD_HEAD "fix_command: 'echo \"unbalanced'\n---\n", "cannot be split into argv", 5, 14);
    EXPECT_PROBLEM(GOOD_HEAD "fix_command: redis-cli -p $(cat port) ping\n---\n", "cannot be split", 0, 0);
    EXPECT_PROBLEM(GOOD_HEAD "auto_fix: true\n---\n", "no fix_command", 0, 0);
    rmd_strlist argv = {0};
    int col;
    CHECK_INT(rmd_kb_split_argv("redis-cli -h 'my host' \"CONFIG\" SET tcp-keepalive 300", &argv, &col), RMD_OK);
    CHECK_INT((long long)argv.n, 7);
    if (argv.n == 7) CHECK_STR(argv.items[2], "my host");
    rmd_strlist_free(&argv);
}

TEST(related_to_itself) { EXPECT_PROBLEM(GOOD_HEAD "related_errors: [T-1]\n---\n", "names the runbook itself", 5, 18); }

TEST(bad_exceptions) {
    EXPECT_PROBLEM(GOOD_HEAD "exceptions:\n  - window: \"Someday 3am\"\n    effect: hold\n---\n", "is not like", 6, 13);
    EXPECT_PROBLEM(GOOD_HEAD "exceptions:\n  - effect: hold\n---\n", "exactly one of", 0, 0);
    EXPECT_PROBLEM(GOOD_HEAD "exceptions:\n  - after_boot_s: 5\n    effect: explode\n---\n", "effect must be", 0, 0);
    EXPECT_PROBLEM(GOOD_HEAD "exceptions:\n  - after_boot_s: 5\n    effect: downgrade\n---\n", "needs the 'severity'", 0, 0);
}

/* Cross-file checks through files in a temp dir. */
static char tmpdir[64];

static void write_file(const char *name, const char *text) {
    char path[256];
    snprintf(path, sizeof path, "%s/%s", tmpdir, name);
    FILE *f = fopen(path, "w");
    fputs(text, f);
    fclose(f);
}

TEST(cross_file_checks) {
    strcpy(tmpdir, "/tmp/rmd-kbtest-XXXXXX");
    CHECK(mkdtemp(tmpdir) != NULL);
    write_file("a.md", "---\nerror_id: A-1\ntitle: A\nseverity: low\nrelated_errors: [B-1, NOPE-9]\n"
                       "escalation:\n  after_failed_fixes: 3\n  runbook: B-1\n---\n");
    write_file("b.md", "---\nerror_id: B-1\ntitle: B\nseverity: low\nescalation:\n  runbook: A-1\n---\n");
    write_file("dup.md", "---\nerror_id: A-1\ntitle: dup\nseverity: low\n---\n");
    write_file("ghost.md", "---\nerror_id: G-1\ntitle: G\nseverity: low\nescalation:\n  runbook: NOWHERE-1\n---\n");
    write_file("notes.txt", "not a runbook: not .md, skipped in directories\n");
    char sub[128];
    snprintf(sub, sizeof sub, "%s/dir.md", tmpdir);
    mkdir(sub, 0755);
    rmd_kb kb = {0};
    rmd_kb_problems p = {0};
    CHECK_INT(rmd_kb_load_path(&kb, tmpdir, &p), 4);
    CHECK(has_problem(&p, "is a directory", 0, 0));
    rmd_kb_check(&kb, 0, &p);
    CHECK(has_problem(&p, "duplicate error_id A-1", 2, 11));
    CHECK(has_problem(&p, "related error NOPE-9 is not in this knowledge base", 5, 23));
    CHECK(has_problem(&p, "escalation cycle", 8, 12));
    CHECK(has_problem(&p, "escalation runbook NOWHERE-1 does not exist", 6, 12));
    /* override: the later runbook with the same id wins */
    CHECK_STR(rmd_kb_find(&kb, "A-1")->title, "dup");
    rmd_kb_problems_free(&p);
    rmd_kb_free(&kb);
    /* an unreadable file */
    char path[256];
    snprintf(path, sizeof path, "%s/b.md", tmpdir);
    chmod(path, 0);
    if (geteuid() != 0) {
        CHECK_INT(rmd_kb_load_path(&kb, path, &p), 0);
        CHECK(has_problem(&p, "cannot read", 0, 0));
    }
    rmd_kb_problems_free(&p);
    rmd_kb_free(&kb);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", tmpdir);
    CHECK(system(cmd) == 0);
}

TEST(builtin_kb_is_complete_and_clean) {
    rmd_kb kb = {0};
    rmd_kb_problems p = {0};
    rmd_kb_load_builtin(&kb, &p);
    rmd_kb_check(&kb, 1, &p);
    if (p.errors) rmd_kb_problems_print(&p, stderr);
    CHECK_INT((long long)p.errors, 0);
    rmd_kb_problems_free(&p);
    rmd_kb_free(&kb);
}

TEST(exception_windows) {
    rmd_kb_exception x = {.window = "Sun 03:00-04:00", .after_boot_s = -1};
    struct tm tm = {0};
    tm.tm_wday = 0; tm.tm_hour = 3; tm.tm_min = 30;
    CHECK(rmd_kb_exception_active(&x, &tm, 99999));
    tm.tm_hour = 4; tm.tm_min = 0;
    CHECK(!rmd_kb_exception_active(&x, &tm, 99999));
    tm.tm_wday = 1; tm.tm_hour = 3; tm.tm_min = 30;
    CHECK(!rmd_kb_exception_active(&x, &tm, 99999));
    x.window = "Fri-Mon 22:00-02:00"; /* wraps the week and midnight */
    tm.tm_wday = 0; tm.tm_hour = 23; tm.tm_min = 0;
    CHECK(rmd_kb_exception_active(&x, &tm, 1e9));
    tm.tm_wday = 3;
    CHECK(!rmd_kb_exception_active(&x, &tm, 1e9));
    tm.tm_wday = 6; tm.tm_hour = 1; tm.tm_min = 59;
    CHECK(rmd_kb_exception_active(&x, &tm, 1e9));
    x.window = "daily 02:00-02:15";
    tm.tm_wday = 3; tm.tm_hour = 2; tm.tm_min = 5;
    CHECK(rmd_kb_exception_active(&x, &tm, 1e9));
    rmd_kb_exception b = {.window = NULL, .after_boot_s = 120};
    CHECK(rmd_kb_exception_active(&b, &tm, 60));
    CHECK(!rmd_kb_exception_active(&b, &tm, 121));
    CHECK_INT(rmd_kb_severity_level("LOW"), 0);
    CHECK_INT(rmd_kb_severity_level("medium"), 1);
    CHECK_INT(rmd_kb_severity_level("sev2"), -1);
}

int main(void) {
    RUN(exception_windows);
    RUN(good_runbook_and_steps);
    RUN(seed_runbook_loads_unchanged);
    RUN(bad_yaml);
    RUN(tab_indented_yaml);
    RUN(no_front_matter);
    RUN(unterminated_front_matter);
    RUN(not_utf8);
    RUN(missing_required_keys);
    RUN(bad_types);
    RUN(unknown_cause);
    RUN(pattern_does_not_compile);
    RUN(catastrophic_pattern);
    RUN(generic_and_fallback_patterns_are_checked);
    RUN(huge_pattern);
    RUN(fix_command_not_argv);
    RUN(related_to_itself);
    RUN(bad_exceptions);
    RUN(cross_file_checks);
    RUN(builtin_kb_is_complete_and_clean);
    return UNIT_END();
}
