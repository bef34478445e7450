/* test_evidence.c -- INFO, CLIENT LIST, SLOWLOG and LATENCY parsers on real
 * captures (tests/data/evidence/, taken from redis-server 7.0) and on
 * malformed input. */
#include <hiredis/hiredis.h>
#include <stdlib.h>
#include <string.h>

#include "evidence.h"
#include "resp.h"
#include "unit.h"
#include "util.h"

static redisReply *reply_of(const char *bytes, size_t len) {
    rmd_resp *r = rmd_resp_new(0, 0);
    redisReply *rep = NULL;
    if (rmd_resp_feed(r, bytes, len) == RMD_OK) rmd_resp_next(r, &rep);
    rmd_resp_free(r);
    return rep;
}

TEST(info_real_capture) {
    size_t len;
    char *t = unit_slurp("tests/data/evidence/info-7.0.txt", &len);
    rmd_kvlist kv = {0};
    long long v;
    CHECK(t != NULL);
    if (!t) return;
    CHECK_INT(rmd_info_parse(t, len, &kv), RMD_OK);
    CHECK_STR(rmd_kv_get(&kv, "redis_version"), "7.0.15");
    CHECK_STR(rmd_kv_get(&kv, "role"), "master");
    CHECK_INT(rmd_kv_get_ll(&kv, "connected_clients", &v), 0);
    CHECK(v >= 3);
    CHECK_INT(rmd_kv_get_ll(&kv, "tcp_port", &v), 0);
    CHECK_INT(v, 16430);
    CHECK(rmd_kv_get(&kv, "# Server") == NULL);
    CHECK(rmd_kv_get(&kv, "no_such_key") == NULL);
    /* a value with ':' inside keeps it */
    CHECK(rmd_kv_get(&kv, "executable") != NULL);
    const char *cs = rmd_kv_get(&kv, "cmdstat_ping");
    char calls[32];
    if (cs) CHECK_INT(rmd_info_subfield(cs, "calls", calls, sizeof calls), 0);
    CHECK_INT(rmd_info_subfield("keys=1,expires=0,avg_ttl=0", "expires", calls, sizeof calls), 0);
    CHECK_STR(calls, "0");
    CHECK_INT(rmd_info_subfield("keys=1", "key", calls, sizeof calls), -1);
    rmd_kv_free(&kv);
    free(t);
}

TEST(info_crlf_nul_and_garbage) {
    rmd_kvlist kv = {0};
    const char crlf[] = "# Server\r\nredis_version:7.2.4\r\nweird\r\n:novalue\r\nk:v:w\r\nnul\0key:x\r\n";
    CHECK_INT(rmd_info_parse(crlf, sizeof crlf - 1, &kv), RMD_OK);
    CHECK_STR(rmd_kv_get(&kv, "redis_version"), "7.2.4");
    CHECK_STR(rmd_kv_get(&kv, "k"), "v:w");
    CHECK_STR(rmd_kv_get(&kv, "nul?key"), "x");
    CHECK_INT(rmd_info_parse("", 0, &kv), RMD_OK);
    CHECK_INT((long long)kv.n, 0);
    long long v;
    rmd_info_parse("n:12x\nbig:99999999999999999999999\n", 33, &kv);
    CHECK_INT(rmd_kv_get_ll(&kv, "n", &v), -1);
    CHECK_INT(rmd_kv_get_ll(&kv, "big", &v), -1);
    rmd_kv_free(&kv);
}

TEST(info_field_limit) {
    rmd_buf b = {0};
    rmd_kvlist kv = {0};
    for (int i = 0; i < RMD_INFO_MAX_FIELDS + 10; i++) rmd_buf_printf(&b, "k%d:%d\n", i, i);
    CHECK_INT(rmd_info_parse(b.p, b.len, &kv), RMD_ETOOBIG);
    CHECK(kv.n <= RMD_INFO_MAX_FIELDS);
    rmd_kv_free(&kv);
    rmd_buf_free(&b);
}

