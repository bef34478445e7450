/* test_extract.c -- endpoints and times from real log line shapes. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "extract.h"
#include "unit.h"

static const char *ep_of(const char *line) {
    static rmd_endpoint ep;
    if (!rmd_extract_endpoint(line, strlen(line), &ep)) return "";
    return ep.text;
}

TEST(endpoints) {
    CHECK_STR(ep_of("redis.exceptions.ConnectionError: Error 111 connecting to 10.0.3.7:6379. Connection refused."), "10.0.3.7:6379");
    CHECK_STR(ep_of("Error: connect ECONNREFUSED 127.0.0.1:6380"), "127.0.0.1:6380");
    CHECK_STR(ep_of("dial tcp [::1]:6379: connect: connection refused"), "[::1]:6379");
    CHECK_STR(ep_of("Error connecting to redis-master.prod.svc:6379 (timeout)"), "redis-master.prod.svc:6379");
    CHECK_STR(ep_of("Could not connect to Redis at localhost:6379: Connection refused"), "localhost:6379");
    CHECK_STR(ep_of("failed: redis://app:s3cr3t@cache.internal:6390/2 unreachable"), "redis://app:***@cache.internal:6390/2");
    CHECK(strstr(ep_of("redis://:hunter2@h:6379"), "hunter2") == NULL);
    CHECK_STR(ep_of("Error connecting to unix socket /var/run/redis/redis-server.sock: No such file"), "/var/run/redis/redis-server.sock");
    CHECK_STR(ep_of("2026-11-22 15:21:47 ERROR timeout"), "");
    CHECK_STR(ep_of("Client id=5 addr=10.1.1.1:51234 laddr=10.0.0.1:6379 scheduled to be closed"), "10.0.0.1:6379");
    CHECK_STR(ep_of("key:123 not found"), "");
    CHECK_STR(ep_of(""), "");
}

static double t_of(const char *line) {
    double t;
    return rmd_extract_time(line, strlen(line), 2026, &t) ? t : -1;
}

TEST(times) {
    double base = 1795360907.0; /* 2026-11-22T15:21:47Z */
    CHECK(t_of("2026-11-22T15:21:47Z ERROR x") == base);
    CHECK(t_of("2026-11-22T16:21:47+01:00 ERROR x") == base);
    CHECK(t_of("[2026-11-22 15:21:47,500: ERROR/MainProcess] x") == base + 0.5);
    CHECK(t_of("12345:M 22 Nov 2026 15:21:47.250 # Background saving error") == base + 0.25);
    CHECK(t_of("Nov 22 15:21:47 host redis-server[123]: x") == base);
    CHECK(t_of("{\"level\":\"error\",\"ts\":1795360907.5,\"msg\":\"x\"}") == base + 0.5);
    CHECK(t_of("{\"time\":1795360907000,\"msg\":\"x\"}") == base);
    CHECK(t_of("10.0.0.1 - - [22/Nov/2026:15:21:47 +0000] \"GET /\" 500") == base);
    CHECK(t_of("no time here") < 0);
    CHECK(t_of("9999-99-99T99:99:99Z") < 0);
}

/* A time without a zone is the local time of the machine (syslog and
 * redis-server write local time); one with a zone is exact. */
TEST(times_without_zone_are_local) {
    double base = 1795360907.0; /* 2026-11-22T15:21:47Z = 16:21:47 in Berlin (CET, +01:00) */
    char *old = getenv("TZ") ? strdup(getenv("TZ")) : NULL;
    setenv("TZ", "Europe/Berlin", 1);
    tzset();
    CHECK(t_of("Nov 22 16:21:47 host redis-server[123]: x") == base);
    CHECK(t_of("12345:M 22 Nov 2026 16:21:47.000 # Background saving error") == base);
    CHECK(t_of("2026-11-22 16:21:47 ERROR x") == base);
    CHECK(t_of("2026-11-22T15:21:47Z ERROR x") == base);
    CHECK(t_of("10.0.0.1 - - [22/Nov/2026:17:21:47 +0200] \"GET /\" 500") == base);
    if (old) setenv("TZ", old, 1);
    else unsetenv("TZ");
    free(old);
    tzset();
}

TEST(when) {
    double t;
    CHECK(rmd_parse_when("2h", 10000.0, &t) && t == 10000.0 - 7200);
    CHECK(rmd_parse_when("90s", 1000.0, &t) && t == 910.0);
    CHECK(rmd_parse_when("2026-11-22T15:21:47Z", 0, &t) && t == 1795360907.0);
    CHECK(!rmd_parse_when("yesterday-ish", 0, &t));
    CHECK(!rmd_parse_when("-5h", 0, &t));
}

int main(void) {
    setenv("TZ", "UTC", 1); /* zone-less times are local: fix the zone for the golden values */
    tzset();
    RUN(endpoints);
    RUN(times);
    RUN(times_without_zone_are_local);
    RUN(when);
    return UNIT_END();
}
