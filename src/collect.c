/* collect.c -- the collector registry (see collect.h). */
#include "collect.h"

#include <hiredis/hiredis.h>
#include <stdio.h>
#include <string.h>

#include "util.h"

typedef struct collector {
    const char *name;                        /* for evidence: "INFO", "CONFIG GET maxclients" */
    const char *argv[RMD_COLLECT_MAX_ARGS];  /* NULL-terminated */
    void (*store)(rmd_evidence *ev, const struct collector *c, const redisReply *r);
    int arg;                                 /* collector-specific (config key index) */
} collector;

/* Record an error reply as the collector's status. Returns 1 if r was an error. */
static int store_error(rmd_evidence *ev, const collector *c, const redisReply *r) {
    char detail[160];
    if (r->type != REDIS_REPLY_ERROR) return 0;
    rmd_escape(detail, sizeof detail, r->str, r->len);
    rmd_evidence_collector(ev, c->name, rmd_item_status_of_error(r->str), detail);
    return 1;
}

static int expect_string(rmd_evidence *ev, const collector *c, const redisReply *r) {
    if (store_error(ev, c, r)) return 0;
    if (r->type != REDIS_REPLY_STRING && r->type != REDIS_REPLY_STATUS) {
        rmd_evidence_collector(ev, c->name, RMD_ITEM_ERROR, "unexpected reply type");
        return 0;
    }
    return 1;
}

static void store_info(rmd_evidence *ev, const collector *c, const redisReply *r) {
    if (!expect_string(ev, c, r)) return;
    rmd_err e = rmd_info_parse(r->str, r->len, &ev->info);
    rmd_evidence_collector(ev, c->name, e == RMD_OK ? RMD_ITEM_OK : RMD_ITEM_ERROR,
                           e == RMD_OK ? "" : rmd_strerror(e));
}

static void store_config(rmd_evidence *ev, const collector *c, const redisReply *r) {
    rmd_config_item *it = &ev->config[c->arg];
    if (r->type == REDIS_REPLY_ERROR) {
        it->status = rmd_item_status_of_error(r->str);
        rmd_escape(it->value, sizeof it->value, r->str, r->len);
        store_error(ev, c, r);
        return;
    }
    /* [name, value] pairs; an unknown parameter gives an empty array. */
    if (r->type != REDIS_REPLY_ARRAY || r->elements < 2 || r->element[1]->type != REDIS_REPLY_STRING) {
        it->status = RMD_ITEM_UNAVAILABLE;
        return;
    }
    it->status = RMD_ITEM_OK;
    if (c->arg == RMD_CFG_MASTERAUTH) { /* a password: only whether there is one */
        rmd_strlcpy(it->value, r->element[1]->len ? "(set)" : "", sizeof it->value);
        return;
    }
    rmd_memlcpy(it->value, sizeof it->value, r->element[1]->str, r->element[1]->len);
}

static void store_client_id(rmd_evidence *ev, const collector *c, const redisReply *r) {
    (void)c;
    if (r->type == REDIS_REPLY_INTEGER) ev->client_id = r->integer;
}

