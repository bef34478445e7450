/* target.h -- what to probe: an endpoint and how to reach it.
 *
 * Pipeline stage 1: TARGET -> probe -> evidence -> rules -> findings -> report.
 * Parses redis://, rediss:// and unix:// URLs (redis-cli's defaults), holds the
 * TLS settings and the credentials. The password is owned here, wiped on
 * clear, and never printed: rmd_target_redacted() is the only way to render
 * a target for people.
 */
#ifndef RMD_TARGET_H
#define RMD_TARGET_H

#include <stddef.h>

#include "err.h"

#define RMD_HOST_MAX 253    /* longest DNS name */
#define RMD_UNIX_PATH_MAX 107

typedef enum rmd_target_kind {
    RMD_TARGET_TCP = 0,
    RMD_TARGET_UNIX
} rmd_target_kind;

typedef struct rmd_target {
    rmd_target_kind kind;
    char  host[RMD_HOST_MAX + 1];      /* host name or IP literal (IPv6 without brackets) */
    int   port;                        /* 1..65535 for TCP */
    char  path[RMD_UNIX_PATH_MAX + 1]; /* unix socket path */
    int   db;                          /* SELECT index from the URL (informational) */
    char *user;                        /* owned, NULL = default user */
    char *password;                    /* owned, NULL = none; wiped on clear */
    int   tls;                         /* rediss:// or --tls */
    int   insecure;                    /* skip certificate and host name verification */
    char *cacert, *cert, *key, *sni;   /* owned, NULL when not given */
} rmd_target;

/* Set *t to redis-cli's default (redis://127.0.0.1:6379). */
void rmd_target_init(rmd_target *t);

/* Parse url into *t, overriding only what the URL says. On error returns
 * RMD_EURL and writes one sentence naming the problem (with its column) to
 * err; *t is left as it was. The URL may carry a password; it is copied into
 * t and nowhere else. */
rmd_err rmd_target_parse_url(rmd_target *t, const char *url, char *err, size_t errlen);

/* Set an owned string field (user, password, cacert...) to a copy of s
 * (NULL clears). The old value is wiped and freed. */
rmd_err rmd_target_set(char **field, const char *s);

/* Render the target for people and JSON with the password replaced by "***". */
void rmd_target_redacted(const rmd_target *t, char *out, size_t outlen);

/* host:port or the socket path, for messages ("10.0.3.7:6379", "[::1]:6379"). */
void rmd_target_endpoint(const rmd_target *t, char *out, size_t outlen);

/* Wipe the password, free owned strings, reset to defaults. */
void rmd_target_clear(rmd_target *t);

#endif
