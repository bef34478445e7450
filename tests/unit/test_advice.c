/* test_advice.c -- next steps: filled, quoted for their shell context, never code.
 *
 * The property test takes every step line of every built-in runbook, plus
 * lines whose author quoted the placeholders, fills every value the evidence
 * can supply with hostile text (quotes, $(), backticks, ; | &, newlines, ESC,
 * invalid UTF-8, 10 KB), and runs each resulting command under a real bash:
 * `bash -n` must accept it, and run with every external command replaced by
 * a logger (command_not_found_handle, PATH emptied) the hostile value must
 * arrive inside one argument and the marker command `rmdpwn` must never run.
 * The JSON form of the step must decode to exactly the same text.
 */
#include <fcntl.h>
#include <jansson.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "advice.h"
#include "evidence.h"
#include "kb.h"
#include "unit.h"
#include "util.h"

extern char **environ;

static char tmpdir[64];

/* Run bash with args; stdout+stderr to path. Returns the exit status. */
static int run_bash(char *const argv[], const char *path) {
    posix_spawn_file_actions_t fa;
    pid_t pid;
    int st = -1;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    posix_spawn_file_actions_adddup2(&fa, 1, 2);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    if (posix_spawn(&pid, "/bin/bash", &fa, NULL, argv, environ) == 0) waitpid(pid, &st, 0);
    posix_spawn_file_actions_destroy(&fa);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static char *slurp_file(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) { *len = 0; return NULL; }
    char *b = malloc(1 << 20);
    *len = b ? fread(b, 1, (1 << 20) - 1, f) : 0;
    fclose(f);
    if (b) b[*len] = '\0';
    return b;
}

/* Does the NUL-separated log hold an argument containing v? */
static int log_has_arg(const char *log, size_t len, const char *v) {
    for (size_t i = 0; i < len;) {
        size_t n = strnlen(log + i, len - i);
        if (memmem(log + i, n, v, strlen(v))) return 1;
        i += n + 1;
    }
    return 0;
}

static int log_ran(const char *log, size_t len, const char *cmd) {
    char key[32];
    snprintf(key, sizeof key, "\x01%s", cmd); /* the handler marks argv[0] with \x01 */
    return memmem(log, len, key, strlen(key)) != NULL;
}

static void fill_evidence(rmd_evidence *ev, const char *v) {
    rmd_evidence_init(ev);
    rmd_strlcpy(ev->host, v, sizeof ev->host);
    ev->port = 6390;
    rmd_strlcpy(ev->addr, "127.0.0.1", sizeof ev->addr);
    ev->config[RMD_CFG_DIR].status = RMD_ITEM_OK;
    rmd_strlcpy(ev->config[RMD_CFG_DIR].value, v, sizeof ev->config[RMD_CFG_DIR].value);
    rmd_strlcpy(ev->host_facts.listen_container, v, sizeof ev->host_facts.listen_container);
    rmd_strlcpy(ev->host_facts.listen_service, v, sizeof ev->host_facts.listen_service);
    ev->host_facts.collected = ev->host_facts.is_local = 1;
    ev->host_facts.listen_pid = 2147483646; /* no such process: kill -CONT reaches nobody */
    rmd_kv_add(&ev->info, "master_host", 11, v, strlen(v));
    rmd_kv_add(&ev->info, "master_port", 11, "6391", 4);
}

static long runs, checked_values;

