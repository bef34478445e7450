/* test_logctx.c -- Redis evidence in log lines and exception blocks. */
#include <string.h>

#include "logctx.h"
#include "unit.h"

static int line(const rmd_logctx *ctx, const char *s) { return rmd_logctx_line(ctx, s, strlen(s)); }

/* Verdict for the line of buf that starts with `at` (a unique prefix). */
static int block(const rmd_logctx *ctx, const char *buf, const char *at) {
    const char *ls = strstr(buf, at), *nl = strchr(ls, '\n');
    size_t s = (size_t)(ls - buf), e = nl ? (size_t)(nl - buf) : strlen(buf);
    return rmd_logctx_block(ctx, buf, strlen(buf), s, e, NULL);
}

TEST(line_evidence) {
    CHECK_INT(line(NULL, "ConnectionRefusedError: [Errno 111] Connection refused (redis:6379)"), 1);
    CHECK_INT(line(NULL, "java.net.ConnectException: Connection refused (cache.internal:6380)"), 1);
    CHECK_INT(line(NULL, "OSError: [Errno 111] Connect call failed ('10.0.3.7', 26379)"), 1);
    CHECK_INT(line(NULL, "Connection refused - connect(2) for \"cache\" port 6379 (Errno::ECONNREFUSED)"), 1);
    CHECK_INT(line(NULL, "StackExchange.Redis.RedisConnectionException: SocketFailure"), 1);
    CHECK_INT(line(NULL, "RedisException: Connection lost"), 1);
    CHECK_INT(line(NULL, "1:M 22 Nov 2026 10:00:00.000 # Error accepting a client connection: x"), 1);
    CHECK_INT(line(NULL, "Valkey connection reset by peer"), 1);
    /* no evidence */
    CHECK_INT(line(NULL, "Error: connect ECONNREFUSED 127.0.0.1:3001"), 0);
    CHECK_INT(line(NULL, "java.net.ConnectException: Connection refused"), 0);
    CHECK_INT(line(NULL, "2026-11-22 10:25:43 we redistribute the load: broken pipe"), 0);
    CHECK_INT(line(NULL, "redisplay failed: connection reset"), 0);
    /* another service wins, even beside Redis words */
    CHECK_INT(line(NULL, "dial tcp 10.0.0.5:5432: connect: connection refused"), -1);
    CHECK_INT(line(NULL, "psycopg2.OperationalError: connection to server at \"db\" port 5432 failed: Connection refused"), -1);
    CHECK_INT(line(NULL, "pymongo.errors.ServerSelectionTimeoutError: localhost:27017: [Errno 111] Connection refused"), -1);
    CHECK_INT(line(NULL, "consumer: Cannot connect to amqp://guest:**@rabbit:5672//: [Errno 111] Connection refused."), -1);
    CHECK_INT(line(NULL, "health: redis ok, mysql: Connection refused"), -1);
    CHECK_INT(line(NULL, "GET https://api.example.com/v1 failed: read ECONNRESET"), -1);
    CHECK_INT(line(NULL, "KafkaConnectionError: connect ETIMEDOUT 10.0.0.8:9092"), -1);
}

TEST(block_evidence) {
    const char *java =
        "2026-11-22 10:00:00.000 ERROR 1 --- [main] c.e.App : request failed\n"
        "redis.clients.jedis.exceptions.JedisConnectionException: Failed to connect to any host resolved for DNS name.\n"
        "\tat redis.clients.jedis.DefaultJedisSocketFactory.connectToFirstSuccessfulHost(DefaultJedisSocketFactory.java:63)\n"
        "Caused by: java.net.ConnectException: Connection refused\n"
        "\tat java.base/sun.nio.ch.Net.pollConnect(Native Method)\n"
        "2026-11-22 10:00:01.000 ERROR 1 --- [main] c.e.App : java.net.ConnectException: Connection refused\n";
    CHECK_INT(block(NULL, java, "Caused by: java.net"), 1);
    CHECK_INT(block(NULL, java, "2026-11-22 10:00:01"), 0); /* the next event does not borrow the trace above */
    const char *pg = "Caused by: java.net.ConnectException: Connection refused\n"
                     "\tat org.postgresql.core.PGStream.<init>(PGStream.java:98)\n"
                     "\tat redis.clients.jedis.Jedis.get(Jedis.java:1)\n";
    CHECK_INT(block(NULL, pg, "Caused by"), -1);
    const char *py = "Traceback (most recent call last):\n"
                     "  File \"/usr/lib/python3/site-packages/redis/connection.py\", line 707, in connect\n"
                     "    sock = self.retry.call_with_retry(\n"
                     "ConnectionRefusedError: [Errno 111] Connection refused\n";
    CHECK_INT(block(NULL, py, "ConnectionRefusedError"), 1);
    const char *py_pg = "Traceback (most recent call last):\n"
                        "  File \"/usr/lib/python3/site-packages/psycopg2/__init__.py\", line 122, in connect\n"
                        "ConnectionRefusedError: [Errno 111] Connection refused\n";
    CHECK_INT(block(NULL, py_pg, "ConnectionRefusedError"), -1);
    const char *node = "Error: Command timed out\n    at Timeout._onTimeout (/app/node_modules/ioredis/built/Command.js:192:33)\n";
    CHECK_INT(block(NULL, node, "Error: Command"), 1);
}

TEST(learned_ports) {
    rmd_logctx ctx = {0};
    const char *urls = "REDIS_URL=redis://:s3cret@cache:7000/0 backup rediss://u:p@[::1]:7001 and redis://plain/0";
    rmd_logctx_learn(&ctx, urls, strlen(urls));
    CHECK_INT(ctx.n_ports, 2);
    CHECK_INT(ctx.ports[0], 7000);
    CHECK_INT(ctx.ports[1], 7001);
    CHECK_INT(line(&ctx, "Error: connect ECONNREFUSED 10.0.0.9:7000"), 1);
    CHECK_INT(line(NULL, "Error: connect ECONNREFUSED 10.0.0.9:7000"), 0);
    const char *bad = "redis://h:99999999 redis://h:0 redis://h:12ab redis://";
    rmd_logctx_learn(&ctx, bad, strlen(bad));
    CHECK_INT(ctx.n_ports, 2);
    for (int i = 0; i < 40; i++) { /* bounded */
        char u[64];
        snprintf(u, sizeof u, "redis://h:%d/0", 8000 + i);
        rmd_logctx_learn(&ctx, u, strlen(u));
    }
    CHECK_INT(ctx.n_ports, RMD_LOGCTX_PORTS);
}

TEST(memo_reuses_a_block) {
    const char *trace = "Caused by: java.net.ConnectException: Connection refused\n"
                        "\tat redis.clients.jedis.Connection.connect(Connection.java:1)\n"
                        "\tat x.y(Z.java:1)\n";
    rmd_logctx_memo memo = {0};
    size_t len = strlen(trace), e = (size_t)(strchr(trace, '\n') - trace);
    CHECK_INT(rmd_logctx_block(NULL, trace, len, 0, e, &memo), 1);
    CHECK(memo.buf == trace && memo.start == 0 && memo.end == len - 1);
    const char *third = strstr(trace, "\tat x.y");
    CHECK_INT(rmd_logctx_block(NULL, trace, len, (size_t)(third - trace), len - 1, &memo), 1);
}

int main(void) {
    RUN(line_evidence);
    RUN(block_evidence);
    RUN(learned_ports);
    RUN(memo_reuses_a_block);
    return UNIT_END();
}
