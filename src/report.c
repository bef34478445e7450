/* report.c -- text and JSON renderers (see report.h). */
#include "report.h"

#include <jansson.h>
#include <math.h>
#include <string.h>

#include "term.h"
#include "util.h"

/* ------------------------------------------------------------------ text */

static const char *sev_color(rmd_severity s) {
    switch (s) {
    case RMD_SEV_CRITICAL: return "\033[1;31m";
    case RMD_SEV_WARNING: return "\033[1;33m";
    case RMD_SEV_INFO: return "\033[36m";
    }
    return "";
}


static void text_phases(FILE *out, const rmd_evidence *ev) {
    int first = 1;
    fputs("  ", out);
    for (int i = 0; i < RMD_PHASE__COUNT; i++) {
        const rmd_phase_result *r = &ev->phase[i];
        if (!r->ran) continue;
        fprintf(out, "%s%s %s%.1f ms", first ? "" : " · ", rmd_phase_name((rmd_phase)i), r->ok ? "" : "FAILED after ", r->ms);
        first = 0;
    }
    fputc('\n', out);
}

static void text_server(FILE *out, const rmd_evidence *ev) {
    const rmd_kvlist *in = &ev->info;
    const char *ver = rmd_kv_get(in, "valkey_version");
    const char *product = ver ? "Valkey" : "Redis";
    long long up = -1, cc = -1, used = -1, maxmem = -1;
    char mem[32] = "?", mx[48] = "";
    if (!ver) ver = rmd_kv_get(in, "redis_version");
    if (!ver) return;
    rmd_kv_get_ll(in, "uptime_in_seconds", &up);
    rmd_kv_get_ll(in, "connected_clients", &cc);
    if (rmd_kv_get_ll(in, "used_memory", &used) == 0) rmd_human_bytes(used, mem, sizeof mem);
    const char *mode = rmd_kv_get(in, "redis_mode"), *role = rmd_kv_get(in, "role");
    int sentinel = mode && !strcmp(mode, "sentinel");
    if (rmd_kv_get_ll(in, "maxmemory", &maxmem) == 0 && maxmem > 0) {
        char m[32];
        rmd_human_bytes(maxmem, m, sizeof m);
        snprintf(mx, sizeof mx, " of %s", m);
    } else {
        snprintf(mx, sizeof mx, " (no maxmemory)");
    }
    if (cc > 0) cc--; /* the probe's own connection is not the user's */
    rmd_tprintf(out, "  %s %s %s%s%s · up %llds · %lld client%s besides this probe%s%s%s\n", product, ver,
                mode ? mode : "", role && !sentinel ? " " : "", role && !sentinel ? role : "", up, cc, cc == 1 ? "" : "s",
                sentinel ? "" : " · memory ", sentinel ? "" : mem, sentinel ? "" : mx);
    if (ev->ping.n)
        fprintf(out, "  PING x%d: min %.2f / avg %.2f / p99 %.2f / max %.2f ms\n", ev->ping.n, ev->ping.min, ev->ping.avg,
                ev->ping.p99, ev->ping.max);
}

/* Up to max steps of one phase under a label; returns how many were shown. */
static size_t text_steps(FILE *out, const rmd_finding *f, char phase, const char *label, size_t max) {
    size_t shown = 0;
    for (size_t s = 0; s < f->steps.n && shown < max; s++) {
        const rmd_step *st = &f->steps.items[s];
        if (st->phase != phase) continue;
        if (!shown) rmd_tprintf(out, "         %s\n", label);
        rmd_tprintf(out, "           $ %s\n", st->cmd);
        shown++;
    }
    return shown;
}

