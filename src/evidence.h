/* evidence.h -- what the probe and the collectors measured about one endpoint.
 *
 * Pipeline stage 3 of: target -> probe -> EVIDENCE -> rules -> findings -> report.
 * The probe (probe.c) and the host collector (host.c) fill an rmd_evidence; the
 * rules (rules.c) only read it. The parsers declared here turn server replies
 * (INFO text, CLIENT LIST text, SLOWLOG / LATENCY arrays) into plain structs.
 * Parsers never do I/O, bound everything they keep, and reset their output first.
 */
#ifndef RMD_EVIDENCE_H
#define RMD_EVIDENCE_H

#include <stddef.h>

#include "err.h"
#include "host.h"

/* ---------------------------------------------------------------- key/value */

typedef struct rmd_kv {
    char *key;  /* owned */
    char *val;  /* owned */
} rmd_kv;

typedef struct rmd_kvlist {
    rmd_kv *items;  /* owned */
    size_t  n, cap;
} rmd_kvlist;

/* Borrowed value for key, or NULL. */
const char *rmd_kv_get(const rmd_kvlist *l, const char *key);
/* Integer / double value for key: 0 on success, -1 when missing or not a number. */
int rmd_kv_get_ll(const rmd_kvlist *l, const char *key, long long *out);
int rmd_kv_get_double(const rmd_kvlist *l, const char *key, double *out);
/* Append a copy of key/value (does not replace an existing key). */
rmd_err rmd_kv_add(rmd_kvlist *l, const char *k, size_t klen, const char *v, size_t vlen);
void rmd_kv_free(rmd_kvlist *l);

/* Limits every parser enforces. */
#define RMD_INFO_MAX_FIELDS   4096    /* INFO keys kept; more is RMD_ETOOBIG */
#define RMD_CLIENTS_MAX_LINES 1000000 /* CLIENT LIST lines read */
#define RMD_CLIENT_GROUPS_MAX 256     /* distinct (addr, name) groups kept; the rest -> "(other)" */
#define RMD_SLOWLOG_MAX       128
#define RMD_LATENCY_MAX       64

/* Parse INFO text ("# Section\r\nkey:value\r\n...") into out (reset first).
 * Lines without ':' and comment lines are skipped; keys are kept verbatim.
 * Returns RMD_OK, RMD_ETOOBIG past RMD_INFO_MAX_FIELDS, RMD_ENOMEM. */
rmd_err rmd_info_parse(const char *text, size_t len, rmd_kvlist *out);

/* Parse a "k1=v1,k2=v2" INFO sub-value (e.g. db0:keys=1,expires=0, or
 * slave0:ip=...,port=...). Returns the value of field, copied into out, or -1. */
int rmd_info_subfield(const char *value, const char *field, char *out, size_t outlen);

/* ------------------------------------------------------------- CLIENT LIST */

typedef struct rmd_client_group {
    char      addr[64];        /* client IP without port, "unix" for unix sockets, "(other)" overflow */
    char      name[64];        /* CLIENT SETNAME value, "" when unnamed (escaped if not printable) */
    long      count;           /* connections in this group */
    long      idle_count;      /* of those, idle >= the idle threshold */
    long long oldest_age_s;    /* largest age= */
    long long max_idle_s;      /* largest idle= */
    long      blocked;         /* flags contain 'b' */
    long      pubsub;          /* sub= or psub= non-zero, or flags contain 'P' */
} rmd_client_group;

typedef struct rmd_clients {
    rmd_client_group *groups;    /* owned, sorted by count, descending */
    size_t            n, cap;
    long              total;     /* lines parsed */
    long              idle_total;
    long              skipped;   /* malformed lines */
    long              held_total;/* blocked (flag b) in a command that never blocks by itself (SET...) */
    char              held_cmd[32]; /* the first such command, escaped */
} rmd_clients;

/* Parse CLIENT LIST text into groups keyed by (addr IP, name). A client whose
 * idle= is >= idle_threshold_s counts as idle. Malformed lines are counted in
 * skipped, never fatal. Returns RMD_OK, RMD_ETOOBIG, RMD_ENOMEM. */
rmd_err rmd_clients_parse(const char *text, size_t len, long idle_threshold_s, rmd_clients *out);
void rmd_clients_free(rmd_clients *c);

/* ------------------------------------------------------ SLOWLOG / LATENCY */

typedef struct rmd_slow_entry {
    long long id;
    long long when;         /* unix seconds */
    long long usec;         /* execution time */
    char      cmd[96];      /* command and first arguments, escaped, truncated */
    char      client[64];   /* client addr (Redis >= 4), "" if absent */
} rmd_slow_entry;

typedef struct rmd_slowlog {
    rmd_slow_entry e[RMD_SLOWLOG_MAX];
    size_t         n;
    long long      max_usec;
} rmd_slowlog;

