/* triage.c -- per-cause aggregation, trend and reports (see triage.h). */
#include "triage.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "causes.h"
#include "redact.h"
#include "report.h"
#include "term.h"
#include "util.h"

/* Library signatures: the first that appears in the line names the source.
 * Package and class prefixes come before the bare class names they contain
 * (org.redisson.client.RedisConnectionException is Redisson, not Lettuce);
 * Go's net wording ("dial tcp") comes last, for lines no client names. */
static const struct { const char *needle; const char *source; } sources[] = {
    {"org.springframework.data.redis", "Spring Data Redis"}, {"RedisConnectionFailureException", "Spring Data Redis"},
    {"org.redisson", "Redisson"}, {"io.vertx.redis", "Vert.x Redis"}, {"glide.api", "Valkey GLIDE"},
    {"glide_shared", "Valkey GLIDE"}, {"logger_core", "Valkey GLIDE"}, {"ServiceStack.Redis", "ServiceStack.Redis"},
    {"redis.exceptions.", "redis-py"}, {"site-packages/redis/", "redis-py"}, {"dist-packages/redis/", "redis-py"},
    {"coredis", "coredis"}, {"django_redis", "django-redis"}, {"kombu", "Celery/Kombu"}, {"celery", "Celery/Kombu"},
    {"rq.", "RQ"}, {"ioredis", "ioredis"}, {"@redis/client", "node-redis"}, {"node-redis", "node-redis"},
    {"Redis Client Error", "node-redis"}, {"ReplyError", "node-redis/ioredis"},
    {"redis.clients.jedis", "Jedis"}, {"JedisConnectionException", "Jedis"}, {"Jedis", "Jedis"},
    {"io.lettuce", "Lettuce"}, {"RedisCommandTimeoutException", "Lettuce"}, {"StackExchange.Redis", "StackExchange.Redis"},
    {"RedisConnectionException", "Lettuce"}, {"Illuminate\\Redis", "Laravel"}, {"Predis", "Predis"},
    {"RedisClusterException", "phpredis"}, {"RedisException", "phpredis"}, {"RedisClient::", "redis-client"},
    {"Redis::", "redis-rb"}, {"Sidekiq", "Sidekiq"}, {"sidekiq", "Sidekiq"}, {"redigo", "redigo"},
    {"rueidis", "rueidis"}, {"go-redis", "go-redis"}, {"redis: ", "go-redis"}, {"fred::", "fred"},
    {"redis-rs", "redis-rs"}, {"RedisError", "redis-rs"}, {"Could not connect to Redis at", "hiredis/redis-cli"},
    {"hiredis", "hiredis"}, {"dial tcp ", "Go client"}, {"read tcp ", "Go client"}, {"write tcp ", "Go client"},
};

const char *rmd_triage_source(const char *line, size_t len) {
    /* redis-server's own log: "1234:M 22 Nov 2026 15:21:47.123 # ..." */
    size_t i = 0;
    while (i < len && i < 10 && line[i] >= '0' && line[i] <= '9') i++;
    if (i > 0 && i + 4 < len && line[i] == ':' && strchr("MSCX", line[i + 1]) && line[i + 2] == ' ') return "redis-server";
    if (len > 4096) len = 4096;
    for (size_t k = 0; k < sizeof sources / sizeof sources[0]; k++)
        if (memmem(line, len, sources[k].needle, strlen(sources[k].needle))) return sources[k].source;
    return "unknown";
}

static void bump(rmd_tcount *arr, int *n, int max, long long *other, const char *name) {
    for (int i = 0; i < *n; i++)
        if (!strcmp(arr[i].name, name)) { arr[i].n++; return; }
    if (*n < max) {
        rmd_strlcpy(arr[*n].name, name, sizeof arr[*n].name);
        arr[(*n)++].n = 1;
    } else if (other) {
        (*other)++;
    }
}

/* Merge bucket pairs: the histogram covers twice the time at half the detail. */
static void hist_widen(rmd_tlabel *l) {
    for (int i = 0; i < RMD_TRIAGE_BUCKETS / 2; i++) l->bucket[i] = l->bucket[2 * i] + l->bucket[2 * i + 1];
    memset(l->bucket + RMD_TRIAGE_BUCKETS / 2, 0, sizeof l->bucket / 2);
    l->width *= 2;
}

