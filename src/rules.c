/* rules.c -- the rule tables (see rules.h).
 *
 * Two tables. Connectivity rules explain why the probe could not get a PONG:
 * they are tried in order and the first that matches is the diagnosis (one
 * failure, one cause). Server-state rules read what the collectors gathered
 * and all of them run. Every rule is a small predicate that writes one
 * finding: a summary sentence with the numbers, and the evidence it used.
 */
#include "rules.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <errno.h>

#include "collect.h"
#include "util.h"

typedef int (*rule_fn)(const rmd_evidence *ev, const rmd_thresholds *th, rmd_findings *out);

void rmd_thresholds_default(rmd_thresholds *th) {
    th->mem_warn_pct = 80;
    th->mem_crit_pct = 90;
    th->clients_warn_pct = 80;
    th->clients_crit_pct = 90;
    th->ping_warn_ms = 5;
    th->ping_crit_ms = 10;
    th->slow_warn_us = 10000; /* longer than the 10 ms latency target: it stalled every client */
    th->slow_recent_s = 24 * 3600;
    th->leak_min_conns = 50;
    th->leak_share = 0.5;
    th->leak_idle_share = 0.75;
    th->restart_s = 600;
    th->oom_recent_s = 24 * 3600;
}

/* ---------------------------------------------------------------- helpers */

static void endpoint(const rmd_evidence *ev, char *out, size_t n) {
    if (ev->unix_path[0]) snprintf(out, n, "%s", ev->unix_path);
    else if (strchr(ev->host, ':')) snprintf(out, n, "[%s]:%d", ev->host, ev->port);
    else snprintf(out, n, "%s:%d", ev->host, ev->port);
}


static void human_secs(double s, char *out, size_t n) {
    if (s < 120) snprintf(out, n, "%.0f s", s);
    else if (s < 7200) snprintf(out, n, "%.0f min", s / 60);
    else if (s < 172800) snprintf(out, n, "%.1f h", s / 3600);
    else snprintf(out, n, "%.1f days", s / 86400);
}

static int info_ll(const rmd_evidence *ev, const char *k, long long *v) { return rmd_kv_get_ll(&ev->info, k, v) == 0; }
static const char *info_s(const rmd_evidence *ev, const char *k) { return rmd_kv_get(&ev->info, k); }

static int cfg_ll(const rmd_evidence *ev, rmd_config_key k, long long *v) {
    const rmd_config_item *c = &ev->config[k];
    return c->status == RMD_ITEM_OK && rmd_parse_ll(c->value, strlen(c->value), v) == 0;
}
static const char *cfg_s(const rmd_evidence *ev, rmd_config_key k) {
    return ev->config[k].status == RMD_ITEM_OK ? ev->config[k].value : NULL;
}

/* maxclients / maxmemory-policy from CONFIG, falling back to INFO (Redis >= 6.2 has both). */
static int maxclients(const rmd_evidence *ev, long long *v) {
    return cfg_ll(ev, RMD_CFG_MAXCLIENTS, v) || info_ll(ev, "maxclients", v);
}
static int maxmemory(const rmd_evidence *ev, long long *v) {
    return cfg_ll(ev, RMD_CFG_MAXMEMORY, v) || info_ll(ev, "maxmemory", v);
}
static const char *policy(const rmd_evidence *ev) {
    const char *p = cfg_s(ev, RMD_CFG_MAXMEMORY_POLICY);
    return p ? p : info_s(ev, "maxmemory_policy");
}

static const rmd_phase_result *failed(const rmd_evidence *ev) {
    return ev->failed_phase >= 0 && ev->failed_phase < RMD_PHASE_COLLECT ? &ev->phase[ev->failed_phase] : NULL;
}

static int failed_in(const rmd_evidence *ev, rmd_phase ph) { return !ev->reachable && ev->failed_phase == (int)ph; }

/* The error reply that stopped the probe starts with prefix (case-sensitive, as Redis sends it). */
static int reply_starts(const rmd_evidence *ev, const char *prefix) {
    return !ev->reachable && strncmp(ev->reply_error, prefix, strlen(prefix)) == 0;
}
static int reply_has(const rmd_evidence *ev, const char *needle) {
    return !ev->reachable && ev->reply_error[0] && strcasestr(ev->reply_error, needle) != NULL;
}

static void ev_phase(rmd_finding *f, const rmd_evidence *ev) {
    const rmd_phase_result *r = failed(ev);
    if (!f || !r) return;
    rmd_strlist_addf(&f->evidence, "%s phase failed after %.1f ms: %s", rmd_phase_name((rmd_phase)ev->failed_phase),
                     r->ms, r->detail);
}

static void ev_listener(rmd_finding *f, const rmd_evidence *ev) {
    const rmd_host *h = &ev->host_facts;
    if (!f || !h->collected || !h->is_local) return;
    if (h->listen_checked) {
        if (h->listening && ev->unix_path[0])
            rmd_strlist_addf(&f->evidence, "a process listens on the socket %s: %s%s", ev->unix_path,
                             h->listen_comm[0] ? h->listen_comm : "owner not visible to this user",
                             h->listen_pid ? "" : " (run as root to see it)");
        else if (h->listening)
            rmd_strlist_addf(&f->evidence, "a process listens on %s port %d: %s (pid %d)%s",
                             h->listen_addr[0] ? h->listen_addr : "the", ev->port,
                             h->listen_comm[0] ? h->listen_comm : "owner not visible", h->listen_pid,
                             h->listen_backlog_queued > 0 ? " with connections waiting in its accept queue" : "");
        else if (ev->unix_path[0])
            rmd_strlist_addf(&f->evidence, "no process listens on the socket %s", ev->unix_path);
        else
            rmd_strlist_addf(&f->evidence, "no process listens on port %d on this host (/proc/net/tcp, tcp6)", ev->port);
    }
}

/* The processes that matter: the listener's owner and any stopped server,
 * by pid; the other instances on the host only as a count. */
static void ev_procs(rmd_finding *f, const rmd_evidence *ev) {
    const rmd_host *h = &ev->host_facts;
    if (!f || !h->collected) return;
    if (h->n_procs == 0) {
        rmd_strlist_add(&f->evidence, "no redis-server or valkey-server process is running on this host");
        return;
    }
    int shown = 0, others = 0;
    for (int i = 0; i < h->n_procs; i++) {
        const rmd_host_proc *pr = &h->procs[i];
        int stopped = pr->state == 'T' || pr->state == 't';
        if (pr->pid == h->listen_pid || stopped) {
            rmd_strlist_addf(&f->evidence, "process %d%s: %s%s", pr->pid, pr->pid == h->listen_pid ? " (the listener)" : "",
                             pr->args[0] ? pr->args : pr->comm,
                             stopped ? " -- STOPPED (state T: SIGSTOP, debugger or job control)" : "");
            shown++;
        }
    }
    others = h->n_procs_total > shown ? h->n_procs_total - shown : 0;
    if (others)
        rmd_strlist_addf(&f->evidence, "%d %sredis-server/valkey-server process%s on this host %s", others,
                         shown ? "other " : "", others == 1 ? "" : "es",
                         shown ? "(not this endpoint's)" : "(none listens on this port)");
}

static int listener_stopped(const rmd_evidence *ev) { return rmd_host_listener_stopped(&ev->host_facts); }

static int host_local(const rmd_evidence *ev) { return ev->host_facts.collected && ev->host_facts.is_local; }

static int oom_recent(const rmd_evidence *ev, const rmd_thresholds *th) {
    const rmd_host *h = &ev->host_facts;
    return h->collected && h->oom_count > 0 && (h->oom_age_s < 0 || h->oom_age_s <= th->oom_recent_s);
}

static void ev_oom(rmd_finding *f, const rmd_evidence *ev) {
    const rmd_host *h = &ev->host_facts;
    char age[32] = "unknown time";
    if (!f || !h->oom_count) return;
    if (h->oom_age_s >= 0) human_secs(h->oom_age_s, age, sizeof age);
    rmd_strlist_addf(&f->evidence, "kernel log (%d OOM-killer record%s), newest %s ago: %s", h->oom_count,
                     h->oom_count == 1 ? "" : "s", age, h->oom_line);
}

/* ------------------------------------------------------ connectivity rules */

static int r_dns(const rmd_evidence *ev, const rmd_thresholds *th, rmd_findings *out) {
    (void)th;
    if (!failed_in(ev, RMD_PHASE_RESOLVE)) return 0;
    rmd_finding *f = rmd_findings_add(out, RMD_CAUSE_DNS_FAILURE, RMD_SEV_CRITICAL,
                                      "The host name %s does not resolve, so no connection was attempted.", ev->host);
    ev_phase(f, ev);
    return 1;
}

static int refused_like(const rmd_evidence *ev) {
    const rmd_phase_result *r = failed(ev);
    return failed_in(ev, RMD_PHASE_CONNECT) && r && (r->fail == RMD_FAIL_REFUSED || r->fail == RMD_FAIL_NOENT);
}