static void text_finding(FILE *out, const rmd_finding *f, const rmd_report_opts *o) {
    const char *reset = o->color ? "\033[0m" : "", *bold = o->color ? "\033[1m" : "";
    fprintf(out, "\n%s%-8s%s %s%s%s: ", o->color ? sev_color(f->sev) : "", rmd_severity_name(f->sev), reset, bold,
            rmd_cause_get(f->cause)->id, reset);
    rmd_tprintf(out, "%s\n", f->summary);
    for (size_t e = 0; e < f->evidence.n; e++) rmd_tprintf(out, "         - %s\n", f->evidence.items[e]);
    size_t max = o->max_steps > 0 ? (size_t)o->max_steps : (size_t)-1;
    size_t shown = text_steps(out, f, 'd', "check:", max);
    shown += text_steps(out, f, 'r', "fix, then verify (read the runbook first):", max > 1 ? (max + 1) / 2 : max);
    int templates = 0;
    for (size_t s = 0; s < f->steps.n; s++) templates += f->steps.items[s].is_template;
    if (f->steps.n > shown) fprintf(out, "         (+%zu more step%s: --json)\n", f->steps.n - shown, f->steps.n - shown == 1 ? "" : "s");
    if (templates) fprintf(out, "         (a step with ${NAME:?...} needs NAME set first: the evidence did not have that value)\n");
    if (f->runbook[0]) rmd_tprintf(out, "         runbook: %s (redis-medic kb show %s)\n", f->runbook, f->runbook);
}

void rmd_report_text(FILE *out, const rmd_evidence *ev, const rmd_findings *l, const rmd_report_opts *o) {
    const char *reset = o->color ? "\033[0m" : "";
    const char *bold = o->color ? "\033[1m" : "";
    int counts[3] = {0, 0, 0};
    fputs(bold, out);
    rmd_tprintf(out, "%s", ev->target);
    fprintf(out, "%s  %s\n", reset, ev->reachable ? "reachable" : "NOT REACHABLE");
    text_phases(out, ev);
    text_server(out, ev);
    for (size_t i = 0; i < l->n; i++) {
        const rmd_finding *f = &l->items[i];
        counts[f->sev]++;
        if (f->sev != RMD_SEV_INFO) text_finding(out, f, o);
    }
    /* context after the real findings, one line each; --json has their evidence */
    if (counts[RMD_SEV_INFO]) fprintf(out, "\nalso noted:\n");
    for (size_t i = 0; i < l->n; i++) {
        const rmd_finding *f = &l->items[i];
        if (f->sev != RMD_SEV_INFO) continue;
        fprintf(out, "  %s%s%s: ", o->color ? sev_color(f->sev) : "", rmd_cause_get(f->cause)->id, reset);
        rmd_tprintf(out, "%s\n", f->summary);
    }
    if (l->n == 0) fprintf(out, "\nno findings: the endpoint answers and nothing crosses a threshold\n");
    fprintf(out, "\n%d critical, %d warning, %d info\n", counts[RMD_SEV_CRITICAL], counts[RMD_SEV_WARNING],
            counts[RMD_SEV_INFO]);
}

/* ------------------------------------------------------------------ JSON */

json_t *rmd_json_string(const char *s) {
    json_t *j = json_string(s);
    if (!j) {
        char esc[1024];
        rmd_escape(esc, sizeof esc, s, strlen(s));
        j = json_string(esc);
    }
    return j;
}


/* Milliseconds rounded to microseconds: readable, and still precise enough. */
static json_t *jms(double ms) { return json_real(round(ms * 1000.0) / 1000.0); }

static json_t *strlist_json(const rmd_strlist *l) {
    json_t *a = json_array();
    for (size_t i = 0; i < l->n; i++) json_array_append_new(a, rmd_json_string(l->items[i]));
    return a;
}

/* Set key to an integer from INFO when present and numeric. */
static void put_info_int(json_t *o, const char *key, const rmd_kvlist *in, const char *field) {
    long long v;
    if (rmd_kv_get_ll(in, field, &v) == 0) json_object_set_new(o, key, json_integer(v));
}

static void put_info_str(json_t *o, const char *key, const rmd_kvlist *in, const char *field) {
    const char *v = rmd_kv_get(in, field);
    if (v) json_object_set_new(o, key, rmd_json_string(v));
}

