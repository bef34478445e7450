/* test_secfile.c -- secrets read from files: first line only, permissions
 * judged on the file opened (world-readable: warning, or refusal when
 * strict; group-readable: the owner's choice), empty and missing files. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "secfile.h"
#include "unit.h"

static char dir[64];

/* Write content to dir/name with mode; the path into path. */
static void make_file(const char *name, const char *content, mode_t mode, char *path, size_t n) {
    snprintf(path, n, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    if (f) {
        fputs(content, f);
        fclose(f);
    }
    chmod(path, mode);
}

static rmd_err read_it(const char *path, int strict, char **out, char *warn, char *err) {
    return rmd_secret_file_read(path, "--password-file", strict, out, warn, 256, err, 256);
}

TEST(private_file_first_line) {
    char path[128], warn[256], err[256] = "";
    char *pw = NULL;
    make_file("pw", "s3cret pass\r\nsecond line\n", 0600, path, sizeof path);
    CHECK_INT(read_it(path, 1, &pw, warn, err), RMD_OK);
    CHECK_STR(pw, "s3cret pass");
    CHECK_STR(warn, "");
    free(pw);
}

TEST(world_readable_warns_or_is_refused) {
    char path[128], warn[256], err[256] = "";
    char *pw = NULL;
    make_file("open", "pw\n", 0644, path, sizeof path);
    CHECK_INT(read_it(path, 0, &pw, warn, err), RMD_OK);
    CHECK_STR(pw, "pw");
    CHECK(strstr(warn, "readable by every user") != NULL && strstr(warn, "mode 0644") != NULL);
    CHECK(strstr(warn, path) != NULL);
    free(pw);
    pw = NULL;
    CHECK_INT(read_it(path, 1, &pw, warn, err), RMD_EUSAGE);
    CHECK(pw == NULL);
    CHECK(strstr(err, "refused (--strict)") != NULL);
    make_file("ow", "pw\n", 0602, path, sizeof path);
    CHECK_INT(read_it(path, 1, &pw, warn, err), RMD_EUSAGE);
    CHECK(strstr(err, "writable by every user") != NULL);
}

TEST(group_readable_is_the_owners_choice) {
    char path[128], warn[256], err[256] = "";
    char *pw = NULL;
    make_file("grp", "pw\n", 0640, path, sizeof path);
    CHECK_INT(read_it(path, 1, &pw, warn, err), RMD_OK);
    CHECK_STR(warn, "");
    free(pw);
}

TEST(empty_missing_and_long) {
    char path[128], warn[256], err[256] = "";
    char *pw = NULL;
    make_file("empty", "\n", 0600, path, sizeof path);
    CHECK_INT(read_it(path, 0, &pw, warn, err), RMD_EUSAGE);
    CHECK(strstr(err, "is empty") != NULL);
    snprintf(path, sizeof path, "%s/none", dir);
    CHECK_INT(read_it(path, 0, &pw, warn, err), RMD_EUSAGE);
    CHECK(strstr(err, "cannot open") != NULL);
    char *big = malloc(RMD_SECRET_MAX + 100);
    memset(big, 'x', RMD_SECRET_MAX + 99);
    big[RMD_SECRET_MAX + 99] = '\0';
    make_file("big", big, 0600, path, sizeof path);
    free(big);
    CHECK_INT(read_it(path, 0, &pw, warn, err), RMD_OK);
    CHECK_INT(pw ? strlen(pw) : 0, RMD_SECRET_MAX);
    free(pw);
}

int main(void) {
    snprintf(dir, sizeof dir, "/tmp/rmd-secfile-XXXXXX");
    if (!mkdtemp(dir)) return 1;
    RUN(private_file_first_line);
    RUN(world_readable_warns_or_is_refused);
    RUN(group_readable_is_the_owners_choice);
    RUN(empty_missing_and_long);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0) return 1;
    return UNIT_END();
}