TEST(clients_real_capture) {
    size_t len;
    char *t = unit_slurp("tests/data/evidence/clientlist-7.0.txt", &len);
    rmd_clients c = {0};
    CHECK(t != NULL);
    if (!t) return;
    CHECK_INT(rmd_clients_parse(t, len, 10, &c), RMD_OK);
    CHECK_INT(c.total, 4);
    CHECK_INT(c.skipped, 0);
    int saw_unix = 0, saw_named = 0, pubsub = 0, blocked = 0;
    for (size_t i = 0; i < c.n; i++) {
        if (!strcmp(c.groups[i].addr, "unix")) saw_unix = 1;
        if (!strcmp(c.groups[i].name, "worker-1") && !strcmp(c.groups[i].addr, "127.0.0.1")) saw_named = 1;
        pubsub += (int)c.groups[i].pubsub;
        blocked += (int)c.groups[i].blocked;
        if (i) CHECK(c.groups[i - 1].count >= c.groups[i].count);
    }
    CHECK(saw_unix);
    CHECK(saw_named);
    CHECK_INT(pubsub, 1);
    CHECK_INT(blocked, 1);
    rmd_clients_free(&c);
    free(t);
}

TEST(clients_grouping_idle_and_ipv6) {
    const char *t =
        "id=1 addr=10.0.0.5:40001 fd=8 name=app age=100 idle=50 flags=N\n"
        "id=2 addr=10.0.0.5:40002 fd=9 name=app age=200 idle=5 flags=N\n"
        "id=3 addr=[::1]:40003 fd=10 name= age=1 idle=0 flags=N\n"
        "id=4 addr=::1:40004 fd=11 name= age=1 idle=0 flags=N\n"
        "garbage line without fields\n"
        "id=5 fd=12 name=noaddr\n"
        "\n";
    rmd_clients c = {0};
    CHECK_INT(rmd_clients_parse(t, strlen(t), 10, &c), RMD_OK);
    CHECK_INT(c.total, 4);
    CHECK_INT(c.skipped, 2);
    CHECK_INT((long long)c.n, 2);
    CHECK_STR(c.groups[0].addr, "10.0.0.5");
    CHECK_STR(c.groups[0].name, "app");
    CHECK_INT(c.groups[0].count, 2);
    CHECK_INT(c.groups[0].idle_count, 1);
    CHECK_INT(c.groups[0].oldest_age_s, 200);
    CHECK_INT(c.groups[0].max_idle_s, 50);
    CHECK_STR(c.groups[1].addr, "::1");
    CHECK_INT(c.groups[1].count, 2);
    rmd_clients_free(&c);
}

TEST(clients_group_cap_and_hostile_names) {
    rmd_buf b = {0};
    rmd_clients c = {0};
    for (int i = 0; i < 1000; i++) rmd_buf_printf(&b, "id=%d addr=10.%d.%d.1:1 name=n\x01\xff idle=0\n", i, i / 256, i % 256);
    CHECK_INT(rmd_clients_parse(b.p, b.len, 10, &c), RMD_OK);
    CHECK_INT(c.total, 1000);
    CHECK(c.n <= RMD_CLIENT_GROUPS_MAX);
    long sum = 0;
    int other = 0;
    for (size_t i = 0; i < c.n; i++) {
        sum += c.groups[i].count;
        if (!strcmp(c.groups[i].addr, "(other)")) other = 1;
        for (const char *p = c.groups[i].name; *p; p++) CHECK(*p >= 0x20 && *p < 0x7f);
    }
    CHECK_INT(sum, 1000);
    CHECK(other);
    rmd_clients_free(&c);
    /* one enormous line */
    rmd_buf_reset(&b);
    rmd_buf_append(&b, "id=1 addr=1.2.3.4:5 name=", 25);
    for (int i = 0; i < 100000; i++) rmd_buf_append(&b, "x", 1);
    CHECK_INT(rmd_clients_parse(b.p, b.len, 10, &c), RMD_OK);
    CHECK_INT(c.total, 1);
    rmd_clients_free(&c);
    rmd_buf_free(&b);
}