static json_t *server_json(const rmd_evidence *ev) {
    const rmd_kvlist *in = &ev->info;
    json_t *s = json_object();
    if (!in->n) return s;
    put_info_str(s, "version", in, "redis_version");
    put_info_str(s, "valkey_version", in, "valkey_version");
    put_info_str(s, "mode", in, "redis_mode");
    put_info_str(s, "role", in, "role");
    put_info_int(s, "uptime_s", in, "uptime_in_seconds");
    put_info_int(s, "process_id", in, "process_id");
    put_info_int(s, "connected_clients", in, "connected_clients");
    put_info_int(s, "blocked_clients", in, "blocked_clients");
    put_info_int(s, "rejected_connections", in, "rejected_connections");
    put_info_int(s, "used_memory", in, "used_memory");
    put_info_int(s, "maxmemory", in, "maxmemory");
    put_info_str(s, "maxmemory_policy", in, "maxmemory_policy");
    put_info_int(s, "evicted_keys", in, "evicted_keys");
    put_info_str(s, "rdb_last_bgsave_status", in, "rdb_last_bgsave_status");
    put_info_int(s, "aof_enabled", in, "aof_enabled");
    put_info_int(s, "cluster_enabled", in, "cluster_enabled");
    put_info_str(s, "master_link_status", in, "master_link_status");
    long long mc;
    if (ev->config[RMD_CFG_MAXCLIENTS].status == RMD_ITEM_OK &&
        rmd_parse_ll(ev->config[RMD_CFG_MAXCLIENTS].value, strlen(ev->config[RMD_CFG_MAXCLIENTS].value), &mc) == 0)
        json_object_set_new(s, "maxclients", json_integer(mc));
    return s;
}

static const char *item_status_name(rmd_item_status s) {
    switch (s) {
    case RMD_ITEM_NOT_RUN: return "not-run";
    case RMD_ITEM_OK: return "ok";
    case RMD_ITEM_DENIED: return "denied";
    case RMD_ITEM_UNAVAILABLE: return "unavailable";
    case RMD_ITEM_ERROR: return "error";
    }
    return "?";
}

static json_t *host_json(const rmd_host *h) {
    json_t *o = json_object();
    json_object_set_new(o, "local", json_boolean(h->is_local));
    if (h->listen_checked) {
        json_t *l = json_object();
        json_object_set_new(l, "listening", json_boolean(h->listening));
        if (h->listening) {
            json_object_set_new(l, "address", rmd_json_string(h->listen_addr));
            json_object_set_new(l, "pid", json_integer(h->listen_pid));
            json_object_set_new(l, "process", rmd_json_string(h->listen_comm));
            json_object_set_new(l, "accept_queue", json_integer(h->listen_backlog_queued));
            if (h->listen_cwd[0]) json_object_set_new(l, "cwd", rmd_json_string(h->listen_cwd));
        }
        json_object_set_new(o, "listener", l);
    }
    json_t *procs = json_array();
    for (int i = 0; i < h->n_procs; i++) {
        json_t *p = json_object();
        json_object_set_new(p, "pid", json_integer(h->procs[i].pid));
        json_object_set_new(p, "cmdline", rmd_json_string(h->procs[i].args));
        json_array_append_new(procs, p);
    }
    json_object_set_new(o, "redis_processes", procs);
    json_object_set_new(o, "stopped_processes", json_integer(h->n_stopped));
    if (h->tcp_checked) {
        json_t *t = json_object();
        json_object_set_new(t, "established", json_integer(h->tcp_established));
        json_object_set_new(t, "time_wait", json_integer(h->tcp_time_wait));
        json_object_set_new(t, "close_wait", json_integer(h->tcp_close_wait));
        json_object_set_new(t, "syn_sent", json_integer(h->tcp_syn_sent));
        json_object_set_new(t, "syn_recv", json_integer(h->tcp_syn_recv));
        json_object_set_new(o, "tcp_states", t);
    }
    if (h->mem_available_kb >= 0) json_object_set_new(o, "mem_available_kb", json_integer(h->mem_available_kb));
    if (h->mem_total_kb >= 0) json_object_set_new(o, "mem_total_kb", json_integer(h->mem_total_kb));
    if (h->disk_free_bytes >= 0) {
        json_object_set_new(o, "disk_path", rmd_json_string(h->disk_path));
        json_object_set_new(o, "disk_free_bytes", json_integer(h->disk_free_bytes));
    }
    json_object_set_new(o, "kmsg_readable", json_boolean(h->kmsg_readable));
    json_object_set_new(o, "oom_kills", json_integer(h->oom_count));
    if (h->oom_count) json_object_set_new(o, "oom_line", rmd_json_string(h->oom_line));
    return o;
}

