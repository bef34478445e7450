/* test_resp.c -- the bounded RESP reader: normal replies, limits, garbage. */
#include <hiredis/hiredis.h>
#include <stdlib.h>
#include <string.h>

#include "resp.h"
#include "unit.h"

TEST(pong_split_across_feeds) {
    rmd_resp *r = rmd_resp_new(0, 0);
    redisReply *rep = NULL;
    CHECK_INT(rmd_resp_feed(r, "+PO", 3), RMD_OK);
    CHECK_INT(rmd_resp_next(r, &rep), RMD_OK);
    CHECK(rep == NULL);
    CHECK_INT(rmd_resp_feed(r, "NG\r\n-NOAUTH Authentication required.\r\n", 39), RMD_OK);
    CHECK_INT(rmd_resp_next(r, &rep), RMD_OK);
    CHECK(rep && rep->type == REDIS_REPLY_STATUS && strcmp(rep->str, "PONG") == 0);
    freeReplyObject(rep);
    CHECK_INT(rmd_resp_next(r, &rep), RMD_OK);
    CHECK(rep && rep->type == REDIS_REPLY_ERROR && strncmp(rep->str, "NOAUTH", 6) == 0);
    freeReplyObject(rep);
    rmd_resp_free(r);
}

TEST(http_is_a_protocol_error) {
    rmd_resp *r = rmd_resp_new(0, 0);
    redisReply *rep = NULL;
    const char *http = "HTTP/1.1 400 Bad Request\r\n\r\n";
    rmd_resp_feed(r, http, strlen(http));
    CHECK_INT(rmd_resp_next(r, &rep), RMD_EPROTO);
    CHECK(rep == NULL);
    CHECK(strstr(rmd_resp_first_bytes(r), "HTTP/1.1") != NULL);
    CHECK(rmd_resp_errstr(r)[0] != '\0');
    rmd_resp_free(r);
}

TEST(announced_gigabyte_bulk_is_capped) {
    rmd_resp *r = rmd_resp_new(1 << 16, 0);
    redisReply *rep = NULL;
    char chunk[4096];
    rmd_err e = rmd_resp_feed(r, "$1073741824\r\n", 13);
    memset(chunk, 'x', sizeof chunk);
    for (int i = 0; i < 100 && e == RMD_OK; i++) {
        e = rmd_resp_feed(r, chunk, sizeof chunk);
        if (e == RMD_OK) e = rmd_resp_next(r, &rep);
    }
    CHECK_INT(e, RMD_ETOOBIG);
    CHECK(rep == NULL);
    rmd_resp_free(r);
}

TEST(huge_array_count_is_refused_without_allocating) {
    rmd_resp *r = rmd_resp_new(0, 1000);
    redisReply *rep = NULL;
    rmd_resp_feed(r, "*2000000000\r\n", 13);
    CHECK_INT(rmd_resp_next(r, &rep), RMD_ETOOBIG);
    rmd_resp_free(r);
    r = rmd_resp_new(0, 1000);
    rmd_resp_feed(r, "*-5\r\n", 5); /* negative but not -1 */
    rmd_err e = rmd_resp_next(r, &rep);
    CHECK(e == RMD_ETOOBIG || e == RMD_EPROTO || (e == RMD_OK && rep == NULL));
    if (rep) freeReplyObject(rep);
    rmd_resp_free(r);
}

TEST(deep_nesting_is_a_protocol_error) {
    rmd_resp *r = rmd_resp_new(0, 0);
    redisReply *rep = NULL;
    rmd_err e = RMD_OK;
    for (int i = 0; i < 100000 && e == RMD_OK; i++) {
        e = rmd_resp_feed(r, "*1\r\n", 4);
        if (e == RMD_OK) e = rmd_resp_next(r, &rep);
    }
    CHECK_INT(e, RMD_EPROTO);
    rmd_resp_free(r);
}

TEST(errors_are_sticky) {
    rmd_resp *r = rmd_resp_new(0, 0);
    redisReply *rep = NULL;
    rmd_resp_feed(r, "\x16\x03\x01\x02\x00", 5);
    CHECK_INT(rmd_resp_next(r, &rep), RMD_EPROTO);
    CHECK_INT(rmd_resp_feed(r, "+OK\r\n", 5), RMD_EPROTO);
    CHECK_INT(rmd_resp_next(r, &rep), RMD_EPROTO);
    CHECK(strstr(rmd_resp_first_bytes(r), "\\x16\\x03") != NULL);
    rmd_resp_free(r);
    rmd_resp_free(NULL);
}

int main(void) {
    RUN(pong_split_across_feeds);
    RUN(http_is_a_protocol_error);
    RUN(announced_gigabyte_bulk_is_capped);
    RUN(huge_array_count_is_refused_without_allocating);
    RUN(deep_nesting_is_a_protocol_error);
    RUN(errors_are_sticky);
    return UNIT_END();
}
