/* redact.h -- scrub secrets from a line of text before it is shown.
 *
 * Used by `triage` on every line it prints (summary examples, --each, --each
 * --json): a log line may hold a password, and the report must not. Replaced
 * by "***":
 *   - the password of a URL's userinfo (scheme://user:PASS@host); for redis,
 *     rediss, valkey and sentinel URLs a lone userinfo too (redis://PASS@host),
 *     since redis-py and redis-cli take it as the password;
 *   - the value after -a, --pass, --password, --askpass-free "--pass=" forms;
 *   - the arguments of AUTH (one, or user and password), quoted or not, and
 *     what the server echoes of them ("with args beginning with: '...'");
 *   - the value of requirepass, masterauth, password, passwd (as a word,
 *     "key value", key=value, key: value, "key" => "value").
 * Bytes in, bytes out; no I/O, no allocation; the output is bounded and
 * always NUL-terminated. Over-redaction is preferred to a leak.
 */
#ifndef RMD_REDACT_H
#define RMD_REDACT_H

#include <stddef.h>

/* Copy in[0..inlen) to out (outlen > 0) with secrets replaced by "***".
 * Returns the output length (the output is truncated to outlen - 1). */
size_t rmd_redact(char *out, size_t outlen, const char *in, size_t inlen);

#endif
