/* secfile.h -- secrets read from files (--password-file, later token files).
 *
 * Part of the target stage: the option names a file, this module reads its
 * first line and judges the file's permissions on the descriptor it read
 * from (no window between the check and the read). A secret that other users
 * can read is already leaked, so such a file is used with a warning, or
 * refused when the caller is strict.
 */
#ifndef RMD_SECFILE_H
#define RMD_SECFILE_H

#include <stddef.h>

#include "err.h"

#define RMD_SECRET_MAX 4096 /* bytes of the first line kept */

/* Read the first line (without CR/LF, at most RMD_SECRET_MAX bytes) of the
 * file at path into *out (owned: the caller wipes and frees it). what names
 * the option in messages ("--password-file").
 * - RMD_OK: *out set; warn holds a sentence when every user can read or
 *   write the file (warn[0] == '\0' otherwise).
 * - RMD_EUSAGE: err holds one sentence: the file cannot be opened or read,
 *   is empty, or (strict) every user can read or write it.
 * - RMD_ENOMEM. */
rmd_err rmd_secret_file_read(const char *path, const char *what, int strict, char **out, char *warn,
                             size_t warnlen, char *err, size_t errlen);

#endif
