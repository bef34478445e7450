/* host.h -- facts about the machine the endpoint lives on, when it is this one.
 *
 * Part of the evidence stage. When the target is a loopback / local address
 * or a unix socket, rmd_host_collect() reads /proc and the kernel log to tell
 * "nothing listens" from "something listens but we are refused" (a firewall),
 * whether a redis-server process exists, the TCP states of connections to the
 * port, memory, free disk under the server's dir, and OOM-killer records.
 * Read-only; every source that cannot be read is recorded, never fatal.
 * The line parsers are separate and do no I/O so they can be unit-tested.
 */
#ifndef RMD_HOST_H
#define RMD_HOST_H

#include <stddef.h>

#define RMD_HOST_MAX_PROCS 16

typedef struct rmd_host_proc {
    int  pid;
    char comm[32];     /* /proc/PID/comm */
    char args[160];    /* /proc/PID/cmdline, NULs as spaces, truncated */
    char state;        /* /proc/PID/stat state letter: R, S, D, T (stopped)... */
} rmd_host_proc;

typedef struct rmd_host {
    int  collected;        /* rmd_host_collect ran */
    int  is_local;         /* the endpoint address belongs to this machine */

    /* Listener on the port (TCP LISTEN state in /proc/net/tcp{,6}) or unix path. */
    int  listen_checked;
    int  listening;        /* a listener exists for the port / path */
    unsigned long listen_inode;
    int  listen_pid;       /* owner, 0 if not found (other netns, no permission) */
    char listen_comm[32];
    char listen_addr[64];  /* the bound address, e.g. "127.0.0.1" or "0.0.0.0" or "::" */
    int  listen_backlog_queued;   /* rx_queue of the listener: connections waiting accept() */
    char listen_service[64];   /* systemd unit of the owner ("redis-server"), "" if none */
    char listen_container[80]; /* container id of the owner (docker, podman, containerd), "" if none */
    int  listen_k8s;           /* the owner's cgroup is a Kubernetes pod's (kubepods) */
    char listen_cwd[256];  /* the owner's working directory (/proc/PID/cwd), "" if unknown;
                            * ends in " (deleted)" when the directory was removed */

    /* Listeners on the same port but on another address or family (the
     * server bound to 127.0.0.1 while the client dials ::1), with owners. */
#define RMD_HOST_MAX_OTHER 4
    int  n_other;
    struct {
        char          addr[64];
        unsigned long inode;
        int           pid;       /* 0 when not found */
        char          comm[32];
    } other[RMD_HOST_MAX_OTHER];

    /* redis-server / valkey-server processes found in /proc. */
    rmd_host_proc procs[RMD_HOST_MAX_PROCS];
    int  n_procs;          /* kept in procs[]: the listener's process is always one of them */
    int  n_procs_total;    /* all found on the host */
    int  n_stopped;        /* of all found, in state T (stopped) */

    /* The server's end of the probe's own connection (client_port given):
     * after a PING timeout, unread bytes there mean the server is not reading
     * its sockets; no socket left means it read the request and let go when
     * we closed (its event loop runs: CLIENT PAUSE, or a blocking module). */
    int  client_port;      /* input: our local port, 0 = not asked */
    int  peer_found;       /* the server's socket for it still exists */
    int  peer_state;       /* its TCP state number (8 = CLOSE_WAIT) */
    unsigned long peer_rqueue; /* data bytes it has not read (our FIN not counted) */

    /* TCP states of connections whose local or remote port is the target port. */
    int  tcp_checked;
    long tcp_established, tcp_time_wait, tcp_close_wait, tcp_syn_sent, tcp_syn_recv, tcp_other;

    /* Memory (/proc/meminfo), kB; -1 when unknown. */
    long long mem_total_kb, mem_available_kb;

    /* Disk under the server's dir (statvfs); -1 when unknown. */
    char      disk_path[256];
    long long disk_free_bytes, disk_total_bytes;
    int       disk_dir_exists; /* 1 exists, 0 missing (ENOENT), -1 unknown */
    int       disk_hung;       /* stat of the dir did not return in time (a hung mount) */
    unsigned  disk_dir_mode;   /* the dir's permission bits (when it exists) */
    long      disk_dir_uid, disk_dir_gid; /* its owner, -1 unknown */
    long      listen_uid, listen_gid;     /* effective ids of the listener's process, -1 unknown */

    /* OOM killer records naming redis-server/valkey-server in the kernel log. */
    int  kmsg_readable;
    int  oom_count;
    char oom_line[256];       /* the newest such line, trimmed */
    double oom_age_s;         /* seconds since that line, -1 when unknown */

    int  systemd;             /* PID 1 is systemd (systemctl and journalctl work here) */

    /* The unix socket file as this user sees it (stat). */
    int      sock_stat_ok, sock_stat_errno;
    unsigned sock_mode;       /* permission bits */
    long     sock_uid, sock_gid;
    long     self_uid, self_gid;  /* the user redis-medic runs as */

    char notes[4][128];       /* sources that could not be read, for the report */
    int  n_notes;
} rmd_host;

/* Decide whether addr (numeric IPv4/IPv6 text) is an address of this machine:
 * loopback, or assigned to a local interface. */
int rmd_host_addr_is_local(const char *addr);

/* Collect host facts for a TCP endpoint (addr numeric, port) or a unix socket
 * path (addr NULL, port 0). dir is the server's CONFIG dir when known, or NULL;
 * it is measured in a thread for at most fs_timeout_ms (a hung mount must not
 * hang the diagnosis). client_port is the local port of a probe connection
 * whose server end should be looked at (0 for none). Fills *h (reset first).
 * Never fails: unreadable sources become notes. */
void rmd_host_collect(rmd_host *h, const char *addr, int port, const char *unix_path, const char *dir, int client_port,
                      int fs_timeout_ms);

/* The listener's own process among procs[] (a redis-server or
 * valkey-server), or NULL when another program or nobody visible owns it. */
const rmd_host_proc *rmd_host_listener_proc(const rmd_host *h);

/* Is the process that owns the listener stopped (state T)? Other stopped
 * instances on the host say nothing about this endpoint. */
int rmd_host_listener_stopped(const rmd_host *h);

/* ---- parsers (no I/O) ---- */

typedef struct rmd_tcp_entry {
    char          local_addr[64];
    int           local_port;
    char          remote_addr[64];
    int           remote_port;
    int           state;      /* kernel TCP state number: 1 ESTABLISHED, 6 TIME_WAIT, 8 CLOSE_WAIT, 10 LISTEN... */
    unsigned long rx_queue;
    unsigned long inode;
} rmd_tcp_entry;

/* Parse one data line of /proc/net/tcp (ipv6 = 0) or /proc/net/tcp6 (ipv6 = 1).
 * Returns 0 on success, -1 for the header or a malformed line. */
int rmd_host_parse_tcp_line(const char *line, int ipv6, rmd_tcp_entry *out);

/* From one /proc/PID/cgroup line, the systemd service (without ".service")
 * and the container id (64 hex digits, shortened to 12 as docker prints it).
 * Either output is left untouched when the line does not name one. */
void rmd_host_cgroup_line(const char *line, char *service, size_t slen, char *container, size_t clen);

/* If a kernel log line records the OOM killer taking a redis-server or
 * valkey-server process, return 1 and copy the process name into comm. */
int rmd_host_oom_line(const char *line, char *comm, size_t commlen);

#endif
