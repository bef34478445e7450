/* test_rules.c -- golden cases for the server-state rules, as data.
 *
 * Each tests/data/rules/NAME.case file is: header lines, then INFO text.
 *   @expect ID SEVERITY     a finding that must be present (repeatable)
 *   @absent ID              a finding that must not be present
 *   @config NAME VALUE      a CONFIG GET result (NAME as in redis.conf)
 *   @client LINE            one CLIENT LIST line (repeatable)
 *   @ping AVG_MS            a PING latency sample
 *   @slow USEC AGE_S CMD    a slowlog entry
 *   @cluster KEY:VALUE      a CLUSTER INFO line
 *   @info                   the rest of the file is INFO text
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "evidence.h"
#include "rules.h"
#include "unit.h"
#include "util.h"

static int config_index(const char *name) {
    for (int i = 0; i < RMD_CFG__COUNT; i++)
        if (!strcmp(rmd_config_name((rmd_config_key)i), name)) return i;
    return -1;
}

static const rmd_finding *find(const rmd_findings *l, const char *id) {
    for (size_t i = 0; i < l->n; i++)
        if (!strcmp(rmd_cause_get(l->items[i].cause)->id, id)) return &l->items[i];
    return NULL;
}

static int run_case(const char *path) {
    size_t len;
    char *text = unit_slurp(path, &len);
    int ok = 1;
    if (!text) return 0;
    rmd_evidence ev;
    rmd_evidence_init(&ev);
    ev.reachable = 1;
    rmd_strlcpy(ev.host, "127.0.0.1", sizeof ev.host);
    ev.port = 6379;
    rmd_buf clients = {0}, cluster = {0};
    char *line = text, *info = NULL;
    char expects[16][80];
    int nexp = 0;
    char absents[16][80];
    int nabs = 0;
    while (line && *line) {
        char *nl = strchr(line, '\n');
        if (nl) *nl = '\0';
        if (!strncmp(line, "@info", 5)) { info = nl ? nl + 1 : NULL; break; }
        if (!strncmp(line, "@expect ", 8) && nexp < 16) rmd_strlcpy(expects[nexp++], line + 8, 80);
        else if (!strncmp(line, "@absent ", 8) && nabs < 16) rmd_strlcpy(absents[nabs++], line + 8, 80);
        else if (!strncmp(line, "@config ", 8)) {
            char *name = line + 8, *sp = strchr(name, ' ');
            if (sp) {
                *sp = '\0';
                int k = config_index(name);
                if (k >= 0) {
                    ev.config[k].status = RMD_ITEM_OK;
                    rmd_strlcpy(ev.config[k].value, sp + 1, sizeof ev.config[k].value);
                }
            }
        } else if (!strncmp(line, "@client ", 8)) {
            rmd_buf_append(&clients, line + 8, strlen(line + 8));
            rmd_buf_append(&clients, "\n", 1);
        } else if (!strncmp(line, "@cluster ", 9)) {
            rmd_buf_append(&cluster, line + 9, strlen(line + 9));
            rmd_buf_append(&cluster, "\r\n", 2);
        } else if (!strncmp(line, "@ping ", 6)) {
            ev.ping.n = 20;
            ev.ping.min = ev.ping.avg = ev.ping.p99 = ev.ping.max = strtod(line + 6, NULL);
        } else if (!strncmp(line, "@slow ", 6) && ev.slowlog.n < RMD_SLOWLOG_MAX) {
            rmd_slow_entry *e = &ev.slowlog.e[ev.slowlog.n++];
            char *a = line + 6, *b = strchr(a, ' '), *c = b ? strchr(b + 1, ' ') : NULL;
            e->usec = strtoll(a, NULL, 10);
            e->when = 1700000000 - (b ? strtoll(b + 1, NULL, 10) : 0);
            if (c) rmd_strlcpy(e->cmd, c + 1, sizeof e->cmd);
        }
        line = nl ? nl + 1 : NULL;
    }
    if (info) rmd_info_parse(info, strlen(info), &ev.info);
    if (clients.len) rmd_clients_parse(clients.p, clients.len, 10, &ev.clients);
    if (cluster.len) rmd_info_parse(cluster.p, cluster.len, &ev.cluster);
    rmd_thresholds th;
    rmd_thresholds_default(&th);
    rmd_findings fl = {0};
    rmd_rules_run(&ev, &th, &fl);
    for (int i = 0; i < nexp; i++) {
        char id[64], sev[32] = "";
        char *sp = strchr(expects[i], ' ');
        rmd_memlcpy(id, sizeof id, expects[i], sp ? (size_t)(sp - expects[i]) : strlen(expects[i]));
        if (sp) rmd_strlcpy(sev, sp + 1, sizeof sev);
        const rmd_finding *f = find(&fl, id);
        if (!f) { fprintf(stderr, "  %s: expected finding %s\n", path, id); ok = 0; continue; }
        if (sev[0] && strcmp(rmd_severity_name(f->sev), sev)) {
            fprintf(stderr, "  %s: %s is %s, expected %s (%s)\n", path, id, rmd_severity_name(f->sev), sev, f->summary);
            ok = 0;
        }
        if (!f->summary[0] || !f->evidence.n) { fprintf(stderr, "  %s: %s lacks summary or evidence\n", path, id); ok = 0; }
    }
    for (int i = 0; i < nabs; i++)
        if (find(&fl, absents[i])) { fprintf(stderr, "  %s: unexpected finding %s\n", path, absents[i]); ok = 0; }
    rmd_findings_free(&fl);
    rmd_evidence_free(&ev);
    rmd_buf_free(&clients);
    rmd_buf_free(&cluster);
    free(text);
    return ok;
}

TEST(golden_cases) {
    DIR *d = opendir("tests/data/rules");
    struct dirent *de;
    int n = 0;
    CHECK(d != NULL);
    if (!d) return;
    while ((de = readdir(d))) {
        size_t l = strlen(de->d_name);
        if (l < 6 || strcmp(de->d_name + l - 5, ".case")) continue;
        char path[512];
        snprintf(path, sizeof path, "tests/data/rules/%s", de->d_name);
        CHECK(run_case(path));
        n++;
    }
    closedir(d);
    CHECK(n >= 5);
}

int main(void) {
    RUN(golden_cases);
    return UNIT_END();
}
