/* err.h -- the one error enum of redis-medic.
 *
 * Every fallible function returns an rmd_err; a context's errstr says what
 * happened in words a person can act on. Numbers are stable: never renumber,
 * only append. Names and messages come from the one X-macro table below so a
 * missing case in rmd_strerror() is a compile error (-Wall -Werror, no default).
 */
#ifndef RMD_ERR_H
#define RMD_ERR_H

#define RMD_ERRORS(X)                                                     \
    X(RMD_OK,        0, "success")                                        \
    X(RMD_ENOMEM,    1, "out of memory")                                  \
    X(RMD_EUSAGE,    2, "usage error")                                    \
    X(RMD_EURL,      3, "malformed URL")                                  \
    X(RMD_EIO,       4, "input/output error")                             \
    X(RMD_ETIMEOUT,  5, "deadline exceeded")                              \
    X(RMD_EPROTO,    6, "protocol error")                                 \
    X(RMD_ETOOBIG,   7, "input exceeds a hard limit")                     \
    X(RMD_EPARSE,    8, "malformed input")                                \
    X(RMD_ETLS,      9, "TLS error")                                      \
    X(RMD_ENOTFOUND, 10, "not found")                                     \
    X(RMD_EINTERNAL, 11, "internal error")

typedef enum rmd_err {
/* NOLINTNEXTLINE(bugprone-macro-parentheses): an enumerator name cannot be parenthesised */
#define RMD_ERR_ENUM(name, num, msg) name = num,
    RMD_ERRORS(RMD_ERR_ENUM)
#undef RMD_ERR_ENUM
} rmd_err;

/* Static message for an error code. Never NULL. */
const char *rmd_strerror(rmd_err e);
/* Static symbolic name ("RMD_EURL"). Never NULL. */
const char *rmd_errname(rmd_err e);

/* Process exit codes: part of the interface, documented in README.md. */
enum rmd_exit {
    RMD_EXIT_OK       = 0,  /* nothing at warning or above */
    RMD_EXIT_WARNING  = 1,  /* at least one warning (or: something classified) */
    RMD_EXIT_CRITICAL = 2,  /* at least one critical finding */
    RMD_EXIT_USAGE    = 64, /* EX_USAGE: bad flag, bad URL, bad value */
    RMD_EXIT_SOFTWARE = 70  /* EX_SOFTWARE: internal error */
};

#endif