typedef struct rmd_latency_event {
    char      event[64];
    long long when;          /* unix seconds of latest spike */
    long long latest_ms;
    long long max_ms;
} rmd_latency_event;

typedef struct rmd_latency {
    rmd_latency_event e[RMD_LATENCY_MAX];
    size_t            n;
} rmd_latency;

/* hiredis's redisReply, forward-declared so this header stays narrow. */
struct redisReply;

/* Parse the reply of SLOWLOG GET / LATENCY LATEST (arrays as returned by hiredis).
 * Tolerates missing trailing fields (old servers); bad shapes -> RMD_EPARSE. */
rmd_err rmd_slowlog_from_reply(const struct redisReply *r, rmd_slowlog *out);
rmd_err rmd_latency_from_reply(const struct redisReply *r, rmd_latency *out);

/* ----------------------------------------------------------- the evidence */

typedef enum rmd_phase {
    RMD_PHASE_RESOLVE = 0,
    RMD_PHASE_CONNECT,
    RMD_PHASE_TLS,
    RMD_PHASE_AUTH,
    RMD_PHASE_PING,
    RMD_PHASE_COLLECT,
    RMD_PHASE__COUNT
} rmd_phase;

const char *rmd_phase_name(rmd_phase p);

/* How a phase failed. */
typedef enum rmd_fail {
    RMD_FAIL_NONE = 0,
    RMD_FAIL_DNS,          /* name did not resolve */
    RMD_FAIL_REFUSED,      /* ECONNREFUSED (RST to SYN), or unix socket with no listener */
    RMD_FAIL_NOENT,        /* unix socket path does not exist */
    RMD_FAIL_PERM,         /* EACCES / EPERM (socket file mode, local firewall EPERM) */
    RMD_FAIL_UNREACHABLE,  /* EHOSTUNREACH / ENETUNREACH (ICMP unreachable, no route) */
    RMD_FAIL_TIMEOUT,      /* deadline passed in this phase */
    RMD_FAIL_RESET,        /* ECONNRESET / EPIPE after connect */
    RMD_FAIL_EOF,          /* peer closed the connection */
    RMD_FAIL_TLS,          /* TLS handshake failed */
    RMD_FAIL_TLS_VERIFY,   /* certificate or host name verification failed */
    RMD_FAIL_PROTOCOL,     /* bytes that are not RESP */
    RMD_FAIL_TOO_BIG,      /* reply over our buffer / element limits */
    RMD_FAIL_REPLY,        /* the server answered with an error reply */
    RMD_FAIL_UNEXPECTED,   /* valid RESP, but not what the command returns */
    RMD_FAIL_SYSTEM        /* another errno (EMFILE, ENOBUFS, ...) */
} rmd_fail;

const char *rmd_fail_name(rmd_fail f);

typedef struct rmd_phase_result {
    unsigned char ran;       /* the phase was attempted */
    unsigned char ok;        /* and succeeded */
    rmd_fail      fail;
    int           sys_errno; /* errno for socket failures, 0 otherwise */
    double        ms;        /* wall time spent in the phase */
    char          detail[256]; /* human-readable cause ("connect: Connection refused") */
} rmd_phase_result;

/* A second, independent connection made to tell two causes apart
 * (plaintext to a TLS port, TLS to a plaintext port). */
typedef enum rmd_xcheck {
    RMD_XCHECK_NONE = 0,
    RMD_XCHECK_TLS_ANSWERED,    /* a TLS ClientHello got a TLS ServerHello back */
    RMD_XCHECK_RESP_ANSWERED,   /* a plaintext PING got a RESP reply back */
    RMD_XCHECK_NOTHING          /* the other protocol did not work either */
} rmd_xcheck;

/* Settings CONFIG GET asks for, in this order. Names and count in evidence.c. */
#define RMD_CONFIG_KEYS(X)                                        \
    X(MAXCLIENTS, "maxclients")                                   \
    X(MAXMEMORY, "maxmemory")                                     \
    X(MAXMEMORY_POLICY, "maxmemory-policy")                       \
    X(TIMEOUT, "timeout")                                         \
    X(TCP_KEEPALIVE, "tcp-keepalive")                             \
    X(PROTECTED_MODE, "protected-mode")                           \
    X(SAVE, "save")                                               \
    X(APPENDONLY, "appendonly")                                   \
    X(DIR, "dir")                                                 \
    X(STOP_WRITES_ON_BGSAVE_ERROR, "stop-writes-on-bgsave-error") \
    X(SLOWLOG_LOG_SLOWER_THAN, "slowlog-log-slower-than")         \
    X(LATENCY_MONITOR_THRESHOLD, "latency-monitor-threshold")     \
    X(DATABASES, "databases")                                     \
    X(LOGFILE, "logfile")                                         \
    X(DBFILENAME, "dbfilename")                                   \
    X(MASTERAUTH, "masterauth")   /* kept as "(set)" or "": never the secret */ \
    X(MIN_REPLICAS_TO_WRITE, "min-replicas-to-write")             \
    X(MIN_REPLICAS_MAX_LAG, "min-replicas-max-lag")

