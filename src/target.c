/* target.c -- URL parsing and redaction (see target.h). */
#include "target.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

void rmd_target_init(rmd_target *t) {
    memset(t, 0, sizeof *t);
    t->kind = RMD_TARGET_TCP;
    rmd_strlcpy(t->host, "127.0.0.1", sizeof t->host);
    t->port = 6379;
}

rmd_err rmd_target_set(char **field, const char *s) {
    char *copy = NULL;
    if (s && !(copy = strdup(s))) return RMD_ENOMEM;
    if (*field) {
        rmd_wipe(*field, strlen(*field));
        free(*field);
    }
    *field = copy;
    return RMD_OK;
}

void rmd_target_clear(rmd_target *t) {
    rmd_target_set(&t->user, NULL);
    rmd_target_set(&t->password, NULL);
    rmd_target_set(&t->cacert, NULL);
    rmd_target_set(&t->cert, NULL);
    rmd_target_set(&t->key, NULL);
    rmd_target_set(&t->sni, NULL);
    rmd_target_init(t);
}

static int hexval(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* Percent-decode s[0..n) into a new string. NULL on bad escape, NUL byte or OOM. */
static char *pct_decode(const char *s, size_t n) {
    char *out = malloc(n + 1);
    size_t o = 0;
    if (!out) return NULL;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '%') {
            int hi, lo;
            if (i + 2 >= n) goto bad;
            hi = hexval(s[i + 1]);
            lo = hexval(s[i + 2]);
            if (hi < 0 || lo < 0 || (hi == 0 && lo == 0)) goto bad;
            out[o++] = (char)(hi * 16 + lo);
            i += 2;
        } else {
            out[o++] = s[i];
        }
    }
    out[o] = '\0';
    return out;
bad:
    rmd_wipe(out, n + 1);
    free(out);
    return NULL;
}

#define URL_ERR(...) do { snprintf(err, errlen, __VA_ARGS__); goto fail; } while (0)

static int valid_hostname(const char *h, size_t n) {
    if (n == 0) return 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)h[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '.' || c == '_'))
            return 0;
    }
    return 1;
}

/* Parse "host[:port]" (host may be "[v6]") from s[0..n) into nt. */
static rmd_err parse_hostport(rmd_target *nt, const char *s, size_t n, size_t col0,
                              char *err, size_t errlen) {
    const char *h = s, *portp = NULL;
    size_t hl = n;
    if (n && s[0] == '[') {
        const char *rb = memchr(s, ']', n);
        if (!rb) URL_ERR("missing ']' after IPv6 address at column %zu", col0 + 1);
        h = s + 1;
        hl = (size_t)(rb - s) - 1;
        if (rb + 1 < s + n) {
            if (rb[1] != ':') URL_ERR("unexpected '%c' after ']' at column %zu", rb[1], col0 + (size_t)(rb - s) + 2);
            portp = rb + 2;
        }
        char tmp[64];
        struct in6_addr a6;
        if (hl == 0 || hl >= sizeof tmp) URL_ERR("bad IPv6 address at column %zu", col0 + 2);
        memcpy(tmp, h, hl);
        tmp[hl] = '\0';
        if (inet_pton(AF_INET6, tmp, &a6) != 1)
            URL_ERR("'%s' is not an IPv6 address (column %zu)", tmp, col0 + 2);
    } else {
        const char *colon = memchr(s, ':', n);
        if (colon) {
            if (memchr(colon + 1, ':', n - (size_t)(colon - s) - 1))
                URL_ERR("IPv6 addresses must be in brackets, as in redis://[::1]:6379 (column %zu)", col0 + 1);
            hl = (size_t)(colon - s);
            portp = colon + 1;
        }
        if (hl > RMD_HOST_MAX)
            URL_ERR("host name is %zu characters long; the limit is %d", hl, RMD_HOST_MAX);
        if (hl && !valid_hostname(h, hl)) {
            size_t bad = 0;
            while (bad < hl && valid_hostname(h + bad, 1)) bad++;
            URL_ERR("invalid character in host name at column %zu", col0 + bad + 1);
        }
    }
    if (hl) rmd_memlcpy(nt->host, sizeof nt->host, h, hl);
    if (portp) {
        long long port;
        size_t pl = (size_t)(s + n - portp);
        if (pl == 0) URL_ERR("empty port after ':' at column %zu", col0 + (size_t)(portp - s) + 1);
        if (rmd_parse_ll(portp, pl, &port) != 0)
            URL_ERR("port is not a number at column %zu", col0 + (size_t)(portp - s) + 1);
        if (port < 1 || port > 65535)
            URL_ERR("port %lld out of range 1-65535 (column %zu)", port, col0 + (size_t)(portp - s) + 1);
        nt->port = (int)port;
    }
    return RMD_OK;
fail:
    return RMD_EURL;
}

