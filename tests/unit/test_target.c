/* test_target.c -- URL parsing, defaults, redaction, malformed URLs. */
#include <stdlib.h>
#include <string.h>

#include "target.h"
#include "unit.h"

static rmd_err parse(rmd_target *t, const char *url, char *err) {
    rmd_target_init(t);
    return rmd_target_parse_url(t, url, err, 256);
}

TEST(defaults_like_redis_cli) {
    rmd_target t;
    rmd_target_init(&t);
    CHECK_STR(t.host, "127.0.0.1");
    CHECK_INT(t.port, 6379);
    CHECK_INT(t.tls, 0);
    rmd_target_clear(&t);
}

TEST(full_url) {
    rmd_target t;
    char err[256], red[512];
    CHECK_INT(parse(&t, "redis://alice:s3cr%40t@cache.example.com:6380/2", err), RMD_OK);
    CHECK_STR(t.host, "cache.example.com");
    CHECK_INT(t.port, 6380);
    CHECK_INT(t.db, 2);
    CHECK_STR(t.user, "alice");
    CHECK_STR(t.password, "s3cr@t");
    rmd_target_redacted(&t, red, sizeof red);
    CHECK_STR(red, "redis://alice:***@cache.example.com:6380/2");
    CHECK(strstr(red, "s3cr") == NULL);
    rmd_target_clear(&t);
}

TEST(password_only_and_unencoded_at) {
    rmd_target t;
    char err[256], red[512];
    CHECK_INT(parse(&t, "redis://:p@ss@10.0.3.7", err), RMD_OK);
    CHECK_STR(t.password, "p@ss");
    CHECK(t.user == NULL);
    CHECK_STR(t.host, "10.0.3.7");
    CHECK_INT(t.port, 6379);
    rmd_target_redacted(&t, red, sizeof red);
    CHECK_STR(red, "redis://:***@10.0.3.7:6379/0");
    rmd_target_clear(&t);
    CHECK_INT(parse(&t, "redis://lonepass@host", err), RMD_OK);
    CHECK_STR(t.password, "lonepass");
    rmd_target_clear(&t);
}

TEST(tls_ipv6_unix) {
    rmd_target t;
    char err[256], red[512];
    CHECK_INT(parse(&t, "rediss://[::1]:6390", err), RMD_OK);
    CHECK_INT(t.tls, 1);
    CHECK_STR(t.host, "::1");
    CHECK_INT(t.port, 6390);
    rmd_target_redacted(&t, red, sizeof red);
    CHECK_STR(red, "rediss://[::1]:6390/0");
    rmd_target_clear(&t);
    CHECK_INT(parse(&t, "unix:///run/redis/redis.sock", err), RMD_OK);
    CHECK_INT(t.kind, RMD_TARGET_UNIX);
    CHECK_STR(t.path, "/run/redis/redis.sock");
    rmd_target_clear(&t);
    CHECK_INT(parse(&t, "unix:///tmp/r.sock?db=3", err), RMD_OK);
    CHECK_INT(t.db, 3);
    rmd_target_clear(&t);
}

TEST(malformed_urls_are_rejected_with_a_reason) {
    static const char *bad[] = {
        "redis://:99999", "redis://host:0", "redis://host:-1", "redis://host:12ab", "http://x",
        "redis://[::1", "redis://::1:6379", "redis://ho st", "redis://host/notadb", "redis://host?x=1",
        "unix://relative.sock", "unix://", "localhost:6379", "redis://h%zz@host", "redis://host:",
        "redis://bad\xff" "host", "redis://[nothex]:1",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        rmd_target t;
        char err[256] = "";
        rmd_err e = parse(&t, bad[i], err);
        if (e != RMD_EURL) fprintf(stderr, "  accepted: %s\n", bad[i]);
        CHECK_INT(e, RMD_EURL);
        CHECK(err[0] != '\0');
        CHECK(strchr(err, '\n') == NULL);
        rmd_target_clear(&t);
    }
}

TEST(huge_host_is_rejected_precisely) {
    char *url = malloc(5100);
    strcpy(url, "redis://");
    memset(url + 8, 'a', 5000);
    strcpy(url + 5008, ":6379");
    rmd_target t;
    char err[256];
    CHECK_INT(parse(&t, url, err), RMD_EURL);
    CHECK(strstr(err, "limit") != NULL);
    free(url);
    rmd_target_clear(&t);
}

TEST(failed_parse_keeps_previous_target) {
    rmd_target t;
    char err[256];
    CHECK_INT(parse(&t, "redis://:pw@good:7000", err), RMD_OK);
    CHECK_INT(rmd_target_parse_url(&t, "redis://bad:99999", err, sizeof err), RMD_EURL);
    CHECK_STR(t.host, "good");
    CHECK_INT(t.port, 7000);
    CHECK_STR(t.password, "pw");
    rmd_target_clear(&t);
}

int main(void) {
    RUN(defaults_like_redis_cli);
    RUN(full_url);
    RUN(password_only_and_unencoded_at);
    RUN(tls_ipv6_unix);
    RUN(malformed_urls_are_rejected_with_a_reason);
    RUN(huge_host_is_rejected_precisely);
    RUN(failed_parse_keeps_previous_target);
    return UNIT_END();
}
