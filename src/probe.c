/* probe.c -- the probe state machine (see probe.h).
 *
 * States follow the phases: RESOLVE -> CONNECT -> TLS -> AUTH -> PING ->
 * COLLECT -> SAMPLE -> DONE, with an optional XCHECK (a second connection
 * speaking the other protocol) after a failure that could be a TLS/plaintext
 * mix-up. Every state change restarts the phase deadline. Events come from
 * three sources: the getaddrinfo callback, the socket's poll handle and the
 * timer. Handles are closed asynchronously; the probe memory is released when
 * the last one has closed (refs == 0) after rmd_probe_free().
 */
#include "probe.h"

#include <arpa/inet.h>
#include <errno.h>
#include <hiredis/hiredis.h>
#include <netdb.h>
#include <openssl/ssl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>

#include "collect.h"
#include "conn.h"
#include "resp.h"
#include "util.h"

#define MAX_SAMPLES 64

enum state { ST_IDLE, ST_RESOLVE, ST_CONNECT, ST_TLS, ST_AUTH, ST_PING, ST_SELECT, ST_LOADINFO, ST_COLLECT, ST_SAMPLE,
             ST_XCHECK, ST_DONE };
enum xkind { XC_NONE, XC_TLS, XC_PLAIN };

struct rmd_probe {
    uv_loop_t          *loop;
    const rmd_target   *t;            /* borrowed */
    rmd_probe_opts      o;
    rmd_evidence       *ev;           /* borrowed */
    rmd_probe_done_cb   cb;
    void               *arg;

    uv_timer_t          timer;        /* phase deadline */
    uv_poll_t          *poll;         /* current socket's poll handle, owned (closed async) */
    uv_getaddrinfo_t    gai;
    int                 gai_pending;
    int                 refs;         /* open handles + pending getaddrinfo */
    int                 freeing;

    struct addrinfo    *ai;           /* owned (uv_freeaddrinfo) */
    struct addrinfo    *ai_cur;       /* address being tried */
    struct sockaddr_un  sun;
    rmd_conn            conn;
    int                 conn_open;
    unsigned            conn_gen;     /* bumped per connection: handlers detect a switch */
    int                 xconnecting;  /* XCHECK: TCP connect still in progress */
    rmd_tls_opts        tls;

    enum state          state;
    rmd_phase           phase;        /* evidence phase of the current state */
    double              t0;           /* phase start, ms */
    rmd_buf             out;          /* bytes to send */
    size_t              out_pos;
    rmd_resp           *resp;
    size_t              want, got;    /* replies expected / received in this step */
    enum xkind          xkind;
    int                 xtls_peer;    /* xcheck TLS: the server presented a certificate */
    int                 nsamples;
    double              samples[MAX_SAMPLES];
    double              sample_t0;
    char                attempts[200];/* connect attempts so far, for the detail */
};

static void finish(rmd_probe *p);
static void note_local_port(rmd_probe *p);
static void start_connect(rmd_probe *p);
static void finish_sample(rmd_probe *p);
static void note_attempt(rmd_probe *p);

/* ------------------------------------------------------------- lifecycle */

static void release_if_done(rmd_probe *p) {
    if (!p->freeing || p->refs > 0) return;
    if (p->ai) uv_freeaddrinfo(p->ai);
    rmd_buf_free(&p->out);
    rmd_resp_free(p->resp);
    free(p);
}

static void on_handle_closed(uv_handle_t *h) {
    rmd_probe *p = h->data;
    if ((void *)h != (void *)&p->timer) free(h);
    p->refs--;
    release_if_done(p);
}

/* Close the current connection and its poll handle. */
static void drop_conn(rmd_probe *p) {
    if (p->poll) {
        uv_close((uv_handle_t *)p->poll, on_handle_closed);
        p->poll = NULL;
    }
    if (p->conn_open) {
        rmd_conn_close(&p->conn);
        p->conn_open = 0;
    }
    if (p->out.p) rmd_wipe(p->out.p, p->out.cap); /* may have held AUTH */
    rmd_buf_reset(&p->out);
    p->out_pos = 0;
    rmd_resp_free(p->resp);
    p->resp = NULL;
}

rmd_probe *rmd_probe_new(uv_loop_t *loop, const rmd_target *t, const rmd_probe_opts *o,
                         rmd_evidence *ev, rmd_probe_done_cb cb, void *arg) {
    rmd_probe *p = calloc(1, sizeof *p);
    if (!p) return NULL;
    p->loop = loop;
    p->t = t;
    p->o = *o;
    if (p->o.timeout_ms <= 0) p->o.timeout_ms = 2000;
    if (p->o.ping_samples > MAX_SAMPLES) p->o.ping_samples = MAX_SAMPLES;
    p->ev = ev;
    p->cb = cb;
    p->arg = arg;
    p->out.max = (size_t)1 << 20;
    uv_timer_init(loop, &p->timer);
    p->timer.data = p;
    p->refs = 1;
    p->tls.cacert = t->cacert;
    p->tls.cert = t->cert;
    p->tls.key = t->key;
    p->tls.sni = t->sni;
    p->tls.host = t->host;
    p->tls.insecure = t->insecure;
    return p;
}

