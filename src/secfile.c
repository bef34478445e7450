/* secfile.c -- secrets read from files (see secfile.h). */
#include "secfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

/* Whether st lets every user of the machine read or write the file: a
 * sentence into why, 1; else 0. Group access is the owner's choice (a
 * root:redis 0640 file is a common, deliberate setup) and is not judged. */
static int exposed(const struct stat *st, char *why, size_t whylen) {
    unsigned mode = (unsigned)(st->st_mode & 07777);
    if (!(mode & (S_IROTH | S_IWOTH))) return 0;
    snprintf(why, whylen, "is %s by every user of this machine (mode %04o; chmod 600 it)",
             mode & S_IROTH ? "readable" : "writable", mode);
    return 1;
}

rmd_err rmd_secret_file_read(const char *path, const char *what, int strict, char **out, char *warn,
                             size_t warnlen, char *err, size_t errlen) {
    char buf[RMD_SECRET_MAX + 1], why[128];
    struct stat st;
    ssize_t n;
    size_t len = 0;
    rmd_err e = RMD_EUSAGE;
    int fd;

    *out = NULL;
    if (warnlen) warn[0] = '\0';
    if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY)) < 0) {
        snprintf(err, errlen, "%s: cannot open '%.200s': %s", what, path, strerror(errno));
        return RMD_EUSAGE;
    }
    if (fstat(fd, &st) != 0) {
        snprintf(err, errlen, "%s: cannot stat '%.200s': %s", what, path, strerror(errno));
        goto out_close;
    }
    if (S_ISREG(st.st_mode) && exposed(&st, why, sizeof why)) {
        if (strict) {
            snprintf(err, errlen, "%s: '%.200s' %s; refused (--strict)", what, path, why);
            goto out_close;
        }
        snprintf(warn, warnlen, "%s: '%.200s' %s", what, path, why);
    }
    while (len < sizeof buf - 1 && (n = read(fd, buf + len, sizeof buf - 1 - len)) != 0) {
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            snprintf(err, errlen, "%s: cannot read '%.200s': %s", what, path, strerror(errno));
            goto out_wipe;
        }
        len += (size_t)n;
        if (memchr(buf + len - (size_t)n, '\n', (size_t)n)) break;
    }
    buf[len] = '\0';
    len = strcspn(buf, "\r\n");
    buf[len] = '\0';
    if (len == 0) {
        snprintf(err, errlen, "%s: '%.200s' is empty", what, path);
        goto out_wipe;
    }
    e = (*out = strdup(buf)) ? RMD_OK : RMD_ENOMEM;
    if (e == RMD_ENOMEM) snprintf(err, errlen, "out of memory");
out_wipe:
    rmd_wipe(buf, sizeof buf);
out_close:
    close(fd);
    return e;
}
