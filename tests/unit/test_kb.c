/* test_kb.c -- runbook parsing and lint: one test per kind of problem, the seed
 * runbook as it is, steps extraction, placeholder filling and injection. */
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>

#include "advice.h"
#include "evidence.h"
#include "kb.h"
#include "unit.h"
#include "causes.h"
#include "cmd.h"
#include "store.h"
#include "yamlx.h"

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

TEST(no_front_matter) { EXPECT_PROBLEM("Just text.\n\nNo heading, no front matter.\n", "no title", 1, 1); }

TEST(unterminated_front_matter) { EXPECT_PROBLEM(GOOD_HEAD "body but no closing line\n", "never closed", 1, 1); }

TEST(not_utf8) { EXPECT_PROBLEM(GOOD_HEAD "---\nline one\nbad \xff byte\n", "not UTF-8", 7, 5); }

TEST(missing_required_keys) { EXPECT_PROBLEM("---\nerror_id: X-1\n---\nbody\n", "no title", 4, 1); }

TEST(bad_types) {
    EXPECT_PROBLEM(GOOD_HEAD "auto_fix: sometimes\n---\n", "must be true or false", 5, 11);
    EXPECT_PROBLEM(GOOD_HEAD "occurrence_count: many\n---\n", "whole number", 5, 19);
    EXPECT_PROBLEM(GOOD_HEAD "first_seen: yesterday\n---\n", "YYYY-MM-DD", 5, 13);
    EXPECT_PROBLEM(GOOD_HEAD "title2: x\nseverity: urgent\n---\n", "not on a scale", 6, 11);
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
    EXPECT_PROBLEM(GOOD_HEAD "first_seen: 2025-13-45\n---\n", "must be a date YYYY-MM-DD", 5, 13);
    EXPECT_PROBLEM(GOOD_HEAD "first_seen: 2025-02-29\n---\n", "must be a date YYYY-MM-DD", 5, 13);
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


/* ------------------------------------------------ team formats (issue 10) */

#define SEEDS "tests/data/kb/seeds"

/* Does rb link to cause? */
static int links(const rmd_runbook *rb, const char *cause) { return rmd_kb_link_of(rb, cause) != NULL; }

static const rmd_runbook *by_source(const rmd_kb *kb, const char *part) {
    for (size_t i = 0; i < kb->n; i++)
        if (strstr(kb->items[i].source, part)) return &kb->items[i];
    return NULL;
}

TEST(seeds_load_and_link) {
    rmd_kb kb = {0};
    rmd_kb_problems p = {0};
    CHECK_INT(rmd_kb_load_path(&kb, SEEDS, &p), 5);
    CHECK_INT((long long)p.errors, 0);
    static const struct { const char *file; const char *causes[6]; } want[] = {
        {"000_", {"server-down"}},
        {"001_", {"server-down"}},
        {"002_", {"connect-timeout", "server-unresponsive", "high-latency", "keepalive-disabled", "firewall-reject"}},
        {"003_", {"server-down", "oom-maxmemory", "clients-near-limit", "maxclients-reached", "persistence-failure",
                  "high-latency"}},
        {"004_", {"clients-near-limit", "maxclients-reached", "connection-leak", "pool-exhausted"}},
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        const rmd_runbook *rb = by_source(&kb, want[i].file);
        CHECK(rb != NULL);
        if (!rb) continue;
        for (size_t k = 0; k < 6 && want[i].causes[k]; k++) {
            if (!links(rb, want[i].causes[k])) fprintf(stderr, "  %s: no link to %s\n", want[i].file, want[i].causes[k]);
            CHECK(links(rb, want[i].causes[k]));
        }
        for (size_t k = 0; k < rb->n_links; k++) CHECK(rb->links[k].reason && strstr(rb->links[k].reason, "the "));
    }
    const rmd_runbook *s2 = by_source(&kb, "002_"), *s4 = by_source(&kb, "004_"), *s3 = by_source(&kb, "003_");
    if (s2) {
        CHECK(!links(s2, "server-down")); /* a refused connection among its symptoms is not its subject */
        CHECK_INT(s2->format, RMD_KB_FMT_BOLD_META);
        CHECK_STR(s2->severity, "warning");
        CHECK_STR(s2->title, "Redis Connection Timeouts and Network Issues");
    }
    if (s4) {
        CHECK_INT(s4->format, RMD_KB_FMT_FRONT_MATTER);
        CHECK_STR(s4->severity, "high");
        CHECK_STR(s4->severity_written, "sev2");
        CHECK_STR(s4->author, "platform-team");
        CHECK_STR(s4->last_validated, "2024-01-10");
        CHECK_INT((long long)s4->services.n, 3);
        CHECK_INT((long long)s4->tags.n, 3);
        CHECK_INT((long long)s4->symptoms.n, 3);
        CHECK_INT((long long)s4->contacts.n, 3);
        CHECK(s4->contacts.n && strstr(s4->contacts.items[0], "#platform-oncall"));
        CHECK(!links(s4, "server-down"));
        const rmd_kb_link *l = rmd_kb_link_of(s4, "connection-leak");
        CHECK(l && strstr(l->reason, "the section 'Connection Leak'"));
        l = rmd_kb_link_of(s4, "pool-exhausted");
        CHECK(l && strstr(l->reason, "the symptom 'Connection pool exhausted'"));
        /* symptoms became literal, case-insensitive patterns that need Redis evidence on the line */
        int found = 0;
        for (size_t i = 0; i < s4->generic_patterns.n; i++)
            found |= !strcmp(s4->generic_patterns.items[i], "(?i)Connection pool exhausted");
        CHECK(found);
        /* steps for one cause leave out the sections about the others */
        rmd_strlist st = {0};
        rmd_kb_steps_for(s4, "connection-leak", &st);
        int restart = 0, scale = 0;
        for (size_t i = 0; i < st.n; i++) {
            restart |= strstr(st.items[i], "kubectl rollout restart") != NULL;
            scale |= strstr(st.items[i], "--node-group-count") != NULL;
        }
        CHECK(restart);
        CHECK(!scale);
        /* a multi-line command is one step */
        CHECK(st.n && strstr(st.items[0], "aws elasticache describe-cache-clusters --cache-cluster-id prod-redis"));
        rmd_strlist_free(&st);
    }
    if (s3) {
        CHECK_STR(s3->severity, "medium");
        CHECK_STR(s3->author, "Backend Team");
        rmd_strlist st = {0};
        rmd_kb_steps(s3, &st);
        for (size_t i = 0; i < st.n; i++) CHECK(!strstr(st.items[i], "redis.asyncio")); /* python is not a step */
        CHECK(st.n > 5);
        rmd_strlist_free(&st);
    }
    rmd_kb_problems_free(&p);
    rmd_kb_free(&kb);
}

TEST(team_runbook_comes_first) {
    rmd_kb kb = {0};
    rmd_kb_problems p = {0};
    rmd_kb_load_builtin(&kb, &p);
    rmd_kb_load_path(&kb, SEEDS, &p);
    const rmd_runbook *rb = rmd_kb_for_cause(&kb, "server-down");
    CHECK(rb && !rb->builtin && !strcmp(rb->error_id, "ERROR-001")); /* title link, has steps */
    rb = rmd_kb_for_cause(&kb, "maxclients-reached");
    CHECK(rb && strstr(rb->source, "004_")); /* a section beats a command */
    rb = rmd_kb_for_cause(&kb, "dns-failure");
    CHECK(rb && rb->builtin);
    /* steps: the team's first, then the built-in runbook's */
    rmd_strlist st = {0};
    rmd_kb_cause_steps(&kb, "server-down", &st);
    CHECK(st.n > 5);
    if (st.n) CHECK_STR(st.items[0], "docker ps | grep redis");
    int builtin = 0;
    for (size_t i = 0; i < st.n; i++) builtin |= strstr(st.items[i], "{cli}") != NULL;
    CHECK(builtin);
    rmd_strlist_free(&st);
    /* an inferred link does not override the built-in runbook for triage */
    for (size_t i = 0; i < kb.n; i++)
        if (kb.items[i].builtin && kb.items[i].cause && !strcmp(kb.items[i].cause, "server-down"))
            CHECK(!rmd_kb_is_overridden(&kb, i));
    rmd_kb_problems_free(&p);
    rmd_kb_free(&kb);
}

TEST(contact_kinds) {
    char h[64];
    CHECK_STR(rmd_kb_contact_kind("Primary: #platform-oncall in Slack", h, sizeof h), "slack");
    CHECK_STR(h, "#platform-oncall");
    CHECK_STR(rmd_kb_contact_kind("Secondary: @redis-team in Slack", h, sizeof h), "slack");
    CHECK_STR(h, "@redis-team");
    CHECK_STR(rmd_kb_contact_kind("Page Database Team via PagerDuty", h, sizeof h), "pagerduty");
    CHECK_STR(rmd_kb_contact_kind("mail dba@example.com", h, sizeof h), "email");
    CHECK_STR(h, "dba@example.com");
    CHECK_STR(rmd_kb_contact_kind("Backend Team + Infrastructure Team", h, sizeof h), "team");
    CHECK_STR(h, "");
}

TEST(severity_scales) {
    CHECK_STR(rmd_kb_severity_norm("sev1"), "critical");
    CHECK_STR(rmd_kb_severity_norm("SEV-2"), "high");
    CHECK_STR(rmd_kb_severity_norm("P3"), "medium");
    CHECK_STR(rmd_kb_severity_norm("p4"), "low");
    CHECK_STR(rmd_kb_severity_norm("Critical"), "critical");
    CHECK_STR(rmd_kb_severity_norm("warning"), "warning");
    CHECK(rmd_kb_severity_norm("urgent") == NULL);
    CHECK(rmd_kb_severity_norm("") == NULL);
}

TEST(placeholder_maps) {
    const char *t = "---\ntitle: Mapped\nplaceholders:\n  prod-redis: host\n  \"6379\": port\n---\n"
                    "## Diagnosis\n```bash\nredis-cli -h <redis-host> -p <redis-port> ping\n"
                    "aws elasticache describe --id prod-redis --group prod-redis-params\nnetstat -tln | grep :6379\n"
                    "kubectl rollout restart deployment/<service>\n```\n";
    rmd_kb_problems p = {0};
    rmd_runbook rb;
    CHECK(parse(t, &p, &rb));
    rmd_strlist st = {0};
    rmd_kb_steps(&rb, &st);
    CHECK_INT((long long)st.n, 4);
    if (st.n == 4) {
        CHECK_STR(st.items[0], "redis-cli -h {host} -p {port} ping");
        CHECK_STR(st.items[1], "aws elasticache describe --id {host} --group prod-redis-params");
        CHECK_STR(st.items[2], "netstat -tln | grep :{port}");
        CHECK_STR(st.items[3], "kubectl rollout restart deployment/<service>"); /* never guessed */
    }
    rmd_strlist_free(&st);
    rmd_kb_problems ex = {0};
    rmd_kb_explain(&rb, 0, &ex);
    CHECK(has_problem(&ex, "placeholder <service> cannot be filled", 12, 36));
    rmd_kb_problems_free(&ex);
    rmd_runbook_free(&rb);
    rmd_kb_problems_free(&p);
    EXPECT_PROBLEM("---\ntitle: x\nplaceholders:\n  prod-redis: nosuch\n---\n", "which is not a placeholder", 4, 15);
}

TEST(quoted_placeholders_rejected) {
    const char *t = "# Quoted\n## Diagnosis Steps\n```bash\nls -ld '{dir}'\ndf -h \"{dir}\"\nss -ltn 'sport = :{port}'\n"
                    "echo {dir} 'literal'\n```\n";
    rmd_kb_problems p = {0};
    rmd_runbook rb;
    CHECK(parse(t, &p, &rb));
    rmd_kb_problems ex = {0};
    rmd_kb_explain(&rb, 0, &ex);
    CHECK(has_problem(&ex, "placeholder {dir} is inside single quotes", 4, 9));
    CHECK(has_problem(&ex, "placeholder {dir} is inside double quotes", 5, 8));
    CHECK_INT((long long)ex.errors, 2); /* {port} is a number; an unquoted {dir} is fine */
    rmd_kb_problems_free(&ex);
    rmd_runbook_free(&rb);
    rmd_kb_problems_free(&p);
}

TEST(markdown_formats) {
    rmd_kb_problems p = {0};
    rmd_runbook rb;
    CHECK(parse("# DNS trouble for Redis\n\n**Severity**: P2\n**Owner**: sre\n\n## Escalation\n- #sre-oncall\n", &p, &rb));
    CHECK_STR(rb.title, "DNS trouble for Redis");
    CHECK_STR(rb.severity, "high");
    CHECK_STR(rb.author, "sre");
    CHECK_STR(rb.error_id, "t");
    CHECK(rb.id_derived);
    CHECK(links(&rb, "dns-failure"));
    CHECK_INT((long long)rb.contacts.n, 1);
    rmd_runbook_free(&rb);
    /* a declared cause wins over matching; an unknown one is an error */
    CHECK(parse("---\ncauses: [tls-error, auth-failed]\n---\n# DNS things\n", &p, &rb));
    CHECK(links(&rb, "tls-error") && links(&rb, "auth-failed") && !links(&rb, "dns-failure"));
    rmd_runbook_free(&rb);
    rmd_kb_problems_free(&p);
    EXPECT_PROBLEM("---\ncauses: [tls-error, nope]\n---\n# x\n", "unknown cause id 'nope'", 2, 21);
    CHECK(rmd_kb_parse("b.md", "bin\0ary", 7, &rb, &p) != RMD_OK);
    CHECK(has_problem(&p, "binary file", 1, 4));
    rmd_runbook_free(&rb);
    rmd_kb_problems_free(&p);
}

TEST(duplicate_exceptions_key) { /* found by fuzz_kb: the second list overflowed the first's array */
    rmd_kb_problems p = {0};
    rmd_runbook rb;
    CHECK(parse(GOOD_HEAD "exceptions:\n  - after_boot_s: 1\n    effect: hold\n  - after_boot_s: 2\n    effect: hold\n"
                "exceptions:\n  - after_boot_s: 3\n    effect: hold\n---\n", &p, &rb));
    CHECK_INT((long long)rb.n_exceptions, 1);
    rmd_runbook_free(&rb);
    rmd_kb_problems_free(&p);
}

/* Run `redis-medic kb ARGS` in-process with stdout captured into buf. */
static size_t run_kb_captured(char **argv, int argc, const char *outpath, char *buf, size_t cap) {
    fflush(stdout);
    int saved = dup(1), fd = open(outpath, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (saved < 0 || fd < 0) return 0;
    dup2(fd, 1);
    close(fd);
    rmd_cmd_kb(argc, argv);
    fflush(stdout);
    dup2(saved, 1);
    close(saved);
    FILE *f = fopen(outpath, "rb");
    size_t n = f ? fread(buf, 1, cap - 1, f) : 0;
    if (f) fclose(f);
    buf[n] = '\0';
    return n;
}

TEST(show_escapes_stored_summary) { /* issue 8 item 7: a stored summary replayed raw */
    char dir[] = "/tmp/rmd-kbshow.XXXXXX", db[128], out[128], err[256];
    static char buf[1 << 17];
    if (!mkdtemp(dir)) { CHECK(0); return; }
    snprintf(db, sizeof db, "%s/state.db", dir);
    snprintf(out, sizeof out, "%s/out", dir);
    rmd_store *st = rmd_store_open(db, err, sizeof err);
    CHECK(st != NULL);
    if (!st) return;
    CHECK(rmd_store_record(st, "RMD-SERVER-DOWN", "server-down", "critical", "redis://127.0.0.1:1/0",
                           "evil \x1b]0;pwned\x07 \xff summary", time(NULL)) == RMD_OK);
    rmd_store_close(st);
    char *text_argv[] = {"kb", "show", "RMD-SERVER-DOWN", "--state", db, NULL};
    size_t n = run_kb_captured(text_argv, 5, out, buf, sizeof buf);
    CHECK(n > 0);
    CHECK(memchr(buf, 0x1b, n) == NULL);
    CHECK(memchr(buf, 0x07, n) == NULL);
    CHECK(strstr(buf, "evil \\x1b]0;pwned\\x07 \\xff summary") != NULL);
    char *json_argv[] = {"kb", "show", "RMD-SERVER-DOWN", "--state", db, "--json", NULL};
    n = run_kb_captured(json_argv, 6, out, buf, sizeof buf);
    json_error_t je;
    json_t *j = json_loadb(buf, n, 0, &je);
    CHECK(j != NULL);
    const char *sum = json_string_value(json_object_get(json_array_get(
        json_object_get(json_object_get(j, "occurrences"), "history"), 0), "summary"));
    CHECK(sum != NULL && strstr(sum, "summary") != NULL); /* kept, escaped, not dropped */
    json_decref(j);
    unlink(db);
    unlink(out);
    rmdir(dir);
}

TEST(link_table_documented) { /* docs/runbooks.md shows every phrase of src/kblink.c */
    char tmp[] = "/tmp/rmd-kblink.XXXXXX";
    int fd = mkstemp(tmp);
    FILE *f = fd >= 0 ? fdopen(fd, "w+") : NULL;
    FILE *doc = fopen("docs/runbooks.md", "r");
    static char docs[1 << 17];
    size_t dn = doc ? fread(docs, 1, sizeof docs - 1, doc) : 0;
    docs[dn] = '\0';
    if (doc) fclose(doc);
    CHECK(f != NULL && dn > 0);
    if (!f) return;
    rmd_kblink_table_print(f);
    rewind(f);
    char line[256];
    int rows = 0;
    while (fgets(line, sizeof line, f)) {
        char cause[64], phrase[64];
        if (sscanf(line, "%63s", cause) != 1) continue;
        rmd_memlcpy(phrase, sizeof phrase, line + 23, 26);
        for (size_t n = strlen(phrase); n && phrase[n - 1] == ' '; n--) phrase[n - 1] = '\0';
        char row[96];
        snprintf(row, sizeof row, "| %s |", cause);
        const char *r = strstr(docs, row);
        const char *eol = r ? strchr(r, '\n') : NULL;
        const char *hit = r ? strstr(r, phrase) : NULL;
        if (!r || !hit || (eol && hit > eol)) fprintf(stderr, "  not documented: %s '%s'\n", cause, phrase);
        CHECK(r && hit && (!eol || hit < eol));
        CHECK(rmd_cause_find(cause) >= 0);
        rows++;
    }
    CHECK(rows > 50);
    fclose(f);
    unlink(tmp);
}

TEST(link_table_names_real_causes) {
    /* every cause the table links to exists: matched against every cause id's own words */
    rmd_kblink_hit h[8];
    CHECK(rmd_kblink_match("ConnectionRefused", 17, RMD_LINK_TITLE, h, 8) == 1 && !strcmp(h[0].cause, "server-down"));
    CHECK(rmd_kblink_match("connection refused", 18, RMD_LINK_SYMPTOM, h, 8) == 0);
    CHECK(rmd_kblink_match("TCP Keep-Alive Issues", 21, RMD_LINK_SECTION, h, 8) == 1);
    CHECK(rmd_kblink_match("Connection Timeouts", 19, RMD_LINK_TITLE, h, 8) == 1); /* plural */
    CHECK(rmd_kblink_match("myaofile", 8, RMD_LINK_TITLE, h, 8) == 0); /* whole words only */
}

TEST(yaml_nesting_capped) {
    size_t n = 1 << 20;
    char *deep = malloc(n + 64);
    CHECK(deep != NULL);
    if (!deep) return;
    memcpy(deep, "---\nx: ", 7);
    memset(deep + 7, '[', n);
    memcpy(deep + 7 + n, "\n---\n# t\n", 10);
    rmd_kb_problems p = {0};
    rmd_runbook rb;
    CHECK(rmd_kb_parse("deep.md", deep, n + 16, &rb, &p) != RMD_OK);
    CHECK(has_problem(&p, "nested more than 32 levels", 2, 35));
    rmd_runbook_free(&rb);
    rmd_kb_problems_free(&p);
    /* the helper itself, for other YAML inputs */
    rmd_yaml_error e;
    yaml_document_t doc;
    rmd_yaml_limits lim = {3, 0};
    CHECK(rmd_yaml_load("a: [[1]]", 8, &lim, &doc, &e) == RMD_OK);
    yaml_document_delete(&doc);
    CHECK(rmd_yaml_load("a: [[[1]]]", 10, &lim, &doc, &e) == RMD_ETOOBIG);
    CHECK(strstr(e.msg, "3 levels") != NULL);
    CHECK(rmd_yaml_check("a: [1, 2", 8, NULL, &e) == RMD_EPARSE);
    lim = (rmd_yaml_limits){0, 3};
    CHECK(rmd_yaml_check("[1, 2, 3, 4]", 12, &lim, &e) == RMD_ETOOBIG);
    /* an alias bomb: every *a repeats the anchored value when loaded */
    CHECK(rmd_yaml_check("x: &a abc\ny: [*a, *a]\n", 22, NULL, &e) == RMD_EPARSE);
    CHECK(strstr(e.msg, "aliases") != NULL && e.line == 2 && e.col == 5);
    free(deep);
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
    RUN(seeds_load_and_link);
    RUN(team_runbook_comes_first);
    RUN(severity_scales);
    RUN(contact_kinds);
    RUN(placeholder_maps);
    RUN(quoted_placeholders_rejected);
    RUN(markdown_formats);
    RUN(link_table_names_real_causes);
    RUN(yaml_nesting_capped);
    RUN(duplicate_exceptions_key);
    RUN(show_escapes_stored_summary);
    RUN(link_table_documented);
    return UNIT_END();
}
