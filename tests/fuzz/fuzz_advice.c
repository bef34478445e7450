/* fuzz_advice.c -- libFuzzer target for the step expander (advice.c): runbook
 * steps with {placeholders} filled from evidence a hostile server controls.
 *
 * Oracle (issue 8, item 3): for any value V of any placeholder, the produced
 * step, split into words by shell_words.h (a shell model written for the test),
 * is exactly the step produced for a harmless marker value with the marker
 * replaced by V inside its word(s) -- same words, same operators, nothing the
 * shell would expand -- or else the value is left out: the marker's place
 * holds a "${NAME:?...}" template and nothing else changed, or the step is
 * exactly the one produced when the value is unknown; or the step is dropped
 * whole because it did not fit. And the JSON report carries the
 * step's text unchanged, in next_steps and in steps[].command. The same
 * oracle is applied to the steps rmd_advice_fill builds for a finding of the
 * input's cause (the whole path: which lines apply, expansion, comments). Templates: every step of every built-in runbook, plus steps that
 * quote the placeholder themselves (expansion must stay safe when lint was
 * skipped).
 *
 * Input: byte 0 picks the placeholder's source field, byte 1 the first
 * template, byte 2 the finding's cause, the rest is V (up to the field's
 * size, NUL ends it). Allocation
 * caps: V is bounded by the evidence fields (at most 255 bytes); run-fuzz.sh
 * passes -malloc_limit_mb.
 */
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "advice.h"
#include "evidence.h"
#include "findings.h"
#include "kb.h"
#include "report.h"
#include "shell_words.h"
#include "target.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

#define MARK         "RMDxMARKx7"
#define STEP_MAX     sizeof(((rmd_expansion *)0)->cmd)
#define PER_INPUT    6      /* templates checked per input */

static void require(int cond) {
    if (!cond) __builtin_trap();
}

static const char *const extra_templates[] = {
    "ls -ld {dir} && df -h {dir}",
    "ls -ld '{dir}'",
    "cat \"{dir}/dump.rdb\" | head",
    "echo {dir}{dir} #{dir}",
    "{cli} CONFIG GET dir",
    "redis-cli -s {socket} PING",
    "docker logs --tail 50 {container}",
    "systemctl status {service}; journalctl -u '{service}'",
    "ping -c 1 {host} && nc -vz {host} {port}",
    "redis-cli -h {master_host} -p {master_port} PING",
    "tail -n 50 {logfile}; grep -n save \"{config_file}\"",
    "openssl verify -CAfile '{cacert}' server.crt",
    "echo `ls {dir}` $'{dir}' $(stat {dir})",
    "aws elasticache describe-cache-clusters --cache-cluster-id {cluster} # {host}",
};

static rmd_strlist templates;
static rmd_evidence *ev;
static rmd_kb kb;          /* the built-in runbooks, for rmd_advice_fill */

int LLVMFuzzerInitialize(int *argc, char ***argv) {
    rmd_kb_problems probs = {0};
    (void)argc;
    (void)argv;
    for (size_t i = 0; i < sizeof extra_templates / sizeof extra_templates[0]; i++)
        rmd_strlist_add(&templates, extra_templates[i]);
    rmd_kb_load_builtin(&kb, &probs);
    for (size_t i = 0; i < kb.n; i++) rmd_kb_steps(&kb.items[i], &templates);
    rmd_kb_problems_free(&probs);
    ev = malloc(sizeof *ev);
    return ev && templates.n ? 0 : 1;
}

typedef enum field {
    F_DIR, F_HOST, F_SOCKET, F_CONTAINER, F_SERVICE, F_USER, F_MASTER_HOST, F_LOGFILE, F_CONFIG_FILE, F_CACERT,
    F_CLUSTER_HOST, /* an ElastiCache host "V.cache.amazonaws.com": {host} and the derived {cluster} hold V */
    F__COUNT
} field;

