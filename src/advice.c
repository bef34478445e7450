/* advice.c -- runbook links and next steps per finding (see advice.h). */
#include "advice.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "util.h"

void rmd_shell_quote(const char *s, char *out, size_t outlen) {
    size_t o = 0;
    int plain = s[0] != '\0';
    for (const char *p = s; *p; p++)
        if (!strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._/:@%+=,-", *p)) plain = 0;
    if (plain) {
        rmd_strlcpy(out, s, outlen);
        return;
    }
    if (outlen < 3) { if (outlen) out[0] = '\0'; return; }
    out[o++] = '\'';
    for (const char *p = s; *p && o + 6 < outlen; p++) {
        if (*p == '\'') { memcpy(out + o, "'\\''", 4); o += 4; }
        else if ((unsigned char)*p < 0x20 || *p == 0x7f) out[o++] = '?';
        else out[o++] = *p;
    }
    out[o++] = '\'';
    out[o] = '\0';
}

/* The redis-cli invocation for this target, never with the password. */
static void cli_for(const rmd_evidence *ev, const rmd_target *t, char *out, size_t n) {
    char q[300];
    if (ev->unix_path[0]) {
        rmd_shell_quote(ev->unix_path, q, sizeof q);
        snprintf(out, n, "redis-cli -s %s", q);
    } else {
        rmd_shell_quote(ev->host, q, sizeof q);
        snprintf(out, n, "redis-cli -h %s -p %d%s", q, ev->port, ev->tls ? " --tls" : "");
    }
    if (t && t->user) {
        size_t l = strlen(out);
        rmd_shell_quote(t->user, q, sizeof q);
        snprintf(out + l, n - l, " --user %s", q);
    }
    if (t && t->password) {
        size_t l = strlen(out);
        snprintf(out + l, n - l, " --askpass");
    }
}

void rmd_advice_expand(const char *tmpl, const rmd_evidence *ev, const rmd_target *t, char *out, size_t outlen) {
    size_t o = 0;
    const char *p = tmpl;
    if (!outlen) return;
    while (*p && o + 1 < outlen) {
        char val[600] = "";
        int known = 1;
        if (*p == '{') {
            const char *e = strchr(p, '}');
            size_t nl = e ? (size_t)(e - p - 1) : 0;
            if (e && nl == 4 && !strncmp(p + 1, "host", 4)) rmd_shell_quote(ev->host[0] ? ev->host : "localhost", val, sizeof val);
            else if (e && nl == 4 && !strncmp(p + 1, "port", 4)) snprintf(val, sizeof val, "%d", ev->port);
            else if (e && nl == 3 && !strncmp(p + 1, "cli", 3)) cli_for(ev, t, val, sizeof val);
            else if (e && nl == 6 && !strncmp(p + 1, "socket", 6)) rmd_shell_quote(ev->unix_path, val, sizeof val);
            else if (e && nl == 9 && !strncmp(p + 1, "container", 9))
                rmd_shell_quote(ev->host_facts.listen_container[0] ? ev->host_facts.listen_container : "<container>", val, sizeof val);
            else if (e && nl == 7 && !strncmp(p + 1, "service", 7))
                rmd_shell_quote(ev->host_facts.listen_service[0] ? ev->host_facts.listen_service : "redis-server", val, sizeof val);
            else if (e && nl == 3 && !strncmp(p + 1, "dir", 3)) {
                const char *d = ev->config[RMD_CFG_DIR].status == RMD_ITEM_OK && ev->config[RMD_CFG_DIR].value[0]
                                    ? ev->config[RMD_CFG_DIR].value : "<dir>";
                rmd_shell_quote(d, val, sizeof val);
            } else known = 0;
            if (known) {
                size_t vl = strlen(val);
                if (o + vl >= outlen) break;
                memcpy(out + o, val, vl);
                o += vl;
                p = e + 1;
                continue;
            }
        }
        out[o++] = *p++;
    }
    out[o] = '\0';
}

/* Seconds since this host booted, or -1. */
static double host_uptime(void) {
    struct timespec ts;
    if (clock_gettime(CLOCK_BOOTTIME, &ts) != 0) return -1;
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A runbook's exceptions in force now change the finding: "downgrade" lowers
 * its severity, "hold" marks it as held back from alerting. Both say why. */
static void apply_exceptions(rmd_finding *f, const rmd_runbook *rb, time_t now) {
    struct tm tm;
    localtime_r(&now, &tm);
    double up = host_uptime();
    for (size_t i = 0; i < rb->n_exceptions; i++) {
        const rmd_kb_exception *x = &rb->exceptions[i];
        if (!x->effect || !rmd_kb_exception_active(x, &tm, up)) continue;
        char when[96];
        if (x->window) snprintf(when, sizeof when, "window %s", x->window);
        else snprintf(when, sizeof when, "the first %lld s after boot", x->after_boot_s);
        int lvl = rmd_kb_severity_level(x->severity);
        if (!strcmp(x->effect, "downgrade") && lvl >= 0 && lvl < (int)f->sev) {
            rmd_strlist_addf(&f->evidence, "severity lowered from %s by runbook %s exception (%s)%s%s",
                             rmd_severity_name(f->sev), rb->error_id, when, x->reason ? ": " : "", x->reason ? x->reason : "");
            f->sev = (rmd_severity)lvl;
        } else if (!strcmp(x->effect, "hold")) {
            f->held = 1;
            rmd_strlist_addf(&f->evidence, "alert held by runbook %s exception (%s)%s%s", rb->error_id, when,
                             x->reason ? ": " : "", x->reason ? x->reason : "");
        }
    }
}

void rmd_advice_fill(rmd_findings *l, const rmd_kb *kb, const rmd_evidence *ev, const rmd_target *t) {
    time_t now = time(NULL);
    for (size_t i = 0; i < l->n; i++) {
        rmd_finding *f = &l->items[i];
        const rmd_runbook *rb = rmd_kb_for_cause(kb, rmd_cause_get(f->cause)->id);
        if (!rb) continue;
        rmd_strlcpy(f->runbook, rb->error_id, sizeof f->runbook);
        apply_exceptions(f, rb, now);
        rmd_strlist steps = {0};
        rmd_kb_cause_steps(kb, rmd_cause_get(f->cause)->id, &steps); /* a team's runbook first, then ours */
        for (size_t s = 0; s < steps.n; s++) {
            char buf[1024];
            rmd_advice_expand(steps.items[s], ev, t, buf, sizeof buf);
            rmd_strlist_add(&f->next_steps, buf);
        }
        rmd_strlist_free(&steps);
    }
}