static int r_oom_killed(const rmd_evidence *ev, const rmd_thresholds *th, rmd_findings *out) {
    const rmd_host *h = &ev->host_facts;
    if (!refused_like(ev) || !host_local(ev) || h->listening || h->n_procs > 0 || !oom_recent(ev, th)) return 0;
    char ep[300], age[32] = "some time", pid[16] = "?";
    const char *k = strstr(h->oom_line, "Killed process ");
    endpoint(ev, ep, sizeof ep);
    if (h->oom_age_s >= 0) human_secs(h->oom_age_s, age, sizeof age);
    if (k) rmd_memlcpy(pid, sizeof pid, k + 15, strspn(k + 15, "0123456789"));
    rmd_finding *f = rmd_findings_add(out, RMD_CAUSE_OOM_KILLED, RMD_SEV_CRITICAL,
        "Nothing listens on %s and no redis-server runs on this host; the kernel OOM killer killed a redis-server "
        "(pid %s) %s ago. Nothing in the kernel record names this port, but with no redis-server left it is the "
        "likeliest reason the server is gone.", ep, pid, age);
    ev_oom(f, ev);
    ev_phase(f, ev);
    ev_listener(f, ev);
    ev_procs(f, ev);
    if (f && h->mem_total_kb > 0 && h->mem_available_kb >= 0)
        rmd_strlist_addf(&f->evidence, "host memory now: %lld MiB available of %lld MiB", h->mem_available_kb / 1024,
                         h->mem_total_kb / 1024);
    return 1;
}

static int r_firewall(const rmd_evidence *ev, const rmd_thresholds *th, rmd_findings *out) {
    (void)th;
    const rmd_phase_result *r = failed(ev);
    if (!failed_in(ev, RMD_PHASE_CONNECT) || !r || ev->unix_path[0]) return 0;
    int refused = r->fail == RMD_FAIL_REFUSED || r->fail == RMD_FAIL_UNREACHABLE;
    if (!(r->fail == RMD_FAIL_PERM || (refused && host_local(ev) && ev->host_facts.listening))) return 0;
    char ep[300];
    endpoint(ev, ep, sizeof ep);
    rmd_finding *f = rmd_findings_add(out, RMD_CAUSE_FIREWALL_REJECT, RMD_SEV_CRITICAL,
        r->fail == RMD_FAIL_PERM
            ? "Connecting to %s was forbidden locally (EPERM): a packet filter rule on this host blocks it."
            : "The connection to %s was refused although a process listens on that port: a firewall rule rejects it.",
        ep);
    ev_phase(f, ev);
    ev_listener(f, ev);
    return 1;
}

/* Nothing on the dialled address, but the port is bound on another one: the
 * client dials ::1 and the server listens on 127.0.0.1, or the server binds
 * one interface and the client uses another. */
/* connect(2) on a unix socket answers EACCES when the caller may not write
 * the socket file (unixsocketperm) or search its directory. */
static int r_socket_permission(const rmd_evidence *ev, const rmd_thresholds *th, rmd_findings *out) {
    (void)th;
    const rmd_phase_result *r = failed(ev);
    if (!failed_in(ev, RMD_PHASE_CONNECT) || !r || !ev->unix_path[0] || r->fail != RMD_FAIL_PERM) return 0;
    rmd_finding *f = rmd_findings_add(out, RMD_CAUSE_SOCKET_PERMISSION, RMD_SEV_CRITICAL,
        "Permission denied on the unix socket %s: this user may not write the socket file or enter its directory "
        "(unixsocketperm, owner, group).", ev->unix_path);
    ev_phase(f, ev);
    const rmd_host *h = &ev->host_facts;
    if (f && h->sock_stat_ok)
        rmd_strlist_addf(&f->evidence, "socket mode %04o, owner uid %ld, group gid %ld; this process runs as uid %ld, gid %ld%s",
                         h->sock_mode, h->sock_uid, h->sock_gid, h->self_uid, h->self_gid,
                         (h->sock_mode & 020) ? "" : " (the group may not write it either: joining the group will not help)");
    else if (f && h->sock_stat_errno)
        rmd_strlist_addf(&f->evidence, "the socket cannot even be looked at by this user (%s): its directory is closed to it",
                         strerror(h->sock_stat_errno));
    ev_listener(f, ev);
    return 1;
}

static int r_bind_mismatch(const rmd_evidence *ev, const rmd_thresholds *th, rmd_findings *out) {
    (void)th;
    const rmd_host *h = &ev->host_facts;
    if (!refused_like(ev) || !host_local(ev) || h->listening || h->n_other == 0 || ev->unix_path[0]) return 0;
    int client_v6 = strchr(ev->addr, ':') != NULL, all_other_v4 = 1, all_other_v6 = 1;
    char where[300] = "";
    for (int i = 0; i < h->n_other; i++) {
        int v6 = strchr(h->other[i].addr, ':') != NULL;
        all_other_v4 &= !v6;
        all_other_v6 &= v6;
        size_t l = strlen(where);
        snprintf(where + l, sizeof where - l, "%s%s%s%s", i ? ", " : "", v6 ? "[" : "", h->other[i].addr, v6 ? "]" : "");
    }
    const char *why = client_v6 && all_other_v4   ? "the client dials IPv6 but the server listens on IPv4 only"
                      : !client_v6 && all_other_v6 ? "the client dials IPv4 but the server listens on IPv6 only"
                                                   : "the server is bound to another address than the one the client dials";
    char owner[64];
    if (h->other[0].pid) snprintf(owner, sizeof owner, "%s (pid %d)", h->other[0].comm[0] ? h->other[0].comm : "a process", h->other[0].pid);
    else snprintf(owner, sizeof owner, "a process");
    rmd_finding *f = rmd_findings_add(out, RMD_CAUSE_BIND_MISMATCH, RMD_SEV_CRITICAL,
        "Connection refused on %s: nothing listens on that address, but %s listens on port %d at %s: %s.",
        ev->addr, owner, ev->port, where, why);
    if (!f) return 1;
    ev_phase(f, ev);
    for (int i = 0; i < h->n_other; i++)
        rmd_strlist_addf(&f->evidence, "listener on %s port %d: %s (pid %d)", h->other[i].addr, ev->port,
                         h->other[i].comm[0] ? h->other[i].comm : "owner not visible", h->other[i].pid);
    rmd_strlist_addf(&f->evidence, "no listener on %s port %d (the address the client dialled)", ev->addr, ev->port);
    return 1;
}

static int r_server_down(const rmd_evidence *ev, const rmd_thresholds *th, rmd_findings *out) {
    if (!refused_like(ev)) return 0;
    const rmd_phase_result *r = failed(ev);
    char ep[300];
    endpoint(ev, ep, sizeof ep);
    rmd_finding *f;
    if (r->fail == RMD_FAIL_NOENT)
        f = rmd_findings_add(out, RMD_CAUSE_SERVER_DOWN, RMD_SEV_CRITICAL,
                             "The unix socket %s does not exist: the server is not running or uses another path.", ep);
    else if (host_local(ev))
        f = rmd_findings_add(out, RMD_CAUSE_SERVER_DOWN, RMD_SEV_CRITICAL,
                             "Connection refused by %s: nothing listens there%s.", ep,
                             ev->host_facts.n_procs ? " (a redis-server runs, but on another port or address)"
                                                    : " and no redis-server process is running");
    else
        f = rmd_findings_add(out, RMD_CAUSE_SERVER_DOWN, RMD_SEV_CRITICAL,
                             "Connection refused by %s: the host answered, but nothing accepts connections on that port "
                             "(server stopped, wrong port, or a firewall rejecting with a reset).", ep);
    ev_phase(f, ev);
    ev_listener(f, ev);
    ev_procs(f, ev);
    /* an OOM kill elsewhere on the host cannot be tied to this port: one line, no more */
    if (f && host_local(ev) && oom_recent(ev, th)) {
        char age[32] = "some time";
        if (ev->host_facts.oom_age_s >= 0) human_secs(ev->host_facts.oom_age_s, age, sizeof age);
        rmd_strlist_addf(&f->evidence, "the kernel OOM killer took a redis-server on this host %s ago; nothing ties it to this port", age);
    }
    if (f && !host_local(ev)) rmd_strlist_add(&f->evidence, "the endpoint is not on this host: run redis-medic there to see its processes");
    return 1;
}

static int r_connect_timeout(const rmd_evidence *ev, const rmd_thresholds *th, rmd_findings *out) {
    (void)th;
    const rmd_phase_result *r = failed(ev);
    if (!failed_in(ev, RMD_PHASE_CONNECT) || !r) return 0;
    if (r->fail != RMD_FAIL_TIMEOUT && r->fail != RMD_FAIL_UNREACHABLE) return 0;
    char ep[300];
    endpoint(ev, ep, sizeof ep);
    rmd_finding *f;
    if (r->fail == RMD_FAIL_UNREACHABLE)
        f = rmd_findings_add(out, RMD_CAUSE_CONNECT_TIMEOUT, RMD_SEV_CRITICAL,
                             "No route to %s: the network says the host or network is unreachable.", ep);
    else if (host_local(ev) && ev->host_facts.listening && ev->host_facts.listen_backlog_queued > 0)
        f = rmd_findings_add(out, RMD_CAUSE_CONNECT_TIMEOUT, RMD_SEV_CRITICAL,
                             "TCP connect to %s timed out after %.0f ms: the server's accept queue is full (%d waiting), "
                             "it is not accepting connections.", ep, r->ms, ev->host_facts.listen_backlog_queued);
    else
        f = rmd_findings_add(out, RMD_CAUSE_CONNECT_TIMEOUT, RMD_SEV_CRITICAL,
                             "TCP connect to %s got no answer within %.0f ms: packets are dropped (firewall DROP, "
                             "security group, routing) or the host is down.", ep, r->ms);
    ev_phase(f, ev);
    ev_listener(f, ev);
    if (host_local(ev) && ev->host_facts.listening && ev->host_facts.listen_backlog_queued <= 0)
        rmd_strlist_add(&f->evidence, "a listener exists locally, so something between client and server drops the SYN");
    ev_procs(f, ev);
    return 1;
}