TEST(slowlog_real_capture) {
    size_t len;
    char *t = unit_slurp("tests/data/evidence/slowlog.resp", &len);
    CHECK(t != NULL);
    if (!t) return;
    redisReply *r = reply_of(t, len);
    rmd_slowlog s;
    CHECK(r != NULL);
    CHECK_INT(rmd_slowlog_from_reply(r, &s), RMD_OK);
    CHECK_INT((long long)s.n, 2);
    CHECK(strncmp(s.e[0].cmd, "debug sleep", 11) == 0);
    CHECK(s.e[0].usec >= 20000);
    CHECK(s.max_usec >= 50000);
    CHECK(strstr(s.e[0].client, "127.0.0.1:") != NULL);
    freeReplyObject(r);
    free(t);
}

TEST(latency_real_capture) {
    size_t len;
    char *t = unit_slurp("tests/data/evidence/latency.resp", &len);
    CHECK(t != NULL);
    if (!t) return;
    redisReply *r = reply_of(t, len);
    rmd_latency l;
    CHECK(r != NULL);
    CHECK_INT(rmd_latency_from_reply(r, &l), RMD_OK);
    CHECK_INT((long long)l.n, 1);
    CHECK_STR(l.e[0].event, "command");
    CHECK(l.e[0].max_ms >= 50);
    freeReplyObject(r);
    free(t);
}

TEST(slowlog_latency_bad_shapes) {
    rmd_slowlog s;
    rmd_latency l;
    static const char *bad[] = {
        ":5\r\n", "*1\r\n:1\r\n", "*1\r\n*2\r\n:1\r\n:2\r\n", "*1\r\n*4\r\n$1\r\nx\r\n:1\r\n:1\r\n:1\r\n",
        "*1\r\n*4\r\n:1\r\n:2\r\n:3\r\n:4\r\n",
    };
    CHECK_INT(rmd_slowlog_from_reply(NULL, &s), RMD_EPARSE);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        redisReply *r = reply_of(bad[i], strlen(bad[i]));
        CHECK(r != NULL);
        CHECK_INT(rmd_slowlog_from_reply(r, &s), RMD_EPARSE);
        if (i != 3) CHECK_INT(rmd_latency_from_reply(r, &l), RMD_EPARSE);
        freeReplyObject(r);
    }
    /* an empty slowlog is fine */
    redisReply *e = reply_of("*0\r\n", 4);
    CHECK_INT(rmd_slowlog_from_reply(e, &s), RMD_OK);
    CHECK_INT((long long)s.n, 0);
    freeReplyObject(e);
}

TEST(names_and_statuses) {
    CHECK_STR(rmd_phase_name(RMD_PHASE_TLS), "tls");
    CHECK_STR(rmd_fail_name(RMD_FAIL_REFUSED), "refused");
    CHECK_STR(rmd_config_name(RMD_CFG_MAXCLIENTS), "maxclients");
    CHECK_INT(rmd_item_status_of_error("NOPERM this user has no permissions to run the 'config|get' command"), RMD_ITEM_DENIED);
    CHECK_INT(rmd_item_status_of_error("ERR unknown command 'CONFIG', with args beginning with: "), RMD_ITEM_UNAVAILABLE);
    CHECK_INT(rmd_item_status_of_error("ERR Unknown subcommand or wrong number of arguments for 'LATEST'"), RMD_ITEM_UNAVAILABLE);
    CHECK_INT(rmd_item_status_of_error("LOADING"), RMD_ITEM_ERROR);
    rmd_evidence ev;
    rmd_evidence_init(&ev);
    CHECK_INT(ev.failed_phase, -1);
    for (int i = 0; i < RMD_COLLECTORS_MAX + 3; i++) rmd_evidence_collector(&ev, "X", RMD_ITEM_OK, "d\x01");
    CHECK_INT((long long)ev.n_collectors, RMD_COLLECTORS_MAX);
    CHECK_STR(ev.collectors[0].detail, "d\\x01");
    rmd_evidence_free(&ev);
}

int main(void) {
    RUN(info_real_capture);
    RUN(info_crlf_nul_and_garbage);
    RUN(info_field_limit);
    RUN(clients_real_capture);
    RUN(clients_grouping_idle_and_ipv6);
    RUN(clients_group_cap_and_hostile_names);
    RUN(slowlog_real_capture);
    RUN(latency_real_capture);
    RUN(slowlog_latency_bad_shapes);
    RUN(names_and_statuses);
    return UNIT_END();
}
