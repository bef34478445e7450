/* util.c -- see util.h. */
#include "util.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

size_t rmd_strlcpy(char *dst, const char *src, size_t n) {
    size_t len = strlen(src);
    if (n) {
        size_t c = len < n - 1 ? len : n - 1;
        memcpy(dst, src, c);
        dst[c] = '\0';
    }
    return len;
}

void rmd_memlcpy(char *dst, size_t n, const void *src, size_t srclen) {
    if (!n) return;
    size_t c = srclen < n - 1 ? srclen : n - 1;
    if (c) memcpy(dst, src, c);
    dst[c] = '\0';
}

/* How rmd_escape() renders byte c: into tmp (not NUL-terminated), returns the length. */
static size_t escape_one(unsigned char c, char tmp[4]) {
    static const char hex[] = "0123456789abcdef";
    const char *two = c == '\r' ? "\\r" : c == '\n' ? "\\n" : c == '\t' ? "\\t" : c == '\\' ? "\\\\" : NULL;
    if (two) { memcpy(tmp, two, 2); return 2; }
    if (c >= 0x20 && c < 0x7f) { tmp[0] = (char)c; return 1; }
    tmp[0] = '\\'; tmp[1] = 'x'; tmp[2] = hex[c >> 4]; tmp[3] = hex[c & 15];
    return 4;
}

void rmd_escape(char *out, size_t outlen, const void *in, size_t inlen) {
    const unsigned char *s = in;
    size_t o = 0, i, total = 0, room;
    char tmp[4];
    if (!outlen) return;
    /* Does the whole rendering fit? Stop counting as soon as it cannot. */
    for (i = 0; i < inlen && total < outlen; i++) total += escape_one(s[i], tmp);
    /* If not, keep room for "..." and the NUL. */
    room = (i == inlen && total < outlen) ? outlen - 1 : (outlen >= 4 ? outlen - 4 : 0);
    for (i = 0; i < inlen; i++) {
        size_t tl = escape_one(s[i], tmp);
        if (o + tl > room) break;
        memcpy(out + o, tmp, tl);
        o += tl;
    }
    if (i < inlen && outlen >= 4) { memcpy(out + o, "...", 3); o += 3; }
    out[o] = '\0';
}

int rmd_parse_ll(const char *s, size_t len, long long *out) {
    size_t i = 0;
    int neg = 0;
    unsigned long long v = 0, lim;
    if (len && s[0] == '-') { neg = 1; i = 1; }
    if (i == len) return -1;
    lim = neg ? (unsigned long long)LLONG_MAX + 1ULL : (unsigned long long)LLONG_MAX;
    for (; i < len; i++) {
        if (s[i] < '0' || s[i] > '9') return -1;
        unsigned d = (unsigned)(s[i] - '0');
        if (v > (lim - d) / 10) return -1;
        v = v * 10 + d;
    }
    if (neg) *out = v == (unsigned long long)LLONG_MAX + 1ULL ? LLONG_MIN : -(long long)v;
    else *out = (long long)v;
    return 0;
}

int rmd_parse_double(const char *s, size_t len, double *out) {
    char tmp[64];
    char *end;
    if (len == 0 || len >= sizeof tmp) return -1;
    memcpy(tmp, s, len);
    tmp[len] = '\0';
    for (size_t i = 0; i < len; i++)
        if (!strchr("0123456789+-.eE", tmp[i])) return -1;
    errno = 0;
    double v = strtod(tmp, &end);
    if (errno || end != tmp + len || !isfinite(v)) return -1;
    *out = v;
    return 0;
}

void rmd_human_bytes(long long b, char *out, size_t outlen) {
    static const char *const unit[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    double v = (double)b;
    int i = 0;
    while (v >= 1024 && i < 4) { v /= 1024; i++; }
    if (i == 0) snprintf(out, outlen, "%lld B", b);
    else snprintf(out, outlen, "%.1f %s", v, unit[i]);
}

double rmd_now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static size_t buf_max(const rmd_buf *b) { return b->max ? b->max : (size_t)64 << 20; }

rmd_err rmd_buf_append(rmd_buf *b, const void *data, size_t n) {
    if (n > buf_max(b) || b->len > buf_max(b) - n) return RMD_ETOOBIG;
    if (b->len + n + 1 > b->cap) {
        size_t nc = b->cap ? b->cap : 256;
        while (nc < b->len + n + 1) nc *= 2;
        char *np = realloc(b->p, nc);
        if (!np) return RMD_ENOMEM;
        b->p = np;
        b->cap = nc;
    }
    if (n) memcpy(b->p + b->len, data, n);
    b->len += n;
    b->p[b->len] = '\0';
    return RMD_OK;
}

rmd_err rmd_buf_printf(rmd_buf *b, const char *fmt, ...) {
    char small[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0) return RMD_EINTERNAL;
    if ((size_t)n < sizeof small) return rmd_buf_append(b, small, (size_t)n);
    char *big = malloc((size_t)n + 1);
    if (!big) return RMD_ENOMEM;
    va_start(ap, fmt);
    vsnprintf(big, (size_t)n + 1, fmt, ap);
    va_end(ap);
    rmd_err e = rmd_buf_append(b, big, (size_t)n);
    free(big);
    return e;
}

void rmd_buf_consume(rmd_buf *b, size_t n) {
    if (n >= b->len) { b->len = 0; if (b->p) b->p[0] = '\0'; return; }
    memmove(b->p, b->p + n, b->len - n);
    b->len -= n;
    b->p[b->len] = '\0';
}

void rmd_buf_reset(rmd_buf *b) {
    b->len = 0;
    if (b->p) b->p[0] = '\0';
}

void rmd_buf_free(rmd_buf *b) {
    free(b->p);
    b->p = NULL;
    b->len = b->cap = 0;
}

rmd_err rmd_strlist_add(rmd_strlist *l, const char *s) {
    if (l->n == l->cap) {
        size_t nc = l->cap ? l->cap * 2 : 8;
        char **ni = realloc(l->items, nc * sizeof *ni);
        if (!ni) return RMD_ENOMEM;
        l->items = ni;
        l->cap = nc;
    }
    char *d = strdup(s);
    if (!d) return RMD_ENOMEM;
    l->items[l->n++] = d;
    return RMD_OK;
}

rmd_err rmd_strlist_addf(rmd_strlist *l, const char *fmt, ...) {
    char tmp[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    return rmd_strlist_add(l, tmp);
}

void rmd_strlist_free(rmd_strlist *l) {
    for (size_t i = 0; i < l->n; i++) free(l->items[i]);
    free(l->items);
    l->items = NULL;
    l->n = l->cap = 0;
}

void rmd_wipe(void *p, size_t n) {
    volatile unsigned char *v = p;
    while (n--) *v++ = 0;
}
