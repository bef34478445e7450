/* conn.c -- plain (TCP / unix) and TLS transports (see conn.h). */
#include "conn.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

/* Record a socket-level failure from errno (saved by the caller). */
static int fail_errno(rmd_conn *c, const char *what, int err) {
    c->sys_errno = err;
    switch (err) {
    case ECONNREFUSED: c->fail = RMD_FAIL_REFUSED; break;
    case ENOENT: c->fail = RMD_FAIL_NOENT; break;
    case EACCES: case EPERM: c->fail = RMD_FAIL_PERM; break;
    case EHOSTUNREACH: case ENETUNREACH: case EHOSTDOWN: case ENETDOWN: case EADDRNOTAVAIL:
        c->fail = RMD_FAIL_UNREACHABLE; break;
    case ETIMEDOUT: c->fail = RMD_FAIL_TIMEOUT; break;
    case ECONNRESET: case EPIPE: case ECONNABORTED: c->fail = RMD_FAIL_RESET; break;
    default: c->fail = RMD_FAIL_SYSTEM; break;
    }
    snprintf(c->errstr, sizeof c->errstr, "%s: %s (errno %d)", what, strerror(err), err);
    return RMD_IO_ERR;
}

/* ------------------------------------------------------------------ plain */

static int plain_handshake(rmd_conn *c) {
    (void)c;
    return RMD_IO_OK;
}

static ssize_t plain_read(rmd_conn *c, void *buf, size_t n) {
    ssize_t r = recv(c->fd, buf, n, 0);
    if (r >= 0) return r;
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return RMD_IO_WANT_READ;
    return fail_errno(c, "read", errno);
}

static ssize_t plain_write(rmd_conn *c, const void *buf, size_t n) {
    ssize_t r = send(c->fd, buf, n, MSG_NOSIGNAL);
    if (r >= 0) return r;
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return RMD_IO_WANT_WRITE;
    return fail_errno(c, "write", errno);
}

static void plain_close(rmd_conn *c) {
    if (c->fd >= 0) close(c->fd);
    c->fd = -1;
}

static const rmd_transport transport_tcp = {"tcp", plain_handshake, plain_read, plain_write, plain_close};
static const rmd_transport transport_unix = {"unix", plain_handshake, plain_read, plain_write, plain_close};

/* -------------------------------------------------------------------- TLS */

/* Describe the OpenSSL error queue (newest reason) into c->errstr. */
static int tls_fail(rmd_conn *c, rmd_fail kind, const char *what) {
    unsigned long e = ERR_peek_last_error();
    char reason[160] = "";
    if (e) ERR_error_string_n(e, reason, sizeof reason);
    ERR_clear_error();
    c->fail = kind;
    snprintf(c->errstr, sizeof c->errstr, "%s%s%s", what, reason[0] ? ": " : "", reason);
    return RMD_IO_ERR;
}

/* Map SSL_get_error() after an SSL_* call returned r <= 0. */
static int tls_io_error(rmd_conn *c, int r, const char *what) {
    SSL *ssl = c->ssl;
    int se = SSL_get_error(ssl, r);
    int saved = errno;
    switch (se) {
    case SSL_ERROR_WANT_READ: return RMD_IO_WANT_READ;
    case SSL_ERROR_WANT_WRITE: return RMD_IO_WANT_WRITE;
    case SSL_ERROR_ZERO_RETURN: return 0;
    case SSL_ERROR_SYSCALL:
        if (ERR_peek_error() == 0 && saved == 0) {
            c->fail = RMD_FAIL_EOF;
            snprintf(c->errstr, sizeof c->errstr, "%s: the server closed the connection", what);
            return RMD_IO_ERR;
        }
        if (saved) return fail_errno(c, what, saved);
        return tls_fail(c, RMD_FAIL_TLS, what);
    case SSL_ERROR_SSL: {
        int reason = ERR_GET_REASON(ERR_peek_last_error());
#ifdef SSL_R_TLSV13_ALERT_CERTIFICATE_REQUIRED
        if (reason == SSL_R_TLSV13_ALERT_CERTIFICATE_REQUIRED)
            return tls_fail(c, RMD_FAIL_TLS, "the server requires a client certificate (mutual TLS: --cert and --key)");
#endif
        if (reason == SSL_R_SSLV3_ALERT_BAD_CERTIFICATE || reason == SSL_R_SSLV3_ALERT_CERTIFICATE_UNKNOWN ||
            reason == SSL_R_TLSV1_ALERT_UNKNOWN_CA)
            return tls_fail(c, RMD_FAIL_TLS, "the server rejected our client certificate");
        long vr = SSL_get_verify_result(ssl);
        if (vr != X509_V_OK && SSL_get_verify_mode(ssl) != SSL_VERIFY_NONE) {
            ERR_clear_error();
            c->fail = RMD_FAIL_TLS_VERIFY;
            snprintf(c->errstr, sizeof c->errstr, "certificate verification failed: %s",
                     X509_verify_cert_error_string(vr));
            return RMD_IO_ERR;
        }
        return tls_fail(c, RMD_FAIL_TLS, what);
    }
    default:
        return tls_fail(c, RMD_FAIL_TLS, what);
    }
}

static int tls_handshake(rmd_conn *c) {
    ERR_clear_error();
    errno = 0;
    int r = SSL_connect(c->ssl);
    if (r == 1) return RMD_IO_OK;
    int rc = tls_io_error(c, r, "TLS handshake");
    if (rc == 0) { /* clean close during the handshake */
        c->fail = RMD_FAIL_EOF;
        snprintf(c->errstr, sizeof c->errstr, "TLS handshake: the server closed the connection");
        return RMD_IO_ERR;
    }
    return rc;
}