static int r_tls_required(const rmd_evidence *ev, const rmd_thresholds *th, rmd_findings *out) {
    (void)th;
    if (ev->reachable || ev->tls || ev->xcheck != RMD_XCHECK_TLS_ANSWERED) return 0;
    char ep[300];
    endpoint(ev, ep, sizeof ep);
    rmd_finding *f = rmd_findings_add(out, RMD_CAUSE_TLS_REQUIRED, RMD_SEV_CRITICAL,
        "%s speaks TLS, but the client connected in plaintext: use rediss:// (or --tls) with the server's CA.", ep);
    ev_phase(f, ev);
    rmd_strlist_addf(&f->evidence, "cross-check: %s", ev->xcheck_detail);
    return 1;
}

static int r_tls_error(const rmd_evidence *ev, const rmd_thresholds *th, rmd_findings *out) {
    (void)th;
    const rmd_phase_result *r = failed(ev);
    /* TLS 1.3 reports a refused client certificate on the first read, after the handshake */
    int late = r && (r->fail == RMD_FAIL_TLS || r->fail == RMD_FAIL_TLS_VERIFY) &&
               (failed_in(ev, RMD_PHASE_AUTH) || failed_in(ev, RMD_PHASE_PING));
    if ((!failed_in(ev, RMD_PHASE_TLS) && !late) || !r) return 0;
    char ep[300];
    endpoint(ev, ep, sizeof ep);
    rmd_finding *f;
    if (ev->xcheck == RMD_XCHECK_RESP_ANSWERED)
        f = rmd_findings_add(out, RMD_CAUSE_TLS_ERROR, RMD_SEV_CRITICAL,
                             "TLS handshake with %s failed because the port speaks plaintext Redis, not TLS: "
                             "use redis:// or the server's tls-port.", ep);
    else if (r->fail == RMD_FAIL_TLS_VERIFY)
        f = rmd_findings_add(out, RMD_CAUSE_TLS_ERROR, RMD_SEV_CRITICAL,
                             "The TLS certificate of %s is not trusted: %s.", ep, r->detail);
    else
        f = rmd_findings_add(out, RMD_CAUSE_TLS_ERROR, RMD_SEV_CRITICAL, "TLS handshake with %s failed: %s.", ep,
                             r->detail);
    ev_phase(f, ev);
    if (ev->xcheck != RMD_XCHECK_NONE) rmd_strlist_addf(&f->evidence, "cross-check: %s", ev->xcheck_detail);
    return 1;
}

/* Error replies that stop a connection, in the server's own words. */
static int reply_rule(const rmd_evidence *ev, rmd_findings *out, rmd_cause c, int match, const char *summary) {
    if (!match) return 0;
    rmd_finding *f = rmd_findings_add(out, c, RMD_SEV_CRITICAL, "%s", summary);
    ev_phase(f, ev);
    if (f) rmd_strlist_addf(&f->evidence, "server replied: %s", ev->reply_error);
    return 1;
}

static int r_auth_required(const rmd_evidence *ev, const rmd_thresholds *th, rmd_findings *out) {
    (void)th;
    return reply_rule(ev, out, RMD_CAUSE_AUTH_REQUIRED, reply_starts(ev, "NOAUTH"),
                      "The server requires authentication and no password was given (NOAUTH).");
}

static int r_auth_failed(const rmd_evidence *ev, const rmd_thresholds *th, rmd_findings *out) {
    (void)th;
    int m = reply_starts(ev, "WRONGPASS") || reply_has(ev, "invalid password") ||
            reply_has(ev, "invalid username-password") || (failed_in(ev, RMD_PHASE_AUTH) && reply_starts(ev, "ERR") &&
                                                           reply_has(ev, "auth"));
    return reply_rule(ev, out, RMD_CAUSE_AUTH_FAILED, m,
                      "The server rejected the user name or password (or the ACL user is disabled).");
}

static int r_protected(const rmd_evidence *ev, const rmd_thresholds *th, rmd_findings *out) {
    (void)th;
    return reply_rule(ev, out, RMD_CAUSE_PROTECTED_MODE, reply_starts(ev, "DENIED"),
                      "The server runs in protected mode: with no password set it accepts only loopback clients, "
                      "and this client is not one.");
}

static int r_maxclients(const rmd_evidence *ev, const rmd_thresholds *th, rmd_findings *out) {
    (void)th;
    return reply_rule(ev, out, RMD_CAUSE_MAXCLIENTS_REACHED, reply_has(ev, "max number of clients reached"),
                      "The server is at maxclients and refuses every new connection.");
}

/* LOADING: INFO still answers while loading, so say how far it got. */
static int r_loading(const rmd_evidence *ev, const rmd_thresholds *th, rmd_findings *out) {
    (void)th;
    if (!reply_starts(ev, "LOADING")) return 0;
    double perc = -1;
    long long eta = -1, total = -1, loaded = -1;
    rmd_kv_get_double(&ev->info, "loading_loaded_perc", &perc);
    info_ll(ev, "loading_eta_seconds", &eta);
    if (!info_ll(ev, "loading_total_bytes", &total)) total = -1;
    if (!info_ll(ev, "loading_loaded_bytes", &loaded)) loaded = -1;
    char progress[160] = "", tb[32], lb[32];
    if (perc >= 0 && total > 0) {
        rmd_human_bytes(total, tb, sizeof tb);
        snprintf(progress, sizeof progress, " (%.1f%% of %s loaded", perc, tb);
    } else if (perc >= 0) {
        snprintf(progress, sizeof progress, " (%.1f%% loaded", perc);
    }
    if (progress[0]) {
        size_t l = strlen(progress);
        if (eta >= 0) snprintf(progress + l, sizeof progress - l, ", about %lld s left)", eta);
        else snprintf(progress + l, sizeof progress - l, ")");
    }
    rmd_finding *f = rmd_findings_add(out, RMD_CAUSE_LOADING_DATASET, RMD_SEV_CRITICAL,
        "The server is loading its dataset into memory%s and answers commands only when it has finished.", progress);
    ev_phase(f, ev);
    if (!f) return 1;
    rmd_strlist_addf(&f->evidence, "server replied: %s", ev->reply_error);
    if (perc >= 0) rmd_strlist_addf(&f->evidence, "loading_loaded_perc=%.2f loading_eta_seconds=%lld", perc, eta);
    if (total >= 0) {
        rmd_human_bytes(loaded >= 0 ? loaded : 0, lb, sizeof lb);
        rmd_human_bytes(total, tb, sizeof tb);
        rmd_strlist_addf(&f->evidence, "loaded %s of %s (loading_loaded_bytes=%lld loading_total_bytes=%lld)", lb, tb, loaded, total);
    }
    long long up;
    if (info_ll(ev, "uptime_in_seconds", &up)) rmd_strlist_addf(&f->evidence, "uptime_in_seconds=%lld (it restarted)", up);
    if (perc < 0) rmd_strlist_add(&f->evidence, "loading progress not available (INFO did not answer while loading)");
    return 1;
}

static int r_busy(const rmd_evidence *ev, const rmd_thresholds *th, rmd_findings *out) {
    (void)th;
    return reply_rule(ev, out, RMD_CAUSE_SERVER_BUSY, reply_starts(ev, "BUSY"),
                      "The server is busy running a script or function and serves nothing else until it ends.");
}

/* PING was read (nothing left unread on the server's end of our connection)
 * and the server let go of the connection as soon as we closed it, so its
 * event loop runs: it holds replies back. CLIENT PAUSE does exactly that;
 * Redis 7.0 even holds INFO and CLIENT UNPAUSE from new connections. */
static int r_paused(const rmd_evidence *ev, const rmd_thresholds *th, rmd_findings *out) {
    (void)th;
    const rmd_phase_result *r = failed(ev);
    const rmd_host *h = &ev->host_facts;
    if (!r || r->fail != RMD_FAIL_TIMEOUT || !failed_in(ev, RMD_PHASE_PING) || ev->peer_bytes[0]) return 0;
    if (!host_local(ev) || !h->listening || !h->tcp_checked || !ev->local_port || listener_stopped(ev)) return 0;
    if (h->peer_found && h->peer_rqueue > 0) return 0;
    if (!rmd_host_listener_proc(h)) return 0; /* only a redis-server is known to hold replies while it reads */
    char ep[300];
    endpoint(ev, ep, sizeof ep);
    rmd_finding *f = rmd_findings_add(out, RMD_CAUSE_CLIENTS_PAUSED, RMD_SEV_CRITICAL,
        "%s read PING but held the reply for %.0f ms while its event loop kept running: clients are paused "
        "(CLIENT PAUSE, e.g. by a failover or a maintenance script) or the command is blocked by a module.", ep, r->ms);
    ev_phase(f, ev);
    if (!f) return 1;
    rmd_strlist_addf(&f->evidence, "the server's end of our connection (port %d) %s", ev->local_port,
                     h->peer_found ? "had read every byte we sent" : "was closed by the server as soon as we closed ours");
    ev_listener(f, ev);
    ev_procs(f, ev);
    return 1;
}