/* What the collectors gathered, beyond the server summary. */
static json_t *collected_json(const rmd_evidence *ev) {
    json_t *o = json_object(), *cfg = json_object(), *cl = json_array(), *sl = json_array(), *lat = json_array();
    for (int i = 0; i < RMD_CFG__COUNT; i++)
        if (ev->config[i].status == RMD_ITEM_OK)
            json_object_set_new(cfg, rmd_config_name((rmd_config_key)i), rmd_json_string(ev->config[i].value));
    json_object_set_new(o, "config", cfg);
    for (size_t i = 0; i < ev->clients.n && i < 20; i++) {
        const rmd_client_group *g = &ev->clients.groups[i];
        json_t *j = json_object();
        json_object_set_new(j, "addr", rmd_json_string(g->addr));
        json_object_set_new(j, "name", rmd_json_string(g->name));
        json_object_set_new(j, "count", json_integer(g->count));
        json_object_set_new(j, "idle", json_integer(g->idle_count));
        json_object_set_new(j, "oldest_age_s", json_integer(g->oldest_age_s));
        json_object_set_new(j, "max_idle_s", json_integer(g->max_idle_s));
        json_object_set_new(j, "blocked", json_integer(g->blocked));
        json_object_set_new(j, "pubsub", json_integer(g->pubsub));
        json_array_append_new(cl, j);
    }
    json_object_set_new(o, "client_groups", cl);
    json_object_set_new(o, "clients_total", json_integer(ev->clients.total));
    for (size_t i = 0; i < ev->slowlog.n && i < 10; i++) {
        const rmd_slow_entry *e = &ev->slowlog.e[i];
        json_t *j = json_object();
        json_object_set_new(j, "id", json_integer(e->id));
        json_object_set_new(j, "time", json_integer(e->when));
        json_object_set_new(j, "usec", json_integer(e->usec));
        json_object_set_new(j, "command", rmd_json_string(e->cmd));
        json_object_set_new(j, "client", rmd_json_string(e->client));
        json_array_append_new(sl, j);
    }
    json_object_set_new(o, "slowlog", sl);
    for (size_t i = 0; i < ev->latency.n; i++) {
        const rmd_latency_event *e = &ev->latency.e[i];
        json_t *j = json_object();
        json_object_set_new(j, "event", rmd_json_string(e->event));
        json_object_set_new(j, "time", json_integer(e->when));
        json_object_set_new(j, "latest_ms", json_integer(e->latest_ms));
        json_object_set_new(j, "max_ms", json_integer(e->max_ms));
        json_array_append_new(lat, j);
    }
    json_object_set_new(o, "latency", lat);
    if (ev->cluster.n) {
        json_t *c = json_object();
        for (size_t i = 0; i < ev->cluster.n; i++) json_object_set_new(c, ev->cluster.items[i].key, rmd_json_string(ev->cluster.items[i].val));
        json_object_set_new(o, "cluster", c);
    }
    return o;
}