static ssize_t tls_read(rmd_conn *c, void *buf, size_t n) {
    ERR_clear_error();
    errno = 0;
    int r = SSL_read(c->ssl, buf, n > (size_t)1 << 30 ? 1 << 30 : (int)n);
    if (r > 0) return r;
    return tls_io_error(c, r, "TLS read");
}

static ssize_t tls_write(rmd_conn *c, const void *buf, size_t n) {
    ERR_clear_error();
    errno = 0;
    int r = SSL_write(c->ssl, buf, n > (size_t)1 << 30 ? 1 << 30 : (int)n);
    if (r > 0) return r;
    r = tls_io_error(c, r, "TLS write");
    if (r == RMD_IO_ERR && c->fail == RMD_FAIL_RESET) {
        /* The server may have said why before it reset us (TLS 1.3 sends
         * "certificate required" after the handshake): read what is there. */
        char tmp[256];
        rmd_conn saved = *c;
        ERR_clear_error();
        errno = 0;
        int rr = SSL_read(c->ssl, tmp, sizeof tmp);
        if (rr > 0 || tls_io_error(c, rr, "TLS read") != RMD_IO_ERR || c->fail != RMD_FAIL_TLS) *c = saved;
    }
    return r == 0 ? (c->fail = RMD_FAIL_EOF, RMD_IO_ERR) : r;
}

static void tls_close(rmd_conn *c) {
    if (c->ssl) SSL_free(c->ssl);
    if (c->ssl_ctx) SSL_CTX_free(c->ssl_ctx);
    c->ssl = NULL;
    c->ssl_ctx = NULL;
    plain_close(c);
}

static const rmd_transport transport_tls = {"tls", tls_handshake, tls_read, tls_write, tls_close};

static int is_ip_literal(const char *h) {
    unsigned char b[16];
    return inet_pton(AF_INET, h, b) == 1 || inet_pton(AF_INET6, h, b) == 1;
}

int rmd_conn_tls_init(rmd_conn *c, const rmd_tls_opts *o) {
    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
    const char *name = o->sni && o->sni[0] ? o->sni : o->host;
    if (!ctx) return tls_fail(c, RMD_FAIL_TLS, "cannot create TLS context");
    c->ssl_ctx = ctx;
    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
    SSL_CTX_set_options(ctx, SSL_OP_IGNORE_UNEXPECTED_EOF);
    if (o->insecure) {
        SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
    } else {
        SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
        if (o->cacert) {
            if (SSL_CTX_load_verify_locations(ctx, o->cacert, NULL) != 1)
                return tls_fail(c, RMD_FAIL_TLS, "cannot load the CA certificate file given with --cacert");
        } else if (SSL_CTX_set_default_verify_paths(ctx) != 1) {
            return tls_fail(c, RMD_FAIL_TLS, "cannot load the system CA certificates");
        }
    }
    if (o->cert && SSL_CTX_use_certificate_chain_file(ctx, o->cert) != 1)
        return tls_fail(c, RMD_FAIL_TLS, "cannot load the client certificate given with --cert");
    if (o->key && SSL_CTX_use_PrivateKey_file(ctx, o->key, SSL_FILETYPE_PEM) != 1)
        return tls_fail(c, RMD_FAIL_TLS, "cannot load the client key given with --key");
    SSL *ssl = SSL_new(ctx);
    if (!ssl) return tls_fail(c, RMD_FAIL_TLS, "cannot create TLS session");
    c->ssl = ssl;
    if (SSL_set_fd(ssl, c->fd) != 1) return tls_fail(c, RMD_FAIL_TLS, "cannot attach TLS to socket");
    if (name && name[0]) {
        int ip = is_ip_literal(name);
        if (!ip || (o->sni && o->sni[0])) SSL_set_tlsext_host_name(ssl, name);
        if (!o->insecure) {
            if (ip) X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), name);
            else SSL_set1_host(ssl, name);
        }
    }
    c->t = &transport_tls;
    return RMD_IO_OK;
}

/* ---------------------------------------------------------------- connect */

int rmd_conn_connect(rmd_conn *c, const struct sockaddr *addr, socklen_t alen) {
    memset(c, 0, sizeof *c);
    c->fd = -1;
    c->t = addr->sa_family == AF_UNIX ? &transport_unix : &transport_tcp;
    int fd = socket(addr->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) return fail_errno(c, "socket", errno);
    c->fd = fd;
    if (addr->sa_family != AF_UNIX) {
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    }
    if (connect(fd, addr, alen) == 0) return RMD_IO_OK;
    if (errno == EINPROGRESS || errno == EAGAIN) {
        /* unix sockets return EAGAIN when the listen backlog is full */
        if (errno == EAGAIN && addr->sa_family == AF_UNIX) return fail_errno(c, "connect", EAGAIN);
        return RMD_IO_WANT_WRITE;
    }
    return fail_errno(c, "connect", errno);
}

int rmd_conn_connect_finish(rmd_conn *c) {
    int err = 0;
    socklen_t len = sizeof err;
    if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0) return fail_errno(c, "connect", errno);
    if (err) return fail_errno(c, "connect", err);
    return RMD_IO_OK;
}

int rmd_conn_handshake(rmd_conn *c) { return c->t->handshake(c); }
ssize_t rmd_conn_read(rmd_conn *c, void *buf, size_t n) { return c->t->read(c, buf, n); }
ssize_t rmd_conn_write(rmd_conn *c, const void *buf, size_t n) { return c->t->write(c, buf, n); }

void rmd_conn_close(rmd_conn *c) {
    if (c->t) c->t->close(c);
    else if (c->fd >= 0) close(c->fd);
    c->fd = -1;
}
