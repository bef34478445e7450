/* term.c -- escaping text writer (see term.h). */
#include "term.h"

#include "util.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

size_t rmd_utf8_printable(const unsigned char *p, size_t n) {
    if (p[0] >= 0x20 && p[0] < 0x7f) return 1;
    int k = (p[0] & 0xe0) == 0xc0 ? 1 : (p[0] & 0xf0) == 0xe0 ? 2 : (p[0] & 0xf8) == 0xf0 ? 3 : -1;
    if (k < 0 || (size_t)k >= n || (k == 1 && p[0] < 0xc2)) return 0;
    uint32_t cp = p[0] & (0x3f >> k);
    for (int i = 1; i <= k; i++) {
        if ((p[i] & 0xc0) != 0x80) return 0;
        cp = (cp << 6) | (p[i] & 0x3f);
    }
    if ((k == 2 && cp < 0x800) || (k == 3 && (cp < 0x10000 || cp > 0x10ffff)) || (cp >= 0xd800 && cp <= 0xdfff)) return 0;
    if (cp >= 0x80 && cp < 0xa0) return 0; /* C1 controls (CSI 0x9b...) */
    return (size_t)k + 1;
}

void rmd_term_escape(char *out, size_t outlen, const char *s, size_t len) {
    const unsigned char *p = (const unsigned char *)s;
    size_t o = 0, i = 0;
    if (!outlen) return;
    while (i < len) {
        char tmp[8];
        size_t tl, k = rmd_utf8_printable(p + i, len - i);
        if (k) { memcpy(tmp, p + i, k); tl = k; }
        else if (p[i] == '\n') { memcpy(tmp, "\\n", 2); tl = 2; }
        else if (p[i] == '\r') { memcpy(tmp, "\\r", 2); tl = 2; }
        else if (p[i] == '\t') { memcpy(tmp, "\\t", 2); tl = 2; }
        else { snprintf(tmp, sizeof tmp, "\\x%02x", p[i]); tl = 4; k = 1; }
        if (!k) k = 1;
        if (o + tl + 4 > outlen) { /* keep room for "..." and the NUL */
            if (o + 4 <= outlen) { memcpy(out + o, "...", 3); o += 3; }
            break;
        }
        memcpy(out + o, tmp, tl);
        o += tl;
        i += k;
    }
    out[o < outlen ? o : outlen - 1] = '\0';
}

