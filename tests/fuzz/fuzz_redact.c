/* fuzz_redact.c -- libFuzzer target for the redaction of log lines that
 * triage prints (redact.c), with a property as oracle: a secret placed in one
 * of the forms redact.h promises to scrub (URL userinfo, -a, AUTH and its
 * echo, requirepass / masterauth / password keys), anywhere in a line of
 * arbitrary other text, never reaches the output; and the output stays in
 * its buffer, NUL-terminated.
 *
 * Input: byte 0 picks the form, byte 1 the secret's length (4..40), then the
 * secret (kept to [A-Za-z0-9._~!-], so it cannot end its own form, starting
 * with a letter or digit and holding both, as chosen passwords do), then the
 * text around it (quotes, backslashes and line ends turned into spaces: one
 * line, no quoting that could legitimately swallow the form; no key word
 * before it that could take the form's first word as its value). Allocation
 * caps: the line is built in a fixed 8 KiB buffer; inputs over 64 KiB are
 * skipped. Seeds: tests/fuzz/corpus/fuzz_redact/ (log lines with secrets). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "redact.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void require(int cond) {
    if (!cond) __builtin_trap();
}

static const char *const forms[] = {
    "redis://app:%s@cache.internal:6379/0",
    "rediss://%s@cache.internal:6380",
    "redis-cli -h 10.0.3.7 -a %s ping",
    "AUTH %s",
    "AUTH default %s",
    "requirepass %s",
    "masterauth %s",
    "password=%s",
    "\"password\": \"%s\"",
    "ERR unknown command 'AUTH', with args beginning with: '%s' ",
    "--pass=%s",
};
#define N_FORMS (sizeof forms / sizeof forms[0])

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static char line[8192], out[8192], small[40];
    char secret[41], form[200];
    if (size < 2 || size > (64u << 10)) return 0;
    size_t f = data[0] % N_FORMS, sl = 4 + data[1] % 37;
    if (size < 2 + sl) return 0;
    for (size_t i = 0; i < sl; i++) {
        unsigned char c = data[2 + i];
        const char *ok = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._~!-";
        secret[i] = ok[c % 67];
    }
    secret[sl] = '\0';
    /* a password as people choose them: starts with a letter or digit, holds both
     * (never a word of prose such as "failed", never "-x", read as the next flag) */
    if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", secret[0]) ||
        !strpbrk(secret, "0123456789") || !strpbrk(secret, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"))
        return 0;
    snprintf(form, sizeof form, forms[f], secret);
    /* the text around it: first half before, second half after */
    const uint8_t *t = data + 2 + sl;
    size_t tl = size - 2 - sl, half = tl / 2, o = 0;
    if (tl > 3000) return 0;
    for (size_t i = 0; i < tl + 1; i++) {
        if (i == half) o += (size_t)snprintf(line + o, sizeof line - o, " %s ", form);
        if (i == tl) break;
        unsigned char c = t[i];
        line[o++] = (c == '"' || c == '\'' || c == '\\' || c == '\n' || c == '\r' || c == '\0' || c == '`') ? ' ' : (char)c;
    }
    line[o] = '\0';
    /* a key just before the form may take the form's own first word as its value
     * ("--password requirepass s3cret"): keep the text before the form free of keys */
    for (size_t i = 0; i + 1 < half + 1 && i < o; i++) {
        static const char *const keys[] = {"pass", "auth", "-a", "://", "@", "secret", "token", "beginning with"};
        for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++)
            if (!strncasecmp(line + i, keys[k], strlen(keys[k]))) return 0;
    }
    const char *first = strstr(line, secret);
    if (!first || strstr(first + 1, secret)) return 0; /* the text around holds it too */

    size_t n = rmd_redact(out, sizeof out, line, o);
    require(n < sizeof out && out[n] == '\0' && strlen(out) == n);
    require(strstr(out, secret) == NULL);
    n = rmd_redact(small, sizeof small, line, o);
    require(n < sizeof small && small[n] == '\0');
    return 0;
}
