/* resp.c -- bounded RESP reader over hiredis (see resp.h). */
#include "resp.h"

#include <hiredis/hiredis.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

struct rmd_resp {
    redisReader *reader;
    const redisReplyObjectFunctions *dflt; /* hiredis's own object functions */
    redisReplyObjectFunctions fns;         /* ours: check limits, then delegate */
    size_t max_bytes;
    int    max_elements;
    size_t pending;      /* bytes fed since the last complete reply */
    size_t total;
    size_t since_nl;     /* bytes fed since the last '\n' */
    int    too_many;     /* an array exceeded max_elements */
    rmd_err err;         /* sticky */
    char   errstr[200];
    char   first[64];    /* escaped first bytes */
    size_t nfirst;
    unsigned char firstraw[16];
};

static void *limited_array(const redisReadTask *task, int elements) {
    rmd_resp *r = task->privdata;
    if (elements < 0 || elements > r->max_elements) {
        r->too_many = 1;
        return NULL; /* hiredis reports this as an OOM reader error */
    }
    return r->dflt->createArray(task, elements);
}

rmd_resp *rmd_resp_new(size_t max_reply_bytes, int max_elements) {
    rmd_resp *r = calloc(1, sizeof *r);
    if (!r) return NULL;
    redisReader *probe = redisReaderCreate();
    if (!probe) { free(r); return NULL; }
    r->dflt = probe->fn;  /* points at hiredis's static defaults: valid forever */
    redisReaderFree(probe);
    r->fns = *r->dflt;
    r->fns.createArray = limited_array;
    r->reader = redisReaderCreateWithFunctions(&r->fns);
    if (!r->reader) { free(r); return NULL; }
    r->reader->privdata = r;
    r->max_bytes = max_reply_bytes ? max_reply_bytes : RMD_RESP_DEFAULT_MAX_BYTES;
    r->max_elements = max_elements > 0 ? max_elements : RMD_RESP_DEFAULT_MAX_ELEMENTS;
    return r;
}

void rmd_resp_free(rmd_resp *r) {
    if (!r) return;
    if (r->reader) redisReaderFree(r->reader);
    free(r);
}

static rmd_err set_err(rmd_resp *r, rmd_err e, const char *msg) {
    if (r->err == RMD_OK) {
        r->err = e;
        snprintf(r->errstr, sizeof r->errstr, "%s", msg);
    }
    return r->err;
}

/* A top-level bulk string that announces more than we would ever buffer is
 * refused as soon as its header is complete, not after the deadline. */
static rmd_err check_bulk_header(rmd_resp *r) {
    const char *b = r->reader->buf + r->reader->pos;
    size_t avail = r->reader->len - r->reader->pos;
    long long announced;
    if (r->reader->ridx > 0 || avail < 4 || b[0] != '$') return RMD_OK;
    const char *cr = memchr(b, '\r', avail < 24 ? avail : 24);
    if (!cr || rmd_parse_ll(b + 1, (size_t)(cr - b - 1), &announced) != 0) return RMD_OK;
    if (announced >= 0 && (unsigned long long)announced > r->max_bytes) {
        char msg[200];
        snprintf(msg, sizeof msg, "a bulk reply of %lld bytes was announced; the limit is %zu", announced, r->max_bytes);
        return set_err(r, RMD_ETOOBIG, msg);
    }
    return RMD_OK;
}

rmd_err rmd_resp_feed(rmd_resp *r, const char *buf, size_t n) {
    if (r->err) return r->err;
    if (r->nfirst < sizeof r->firstraw) {
        size_t c = n < sizeof r->firstraw - r->nfirst ? n : sizeof r->firstraw - r->nfirst;
        memcpy(r->firstraw + r->nfirst, buf, c);
        r->nfirst += c;
        rmd_escape(r->first, sizeof r->first, r->firstraw, r->nfirst);
    }
    r->total += n;
    if (n > r->max_bytes || r->pending > r->max_bytes - n) {
        char msg[200];
        snprintf(msg, sizeof msg, "reply larger than %zu bytes; refusing to buffer more", r->max_bytes);
        return set_err(r, RMD_ETOOBIG, msg);
    }
    r->pending += n;
    /* A line (status, error, integer, a length header) that never ends: hiredis
     * rescans it on every read, so refuse it early instead of spinning. */
    const char *nl = memrchr(buf, '\n', n);
    r->since_nl = nl ? (size_t)(buf + n - nl - 1) : r->since_nl + n;
    if (r->since_nl > RMD_RESP_MAX_LINE) {
        char msg[200];
        snprintf(msg, sizeof msg, "no line end (CRLF) in %zu bytes; refusing to buffer more", r->since_nl);
        return set_err(r, RMD_ETOOBIG, msg);
    }
    if (redisReaderFeed(r->reader, buf, n) != REDIS_OK)
        return set_err(r, RMD_EPROTO, r->reader->errstr);
    return check_bulk_header(r);
}

rmd_err rmd_resp_next(rmd_resp *r, struct redisReply **out) {
    void *rep = NULL;
    *out = NULL;
    if (r->err) return r->err;
    if (redisReaderGetReply(r->reader, &rep) != REDIS_OK) {
        if (r->too_many) {
            char msg[200];
            snprintf(msg, sizeof msg, "array larger than %d elements announced; refusing to allocate it", r->max_elements);
            return set_err(r, RMD_ETOOBIG, msg);
        }
        /* hiredis already renders bad bytes printable ("got \"\\xf5\"") */
        return set_err(r, RMD_EPROTO, r->reader->errstr);
    }
    if (rep) {
        r->pending = r->reader->len - r->reader->pos; /* bytes of the next, incomplete reply */
        *out = rep;
    }
    return RMD_OK;
}

const char *rmd_resp_errstr(const rmd_resp *r) { return r->errstr; }
size_t rmd_resp_total(const rmd_resp *r) { return r->total; }
const char *rmd_resp_first_bytes(const rmd_resp *r) { return r->first; }
