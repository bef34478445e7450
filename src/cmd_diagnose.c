/* cmd_diagnose.c -- `redis-medic diagnose`: why does this endpoint fail?
 *
 * Wires the pipeline for one endpoint: options -> target -> probe (on a
 * libuv loop) -> host facts (when the endpoint is on this machine) -> rules
 * -> advice -> report, and maps the worst severity to the exit status.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "advice.h"
#include "cmd.h"
#include "evidence.h"
#include "host.h"
#include "kb.h"
#include "opt.h"
#include "probe.h"
#include "report.h"
#include "rules.h"
#include "secfile.h"
#include "store.h"
#include "target.h"
#include "term.h"
#include "util.h"

typedef struct diag_opts {
    int           json, help, tls, insecure, no_host, no_state, strict;
    int           timeout_ms, port, samples;
    const char   *host, *user, *password_file, *cacert, *cert, *key, *sni, *state, *now;
    char         *password;  /* owned copy (argv is overwritten) */
    rmd_opt_multi kb;
} diag_opts;

#define O(f) offsetof(diag_opts, f)
static const rmd_opt diag_table[] = {
    {"host", 'h', RMD_OPT_STRING, O(host), "HOST", "server host name or IP (default 127.0.0.1)"},
    {"port", 'p', RMD_OPT_PORT, O(port), "PORT", "server port (default 6379)"},
    {"pass", 'a', RMD_OPT_SECRET, O(password), "PASSWORD", "password (prefer REDISCLI_AUTH or --password-file)"},
    {"user", 0, RMD_OPT_STRING, O(user), "USER", "ACL user name"},
    {"password-file", 0, RMD_OPT_FILE, O(password_file), "FILE", "read the password from the first line of FILE"},
    {"tls", 0, RMD_OPT_BOOL, O(tls), NULL, "connect with TLS (as rediss://)"},
    {"cacert", 0, RMD_OPT_FILE, O(cacert), "FILE", "CA certificate bundle to verify the server"},
    {"cert", 0, RMD_OPT_FILE, O(cert), "FILE", "client certificate (mutual TLS)"},
    {"key", 0, RMD_OPT_FILE, O(key), "FILE", "client private key (mutual TLS)"},
    {"sni", 0, RMD_OPT_STRING, O(sni), "NAME", "TLS server name (SNI and verification)"},
    {"insecure", 0, RMD_OPT_BOOL, O(insecure), NULL, "do not verify the server certificate"},
    {"timeout", 0, RMD_OPT_MILLIS, O(timeout_ms), "MS", "deadline of each phase in ms (default 2000)"},
    {"samples", 0, RMD_OPT_COUNT, O(samples), "N", "PING round trips for the latency sample (0 to 64, default 20; 0 skips it)"},
    {"now", 0, RMD_OPT_STRING, O(now), "TIME", "judge runbook time windows at TIME (YYYY-MM-DDTHH:MM, local time) instead of now"},
    {"no-host", 0, RMD_OPT_BOOL, O(no_host), NULL, "skip host evidence (/proc, kernel log)"},
    {"kb", 0, RMD_OPT_MULTI, O(kb), "DIR", "add the runbooks in DIR (repeatable; also REDIS_MEDIC_KB)"},
    {"state", 0, RMD_OPT_STRING, O(state), "PATH", "occurrence database (default $XDG_STATE_HOME/redis-medic/state.db)"},
    {"no-state", 0, RMD_OPT_BOOL, O(no_state), NULL, "do not record occurrences"},
    {"strict", 0, RMD_OPT_BOOL, O(strict), NULL, "refuse a --password-file that every user can read (else a warning)"},
    {"json", 0, RMD_OPT_BOOL, O(json), NULL, "print one JSON document (docs/json.md)"},
    {"help", 0, RMD_OPT_BOOL, O(help), NULL, "show this help"},
    {NULL, 0, RMD_OPT_BOOL, 0, NULL, NULL},
};
#undef O

static void diag_help(FILE *out) {
    fprintf(out, "usage: redis-medic diagnose [options] [URL]\n\n"
                 "Probe a Redis endpoint phase by phase (resolve, connect, TLS, AUTH, PING), collect\n"
                 "INFO / CONFIG / CLIENT LIST / SLOWLOG / LATENCY and host facts, read-only, and explain\n"
                 "what is wrong with the evidence and the next steps.\n\n"
                 "URL: redis://[user[:password]@]host[:port][/db], rediss://... (TLS), unix:///path.sock,\n"
                 "     or just host[:port] (10.0.3.7:6379, [::1]:6380)\n"
                 "     default redis://127.0.0.1:6379; the password may also come from REDISCLI_AUTH.\n\n"
                 "options:\n");
    rmd_opt_help(out, diag_table);
    fprintf(out, "\nexit status: 0 nothing at warning or above, 1 warnings, 2 critical (unreachable is critical),\n"
                 "             64 usage error, 70 internal error\n");
}

