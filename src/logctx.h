/* logctx.h -- is this log line about Redis? Evidence for generic wordings.
 *
 * Rules stage helper for `triage` (classify.c). Many error texts are shared
 * by every network client of a runtime ("Connection refused", "i/o timeout",
 * "Broken pipe"); a runbook lists them as generic_patterns, and a line they
 * match counts only when it carries Redis evidence and names no other
 * service. Evidence, in order:
 *   1. the line itself: a Redis port (6379, 6380, 26379, 16379, or the port
 *      of a redis:// / rediss:// URL seen earlier in the same input), the word
 *      redis / valkey / jedis / lettuce (not "redistribute"), a redis-server
 *      log prefix ("1:M 22 Nov ...");
 *   2. its exception block: the header line above a Python exception line or
 *      a Java "Caused by:", and the frames and "Caused by:" lines that follow
 *      (at most RMD_LOGCTX_BLOCK lines each way).
 * Another service on the line or in the block (PostgreSQL 5432, MySQL 3306,
 * AMQP 5672, Kafka 9092, MongoDB 27017, HTTP URLs, postgres / mysql / mongo
 * / kafka / amqp / rabbitmq ... drivers and hosts) always wins: a line about
 * another system must never count as a Redis error.
 *
 * Pure functions over borrowed bytes: no I/O, no allocation.
 */
#ifndef RMD_LOGCTX_H
#define RMD_LOGCTX_H

#include <stddef.h>

#define RMD_LOGCTX_BLOCK 64      /* lines looked at above and below a line */
#define RMD_LOGCTX_PORTS 16      /* learned Redis ports remembered per input */

/* Ports of Redis URLs seen so far in one input (owned by the caller). */
typedef struct rmd_logctx {
    unsigned short ports[RMD_LOGCTX_PORTS];
    int            n_ports;
} rmd_logctx;

/* The last block looked at: lines inside it reuse its verdict, so a run of
 * candidate lines in one long trace costs one walk, not one per line. */
typedef struct rmd_logctx_memo {
    const char *buf;             /* the buffer it belongs to; NULL: empty */
    size_t      start, end;      /* the block's extent in buf */
    int         verdict;         /* -1, 0, +1 from the block's lines */
} rmd_logctx_memo;

/* Verdict of one line s[0..n): +1 Redis evidence, -1 names another service
 * (wins over +1), 0 neither. ctx may be NULL (no learned ports). */
int rmd_logctx_line(const rmd_logctx *ctx, const char *s, size_t n);

/* Verdict of the line buf[ls..le) with its exception block in buf[0..len):
 * the line's own verdict when it has one, else the block's (-1 if any line
 * of the block names another service, +1 if one has Redis evidence). memo
 * (may be NULL) remembers the last block; clear it (zero) per buffer. */
int rmd_logctx_block(const rmd_logctx *ctx, const char *buf, size_t len, size_t ls, size_t le, rmd_logctx_memo *memo);

/* Remember the ports of the redis:// and rediss:// URLs in s[0..n) (at most
 * RMD_LOGCTX_PORTS, the first ones kept). */
void rmd_logctx_learn(rmd_logctx *ctx, const char *s, size_t n);

/* Does s[0..n) continue an exception block (a stack frame, "Caused by:",
 * Python's traceback connective lines)? */
int rmd_logctx_continues(const char *s, size_t n);

#endif