/* One template line with one hostile value: every property. */
static void check_line(const char *tmpl, const char *v, const rmd_target *t) {
    rmd_evidence ev;
    rmd_expansion e;
    char log[128], out[128];
    fill_evidence(&ev, v);
    rmd_advice_expand(tmpl, &ev, t, RMD_CAUSE_UNKNOWN, &e);
    rmd_evidence_free(&ev);
    if (e.truncated) return; /* dropped, never printed */
    /* JSON carries exactly the text */
    json_t *j = json_string(e.cmd);
    CHECK(j != NULL);
    if (j) {
        char *dump = json_dumps(j, JSON_ENCODE_ANY | JSON_ENSURE_ASCII);
        json_t *back = dump ? json_loads(dump, JSON_DECODE_ANY, NULL) : NULL;
        CHECK(back && json_is_string(back) && strcmp(json_string_value(back), e.cmd) == 0);
        json_decref(back);
        free(dump);
        json_decref(j);
    }
    /* it parses */
    snprintf(out, sizeof out, "%s/out", tmpdir);
    char *n_argv[] = {"bash", "-n", "-c", e.cmd, NULL};
    int rc = run_bash(n_argv, out);
    if (rc != 0) fprintf(stderr, "  bash -n rejects: %s\n", e.cmd);
    CHECK_INT(rc, 0);
    /* it runs with every command logged instead of executed */
    snprintf(log, sizeof log, "%s/log", tmpdir);
    unlink(log);
    char script[6000];
    snprintf(script, sizeof script,
             "command_not_found_handle() { printf '\\001%%s\\0' \"$1\" >>'%s'; shift; printf '%%s\\0' \"$@\" >>'%s'; return 0; }\n"
             "PATH=/rmd-nonexistent; cd '%s' || exit 9\n%s\n",
             log, log, tmpdir, e.cmd);
    char *r_argv[] = {"bash", "-c", script, NULL};
    run_bash(r_argv, out);
    runs++;
    size_t ll = 0, ol = 0;
    char *lg = slurp_file(log, &ll), *ob = slurp_file(out, &ol);
    int pwned = (lg && log_ran(lg, ll, "rmdpwn")) || access("pwned", F_OK) == 0;
    if (pwned) fprintf(stderr, "  INJECTION: value %.60s ran as code in: %.300s\n", v, e.cmd);
    CHECK(!pwned);
    /* the value arrived whole, in one argument, where the step used it */
    if (!e.is_template && strstr(tmpl, "{") && strlen(v) < 4000) {
        int used = strstr(tmpl, "{host}") || strstr(tmpl, "{dir}") || strstr(tmpl, "{container}") ||
                   strstr(tmpl, "{service}") || strstr(tmpl, "{master_host}") ||
                   (strstr(tmpl, "{cli}") && !strstr(tmpl, "-h "));
        if (used) {
            int ok = (lg && log_has_arg(lg, ll, v)) || (ob && strstr(ob, v));
            if (!ok) fprintf(stderr, "  value %.60s did not arrive whole: %.300s\n", v, e.cmd);
            CHECK(ok);
            checked_values++;
        }
    }
    free(lg);
    free(ob);
}

static const char *hostile[] = {
    "plain-host.example",
    "a b",
    "q'$(rmdpwn)'",
    "\"$(rmdpwn)\"",
    "`rmdpwn`",
    "x;rmdpwn;y",
    "x|rmdpwn",
    "x&&rmdpwn",
    "$'\\x41'$(rmdpwn)",
    "\\'\\\"\\$(rmdpwn)",
    "/tmp/q\xff'$(rmdpwn)'",  /* invalid UTF-8 and a quote: the issue's report */
    "line1\nrmdpwn",
    "esc\x1b[31mred",
    "}{dir}{host}$((1+1))${HOME}",
    "ünïcödé 'quoted' \"dq\" ${x:?y}",
};

/* Lines a team might write, quoting the placeholders themselves. */
static const char *author_quoted[] = {
    "ls -ld '{dir}' && df -h \"{dir}\"",
    "echo \"dir is {dir} on {host}:{port}\"",
    "cat \"$(ls -d '{dir}')\"/x $(ls {dir})",
    "printf '%s\\n' '{host}' \"{container}\" {service}",
    "`ls {dir}`",
    "echo $'{dir}'",
    "ls {dir}/appendonlydir '{dir}/dump.rdb'",
    "docker logs '{container}' 2>&1 | grep -F \"{host}\"",
    "{cli} -h '{master_host}' INFO",
    "journalctl -u \"{service}\" --since '-1h' # on {host}",
    /* an attacker's trial: places where no quoting is safe */
    "ls -ld \"${REDIS_DIR:-\"{dir}\"}\"",
    "x=`grep -l 'dir' {dir}`",
    "ssh {host} df -h {dir}",
    "eval ls -ld {dir}",
    "sudo sh -c \"ls -ld {dir}\"",
    "sh -c 'ls {dir}'",
    "awk '{print \"{dir}\"}' /dev/null",
    "echo \"$( (cd /tmp) ; ls {dir} )\"",
    "find / -name x | xargs ls {dir}",
};

