/* logsrc.h -- the inputs of `triage`: which files, and their bytes.
 *
 * Input stage for `triage`. Arguments become a list of files: "-" is
 * standard input; a directory stands for the regular files under it
 * (recursively, sorted by name, hidden entries and symlinked directories
 * skipped); an argument that names no file but contains * ? or [ is a glob,
 * expanded here for shells that did not (quoted globs, scripts). There is no
 * limit on the number of inputs beyond RMD_LOGSRC_MAX_FILES per directory walk.
 *
 * Reading gives what is available: plain text, gzip (also concatenated
 * members) or zstd, recognised by their magic bytes, from files, pipes or
 * growing files. A read never waits to fill the buffer, so a slow pipe is
 * processed line by line, and a signal interrupts a blocked read.
 */
#ifndef RMD_LOGSRC_H
#define RMD_LOGSRC_H

#include <stddef.h>
#include <sys/types.h>
#include <zlib.h>
#include <zstd.h>

#include "util.h"

#define RMD_LOGSRC_MAX_FILES 100000   /* files taken from one directory argument */
#define RMD_LOGSRC_MAX_DEPTH 32       /* directory nesting followed */

#define RMD_LOGSRC_INTR (-2)          /* rmd_logsrc_read / _wait: interrupted by a signal */

/* Expand args[0..n) into files (appended, owned by the list). Problems (a
 * missing file, an unreadable directory, a glob that matches nothing, a
 * directory with too many files) are appended to problems as
 * "NAME: what happened", unescaped; the rest is still expanded. Returns 0, or
 * -1 when out of memory. */
int rmd_logsrc_expand(const char *const *args, int n, rmd_strlist *files, rmd_strlist *problems);

typedef enum { RMD_LOG_UNKNOWN, RMD_LOG_PLAIN, RMD_LOG_GZIP, RMD_LOG_ZSTD } rmd_log_format;

typedef struct rmd_logsrc {
    const char    *name;      /* borrowed */
    int            fd;
    int            follow;    /* a growing file: the end is not final, a cut stream is not an error */
    int            regular;   /* a regular file (not a pipe, socket or device) */
    rmd_log_format fmt;
    unsigned char *raw;       /* compressed input, or the first bytes of plain input */
    size_t         raw_len, raw_pos;
    int            at_eof;
    z_stream       z;
    int            z_init, z_done;  /* z_done: between gzip members */
    ZSTD_DCtx     *zs;
    int            zs_mid;          /* inside a zstd frame */
    char           err[256];
} rmd_logsrc;

/* Open name ("-" = standard input). 0, or -1 with in->err (and in closed). */
int rmd_logsrc_open(rmd_logsrc *in, const char *name, int follow);

/* Up to n decoded bytes: what is available now (blocks only while nothing
 * is). >0 bytes, 0 at the end (for now, when following), -1 on an error
 * (in->err says why, e.g. "truncated gzip stream"), RMD_LOGSRC_INTR when a
 * signal interrupted the wait. */
ssize_t rmd_logsrc_read(rmd_logsrc *in, char *buf, size_t n);

/* Wait up to ms for input to be readable: 1 ready, 0 timed out,
 * RMD_LOGSRC_INTR interrupted. Regular files are always ready. */
int rmd_logsrc_wait(rmd_logsrc *in, int ms);

void rmd_logsrc_close(rmd_logsrc *in);

#endif