typedef enum rmd_config_key {
#define RMD_CFG_ENUM(id, name) RMD_CFG_##id,
    RMD_CONFIG_KEYS(RMD_CFG_ENUM)
#undef RMD_CFG_ENUM
    RMD_CFG__COUNT
} rmd_config_key;

const char *rmd_config_name(rmd_config_key k);

typedef enum rmd_item_status {
    RMD_ITEM_NOT_RUN = 0,  /* never asked (earlier phase failed) */
    RMD_ITEM_OK,
    RMD_ITEM_DENIED,       /* NOPERM: ACL forbids it */
    RMD_ITEM_UNAVAILABLE,  /* unknown command (renamed / disabled / not this version) */
    RMD_ITEM_ERROR         /* another error reply, or malformed */
} rmd_item_status;

typedef struct rmd_config_item {
    rmd_item_status status;
    char            value[256];  /* as the server returned it */
} rmd_config_item;

/* One collector's outcome, kept so a failing collector is evidence, not a crash. */
typedef struct rmd_collect_status {
    const char     *name;        /* static: "INFO", "CLIENT LIST", ... */
    rmd_item_status status;
    char            detail[160]; /* error reply or reason, escaped */
} rmd_collect_status;

#define RMD_COLLECTORS_MAX 32

typedef struct rmd_ping_stats {
    int    n;                 /* samples taken */
    double min, avg, p99, max; /* milliseconds */
} rmd_ping_stats;

typedef struct rmd_evidence {
    char             target[512];     /* redacted URL ("redis://user:***@host:6379/0") */
    char             host[256];       /* as given (no brackets), "" for unix */
    int              port;            /* 0 for unix */
    char             unix_path[108];
    int              tls;             /* TLS was requested */
    char             addr[64];        /* the address we connected (or tried last) */
    rmd_phase_result phase[RMD_PHASE__COUNT];
    int              failed_phase;    /* index of the first failed phase, -1 if none */
    int              reachable;       /* PING answered PONG */
    char             reply_error[256];/* error reply that stopped the probe, escaped */
    char             ping_error[256]; /* PING answered with an error the probe went on after (MISCONF), escaped */
    int              auth_unused;     /* a password was sent but not used: 1 none configured, 2 AUTH renamed/disabled */
    int              db;              /* the database index asked for (URL /N), 0 = default */
    char             select_error[256];/* SELECT db failed: the server's reply, escaped */
    int              local_port;      /* our side of the connection when PING timed out (0 if unknown) */
    long long        client_id;       /* CLIENT ID of the probe's own connection, -1 if unknown */
    char             peer_bytes[128]; /* first bytes of a non-RESP answer, escaped */
    rmd_xcheck       xcheck;
    char             xcheck_detail[200];

    /* Collected (valid when phase[RMD_PHASE_COLLECT].ran). */
    rmd_kvlist       info;            /* INFO everything */
    rmd_config_item  config[RMD_CFG__COUNT];
    rmd_clients      clients;
    rmd_slowlog      slowlog;
    rmd_latency      latency;
    rmd_kvlist       cluster;         /* CLUSTER INFO, when cluster_enabled:1 */
    rmd_ping_stats   ping;
    rmd_collect_status collectors[RMD_COLLECTORS_MAX];
    size_t           n_collectors;

    /* Host facts (valid when host.collected). */
    rmd_host         host_facts;
} rmd_evidence;

/* Zero an evidence struct for a new probe. */
void rmd_evidence_init(rmd_evidence *ev);
/* Free what the evidence owns; the struct may be reused after rmd_evidence_init(). */
void rmd_evidence_free(rmd_evidence *ev);
/* Record a collector outcome (name must be static). */
void rmd_evidence_collector(rmd_evidence *ev, const char *name, rmd_item_status st, const char *detail);

/* Remove a secret we sent from every text the evidence holds (error replies,
 * phase details, collector details, CONFIG and INFO values), in its raw and
 * escaped forms, and drop the arguments Redis quotes after "with args
 * beginning with:" (a renamed AUTH echoes the password, possibly truncated).
 * secret may be NULL or empty: then only the quoted arguments are dropped. */
void rmd_evidence_scrub(rmd_evidence *ev, const char *secret);

/* Classify a Redis error reply: NOPERM -> DENIED, "unknown command"/"unknown
 * subcommand" -> UNAVAILABLE, anything else -> ERROR. */
rmd_item_status rmd_item_status_of_error(const char *err);

#endif