/* Put ts in the histogram, shifting (for lines older than the first seen)
 * or widening its buckets as needed; memory stays RMD_TRIAGE_BUCKETS. */
static void hist_add(rmd_tlabel *l, double ts) {
    if (l->width <= 0) {
        l->t0 = ts;
        l->width = 1;
    }
    while (ts < l->t0) {
        int used = 0;
        for (int i = 0; i < RMD_TRIAGE_BUCKETS; i++)
            if (l->bucket[i]) used = i + 1;
        double need = (l->t0 - ts) / l->width;
        int shift = (int)need + (need > (int)need);
        if (shift + used <= RMD_TRIAGE_BUCKETS) {
            memmove(l->bucket + shift, l->bucket, (size_t)used * sizeof l->bucket[0]);
            memset(l->bucket, 0, (size_t)shift * sizeof l->bucket[0]);
            l->t0 -= shift * l->width;
            break;
        }
        hist_widen(l);
    }
    while ((ts - l->t0) / l->width >= RMD_TRIAGE_BUCKETS) hist_widen(l);
    int b = (int)((ts - l->t0) / l->width);
    l->bucket[b < 0 ? 0 : b >= RMD_TRIAGE_BUCKETS ? RMD_TRIAGE_BUCKETS - 1 : b]++;
}

void rmd_triage_add(rmd_triage *t, const char *label, const char *runbook, double ts, const rmd_endpoint *ep,
                    const char *source, const char *line, size_t len) {
    rmd_tlabel *l = NULL;
    for (int i = 0; i < t->n_labels && !l; i++)
        if (!strcmp(t->labels[i].label, label)) l = &t->labels[i];
    if (!l) {
        if (t->n_labels >= RMD_TRIAGE_LABELS) return;
        l = &t->labels[t->n_labels++];
        memset(l, 0, sizeof *l);
        l->label = label;
        l->runbook = runbook;
        l->first = l->last = -1;
        char clean[400];
        size_t n = rmd_redact(clean, sizeof clean, line, len > 300 ? 300 : len);
        rmd_escape(l->example, sizeof l->example, clean, n);
    }
    l->count++;
    t->events++;
    if (ts >= 0) {
        if (l->first < 0 || ts < l->first) l->first = ts;
        if (ts > l->last) l->last = ts;
        hist_add(l, ts);
    } else {
        l->untimed++;
    }
    if (ep && ep->text[0]) bump(l->endpoints, &l->n_endpoints, RMD_TRIAGE_ENDPOINTS, &l->other_endpoints, ep->text);
    bump(l->sources, &l->n_sources, RMD_TRIAGE_SOURCES, NULL, source);
}

void rmd_triage_skip_untimed(rmd_triage *t, const char *label) {
    t->untimed_skipped++;
    bump(t->skipped, &t->n_skipped, RMD_TRIAGE_SOURCES, NULL, label);
}

const char *rmd_triage_trend(const rmd_tlabel *l) {
    int last = -1, nonzero = 0;
    long long total = 0, max = 0;
    for (int i = 0; i < RMD_TRIAGE_BUCKETS; i++) {
        if (l->bucket[i]) { last = i; nonzero++; }
        total += l->bucket[i];
        if (l->bucket[i] > max) max = l->bucket[i];
    }
    if (total < 3 || last < 3) return "isolated";
    int span = last + 1;
    double mean = (double)total / span;
    long long first_half = 0, second_half = 0;
    for (int i = 0; i < span; i++) {
        if (i < span / 2) first_half += l->bucket[i];
        else second_half += l->bucket[i];
    }
    if (max >= 0.5 * (double)total && max >= 4 * mean) return "spike";
    if (second_half >= 2 * first_half + 2 && nonzero * 2 >= span) return "gradual increase";
    if (nonzero * 4 >= span * 3) return "constant";
    return "intermittent";
}

