/* logctx.c -- Redis evidence in log lines and their exception blocks (see logctx.h). */
#include "logctx.h"

#include <ctype.h>
#include <string.h>

#define SCAN_MAX 4096   /* bytes of a line looked at for evidence */

static const unsigned short redis_ports[] = {6379, 6380, 26379, 16379};

/* Ports of other services a log line may name; ports below 1024 are left out
 * (a timestamp's ":25" is not SMTP), HTTP is recognised by its words. */
static const unsigned short other_ports[] = {
    5432,  /* PostgreSQL */ 6432, /* PgBouncer */ 3306, /* MySQL */ 33060, 5672, /* AMQP */ 5671, 15672,
    9092,  /* Kafka */ 9093, 27017, /* MongoDB */ 27018, 11211, /* memcached */ 9200, /* Elasticsearch */ 9300,
    2181,  /* ZooKeeper */ 2379, /* etcd */ 4222, /* NATS */ 9042, /* Cassandra */ 1433, /* SQL Server */ 1521,
    8500,  /* Consul */ 8080, 8443, 5000, 3000, 9000, 8123, /* ClickHouse */ 8086, /* InfluxDB */ 61616, /* ActiveMQ */
};

/* Words (lower case) that name another service, its driver or protocol. */
static const char *const other_words[] = {
    "postgres", "psycopg", "pgx", "pq:", "mysql", "mariadb", "mongo", "kafka", "amqp", "rabbitmq", "pika.",
    "memcache", "elasticsearch", "opensearch", "cassandra", "zookeeper", "jdbc", "hikari", "sqlalchemy",
    "sqlserver", "mssql", "sqlite", "clickhouse", "influx", "nats:", "etcd", "consul", "smtp", "ldap", "grpc",
    "http://", "https://", "http/1", "http/2", "httpclient", "urllib3", "requests.exceptions", "okhttp",
    "net/http", "axios", "fetch failed", "upstream", "dynamodb", "activemq", "s3.", "sqs.", "nginx",
};

/* Words (lower case) that name Redis or one of its clients. "redis" is
 * checked apart, with its boundary rule. */
static const char *const redis_words[] = {"valkey", "jedis", "lettuce"};

/* Lower-case copy of at most SCAN_MAX bytes; returns its length. */
static size_t lower(const char *s, size_t n, char *out) {
    if (n > SCAN_MAX) n = SCAN_MAX;
    for (size_t i = 0; i < n; i++) out[i] = (char)tolower((unsigned char)s[i]);
    return n;
}

/* "redis" (any case; l is the lower-case copy of s) not followed by a
 * lower-case letter other than the s of rediss / redisson: "RedisException"
 * and "redis-py" count, "redistribute" and "redisplay" do not. */
static int has_redis_word(const char *s, const char *l, size_t n) {
    for (const char *p = l; (p = memmem(p, (size_t)(l + n - p), "redis", 5)) != NULL; p += 5) {
        size_t after = (size_t)(p - l) + 5;
        if (after >= n) return 1;
        char c = s[after];
        if (c < 'a' || c > 'z' || c == 's') return 1;
    }
    return 0;
}

/* redis-server's own log prefix: "1234:M 22 Nov 2026 15:21:47.123 ". */
static int server_prefix(const char *s, size_t n) {
    size_t i = 0;
    while (i < n && i < 10 && isdigit((unsigned char)s[i])) i++;
    return i > 0 && i + 3 < n && s[i] == ':' && strchr("MSCX", s[i + 1]) && s[i + 2] == ' ' &&
           isdigit((unsigned char)s[i + 3]);
}

static int in_set(unsigned v, const unsigned short *set, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (set[i] == v) return 1;
    return 0;
}

/* Classify the port numbers of a line: after ':' ("host:6379"), after
 * "port " / "port=" ("port 6379"), or after ", " in a tuple "('h', 6379)". */
static void port_verdict(const rmd_logctx *ctx, const char *l, size_t n, int *pos, int *neg) {
    for (size_t i = 1; i < n; i++) {
        if (!isdigit((unsigned char)l[i]) || isdigit((unsigned char)l[i - 1])) continue;
        size_t j = i;
        unsigned v = 0;
        while (j < n && j - i < 6 && isdigit((unsigned char)l[j])) v = v * 10 + (unsigned)(l[j++] - '0');
        if (j - i < 4 || j - i > 5 || (j < n && (isdigit((unsigned char)l[j]) || l[j] == '.'))) continue;
        int after_colon = l[i - 1] == ':';
        int after_word = (i >= 5 && (!memcmp(l + i - 5, "port ", 5) || !memcmp(l + i - 5, "port=", 5))) ||
                         (i >= 2 && l[i - 2] == ',' && l[i - 1] == ' ');
        if (!after_colon && !after_word) continue;
        if (in_set(v, redis_ports, sizeof redis_ports / sizeof redis_ports[0]) ||
            (ctx && in_set(v, ctx->ports, (size_t)ctx->n_ports)))
            *pos = 1;
        else if (in_set(v, other_ports, sizeof other_ports / sizeof other_ports[0]))
            *neg = 1;
    }
}

int rmd_logctx_line(const rmd_logctx *ctx, const char *s, size_t n) {
    char l[SCAN_MAX];
    size_t m = lower(s, n, l);
    int pos = 0, neg = 0;
    for (size_t i = 0; i < sizeof other_words / sizeof other_words[0] && !neg; i++)
        neg = memmem(l, m, other_words[i], strlen(other_words[i])) != NULL;
    if (neg) return -1;
    port_verdict(ctx, l, m, &pos, &neg);
    if (neg) return -1;
    if (pos || has_redis_word(s, l, m) || server_prefix(s, n)) return 1;
    for (size_t i = 0; i < sizeof redis_words / sizeof redis_words[0]; i++)
        if (memmem(l, m, redis_words[i], strlen(redis_words[i]))) return 1;
    return 0;
}

