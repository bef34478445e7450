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
#include "term.h"

#ifndef RMD_VERSION
#define RMD_VERSION "0.0.0"
#endif

const rmd_cmd rmd_cmds[] = {
    {"diagnose", "probe an endpoint phase by phase and explain why it fails", rmd_cmd_diagnose},
    {"kb", "the runbook knowledge base: list, show, lint, import", rmd_cmd_kb},
    {"triage", "classify Redis errors in logs: per cause, since when, where, trend", rmd_cmd_triage},
    {NULL, NULL, NULL},
};

/* Options that may stand before the command (`redis-medic --kb DIR kb list`);
 * they are handed to the command as if written after its name. */
static const struct {
    const char *name;
    int         has_value;
} global_opts[] = {{"--kb", 1}, {"--state", 1}, {"--json", 0}};

#define MAX_ARGS 4096

/* Length of the global options at argv[1..): 0 when none, -1 (message
 * printed) when one is unknown or lacks its value. */
static int global_prefix(int argc, char **argv) {
    int i = 1;
    while (i < argc && argv[i][0] == '-' && strcmp(argv[i], "--help") && strcmp(argv[i], "-h") &&
           strcmp(argv[i], "--version") && strcmp(argv[i], "-V")) {
        size_t k, n = strcspn(argv[i], "=");
        for (k = 0; k < sizeof global_opts / sizeof global_opts[0]; k++)
            if (strlen(global_opts[k].name) == n && !strncmp(argv[i], global_opts[k].name, n)) break;
        if (k == sizeof global_opts / sizeof global_opts[0]) {
            rmd_tprintf(stderr, "redis-medic: '%.60s' cannot stand before the command (global options: --kb DIR, "
                            "--state PATH, --json); put it after the command\n", argv[i]);
            return -1;
        }
        if (global_opts[k].has_value && !argv[i][n] && i + 1 >= argc) {
            rmd_tprintf(stderr, "redis-medic: %s needs a value\n", global_opts[k].name);
            return -1;
        }
        i += global_opts[k].has_value && !argv[i][n] ? 2 : 1;
    }
    return i - 1;
}

static void usage(FILE *out) {
    fprintf(out, "usage: redis-medic [--kb DIR] [--state PATH] [--json] <command> [options]\n\ncommands:\n");
    for (const rmd_cmd *c = rmd_cmds; c->name; c++) fprintf(out, "  %-10s %s\n", c->name, c->summary);
    fprintf(out, "\n`redis-medic <command> --help` for a command's options and exit status\n"
                 "(diagnose: 0 ok, 1 warnings, 2 critical; triage: 0 nothing found, 1 found, 2 read error;\n"
                 "every command: 64 usage error, 70 internal error).\n");
}

int main(int argc, char **argv) {
    char *moved[MAX_ARGS + 1];
    signal(SIGPIPE, SIG_IGN);
    int g = global_prefix(argc, argv);
    if (g < 0) return RMD_EXIT_USAGE;
    if (g > 0 && 1 + g < argc && argc <= MAX_ARGS) { /* [prog, cmd, globals..., rest...] */
        int o = 0;
        moved[o++] = argv[0];
        moved[o++] = argv[1 + g];
        for (int i = 1; i <= g; i++) moved[o++] = argv[i];
        for (int i = 2 + g; i < argc; i++) moved[o++] = argv[i];
        moved[o] = NULL;
        argv = moved;
    } else if (g > 0) {
        usage(stderr);
        return RMD_EXIT_USAGE;
    }
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
    rmd_tprintf(stderr, "redis-medic: unknown command '%.60s' (see redis-medic --help)\n", argv[1]);
    return RMD_EXIT_USAGE;
}
