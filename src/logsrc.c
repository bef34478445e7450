/* logsrc.c -- triage inputs: expansion and decoding reads (see logsrc.h). */
#include "logsrc.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define RAW_SIZE (128u << 10)

/* ------------------------------------------------------------ expansion */

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* Regular files under dir, sorted, into files. */
static int walk(const char *dir, int depth, rmd_strlist *files, rmd_strlist *problems, size_t *budget) {
    DIR *d = opendir(dir);
    if (!d) return rmd_strlist_addf(problems, "%s: %s", dir, strerror(errno)) == RMD_OK ? 0 : -1;
    rmd_strlist names = {0};
    struct dirent *de;
    int rc = 0;
    while ((de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.') continue; /* ".", "..", hidden files */
        if (rmd_strlist_addf(&names, "%s%s%s", dir, dir[0] && dir[strlen(dir) - 1] == '/' ? "" : "/", de->d_name) != RMD_OK) {
            rc = -1;
            break;
        }
    }
    closedir(d);
    if (names.n) qsort(names.items, names.n, sizeof names.items[0], cmp_str);
    for (size_t i = 0; i < names.n && rc == 0; i++) {
        struct stat st;
        if (lstat(names.items[i], &st) != 0) continue;
        if (S_ISLNK(st.st_mode) && (stat(names.items[i], &st) != 0 || S_ISDIR(st.st_mode))) continue; /* no loops */
        if (S_ISDIR(st.st_mode)) {
            if (depth + 1 >= RMD_LOGSRC_MAX_DEPTH) {
                if (rmd_strlist_addf(problems, "%s: nested deeper than %d directories, not read", names.items[i],
                                     RMD_LOGSRC_MAX_DEPTH) != RMD_OK) rc = -1;
                continue;
            }
            rc = walk(names.items[i], depth + 1, files, problems, budget);
        } else if (S_ISREG(st.st_mode)) {
            if (*budget == 0) {
                rc = rmd_strlist_addf(problems, "%s: more than %d files under this directory; the rest are not read", dir,
                                      RMD_LOGSRC_MAX_FILES) == RMD_OK ? 1 : -1;
                break;
            }
            (*budget)--;
            if (rmd_strlist_add(files, names.items[i]) != RMD_OK) rc = -1;
        }
    }
    rmd_strlist_free(&names);
    return rc;
}

static int expand_one(const char *a, rmd_strlist *files, rmd_strlist *problems) {
    struct stat st;
    if (!strcmp(a, "-") || stat(a, &st) != 0 || !S_ISDIR(st.st_mode)) {
        if (strcmp(a, "-") && strpbrk(a, "*?[") && access(a, F_OK) != 0) {
            glob_t g;
            int r = glob(a, GLOB_ERR, NULL, &g);
            if (r == GLOB_NOMATCH) {
                globfree(&g);
                return rmd_strlist_addf(problems, "%s: no file matches this pattern", a) == RMD_OK ? 0 : -1;
            }
            int rc = r == 0 ? 0 : rmd_strlist_addf(problems, "%s: cannot expand this pattern", a) == RMD_OK ? 0 : -1;
            rmd_strlist more = {0};
            for (size_t i = 0; r == 0 && i < g.gl_pathc && rc == 0; i++) {
                /* a pattern picks files and directories, never a FIFO or a device
                 * (named on the command line, those are the user's choice) */
                struct stat gs;
                if (stat(g.gl_pathv[i], &gs) != 0 || !(S_ISREG(gs.st_mode) || S_ISDIR(gs.st_mode))) {
                    if (rmd_strlist_addf(problems, "%s: not a regular file, not read (matched by %s)", g.gl_pathv[i], a) != RMD_OK)
                        rc = -1;
                    continue;
                }
                if (rmd_strlist_add(&more, g.gl_pathv[i]) != RMD_OK) rc = -1;
            }
            globfree(&g);
            rc = rc ? rc : rmd_logsrc_expand((const char *const *)more.items, (int)more.n, files, problems);
            rmd_strlist_free(&more);
            return rc;
        }
        return rmd_strlist_add(files, a) == RMD_OK ? 0 : -1; /* opened (and any error reported) later */
    }
    size_t budget = RMD_LOGSRC_MAX_FILES;
    return walk(a, 0, files, problems, &budget) < 0 ? -1 : 0;
}

int rmd_logsrc_expand(const char *const *args, int n, rmd_strlist *files, rmd_strlist *problems) {
    for (int i = 0; i < n; i++)
        if (expand_one(args[i], files, problems) != 0) return -1;
    return 0;
}

/* --------------------------------------------------------------- reading */

int rmd_logsrc_open(rmd_logsrc *in, const char *name, int follow) {
    memset(in, 0, sizeof *in);
    in->name = name;
    in->follow = follow;
    in->fd = strcmp(name, "-") ? open(name, O_RDONLY | O_CLOEXEC | O_NOCTTY) : dup(STDIN_FILENO);
    if (in->fd < 0) {
        snprintf(in->err, sizeof in->err, "%s", strerror(errno));
        return -1;
    }
    struct stat st;
    memset(&st, 0, sizeof st);
    if (fstat(in->fd, &st) == 0) in->regular = S_ISREG(st.st_mode);
    if (S_ISDIR(st.st_mode)) {
        snprintf(in->err, sizeof in->err, "is a directory");
        rmd_logsrc_close(in);
        return -1;
    }
    in->raw = malloc(RAW_SIZE);
    if (!in->raw) {
        snprintf(in->err, sizeof in->err, "out of memory");
        rmd_logsrc_close(in);
        return -1;
    }
    return 0;
}

/* More compressed input into raw (when it is used up). 1 got some, 0 end,
 * -1 error, RMD_LOGSRC_INTR interrupted. */
static int fill(rmd_logsrc *in) {
    if (in->raw_pos < in->raw_len) return 1;
    ssize_t r = read(in->fd, in->raw, RAW_SIZE);
    if (r < 0 && errno == EINTR) return RMD_LOGSRC_INTR;
    if (r < 0) {
        snprintf(in->err, sizeof in->err, "%s", strerror(errno));
        return -1;
    }
    in->raw_len = (size_t)r;
    in->raw_pos = 0;
    return r > 0;
}

/* Read the first bytes and tell plain text from gzip and zstd. */
static int detect(rmd_logsrc *in) {
    while (in->raw_len < 4) {
        ssize_t r = read(in->fd, in->raw + in->raw_len, RAW_SIZE - in->raw_len);
        if (r < 0 && errno == EINTR) return RMD_LOGSRC_INTR;
        if (r < 0) {
            snprintf(in->err, sizeof in->err, "%s", strerror(errno));
            return -1;
        }
        if (r == 0) break;
        in->raw_len += (size_t)r;
    }
    const unsigned char *m = in->raw;
    if (in->raw_len >= 2 && m[0] == 0x1f && m[1] == 0x8b) {
        if (inflateInit2(&in->z, 15 + 32) != Z_OK) {
            snprintf(in->err, sizeof in->err, "out of memory");
            return -1;
        }
        in->z_init = 1;
        in->fmt = RMD_LOG_GZIP;
    } else if (in->raw_len >= 4 && m[0] == 0x28 && m[1] == 0xb5 && m[2] == 0x2f && m[3] == 0xfd) {
        if (!(in->zs = ZSTD_createDCtx())) {
            snprintf(in->err, sizeof in->err, "out of memory");
            return -1;
        }
        in->fmt = RMD_LOG_ZSTD;
    } else {
        in->fmt = RMD_LOG_PLAIN;
    }
    return 0;
}

static ssize_t read_plain(rmd_logsrc *in, char *buf, size_t n) {
    if (in->raw_pos < in->raw_len) { /* the bytes read to detect the format */
        size_t k = in->raw_len - in->raw_pos < n ? in->raw_len - in->raw_pos : n;
        memcpy(buf, in->raw + in->raw_pos, k);
        in->raw_pos += k;
        return (ssize_t)k;
    }
    ssize_t r = read(in->fd, buf, n);
    if (r < 0 && errno == EINTR) return RMD_LOGSRC_INTR;
    if (r < 0) snprintf(in->err, sizeof in->err, "%s", strerror(errno));
    return r;
}

static ssize_t read_gzip(rmd_logsrc *in, char *buf, size_t n) {
    size_t got = 0;
    while (got < n) {
        if (in->raw_pos == in->raw_len) {
            if (got) break; /* what is there now; do not wait for more */
            int f = fill(in);
            if (f == RMD_LOGSRC_INTR || f < 0) return f;
            if (f == 0) {
                if (!in->z_done && !in->follow && in->z.total_in > 0) {
                    snprintf(in->err, sizeof in->err, "truncated gzip stream (the part before is counted)");
                    return -1;
                }
                return 0;
            }
        }
        if (in->z_done) { /* another member follows, or trailing bytes that gzip(1) ignores too */
            if (in->raw[in->raw_pos] != 0x1f) {
                in->raw_pos = in->raw_len;
                in->at_eof = 1;
                return (ssize_t)got;
            }
            inflateReset(&in->z);
            in->z_done = 0;
        }
        in->z.next_in = in->raw + in->raw_pos;
        in->z.avail_in = (uInt)(in->raw_len - in->raw_pos);
        in->z.next_out = (Bytef *)buf + got;
        in->z.avail_out = (uInt)(n - got > (1u << 30) ? 1u << 30 : n - got);
        int zr = inflate(&in->z, Z_NO_FLUSH);
        got = (size_t)((char *)in->z.next_out - buf);
        in->raw_pos = in->raw_len - in->z.avail_in;
        if (zr == Z_STREAM_END) in->z_done = 1;
        else if (zr != Z_OK && zr != Z_BUF_ERROR) {
            snprintf(in->err, sizeof in->err, "gzip: %s", in->z.msg ? in->z.msg : "corrupt data");
            return -1;
        }
    }
    return (ssize_t)got;
}

static ssize_t read_zstd(rmd_logsrc *in, char *buf, size_t n) {
    ZSTD_outBuffer ob = {buf, n, 0};
    while (ob.pos == 0) {
        if (in->raw_pos == in->raw_len) {
            int f = fill(in);
            if (f == RMD_LOGSRC_INTR || f < 0) return f;
            if (f == 0) {
                if (in->zs_mid && !in->follow) {
                    snprintf(in->err, sizeof in->err, "truncated zstd stream (the part before is counted)");
                    return -1;
                }
                return 0;
            }
        }
        ZSTD_inBuffer ib = {in->raw + in->raw_pos, in->raw_len - in->raw_pos, 0};
        size_t rc = ZSTD_decompressStream(in->zs, &ob, &ib);
        in->raw_pos += ib.pos;
        if (ZSTD_isError(rc)) {
            snprintf(in->err, sizeof in->err, "zstd: %s", ZSTD_getErrorName(rc));
            return -1;
        }
        in->zs_mid = rc != 0;
    }
    return (ssize_t)ob.pos;
}

ssize_t rmd_logsrc_read(rmd_logsrc *in, char *buf, size_t n) {
    if (in->at_eof) return 0;
    if (in->fmt == RMD_LOG_UNKNOWN) {
        int d = detect(in);
        if (d != 0) return d;
    }
    switch (in->fmt) {
    case RMD_LOG_GZIP: return read_gzip(in, buf, n);
    case RMD_LOG_ZSTD: return read_zstd(in, buf, n);
    default: return read_plain(in, buf, n);
    }
}

int rmd_logsrc_wait(rmd_logsrc *in, int ms) {
    if (in->raw_pos < in->raw_len) return 1;
    struct pollfd p = {in->fd, POLLIN, 0};
    int r = poll(&p, 1, ms);
    if (r < 0) return errno == EINTR ? RMD_LOGSRC_INTR : 1;
    return r > 0;
}

void rmd_logsrc_close(rmd_logsrc *in) {
    if (in->fd >= 0) close(in->fd);
    in->fd = -1;
    if (in->z_init) inflateEnd(&in->z);
    in->z_init = 0;
    if (in->zs) ZSTD_freeDCtx(in->zs);
    in->zs = NULL;
    free(in->raw);
    in->raw = NULL;
}
