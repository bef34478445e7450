/* extract.h -- pull the endpoint and the time out of one log line.
 *
 * Evidence stage for `triage`. Bytes in, fields out; no I/O, no allocation,
 * every output bounded. An endpoint is what a Redis client was talking to:
 * host:port (IPv4, [IPv6], host name), a unix socket path, or a redis:// URL
 * (password replaced by ***). Times are recognised in the formats logs use:
 * ISO-8601 / RFC 3339, syslog, the redis-server log format, epoch seconds or
 * milliseconds in JSON fields (@timestamp, time, ts, timestamp).
 */
#ifndef RMD_EXTRACT_H
#define RMD_EXTRACT_H

#include <stddef.h>
#include <time.h>

typedef struct rmd_endpoint {
    char host[256];   /* "10.0.3.7", "::1", "cache.internal", or a socket path; "" if none */
    int  port;        /* 0 when none (socket paths) */
    char text[300];   /* as shown: "10.0.3.7:6379", "[::1]:6380", "/run/redis.sock", "redis://:***@h:6379" */
} rmd_endpoint;

/* Find the Redis endpoint a log line talks about. Returns 1 and fills *ep, or 0. */
int rmd_extract_endpoint(const char *line, size_t len, rmd_endpoint *ep);

/* Find the time a log line was written. ref_year is used for formats without a
 * year (syslog). Returns 1 with *t (UTC seconds, fractional), or 0. */
int rmd_extract_time(const char *line, size_t len, int ref_year, double *t);

/* Parse a --since/--until value: an absolute time (any format above) or a
 * duration before now ("90s", "15m", "2h", "3d"). Returns 1 with *t, or 0. */
int rmd_parse_when(const char *s, double now, double *t);

#endif