static int r_unresponsive(const rmd_evidence *ev, const rmd_thresholds *th, rmd_findings *out) {
    (void)th;
    const rmd_phase_result *r = failed(ev);
    if (!r || r->fail != RMD_FAIL_TIMEOUT || (!failed_in(ev, RMD_PHASE_AUTH) && !failed_in(ev, RMD_PHASE_PING))) return 0;
    char ep[300];
    endpoint(ev, ep, sizeof ep);
    const rmd_host *h = &ev->host_facts;
    if (host_local(ev) && h->listening && h->listen_pid && h->listen_comm[0] &&
        strncmp(h->listen_comm, "redis-", 6) != 0 && strncmp(h->listen_comm, "valkey-", 7) != 0) {
        /* the port belongs to another program: it is not a Redis that hangs */
        rmd_finding *nf = rmd_findings_add(out, RMD_CAUSE_NOT_REDIS, RMD_SEV_CRITICAL,
            "%s is held by %s (pid %d), not by a redis-server: it accepted the connection and never answered %s.", ep,
            h->listen_comm, h->listen_pid, ev->failed_phase == RMD_PHASE_AUTH ? "AUTH" : "PING");
        ev_phase(nf, ev);
        ev_listener(nf, ev);
        return 1;
    }
    rmd_finding *f = rmd_findings_add(out, RMD_CAUSE_SERVER_UNRESPONSIVE, RMD_SEV_CRITICAL,
        "%s accepted the TCP connection but did not answer %s within %.0f ms%s.", ep,
        ev->failed_phase == RMD_PHASE_AUTH ? "AUTH" : "PING", r->ms,
        host_local(ev) && listener_stopped(ev) ? ": the redis-server process is stopped (SIGSTOP)"
        : ev->peer_bytes[0]            ? ": it sends bytes too slowly or never finishes a reply"
        : h->peer_found && h->peer_rqueue > 0 ? ": it has not even read the request, so its event loop is blocked "
                                                "(a long command or script, DEBUG SLEEP, swapping, or a stopped thread)"
                                       : " (blocked by a long command, swapping, stopped, or not Redis)");
    ev_phase(f, ev);
    if (f && h->peer_found && h->peer_rqueue > 0)
        rmd_strlist_addf(&f->evidence, "%lu bytes we sent are still unread on the server's end of the connection",
                         h->peer_rqueue);
    ev_listener(f, ev);
    ev_procs(f, ev);
    return 1;
}

static int r_not_redis(const rmd_evidence *ev, const rmd_thresholds *th, rmd_findings *out) {
    (void)th;
    const rmd_phase_result *r = failed(ev);
    if (!r || (!failed_in(ev, RMD_PHASE_AUTH) && !failed_in(ev, RMD_PHASE_PING))) return 0;
    if (r->fail != RMD_FAIL_PROTOCOL && r->fail != RMD_FAIL_TOO_BIG && r->fail != RMD_FAIL_UNEXPECTED) return 0;
    char ep[300];
    const char *what = "";
    endpoint(ev, ep, sizeof ep);
    if (strncmp(ev->peer_bytes, "HTTP/", 5) == 0) what = " (an HTTP server)";
    else if (strncmp(ev->peer_bytes, "SSH-", 4) == 0) what = " (an SSH server)";
    else if (strncmp(ev->peer_bytes, "\\x15\\x03", 8) == 0 || strncmp(ev->peer_bytes, "\\x16\\x03", 8) == 0)
        what = " (a TLS server)";
    rmd_finding *f = rmd_findings_add(out, RMD_CAUSE_NOT_REDIS, RMD_SEV_CRITICAL,
        "Something other than Redis answers on %s%s: its reply is not the Redis protocol.", ep, what);
    ev_phase(f, ev);
    if (f && ev->peer_bytes[0]) rmd_strlist_addf(&f->evidence, "first bytes received: %s", ev->peer_bytes);
    ev_listener(f, ev);
    return 1;
}

/* The last resort: say what we saw instead of guessing. */
static int r_unknown(const rmd_evidence *ev, const rmd_thresholds *th, rmd_findings *out) {
    (void)th;
    if (ev->reachable) return 0;
    char ep[300];
    endpoint(ev, ep, sizeof ep);
    const rmd_phase_result *r = failed(ev);
    rmd_finding *f = rmd_findings_add(out, RMD_CAUSE_UNKNOWN, RMD_SEV_CRITICAL,
        "%s did not answer PING and the failure matches no known cause; the evidence below is what was seen.", ep);
    ev_phase(f, ev);
    if (f && ev->reply_error[0]) rmd_strlist_addf(&f->evidence, "server replied: %s", ev->reply_error);
    if (f && ev->peer_bytes[0]) rmd_strlist_addf(&f->evidence, "first bytes received: %s", ev->peer_bytes);
    if (f && ev->xcheck != RMD_XCHECK_NONE) rmd_strlist_addf(&f->evidence, "cross-check: %s", ev->xcheck_detail);
    if (f && !r) rmd_strlist_add(&f->evidence, "no phase recorded a failure");
    ev_listener(f, ev);
    ev_procs(f, ev);
    return 1;
}

/* Order matters: the first match is the diagnosis. */
static const rule_fn connectivity_rules[] = {
    r_dns, r_oom_killed, r_socket_permission, r_firewall, r_bind_mismatch, r_server_down, r_connect_timeout, r_tls_required, r_tls_error,
    r_auth_required, r_auth_failed, r_protected, r_maxclients, r_loading, r_busy, r_paused, r_unresponsive,
    r_not_redis, r_unknown,
};

/* ------------------------------------------------------ server-state rules */

/* A volatile-* policy evicts only keys with a TTL: say when none has one. */
static void volatile_note(const rmd_evidence *ev, rmd_finding *f, const char *pol) {
    long long keys = 0, expires = 0;
    for (int i = 0; i < 16384; i++) {
        char k[16], v[32];
        snprintf(k, sizeof k, "db%d", i);
        const char *d = info_s(ev, k);
        long long x;
        if (!d) { if (i > 64) break; continue; }
        if (rmd_info_subfield(d, "keys", v, sizeof v) == 0 && rmd_parse_ll(v, strlen(v), &x) == 0) keys += x;
        if (rmd_info_subfield(d, "expires", v, sizeof v) == 0 && rmd_parse_ll(v, strlen(v), &x) == 0) expires += x;
    }
    if (keys > 0 && expires == 0)
        rmd_strlist_addf(&f->evidence, "policy %s evicts only keys with a TTL, and none of the %lld keys has one: "
                         "nothing can be evicted", pol, keys);
    else if (keys > 0)
        rmd_strlist_addf(&f->evidence, "%lld of %lld keys have a TTL (the only ones %s can evict)", expires, keys, pol);
}

static int r_memory(const rmd_evidence *ev, const rmd_thresholds *th, rmd_findings *out) {
    long long used, max, oom_errs = 0;
    char u[32], m[32];
    if (!info_ll(ev, "used_memory", &used)) return 0;
    const char *pol = policy(ev);
    int evicting = pol && strncmp(pol, "allkeys-", 8) == 0;
    const char *es = info_s(ev, "errorstat_OOM");
    char cnt[32];
    if (es && rmd_info_subfield(es, "count", cnt, sizeof cnt) == 0) rmd_parse_ll(cnt, strlen(cnt), &oom_errs);
    if (!maxmemory(ev, &max) || max <= 0) {
        long long sys, rss;
        if (info_ll(ev, "total_system_memory", &sys) && sys > 0 && info_ll(ev, "used_memory_rss", &rss) &&
            rss * 100.0 / (double)sys >= th->mem_warn_pct) {
            rmd_human_bytes(rss, u, sizeof u);
            rmd_human_bytes(sys, m, sizeof m);
            rmd_finding *f = rmd_findings_add(out, RMD_CAUSE_MEMORY_HIGH, RMD_SEV_WARNING,
                "Redis uses %s of the host's %s (%.0f%%) with no maxmemory set: the kernel OOM killer is its only limit.",
                u, m, rss * 100.0 / (double)sys);
            if (f) rmd_strlist_addf(&f->evidence, "used_memory_rss=%lld total_system_memory=%lld maxmemory=0", rss, sys);
            return 1;
        }
        return 0;
    }
    double pct = used * 100.0 / (double)max;
    rmd_human_bytes(used, u, sizeof u);
    rmd_human_bytes(max, m, sizeof m);
    int noevict = pol && strcmp(pol, "noeviction") == 0;
    if (!evicting && (pct >= 99.0 || (oom_errs > 0 && pct >= th->mem_crit_pct)) && (noevict || oom_errs > 0)) {
        rmd_finding *f = rmd_findings_add(out, RMD_CAUSE_OOM_MAXMEMORY, RMD_SEV_CRITICAL,
            "Memory is full: %s used of maxmemory %s (%.0f%%) with policy %s, so writes fail with "
            "\"OOM command not allowed\".", u, m, pct, pol ? pol : "unknown");
        if (f) {
            rmd_strlist_addf(&f->evidence, "used_memory=%lld maxmemory=%lld maxmemory-policy=%s", used, max, pol ? pol : "?");
            if (oom_errs) rmd_strlist_addf(&f->evidence, "OOM error replies since start: %lld", oom_errs);
            if (pol && !strncmp(pol, "volatile-", 9)) volatile_note(ev, f, pol);
        }
        return 1;
    }
    if (pct < th->mem_warn_pct) return 0;
    rmd_severity sev = evicting ? RMD_SEV_INFO : pct >= th->mem_crit_pct ? RMD_SEV_CRITICAL : RMD_SEV_WARNING;
    rmd_finding *f = rmd_findings_add(out, RMD_CAUSE_MEMORY_HIGH, sev,
        evicting ? "Memory at %.0f%% of maxmemory (%s of %s); policy %s evicts keys, as a cache should."
                 : "Memory at %.0f%% of maxmemory (%s of %s) with policy %s: writes will fail when it is full.",
        pct, u, m, pol ? pol : "unknown");
    if (f) rmd_strlist_addf(&f->evidence, "used_memory=%lld maxmemory=%lld maxmemory-policy=%s (warning at %.0f%%, critical at %.0f%%)",
                            used, max, pol ? pol : "?", th->mem_warn_pct, th->mem_crit_pct);
    return 1;
}