/* CLIENT LIST without the probe's own connection (it is not the user's). */
static void store_clients(rmd_evidence *ev, const collector *c, const redisReply *r) {
    if (!expect_string(ev, c, r)) return;
    char key[40];
    const char *own = NULL;
    size_t klen = 0;
    if (ev->client_id >= 0) {
        klen = (size_t)snprintf(key, sizeof key, "id=%lld ", ev->client_id);
        if (r->len >= klen && memcmp(r->str, key, klen) == 0) own = r->str;
        else {
            key[0] = '\n';
            snprintf(key + 1, sizeof key - 1, "id=%lld ", ev->client_id);
            klen++;
            own = memmem(r->str, r->len, key, klen);
            if (own) own++;
        }
    }
    rmd_err e;
    if (own) {
        const char *end = memchr(own, '\n', r->len - (size_t)(own - r->str));
        size_t head = (size_t)(own - r->str), skip = end ? (size_t)(end - own) + 1 : r->len - head;
        rmd_buf b = {.max = r->len + 1};
        if (rmd_buf_append(&b, r->str, head) == RMD_OK &&
            rmd_buf_append(&b, own + skip, r->len - head - skip) == RMD_OK)
            e = rmd_clients_parse(b.p ? b.p : "", b.len, RMD_CLIENT_IDLE_S, &ev->clients);
        else
            e = rmd_clients_parse(r->str, r->len, RMD_CLIENT_IDLE_S, &ev->clients);
        rmd_buf_free(&b);
    } else {
        e = rmd_clients_parse(r->str, r->len, RMD_CLIENT_IDLE_S, &ev->clients);
    }
    rmd_evidence_collector(ev, c->name, e == RMD_OK ? RMD_ITEM_OK : RMD_ITEM_ERROR,
                           e == RMD_OK ? "" : rmd_strerror(e));
}

static void store_slowlog(rmd_evidence *ev, const collector *c, const redisReply *r) {
    if (store_error(ev, c, r)) return;
    rmd_err e = rmd_slowlog_from_reply(r, &ev->slowlog);
    rmd_evidence_collector(ev, c->name, e == RMD_OK ? RMD_ITEM_OK : RMD_ITEM_ERROR,
                           e == RMD_OK ? "" : rmd_strerror(e));
}

static void store_latency(rmd_evidence *ev, const collector *c, const redisReply *r) {
    if (store_error(ev, c, r)) return;
    rmd_err e = rmd_latency_from_reply(r, &ev->latency);
    rmd_evidence_collector(ev, c->name, e == RMD_OK ? RMD_ITEM_OK : RMD_ITEM_ERROR,
                           e == RMD_OK ? "" : rmd_strerror(e));
}

static void store_cluster(rmd_evidence *ev, const collector *c, const redisReply *r) {
    /* Not a cluster node: nothing to record. */
    if (r->type == REDIS_REPLY_ERROR && r->str && strstr(r->str, "cluster support disabled")) return;
    if (!expect_string(ev, c, r)) return;
    rmd_err e = rmd_info_parse(r->str, r->len, &ev->cluster);
    rmd_evidence_collector(ev, c->name, e == RMD_OK ? RMD_ITEM_OK : RMD_ITEM_ERROR,
                           e == RMD_OK ? "" : rmd_strerror(e));
}

static const collector registry[] = {
    {"CLIENT ID", {"CLIENT", "ID", NULL}, store_client_id, 0},
    {"INFO", {"INFO", "everything", NULL}, store_info, 0},
#define RMD_CFG_COLLECTOR(id, name) {"CONFIG GET " name, {"CONFIG", "GET", name, NULL}, store_config, RMD_CFG_##id},
    RMD_CONFIG_KEYS(RMD_CFG_COLLECTOR)
#undef RMD_CFG_COLLECTOR
    {"CLIENT LIST", {"CLIENT", "LIST", NULL}, store_clients, 0},
    {"SLOWLOG GET", {"SLOWLOG", "GET", "32", NULL}, store_slowlog, 0},
    {"LATENCY LATEST", {"LATENCY", "LATEST", NULL}, store_latency, 0},
    {"CLUSTER INFO", {"CLUSTER", "INFO", NULL}, store_cluster, 0},
};

size_t rmd_collect_count(void) { return sizeof registry / sizeof registry[0]; }

int rmd_collect_command(size_t i, const char *argv[RMD_COLLECT_MAX_ARGS]) {
    int n = 0;
    while (n < RMD_COLLECT_MAX_ARGS && registry[i].argv[n]) {
        argv[n] = registry[i].argv[n];
        n++;
    }
    return n;
}

void rmd_collect_store(size_t i, rmd_evidence *ev, const redisReply *r) {
    if (i < rmd_collect_count()) registry[i].store(ev, &registry[i], r);
}
