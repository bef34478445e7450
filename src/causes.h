/* causes.h -- the cause vocabulary: every finding names one of these.
 *
 * The one table of cause ids in code; docs/causes.md is its prose twin and a
 * unit test checks the two agree. Ids are stable kebab-case strings. A new
 * cause = one line here + one rule (rules.c) + one runbook + one test.
 */
#ifndef RMD_CAUSES_H
#define RMD_CAUSES_H

typedef enum rmd_severity {
    RMD_SEV_INFO = 0,
    RMD_SEV_WARNING = 1,
    RMD_SEV_CRITICAL = 2
} rmd_severity;

const char *rmd_severity_name(rmd_severity s);

/* X(ENUM, "id", group, "title") -- group: connectivity, server, client, log, trend. */
#define RMD_CAUSES(X)                                                                          \
    /* connectivity: the probe's first failed phase */                                         \
    X(DNS_FAILURE,         "dns-failure",         "connectivity", "Host name does not resolve") \
    X(SERVER_DOWN,         "server-down",         "connectivity", "Nothing listens on the port") \
    X(BIND_MISMATCH,       "bind-mismatch",       "connectivity", "Server listens on another address") \
    X(SOCKET_PERMISSION,   "socket-permission",   "connectivity", "Unix socket not accessible to this user") \
    X(FIREWALL_REJECT,     "firewall-reject",     "connectivity", "Refused although a listener exists") \
    X(CONNECT_TIMEOUT,     "connect-timeout",     "connectivity", "TCP connect not answered") \
    X(SERVER_UNRESPONSIVE, "server-unresponsive", "connectivity", "Connected, but no reply in time") \
    X(TLS_REQUIRED,        "tls-required",        "connectivity", "Plaintext sent to a TLS port") \
    X(TLS_ERROR,           "tls-error",           "connectivity", "TLS handshake or verification failed") \
    X(AUTH_REQUIRED,       "auth-required",       "connectivity", "Server requires a password") \
    X(AUTH_FAILED,         "auth-failed",         "connectivity", "Password or user rejected") \
    X(PROTECTED_MODE,      "protected-mode",      "connectivity", "Protected mode refuses remote clients") \
    X(MAXCLIENTS_REACHED,  "maxclients-reached",  "connectivity", "Server at maxclients") \
    X(NOT_REDIS,           "not-redis",           "connectivity", "Something other than Redis answers") \
    X(LOADING_DATASET,     "loading-dataset",     "connectivity", "Server is loading its dataset") \
    X(SERVER_BUSY,         "server-busy",         "connectivity", "Server busy running a script") \
    X(CLIENTS_PAUSED,      "clients-paused",      "connectivity", "Clients paused (CLIENT PAUSE)") \
    X(DB_OUT_OF_RANGE,     "db-out-of-range",     "connectivity", "Database index does not exist") \
    X(UNKNOWN,             "unknown",             "connectivity", "Failure not classified; evidence shown") \
    /* server state: from INFO / CONFIG / CLIENT LIST / SLOWLOG / LATENCY / host */             \
    X(OOM_MAXMEMORY,       "oom-maxmemory",       "server", "Memory at maxmemory, writes refused") \
    X(MEMORY_HIGH,         "memory-high",         "server", "Memory close to maxmemory") \
    X(PERSISTENCE_FAILURE, "persistence-failure", "server", "RDB/AOF write failing") \
    X(CLIENTS_NEAR_LIMIT,  "clients-near-limit",  "server", "Connections close to maxclients") \
    X(REJECTED_CONNECTIONS,"rejected-connections","server", "Connections were rejected") \
    X(CONNECTION_LEAK,     "connection-leak",     "server", "One client holds most connections, idle") \
    X(SLOW_COMMANDS,       "slow-commands",       "server", "Slow commands block the server") \
    X(HIGH_LATENCY,        "high-latency",        "server", "PING round trips are slow") \
    X(REPLICA_LINK_DOWN,   "replica-link-down",   "server", "Replica lost its master") \
    X(CLUSTER_DOWN,        "cluster-down",        "server", "Cluster state is fail") \
    X(SENTINEL_MASTER_DOWN,"sentinel-master-down","server", "Sentinel sees its master down") \
    X(MIN_REPLICAS_UNMET,  "min-replicas-unmet",  "server", "Writes refused: too few replicas") \
    X(RECENT_RESTART,      "recent-restart",      "server", "Server restarted recently") \
    X(OOM_KILLED,          "oom-killed",          "server", "Kernel OOM killer took redis-server") \
    X(KEEPALIVE_DISABLED,  "keepalive-disabled",  "server", "TCP keepalive is off") \
    X(EVICTION_ACTIVE,     "eviction-active",     "server", "Keys are being evicted") \
    X(LATENCY_MONITOR_OFF, "latency-monitor-off", "server", "Latency evidence is not recorded") \
    X(NO_PASSWORD,         "no-password",         "server", "Password sent, server has none") \
    X(CHECKS_INCOMPLETE,   "checks-incomplete",   "server", "Some checks could not run") \
    /* log: recognised by triage in client and server logs */                                   \
    X(COMMAND_TIMEOUT,     "command-timeout",     "log", "Connected, but a reply came too late") \
    X(CONNECTION_RESET,    "connection-reset",    "log", "Connection reset, closed or broken") \
    X(POOL_EXHAUSTED,      "pool-exhausted",      "log", "Client-side connection pool exhausted") \
    X(READONLY_REPLICA,    "readonly-replica",    "log", "Writes sent to a read-only replica") \
    X(PORT_IN_USE,         "port-in-use",         "log", "Server could not bind its port") \
    X(SERVER_CRASH,        "server-crash",        "log", "Server crashed (assertion, signal)") \
    X(PROTOCOL_ERROR,      "protocol-error",      "log", "Protocol error between client and server")

typedef enum rmd_cause {
#define RMD_CAUSE_ENUM(e, id, group, title) RMD_CAUSE_##e,
    RMD_CAUSES(RMD_CAUSE_ENUM)
#undef RMD_CAUSE_ENUM
    RMD_CAUSE__COUNT
} rmd_cause;

typedef struct rmd_cause_info {
    rmd_cause   cause;
    const char *id;     /* "server-down" */
    const char *group;  /* "connectivity" | "server" | ... */
    const char *title;  /* short title */
} rmd_cause_info;

/* Static info for a cause. Never NULL for a valid cause. */
const rmd_cause_info *rmd_cause_get(rmd_cause c);
/* Cause for an id string, or -1 when unknown. */
int rmd_cause_find(const char *id);

#endif