int rmd_report_json(FILE *out, const rmd_evidence *ev, const rmd_findings *l) {
    json_t *root = json_object(), *timings = json_object(), *phases = json_array(), *fs = json_array();
    json_object_set_new(root, "target", rmd_json_string(ev->target));
    json_object_set_new(root, "reachable", json_boolean(ev->reachable));
    for (int i = 0; i < RMD_PHASE__COUNT; i++) {
        const rmd_phase_result *r = &ev->phase[i];
        if (!r->ran) continue;
        json_object_set_new(timings, rmd_phase_name((rmd_phase)i), jms(r->ms));
        json_t *p = json_object();
        json_object_set_new(p, "name", rmd_json_string(rmd_phase_name((rmd_phase)i)));
        json_object_set_new(p, "ok", json_boolean(r->ok));
        json_object_set_new(p, "ms", jms(r->ms));
        if (!r->ok) json_object_set_new(p, "fail", rmd_json_string(rmd_fail_name(r->fail)));
        if (r->sys_errno) json_object_set_new(p, "errno", json_integer(r->sys_errno));
        if (r->detail[0]) json_object_set_new(p, "detail", rmd_json_string(r->detail));
        json_array_append_new(phases, p);
    }
    json_object_set_new(root, "address", rmd_json_string(ev->addr));
    json_object_set_new(root, "timings_ms", timings);
    json_object_set_new(root, "phases", phases);
    if (ev->reply_error[0]) json_object_set_new(root, "reply_error", rmd_json_string(ev->reply_error));
    if (ev->peer_bytes[0]) json_object_set_new(root, "peer_bytes", rmd_json_string(ev->peer_bytes));
    json_object_set_new(root, "server", server_json(ev));
    if (ev->ping.n) {
        json_t *p = json_object();
        json_object_set_new(p, "samples", json_integer(ev->ping.n));
        json_object_set_new(p, "min", jms(ev->ping.min));
        json_object_set_new(p, "avg", jms(ev->ping.avg));
        json_object_set_new(p, "p99", jms(ev->ping.p99));
        json_object_set_new(p, "max", jms(ev->ping.max));
        json_object_set_new(root, "ping_ms", p);
    }
    if (ev->phase[RMD_PHASE_COLLECT].ran) json_object_set_new(root, "collected", collected_json(ev));
    json_t *cols = json_array();
    for (size_t i = 0; i < ev->n_collectors; i++) {
        json_t *c = json_object();
        json_object_set_new(c, "name", rmd_json_string(ev->collectors[i].name));
        json_object_set_new(c, "status", rmd_json_string(item_status_name(ev->collectors[i].status)));
        if (ev->collectors[i].detail[0]) json_object_set_new(c, "detail", rmd_json_string(ev->collectors[i].detail));
        json_array_append_new(cols, c);
    }
    json_object_set_new(root, "collectors", cols);
    if (ev->host_facts.collected) json_object_set_new(root, "host", host_json(&ev->host_facts));
    for (size_t i = 0; i < l->n; i++) {
        const rmd_finding *f = &l->items[i];
        json_t *o = json_object();
        json_object_set_new(o, "id", rmd_json_string(rmd_cause_get(f->cause)->id));
        json_object_set_new(o, "severity", rmd_json_string(rmd_severity_name(f->sev)));
        json_object_set_new(o, "summary", rmd_json_string(f->summary));
        json_object_set_new(o, "runbook", f->runbook[0] ? rmd_json_string(f->runbook) : json_null());
        if (f->held) json_object_set_new(o, "held", json_true());
        json_object_set_new(o, "evidence", strlist_json(&f->evidence));
        json_t *ns = json_array(), *st = json_array();
        for (size_t k = 0; k < f->steps.n; k++) {
            const rmd_step *sp = &f->steps.items[k];
            json_array_append_new(ns, rmd_json_string(sp->cmd));
            json_t *so = json_object();
            json_object_set_new(so, "command", rmd_json_string(sp->cmd));
            json_object_set_new(so, "phase", json_string(sp->phase == 'r' ? "resolution" : "diagnosis"));
            json_object_set_new(so, "template", json_boolean(sp->is_template));
            if (sp->needs[0]) json_object_set_new(so, "needs", rmd_json_string(sp->needs));
            if (sp->note[0]) json_object_set_new(so, "note", rmd_json_string(sp->note));
            json_array_append_new(st, so);
        }
        json_object_set_new(o, "next_steps", ns);
        json_object_set_new(o, "steps", st);
        if (f->steps_dropped) json_object_set_new(o, "steps_ruled_out", json_integer(f->steps_dropped));
        json_array_append_new(fs, o);
    }
    json_object_set_new(root, "findings", fs);
    int rc = json_dumpf(root, out, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_ENSURE_ASCII);
    fputc('\n', out);
    json_decref(root);
    return rc == 0 ? 0 : -1;
}