int rmd_logctx_continues(const char *s, size_t n) {
    static const char *const starts[] = {"Caused by:", "at ", "... ", "File \"", "Traceback", "During handling",
                                         "The above exception", "Suppressed:", "--- End of", "Stack trace"};
    if (n == 0) return 0;
    if (s[0] == ' ' || s[0] == '\t') return 1;
    for (size_t i = 0; i < sizeof starts / sizeof starts[0]; i++)
        if (n >= strlen(starts[i]) && !memcmp(s, starts[i], strlen(starts[i]))) return 1;
    return 0;
}

/* A line that starts with an exception name ("ConnectionRefusedError: ...",
 * "java.net.ConnectException: ..."): the last line of a Python traceback,
 * whose frames are above it. */
static int exception_line(const char *s, size_t n) {
    size_t i = 0;
    while (i < n && i < 200 && (isalnum((unsigned char)s[i]) || s[i] == '.' || s[i] == '_' || s[i] == '$')) i++;
    if (i < 5 || i >= n || (s[i] != ':' && s[i] != ' ')) return 0;
    return memmem(s, i, "Error", 5) || memmem(s, i, "Exception", 9);
}

/* Bounds of the line before the one starting at ls (ls > 0). */
static void prev_line(const char *buf, size_t ls, size_t *ps, size_t *pe) {
    *pe = ls - 1; /* the '\n' ending the previous line */
    const char *nl = *pe ? memrchr(buf, '\n', *pe) : NULL;
    *ps = nl ? (size_t)(nl - buf) + 1 : 0;
}

static int walk(const rmd_logctx *ctx, const char *buf, size_t len, size_t ls, size_t le, rmd_logctx_memo *memo);

int rmd_logctx_block(const rmd_logctx *ctx, const char *buf, size_t len, size_t ls, size_t le, rmd_logctx_memo *memo) {
    int v = rmd_logctx_line(ctx, buf + ls, le - ls);
    if (v != 0) return v;
    if (memo && memo->buf == buf && ls >= memo->start && le <= memo->end) return memo->verdict;
    v = walk(ctx, buf, len, ls, le, memo);
    return v;
}

/* The block verdict of the line buf[ls..le) (whose own verdict is 0),
 * recorded in memo with the block's extent. */
static int walk(const rmd_logctx *ctx, const char *buf, size_t len, size_t ls, size_t le, rmd_logctx_memo *memo) {
    int pos = 0, verdict = 0;
    size_t bs = ls;
    /* upwards: from a continuation line to its header; from a Python
     * exception line through its frames to "Traceback" and the header */
    size_t cs = ls, ce = le;
    int first = 1;
    for (int k = 0; k < RMD_LOGCTX_BLOCK && cs > 0; k++) {
        size_t ps, pe;
        prev_line(buf, cs, &ps, &pe);
        int cur_cont = rmd_logctx_continues(buf + cs, ce - cs);
        if (!cur_cont && !(first && exception_line(buf + cs, ce - cs) && rmd_logctx_continues(buf + ps, pe - ps)))
            break;
        int w = rmd_logctx_line(ctx, buf + ps, pe - ps);
        bs = ps;
        if (w < 0) { verdict = -1; goto out; }
        pos |= w > 0;
        cs = ps;
        ce = pe;
        first = 0;
    }
    /* downwards: the frames and "Caused by:" lines that follow */
    for (int k = 0; k < RMD_LOGCTX_BLOCK && le < len; k++) {
        size_t ns = le + 1;
        const char *nl = ns < len ? memchr(buf + ns, '\n', len - ns) : NULL;
        size_t ne = nl ? (size_t)(nl - buf) : len;
        if (ns >= len || !rmd_logctx_continues(buf + ns, ne - ns)) break;
        int w = rmd_logctx_line(ctx, buf + ns, ne - ns);
        le = ne;
        if (w < 0) { verdict = -1; goto out; }
        pos |= w > 0;
    }
    verdict = pos;
out:
    if (memo) *memo = (rmd_logctx_memo){buf, bs, le, verdict};
    return verdict;
}

void rmd_logctx_learn(rmd_logctx *ctx, const char *s, size_t n) {
    char l[SCAN_MAX];
    size_t m = lower(s, n, l);
    for (const char *p = l; (p = memmem(p, (size_t)(l + m - p), "redis", 5)) != NULL; p += 5) {
        const char *q = p + 5, *end = l + m;
        if (q < end && *q == 's') q++;
        if (end - q < 3 || memcmp(q, "://", 3)) continue;
        q += 3;
        const char *auth = q; /* authority: [user[:pass]@]host[:port] */
        while (auth < end && !strchr("/ \t\"'?#", *auth)) auth++;
        const char *at = memrchr(q, '@', (size_t)(auth - q));
        const char *host = at ? at + 1 : q;
        const char *colon = memrchr(host, ':', (size_t)(auth - host));
        if (!colon || colon + 1 >= auth || (host[0] == '[' && !memchr(host, ']', (size_t)(colon - host)))) continue;
        unsigned v = 0;
        const char *d = colon + 1;
        while (d < auth && isdigit((unsigned char)*d) && v < 65536) v = v * 10 + (unsigned)(*d++ - '0');
        if (d != auth || v == 0 || v > 65535 || in_set(v, ctx->ports, (size_t)ctx->n_ports)) continue;
        if (ctx->n_ports < RMD_LOGCTX_PORTS) ctx->ports[ctx->n_ports++] = (unsigned short)v;
    }
}
