/* opt.h -- command-line options as a table of typed entries.
 *
 * Each subcommand declares {long name, short, type, offset, arg, help}; one
 * parser fills a struct and rejects bad values with one precise message.
 * Types check their values (millis > 0, port 1..65535, readable file).
 */
#ifndef RMD_OPT_H
#define RMD_OPT_H

#include <stddef.h>
#include <stdio.h>

#include "err.h"

typedef enum rmd_opt_type {
    RMD_OPT_BOOL,    /* int, set to 1 */
    RMD_OPT_STRING,  /* const char *, borrowed from argv */
    RMD_OPT_SECRET,  /* const char *, copied (owned, caller frees) and wiped from argv */
    RMD_OPT_MILLIS,  /* int, 1..3600000 */
    RMD_OPT_PORT,    /* int, 1..65535 */
    RMD_OPT_COUNT,   /* int, 0..1000000 */
    RMD_OPT_FILE,    /* const char *, must name a readable file */
    RMD_OPT_MULTI    /* rmd_opt_multi: repeatable, each value borrowed from argv */
} rmd_opt_type;

#define RMD_OPT_MULTI_MAX 32

typedef struct rmd_opt_multi {
    const char *v[RMD_OPT_MULTI_MAX];
    size_t      n;
} rmd_opt_multi;

typedef struct rmd_opt {
    const char  *name;    /* long name without "--" */
    char         shrt;    /* short letter, 0 if none */
    rmd_opt_type type;
    size_t       offset;  /* into the options struct */
    const char  *arg;     /* argument name for help, NULL for bool */
    const char  *help;
} rmd_opt;

/* Parse argv[0..argc) (argv[0] is the first option, not the program) into
 * dst. Positional arguments are collected into pos (up to maxpos, in order).
 * "--" ends options. Returns RMD_OK or RMD_EUSAGE with err set. */
rmd_err rmd_opt_parse(const rmd_opt *table, void *dst, int argc, char **argv, const char **pos, int maxpos,
                      int *npos, char *err, size_t errlen);

/* Print the option table as help text. */
void rmd_opt_help(FILE *out, const rmd_opt *table);

#endif
