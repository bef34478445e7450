/* test_events.c -- events.c (lines grouped into events: header times, trace
 * blocks, clients), redact.c and the safe text writer, on a realistic
 * multi-client log (tests/data/triage/events/mixed.log). The events must not
 * depend on how the input is cut into chunks (a slow pipe delivers a line at
 * a time). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "classify.h"
#include "events.h"
#include "kb.h"
#include "redact.h"
#include "unit.h"
#include "term.h"
#include "util.h"

static rmd_kb kb;
static rmd_classifier *cls;
static char *logbuf;
static size_t loglen;

typedef struct got {
    char text[8192];
    int  n;
} got;

static void on_ev(const rmd_event *ev, void *arg) {
    got *g = arg;
    size_t o = strlen(g->text);
    snprintf(g->text + o, sizeof g->text - o, "%lld|%s|%.0f|%s|%s\n", ev->lineno, rmd_classifier_label(cls, ev->idx), ev->ts,
             ev->source, ev->have_ep ? ev->ep.text : "-");
    g->n++;
}

/* Feed the log in pieces ending after the line numbers in cuts (0-terminated). */
static void run(got *g, const int *cuts) {
    rmd_events e;
    memset(g, 0, sizeof *g);
    rmd_events_init(&e, cls, 2026, 1, on_ev, g);
    size_t from = 0;
    int line = 0;
    for (size_t i = 0; i < loglen; i++) {
        if (logbuf[i] != '\n') continue;
        line++;
        for (const int *c = cuts; *c; c++)
            if (*c == line) {
                rmd_events_feed(&e, logbuf + from, i + 1 - from, from);
                from = i + 1;
            }
    }
    rmd_events_feed(&e, logbuf + from, loglen - from, from);
    rmd_events_flush(&e);
}

TEST(events_of_a_mixed_log) {
    got g;
    static const int none[] = {0};
    run(&g, none);
    /* the Jedis event is named by its top line, or by its "Caused by:" line
     * where the patterns know commons-pool2's own message: both are right */
    char *alt = strstr(g.text, "\n22|pool-exhausted|");
    if (alt) memcpy(alt, "\n20", 3);
    static const char want[] =
        "7|server-down|1795341601|redis-py|10.0.3.7:6379\n"                 /* time from the logger header */
        "13|server-down|1795341602|Spring Data Redis (Lettuce)|127.0.0.1:6379\n"
        "15|server-down|1795341603|ioredis|10.0.3.7:6379\n"                  /* two ioredis errors, two events */
        "17|server-down|1795341604|ioredis|10.0.3.8:6379\n"
        "20|pool-exhausted|1795341605|Jedis|-\n"                             /* kept although a Go line follows */
        "24|server-down|-1|Go client|10.0.3.9:6379\n"
        "25|auth-failed|1795341607|unknown|redis://:***@10.0.3.7:6379/0\n"
        "37|server-down|1795341608|redis-py|redis:6379\n"                    /* Celery line + chained tracebacks */
        "45|readonly-replica|1795341611|redis-py|-\n";
    CHECK_STR(g.text, want);
}

TEST(events_do_not_depend_on_chunks) {
    got whole, part;
    static const int none[] = {0};
    run(&whole, none);
    int lines = 0;
    for (size_t i = 0; i < loglen; i++) lines += logbuf[i] == '\n';
    for (int k = 1; k < lines; k++) {
        int cuts[2] = {k, 0};
        run(&part, cuts);
        if (strcmp(whole.text, part.text)) {
            fprintf(stderr, "  cut after line %d:\n%s", k, part.text);
            CHECK(0);
            break;
        }
    }
    int *every = calloc((size_t)lines + 1, sizeof *every); /* a slow pipe: one line at a time */
    for (int k = 0; every && k < lines; k++) every[k] = k + 1;
    if (every) run(&part, every);
    CHECK_STR(part.text, whole.text);
    free(every);
}

static void check_redact(const char *in, const char *want) {
    char out[512];
    rmd_redact(out, sizeof out, in, strlen(in));
    CHECK_STR(out, want);
}