/* Put v (NULL: unknown) into the evidence / target field f. */
static void set_field(field f, const char *v, rmd_target *t) {
    rmd_evidence_init(ev);
    ev->port = 6379;
    memcpy(ev->host, "cache.internal", 15);
    switch (f) {
    case F_DIR:
        if (v) {
            ev->config[RMD_CFG_DIR].status = RMD_ITEM_OK;
            snprintf(ev->config[RMD_CFG_DIR].value, sizeof ev->config[RMD_CFG_DIR].value, "%s", v);
        }
        break;
    case F_HOST: snprintf(ev->host, sizeof ev->host, "%s", v ? v : ""); break;
    case F_CLUSTER_HOST:
        if (v) snprintf(ev->host, sizeof ev->host, "%s.cache.amazonaws.com", v);
        else ev->host[0] = '\0';
        break;
    case F_SOCKET:
        ev->host[0] = '\0';
        ev->port = 0;
        snprintf(ev->unix_path, sizeof ev->unix_path, "%s", v ? v : "");
        break;
    case F_CONTAINER:
        snprintf(ev->host_facts.listen_container, sizeof ev->host_facts.listen_container, "%s", v ? v : "");
        break;
    case F_SERVICE:
        snprintf(ev->host_facts.listen_service, sizeof ev->host_facts.listen_service, "%s", v ? v : "");
        break;
    case F_LOGFILE:
        if (v) {
            ev->config[RMD_CFG_LOGFILE].status = RMD_ITEM_OK;
            snprintf(ev->config[RMD_CFG_LOGFILE].value, sizeof ev->config[RMD_CFG_LOGFILE].value, "%s", v);
        }
        break;
    case F_MASTER_HOST:
        rmd_kv_add(&ev->info, "master_port", 11, "6380", 4);
        if (v) rmd_kv_add(&ev->info, "master_host", 11, v, strlen(v));
        break;
    case F_CONFIG_FILE:
        if (v) rmd_kv_add(&ev->info, "config_file", 11, v, strlen(v));
        break;
    case F_USER: break;
    case F_CACERT: break;
    case F__COUNT: break;
    }
    rmd_target_init(t);
    if (f == F_USER && v) rmd_target_set(&t->user, v);
    if (f == F_CACERT && v) rmd_target_set(&t->cacert, v);
}

/* The most bytes of a value field f can hold. */
static size_t field_max(field f) {
    switch (f) {
    case F_DIR: return sizeof ev->config[0].value - 1;
    case F_HOST: return sizeof ev->host - 1;
    case F_SOCKET: return sizeof ev->unix_path - 1;
    case F_CONTAINER: return sizeof ev->host_facts.listen_container - 1;
    case F_SERVICE: return sizeof ev->host_facts.listen_service - 1;
    case F_LOGFILE: return sizeof ev->config[0].value - 1;
    case F_USER: case F_MASTER_HOST: case F_CONFIG_FILE: case F_CACERT: return 255;
    case F_CLUSTER_HOST: return sizeof ev->host - 1 - strlen(".cache.amazonaws.com");
    case F__COUNT: break;
    }
    return 0;
}

static rmd_cause cause;     /* of the finding the step is for */
static rmd_expansion exp;   /* the last expansion */

/* Expand tmpl with field f set to v (NULL: unknown) and split the result. */
static int expand_split(const char *tmpl, field f, const char *v, char *step, sw_list *out) {
    rmd_target t;
    set_field(f, v, &t);
    rmd_advice_expand(tmpl, ev, &t, cause, &exp);
    memcpy(step, exp.cmd, STEP_MAX);
    rmd_target_clear(&t);
    rmd_evidence_free(ev);
    require(memchr(step, '\0', STEP_MAX) != NULL);
    return sw_split(step, out);
}

/* s with every MARK replaced by v, into a new string (NULL on OOM). */
static char *subst(const char *s, const char *v) {
    size_t vl = strlen(v), ml = strlen(MARK), n = 0;
    for (const char *p = strstr(s, MARK); p; p = strstr(p + ml, MARK)) n++;
    char *o = malloc(strlen(s) + n * vl + 1), *q = o;
    if (!o) return NULL;
    while (*s) {
        if (!strncmp(s, MARK, ml)) { memcpy(q, v, vl); q += vl; s += ml; }
        else *q++ = *s++;
    }
    *q = '\0';
    return o;
}