/* The data directory is gone (CONFIG GET dir answers "" when getcwd fails;
 * /proc shows the cwd as deleted) while saves are configured: the next save
 * fails, and with save points writes stop then. */
static int r_dir_gone(const rmd_evidence *ev, rmd_findings *out) {
    const char *dir = cfg_s(ev, RMD_CFG_DIR), *save = cfg_s(ev, RMD_CFG_SAVE), *aof = cfg_s(ev, RMD_CFG_APPENDONLY);
    const char *cwd = ev->host_facts.listen_cwd;
    size_t cl = strlen(cwd);
    int gone = (dir && !dir[0]) || (cl > 10 && !strcmp(cwd + cl - 10, " (deleted)"));
    int saves = (save && save[0]) || (aof && !strcmp(aof, "yes"));
    if (!gone || !saves) return 0;
    long long changes = -1;
    info_ll(ev, "rdb_changes_since_last_save", &changes);
    rmd_finding *f = rmd_findings_add(out, RMD_CAUSE_PERSISTENCE_FAILURE, RMD_SEV_WARNING,
        "The server's data directory no longer exists: the next %s will fail%s.",
        save && save[0] ? "snapshot" : "AOF rewrite",
        save && save[0] ? " and then writes stop with MISCONF" : "");
    if (!f) return 1;
    if (dir && !dir[0]) rmd_strlist_add(&f->evidence, "CONFIG GET dir is empty: the working directory is gone");
    if (cwd[0]) rmd_strlist_addf(&f->evidence, "working directory of pid %d: %s", ev->host_facts.listen_pid, cwd);
    if (save) rmd_strlist_addf(&f->evidence, "save=\"%s\" appendonly=%s", save, aof ? aof : "?");
    if (changes >= 0) rmd_strlist_addf(&f->evidence, "rdb_changes_since_last_save=%lld (not on disk)", changes);
    return 1;
}

/* Does the server refuse writes now? Redis (writeCommandsDeniedByDiskError)
 * refuses them after a failed BGSAVE only when stop-writes-on-bgsave-error is
 * yes AND save points are configured, and after a failed AOF write only when
 * AOF is on. A MISCONF reply to PING settles it. */
static int r_persistence(const rmd_evidence *ev, const rmd_thresholds *th, rmd_findings *out) {
    (void)th;
    const char *rdb = info_s(ev, "rdb_last_bgsave_status");
    const char *aofw = info_s(ev, "aof_last_write_status");
    const char *aofr = info_s(ev, "aof_last_bgrewrite_status");
    int rdb_err = rdb && strcmp(rdb, "ok") != 0;
    int aofw_err = aofw && strcmp(aofw, "ok") != 0;
    int aof_err = aofw_err || (aofr && strcmp(aofr, "ok") != 0);
    int misconf = strncmp(ev->ping_error, "MISCONF", 7) == 0;
    if (!rdb_err && !aof_err && !misconf) return r_dir_gone(ev, out);
    const char *sw = cfg_s(ev, RMD_CFG_STOP_WRITES_ON_BGSAVE_ERROR);
    const char *save = cfg_s(ev, RMD_CFG_SAVE);
    long long aof_on = -1;
    info_ll(ev, "aof_enabled", &aof_on);
    int rdb_stops = rdb_err && (!sw || strcmp(sw, "yes") == 0) && (!save || save[0]);
    int aof_stops = aofw_err && aof_on != 0;
    int stops = misconf || rdb_stops || aof_stops;
    const char *what = rdb_err && aof_err ? "RDB snapshot (BGSAVE) and the AOF write" : rdb_err ? "RDB snapshot (BGSAVE)"
                       : aof_err ? "AOF write or rewrite" : "save to disk";
    const char *why_not = "";
    if (!stops && rdb_err && sw && strcmp(sw, "yes") != 0) why_not = " (stop-writes-on-bgsave-error is no)";
    else if (!stops && rdb_err && save && !save[0]) why_not = " (no save points are configured, save \"\", so the failure does not stop writes)";
    rmd_finding *f = rmd_findings_add(out, RMD_CAUSE_PERSISTENCE_FAILURE, stops ? RMD_SEV_CRITICAL : RMD_SEV_WARNING,
        stops ? "The last %s failed and the server now refuses writes with MISCONF until %s."
              : "The last %s failed; writes still succeed but are not being persisted%s.",
        what, stops ? (aof_stops ? "it can write the AOF again (it retries every second once the disk "
                                                 "has room)"
                                               : "a save succeeds")
                    : why_not);
    if (!f) return 1;
    if (rdb) rmd_strlist_addf(&f->evidence, "rdb_last_bgsave_status=%s", rdb);
    if (aofw) rmd_strlist_addf(&f->evidence, "aof_last_write_status=%s aof_last_bgrewrite_status=%s", aofw, aofr ? aofr : "?");
    long long ch;
    if (info_ll(ev, "rdb_changes_since_last_save", &ch)) rmd_strlist_addf(&f->evidence, "rdb_changes_since_last_save=%lld", ch);
    if (sw) rmd_strlist_addf(&f->evidence, "stop-writes-on-bgsave-error=%s", sw);
    const char *dir = cfg_s(ev, RMD_CFG_DIR);
    const rmd_host *h = &ev->host_facts;
    if (dir && dir[0]) rmd_strlist_addf(&f->evidence, "dir=%s", dir);
    else if (dir) /* Redis answers getcwd(): empty when the directory is gone */
        rmd_strlist_add(&f->evidence, "CONFIG GET dir is empty: the server's working directory no longer exists (removed or unmounted)");
    if (h->collected && h->listen_cwd[0])
        rmd_strlist_addf(&f->evidence, "working directory of pid %d: %s", h->listen_pid, h->listen_cwd);
    if (h->collected && h->disk_dir_exists == 0)
        rmd_strlist_addf(&f->evidence, "the data directory %s does not exist on this host", dir ? dir : "?");
    if (h->collected && h->disk_dir_exists == 1 && h->disk_dir_uid >= 0 && h->listen_uid > 0) {
        /* may the server's user create files there? (root may: uid 0 is not judged) */
        unsigned m = h->disk_dir_mode;
        int can = h->listen_uid == h->disk_dir_uid ? (m & 0300) == 0300
                  : h->listen_gid == h->disk_dir_gid ? (m & 0030) == 0030 : (m & 0003) == 0003;
        rmd_strlist_addf(&f->evidence, "%s: mode %04o, owner uid %ld gid %ld; the server runs as uid %ld gid %ld%s",
                         h->disk_path[0] ? h->disk_path : "data directory", m, h->disk_dir_uid, h->disk_dir_gid,
                         h->listen_uid, h->listen_gid, can ? "" : ": it may not create files there");
    }
    if (h->collected && h->disk_hung)
        rmd_strlist_addf(&f->evidence, "stat of %s did not return in time: the filesystem under it hangs (a lost NFS "
                         "server, a dead FUSE daemon), which also stalls every save", h->disk_path);
    if (h->collected && h->disk_free_bytes >= 0) {
        char fr[32], tot[32];
        rmd_human_bytes(h->disk_free_bytes, fr, sizeof fr);
        rmd_human_bytes(h->disk_total_bytes, tot, sizeof tot);
        rmd_strlist_addf(&f->evidence, "free disk under %s: %s of %s", h->disk_path, fr, tot);
    }
    if (save) rmd_strlist_addf(&f->evidence, "save=\"%s\"%s", save, save[0] ? "" : " (no save points)");
    if (misconf) rmd_strlist_addf(&f->evidence, "PING answered: %s", ev->ping_error);
    const char *mis = info_s(ev, "errorstat_MISCONF");
    if (mis) rmd_strlist_addf(&f->evidence, "MISCONF error replies: %s", mis);
    return 1;
}

static int r_clients(const rmd_evidence *ev, const rmd_thresholds *th, rmd_findings *out) {
    long long conn, max;
    if (!info_ll(ev, "connected_clients", &conn) || !maxclients(ev, &max) || max <= 0) return 0;
    if (conn > 0) conn--; /* INFO counts the probe's own connection: not the user's */
    double pct = conn * 100.0 / (double)max;
    if (pct < th->clients_warn_pct) return 0;
    rmd_finding *f = rmd_findings_add(out, RMD_CAUSE_CLIENTS_NEAR_LIMIT,
                                      pct >= th->clients_crit_pct ? RMD_SEV_CRITICAL : RMD_SEV_WARNING,
                                      "%lld of maxclients %lld connections in use (%.0f%%): new connections will be refused soon.",
                                      conn, max, pct);
    if (!f) return 1;
    rmd_strlist_addf(&f->evidence, "connected_clients=%lld besides this probe's own, maxclients=%lld (warning at %.0f%%, critical at %.0f%%)", conn,
                     max, th->clients_warn_pct, th->clients_crit_pct);
    for (size_t i = 0; i < ev->clients.n && i < 3; i++) {
        const rmd_client_group *g = &ev->clients.groups[i];
        rmd_strlist_addf(&f->evidence, "%ld connections from %s%s%s%s (%ld idle >= %ds)", g->count, g->addr,
                         g->name[0] ? " name=" : "", g->name, "", g->idle_count, RMD_CLIENT_IDLE_S);
    }
    return 1;
}

