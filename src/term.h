/* term.h -- the one place where text meets a terminal or a text file.
 *
 * Renderers write every string that may hold bytes from outside (server
 * replies, CONFIG values, client names, log lines, runbooks, file names)
 * through rmd_tprintf: each %s argument is made safe as it is written --
 * C0/C1 control characters, DEL and bytes that are not valid UTF-8 become
 * visible escapes (\x1b, \n, \xff) -- while the format string itself (our
 * own text, colour sequences included) is written as it is. Producers keep
 * the raw bytes; nothing is escaped twice. Model: OpenSSH utf8.c fmprintf.
 */
#ifndef RMD_TERM_H
#define RMD_TERM_H

#include <stddef.h>
#include <stdio.h>

/* printf to out with every %s argument escaped as above. Supports the
 * conversions d i u x X c s f g e p % with flags, width, precision and the
 * length modifiers hh h l ll z. Returns bytes written, or -1. */
int rmd_tprintf(FILE *out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Escape s into out (always NUL-terminated, truncated with "..." when it
 * does not fit): valid printable UTF-8 kept, everything else escaped. */
void rmd_term_escape(char *out, size_t outlen, const char *s, size_t len);

/* Write text where a person reads it (terminal, log file): printable ASCII,
 * '\n', '\t' and valid UTF-8 pass unchanged; every byte that could act on a
 * terminal (other C0 controls, DEL, the C1 controls U+0080..U+009F) or is not
 * valid UTF-8 is written as \xHH. Backslashes pass unchanged, so text that
 * rmd_escape() already rendered is not escaped twice. */
void rmd_fwrite_safe(FILE *out, const char *s, size_t n);

/* printf into a bounded buffer (64 KiB; longer output is cut), then
 * rmd_fwrite_safe(). Used where the whole line is ours to escape (triage's text output). */
void rmd_fprintf_safe(FILE *out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Length of the printable, valid UTF-8 sequence at p (n bytes left):
 * 1 for printable ASCII, 2-4 for a code point >= U+00A0; 0 for anything
 * else (controls, DEL, C1, invalid or overlong sequences, surrogates). */
size_t rmd_utf8_printable(const unsigned char *p, size_t n);

#endif
