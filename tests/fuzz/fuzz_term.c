/* fuzz_term.c -- libFuzzer target for the escaping text writer (term.c), the
 * one place where bytes from outside meet a terminal or a text file.
 *
 * For any bytes: rmd_term_escape's output is NUL-terminated within its
 * buffer, holds no C0 control, DEL or C1 control and is valid UTF-8, and is
 * the input itself when the input was printable ASCII that fits; rmd_tprintf
 * writes %s arguments with the same guarantee (the format, ours, adds none);
 * rmd_fwrite_safe and rmd_fprintf_safe (triage's text) the same, newlines and
 * tabs aside; rmd_utf8_printable never accepts a control or invalid byte.
 * Allocation caps: inputs over 64 KiB are skipped; run-fuzz.sh caps malloc.
 * Seeds: tests/fuzz/corpus/fuzz_term/ (escape sequences, invalid UTF-8, CRLF). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "term.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void require(int cond) {
    if (!cond) __builtin_trap();
}

/* s[0..n) is valid UTF-8 without C0 (but those in allow), DEL or C1 controls. */
static void require_clean_but(const unsigned char *s, size_t n, const char *allow) {
    for (size_t i = 0; i < n;) {
        unsigned c = s[i];
        if (c && c < 0x20 && strchr(allow, (int)c)) { i++; continue; }
        require(c >= 0x20 && c != 0x7f);
        if (c < 0x80) { i++; continue; }
        int k = (c & 0xe0) == 0xc0 ? 1 : (c & 0xf0) == 0xe0 ? 2 : (c & 0xf8) == 0xf0 ? 3 : -1;
        require(k > 0 && i + (size_t)k < n + 0 + 1 && i + (size_t)k <= n - 1);
        uint32_t cp = c & (0x3fu >> k);
        for (int j = 1; j <= k; j++) {
            require((s[i + (size_t)j] & 0xc0) == 0x80);
            cp = (cp << 6) | (s[i + (size_t)j] & 0x3f);
        }
        require(!(k == 1 && cp < 0x80) && !(k == 2 && cp < 0x800) && !(k == 3 && (cp < 0x10000 || cp > 0x10ffff)));
        require(!(cp >= 0xd800 && cp <= 0xdfff) && !(cp >= 0x80 && cp < 0xa0));
        i += (size_t)k + 1;
    }
}

static void require_clean(const unsigned char *s, size_t n) { require_clean_but(s, n, ""); }

/* What fn writes to a memory stream passes require_clean_but(allow). */
#define REQUIRE_WRITES_CLEAN(allow, call)                                  \
    do {                                                                   \
        char *buf_ = NULL;                                                 \
        size_t len_ = 0;                                                   \
        FILE *mem = open_memstream(&buf_, &len_);                          \
        if (mem) {                                                         \
            call;                                                          \
            fclose(mem);                                                   \
            require_clean_but((const unsigned char *)buf_, len_, (allow)); \
        }                                                                  \
        free(buf_);                                                        \
    } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static char out[4096];
    char small[24];
    int ascii = 1;
    if (size > (64u << 10)) return 0;
    for (size_t i = 0; i < size; i++) ascii &= data[i] >= 0x20 && data[i] < 0x7f;

    rmd_term_escape(out, sizeof out, (const char *)data, size);
    require(memchr(out, '\0', sizeof out) != NULL);
    require_clean((const unsigned char *)out, strlen(out));
    if (ascii && size < sizeof out - 4) require(strlen(out) == size && memcmp(out, data, size) == 0);
    rmd_term_escape(small, sizeof small, (const char *)data, size);
    require(memchr(small, '\0', sizeof small) != NULL);
    require_clean((const unsigned char *)small, strlen(small));

    char *z = malloc(size + 1);
    if (!z) return 0;
    memcpy(z, data, size);
    z[size] = '\0';
    REQUIRE_WRITES_CLEAN("", rmd_tprintf(mem, "[%s] [%.7s] [%-12s] %d", z, z, z, 42));
    /* triage's text writers: newlines and tabs pass, nothing else that acts on a terminal */
    REQUIRE_WRITES_CLEAN("\n\t", rmd_fwrite_safe(mem, (const char *)data, size));
    REQUIRE_WRITES_CLEAN("\n\t", rmd_fprintf_safe(mem, "%s: %.9s\n", z, z));
    for (size_t i = 0; i < size; i++) {
        size_t k = rmd_utf8_printable(data + i, size - i);
        if (k) require_clean(data + i, k);
    }
    free(z);
    return 0;
}