static int r_rejected(const rmd_evidence *ev, const rmd_thresholds *th, rmd_findings *out) {
    (void)th;
    long long rej, up = -1, max = -1;
    if (!info_ll(ev, "rejected_connections", &rej) || rej <= 0) return 0;
    info_ll(ev, "uptime_in_seconds", &up);
    maxclients(ev, &max);
    char age[32] = "?";
    if (up >= 0) human_secs((double)up, age, sizeof age);
    rmd_finding *f = rmd_findings_add(out, RMD_CAUSE_REJECTED_CONNECTIONS, RMD_SEV_WARNING,
                                      "The server rejected %lld connection%s since it started %s ago because maxclients (%lld) was reached.",
                                      rej, rej == 1 ? "" : "s", age, max);
    if (f) rmd_strlist_addf(&f->evidence, "rejected_connections=%lld uptime_in_seconds=%lld", rej, up);
    return 1;
}

static int r_leak(const rmd_evidence *ev, const rmd_thresholds *th, rmd_findings *out) {
    const rmd_clients *c = &ev->clients;
    if (c->n == 0 || c->total <= 0) return 0;
    const rmd_client_group *g = &c->groups[0];
    double share = (double)g->count / (double)c->total;
    double idle = g->count ? (double)g->idle_count / (double)g->count : 0;
    if (g->count < th->leak_min_conns || share < th->leak_share || idle < th->leak_idle_share) return 0;
    if (strcmp(g->addr, "(other)") == 0) return 0;
    rmd_finding *f = rmd_findings_add(out, RMD_CAUSE_CONNECTION_LEAK, RMD_SEV_WARNING,
        "One client (%s%s%s) holds %ld of %ld connections (%.0f%%) and %ld of them are idle: a connection leak "
        "or an oversized pool.", g->addr, g->name[0] ? ", name " : "", g->name, g->count, c->total, share * 100,
        g->idle_count);
    if (!f) return 1;
    for (size_t i = 0; i < c->n && i < 3; i++)
        rmd_strlist_addf(&f->evidence, "%s%s%s: %ld connections, %ld idle >= %d s, oldest %lld s, longest idle %lld s",
                         c->groups[i].addr, c->groups[i].name[0] ? " name=" : "", c->groups[i].name, c->groups[i].count,
                         c->groups[i].idle_count, RMD_CLIENT_IDLE_S, c->groups[i].oldest_age_s, c->groups[i].max_idle_s);
    const char *to = cfg_s(ev, RMD_CFG_TIMEOUT);
    if (to) rmd_strlist_addf(&f->evidence, "timeout=%s (%s)", to, strcmp(to, "0") == 0 ? "idle connections are never closed" : "seconds");
    return 1;
}

static int r_slow(const rmd_evidence *ev, const rmd_thresholds *th, rmd_findings *out) {
    const rmd_slowlog *s = &ev->slowlog;
    long long now = 0, worst = 0;
    size_t recent = 0, wi = 0;
    info_ll(ev, "server_time_usec", &now);
    now /= 1000000;
    for (size_t i = 0; i < s->n; i++) {
        if (now && s->e[i].when < now - th->slow_recent_s) continue;
        recent++;
        if (s->e[i].usec > worst) { worst = s->e[i].usec; wi = i; }
    }
    if (!recent) return 0;
    rmd_finding *f = rmd_findings_add(out, RMD_CAUSE_SLOW_COMMANDS, worst >= th->slow_warn_us ? RMD_SEV_WARNING : RMD_SEV_INFO,
        "%zu slow command%s in the slowlog; the worst, %s, blocked the server for %.1f ms.", recent,
        recent == 1 ? "" : "s", s->e[wi].cmd, worst / 1000.0);
    if (!f) return 1;
    for (size_t i = 0; i < s->n && f->evidence.n < 5; i++) {
        char age[32] = "?";
        if (now) human_secs((double)(now - s->e[i].when), age, sizeof age);
        rmd_strlist_addf(&f->evidence, "%s: %.1f ms, %s ago%s%s", s->e[i].cmd, s->e[i].usec / 1000.0, age,
                         s->e[i].client[0] ? " from " : "", s->e[i].client);
    }
    for (size_t i = 0; i < ev->latency.n && i < 3; i++)
        rmd_strlist_addf(&f->evidence, "latency event %s: latest %lld ms, max %lld ms", ev->latency.e[i].event,
                         ev->latency.e[i].latest_ms, ev->latency.e[i].max_ms);
    const char *thr = cfg_s(ev, RMD_CFG_SLOWLOG_LOG_SLOWER_THAN);
    if (thr) rmd_strlist_addf(&f->evidence, "slowlog-log-slower-than=%s us", thr);
    return 1;
}

static int r_latency(const rmd_evidence *ev, const rmd_thresholds *th, rmd_findings *out) {
    const rmd_ping_stats *p = &ev->ping;
    if (p->n == 0 || p->avg < th->ping_warn_ms) return 0;
    rmd_finding *f = rmd_findings_add(out, RMD_CAUSE_HIGH_LATENCY, p->avg >= th->ping_crit_ms ? RMD_SEV_CRITICAL : RMD_SEV_WARNING,
        "PING round trips average %.1f ms (p99 %.1f ms, max %.1f ms over %d samples): above the %.0f ms target.",
        p->avg, p->p99, p->max, p->n, th->ping_warn_ms);
    if (f) rmd_strlist_addf(&f->evidence, "ping min=%.3f avg=%.3f p99=%.3f max=%.3f ms", p->min, p->avg, p->p99, p->max);
    return 1;
}

static int r_replica(const rmd_evidence *ev, const rmd_thresholds *th, rmd_findings *out) {
    (void)th;
    const char *role = info_s(ev, "role"), *ls = info_s(ev, "master_link_status");
    if (!role || strcmp(role, "slave") != 0 || !ls || strcmp(ls, "up") == 0) return 0;
    const char *mh = info_s(ev, "master_host"), *mp = info_s(ev, "master_port");
    long long since = -1, syncing = 0, got = -1, io = -1, port = -1;
    info_ll(ev, "master_link_down_since_seconds", &since);
    info_ll(ev, "master_sync_in_progress", &syncing);
    info_ll(ev, "master_sync_read_bytes", &got);
    info_ll(ev, "master_sync_last_io_seconds_ago", &io);
    long long total = -1;
    info_ll(ev, "master_sync_total_bytes", &total);
    /* master_sync_in_progress is 1 during the handshake too (also one the master
     * refuses, as with NOAUTH): a sync is under way only once bytes flow */
    if (syncing > 0 && got <= 0 && total <= 0) syncing = 0;
    int self = mh && mp && rmd_parse_ll(mp, strlen(mp), &port) == 0 && port == ev->port &&
               (!strcmp(mh, ev->host) || !strcmp(mh, ev->addr));
    int stale_off = strncmp(ev->ping_error, "MASTERDOWN", 10) == 0;
    rmd_finding *f;
    if (self)
        f = rmd_findings_add(out, RMD_CAUSE_REPLICA_LINK_DOWN, RMD_SEV_CRITICAL,
            "This server is a replica of itself (%s:%s): it can never sync; point it at the real master or make it "
            "a master (REPLICAOF NO ONE, a failover decision).", mh, mp);
    else if (syncing > 0) {
        char b[32] = "?";
        if (got >= 0) rmd_human_bytes(got, b, sizeof b);
        f = rmd_findings_add(out, RMD_CAUSE_REPLICA_LINK_DOWN, RMD_SEV_WARNING,
            "This replica is in a full sync from %s:%s: %s received so far, last I/O %lld s ago; it serves %s until "
            "the sync ends.", mh ? mh : "?", mp ? mp : "?", b, io, stale_off ? "nothing (MASTERDOWN)" : "stale data");
    } else
        f = rmd_findings_add(out, RMD_CAUSE_REPLICA_LINK_DOWN, RMD_SEV_CRITICAL,
            "This replica has lost its master %s:%s (link down%s): it %s and cannot follow writes.",
            mh ? mh : "?", mp ? mp : "?", since >= 0 ? " for a while" : "",
            stale_off ? "answers MASTERDOWN to every read (replica-serve-stale-data no)" : "serves stale data");
    if (!f) return 1;
    if (stale_off) rmd_strlist_addf(&f->evidence, "PING answered: %s", ev->ping_error);
    if (syncing > 0 && got >= 0)
        rmd_strlist_addf(&f->evidence, "master_sync_read_bytes=%lld master_sync_last_io_seconds_ago=%lld", got, io);
    rmd_strlist_addf(&f->evidence, "master_link_status=%s master_host=%s master_port=%s", ls, mh ? mh : "?", mp ? mp : "?");
    if (since >= 0) rmd_strlist_addf(&f->evidence, "master_link_down_since_seconds=%lld", since);
    const char *sync = info_s(ev, "master_sync_in_progress");
    if (sync) rmd_strlist_addf(&f->evidence, "master_sync_in_progress=%s", sync);
    const char *ma = cfg_s(ev, RMD_CFG_MASTERAUTH);
    if (ma && !ma[0])
        rmd_strlist_add(&f->evidence, "masterauth is not set: a master that requires a password refuses this replica "
                                      "(its log says \"MASTER aborted replication with an error: NOAUTH\")");
    return 1;
}