/* "YYYY-MM-DDTHH:MM[:SS]" (or a space for T), local time, into *out. */
static int parse_now(const char *s, time_t *out) {
    static const int at[] = {0, 5, 8, 11, 14, 17};
    static const int len[] = {4, 2, 2, 2, 2, 2};
    long long v[6] = {0, 0, 0, 0, 0, 0};
    size_t n = strlen(s);
    if (n != 16 && n != 19) return -1;
    if (s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != ' ') || s[13] != ':' || (n == 19 && s[16] != ':'))
        return -1;
    for (int i = 0; i < (n == 19 ? 6 : 5); i++)
        if (rmd_parse_ll(s + at[i], (size_t)len[i], &v[i]) != 0 || v[i] < 0) return -1;
    if (v[1] < 1 || v[1] > 12 || v[2] < 1 || v[2] > 31 || v[3] > 23 || v[4] > 59 || v[5] > 60) return -1;
    struct tm tm = {.tm_year = (int)v[0] - 1900, .tm_mon = (int)v[1] - 1, .tm_mday = (int)v[2],
                    .tm_hour = (int)v[3], .tm_min = (int)v[4], .tm_sec = (int)v[5], .tm_isdst = -1};
    *out = mktime(&tm);
    return *out == (time_t)-1 ? -1 : 0;
}

/* The URL's password must not stay readable in /proc/PID/cmdline: overwrite
 * it in our argv copy, as -a is ("redis://u:secret@h" -> "redis://u:******@h"). */
static void mask_url_password(char *url) {
    char *scheme = strstr(url, "://");
    if (!scheme) return;
    char *auth = scheme + 3, *at = NULL;
    for (char *p = auth; *p && *p != '/' && *p != '?' && *p != '#'; p++)
        if (*p == '@') at = p; /* the last '@' before the path ends the userinfo */
    if (!at) return;
    char *colon = memchr(auth, ':', (size_t)(at - auth));
    if (colon) memset(colon + 1, '*', (size_t)(at - colon - 1));
    else memset(auth, '*', (size_t)(at - auth)); /* redis://secret@host: a lone userinfo is the password */
}

