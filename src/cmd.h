/* cmd.h -- the subcommand table.
 *
 * main() looks the subcommand up here and runs it; each subcommand lives in
 * its own cmd_<name>.c and only wires pipeline stages together.
 */
#ifndef RMD_CMD_H
#define RMD_CMD_H

typedef struct rmd_cmd {
    const char *name;
    const char *summary;                 /* one line for `redis-medic --help` */
    int (*run)(int argc, char **argv);   /* argv[0] is the subcommand name; returns the exit code */
} rmd_cmd;

/* The table, terminated by a {NULL} entry. */
extern const rmd_cmd rmd_cmds[];

int rmd_cmd_diagnose(int argc, char **argv);
int rmd_cmd_kb(int argc, char **argv);
int rmd_cmd_triage(int argc, char **argv);

#endif