void rmd_probe_free(rmd_probe *p) {
    if (!p || p->freeing) return;
    p->freeing = 1;
    p->state = ST_DONE;
    drop_conn(p);
    uv_timer_stop(&p->timer);
    uv_close((uv_handle_t *)&p->timer, on_handle_closed);
    if (p->gai_pending) uv_cancel((uv_req_t *)&p->gai);
    release_if_done(p);
}

/* ---------------------------------------------------------------- phases */

static void on_timeout(uv_timer_t *tm);

/* Enter state s (timed as evidence phase ph) and restart the deadline. */
static void enter(rmd_probe *p, enum state s, rmd_phase ph) {
    p->state = s;
    p->phase = ph;
    p->t0 = rmd_now_ms();
    p->ev->phase[ph].ran = 1;
    uv_timer_start(&p->timer, on_timeout, (uint64_t)p->o.timeout_ms, 0);
}

static void phase_ok(rmd_probe *p) {
    rmd_phase_result *r = &p->ev->phase[p->phase];
    r->ok = 1;
    r->ms = rmd_now_ms() - p->t0;
}

/* Record the failure of the current phase. detail is printf-style. */
static void phase_fail(rmd_probe *p, rmd_fail f, int sys_errno, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void phase_fail(rmd_probe *p, rmd_fail f, int sys_errno, const char *fmt, ...) {
    rmd_phase_result *r = &p->ev->phase[p->phase];
    va_list ap;
    r->ok = 0;
    r->fail = f;
    r->sys_errno = sys_errno;
    r->ms = rmd_now_ms() - p->t0;
    va_start(ap, fmt);
    vsnprintf(r->detail, sizeof r->detail, fmt, ap);
    va_end(ap);
    if (p->ev->failed_phase < 0) p->ev->failed_phase = (int)p->phase;
}

static const char *cmd_name_of_state(enum state s) {
    switch (s) {
    case ST_AUTH: return "AUTH";
    case ST_PING: return "PING";
    case ST_SELECT: return "SELECT";
    case ST_LOADINFO: return "INFO (while loading)";
    case ST_COLLECT: return "the collector commands";
    case ST_SAMPLE: return "the PING latency sample";
    case ST_XCHECK: return "the cross-check";
    default: return "the request";
    }
}

/* Would a second connection in the other protocol tell us more? */
static enum xkind xcheck_wanted(const rmd_probe *p, rmd_fail f) {
    if (!p->o.xcheck || p->t->kind == RMD_TARGET_UNIX) return XC_NONE;
    if (p->t->tls && p->state == ST_TLS &&
        (f == RMD_FAIL_TLS || f == RMD_FAIL_EOF || f == RMD_FAIL_RESET || f == RMD_FAIL_TIMEOUT))
        return XC_PLAIN;
    if (!p->t->tls && (p->state == ST_AUTH || p->state == ST_PING) && p->resp && p->got == 0 &&
        (f == RMD_FAIL_EOF || f == RMD_FAIL_RESET || f == RMD_FAIL_PROTOCOL))
        return XC_TLS;
    return XC_NONE;
}

/* The current phase failed: maybe cross-check, else finish. */
static void fail_and_stop(rmd_probe *p, rmd_fail f) {
    enum xkind xk = xcheck_wanted(p, f);
    drop_conn(p);
    if (xk == XC_NONE) {
        finish(p);
        return;
    }
    p->xkind = xk;
    p->state = ST_XCHECK;
    p->t0 = rmd_now_ms();
    uv_timer_start(&p->timer, on_timeout, (uint64_t)p->o.timeout_ms, 0);
    start_connect(p);
}

static void xcheck_done(rmd_probe *p, rmd_xcheck result, const char *detail) {
    p->ev->xcheck = result;
    rmd_strlcpy(p->ev->xcheck_detail, detail, sizeof p->ev->xcheck_detail);
    drop_conn(p);
    finish(p);
}

static void finish(rmd_probe *p) {
    if (p->state == ST_DONE && p->freeing) return;
    p->state = ST_DONE;
    uv_timer_stop(&p->timer);
    drop_conn(p);
    /* whatever the server echoed (a renamed AUTH quotes its arguments) */
    rmd_evidence_scrub(p->ev, p->t->password);
    if (p->cb) p->cb(p, p->ev, p->arg);
}

static void on_timeout(uv_timer_t *tm) {
    rmd_probe *p = tm->data;
    size_t got_bytes = p->resp ? rmd_resp_total(p->resp) : 0;
    int ms = p->o.timeout_ms;
    switch (p->state) {
    case ST_RESOLVE:
        phase_fail(p, RMD_FAIL_TIMEOUT, 0, "name resolution of %s not answered within %d ms", p->t->host, ms);
        if (p->gai_pending) uv_cancel((uv_req_t *)&p->gai);
        finish(p);
        return;
    case ST_CONNECT:
        phase_fail(p, RMD_FAIL_TIMEOUT, 0, "%s%sno answer to the TCP connection request (SYN) within %d ms",
                   p->attempts, p->attempts[0] ? "; " : "", ms);
        fail_and_stop(p, RMD_FAIL_TIMEOUT);
        return;
    case ST_TLS:
        phase_fail(p, RMD_FAIL_TIMEOUT, 0, "TLS handshake not finished within %d ms", ms);
        fail_and_stop(p, RMD_FAIL_TIMEOUT);
        return;
    case ST_SAMPLE:
        finish_sample(p); /* keep the samples taken so far */
        return;
    case ST_LOADINFO:
        finish(p); /* the LOADING reply is the finding; progress is a bonus */
        return;
    case ST_AUTH: case ST_PING: case ST_SELECT: case ST_COLLECT:
        if (!got_bytes && p->conn_open) note_local_port(p);
        if (got_bytes)
            phase_fail(p, RMD_FAIL_TIMEOUT, 0, "no complete reply to %s within %d ms (%zu bytes received: %s)",
                       cmd_name_of_state(p->state), ms, got_bytes, rmd_resp_first_bytes(p->resp));
        else
            phase_fail(p, RMD_FAIL_TIMEOUT, 0, "no reply to %s within %d ms (connection open, nothing received)",
                       cmd_name_of_state(p->state), ms);
        if (got_bytes) rmd_strlcpy(p->ev->peer_bytes, rmd_resp_first_bytes(p->resp), sizeof p->ev->peer_bytes);
        fail_and_stop(p, RMD_FAIL_TIMEOUT);
        return;
    case ST_XCHECK:
        xcheck_done(p, RMD_XCHECK_NOTHING, p->xkind == XC_TLS ? "TLS cross-check: no TLS answer in time"
                                                             : "plaintext cross-check: no RESP answer in time");
        return;
    case ST_IDLE: case ST_DONE:
        return;
    }
}

/* -------------------------------------------------------------- sending */

static int queue_cmd(rmd_probe *p, int argc, const char **argv) {
    char *cmd = NULL;
    int len = redisFormatCommandArgv(&cmd, argc, argv, NULL);
    if (len < 0) return -1;
    rmd_err e = rmd_buf_append(&p->out, cmd, (size_t)len);
    rmd_wipe(cmd, (size_t)len);
    free(cmd);
    return e == RMD_OK ? 0 : -1;
}

static void on_poll(uv_poll_t *h, int status, int events);

static void want_events(rmd_probe *p, int events) {
    if (p->poll) uv_poll_start(p->poll, events, on_poll);
}

/* Start a request/response step expecting n replies; p->out holds the commands. */
static void send_step(rmd_probe *p, size_t n) {
    p->want = n;
    p->got = 0;
    p->out_pos = 0;
    if (!p->resp) p->resp = rmd_resp_new(0, 0);
    if (!p->resp) {
        phase_fail(p, RMD_FAIL_SYSTEM, ENOMEM, "out of memory");
        fail_and_stop(p, RMD_FAIL_SYSTEM);
        return;
    }
    want_events(p, UV_READABLE | UV_WRITABLE);
}

static void send_ping(rmd_probe *p) {
    const char *argv[] = {"PING"};
    rmd_buf_reset(&p->out);
    queue_cmd(p, 1, argv);
    send_step(p, 1);
}

/* --------------------------------------------------------- state entries */

static void start_auth_or_ping(rmd_probe *p) {
    if (p->t->password) {
        const char *argv[3] = {"AUTH", NULL, NULL};
        int argc = 2;
        if (p->t->user) { argv[1] = p->t->user; argv[2] = p->t->password; argc = 3; }
        else argv[1] = p->t->password;
        enter(p, ST_AUTH, RMD_PHASE_AUTH);
        rmd_buf_reset(&p->out);
        if (queue_cmd(p, argc, argv) != 0) {
            phase_fail(p, RMD_FAIL_SYSTEM, 0, "cannot format AUTH");
            fail_and_stop(p, RMD_FAIL_SYSTEM);
            return;
        }
        send_step(p, 1);
        return;
    }
    enter(p, ST_PING, RMD_PHASE_PING);
    send_ping(p);
}

static void start_collect(rmd_probe *p) {
    size_t n = rmd_collect_count();
    enter(p, ST_COLLECT, RMD_PHASE_COLLECT);
    rmd_buf_reset(&p->out);
    for (size_t i = 0; i < n; i++) {
        const char *argv[RMD_COLLECT_MAX_ARGS];
        int argc = rmd_collect_command(i, argv);
        queue_cmd(p, argc, argv);
    }
    send_step(p, n);
}

static void start_sample(rmd_probe *p) {
    p->state = ST_SAMPLE;
    p->nsamples = 0;
    p->sample_t0 = rmd_now_ms();
    uv_timer_start(&p->timer, on_timeout, (uint64_t)p->o.timeout_ms, 0);
    send_ping(p);
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static void finish_sample(rmd_probe *p) {
    rmd_ping_stats *s = &p->ev->ping;
    double sum = 0;
    int n = p->nsamples;
    if (n > 0) {
        qsort(p->samples, (size_t)n, sizeof p->samples[0], cmp_double);
        for (int i = 0; i < n; i++) sum += p->samples[i];
        s->n = n;
        s->min = p->samples[0];
        s->max = p->samples[n - 1];
        s->avg = sum / n;
        int idx = (int)(0.99 * (n - 1) + 0.5);
        s->p99 = p->samples[idx];
    }
    phase_ok(p);
    finish(p);
}

static void after_select(rmd_probe *p) {
    if (p->o.collect) start_collect(p);
    else if (p->o.ping_samples > 0) { enter(p, ST_SAMPLE, RMD_PHASE_COLLECT); start_sample(p); }
    else finish(p);
}

/* PING answered PONG: the endpoint is reachable. The database of the URL is
 * selected next (a client using it fails when it does not exist). */
static void after_ping(rmd_probe *p) {
    p->ev->reachable = 1;
    phase_ok(p);
    p->ev->db = p->t->db;
    if (p->t->db > 0) {
        char db[24];
        const char *argv[2] = {"SELECT", db};
        snprintf(db, sizeof db, "%d", p->t->db);
        p->state = ST_SELECT;
        uv_timer_start(&p->timer, on_timeout, (uint64_t)p->o.timeout_ms, 0);
        rmd_buf_reset(&p->out);
        if (queue_cmd(p, 2, argv) == 0) { send_step(p, 1); return; }
    }
    after_select(p);
}

/* The server answers LOADING: INFO still works and tells how far it got. */
static void start_loadinfo(rmd_probe *p) {
    const char *argv[] = {"INFO", "everything"};
    p->state = ST_LOADINFO;
    uv_timer_start(&p->timer, on_timeout, (uint64_t)p->o.timeout_ms, 0);
    rmd_buf_reset(&p->out);
    if (queue_cmd(p, 2, argv) != 0) { finish(p); return; }
    send_step(p, 1);
}


/* ------------------------------------------------------------- replies */

static int is_auth_not_needed(const redisReply *r) {
    /* Redis 6+: "ERR AUTH <password> called without any password configured for the default user..."
     * Redis < 6: "ERR Client sent AUTH, but no password is set" */
    return r->type == REDIS_REPLY_ERROR && r->str &&
           (strstr(r->str, "without any password configured") || strstr(r->str, "no password is set"));
}

/* A reply that stops the probe: record it and fail the phase. */
static void fail_reply(rmd_probe *p, const redisReply *r) {
    if (r->type == REDIS_REPLY_ERROR) {
        rmd_escape(p->ev->reply_error, sizeof p->ev->reply_error, r->str, r->len);
        phase_fail(p, RMD_FAIL_REPLY, 0, "%s answered: %s", cmd_name_of_state(p->state), p->ev->reply_error);
        fail_and_stop(p, RMD_FAIL_REPLY);
        return;
    }
    char shown[100] = "";
    if (r->type == REDIS_REPLY_STRING || r->type == REDIS_REPLY_STATUS) rmd_escape(shown, sizeof shown, r->str, r->len);
    else snprintf(shown, sizeof shown, "(reply of type %d)", r->type);
    rmd_strlcpy(p->ev->peer_bytes, shown, sizeof p->ev->peer_bytes);
    phase_fail(p, RMD_FAIL_UNEXPECTED, 0, "unexpected answer to %s: %s", cmd_name_of_state(p->state), shown);
    fail_and_stop(p, RMD_FAIL_UNEXPECTED);
}

/* Handle one complete reply (borrowed). */
static void on_reply(rmd_probe *p, redisReply *r) {
    size_t idx = p->got++;
    switch (p->state) {
    case ST_AUTH:
        if ((r->type == REDIS_REPLY_STATUS && r->len == 2 && memcmp(r->str, "OK", 2) == 0) || is_auth_not_needed(r)) {
            if (is_auth_not_needed(r))
                snprintf(p->ev->phase[RMD_PHASE_AUTH].detail, sizeof p->ev->phase[RMD_PHASE_AUTH].detail,
                         "a password was given but the server has none configured");
            p->ev->auth_unused = is_auth_not_needed(r) ? 1 : 0;
            phase_ok(p);
            rmd_wipe(p->out.p, p->out.cap);
            enter(p, ST_PING, RMD_PHASE_PING);
            send_ping(p);
        } else if (r->type == REDIS_REPLY_ERROR && r->str && strncmp(r->str, "ERR unknown command", 19) == 0) {
            /* rename-command AUTH "": the reply quotes our password; keep none of it */
            snprintf(p->ev->phase[RMD_PHASE_AUTH].detail, sizeof p->ev->phase[RMD_PHASE_AUTH].detail,
                     "AUTH is not available on this server (renamed or disabled): the password was not checked");
            p->ev->auth_unused = 2;
            phase_ok(p);
            rmd_wipe(p->out.p, p->out.cap);
            enter(p, ST_PING, RMD_PHASE_PING);
            send_ping(p);
        } else {
            fail_reply(p, r);
        }
        return;
    case ST_PING:
        if (r->type == REDIS_REPLY_STATUS && r->len == 4 && memcmp(r->str, "PONG", 4) == 0) after_ping(p);
        else if (r->type == REDIS_REPLY_ERROR && r->str &&
                 (strncmp(r->str, "MISCONF", 7) == 0 || strncmp(r->str, "MASTERDOWN", 10) == 0)) {
            /* MISCONF: writes refused, reads served; MASTERDOWN: a replica with
             * replica-serve-stale-data no. INFO answers in both: collect why */
            rmd_escape(p->ev->ping_error, sizeof p->ev->ping_error, r->str, r->len);
            after_ping(p);
        } else if (r->type == REDIS_REPLY_ERROR && r->str && strncmp(r->str, "LOADING", 7) == 0) {
            rmd_escape(p->ev->reply_error, sizeof p->ev->reply_error, r->str, r->len);
            phase_fail(p, RMD_FAIL_REPLY, 0, "PING answered: %s", p->ev->reply_error);
            start_loadinfo(p);
        } else fail_reply(p, r);
        return;
    case ST_SELECT:
        if (r->type == REDIS_REPLY_ERROR) rmd_escape(p->ev->select_error, sizeof p->ev->select_error, r->str, r->len);
        after_select(p);
        return;
    case ST_LOADINFO:
        if (r->type == REDIS_REPLY_STRING) rmd_info_parse(r->str, r->len, &p->ev->info);
        finish(p);
        return;
    case ST_COLLECT:
        rmd_collect_store(idx, p->ev, r);
        if (p->got == p->want) {
            phase_ok(p);
            if (p->o.ping_samples > 0) start_sample(p);
            else finish(p);
        }
        return;
    case ST_SAMPLE:
        if (p->nsamples < MAX_SAMPLES) p->samples[p->nsamples++] = rmd_now_ms() - p->sample_t0;
        if (p->nsamples >= p->o.ping_samples) { finish_sample(p); return; }
        p->sample_t0 = rmd_now_ms();
        send_ping(p);
        return;
    case ST_XCHECK: {
        char shown[100];
        char detail[200];
        if (r->type == REDIS_REPLY_STRING || r->type == REDIS_REPLY_STATUS || r->type == REDIS_REPLY_ERROR)
            rmd_escape(shown, sizeof shown, r->str, r->len);
        else
            snprintf(shown, sizeof shown, "(RESP type %d)", r->type);
        snprintf(detail, sizeof detail, "a plaintext PING on a new connection was answered: %s", shown);
        xcheck_done(p, RMD_XCHECK_RESP_ANSWERED, detail);
        return;
    }
    default:
        return;
    }
}

/* ------------------------------------------------------------------ I/O */

/* A transport error in the current state. */
static void io_failed(rmd_probe *p) {
    rmd_conn *c = &p->conn;
    if (p->state == ST_XCHECK) {
        if (p->xkind == XC_TLS && p->xtls_peer)
            xcheck_done(p, RMD_XCHECK_TLS_ANSWERED, "a TLS handshake on a new connection got a server certificate back");
        else
            xcheck_done(p, RMD_XCHECK_NOTHING, c->errstr);
        return;
    }
    if (c->fail == RMD_FAIL_EOF || (c->fail == RMD_FAIL_NONE)) {
        size_t got = p->resp ? rmd_resp_total(p->resp) : 0;
        phase_fail(p, RMD_FAIL_EOF, 0, "the server closed the connection %s (%zu bytes received)",
                   p->state == ST_TLS ? "during the TLS handshake" : "before answering", got);
        fail_and_stop(p, RMD_FAIL_EOF);
        return;
    }
    phase_fail(p, c->fail, c->sys_errno, "%s", c->errstr);
    fail_and_stop(p, c->fail);
}

static void do_write(rmd_probe *p) {
    while (p->out_pos < p->out.len) {
        ssize_t w = rmd_conn_write(&p->conn, p->out.p + p->out_pos, p->out.len - p->out_pos);
        if (w == RMD_IO_WANT_WRITE) return;
        if (w == RMD_IO_WANT_READ) { want_events(p, UV_READABLE); return; }
        if (w < 0) { io_failed(p); return; }
        p->out_pos += (size_t)w;
    }
    if (p->state == ST_AUTH && p->out.p) rmd_wipe(p->out.p, p->out.cap);
    want_events(p, UV_READABLE);
}

/* Read what is there, at most READS_PER_EVENT times: a peer that sends
 * without end must not keep the loop from running the deadline timer. */
#define READS_PER_EVENT 8
static void do_read(rmd_probe *p) {
    char buf[16384];
    enum state s = p->state;
    unsigned gen = p->conn_gen;
    for (int reads = 0; reads < READS_PER_EVENT; reads++) {
        ssize_t r = rmd_conn_read(&p->conn, buf, sizeof buf);
        if (r == RMD_IO_WANT_READ || r == RMD_IO_WANT_WRITE) return;
        if (r == 0) { p->conn.fail = RMD_FAIL_EOF; io_failed(p); return; }
        if (r < 0) { io_failed(p); return; }
        rmd_err e = rmd_resp_feed(p->resp, buf, (size_t)r);
        for (;;) {
            redisReply *rep = NULL;
            if (e == RMD_OK) e = rmd_resp_next(p->resp, &rep);
            if (e != RMD_OK) {
                rmd_strlcpy(p->ev->peer_bytes, rmd_resp_first_bytes(p->resp), sizeof p->ev->peer_bytes);
                if (s == ST_XCHECK) {
                    xcheck_done(p, RMD_XCHECK_NOTHING, "plaintext cross-check: the answer is not RESP either");
                    return;
                }
                phase_fail(p, e == RMD_ETOOBIG ? RMD_FAIL_TOO_BIG : RMD_FAIL_PROTOCOL, 0,
                           "%s (first bytes: %s)", rmd_resp_errstr(p->resp), p->ev->peer_bytes);
                fail_and_stop(p, e == RMD_ETOOBIG ? RMD_FAIL_TOO_BIG : RMD_FAIL_PROTOCOL);
                return;
            }
            if (!rep) break;
            on_reply(p, rep);
            freeReplyObject(rep);
            /* The handler may have moved on: a new step on this connection
             * continues here; a new connection or the end returns. */
            if (p->state == ST_DONE || p->conn_gen != gen || !p->conn_open || !p->resp) return;
            s = p->state;
        }
    }
}

static void after_connect(rmd_probe *p);

static void do_tls(rmd_probe *p) {
    int r = rmd_conn_handshake(&p->conn);
    if (p->state == ST_XCHECK && p->conn.ssl && SSL_get0_peer_certificate(p->conn.ssl)) p->xtls_peer = 1;
    if (r == RMD_IO_WANT_READ) { want_events(p, UV_READABLE); return; }
    if (r == RMD_IO_WANT_WRITE) { want_events(p, UV_WRITABLE); return; }
    if (r != RMD_IO_OK) { io_failed(p); return; }
    if (p->state == ST_XCHECK) {
        xcheck_done(p, RMD_XCHECK_TLS_ANSWERED, "a TLS handshake on a new connection succeeded");
        return;
    }
    phase_ok(p);
    start_auth_or_ping(p);
}

static void on_poll(uv_poll_t *h, int status, int events) {
    rmd_probe *p = h->data;
    if (p->poll != h || p->state == ST_DONE) return;
    if (status < 0) events = UV_READABLE | UV_WRITABLE; /* let the syscall report the error */
    switch (p->state) {
    case ST_CONNECT:
        if (rmd_conn_connect_finish(&p->conn) != RMD_IO_OK) {
            /* try the next address, if any */
            note_attempt(p);
            if (p->ai_cur && p->ai_cur->ai_next) {
                drop_conn(p);
                p->ai_cur = p->ai_cur->ai_next;
                start_connect(p);
                return;
            }
            phase_fail(p, p->conn.fail, p->conn.sys_errno, "%s", p->attempts);
            fail_and_stop(p, p->conn.fail);
            return;
        }
        after_connect(p);
        return;
    case ST_TLS:
        do_tls(p);
        return;
    case ST_XCHECK:
        if (p->xconnecting) {
            if (rmd_conn_connect_finish(&p->conn) != RMD_IO_OK) {
                xcheck_done(p, RMD_XCHECK_NOTHING, p->conn.errstr);
                return;
            }
            p->xconnecting = 0;
            after_connect(p);
            return;
        }
        if (!p->resp && p->xkind == XC_TLS) { do_tls(p); return; }
        /* fallthrough: plaintext PING cross-check behaves like a step */
        /* FALLTHROUGH */
    case ST_AUTH: case ST_PING: case ST_SELECT: case ST_LOADINFO: case ST_COLLECT: case ST_SAMPLE:
        if (events & UV_WRITABLE) do_write(p);
        if (p->poll == h && p->conn_open && (events & UV_READABLE)) do_read(p);
        return;
    case ST_IDLE: case ST_RESOLVE: case ST_DONE:
        return;
    }
}

/* ------------------------------------------------------- resolve/connect */

static void after_connect(rmd_probe *p) {
    if (p->state == ST_XCHECK) {
        if (p->xkind == XC_TLS) {
            if (rmd_conn_tls_init(&p->conn, &(rmd_tls_opts){.host = p->t->host, .sni = p->t->sni, .insecure = 1}) != RMD_IO_OK) {
                xcheck_done(p, RMD_XCHECK_NOTHING, p->conn.errstr);
                return;
            }
            do_tls(p);
        } else {
            send_ping(p);
        }
        return;
    }
    phase_ok(p);
    if (p->t->tls) {
        enter(p, ST_TLS, RMD_PHASE_TLS);
        if (rmd_conn_tls_init(&p->conn, &p->tls) != RMD_IO_OK) {
            phase_fail(p, p->conn.fail, 0, "%s", p->conn.errstr);
            fail_and_stop(p, RMD_FAIL_SYSTEM); /* local setup error: no cross-check */
            return;
        }
        do_tls(p);
        return;
    }
    start_auth_or_ping(p);
}

static void addr_text(const struct sockaddr *sa, char *out, size_t outlen) {
    char ip[INET6_ADDRSTRLEN] = "?";
    if (sa->sa_family == AF_INET) {
        const struct sockaddr_in *s4 = (const void *)sa;
        inet_ntop(AF_INET, &s4->sin_addr, ip, sizeof ip);
        snprintf(out, outlen, "%s", ip);
    } else if (sa->sa_family == AF_INET6) {
        const struct sockaddr_in6 *s6 = (const void *)sa;
        inet_ntop(AF_INET6, &s6->sin6_addr, ip, sizeof ip);
        snprintf(out, outlen, "%s", ip);
    } else {
        rmd_strlcpy(out, ((const struct sockaddr_un *)sa)->sun_path, outlen);
    }
}

/* Our side of the open connection, so host facts can find the server's end
 * of it and tell "not reading" from "read, but holds the reply". */
static void note_local_port(rmd_probe *p) {
    struct sockaddr_storage ss = {0};
    socklen_t len = sizeof ss;
    if (p->t->kind == RMD_TARGET_UNIX || getsockname(p->conn.fd, (struct sockaddr *)&ss, &len) != 0) return;
    if (ss.ss_family == AF_INET) p->ev->local_port = ntohs(((struct sockaddr_in *)&ss)->sin_port);
    else if (ss.ss_family == AF_INET6) p->ev->local_port = ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
}

/* Remember a failed connect attempt ("127.0.0.1:6379: Connection refused"). */
static void note_attempt(rmd_probe *p) {
    char a[160];
    size_t l = strlen(p->attempts);
    if (p->t->kind == RMD_TARGET_UNIX)
        snprintf(a, sizeof a, "connect to %s: %s", p->ev->addr, strerror(p->conn.sys_errno));
    else
        snprintf(a, sizeof a, "%sconnect to %s%s%s:%d: %s", l ? "; " : "", strchr(p->ev->addr, ':') ? "[" : "",
                 p->ev->addr, strchr(p->ev->addr, ':') ? "]" : "", p->t->port, strerror(p->conn.sys_errno));
    if (l + strlen(a) < sizeof p->attempts) memcpy(p->attempts + l, a, strlen(a) + 1);
}

/* Open a socket to the current address (p->ai_cur, or the unix path). */
static void start_connect(rmd_probe *p) {
    const struct sockaddr *sa;
    socklen_t alen;
    if (p->t->kind == RMD_TARGET_UNIX) {
        sa = (const struct sockaddr *)&p->sun;
        alen = sizeof p->sun;
    } else {
        sa = p->ai_cur->ai_addr;
        alen = p->ai_cur->ai_addrlen;
    }
    if (p->state != ST_XCHECK) addr_text(sa, p->ev->addr, sizeof p->ev->addr);
    p->resp = NULL;
    int r = rmd_conn_connect(&p->conn, sa, alen);
    if (r == RMD_IO_ERR) {
        if (p->state == ST_XCHECK) { xcheck_done(p, RMD_XCHECK_NOTHING, p->conn.errstr); return; }
        note_attempt(p);
        rmd_conn_close(&p->conn);
        if (p->ai_cur && p->ai_cur->ai_next && p->conn.fail != RMD_FAIL_SYSTEM) {
            p->ai_cur = p->ai_cur->ai_next;
            start_connect(p);
            return;
        }
        phase_fail(p, p->conn.fail, p->conn.sys_errno, "%s", p->attempts);
        finish(p);
        return;
    }
    p->conn_open = 1;
    p->conn_gen++;
    p->poll = malloc(sizeof *p->poll);
    if (!p->poll || uv_poll_init(p->loop, p->poll, p->conn.fd) != 0) {
        free(p->poll);
        p->poll = NULL;
        phase_fail(p, RMD_FAIL_SYSTEM, 0, "cannot watch the socket");
        finish(p);
        return;
    }
    p->poll->data = p;
    p->refs++;
    if (r == RMD_IO_OK) {
        after_connect(p);
        return;
    }
    if (p->state == ST_XCHECK) p->xconnecting = 1;
    want_events(p, UV_WRITABLE);
}

static void on_resolved(uv_getaddrinfo_t *req, int status, struct addrinfo *res) {
    rmd_probe *p = req->data;
    p->gai_pending = 0;
    p->refs--;
    if (p->freeing) {
        if (res) uv_freeaddrinfo(res);
        release_if_done(p);
        return;
    }
    if (p->state != ST_RESOLVE) { /* timed out meanwhile */
        if (res) uv_freeaddrinfo(res);
        return;
    }
    if (status < 0 || !res) {
        phase_fail(p, RMD_FAIL_DNS, 0, "cannot resolve %s: %s", p->t->host,
                   status == UV_EAI_NONAME ? "no such host name (NXDOMAIN or no address records)"
                                           : uv_strerror(status));
        if (res) uv_freeaddrinfo(res);
        finish(p);
        return;
    }
    p->ai = res;
    p->ai_cur = res;
    phase_ok(p);
    enter(p, ST_CONNECT, RMD_PHASE_CONNECT);
    start_connect(p);
}

void rmd_probe_start(rmd_probe *p) {
    rmd_evidence *ev = p->ev;
    rmd_target_redacted(p->t, ev->target, sizeof ev->target);
    rmd_strlcpy(ev->host, p->t->host, sizeof ev->host);
    ev->port = p->t->kind == RMD_TARGET_UNIX ? 0 : p->t->port;
    ev->tls = p->t->tls;
    if (p->t->kind == RMD_TARGET_UNIX) {
        rmd_strlcpy(ev->unix_path, p->t->path, sizeof ev->unix_path);
        ev->host[0] = '\0';
        memset(&p->sun, 0, sizeof p->sun);
        p->sun.sun_family = AF_UNIX;
        rmd_strlcpy(p->sun.sun_path, p->t->path, sizeof p->sun.sun_path);
        enter(p, ST_RESOLVE, RMD_PHASE_RESOLVE);
        phase_ok(p);
        enter(p, ST_CONNECT, RMD_PHASE_CONNECT);
        start_connect(p);
        return;
    }
    struct addrinfo hints;
    char port[8];
    memset(&hints, 0, sizeof hints);
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_protocol = IPPROTO_TCP;
    snprintf(port, sizeof port, "%d", p->t->port);
    enter(p, ST_RESOLVE, RMD_PHASE_RESOLVE);
    /* Numeric addresses resolve synchronously: no thread pool round trip. */
    hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
    struct addrinfo *res = NULL;
    if (getaddrinfo(p->t->host, port, &hints, &res) == 0) {
        /* uv_freeaddrinfo == freeaddrinfo, so the list can be owned the same way */
        p->ai = res;
        p->ai_cur = res;
        phase_ok(p);
        enter(p, ST_CONNECT, RMD_PHASE_CONNECT);
        start_connect(p);
        return;
    }
    hints.ai_flags = AI_NUMERICSERV | AI_ADDRCONFIG;
    p->gai.data = p;
    if (uv_getaddrinfo(p->loop, &p->gai, on_resolved, p->t->host, port, &hints) != 0) {
        phase_fail(p, RMD_FAIL_DNS, 0, "cannot start name resolution of %s", p->t->host);
        finish(p);
        return;
    }
    p->gai_pending = 1;
    p->refs++;
}
