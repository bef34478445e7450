/* resp.h -- a bounded RESP reader: hiredis's parser with hard limits.
 *
 * Part of the probe stage. Bytes in (rmd_resp_feed), replies out
 * (rmd_resp_next); no I/O. hiredis 0.14 buffers a whole bulk string and
 * callocs an array from the announced count, so a hostile peer could make it
 * allocate without bound; this wrapper caps the bytes buffered for one reply
 * and the elements of any array, and turns violations into RMD_ETOOBIG.
 */
#ifndef RMD_RESP_H
#define RMD_RESP_H

#include <stddef.h>

#include "err.h"

struct redisReply;
typedef struct rmd_resp rmd_resp;

#define RMD_RESP_DEFAULT_MAX_BYTES    ((size_t)32 << 20) /* one reply, 32 MiB */
#define RMD_RESP_DEFAULT_MAX_ELEMENTS (1 << 20)          /* one array */
#define RMD_RESP_MAX_LINE             ((size_t)1 << 20)  /* bytes without a '\n' */

/* New reader (owned by the caller, free with rmd_resp_free). NULL on OOM. */
rmd_resp *rmd_resp_new(size_t max_reply_bytes, int max_elements);
void rmd_resp_free(rmd_resp *r);

/* Give the reader n more bytes. RMD_ETOOBIG when the reply being read would
 * exceed max_reply_bytes or RMD_RESP_MAX_LINE bytes arrive without a '\n'; RMD_EPROTO / RMD_ENOMEM on a sticky reader error. */
rmd_err rmd_resp_feed(rmd_resp *r, const char *buf, size_t n);

/* Take the next complete reply: RMD_OK with *out set (owned: freeReplyObject),
 * RMD_OK with *out NULL when more bytes are needed, RMD_EPROTO (not RESP) or
 * RMD_ETOOBIG (array over max_elements). Errors are sticky. */
rmd_err rmd_resp_next(rmd_resp *r, struct redisReply **out);

/* What went wrong, for people ("Protocol error, got \"H\" as reply type byte"). */
const char *rmd_resp_errstr(const rmd_resp *r);

/* Bytes fed so far (all replies), and the first bytes ever fed (escaped), for evidence. */
size_t rmd_resp_total(const rmd_resp *r);
const char *rmd_resp_first_bytes(const rmd_resp *r);

#endif