static int label_rank(const char *label) {
    int c = rmd_cause_find(label);
    if (c < 0) return 1;
    static const char *const high[] = {"server-down", "oom-killed", "oom-maxmemory", "persistence-failure",
                                       "maxclients-reached", "pool-exhausted", "auth-failed", "auth-required",
                                       "readonly-replica", "server-crash", "cluster-down", "dns-failure",
                                       "tls-error", "tls-required", "port-in-use"};
    for (size_t i = 0; i < sizeof high / sizeof high[0]; i++)
        if (!strcmp(label, high[i])) return 2;
    return 1;
}

static int cmp_label(const void *a, const void *b) {
    const rmd_tlabel *x = a, *y = b;
    int rx = label_rank(x->label), ry = label_rank(y->label);
    if (rx != ry) return ry - rx;
    return x->count < y->count ? 1 : x->count > y->count ? -1 : strcmp(x->label, y->label);
}

static int cmp_count(const void *a, const void *b) {
    const rmd_tcount *x = a, *y = b;
    return x->n < y->n ? 1 : x->n > y->n ? -1 : strcmp(x->name, y->name);
}

void rmd_triage_sort(rmd_triage *t) {
    qsort(t->labels, (size_t)t->n_labels, sizeof t->labels[0], cmp_label);
    for (int i = 0; i < t->n_labels; i++) {
        qsort(t->labels[i].endpoints, (size_t)t->labels[i].n_endpoints, sizeof(rmd_tcount), cmp_count);
        qsort(t->labels[i].sources, (size_t)t->labels[i].n_sources, sizeof(rmd_tcount), cmp_count);
    }
}