static int r_cluster(const rmd_evidence *ev, const rmd_thresholds *th, rmd_findings *out) {
    (void)th;
    const char *st = rmd_kv_get(&ev->cluster, "cluster_state");
    if (!st || strcmp(st, "ok") == 0) return 0;
    long long assigned = -1, failing = 0, pfail = 0;
    rmd_kv_get_ll(&ev->cluster, "cluster_slots_assigned", &assigned);
    rmd_kv_get_ll(&ev->cluster, "cluster_slots_fail", &failing);
    rmd_kv_get_ll(&ev->cluster, "cluster_slots_pfail", &pfail);
    rmd_finding *f;
    if (assigned >= 0 && assigned < 16384 && !failing && !pfail)
        f = rmd_findings_add(out, RMD_CAUSE_CLUSTER_DOWN, RMD_SEV_CRITICAL,
            "Cluster state is %s: %lld of the 16384 hash slots are assigned to no node, so keys in them have no "
            "home and this node refuses queries (CLUSTERDOWN) until every slot is assigned.", st, 16384 - assigned);
    else
        f = rmd_findings_add(out, RMD_CAUSE_CLUSTER_DOWN, RMD_SEV_CRITICAL,
            "Cluster state is %s: %s; this node refuses queries (CLUSTERDOWN) until every slot is served again.", st,
            failing ? "slots are served by failed nodes" : pfail ? "nodes serving slots are suspected down (pfail)"
                                                             : "not every slot is served");
    if (!f) return 1;
    const char *keys[] = {"cluster_slots_assigned", "cluster_slots_ok", "cluster_slots_pfail", "cluster_slots_fail",
                          "cluster_known_nodes", "cluster_size"};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        const char *v = rmd_kv_get(&ev->cluster, keys[i]);
        if (v) rmd_strlist_addf(&f->evidence, "%s=%s", keys[i], v);
    }
    return 1;
}

/* A Sentinel's view of the masters it monitors (INFO sentinel:
 * master0:name=mymaster,status=odown,address=10.0.0.5:6379,slaves=1,sentinels=3). */
static int r_sentinel(const rmd_evidence *ev, const rmd_thresholds *th, rmd_findings *out) {
    (void)th;
    const char *mode = info_s(ev, "redis_mode");
    int found = 0;
    if (!mode || strcmp(mode, "sentinel") != 0) return 0;
    for (int i = 0; i < 64; i++) {
        char key[24], name[128], status[16], addr[96], replicas[16];
        snprintf(key, sizeof key, "master%d", i);
        const char *v = info_s(ev, key);
        if (!v) break;
        if (rmd_info_subfield(v, "status", status, sizeof status) != 0 || !strcmp(status, "ok")) continue;
        if (rmd_info_subfield(v, "name", name, sizeof name) != 0) rmd_strlcpy(name, "?", sizeof name);
        if (rmd_info_subfield(v, "address", addr, sizeof addr) != 0) rmd_strlcpy(addr, "?", sizeof addr);
        if (rmd_info_subfield(v, "slaves", replicas, sizeof replicas) != 0) rmd_strlcpy(replicas, "?", sizeof replicas);
        int odown = !strcmp(status, "odown");
        rmd_finding *f = rmd_findings_add(out, RMD_CAUSE_SENTINEL_MASTER_DOWN, odown ? RMD_SEV_CRITICAL : RMD_SEV_WARNING,
            odown ? "This Sentinel and its quorum see master %s at %s down (odown, %s replica%s known): a failover should "
                    "be under way; clients asking Sentinel for %s get no working master until it completes."
                  : "This Sentinel sees master %s at %s down (sdown, %s replica%s known); the quorum does not agree yet.",
            name, addr, replicas, strcmp(replicas, "1") ? "s" : "", name);
        if (f) rmd_strlist_addf(&f->evidence, "%s:%s", key, v);
        found = 1;
    }
    long long tilt;
    if (found && info_ll(ev, "sentinel_tilt", &tilt) && tilt)
        rmd_strlist_add(&out->items[out->n - 1].evidence, "sentinel_tilt:1 (TILT mode: this Sentinel distrusts its own clock and acts on nothing)");
    return found;
}

/* min-replicas-to-write N with fewer good replicas: every write is refused
 * with NOREPLICAS while reads answer, so the server looks healthy. */
static int r_min_replicas(const rmd_evidence *ev, const rmd_thresholds *th, rmd_findings *out) {
    (void)th;
    long long want, good = -1, lag = -1, connected = 0;
    if (!cfg_ll(ev, RMD_CFG_MIN_REPLICAS_TO_WRITE, &want) || want <= 0) return 0;
    const char *role = info_s(ev, "role");
    if (role && strcmp(role, "master") != 0) return 0;
    if (!info_ll(ev, "min_slaves_good_slaves", &good)) info_ll(ev, "connected_slaves", &good);
    info_ll(ev, "connected_slaves", &connected);
    cfg_ll(ev, RMD_CFG_MIN_REPLICAS_MAX_LAG, &lag);
    if (good < 0 || good >= want) return 0;
    rmd_finding *f = rmd_findings_add(out, RMD_CAUSE_MIN_REPLICAS_UNMET, RMD_SEV_CRITICAL,
        "Writes are refused with NOREPLICAS: min-replicas-to-write is %lld but %lld replica%s %s in sync (lag under %lld s); "
        "reads still answer.", want, good, good == 1 ? "" : "s", good == 1 ? "is" : "are", lag);
    if (f) rmd_strlist_addf(&f->evidence, "min-replicas-to-write=%lld min-replicas-max-lag=%lld connected_slaves=%lld "
                            "good replicas=%lld", want, lag, connected, good);
    const char *es = info_s(ev, "errorstat_NOREPLICAS");
    if (f && es) rmd_strlist_addf(&f->evidence, "NOREPLICAS error replies: %s", es);
    return 1;
}

static int r_restart(const rmd_evidence *ev, const rmd_thresholds *th, rmd_findings *out) {
    long long up;
    if (!info_ll(ev, "uptime_in_seconds", &up) || up >= th->restart_s) return 0;
    char age[32];
    human_secs((double)up, age, sizeof age);
    rmd_finding *f = rmd_findings_add(out, RMD_CAUSE_RECENT_RESTART, RMD_SEV_INFO,
                                      "The server started %s ago: a recent restart (crash, OOM kill, deploy or failover?).", age);
    const char *pid = info_s(ev, "process_id");
    if (f) rmd_strlist_addf(&f->evidence, "uptime_in_seconds=%lld process_id=%s", up, pid ? pid : "?");
    return 1;
}

static int r_oom_killed_before(const rmd_evidence *ev, const rmd_thresholds *th, rmd_findings *out) {
    long long up;
    const rmd_host *h = &ev->host_facts;
    if (!ev->reachable || !host_local(ev) || !oom_recent(ev, th) || !info_ll(ev, "uptime_in_seconds", &up)) return 0;
    /* Only a kill shortly before this process started can explain its restart,
     * and only on a host with one instance can the kill be attributed to it. */
    if (h->oom_age_s < 0 || h->oom_age_s < (double)up || h->oom_age_s - (double)up > 3600) return 0;
    if (h->n_procs_total > 1) return 0;
    char age[32], upt[32];
    human_secs(h->oom_age_s, age, sizeof age);
    human_secs((double)up, upt, sizeof upt);
    rmd_finding *f = rmd_findings_add(out, RMD_CAUSE_OOM_KILLED, RMD_SEV_INFO,
        "The kernel OOM killer took a redis-server on this host %s ago and this server started %s ago: "
        "possibly it was restarted after being killed.", age, upt);
    ev_oom(f, ev);
    if (f) rmd_strlist_addf(&f->evidence, "uptime_in_seconds=%lld", up);
    return 1;
}

static int r_keepalive(const rmd_evidence *ev, const rmd_thresholds *th, rmd_findings *out) {
    (void)th;
    long long ka;
    if (!cfg_ll(ev, RMD_CFG_TCP_KEEPALIVE, &ka) || ka != 0) return 0;
    rmd_finding *f = rmd_findings_add(out, RMD_CAUSE_KEEPALIVE_DISABLED, RMD_SEV_INFO,
        "tcp-keepalive is 0: connections whose peer vanished (NAT timeout, crashed client) are never detected.");
    if (f) rmd_strlist_add(&f->evidence, "tcp-keepalive=0");
    return 1;
}

static int r_eviction(const rmd_evidence *ev, const rmd_thresholds *th, rmd_findings *out) {
    (void)th;
    long long evicted;
    if (!info_ll(ev, "evicted_keys", &evicted) || evicted <= 0) return 0;
    const char *pol = policy(ev);
    rmd_finding *f = rmd_findings_add(out, RMD_CAUSE_EVICTION_ACTIVE, RMD_SEV_INFO,
                                      "%lld keys evicted since start (policy %s): memory pressure drops data.",
                                      evicted, pol ? pol : "?");
    if (f) rmd_strlist_addf(&f->evidence, "evicted_keys=%lld maxmemory-policy=%s", evicted, pol ? pol : "?");
    return 1;
}

static int r_latency_monitor(const rmd_evidence *ev, const rmd_thresholds *th, rmd_findings *out) {
    (void)th;
    long long lm = -1, sl = 0;
    int have_lm = cfg_ll(ev, RMD_CFG_LATENCY_MONITOR_THRESHOLD, &lm);
    int have_sl = cfg_ll(ev, RMD_CFG_SLOWLOG_LOG_SLOWER_THAN, &sl);
    if (!((have_lm && lm == 0) || (have_sl && sl < 0))) return 0;
    rmd_finding *f = rmd_findings_add(out, RMD_CAUSE_LATENCY_MONITOR_OFF, RMD_SEV_INFO,
        "%s: the evidence of latency spikes a diagnosis needs is not being recorded.",
        have_sl && sl < 0 ? "The slowlog is disabled" : "The latency monitor is off (latency-monitor-threshold 0)");
    if (f) rmd_strlist_addf(&f->evidence, "latency-monitor-threshold=%lld slowlog-log-slower-than=%lld", lm, sl);
    return 1;
}