/* h is b with MARK replaced by v, word for word, flag for flag. */
static int same_with_value(const sw_list *b, const sw_list *h, const char *v) {
    if (b->n != h->n) return 0;
    for (size_t i = 0; i < b->n; i++) {
        if (b->t[i].kind != h->t[i].kind || b->t[i].flags != h->t[i].flags) return 0;
        char *want = subst(b->t[i].text, v);
        int eq = want && strlen(want) == h->t[i].len && memcmp(want, h->t[i].text, h->t[i].len) == 0;
        free(want);
        if (!eq) return 0;
    }
    return 1;
}

/* j is a JSON string holding exactly s. */
static void require_json_is(const json_t *j, const char *s) {
    require(json_is_string(j) && json_string_length(j) == strlen(s) && memcmp(json_string_value(j), s, strlen(s)) == 0);
}

/* At t: a template "${NAME:?hint}" (NAME in [A-Z0-9_], hint without '}');
 * its length, or 0. */
static size_t template_at(const char *t) {
    size_t n = 0;
    if (strncmp(t, "${", 2) != 0) return 0;
    n = strspn(t + 2, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_");
    if (!n || strncmp(t + 2 + n, ":?", 2) != 0) return 0;
    const char *e = strchr(t + 4 + n, '}');
    return e ? (size_t)(e - t) + 1 : 0;
}

/* h is b with every MARK replaced by a template: the value left out, the
 * rest of the step unchanged. */
static int same_with_template(const sw_list *b, const sw_list *h) {
    size_t ml = strlen(MARK);
    if (b->n != h->n) return 0;
    for (size_t i = 0; i < b->n; i++) {
        const char *bt = b->t[i].text, *ht = h->t[i].text;
        if (b->t[i].kind != h->t[i].kind) return 0;
        if (!strstr(bt, MARK)) {
            if (b->t[i].flags != h->t[i].flags || strcmp(bt, ht) != 0) return 0;
            continue;
        }
        if (h->t[i].flags != (b->t[i].flags | SW_EXP)) return 0;
        if (template_at(ht) == strlen(ht)) continue; /* the whole word left out (a value the marker is part of) */
        while (*bt) {
            if (!strncmp(bt, MARK, ml)) {
                size_t tl = template_at(ht);
                if (!tl) return 0;
                bt += ml;
                ht += tl;
            } else if (*bt++ != *ht++) {
                return 0;
            }
        }
        if (*ht) return 0;
    }
    return 1;
}

/* The JSON report carries the step (the last expansion) exactly. */
static void require_json_carries(const char *step) {
    rmd_findings fl = {0};
    char *buf = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&buf, &len);
    rmd_finding *f = rmd_findings_add(&fl, cause, RMD_SEV_WARNING, "fuzz");
    if (!mem || !f || rmd_steps_add(&f->steps, step, 'd', exp.is_template, exp.needs, exp.note) != RMD_OK) goto out;
    rmd_evidence_init(ev);
    if (rmd_report_json(mem, ev, &fl) == 0 && fflush(mem) == 0) {
        json_t *doc = json_loadb(buf, len, 0, NULL);
        json_t *fj = json_array_get(json_object_get(doc, "findings"), 0);
        require_json_is(json_array_get(json_object_get(fj, "next_steps"), 0), step);
        require_json_is(json_object_get(json_array_get(json_object_get(fj, "steps"), 0), "command"), step);
        json_decref(doc);
    }
    rmd_evidence_free(ev);
out:
    if (mem) fclose(mem);
    free(buf);
    rmd_findings_free(&fl);
}

