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

#endif