int rmd_tprintf(FILE *out, const char *fmt, ...) {
    va_list ap;
    int total = 0;
    va_start(ap, fmt);
    for (const char *p = fmt; *p;) {
        if (*p != '%') {
            size_t n = strcspn(p, "%");
            fwrite(p, 1, n, out);
            total += (int)n;
            p += n;
            continue;
        }
        /* one conversion: copy its spec, then format its argument alone */
        char spec[32];
        size_t sl = 0;
        const char *q = p + 1;
        spec[sl++] = '%';
        while (*q && strchr("-+ #0123456789.*", *q) && sl < 20) {
            if (*q == '*') {
                int w = va_arg(ap, int);
                sl += (size_t)snprintf(spec + sl, sizeof spec - sl, "%d", w);
            } else {
                spec[sl++] = *q;
            }
            q++;
        }
        int lm = 0; /* 1 h/hh, 2 l, 3 ll, 4 z */
        while (*q && strchr("hlz", *q) && sl < 28) {
            lm = *q == 'h' ? 1 : *q == 'z' ? 4 : lm == 2 ? 3 : 2;
            spec[sl++] = *q++;
        }
        if (!*q) break;
        char conv = *q++;
        spec[sl++] = conv;
        spec[sl] = '\0';
        char buf[4096];
        int n = 0;
        switch (conv) {
        case 's': {
            /* the precision counts bytes of the text itself (%.*s of a line),
             * the width counts what is shown: escape between the two */
            const char *s = va_arg(ap, const char *);
            char esc[8192], spec2[32];
            size_t len, k = 0;
            if (!s) s = "(null)";
            len = strlen(s);
            const char *dot = strchr(spec, '.');
            if (dot) {
                long long prec = 0;
                size_t dl = strspn(dot + 1, "0123456789");
                if (dl && rmd_parse_ll(dot + 1, dl, &prec) == 0 && prec >= 0 && (size_t)prec < len) len = (size_t)prec;
                else if (!dl) len = 0;
                memcpy(spec2, spec, (size_t)(dot - spec));
                k = (size_t)(dot - spec);
                spec2[k++] = 's';
                spec2[k] = '\0';
            }
            rmd_term_escape(esc, sizeof esc, s, len);
            n = fprintf(out, dot ? spec2 : spec, esc);
            break;
        }
        case 'd': case 'i': case 'c':
            if (lm == 3) n = snprintf(buf, sizeof buf, spec, va_arg(ap, long long));
            else if (lm == 2) n = snprintf(buf, sizeof buf, spec, va_arg(ap, long));
            else if (lm == 4) n = snprintf(buf, sizeof buf, spec, va_arg(ap, size_t));
            else n = snprintf(buf, sizeof buf, spec, va_arg(ap, int));
            if (n > 0) fwrite(buf, 1, (size_t)n < sizeof buf ? (size_t)n : sizeof buf - 1, out);
            break;
        case 'u': case 'x': case 'X':
            if (lm == 3) n = snprintf(buf, sizeof buf, spec, va_arg(ap, unsigned long long));
            else if (lm == 2) n = snprintf(buf, sizeof buf, spec, va_arg(ap, unsigned long));
            else if (lm == 4) n = snprintf(buf, sizeof buf, spec, va_arg(ap, size_t));
            else n = snprintf(buf, sizeof buf, spec, va_arg(ap, unsigned));
            if (n > 0) fwrite(buf, 1, (size_t)n < sizeof buf ? (size_t)n : sizeof buf - 1, out);
            break;
        case 'f': case 'g': case 'e':
            n = snprintf(buf, sizeof buf, spec, va_arg(ap, double));
            if (n > 0) fwrite(buf, 1, (size_t)n < sizeof buf ? (size_t)n : sizeof buf - 1, out);
            break;
        case 'p':
            n = fprintf(out, "%p", va_arg(ap, void *));
            break;
        case '%':
            fputc('%', out);
            n = 1;
            break;
        default: /* not supported: write the spec as text */
            n = (int)fwrite(spec, 1, sl, out);
            break;
        }
        if (n < 0) { va_end(ap); return -1; }
        total += n;
        p = q;
    }
    va_end(ap);
    return total;
}

void rmd_fwrite_safe(FILE *out, const char *s, size_t n) {
    static const char hex[] = "0123456789abcdef";
    const unsigned char *u = (const unsigned char *)s;
    size_t run = 0; /* bytes at u[i - run .. i) to write as they are */
    for (size_t i = 0; i < n;) {
        unsigned char c = u[i];
        size_t ok = c == '\n' || c == '\t' ? 1 : rmd_utf8_printable(u + i, n - i);
        if (ok) {
            run += ok;
            i += ok;
            continue;
        }
        if (run) fwrite(u + i - run, 1, run, out);
        run = 0;
        char esc[4] = {'\\', 'x', hex[c >> 4], hex[c & 15]};
        fwrite(esc, 1, 4, out);
        i++;
    }
    if (run) fwrite(u + n - run, 1, run, out);
}

void rmd_fprintf_safe(FILE *out, const char *fmt, ...) {
    char small[1024], *p = small, *heap = NULL; /* heap: owned, when the text outgrows small */
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0) return;
    if ((size_t)n >= sizeof small) {
        size_t cap = (size_t)n + 1 > (64u << 10) ? 64u << 10 : (size_t)n + 1;
        heap = malloc(cap);
        if (!heap) {
            n = (int)sizeof small - 1;
        } else {
            p = heap;
            va_start(ap, fmt);
            vsnprintf(p, cap, fmt, ap);
            va_end(ap);
            if ((size_t)n >= cap) n = (int)cap - 1;
        }
    }
    rmd_fwrite_safe(out, p, (size_t)n);
    free(heap);
}