rmd_err rmd_target_parse_url(rmd_target *t, const char *url, char *err, size_t errlen) {
    rmd_target nt = *t;          /* shallow: owned strings replaced below only on success */
    char *user = NULL, *pass = NULL;
    const char *p = NULL, *end, *auth_end, *hp, *slash; /* p: every branch below sets it or fails */
    size_t len = strlen(url);

    if (len > 4096) URL_ERR("URL is %zu characters long; the limit is 4096", len);
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)url[i] <= 0x20 || (unsigned char)url[i] == 0x7f)
            URL_ERR("URL has a space or control character at column %zu", i + 1);

    if (strncmp(url, "unix://", 7) == 0) {
        const char *path = url + 7;
        const char *q = strchr(path, '?');
        size_t pl = q ? (size_t)(q - path) : strlen(path);
        if (pl == 0 || path[0] != '/') URL_ERR("unix:// needs an absolute socket path, as in unix:///run/redis.sock");
        if (pl > RMD_UNIX_PATH_MAX) URL_ERR("socket path is %zu bytes long; the limit is %d", pl, RMD_UNIX_PATH_MAX);
        nt.kind = RMD_TARGET_UNIX;
        rmd_memlcpy(nt.path, sizeof nt.path, path, pl);
        nt.host[0] = '\0';
        nt.port = 0;
        if (q) {
            /* ?db=N (redis-py style) */
            long long db;
            if (strncmp(q, "?db=", 4) != 0 || rmd_parse_ll(q + 4, strlen(q + 4), &db) != 0 || db < 0 || db > 1000000)
                URL_ERR("unsupported query '%.40s' (only ?db=N) at column %zu", q, (size_t)(q - url) + 1);
            nt.db = (int)db;
        }
        *t = nt;
        return RMD_OK;
    }
    if (strncmp(url, "redis://", 8) == 0) {
        p = url + 8;
    } else if (strncmp(url, "rediss://", 9) == 0) {
        p = url + 9;
        nt.tls = 1;
    } else {
        const char *sep = strstr(url, "://");
        if (sep) URL_ERR("unsupported scheme '%.*s' (use redis://, rediss:// or unix://)", (int)((sep - url) > 20 ? 20 : (sep - url)), url);
        URL_ERR("not a URL: expected redis://host:port, rediss://host:port or unix:///path");
    }
    end = url + len;
    slash = memchr(p, '/', (size_t)(end - p));
    {
        const char *q = memchr(p, '?', (size_t)(end - p));
        if (q && (!slash || q < slash)) slash = q;
    }
    auth_end = slash ? slash : end;
    /* userinfo: the LAST '@' before the path (passwords may contain '@' unencoded). */
    hp = p;
    for (const char *a = auth_end; a > p; a--)
        if (a[-1] == '@') { hp = a; break; }
    if (hp != p) {
        const char *ui = p, *ue = hp - 1, *colon = memchr(ui, ':', (size_t)(ue - ui));
        if (colon) {
            if (colon > ui && !(user = pct_decode(ui, (size_t)(colon - ui))))
                URL_ERR("bad %%-escape in user name (column %zu)", (size_t)(ui - url) + 1);
            if (!(pass = pct_decode(colon + 1, (size_t)(ue - colon - 1))))
                URL_ERR("bad %%-escape in password (column %zu)", (size_t)(colon - url) + 2);
            if (!pass[0]) { free(pass); pass = NULL; }
        } else if (ue > ui) {
            /* redis://secret@host: redis-py and redis-cli take a lone userinfo as the password */
            if (!(pass = pct_decode(ui, (size_t)(ue - ui))))
                URL_ERR("bad %%-escape in password (column %zu)", (size_t)(ui - url) + 1);
        }
    }
    if (parse_hostport(&nt, hp, (size_t)(auth_end - hp), (size_t)(hp - url), err, errlen) != RMD_OK)
        goto fail;
    if (slash && *slash == '/') {
        const char *dbs = slash + 1;
        const char *q = strchr(dbs, '?');
        size_t dl = q ? (size_t)(q - dbs) : strlen(dbs);
        long long db;
        if (dl) {
            if (rmd_parse_ll(dbs, dl, &db) != 0 || db < 0 || db > 1000000)
                URL_ERR("database must be a number, as in redis://host:6379/0 (column %zu)", (size_t)(dbs - url) + 1);
            nt.db = (int)db;
        }
        slash = q;
    }
    if (slash && *slash == '?') URL_ERR("URL query parameters are not supported (column %zu)", (size_t)(slash - url) + 1);

    nt.kind = RMD_TARGET_TCP;
    nt.path[0] = '\0';
    if (user) {
        if (t->user) { rmd_wipe(t->user, strlen(t->user)); free(t->user); }
        nt.user = user;
    }
    if (pass) {
        if (t->password) { rmd_wipe(t->password, strlen(t->password)); free(t->password); }
        nt.password = pass;
    }
    *t = nt;
    return RMD_OK;
fail:
    if (user) { rmd_wipe(user, strlen(user)); free(user); }
    if (pass) { rmd_wipe(pass, strlen(pass)); free(pass); }
    return RMD_EURL;
}

void rmd_target_endpoint(const rmd_target *t, char *out, size_t outlen) {
    if (t->kind == RMD_TARGET_UNIX)
        snprintf(out, outlen, "%s", t->path);
    else if (strchr(t->host, ':'))
        snprintf(out, outlen, "[%s]:%d", t->host, t->port);
    else
        snprintf(out, outlen, "%s:%d", t->host, t->port);
}

void rmd_target_redacted(const rmd_target *t, char *out, size_t outlen) {
    char ep[RMD_HOST_MAX + 16], user[80] = "";
    if (t->user) {
        rmd_escape(user, sizeof user, t->user, strlen(t->user));
    }
    if (t->kind == RMD_TARGET_UNIX) {
        if (t->db) snprintf(out, outlen, "unix://%s?db=%d", t->path, t->db);
        else snprintf(out, outlen, "unix://%s", t->path);
        return;
    }
    rmd_target_endpoint(t, ep, sizeof ep);
    snprintf(out, outlen, "%s://%s%s%s%s/%d", t->tls ? "rediss" : "redis",
             user, t->password ? ":***" : "", (t->user || t->password) ? "@" : "", ep, t->db);
}