/* The collectors stopped after PING: a reply that is not RESP or too big, or
 * no reply in time. The endpoint answered, but is not a healthy Redis. */
static int r_collect_failed(const rmd_evidence *ev, const rmd_thresholds *th, rmd_findings *out) {
    (void)th;
    const rmd_phase_result *r = &ev->phase[RMD_PHASE_COLLECT];
    if (!r->ran || r->ok || r->fail == RMD_FAIL_NONE) return 0;
    char ep[300];
    endpoint(ev, ep, sizeof ep);
    rmd_finding *f;
    if (r->fail == RMD_FAIL_TIMEOUT)
        f = rmd_findings_add(out, RMD_CAUSE_SERVER_UNRESPONSIVE, RMD_SEV_WARNING,
            "%s answered PING but not the read-only checks that followed within %.0f ms: it stalls under load "
            "or on large replies.", ep, r->ms);
    else
        f = rmd_findings_add(out, RMD_CAUSE_NOT_REDIS, RMD_SEV_WARNING,
            "%s answered PING, then sent a reply that is %s: a proxy or server that does not speak Redis correctly.", ep,
            r->fail == RMD_FAIL_TOO_BIG ? "over the size limits" : "not the Redis protocol");
    if (!f) return 1;
    rmd_strlist_addf(&f->evidence, "collect phase failed after %.1f ms: %s", r->ms, r->detail);
    if (ev->peer_bytes[0]) rmd_strlist_addf(&f->evidence, "first bytes received: %s", ev->peer_bytes);
    rmd_strlist_add(&f->evidence, "the server-state checks did not run: memory, clients, persistence and latency are unknown");
    return 1;
}

/* Newer servers say it themselves (INFO clients: paused_reason,
 * paused_actions, paused_timeout_milliseconds), e.g. during a FAILOVER. */
static int r_paused_info(const rmd_evidence *ev, const rmd_thresholds *th, rmd_findings *out) {
    (void)th;
    const char *act = info_s(ev, "paused_actions"), *why = info_s(ev, "paused_reason");
    long long ms = -1;
    if (!act || !act[0] || !strcmp(act, "none")) return 0;
    info_ll(ev, "paused_timeout_milliseconds", &ms);
    int all = strcmp(act, "write") != 0;
    rmd_finding *f = rmd_findings_add(out, RMD_CAUSE_CLIENTS_PAUSED, all ? RMD_SEV_CRITICAL : RMD_SEV_WARNING,
        "Clients are paused (%s%s%s): %s are held%s.", act, why && why[0] ? ", reason " : "", why ? why : "",
        all ? "all commands" : "writes", ms >= 0 ? " until the pause ends" : "");
    if (!f) return 1;
    rmd_strlist_addf(&f->evidence, "paused_actions=%s paused_reason=%s paused_timeout_milliseconds=%lld", act,
                     why ? why : "?", ms);
    return 1;
}

/* Redis 7.0 says nothing of a pause in INFO, but CLIENT LIST shows its
 * victims: clients blocked in commands that never block by themselves. */
static int r_paused_clients(const rmd_evidence *ev, const rmd_thresholds *th, rmd_findings *out) {
    (void)th;
    if (ev->clients.held_total <= 0 || rmd_findings_has(out, RMD_CAUSE_CLIENTS_PAUSED)) return 0;
    rmd_finding *f = rmd_findings_add(out, RMD_CAUSE_CLIENTS_PAUSED, RMD_SEV_WARNING,
        "%ld client%s %s blocked in %s, a command that never blocks by itself: writes are paused (CLIENT PAUSE WRITE, "
        "a failover) and %s until the pause ends.", ev->clients.held_total, ev->clients.held_total == 1 ? "" : "s",
        ev->clients.held_total == 1 ? "is" : "are", ev->clients.held_cmd, ev->clients.held_total == 1 ? "waits" : "wait");
    if (f) rmd_strlist_addf(&f->evidence, "CLIENT LIST: %ld client%s with flag b in cmd=%s", ev->clients.held_total,
                            ev->clients.held_total == 1 ? "" : "s", ev->clients.held_cmd);
    return 1;
}

static int r_db(const rmd_evidence *ev, const rmd_thresholds *th, rmd_findings *out) {
    (void)th;
    if (!ev->select_error[0]) return 0;
    long long dbs = -1;
    cfg_ll(ev, RMD_CFG_DATABASES, &dbs);
    char range[64] = "";
    if (dbs > 0) snprintf(range, sizeof range, " (it has databases 0 to %lld)", dbs - 1);
    rmd_finding *f = rmd_findings_add(out, RMD_CAUSE_DB_OUT_OF_RANGE, RMD_SEV_CRITICAL,
        "The server has no database %d%s: SELECT fails, so a client configured with /%d cannot work.", ev->db, range, ev->db);
    if (!f) return 1;
    rmd_strlist_addf(&f->evidence, "SELECT %d answered: %s", ev->db, ev->select_error);
    if (dbs > 0) rmd_strlist_addf(&f->evidence, "databases=%lld", dbs);
    return 1;
}

static int r_no_password(const rmd_evidence *ev, const rmd_thresholds *th, rmd_findings *out) {
    (void)th;
    if (!ev->auth_unused) return 0;
    rmd_finding *f = rmd_findings_add(out, RMD_CAUSE_NO_PASSWORD, RMD_SEV_WARNING,
        ev->auth_unused == 2
            ? "A password was sent, but AUTH is renamed or disabled on this server: the password was not checked and "
              "anyone who reaches the port gets in."
            : "A password was sent, but the server has none configured: anyone who reaches the port gets in (was "
              "requirepass lost in a restart, or is the client pointed at the wrong server?).");
    if (!f) return 1;
    rmd_strlist_addf(&f->evidence, "AUTH phase: %s", ev->phase[RMD_PHASE_AUTH].detail);
    const char *pm = cfg_s(ev, RMD_CFG_PROTECTED_MODE);
    if (pm) rmd_strlist_addf(&f->evidence, "protected-mode=%s", pm);
    return 1;
}

/* What the collectors could not read (ACL, renamed commands, errors): the
 * rules that need it did not run, so "no findings" would claim too much. */
static int r_checks_incomplete(const rmd_evidence *ev, const rmd_thresholds *th, rmd_findings *out) {
    (void)th;
    rmd_strlist miss = {0};
    int important = 0, cfg_fail = 0;
    const char *mode = info_s(ev, "redis_mode");
    int sentinel = mode && !strcmp(mode, "sentinel");
    const char *cfg_detail = "";
    for (size_t i = 0; i < ev->n_collectors; i++) {
        const rmd_collect_status *c = &ev->collectors[i];
        if (c->status == RMD_ITEM_OK || c->status == RMD_ITEM_NOT_RUN || !strcmp(c->name, "CLIENT ID")) continue;
        if (sentinel && c->status == RMD_ITEM_UNAVAILABLE) continue; /* a Sentinel has no CONFIG, SLOWLOG... */
        if (!strncmp(c->name, "CONFIG GET", 10)) {
            if (!cfg_fail++) cfg_detail = c->detail;
            important = 1;
            continue;
        }
        if (!strcmp(c->name, "INFO") || !strcmp(c->name, "CLIENT LIST")) important = 1;
        rmd_strlist_addf(&miss, "%s: %s", c->name, c->detail[0] ? c->detail : "failed");
    }
    if (cfg_fail) rmd_strlist_addf(&miss, "CONFIG GET (%d settings): %s", cfg_fail, cfg_detail);
    if (!miss.n) return 0;
    rmd_finding *f = rmd_findings_add(out, RMD_CAUSE_CHECKS_INCOMPLETE, important ? RMD_SEV_WARNING : RMD_SEV_INFO,
        "%zu check%s could not run with this connection's permissions or commands, so the server's health is only partly known.",
        miss.n, miss.n == 1 ? "" : "s");
    for (size_t i = 0; f && i < miss.n; i++) rmd_strlist_add(&f->evidence, miss.items[i]);
    if (f && !ev->info.n) rmd_strlist_add(&f->evidence, "without INFO: memory, persistence, replication, clients and restarts were not checked");
    if (f && cfg_fail) rmd_strlist_add(&f->evidence, "without CONFIG: maxclients/maxmemory come from INFO where it has them; save, dir, timeout and keepalive were not checked");
    rmd_strlist_free(&miss);
    return 1;
}

static const rule_fn server_rules[] = {
    r_collect_failed, r_paused_info, r_paused_clients, r_db, r_no_password, r_checks_incomplete, r_memory, r_persistence, r_clients, r_rejected, r_leak, r_slow, r_latency, r_replica, r_min_replicas, r_cluster, r_sentinel,
    r_oom_killed_before, r_restart, r_keepalive, r_eviction, r_latency_monitor,
};

void rmd_rules_run(const rmd_evidence *ev, const rmd_thresholds *th, rmd_findings *out) {
    if (!ev->reachable) {
        for (size_t i = 0; i < sizeof connectivity_rules / sizeof connectivity_rules[0]; i++)
            if (connectivity_rules[i](ev, th, out)) break;
        return;
    }
    for (size_t i = 0; i < sizeof server_rules / sizeof server_rules[0]; i++) server_rules[i](ev, th, out);
}
