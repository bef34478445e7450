/* main.c -- redis-medic entry point: initialise, dispatch one subcommand, exit.
 *
 *   target -> probe -> evidence -> rules -> findings -> report / actions
 *
 * Each subcommand (cmd_*.c) wires those stages together.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "err.h"

#ifndef RMD_VERSION
#define RMD_VERSION "0.0.0"
#endif

const rmd_cmd rmd_cmds[] = {
    {"diagnose", "probe an endpoint phase by phase and explain why it fails", rmd_cmd_diagnose},
    {"kb", "the runbook knowledge base: list, show, lint", rmd_cmd_kb},
    {"triage", "classify Redis errors in logs: per cause, since when, where, trend", rmd_cmd_triage},
    {NULL, NULL, NULL},
};

static void usage(FILE *out) {
    fprintf(out, "usage: redis-medic <command> [options]\n\ncommands:\n");
    for (const rmd_cmd *c = rmd_cmds; c->name; c++) fprintf(out, "  %-10s %s\n", c->name, c->summary);
    fprintf(out, "\n`redis-medic <command> --help` for a command's options and exit status\n"
                 "(diagnose: 0 ok, 1 warnings, 2 critical; triage: 0 nothing found, 1 found, 2 read error;\n"
                 "every command: 64 usage error, 70 internal error).\n");
}

int main(int argc, char **argv) {
    signal(SIGPIPE, SIG_IGN);
    if (argc < 2) {
        usage(stderr);
        return RMD_EXIT_USAGE;
    }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        usage(stdout);
        return RMD_EXIT_OK;
    }
    if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V")) {
        printf("redis-medic %s\n", RMD_VERSION);
        return RMD_EXIT_OK;
    }
    for (const rmd_cmd *c = rmd_cmds; c->name; c++)
        if (!strcmp(c->name, argv[1])) return c->run(argc - 1, argv + 1);
    fprintf(stderr, "redis-medic: unknown command '%.60s' (see redis-medic --help)\n", argv[1]);
    return RMD_EXIT_USAGE;
}
