/* advice.c -- runbook links and next steps per finding (see advice.h).
 *
 * The judgement of which runbook lines apply to a finding lives here, in two
 * small tables (tools that need a setup the evidence must show; causes under
 * which a new connection can still run commands); the text of the steps
 * lives in the runbooks.
 */
#include "advice.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <stdlib.h>

#include "term.h"
#include "util.h"

/* ------------------------------------------------------------- quoting */

/* Valid UTF-8 without control characters: safe to print as part of a command. */
static int printable_utf8(const char *s) {
    const unsigned char *p = (const unsigned char *)s;
    size_t n = strlen(s);
    while (n) {
        size_t k = rmd_utf8_printable(p, n);
        if (!k) return 0;
        p += k;
        n -= k;
    }
    return 1;
}

static int plain_word(const char *s) {
    if (!s[0]) return 0;
    for (const char *p = s; *p; p++)
        if (!strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._/:@%+=,-", *p)) return 0;
    return 1;
}

/* A growing output line with a fixed capacity; overflow is sticky. */
typedef struct line {
    char  *p;
    size_t n, cap;
    int    over;
} line;

static void put(line *l, const char *s, size_t n) {
    if (l->over || l->n + n + 1 > l->cap) { l->over = 1; return; }
    memcpy(l->p + l->n, s, n);
    l->n += n;
    l->p[l->n] = '\0';
}
static void puts_(line *l, const char *s) { put(l, s, strlen(s)); }

/* s inside single quotes: each ' becomes '\'' (close, escaped quote, reopen). */
static void put_in_sq(line *l, const char *s) {
    for (const char *p = s; *p; p++) {
        if (*p == '\'') puts_(l, "'\\''");
        else put(l, p, 1);
    }
}

/* s inside double quotes: \ " $ ` lose their meaning behind a backslash. */
static void put_in_dq(line *l, const char *s) {
    for (const char *p = s; *p; p++) {
        if (strchr("\\\"$`", *p)) put(l, "\\", 1);
        put(l, p, 1);
    }
}

static void put_word(line *l, const char *s) {
    if (plain_word(s)) { puts_(l, s); return; }
    puts_(l, "'");
    put_in_sq(l, s);
    puts_(l, "'");
}

int rmd_shell_quote(const char *s, char *out, size_t outlen) {
    line l = {out, 0, outlen, 0};
    if (!outlen) return -1;
    out[0] = '\0';
    if (!printable_utf8(s)) return -1;
    put_word(&l, s);
    if (l.over) { out[0] = '\0'; return -1; }
    return 0;
}

/* --------------------------------------------------------- placeholders */

/* Quoting contexts of the walk: bare, '...', "...", and the ones a value is
 * never put into ($'...', `...`, ${...}: their own quoting rules differ). */
enum ctx { C_NONE, C_SQ, C_DQ, C_OTHER, C_BQ, C_BRACE };

typedef struct exp_state {
    const rmd_evidence *ev;
    const rmd_target   *t;
    rmd_cause           cause;
    rmd_expansion      *out;
    line                l;
} exp_state;

/* A value for placeholder name: 1 with val set, 0 when the evidence lacks it. */
typedef int (*value_fn)(const exp_state *x, char *val, size_t n);

/* s into v when the evidence has it (non-empty). */
static int have(char *v, size_t n, const char *s) {
    if (!s || !s[0]) return 0;
    rmd_strlcpy(v, s, n);
    return 1;
}

/* A CONFIG GET value that was collected, or NULL. */
static const char *cfg_value(const rmd_evidence *ev, rmd_config_key k) {
    return ev->config[k].status == RMD_ITEM_OK ? ev->config[k].value : NULL;
}

static int v_host(const exp_state *x, char *v, size_t n) { return have(v, n, x->ev->host); }
static int v_port(const exp_state *x, char *v, size_t n) {
    if (x->ev->port <= 0) return 0;
    snprintf(v, n, "%d", x->ev->port);
    return 1;
}
static int v_socket(const exp_state *x, char *v, size_t n) { return have(v, n, x->ev->unix_path); }
static int v_container(const exp_state *x, char *v, size_t n) { return have(v, n, x->ev->host_facts.listen_container); }
static int v_service(const exp_state *x, char *v, size_t n) { return have(v, n, x->ev->host_facts.listen_service); }
/* CONFIG GET dir, else the listener's working directory from /proc (Redis
 * answers "" when its directory was removed; /proc still names it). */
static int v_dir(const exp_state *x, char *v, size_t n) {
    const rmd_config_item *c = &x->ev->config[RMD_CFG_DIR];
    if (c->status == RMD_ITEM_OK && c->value[0]) {
        rmd_strlcpy(v, c->value, n);
        return 1;
    }
    const char *cwd = x->ev->host_facts.listen_cwd;
    if (!cwd[0] || strstr(cwd, "\\x")) return 0; /* escaped at collection: not the real bytes */
    rmd_strlcpy(v, cwd, n);
    char *del = strstr(v, " (deleted)");
    if (del && del[10] == '\0') *del = '\0';
    return 1;
}
/* The listener's pid, else the one stopped redis-server, else none. */
static int v_pid(const exp_state *x, char *v, size_t n) {
    const rmd_host *h = &x->ev->host_facts;
    int pid = h->listen_pid;
    if (!pid && h->n_stopped == 1)
        for (int i = 0; i < h->n_procs; i++)
            if (h->procs[i].state == 'T' || h->procs[i].state == 't') pid = h->procs[i].pid;
    if (!pid && h->collected && h->n_procs == 1 && !h->listen_checked) pid = h->procs[0].pid;
    if (pid <= 0) return 0;
    snprintf(v, n, "%d", pid);
    return 1;
}
static int v_user(const exp_state *x, char *v, size_t n) {
    rmd_strlcpy(v, x->t && x->t->user ? x->t->user : "default", n);
    return 1;
}
static int v_db(const exp_state *x, char *v, size_t n) {
    snprintf(v, n, "%d", x->ev->db);
    return 1;
}
static int v_master_host(const exp_state *x, char *v, size_t n) { return have(v, n, rmd_kv_get(&x->ev->info, "master_host")); }
static int v_master_port(const exp_state *x, char *v, size_t n) {
    long long p;
    if (rmd_kv_get_ll(&x->ev->info, "master_port", &p) != 0 || p <= 0 || p > 65535) return 0;
    snprintf(v, n, "%lld", p);
    return 1;
}
/* An ElastiCache endpoint's first label is the cluster (or node group) id. */
static int v_cluster(const exp_state *x, char *v, size_t n) {
    const char *h = x->ev->host;
    if (!strstr(h, ".cache.amazonaws.com")) return 0;
    const char *d = strchr(h, '.');
    if (!strncmp(h, "clustercfg.", 11) || !strncmp(h, "master.", 7) || !strncmp(h, "replica.", 8)) {
        h = d + 1;
        d = strchr(h, '.');
    }
    if (!d || d == h) return 0;
    rmd_memlcpy(v, n, h, (size_t)(d - h));
    return 1;
}

/* The master a Sentinel sees down (else its first one), by name. */
static int v_sentinel_master(const exp_state *x, char *v, size_t n) {
    char key[24], status[16];
    int first = 1;
    for (int i = 0; i < 64; i++) {
        snprintf(key, sizeof key, "master%d", i);
        const char *m = rmd_kv_get(&x->ev->info, key);
        if (!m) break;
        int down = rmd_info_subfield(m, "status", status, sizeof status) == 0 && strcmp(status, "ok") != 0;
        if ((down || first) && rmd_info_subfield(m, "name", v, n) == 0 && down) return 1;
        first = 0;
    }
    return rmd_kv_get(&x->ev->info, "master0") && rmd_info_subfield(rmd_kv_get(&x->ev->info, "master0"), "name", v, n) == 0;
}

static int v_cacert(const exp_state *x, char *v, size_t n) { return have(v, n, x->t ? x->t->cacert : NULL); }
/* "" is stdout: journald or docker logs, no file to name */
static int v_logfile(const exp_state *x, char *v, size_t n) { return have(v, n, cfg_value(x->ev, RMD_CFG_LOGFILE)); }
static int v_config_file(const exp_state *x, char *v, size_t n) { return have(v, n, rmd_kv_get(&x->ev->info, "config_file")); }
static int v_dbfilename(const exp_state *x, char *v, size_t n) { return have(v, n, cfg_value(x->ev, RMD_CFG_DBFILENAME)); }

/* Where the port is bound when not on the dialled address (bind-mismatch). */
static int v_bound_addr(const exp_state *x, char *v, size_t n) {
    const rmd_host *h = &x->ev->host_facts;
    const char *a = h->n_other ? h->other[0].addr : h->listening ? h->listen_addr : NULL;
    if (!a || !a[0]) return 0;
    if (!strcmp(a, "0.0.0.0")) a = "127.0.0.1";
    else if (!strcmp(a, "::")) a = "::1";
    rmd_strlcpy(v, a, n);
    return 1;
}

static const struct placeholder {
    const char *name;
    value_fn    get;
    const char *var;   /* shell variable of the template form */
    const char *hint;  /* what to set it to: no } " ' $ ` \ characters */
} placeholders[] = {
    {"host", v_host, "REDIS_HOST", "set REDIS_HOST to the server host"},
    {"port", v_port, "REDIS_PORT", "set REDIS_PORT to the server port"},
    {"socket", v_socket, "REDIS_SOCKET", "set REDIS_SOCKET to the unix socket path"},
    {"container", v_container, "REDIS_CONTAINER", "set REDIS_CONTAINER to the Redis container name or id"},
    {"service", v_service, "REDIS_SERVICE", "set REDIS_SERVICE to the systemd unit, e.g. redis-server"},
    {"dir", v_dir, "REDIS_DIR", "set REDIS_DIR to the server data directory, CONFIG GET dir"},
    {"pid", v_pid, "REDIS_PID", "set REDIS_PID to the redis-server process id"},
    {"user", v_user, "REDIS_USER", "set REDIS_USER to the ACL user"},
    {"db", v_db, "REDIS_DB", "set REDIS_DB to the database index"},
    {"master_host", v_master_host, "MASTER_HOST", "set MASTER_HOST to the master host, INFO replication"},
    {"master_port", v_master_port, "MASTER_PORT", "set MASTER_PORT to the master port, INFO replication"},
    {"cluster", v_cluster, "CACHE_CLUSTER_ID", "set CACHE_CLUSTER_ID to the ElastiCache cluster id"},
    {"cacert", v_cacert, "REDIS_CA_FILE", "set REDIS_CA_FILE to the CA certificate that signed the server certificate"},
    {"logfile", v_logfile, "REDIS_LOG", "set REDIS_LOG to the server log file, CONFIG GET logfile"},
    {"config_file", v_config_file, "REDIS_CONF", "set REDIS_CONF to the server configuration file"},
    {"sentinel_master", v_sentinel_master, "SENTINEL_MASTER_NAME", "set SENTINEL_MASTER_NAME to the master name Sentinel monitors"},
    {"dbfilename", v_dbfilename, "REDIS_RDB_FILE", "set REDIS_RDB_FILE to the RDB file name, CONFIG GET dbfilename"},
    {"bound_addr", v_bound_addr, "REDIS_BOUND_ADDR", "set REDIS_BOUND_ADDR to an address the server listens on"},
};

static const struct placeholder *placeholder_at(const char *p, size_t *len) {
    if (*p != '{') return NULL;
    for (size_t i = 0; i < sizeof placeholders / sizeof placeholders[0]; i++) {
        size_t nl = strlen(placeholders[i].name);
        if (!strncmp(p + 1, placeholders[i].name, nl) && p[1 + nl] == '}') {
            *len = nl + 2;
            return &placeholders[i];
        }
    }
    if (!strncmp(p, "{cli}", 5)) { *len = 5; return NULL; }
    *len = 0;
    return NULL;
}

static void add_need(rmd_expansion *o, const char *var, const char *note) {
    o->is_template = 1;
    if (!strstr(o->needs, var)) {
        size_t l = strlen(o->needs);
        snprintf(o->needs + l, sizeof o->needs - l, "%s%s", l ? "," : "", var);
    }
    if (note && !o->note[0]) rmd_strlcpy(o->note, note, sizeof o->note);
}

/* "${VAR:?hint}" in the current quoting context. */
static void put_template(exp_state *x, enum ctx c, const struct placeholder *ph, const char *note) {
    add_need(x->out, ph->var, note);
    char t[200];
    snprintf(t, sizeof t, "${%s:?%s}", ph->var, ph->hint);
    if (c == C_SQ) { puts_(&x->l, "'\""); puts_(&x->l, t); puts_(&x->l, "\"'"); }
    else if (c == C_DQ) puts_(&x->l, t);
    else { puts_(&x->l, "\""); puts_(&x->l, t); puts_(&x->l, "\""); }
}

/* The value of ph in context c; unsafe: the place cannot take a value at all
 * (then a template, written for the quoting it stands in). */
static void put_value(exp_state *x, enum ctx c, const struct placeholder *ph, int unsafe) {
    char v[1024];
    enum ctx q = c == C_SQ || c == C_DQ ? c : C_NONE;
    if (unsafe || (c != C_NONE && c != C_SQ && c != C_DQ)) {
        put_template(x, q, ph, "the runbook puts the value where it cannot be quoted safely (a command that parses "
                               "its arguments again, or `...`, ${...}, $'...')");
        return;
    }
    if (!ph->get(x, v, sizeof v)) { put_template(x, c, ph, "a value the evidence does not have"); return; }
    if (!printable_utf8(v)) {
        put_template(x, c, ph, "the value holds control bytes or invalid UTF-8 and is not printed as a command");
        return;
    }
    if (c == C_SQ) put_in_sq(&x->l, v);
    else if (c == C_DQ) put_in_dq(&x->l, v);
    else put_word(&x->l, v);
}

/* Which of redis-cli's connection flags does the rest of the command (up
 * to a separator) already give? Those are left out of {cli}. */
enum { F_H = 1, F_P = 2, F_TLS = 4, F_USER = 8, F_ASK = 16, F_S = 32 };
static int flags_given(const char *rest) {
    int f = 0;
    size_t end = strcspn(rest, "|;&)\n");
    const char *p = rest;
    while (p < rest + end) {
        while (p < rest + end && *p == ' ') p++;
        size_t w = strcspn(p, " |;&)\n");
        if (p + w > rest + end) w = (size_t)(rest + end - p);
#define IS(s) (w == strlen(s) && !strncmp(p, s, w))
        if (IS("-h")) f |= F_H;
        else if (IS("-p")) f |= F_P;
        else if (IS("--tls") || IS("--cacert") || IS("--insecure")) f |= F_TLS;
        else if (IS("--user")) f |= F_USER;
        else if (IS("--askpass") || IS("-a") || IS("--pass")) f |= F_ASK;
        else if (IS("-s")) f |= F_S;
#undef IS
        p += w ? w : 1;
    }
    return f;
}

/* Is the port known to speak TLS? As asked, unless a cross-check showed otherwise. */
static int port_is_tls(const rmd_evidence *ev) {
    if (ev->xcheck == RMD_XCHECK_RESP_ANSWERED) return 0;
    return ev->tls || ev->xcheck == RMD_XCHECK_TLS_ANSWERED;
}

static void put_flag_value(exp_state *x, const char *flag, const char *v, const struct placeholder *ph) {
    puts_(&x->l, flag);
    if (printable_utf8(v)) put_word(&x->l, v);
    else put_template(x, C_NONE, ph, "the value holds control bytes or invalid UTF-8");
}

static int any_denied(const rmd_evidence *ev);

/* redis-cli for this target: never with the password (--askpass asks). */
static void put_cli(exp_state *x, const char *rest) {
    const rmd_evidence *ev = x->ev;
    const rmd_target *t = x->t;
    int given = flags_given(rest);
    puts_(&x->l, "redis-cli");
    if (ev->unix_path[0]) {
        if (!(given & F_S)) put_flag_value(x, " -s ", ev->unix_path, &placeholders[2]);
    } else {
        if (!(given & F_H)) {
            if (ev->host[0]) put_flag_value(x, " -h ", ev->host, &placeholders[0]);
            else { puts_(&x->l, " -h "); put_template(x, C_NONE, &placeholders[0], "no host"); }
        }
        if (!(given & F_P)) {
            char port[16];
            snprintf(port, sizeof port, " -p %d", ev->port);
            puts_(&x->l, port);
        }
        if (port_is_tls(ev) && !(given & F_TLS)) {
            puts_(&x->l, " --tls");
            if (t && t->cacert) put_flag_value(x, " --cacert ", t->cacert, &placeholders[0]);
            if (t && t->cert) put_flag_value(x, " --cert ", t->cert, &placeholders[0]);
            if (t && t->key) put_flag_value(x, " --key ", t->key, &placeholders[0]);
            if (t && t->sni) put_flag_value(x, " --sni ", t->sni, &placeholders[0]);
            if (t && t->insecure) puts_(&x->l, " --insecure");
        }
    }
    if (x->cause == RMD_CAUSE_AUTH_FAILED || (x->cause == RMD_CAUSE_CHECKS_INCOMPLETE && any_denied(ev))) {
        /* the credentials that failed (or may not look) cannot check themselves */
        if (!(given & F_USER)) {
            static const struct placeholder admin = {"admin", NULL, "REDIS_ADMIN_USER",
                                                     "set REDIS_ADMIN_USER to an ACL user allowed to run this"};
            puts_(&x->l, " --user ");
            put_template(x, C_NONE, &admin, "needs a user with more rights than the one diagnosed");
        }
        if (!(given & F_ASK)) puts_(&x->l, " --askpass");
    } else if (!ev->auth_unused) { /* AUTH renamed or no password: --askpass would only echo it back */
        if (t && t->user && !(given & F_USER)) put_flag_value(x, " --user ", t->user, &placeholders[7]);
        if (t && t->password && !(given & F_ASK)) puts_(&x->l, " --askpass");
    }
    if (ev->db > 0 && !ev->select_error[0]) {
        char db[24];
        snprintf(db, sizeof db, " -n %d", ev->db);
        puts_(&x->l, db);
    }
}

/* Variables the shell always has: a runbook may use them as they are. */
static int always_set(const char *name, size_t n) {
    static const char *const vars[] = {"HOME", "USER", "PATH", "PWD", "SHELL", "HOSTNAME", "LANG", "TERM", "LOGNAME"};
    for (size_t i = 0; i < sizeof vars / sizeof vars[0]; i++)
        if (strlen(vars[i]) == n && !strncmp(vars[i], name, n)) return 1;
    return 0;
}

/* Holes a team's runbook leaves for the reader to fill -- "<client-id>",
 * "$REDIS_HOST", "${REDIS_PORT}" -- become "${NAME:?...}" templates: the step
 * then refuses to run with the hole instead of running with it (an unset
 * $REDIS_HOST makes "redis-cli -h -p" of "-h $REDIS_HOST -p"; "<id>" is a
 * redirection). Returns the bytes consumed at p, 0 when p holds no hole. */
static size_t holes_at(exp_state *x, enum ctx c, const char *p) {
    char name[48], hint[120];
    size_t n = 0, used = 0;
    if (c != C_NONE && c != C_SQ && c != C_DQ) return 0;
    if (*p == '<' && isalpha((unsigned char)p[1])) {
        n = 1 + strspn(p + 1, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-");
        if (p[n] != '>' || n - 1 > 40) return 0;
        for (size_t i = 0; i < n - 1; i++) name[i] = isalnum((unsigned char)p[1 + i]) ? (char)toupper((unsigned char)p[1 + i]) : '_';
        name[n - 1] = '\0';
        used = n + 1;
        snprintf(hint, sizeof hint, "set %s, the runbook leaves it for you to fill", name);
    } else if (*p == '$' && c != C_SQ) {
        int braced = p[1] == '{';
        const char *v = p + 1 + braced;
        n = strspn(v, "ABCDEFGHIJKLMNOPQRSTUVWXYZ_0123456789");
        if (!n || n > 40 || isdigit((unsigned char)v[0]) || always_set(v, n)) return 0;
        if (braced && v[n] != '}') return 0; /* ${X:-default}, ${X:?...}: the author chose */
        if (!braced && (isalnum((unsigned char)v[n]) || v[n] == '_')) return 0;
        rmd_memlcpy(name, sizeof name, v, n);
        used = 1 + braced + n + braced;
        snprintf(hint, sizeof hint, "set %s first, the runbook expects it in the environment", name);
    } else {
        return 0;
    }
    struct placeholder ph = {name, NULL, name, hint};
    put_template(x, c, &ph, "the runbook leaves a value for the reader to fill");
    return used;
}

/* Walk the template once, tracking the shell quoting context: '...', "...",
 * $'...', `...` and $( ... ) nesting. A placeholder gets its value quoted
 * for the context it stands in. */
/* Commands that parse an argument again as code (a shell, a remote shell, an
 * interpreter's program text): a value anywhere in their command line could
 * escape the quoting given here, so it is left out instead. */
static const char *const reparsers[] = {
    "eval", "ssh", "watch", "xargs", "parallel", "su", "runuser", "sh", "bash", "zsh", "dash", "ksh", "fish",
    "awk", "gawk", "mawk", "nawk", "sed", "perl", "python", "python2", "python3", "ruby", "node", "php", "lua",
    "jq", "tclsh", "expect", "busybox", "source", ".",
};

static int reparsing(const char *seg, const char *end) {
    for (const char *w = seg; w < end;) {
        while (w < end && strchr(" \t\"'=", *w)) w++;
        const char *e = w;
        while (e < end && !strchr(" \t\"'", *e)) e++;
        const char *base = w;
        for (const char *q = w; q < e; q++)
            if (*q == '/') base = q + 1; /* /usr/bin/awk */
        for (size_t i = 0; i < sizeof reparsers / sizeof reparsers[0]; i++)
            if ((size_t)(e - base) == strlen(reparsers[i]) && !strncmp(base, reparsers[i], (size_t)(e - base))) return 1;
        w = e;
    }
    return 0;
}

/* Walk the template once, tracking the shell quoting context: '...', "...",
 * $'...', `...`, ${...}, ( ... ) and $( ... ) nesting, and where the current
 * simple command began. A placeholder gets its value quoted for the context
 * it stands in, or becomes a template where no quoting is safe: inside
 * $'...', `...` or ${...}, or on the command line of something that parses
 * its arguments again (sh -c, ssh, eval, awk, sed...). */
static void expand(const char *tmpl, const rmd_evidence *ev, const rmd_target *t, rmd_cause cause, int no_values,
                   rmd_expansion *out);

void rmd_advice_expand(const char *tmpl, const rmd_evidence *ev, const rmd_target *t, rmd_cause cause, rmd_expansion *out) {
    expand(tmpl, ev, t, cause, 0, out);
}

/* no_values: every placeholder becomes a template (a heredoc body, where
 * $(...) runs whatever the quoting). */
static void expand(const char *tmpl, const rmd_evidence *ev, const rmd_target *t, rmd_cause cause, int no_values,
                   rmd_expansion *out) {
    exp_state x = {ev, t, cause, out, {out->cmd, 0, sizeof out->cmd, 0}};
    enum ctx stack[32];
    int sp = 0, braces = 0;
    const char *seg = tmpl;
    memset(out, 0, sizeof *out);
    stack[0] = C_NONE;
    for (const char *p = tmpl; *p;) {
        enum ctx c = stack[sp];
        size_t plen = 0;
        const struct placeholder *ph = placeholder_at(p, &plen);
        if (plen) {
            int unsafe = no_values || reparsing(seg, p);
            for (int i = 0; i <= sp; i++) unsafe |= stack[i] == C_OTHER || stack[i] == C_BQ || stack[i] == C_BRACE;
            if (ph) put_value(&x, c, ph, unsafe);
            else if (c == C_NONE && !unsafe) put_cli(&x, p + plen);
            else { add_need(out, "REDIS_CLI", "{cli} where it cannot stand as a command"); puts_(&x.l, "\"${REDIS_CLI:?set REDIS_CLI}\""); }
            p += plen;
            continue;
        }
        size_t hl = holes_at(&x, c, p);
        if (hl) {
            p += hl;
            continue;
        }
        int push = -1, pop = 0, adv = 1;
        if (c == C_SQ) {
            pop = *p == '\'';
        } else if (c == C_OTHER) { /* $'...': only its end matters */
            if (*p == '\\' && p[1]) adv = 2;
            else pop = *p == '\'';
        } else if (c == C_BQ) { /* ends at the first unescaped backquote, quotes or not */
            if (*p == '\\' && p[1]) adv = 2;
            else pop = *p == '`';
        } else if (c == C_BRACE) {
            if (*p == '\\' && p[1]) adv = 2;
            else if (*p == '$' && p[1] == '{') { braces++; adv = 2; }
            else if (*p == '}' && --braces == 0) pop = 1;
        } else { /* C_NONE or C_DQ */
            if (*p == '\\' && p[1]) adv = 2;
            else if (c == C_DQ && *p == '"') pop = 1;
            else if (c == C_NONE && *p == '\'') push = C_SQ;
            else if (c == C_NONE && *p == '"') push = C_DQ;
            else if (c == C_NONE && *p == '$' && p[1] == '\'') { push = C_OTHER; adv = 2; }
            else if (*p == '`') { push = C_BQ; seg = p + 1; }
            else if (*p == '$' && p[1] == '{') { push = C_BRACE; braces = 1; adv = 2; }
            else if (*p == '$' && p[1] == '(') { push = C_NONE; adv = 2; seg = p + 2; }
            else if (c == C_NONE && *p == '(') { push = C_NONE; seg = p + 1; }
            else if (c == C_NONE && *p == ')' && sp > 0) { pop = 1; seg = p + 1; }
            else if (c == C_NONE && strchr("|;&\n", *p)) seg = p + 1;
        }
        put(&x.l, p, (size_t)adv);
        p += adv;
        if (pop && sp > 0) sp--;
        else if (push >= 0 && sp < 31) stack[++sp] = (enum ctx)push;
        else if (push >= 0) { out->truncated = 1; break; } /* nested too deep to follow: leave the step out */
    }
    if (x.l.over) {
        out->truncated = 1;
        out->cmd[0] = '\0';
    }
    /* a runbook may hold "${NAME:?...}" itself: the step is a template then too */
    for (const char *q = out->cmd; (q = strstr(q, "${")) != NULL; q += 2) {
        size_t n = strspn(q + 2, "ABCDEFGHIJKLMNOPQRSTUVWXYZ_0123456789");
        if (n && n < 64 && q[2 + n] == ':' && q[3 + n] == '?') {
            char var[64];
            rmd_memlcpy(var, sizeof var, q + 2, n);
            add_need(out, var, "a value only you know");
        }
    }
}

/* ------------------------------------------------------------- filters */

/* Tools that only make sense in a setup the evidence must show. */
struct setup_tool {
    const char *word;
    int (*present)(const rmd_evidence *ev);
    const char *why;
};

static int in_container(const rmd_evidence *ev) { return ev->host_facts.listen_container[0] != 0; }
static int in_k8s(const rmd_evidence *ev) { return ev->host_facts.listen_k8s; }
static int on_aws(const rmd_evidence *ev) { return strstr(ev->host, ".amazonaws.com") != NULL; }
static int on_azure(const rmd_evidence *ev) {
    return strstr(ev->host, ".cache.windows.net") != NULL || strstr(ev->host, ".cache.azure.net") != NULL;
}
static int on_gcp(const rmd_evidence *ev) { (void)ev; return 0; } /* Memorystore endpoints are bare IPs */
/* systemd: unless the local listener is known to run outside it. */
static int under_systemd(const rmd_evidence *ev) {
    const rmd_host *h = &ev->host_facts;
    if (h->collected && h->is_local && !h->systemd) return 0; /* this host does not run systemd */
    if (h->collected && h->is_local && h->listening && h->listen_pid)
        return h->listen_service[0] != 0 && !h->listen_container[0];
    return 1;
}

static const struct setup_tool setup_tools[] = {
    {"docker", in_container, "the listener does not run in a container"},
    {"podman", in_container, "the listener does not run in a container"},
    {"crictl", in_container, "the listener does not run in a container"},
    {"kubectl", in_k8s, "the listener does not run in a Kubernetes pod"},
    {"helm", in_k8s, "the listener does not run in a Kubernetes pod"},
    {"aws", on_aws, "the endpoint is not an AWS (ElastiCache) host name"},
    {"az", on_azure, "the endpoint is not an Azure Cache host name"},
    {"gcloud", on_gcp, "nothing shows the endpoint is Memorystore"},
    {"systemctl", under_systemd, "the listener is not run by a systemd service, or the host has no systemd"},
    {"journalctl", under_systemd, "the listener is not run by a systemd service, or the host has no systemd"},
};

static const struct setup_tool *setup_tool_for(const char *w, size_t n) {
    for (size_t i = 0; i < sizeof setup_tools / sizeof setup_tools[0]; i++)
        if (strlen(setup_tools[i].word) == n && !strncmp(setup_tools[i].word, w, n)) return &setup_tools[i];
    return NULL;
}

/* Causes under which a new connection can still run commands although PING
 * failed: the failure is this client's configuration, or the server answers
 * INFO while loading. For every other unreachable cause, commands through
 * {cli} in the diagnosis are ruled out. */
static const rmd_cause commands_still_work[] = {
    RMD_CAUSE_AUTH_REQUIRED, RMD_CAUSE_AUTH_FAILED, RMD_CAUSE_TLS_REQUIRED, RMD_CAUSE_TLS_ERROR,
    RMD_CAUSE_PROTECTED_MODE, RMD_CAUSE_LOADING_DATASET,
};

/* Causes under which the server runs but serves no command to a new
 * connection, so no step through {cli} can run now, not even a fix; except
 * the commands the server still accepts in that state (Redis lets SCRIPT
 * KILL and FUNCTION KILL through while BUSY). */
static const struct {
    rmd_cause   cause;
    const char *except;
} refusing[] = {
    {RMD_CAUSE_MAXCLIENTS_REACHED, NULL}, {RMD_CAUSE_CLIENTS_PAUSED, NULL},
    {RMD_CAUSE_SERVER_UNRESPONSIVE, NULL}, {RMD_CAUSE_NOT_REDIS, NULL},
    {RMD_CAUSE_SERVER_BUSY, "SCRIPT KILL"}, {RMD_CAUSE_SERVER_BUSY, "FUNCTION KILL"},
};

static int commands_work(const rmd_evidence *ev, rmd_cause cause) {
    if (ev->reachable) return 1;
    for (size_t i = 0; i < sizeof commands_still_work / sizeof commands_still_work[0]; i++)
        if (commands_still_work[i] == cause) return 1;
    return 0;
}

static int refused_now(const rmd_evidence *ev, rmd_cause cause, const char *tmpl) {
    int hit = 0;
    if (ev->reachable) return 0;
    for (size_t i = 0; i < sizeof refusing / sizeof refusing[0]; i++) {
        if (refusing[i].cause != cause) continue;
        if (refusing[i].except && strstr(tmpl, refusing[i].except)) return 0;
        hit = 1;
    }
    return hit;
}

/* Is the first word of a command installed on this host (searched in PATH)?
 * Asked only for local endpoints: elsewhere the person runs it on another
 * machine. Shell builtins and keywords always are. */
static int installed(const char *w, size_t n) {
    static const char *const builtin[] = {"echo", "printf", "cd", "test", "[", "kill", "read", "true", "false",
                                          "for", "while", "if", "exec", "export", "timeout", "time", "ulimit"};
    char name[64], path[512];
    if (!n || n >= sizeof name || memchr(w, '/', n) || memchr(w, '$', n) || memchr(w, '=', n)) return 1;
    rmd_memlcpy(name, sizeof name, w, n);
    for (size_t i = 0; i < sizeof builtin / sizeof builtin[0]; i++)
        if (!strcmp(name, builtin[i])) return 1;
    const char *p = getenv("PATH");
    if (!p || !*p) p = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
    while (*p) {
        size_t l = strcspn(p, ":");
        if (l && (size_t)snprintf(path, sizeof path, "%.*s/%s", (int)l, p, name) < sizeof path && access(path, X_OK) == 0)
            return 1;
        p += l + (p[l] == ':');
    }
    return 0;
}

/* Where the next command of a line starts: after the first | ; & or ( that
 * is not quoted, or NULL at the end. */
static const char *next_command(const char *p) {
    char q = 0;
    for (; *p; p++) {
        if (q) {
            if (*p == q) q = 0;
            else if (q == '"' && *p == '\\' && p[1]) p++;
        } else if (*p == '\\' && p[1]) {
            p++;
        } else if (*p == '\'' || *p == '"') {
            q = *p;
        } else if (strchr("|;&(", *p)) {
            return p + 1 + strspn(p + 1, "|;&( \t");
        }
    }
    return NULL;
}

/* The command words of a line, one per call: at its start and after each
 * unquoted | ; & ( -- past "sudo" and "timeout N". Returns the word (its
 * length in *w) and moves *p on, or NULL at the end of the line. */
static const char *command_word(const char **p, size_t *w) {
    const char *q = *p;
    if (!q || !*q) return NULL;
    q += strspn(q, " \t");
    if (!strncmp(q, "sudo ", 5)) q += 5 + strspn(q + 5, " ");
    if (!strncmp(q, "timeout ", 8)) q += 8 + strspn(q + 8, "0123456789. ");
    *w = strcspn(q, " \t|;&()'\"");
    *p = next_command(q);
    return q;
}

/* Does the line talk to Redis: {cli}, or redis-cli / valkey-cli as a command? */
static int uses_connection(const char *tmpl) {
    size_t w;
    if (!tmpl) return 0;
    if (strstr(tmpl, "{cli}")) return 1;
    for (const char *p = tmpl, *c; (c = command_word(&p, &w)) != NULL;)
        if ((w == 9 && !strncmp(c, "redis-cli", 9)) || (w == 10 && !strncmp(c, "valkey-cli", 10))) return 1;
    return 0;
}

static int any_denied(const rmd_evidence *ev) {
    for (size_t i = 0; i < ev->n_collectors; i++)
        if (ev->collectors[i].status == RMD_ITEM_DENIED) return 1;
    return 0;
}

/* The first command of the line that is not installed on this host (only
 * asked for local endpoints), into name; 0 when all are. */
static int missing_tool(const char *tmpl, const rmd_evidence *ev, char *name, size_t n) {
    size_t w;
    if (!ev->host_facts.collected || !ev->host_facts.is_local) return 0;
    for (const char *p = tmpl, *c; (c = command_word(&p, &w)) != NULL;)
        if (w && *c != '{' && !installed(c, w)) {
            rmd_memlcpy(name, n, c, w);
            return 1;
        }
    return 0;
}

int rmd_advice_applies(const char *tmpl, char phase, rmd_cause cause, const rmd_evidence *ev, char *why, size_t whylen) {
    if (!tmpl) return 0;
    size_t w;
    for (const char *p = tmpl, *c; (c = command_word(&p, &w)) != NULL;) {
        const struct setup_tool *st = setup_tool_for(c, w);
        if (st && !st->present(ev)) {
            snprintf(why, whylen, "%s", st->why);
            return 0;
        }
    }
    if (ev->unix_path[0] && (strstr(tmpl, "{host}") || strstr(tmpl, "{port}"))) {
        snprintf(why, whylen, "the endpoint is a unix socket, not a TCP port");
        return 0;
    }
    if (ev->xcheck == RMD_XCHECK_RESP_ANSWERED &&
        (strstr(tmpl, "--tls") || strstr(tmpl, "--cacert") || strstr(tmpl, "s_client"))) {
        snprintf(why, whylen, "the port was shown to speak plaintext Redis, not TLS");
        return 0;
    }
    if (uses_connection(tmpl) && (refused_now(ev, cause, tmpl) || (phase == 'd' && !commands_work(ev, cause)))) {
        snprintf(why, whylen, "the server does not run commands for a new connection now");
        return 0;
    }
    if (cause == RMD_CAUSE_SERVER_BUSY &&
        ((strstr(tmpl, "FUNCTION KILL") && strstr(ev->reply_error, "only call SCRIPT KILL")) ||
         (strstr(tmpl, "SCRIPT KILL") && strstr(ev->reply_error, "only call FUNCTION KILL")))) {
        snprintf(why, whylen, "the server's BUSY reply names the other kill command");
        return 0;
    }
    if (strstr(tmpl, "usermod -aG") && cause == RMD_CAUSE_SOCKET_PERMISSION && ev->host_facts.sock_stat_ok &&
        !(ev->host_facts.sock_mode & 020)) {
        snprintf(why, whylen, "the socket's group may not write it: joining the group does not help");
        return 0;
    }
    if (strstr(tmpl, "kill -CONT") && !rmd_host_listener_stopped(&ev->host_facts)) {
        snprintf(why, whylen, "the listener's process is not stopped");
        return 0;
    }
    if (strstr(tmpl, "ACL SETUSER") && cause == RMD_CAUSE_CHECKS_INCOMPLETE && !any_denied(ev)) {
        snprintf(why, whylen, "no check was denied by an ACL: the commands are renamed or unavailable");
        return 0;
    }
    if ((strstr(tmpl, "appendonlydir") || strstr(tmpl, "check-aof")) &&
        ev->config[RMD_CFG_APPENDONLY].status == RMD_ITEM_OK && !strcmp(ev->config[RMD_CFG_APPENDONLY].value, "no")) {
        snprintf(why, whylen, "AOF is off (appendonly no): there are no AOF files to check");
        return 0;
    }
    if (strstr(tmpl, "LATENCY DOCTOR") && ev->config[RMD_CFG_LATENCY_MONITOR_THRESHOLD].status == RMD_ITEM_OK &&
        !strcmp(ev->config[RMD_CFG_LATENCY_MONITOR_THRESHOLD].value, "0")) {
        snprintf(why, whylen, "the latency monitor is off: LATENCY DOCTOR has nothing to say");
        return 0;
    }
    if (strstr(tmpl, "BGSAVE") && cause == RMD_CAUSE_PERSISTENCE_FAILURE) {
        const char *rdb = rmd_kv_get(&ev->info, "rdb_last_bgsave_status");
        if (rdb && !strcmp(rdb, "ok")) {
            snprintf(why, whylen, "the snapshot did not fail: a BGSAVE does not clear an AOF error");
            return 0;
        }
    }
    return 1;
}

/* ---------------------------------------------------------- exceptions */

/* Seconds since the target's host booted: this machine's boot clock when the
 * endpoint is local; for a remote server that answered, its own uptime (a
 * host cannot have booted after the server started there, so the grace is
 * never applied too late); else unknown (-1), and no grace applies. */
static double target_uptime(const rmd_evidence *ev) {
    struct timespec ts;
    long long up;
    if (ev->host_facts.collected && ev->host_facts.is_local) {
        if (clock_gettime(CLOCK_BOOTTIME, &ts) != 0) return -1;
        return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
    }
    if (rmd_kv_get_ll(&ev->info, "uptime_in_seconds", &up) == 0 && up >= 0) return (double)up;
    return -1;
}

/* A runbook's exceptions in force at now annotate the finding and hold its
 * alert or automatic action; they never lower its severity: a failure in a
 * backup window is still a failure, only an expected one. */
static void apply_exceptions(rmd_finding *f, const rmd_runbook *rb, time_t now, const rmd_evidence *ev) {
    struct tm tm;
    localtime_r(&now, &tm);
    double up = target_uptime(ev);
    for (size_t i = 0; i < rb->n_exceptions; i++) {
        const rmd_kb_exception *x = &rb->exceptions[i];
        if (!x->effect || !rmd_kb_exception_active(x, &tm, up)) continue;
        char when[96];
        if (x->window) snprintf(when, sizeof when, "during the window %s", x->window);
        else snprintf(when, sizeof when, "in the first %lld s after boot", x->after_boot_s);
        char reason[200] = "";
        if (x->reason) snprintf(reason, sizeof reason, " (%s)", x->reason);
        f->held = 1;
        rmd_strlist_addf(&f->evidence, "expected %s per %s%s; alerts and automatic actions are held, the severity stays %s",
                         when, rb->error_id, reason, rmd_severity_name(f->sev));
    }
}

/* ---------------------------------------------------------------- fill */

static int has_step(const rmd_steps *s, const char *cmd) {
    for (size_t i = 0; i < s->n; i++)
        if (!strcmp(s->items[i].cmd, cmd)) return 1;
    return 0;
}

/* The delimiter of a heredoc the line opens (<<EOF, <<-'EOF', << "END"),
 * into delim; 0 when it opens none. Quotes and here-strings (<<<) aside. */
static int heredoc_opens(const char *text, char *delim, size_t n) {
    char q = 0;
    for (const char *p = text; *p; p++) {
        if (q) { if (*p == q) q = 0; continue; }
        if (*p == '\'' || *p == '"') { q = *p; continue; }
        if (p[0] != '<' || p[1] != '<' || p[2] == '<') continue;
        const char *w = p + 2;
        if (*w == '-') w++;
        while (*w == ' ' || *w == '\t') w++;
        char wq = *w == '\'' || *w == '"' ? *w++ : 0;
        size_t l = strspn(w, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_");
        if (!l || l >= n || (wq && w[l] != wq)) return 0;
        rmd_memlcpy(delim, n, w, l);
        return 1;
    }
    return 0;
}

static void add_steps(rmd_finding *f, const rmd_runbook *rb, char phase, const rmd_evidence *ev, const rmd_target *t) {
    rmd_strlist lines = {0};
    char delim[64] = ""; /* inside a heredoc until this line */
    rmd_kb_steps_of_cause(rb, phase, rmd_cause_get(f->cause)->id, &lines);
    for (size_t s = 0; s < lines.n; s++) {
        const char *ln = lines.items[s];
        int body = delim[0] != 0;
        if (body) {
            const char *w = ln + strspn(ln, "\t");
            if (!strcmp(w, delim)) delim[0] = '\0';
        }
        char why[160];
        rmd_expansion e;
        if (!body && !rmd_advice_applies(ln, phase, f->cause, ev, why, sizeof why)) {
            f->steps_dropped++;
            continue;
        }
        expand(ln, ev, t, f->cause, body, &e);
        if (e.truncated || !e.cmd[0] || (!body && has_step(&f->steps, e.cmd))) continue;
        char tool[64];
        if (!body && missing_tool(ln, ev, tool, sizeof tool) && printable_utf8(tool) && !strpbrk(tool, "#\n")) {
            /* a team's tool may live elsewhere: keep the step, say so where it is read */
            size_t l = strlen(e.cmd);
            snprintf(e.cmd + l, sizeof e.cmd - l, "   # %s is not installed on this host", tool);
        }
        if (!body) heredoc_opens(ln, delim, sizeof delim);
        rmd_steps_add(&f->steps, e.cmd, phase, e.is_template, e.needs, e.note);
    }
    rmd_strlist_free(&lines);
}

void rmd_advice_fill(rmd_findings *l, const rmd_kb *kb, const rmd_evidence *ev, const rmd_target *t, time_t now) {
    for (size_t i = 0; i < l->n; i++) {
        rmd_finding *f = &l->items[i];
        const rmd_runbook *rb = rmd_kb_for_cause(kb, rmd_cause_get(f->cause)->id);
        if (!rb) continue;
        rmd_strlcpy(f->runbook, rb->error_id, sizeof f->runbook);
        apply_exceptions(f, rb, now, ev);
        add_steps(f, rb, 'd', ev, t);
        add_steps(f, rb, 'r', ev, t);
        const rmd_runbook *bi = rmd_kb_builtin_for_cause(kb, rmd_cause_get(f->cause)->id);
        if (bi && bi != rb) { /* a team's runbook came first; ours follows */
            add_steps(f, bi, 'd', ev, t);
            add_steps(f, bi, 'r', ev, t);
        }
    }
}

int rmd_advice_placeholder_known(const char *name, size_t len) {
    if (len == 3 && !strncmp(name, "cli", 3)) return 1;
    for (size_t i = 0; i < sizeof placeholders / sizeof placeholders[0]; i++)
        if (strlen(placeholders[i].name) == len && !strncmp(name, placeholders[i].name, len)) return 1;
    return 0;
}