TEST(redaction) {
    /* secrets named by their key, as applications log them (an attacker's trial found these) */
    check_redact("app REDIS_PASSWORD=PW09secret connecting", "app REDIS_PASSWORD=*** connecting");
    check_redact("config redis_password: PW10secret", "config redis_password: ***");
    check_redact("REDISCLI_AUTH=PW28secret redis-cli ping", "REDISCLI_AUTH=*** redis-cli ping");
    check_redact("ACL SETUSER bob on >PW37secret ~* +@all", "ACL SETUSER bob on >*** ~* +@all");
    check_redact("jedis.auth(\"PW45secret\") failed", "jedis.auth(\"***\") failed");
    check_redact("token=PW50 Authorization: Bearer PW51", "token=*** Authorization: Bearer ***");
    check_redact("<password>PW60</password> pwd=PW61 pass=PW62", "<password>***</password> pwd=*** pass=***");
    check_redact("reset_password_link clicked", "reset_password_link clicked");
    check_redact("Bearer requirepass s3cret9", "Bearer requirepass ***");
    check_redact("pwd=requirepass s3cret9", "pwd=requirepass ***");
    check_redact("redis> 127.0.0.1:6379> GET k", "redis> 127.0.0.1:6379> GET k");
    check_redact("redis://:s3cret@10.0.3.7:6379/0", "redis://:***@10.0.3.7:6379/0");
    check_redact("rediss://app:p@ss@cache:6380", "rediss://app:***@cache:6380");
    check_redact("connect redis://s3cret@h:6379 failed", "connect redis://***@h:6379 failed");
    check_redact("amqp://guest@rabbit:5672//", "amqp://guest@rabbit:5672//");
    check_redact("https://example.com/a@b", "https://example.com/a@b");
    check_redact("redis-cli -h 10.0.3.7 -a s3cret ping", "redis-cli -h 10.0.3.7 -a *** ping");
    check_redact("redis-cli --pass=s3cret --user app", "redis-cli --pass=*** --user app");
    check_redact("redis-cli --pass=-s3cret ping", "redis-cli --pass=*** ping"); /* fuzz_redact */
    check_redact("AUTH s3cret", "AUTH ***");
    check_redact("AUTH app s3cret", "AUTH *** ***");
    check_redact("1700000000.1 [0 10.0.2.15:5000] \"AUTH\" \"app\" \"s3cret\"", "1700000000.1 [0 10.0.2.15:5000] \"AUTH\" \"***\" \"***\"");
    check_redact("HELLO 3 AUTH default s3cret", "HELLO 3 AUTH *** ***");
    check_redact("sending AUTH default s3cret to 10.0.3.7", "sending AUTH *** *** to 10.0.3.7"); /* fuzz_redact */
    check_redact("AUTH s3cret failed for app", "AUTH *** failed for app");
    check_redact("Redis AUTH failed: WRONGPASS", "Redis AUTH failed: WRONGPASS");
    check_redact("NOAUTH Authentication required.", "NOAUTH Authentication required.");
    check_redact("ERR AUTH <password> called without any password configured for the default user.",
                 "ERR AUTH <password> called without any password configured for the default user.");
    check_redact("ERR unknown command 'AUTH', with args beginning with: 's3cret' ",
                 "ERR unknown command 'AUTH', with args beginning with: '***' ");
    check_redact("CONFIG SET requirepass \"s3cret\"", "CONFIG SET requirepass \"***\"");
    check_redact("masterauth s3cret", "masterauth ***");
    check_redact("{:size=>10, :password=>\"s3cret\", :url=>\"redis://redis:6379/0\"}",
                 "{:size=>10, :password=>\"***\", :url=>\"redis://redis:6379/0\"}");
    check_redact("{\"password\":\"s3cret\"}", "{\"password\":\"***\"}");
    check_redact("FATAL:  password authentication failed for user \"app\"", "FATAL:  password authentication failed for user \"app\"");
    check_redact("Access denied for user 'app'@'10.0.2.15' (using password: YES)",
                 "Access denied for user 'app'@'10.0.2.15' (using password: YES)");
    char small[8];
    rmd_redact(small, sizeof small, "AUTH s3cretvalue", 16);
    CHECK(strlen(small) == 7 && !strstr(small, "s3c"));
}

TEST(safe_writer) {
    char *p = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&p, &n);
    CHECK(f != NULL);
    if (!f) return;
    rmd_fprintf_safe(f, "%s|%s|%s\n", "a\x1b[31mb\x07", "caf\xc3\xa9 \xc2\x9b \xff", "C:\\x");
    fclose(f);
    CHECK_STR(p, "a\\x1b[31mb\\x07|caf\xc3\xa9 \\xc2\\x9b \\xff|C:\\x\n");
    free(p);
}

int main(void) {
    char err[256];
    rmd_kb_problems probs = {0};
    rmd_kb_load_builtin(&kb, &probs);
    rmd_kb_problems_free(&probs);
    cls = rmd_classifier_new(&kb, err, sizeof err);
    FILE *f = fopen("tests/data/triage/events/mixed.log", "rb");
    if (!cls || !f) {
        fprintf(stderr, "setup: %s\n", cls ? "mixed.log missing" : err);
        return 1;
    }
    logbuf = malloc(1 << 16);
    loglen = logbuf ? fread(logbuf, 1, 1 << 16, f) : 0;
    fclose(f);
    RUN(events_of_a_mixed_log);
    RUN(events_do_not_depend_on_chunks);
    RUN(redaction);
    RUN(safe_writer);
    free(logbuf);
    rmd_classifier_free(cls);
    rmd_kb_free(&kb);
    return UNIT_END();
}