static void check(const char *tmpl, field f, const char *v) {
    static char sb[STEP_MAX], sh[STEP_MAX], sa[STEP_MAX];
    sw_list b, h, a;
    int rb = expand_split(tmpl, f, MARK, sb, &b);
    int ra = expand_split(tmpl, f, NULL, sa, &a);
    int rh = expand_split(tmpl, f, v, sh, &h); /* last: exp describes it */
#ifdef FUZZ_ADVICE_TRACE /* -DFUZZ_ADVICE_TRACE: print what is compared */
    fprintf(stderr, "template: %s\n  marker:  %s\n  value:   %s\n  unknown: %s\n", tmpl, sb, sh, sa);
#endif
    if (rb == 0) { /* a template the shell itself would refuse proves nothing */
        require(rh == 0);
        require(same_with_value(&b, &h, v) || same_with_template(&b, &h) || (ra == 0 && strcmp(sh, sa) == 0) ||
                (exp.truncated && !sh[0]));
        require_json_carries(sh);
    }
    sw_free(&b);
    sw_free(&h);
    sw_free(&a);
}

/* The steps rmd_advice_fill builds for one finding of the current cause with
 * field f set to v (NULL: unknown), as owned copies. */
static void fill_steps(field f, const char *v, rmd_strlist *out) {
    rmd_target t;
    rmd_findings fl = {0};
    set_field(f, v, &t);
    if (rmd_findings_add(&fl, cause, RMD_SEV_CRITICAL, "fuzz")) {
        rmd_advice_fill(&fl, &kb, ev, &t, (time_t)1795360907);
        for (size_t i = 0; i < fl.items[0].steps.n; i++) rmd_strlist_add(out, fl.items[0].steps.items[i].cmd);
    }
    rmd_findings_free(&fl);
    rmd_target_clear(&t);
    rmd_evidence_free(ev);
}

/* The whole path (runbook lines that apply, expansion, the "not installed"
 * comment): unless V gives exactly the steps of an unknown value, when the
 * marker and V give the same number of steps, each pair satisfies the
 * oracle. */
static void check_fill(field f, const char *v) {
    rmd_strlist sb = {0}, sh = {0}, sa = {0};
    fill_steps(f, MARK, &sb);
    fill_steps(f, v, &sh);
    fill_steps(f, NULL, &sa);
    int as_unknown = sa.n == sh.n; /* an empty value may mean none (no socket path) */
    for (size_t i = 0; as_unknown && i < sa.n; i++) as_unknown = !strcmp(sa.items[i], sh.items[i]);
    for (size_t i = 0; !as_unknown && sb.n == sh.n && i < sb.n; i++) {
        sw_list b, h;
        if (sw_split(sb.items[i], &b) != 0) continue;
#ifdef FUZZ_ADVICE_TRACE
        fprintf(stderr, "fill step %zu\n  marker:  %s\n  value:   %s\n", i, sb.items[i], sh.items[i]);
#endif
        require(sw_split(sh.items[i], &h) == 0);
        require(same_with_value(&b, &h, v) || same_with_template(&b, &h));
        sw_free(&b);
        sw_free(&h);
    }
    rmd_strlist_free(&sb);
    rmd_strlist_free(&sh);
    rmd_strlist_free(&sa);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    char v[256];
    if (size < 3) return 0;
    field f = (field)(data[0] % F__COUNT);
    size_t first = data[1] % templates.n, n = size - 3;
    cause = (rmd_cause)(data[2] % RMD_CAUSE__COUNT);
    if (n > field_max(f)) n = field_max(f);
    memcpy(v, data + 3, n);
    v[n] = '\0';
    if (strstr(v, MARK)) return 0;
    /* {cluster} is derived from an ElastiCache host name: that case is F_CLUSTER_HOST,
     * where V is one DNS label (no '.', not empty) so the marker stands for it in both */
    if (f == F_HOST && strstr(v, ".cache.amazonaws.com")) return 0;
    if (f == F_CLUSTER_HOST && (!v[0] || strchr(v, '.'))) return 0;
    for (size_t k = 0; k < PER_INPUT && k < templates.n; k++) check(templates.items[(first + k) % templates.n], f, v);
    check_fill(f, v);
    return 0;
}
