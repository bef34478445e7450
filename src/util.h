/* util.h -- small bounded string, number and buffer helpers shared by all stages.
 *
 * Nothing here does I/O. Parsers use rmd_parse_ll() instead of atoi/strtol on
 * untrusted text, and rmd_buf instead of unbounded growth: every rmd_buf has a
 * maximum and refuses to grow past it.
 */
#ifndef RMD_UTIL_H
#define RMD_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "err.h"

/* Copy at most n-1 bytes of src into dst and NUL-terminate (n > 0).
 * Returns strlen(src) so callers can detect truncation. */
size_t rmd_strlcpy(char *dst, const char *src, size_t n);

/* Copy exactly srclen bytes (or fewer, truncated to n-1) into dst, NUL-terminated. */
void rmd_memlcpy(char *dst, size_t n, const void *src, size_t srclen);

/* Render bytes for a human: printable ASCII kept, everything else as \xHH,
 * \r \n \t escaped. Output is always NUL-terminated and truncated with "..."
 * when it does not fit. */
void rmd_escape(char *out, size_t outlen, const void *in, size_t inlen);

/* Strict decimal integer parse of exactly len bytes (optional leading '-').
 * Returns 0 on success, -1 on empty input, stray bytes or overflow. */
int rmd_parse_ll(const char *s, size_t len, long long *out);

/* Strict decimal floating-point parse of exactly len bytes. 0 / -1 as above. */
int rmd_parse_double(const char *s, size_t len, double *out);

/* "1.5 MiB", "512 B": bytes for people (binary units, one decimal). */
void rmd_human_bytes(long long b, char *out, size_t outlen);

/* Monotonic clock in milliseconds (fractional). */
double rmd_now_ms(void);

/* Growable byte buffer with a hard maximum. Always NUL-terminated when p != NULL. */
typedef struct rmd_buf {
    char  *p;    /* owned; NULL until first append */
    size_t len;  /* bytes used, excluding the terminating NUL */
    size_t cap;  /* bytes allocated */
    size_t max;  /* hard limit for len; 0 means 64 MiB */
} rmd_buf;

/* Append n bytes. RMD_ETOOBIG past max (buffer unchanged), RMD_ENOMEM on allocation failure. */
rmd_err rmd_buf_append(rmd_buf *b, const void *data, size_t n);
/* Append formatted text (printf-style). Same errors as rmd_buf_append. */
rmd_err rmd_buf_printf(rmd_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Drop the first n bytes (n <= len). */
void rmd_buf_consume(rmd_buf *b, size_t n);
void rmd_buf_reset(rmd_buf *b);
void rmd_buf_free(rmd_buf *b);

/* A growable list of owned C strings. */
typedef struct rmd_strlist {
    char  **items;  /* owned, each owned */
    size_t  n, cap;
} rmd_strlist;

rmd_err rmd_strlist_add(rmd_strlist *l, const char *s);
rmd_err rmd_strlist_addf(rmd_strlist *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void rmd_strlist_free(rmd_strlist *l);

/* Overwrite n bytes with zeros in a way the compiler may not elide (for secrets). */
void rmd_wipe(void *p, size_t n);

#endif