/* Apply flags and environment over the URL. RMD_EUSAGE with err on a bad value. */
static rmd_err build_target(rmd_target *t, const diag_opts *o, const char *url, char *err, size_t errlen) {
    char shorthand[600];
    const char *env_pw = getenv("REDISCLI_AUTH");
    /* "10.0.3.7:6379", "cache.internal", "[::1]:6380" as people type them: a redis:// URL */
    if (url && !strstr(url, "://") && strlen(url) < sizeof shorthand - 8 && url[0] != '/') {
        snprintf(shorthand, sizeof shorthand, "redis://%s", url);
        url = shorthand;
    }
    if (url && rmd_target_parse_url(t, url, err, errlen) != RMD_OK) {
        char *col = url == shorthand ? strstr(err, "column ") : NULL;
        long long c;
        size_t digits = col ? strspn(col + 7, "0123456789") : 0;
        if (digits && rmd_parse_ll(col + 7, digits, &c) == 0 && c > 8) { /* columns of what was typed */
            char tail[256];
            rmd_strlcpy(tail, col + 7 + digits, sizeof tail);
            snprintf(col + 7, errlen - (size_t)(col + 7 - err), "%lld%s", c - 8, tail);
        }
        return RMD_EUSAGE;
    }
    if (o->host) {
        size_t hl = strlen(o->host);
        if (hl == 0 || hl > RMD_HOST_MAX || strspn(o->host, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_:") != hl) {
            snprintf(err, errlen, "-h: '%.60s%s' is not a host name or IP address", o->host, hl > 60 ? "..." : "");
            return RMD_EUSAGE;
        }
        t->kind = RMD_TARGET_TCP;
        rmd_strlcpy(t->host, o->host, sizeof t->host);
    }
    if (o->port) t->port = o->port;
    if (o->tls) t->tls = 1;
    if (o->insecure) t->insecure = 1;
    if (o->user && rmd_target_set(&t->user, o->user) != RMD_OK) return RMD_ENOMEM;
    if (o->cacert && rmd_target_set(&t->cacert, o->cacert) != RMD_OK) return RMD_ENOMEM;
    if (o->cert && rmd_target_set(&t->cert, o->cert) != RMD_OK) return RMD_ENOMEM;
    if (o->key && rmd_target_set(&t->key, o->key) != RMD_OK) return RMD_ENOMEM;
    if (o->sni && rmd_target_set(&t->sni, o->sni) != RMD_OK) return RMD_ENOMEM;
    if (o->password) {
        if (rmd_target_set(&t->password, o->password) != RMD_OK) return RMD_ENOMEM;
    } else if (o->password_file) {
        char *p, warn[512];
        rmd_err e = rmd_secret_file_read(o->password_file, "--password-file", o->strict, &p, warn, sizeof warn,
                                         err, errlen);
        if (e != RMD_OK) return e;
        if (warn[0]) fprintf(stderr, "redis-medic diagnose: warning: %s\n", warn);
        e = rmd_target_set(&t->password, p);
        rmd_wipe(p, strlen(p));
        free(p);
        if (e != RMD_OK) return e;
    } else if (!t->password && env_pw && env_pw[0]) {
        if (rmd_target_set(&t->password, env_pw) != RMD_OK) return RMD_ENOMEM;
    }
    if (t->kind == RMD_TARGET_UNIX && t->tls) {
        snprintf(err, errlen, "TLS over a unix socket is not supported");
        return RMD_EUSAGE;
    }
    return RMD_OK;
}

static void on_probe_done(rmd_probe *p, rmd_evidence *ev, void *arg) {
    (void)p;
    (void)ev;
    *(int *)arg = 1;
}

/* A loop whose resolver thread is still running after a DNS timeout cannot
 * be closed; it stays here, reachable, until the process exits. */
static uv_loop_t *abandoned_loop;

/* Drive one probe to completion on a private loop. */
static int run_probe(const rmd_target *t, const diag_opts *o, rmd_evidence *ev) {
    int done = 0;
    uv_loop_t *loop = malloc(sizeof *loop);
    if (!loop || uv_loop_init(loop) != 0) {
        free(loop);
        return -1;
    }
    rmd_probe_opts po = {.timeout_ms = o->timeout_ms ? o->timeout_ms : 2000, .collect = 1,
                         .ping_samples = o->samples >= 0 ? o->samples : 20, .xcheck = 1};
    rmd_probe *p = rmd_probe_new(loop, t, &po, ev, on_probe_done, &done);
    if (!p) {
        uv_loop_close(loop);
        free(loop);
        return -1;
    }
    rmd_probe_start(p);
    while (!done && uv_run(loop, UV_RUN_ONCE)) {}
    rmd_probe_free(p);
    /* Let the closing handles finish; do not wait for a stuck resolver. */
    uv_run(loop, UV_RUN_NOWAIT);
    if (uv_loop_close(loop) == 0) free(loop);
    else abandoned_loop = loop;
    return done ? 0 : -1;
}

/* Host facts, when the endpoint is this machine. */
static void collect_host(rmd_evidence *ev, int timeout_ms) {
    const char *dir = ev->config[RMD_CFG_DIR].status == RMD_ITEM_OK ? ev->config[RMD_CFG_DIR].value : NULL;
    if (ev->unix_path[0]) {
        rmd_host_collect(&ev->host_facts, NULL, 0, ev->unix_path, dir, 0, timeout_ms);
        return;
    }
    if (!ev->addr[0] || !ev->phase[RMD_PHASE_RESOLVE].ok || !rmd_host_addr_is_local(ev->addr)) return;
    rmd_host_collect(&ev->host_facts, ev->addr, ev->port, NULL, dir, ev->local_port, timeout_ms);
}

/* Record each finding against its runbook in the local state database.
 * A database that cannot be opened is reported once and skipped; so is one
 * that stays locked past the busy timeout (the occurrences are lost, and the
 * person is told so in one line; the exit status does not change). */
static void record(const diag_opts *o, const rmd_evidence *ev, const rmd_findings *fl) {
    char err[512];
    size_t lost = 0;
    const char *why = "";
    if (o->no_state || fl->n == 0) return;
    rmd_store *s = rmd_store_open(o->state, err, sizeof err);
    if (!s) {
        rmd_tprintf(stderr, "redis-medic diagnose: warning: occurrences not recorded: %s\n", err);
        return;
    }
    if (rmd_store_warning(s)[0]) fprintf(stderr, "redis-medic diagnose: warning: %s\n", rmd_store_warning(s));
    time_t now = time(NULL);
    for (size_t i = 0; i < fl->n; i++) {
        const rmd_finding *f = &fl->items[i];
        rmd_err e = rmd_store_record(s, f->runbook[0] ? f->runbook : rmd_cause_get(f->cause)->id,
                                     rmd_cause_get(f->cause)->id, rmd_severity_name(f->sev), ev->target,
                                     f->summary, now);
        if (e == RMD_OK) continue;
        why = rmd_store_errstr(s);
        if (e == RMD_ETIMEOUT) { /* every further write would wait as long again */
            lost += fl->n - i;
            break;
        }
        lost++;
    }
    if (lost)
        fprintf(stderr, "redis-medic diagnose: warning: %zu of %zu occurrences not recorded: %s\n", lost, fl->n,
                why);
    rmd_store_close(s);
}

int rmd_cmd_diagnose(int argc, char **argv) {
    diag_opts o;
    const char *pos[1];
    int npos = 0, rc = RMD_EXIT_SOFTWARE;
    char err[512] = "";
    rmd_target t;
    rmd_evidence ev;
    rmd_findings fl = {0};
    rmd_thresholds th;
    rmd_kb kb = {0};

    memset(&o, 0, sizeof o);
    o.samples = -1;
    rmd_target_init(&t);
    rmd_evidence_init(&ev);
    rmd_err e = rmd_opt_parse(diag_table, &o, argc - 1, argv + 1, pos, 1, &npos, err, sizeof err);
    if (e == RMD_OK && o.help) {
        diag_help(stdout);
        rc = RMD_EXIT_OK;
        goto out;
    }
    if (e == RMD_OK) e = build_target(&t, &o, npos ? pos[0] : NULL, err, sizeof err);
    if (npos) mask_url_password((char *)pos[0]);
    time_t now = time(NULL);
    if (e == RMD_OK && o.samples > 64) {
        snprintf(err, sizeof err, "--samples: %d is more than 64", o.samples);
        e = RMD_EUSAGE;
    }
    if (e == RMD_OK && rmd_kb_paths_check(o.kb.v, o.kb.n, err, sizeof err) != 0) e = RMD_EUSAGE;
    if (e == RMD_OK && o.now && parse_now(o.now, &now) != 0) {
        snprintf(err, sizeof err, "--now: '%.40s' is not YYYY-MM-DDTHH:MM[:SS]", o.now);
        e = RMD_EUSAGE;
    }
    if (e != RMD_OK) {
        rmd_tprintf(stderr, "redis-medic diagnose: %s\n", e == RMD_ENOMEM ? "out of memory" : err);
        rc = e == RMD_ENOMEM ? RMD_EXIT_SOFTWARE : RMD_EXIT_USAGE;
        goto out;
    }
    if (o.password && !o.json && isatty(STDERR_FILENO))
        rmd_tprintf(stderr, "Warning: a password on the command line is visible to other users; use REDISCLI_AUTH or --password-file.\n");

    if (run_probe(&t, &o, &ev) != 0) {
        rmd_tprintf(stderr, "redis-medic diagnose: internal error: the probe did not complete\n");
        goto out;
    }
    if (!o.no_host) collect_host(&ev, o.timeout_ms ? o.timeout_ms : 2000);
    rmd_evidence_scrub(&ev, t.password); /* host facts too: a server's argv may hold the same password */

    rmd_thresholds_default(&th);
    rmd_rules_run(&ev, &th, &fl);
    rmd_kb_load_all(&kb, o.kb.v, o.kb.n, 1);
    rmd_advice_fill(&fl, &kb, &ev, &t, now);
    rmd_findings_sort(&fl);

    if (o.json) {
        if (rmd_report_json(stdout, &ev, &fl) != 0) goto out;
    } else {
        const char *nc = getenv("NO_COLOR");
        rmd_report_opts ro = {.color = isatty(STDOUT_FILENO) && !(nc && nc[0]), .max_steps = 3};
        rmd_report_text(stdout, &ev, &fl, &ro);
    }
    fflush(stdout);
    record(&o, &ev, &fl); /* after the report: the person waiting sees it first */
    switch (rmd_findings_max(&fl)) {
    case RMD_SEV_CRITICAL: rc = RMD_EXIT_CRITICAL; break;
    case RMD_SEV_WARNING: rc = RMD_EXIT_WARNING; break;
    default: rc = RMD_EXIT_OK; break;
    }
out:
    rmd_kb_free(&kb);
    rmd_findings_free(&fl);
    rmd_evidence_free(&ev);
    rmd_target_clear(&t);
    if (o.password) {
        rmd_wipe(o.password, strlen(o.password));
        free(o.password);
    }
    if (abandoned_loop) {
        /* libuv joins its resolver threads at exit, which would wait for the
         * stuck lookup past our deadline: leave without running destructors. */
        fflush(NULL);
        _exit(rc);
    }
    return rc;
}
