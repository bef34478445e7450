/* collect.h -- the server collectors: read-only commands and where their
 * replies go in the evidence.
 *
 * Part of the evidence stage. One registry table, one signature: each
 * collector names a command and stores its reply into an rmd_evidence. A
 * failing collector (CONFIG renamed, denied by ACL) is recorded as evidence,
 * never fatal. The probe sends them all in one pipeline after PING answers.
 * Nothing here may write to the server or cost more as the keyspace grows.
 */
#ifndef RMD_COLLECT_H
#define RMD_COLLECT_H

#include <stddef.h>

#include "evidence.h"

struct redisReply;

/* A client idle for at least this long counts as idle (connection-leak rule). */
#define RMD_CLIENT_IDLE_S 10

#define RMD_COLLECT_MAX_ARGS 4

/* Number of collectors in the registry. */
size_t rmd_collect_count(void);

/* Command of collector i: fills argv (static strings) and returns argc. */
int rmd_collect_command(size_t i, const char *argv[RMD_COLLECT_MAX_ARGS]);

/* Store the reply of collector i (borrowed) into ev. */
void rmd_collect_store(size_t i, rmd_evidence *ev, const struct redisReply *r);

#endif