static void fmt_ts(double ts, char *out, size_t n) {
    if (ts < 0) { snprintf(out, n, "-"); return; }
    time_t s = (time_t)ts;
    struct tm tm;
    gmtime_r(&s, &tm);
    strftime(out, n, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static void histogram(const rmd_tlabel *l, char *out, size_t n) {
    static const char ramp[] = " .:-=+*#%@";
    long long max = 0;
    int last = 0;
    for (int i = 0; i < RMD_TRIAGE_BUCKETS; i++) {
        if (l->bucket[i] > max) max = l->bucket[i];
        if (l->bucket[i]) last = i;
    }
    size_t o = 0;
    for (int i = 0; i <= last && o + 1 < n; i++) {
        int lvl = max ? (int)((l->bucket[i] * 9 + max - 1) / max) : 0;
        out[o++] = ramp[lvl > 9 ? 9 : lvl];
    }
    out[o] = '\0';
}

static void human_span(double s, char *out, size_t n) {
    if (s < 120) snprintf(out, n, "%.0f s", s);
    else if (s < 7200) snprintf(out, n, "%.0f min", s / 60);
    else snprintf(out, n, "%.1f h", s / 3600);
}

static void print_skipped(FILE *out, const rmd_triage *t) {
    if (!t->untimed_skipped) return;
    rmd_fprintf_safe(out, "note: %lld event%s without a time left out by --since/--until:", t->untimed_skipped,
                     t->untimed_skipped == 1 ? "" : "s");
    for (int k = 0; k < t->n_skipped; k++) rmd_fprintf_safe(out, " %s (%lld)", t->skipped[k].name, t->skipped[k].n);
    rmd_fprintf_safe(out, "; --each shows every line\n");
}

void rmd_triage_print_text(FILE *out, const rmd_triage *t) {
    int hists = 0;
    if (t->n_labels == 0) {
        rmd_fprintf_safe(out, "no Redis errors found\n");
        print_skipped(out, t);
        return;
    }
    for (int i = 0; i < t->n_labels; i++) {
        const rmd_tlabel *l = &t->labels[i];
        char f[32], la[32], hist[RMD_TRIAGE_BUCKETS + 1], w[32];
        fmt_ts(l->first, f, sizeof f);
        fmt_ts(l->last, la, sizeof la);
        rmd_fprintf_safe(out, "%s: %lld event%s", l->label, l->count, l->count == 1 ? "" : "s");
        if (l->first >= 0) rmd_fprintf_safe(out, ", %s .. %s, trend: %s", f, la, rmd_triage_trend(l));
        if (l->untimed && l->first >= 0) rmd_fprintf_safe(out, " (%lld without a time)", l->untimed);
        rmd_fprintf_safe(out, "\n");
        if (l->n_endpoints) {
            rmd_fprintf_safe(out, "  endpoints:");
            for (int k = 0; k < l->n_endpoints && k < 5; k++)
                rmd_fprintf_safe(out, " %s (%lld)", l->endpoints[k].name, l->endpoints[k].n);
            if (l->n_endpoints > 5 || l->other_endpoints) rmd_fprintf_safe(out, " ...");
            rmd_fprintf_safe(out, "\n");
        }
        rmd_fprintf_safe(out, "  sources:");
        for (int k = 0; k < l->n_sources; k++) rmd_fprintf_safe(out, " %s (%lld)", l->sources[k].name, l->sources[k].n);
        rmd_fprintf_safe(out, "\n");
        if (l->first >= 0 && l->count > 1) {
            histogram(l, hist, sizeof hist);
            human_span(l->width, w, sizeof w);
            rmd_fprintf_safe(out, "  histogram: |%s| (one column = %s)\n", hist, w);
            hists++;
        }
        rmd_fprintf_safe(out, "  example: %s\n", l->example);
        rmd_fprintf_safe(out, "  runbook: %s (redis-medic kb show %s)\n\n", l->runbook, l->runbook);
    }
    rmd_fprintf_safe(out, "%lld event%s in %d cause%s\n", t->events, t->events == 1 ? "" : "s", t->n_labels,
                     t->n_labels == 1 ? "" : "s");
    if (hists)
        rmd_fprintf_safe(out, "histogram: one column per time slice from the first event to the last; '%c' none, then "
                              "\"%s\" from fewest to most events ('@' = the busiest slice)\n", ' ', ".:-=+*#%@");
    print_skipped(out, t);
}


static json_t *counts(const rmd_tcount *c, int n) {
    json_t *a = json_array();
    for (int i = 0; i < n; i++) {
        json_t *o = json_object();
        json_object_set_new(o, "name", rmd_json_string(c[i].name));
        json_object_set_new(o, "count", json_integer(c[i].n));
        json_array_append_new(a, o);
    }
    return a;
}

void rmd_triage_print_json(FILE *out, const rmd_triage *t) {
    json_t *root = json_object(), *arr = json_array();
    for (int i = 0; i < t->n_labels; i++) {
        const rmd_tlabel *l = &t->labels[i];
        json_t *o = json_object();
        char f[32], la[32];
        json_object_set_new(o, "id", rmd_json_string(l->label));
        json_object_set_new(o, "runbook", rmd_json_string(l->runbook));
        json_object_set_new(o, "count", json_integer(l->count));
        fmt_ts(l->first, f, sizeof f);
        fmt_ts(l->last, la, sizeof la);
        json_object_set_new(o, "first", l->first >= 0 ? rmd_json_string(f) : json_null());
        json_object_set_new(o, "last", l->last >= 0 ? rmd_json_string(la) : json_null());
        json_object_set_new(o, "untimed", json_integer(l->untimed));
        json_object_set_new(o, "trend", rmd_json_string(rmd_triage_trend(l)));
        json_object_set_new(o, "endpoints", counts(l->endpoints, l->n_endpoints));
        json_object_set_new(o, "sources", counts(l->sources, l->n_sources));
        json_t *h = json_array();
        int last = -1;
        for (int k = 0; k < RMD_TRIAGE_BUCKETS; k++)
            if (l->bucket[k]) last = k;
        for (int k = 0; k <= last; k++) json_array_append_new(h, json_integer(l->bucket[k]));
        json_t *ho = json_object();
        json_object_set_new(ho, "start", l->first >= 0 ? json_real(l->t0) : json_null());
        json_object_set_new(ho, "bucket_s", json_real(l->width));
        json_object_set_new(ho, "counts", h);
        json_object_set_new(o, "histogram", ho);
        json_object_set_new(o, "example", rmd_json_string(l->example));
        json_array_append_new(arr, o);
    }
    json_object_set_new(root, "events", json_integer(t->events));
    json_object_set_new(root, "untimed_excluded", json_integer(t->untimed_skipped));
    json_object_set_new(root, "causes", arr);
    json_dumpf(root, out, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_ENSURE_ASCII);
    fputc('\n', out);
    json_decref(root);
}
