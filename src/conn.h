/* conn.h -- the transport table: plain TCP, unix sockets and TLS behind one
 * small set of nonblocking functions, so the probe does not care which.
 *
 * Part of the probe stage. A connection is a nonblocking fd plus, for TLS, an
 * OpenSSL session. Every call returns at once: RMD_IO_WANT_READ/WRITE tell
 * the caller which readiness event to wait for. Errors are sticky; the
 * connection's errstr says what happened in words a person can act on, and
 * fail / sys_errno classify it for the rules.
 */
#ifndef RMD_CONN_H
#define RMD_CONN_H

#include <stddef.h>
#include <sys/socket.h>
#include <sys/types.h>

#include "evidence.h"

/* Return codes of the transport functions (besides byte counts >= 0). */
#define RMD_IO_OK          0
#define RMD_IO_WANT_READ  (-1)
#define RMD_IO_WANT_WRITE (-2)
#define RMD_IO_ERR        (-3)

typedef struct rmd_tls_opts {
    const char *cacert;    /* CA bundle file, NULL = system default */
    const char *cert;      /* client certificate (mTLS), NULL = none */
    const char *key;       /* client key, NULL = none */
    const char *sni;       /* SNI / verify name; NULL = the target host */
    const char *host;      /* the target host (name or IP literal) */
    int         insecure;  /* skip verification */
} rmd_tls_opts;

typedef struct rmd_conn rmd_conn;

typedef struct rmd_transport {
    const char *name;                                     /* "tcp", "unix", "tls" */
    int     (*handshake)(rmd_conn *c);                    /* RMD_IO_OK / WANT_* / ERR */
    ssize_t (*read)(rmd_conn *c, void *buf, size_t n);    /* >0 bytes, 0 EOF, WANT_* / ERR */
    ssize_t (*write)(rmd_conn *c, const void *buf, size_t n); /* >0 bytes, WANT_* / ERR */
    void    (*close)(rmd_conn *c);
} rmd_transport;

struct rmd_conn {
    const rmd_transport *t;
    int       fd;
    void     *ssl;          /* SSL *, TLS only */
    void     *ssl_ctx;      /* SSL_CTX *, TLS only, owned */
    rmd_fail  fail;         /* sticky failure class */
    int       sys_errno;
    char      errstr[256];
};

/* Start a nonblocking connect to addr (AF_INET/AF_INET6/AF_UNIX). Returns
 * RMD_IO_OK when connected at once, RMD_IO_WANT_WRITE when in progress,
 * RMD_IO_ERR with c->errstr set. TLS is layered on by rmd_conn_tls_init(). */
int rmd_conn_connect(rmd_conn *c, const struct sockaddr *addr, socklen_t alen);

/* After the fd became writable: finish the TCP connect (SO_ERROR). */
int rmd_conn_connect_finish(rmd_conn *c);

/* Set up the TLS session (after TCP connect). RMD_IO_OK or RMD_IO_ERR. */
int rmd_conn_tls_init(rmd_conn *c, const rmd_tls_opts *tls);

/* Convenience wrappers over c->t. */
int     rmd_conn_handshake(rmd_conn *c);
ssize_t rmd_conn_read(rmd_conn *c, void *buf, size_t n);
ssize_t rmd_conn_write(rmd_conn *c, const void *buf, size_t n);
/* Close the fd and free the TLS session. Safe to call twice. */
void    rmd_conn_close(rmd_conn *c);

#endif