TEST(hostile_values_never_run) {
    rmd_kb kb = {0};
    rmd_kb_problems p = {0};
    rmd_target t;
    rmd_target_init(&t);
    rmd_target_set(&t.user, "ops'user");
    rmd_target_set(&t.password, "secret");
    rmd_kb_load_builtin(&kb, &p);
    char big[10241];
    memset(big, 'A', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    memcpy(big + 5000, "'$(rmdpwn)'", 11);
    for (size_t v = 0; v < sizeof hostile / sizeof hostile[0] + 1; v++) {
        const char *val = v < sizeof hostile / sizeof hostile[0] ? hostile[v] : big;
        for (size_t i = 0; i < kb.n; i++) {
            rmd_strlist steps = {0};
            rmd_kb_steps(&kb.items[i], &steps);
            for (size_t s = 0; s < steps.n; s++)
                if (strchr(steps.items[s], '{')) check_line(steps.items[s], val, &t);
            rmd_strlist_free(&steps);
        }
        for (size_t a = 0; a < sizeof author_quoted / sizeof author_quoted[0]; a++) check_line(author_quoted[a], val, &t);
    }
    printf("  steps: %ld hostile expansions run under bash, %ld checked to arrive as one argument, none ran code\n", runs,
           checked_values);
    rmd_kb_problems_free(&p);
    rmd_kb_free(&kb);
    rmd_target_clear(&t);
}

TEST(placeholders_filled_and_quoted) {
    rmd_evidence ev;
    rmd_expansion e;
    rmd_evidence_init(&ev);
    strcpy(ev.host, "10.0.3.7");
    ev.port = 6380;
    rmd_advice_expand("{cli} ping; nc -vz {host} {port}", &ev, NULL, RMD_CAUSE_UNKNOWN, &e);
    CHECK_STR(e.cmd, "redis-cli -h 10.0.3.7 -p 6380 ping; nc -vz 10.0.3.7 6380");
    CHECK(!e.is_template);
    /* unknown values: a template that parses and refuses to run */
    rmd_advice_expand("systemctl status {service}; docker logs {container}", &ev, NULL, RMD_CAUSE_UNKNOWN, &e);
    CHECK_STR(e.cmd, "systemctl status \"${REDIS_SERVICE:?set REDIS_SERVICE to the systemd unit, e.g. redis-server}\"; "
                     "docker logs \"${REDIS_CONTAINER:?set REDIS_CONTAINER to the Redis container name or id}\"");
    CHECK(e.is_template);
    CHECK_STR(e.needs, "REDIS_SERVICE,REDIS_CONTAINER");
    strcpy(ev.host, "a'$(reboot)'b");
    rmd_advice_expand("ping {host}", &ev, NULL, RMD_CAUSE_UNKNOWN, &e);
    CHECK_STR(e.cmd, "ping 'a'\\''$(reboot)'\\''b'");
    rmd_advice_expand("ping '{host}'", &ev, NULL, RMD_CAUSE_UNKNOWN, &e); /* the author quoted it */
    CHECK_STR(e.cmd, "ping 'a'\\''$(reboot)'\\''b'");
    rmd_advice_expand("ping \"{host}\"", &ev, NULL, RMD_CAUSE_UNKNOWN, &e);
    CHECK_STR(e.cmd, "ping \"a'\\$(reboot)'b\"");
    ev.config[RMD_CFG_DIR].status = RMD_ITEM_OK;
    strcpy(ev.config[RMD_CFG_DIR].value, "/var/lib/redis`id`");
    rmd_advice_expand("df -h {dir} {unknown} awk '{print $1}'", &ev, NULL, RMD_CAUSE_UNKNOWN, &e);
    CHECK_STR(e.cmd, "df -h '/var/lib/redis`id`' {unknown} awk '{print $1}'");
    /* not printable: left out, said so */
    strcpy(ev.config[RMD_CFG_DIR].value, "/tmp/q\xff'x");
    rmd_advice_expand("df -h {dir}", &ev, NULL, RMD_CAUSE_UNKNOWN, &e);
    CHECK(e.is_template);
    CHECK(strstr(e.note, "invalid UTF-8") != NULL);
    CHECK(strchr(e.cmd, '\xff') == NULL);
    /* CONFIG GET dir empty (removed directory): the listener's cwd from /proc */
    strcpy(ev.config[RMD_CFG_DIR].value, "");
    strcpy(ev.host_facts.listen_cwd, "/tmp/rmdex (deleted)");
    rmd_advice_expand("ls -ld {dir}", &ev, NULL, RMD_CAUSE_UNKNOWN, &e);
    CHECK_STR(e.cmd, "ls -ld /tmp/rmdex");
    strcpy(ev.host_facts.listen_container, "0123456789ab");
    strcpy(ev.host_facts.listen_service, "redis@6380");
    rmd_advice_expand("docker logs {container}; journalctl -u {service}", &ev, NULL, RMD_CAUSE_UNKNOWN, &e);
    CHECK_STR(e.cmd, "docker logs 0123456789ab; journalctl -u redis@6380");
    rmd_evidence_free(&ev);
}

TEST(cli_never_repeats_a_flag) {
    rmd_evidence ev;
    rmd_expansion e;
    rmd_target t;
    rmd_evidence_init(&ev);
    rmd_target_init(&t);
    strcpy(ev.host, "127.0.0.1");
    ev.port = 6379;
    ev.tls = 1;
    rmd_target_set(&t.user, "app");
    rmd_target_set(&t.password, "pw");
    rmd_advice_expand("{cli} --user bob --askpass ping", &ev, &t, RMD_CAUSE_UNKNOWN, &e);
    CHECK_STR(e.cmd, "redis-cli -h 127.0.0.1 -p 6379 --tls --user bob --askpass ping");
    rmd_advice_expand("{cli} --tls --insecure ping", &ev, &t, RMD_CAUSE_UNKNOWN, &e);
    CHECK_STR(e.cmd, "redis-cli -h 127.0.0.1 -p 6379 --user app --askpass --tls --insecure ping");
    /* the port was shown to be plaintext: no --tls, and TLS-only steps are ruled out */
    ev.xcheck = RMD_XCHECK_RESP_ANSWERED;
    rmd_advice_expand("{cli} ping", &ev, &t, RMD_CAUSE_UNKNOWN, &e);
    CHECK_STR(e.cmd, "redis-cli -h 127.0.0.1 -p 6379 --user app --askpass ping");
    char why[160];
    CHECK(!rmd_advice_applies("openssl s_client -connect {host}:{port}", 'd', RMD_CAUSE_TLS_ERROR, &ev, why, sizeof why));
    rmd_target_clear(&t);
    rmd_evidence_free(&ev);
}

TEST(steps_only_where_the_evidence_points) {
    rmd_evidence ev;
    char why[160];
    rmd_evidence_init(&ev);
    strcpy(ev.host, "127.0.0.1");
    ev.port = 6379;
    CHECK(!rmd_advice_applies("docker logs {container}", 'd', RMD_CAUSE_SERVER_DOWN, &ev, why, sizeof why));
    CHECK(!rmd_advice_applies("kubectl get pods", 'd', RMD_CAUSE_SERVER_DOWN, &ev, why, sizeof why));
    CHECK(!rmd_advice_applies("aws elasticache describe-cache-clusters", 'd', RMD_CAUSE_SERVER_DOWN, &ev, why, sizeof why));
    CHECK(!rmd_advice_applies("echo x | docker ps", 'd', RMD_CAUSE_SERVER_DOWN, &ev, why, sizeof why));
    strcpy(ev.host_facts.listen_container, "0123456789ab");
    CHECK(rmd_advice_applies("docker logs {container}", 'd', RMD_CAUSE_SERVER_DOWN, &ev, why, sizeof why));
    strcpy(ev.host, "my-cache.abc123.ng.0001.use1.cache.amazonaws.com");
    CHECK(rmd_advice_applies("aws elasticache describe-cache-clusters", 'd', RMD_CAUSE_SERVER_DOWN, &ev, why, sizeof why));
    /* no connection possible: commands through {cli} are ruled out in the diagnosis */
    CHECK(!rmd_advice_applies("{cli} INFO clients", 'd', RMD_CAUSE_MAXCLIENTS_REACHED, &ev, why, sizeof why));
    CHECK(rmd_advice_applies("{cli} ping", 'r', RMD_CAUSE_SERVER_DOWN, &ev, why, sizeof why));
    CHECK(rmd_advice_applies("{cli} --askpass ping", 'd', RMD_CAUSE_AUTH_REQUIRED, &ev, why, sizeof why));
    ev.reachable = 1;
    CHECK(rmd_advice_applies("{cli} INFO clients", 'd', RMD_CAUSE_CLIENTS_NEAR_LIMIT, &ev, why, sizeof why));
    rmd_evidence_free(&ev);
}

int main(void) {
    snprintf(tmpdir, sizeof tmpdir, "/tmp/rmd-advice.XXXXXX");
    if (!mkdtemp(tmpdir)) return 1;
    RUN(placeholders_filled_and_quoted);
    RUN(cli_never_repeats_a_flag);
    RUN(steps_only_where_the_evidence_points);
    RUN(hostile_values_never_run);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    if (system(cmd) != 0) fprintf(stderr, "cannot remove %s\n", tmpdir);
    return UNIT_END();
}
