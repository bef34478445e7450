/* host.c -- host facts from /proc and the kernel log (see host.h).
 *
 * Everything here is read-only and bounded: files are read through fixed
 * buffers line by line, /proc/PID/fd is scanned only when a listener's owner
 * is wanted and stops at the first match, the kernel log read stops at a
 * record limit. A source that cannot be read becomes a note.
 */
#include "host.h"
#include "term.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <sys/klog.h>
#include <sys/socket.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

#define KMSG_MAX_RECORDS 50000
#define PATH_MAX_LEN 640

static void note(rmd_host *h, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void note(rmd_host *h, const char *fmt, ...) {
    va_list ap;
    if (h->n_notes >= 4) return;
    va_start(ap, fmt);
    vsnprintf(h->notes[h->n_notes++], sizeof h->notes[0], fmt, ap);
    va_end(ap);
}

/* ------------------------------------------------------------ addresses */

int rmd_host_addr_is_local(const char *addr) {
    struct in_addr a4;
    struct in6_addr a6;
    int fam = 0;
    if (!addr || !addr[0]) return 0;
    if (inet_pton(AF_INET, addr, &a4) == 1) fam = AF_INET;
    else if (inet_pton(AF_INET6, addr, &a6) == 1) fam = AF_INET6;
    else return 0;
    if (fam == AF_INET && (ntohl(a4.s_addr) >> 24) == 127) return 1;
    if (fam == AF_INET6 && IN6_IS_ADDR_LOOPBACK(&a6)) return 1;
    if (fam == AF_INET6 && IN6_IS_ADDR_V4MAPPED(&a6) && a6.s6_addr[12] == 127) return 1;
    struct ifaddrs *ifs, *i;
    int local = 0;
    if (getifaddrs(&ifs) != 0) return 0;
    for (i = ifs; i && !local; i = i->ifa_next) {
        if (!i->ifa_addr || i->ifa_addr->sa_family != fam) continue;
        if (fam == AF_INET)
            local = ((struct sockaddr_in *)(void *)i->ifa_addr)->sin_addr.s_addr == a4.s_addr;
        else
            local = memcmp(&((struct sockaddr_in6 *)(void *)i->ifa_addr)->sin6_addr, &a6, sizeof a6) == 0;
    }
    freeifaddrs(ifs);
    return local;
}

/* ------------------------------------------------------------- parsers */

static int hexval(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* Parse exactly n hex digits at *p into *out; advance *p. */
static int hex_n(const char **p, int n, unsigned long *out) {
    unsigned long v = 0;
    for (int i = 0; i < n; i++) {
        int d = hexval((*p)[i]);
        if (d < 0) return -1;
        v = (v << 4) | (unsigned long)d;
    }
    *p += n;
    *out = v;
    return 0;
}

/* Parse a variable-length hex number up to a non-hex char; advance *p. */
static int hex_var(const char **p, unsigned long *out) {
    unsigned long v = 0;
    int n = 0;
    while (hexval(**p) >= 0 && n < 16) {
        v = (v << 4) | (unsigned long)hexval(**p);
        (*p)++;
        n++;
    }
    if (n == 0) return -1;
    *out = v;
    return 0;
}

/* "0100007F:18EB" (IPv4) or 32 hex digits + ":PORT" (IPv6), as the kernel prints them. */
static int parse_endpoint(const char **p, int ipv6, char *addr, size_t alen, int *port) {
    unsigned long w, pt;
    if (!ipv6) {
        struct in_addr a;
        if (hex_n(p, 8, &w) != 0) return -1;
        uint32_t x = (uint32_t)w; /* bytes in host (little-endian) order */
        memcpy(&a.s_addr, &x, 4);
        inet_ntop(AF_INET, &a, addr, (socklen_t)alen);
    } else {
        struct in6_addr a;
        for (int i = 0; i < 4; i++) {
            if (hex_n(p, 8, &w) != 0) return -1;
            uint32_t x = (uint32_t)w;
            memcpy(&a.s6_addr[i * 4], &x, 4);
        }
        inet_ntop(AF_INET6, &a, addr, (socklen_t)alen);
    }
    if (**p != ':') return -1;
    (*p)++;
    if (hex_n(p, 4, &pt) != 0) return -1;
    *port = (int)pt;
    return 0;
}

static void skip_spaces(const char **p) {
    while (**p == ' ') (*p)++;
}

/* Skip one whitespace-separated field. */
static int skip_field(const char **p) {
    skip_spaces(p);
    if (!**p || **p == '\n') return -1;
    while (**p && **p != ' ' && **p != '\n') (*p)++;
    return 0;
}

int rmd_host_parse_tcp_line(const char *line, int ipv6, rmd_tcp_entry *out) {
    const char *p = line;
    unsigned long v, tx, rx;
    memset(out, 0, sizeof *out);
    skip_spaces(&p);
    if (hex_var(&p, &v) != 0 || *p != ':') return -1; /* "sl" index (decimal digits parse as hex too) */
    p++;
    skip_spaces(&p);
    if (parse_endpoint(&p, ipv6, out->local_addr, sizeof out->local_addr, &out->local_port) != 0) return -1;
    skip_spaces(&p);
    if (parse_endpoint(&p, ipv6, out->remote_addr, sizeof out->remote_addr, &out->remote_port) != 0) return -1;
    skip_spaces(&p);
    if (hex_n(&p, 2, &v) != 0) return -1;
    out->state = (int)v;
    skip_spaces(&p);
    if (hex_var(&p, &tx) != 0 || *p != ':') return -1;
    p++;
    if (hex_var(&p, &rx) != 0) return -1;
    out->rx_queue = rx;
    /* tr:tm->when, retrnsmt, uid, timeout, then inode */
    for (int i = 0; i < 4; i++)
        if (skip_field(&p) != 0) return -1;
    skip_spaces(&p);
    unsigned long long inode = 0;
    int digits = 0;
    while (*p >= '0' && *p <= '9' && digits < 20) {
        inode = inode * 10 + (unsigned)(*p - '0');
        p++;
        digits++;
    }
    if (!digits) return -1;
    out->inode = (unsigned long)inode;
    return 0;
}

void rmd_host_cgroup_line(const char *line, char *service, size_t slen, char *container, size_t clen) {
    const char *p;
    size_t n = strcspn(line, "\n");
    /* ".../redis-server.service" or ".../redis@6380.service" */
    const char *svc = NULL;
    for (p = line; (p = strstr(p, ".service")) && (size_t)(p - line) < n; p++) svc = p;
    if (svc) {
        const char *b = svc;
        while (b > line && b[-1] != '/') b--;
        if (svc > b) {
            char tmp[64];
            rmd_memlcpy(tmp, sizeof tmp, b, (size_t)(svc - b));
            if (strspn(tmp, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_@.:") == strlen(tmp))
                rmd_strlcpy(service, tmp, slen);
        }
    }
    /* 64 hex digits after "docker-", "docker/", "libpod-", "cri-containerd-" or a bare "/" */
    for (size_t i = 0; i + 64 <= n; i++) {
        if (i > 0 && line[i - 1] != '/' && line[i - 1] != '-') continue;
        size_t k = 0;
        while (k < 64 && isxdigit((unsigned char)line[i + k])) k++;
        if (k == 64 && (i + 64 == n || !isxdigit((unsigned char)line[i + 64]))) {
            rmd_memlcpy(container, clen, line + i, 12);
            return;
        }
    }
}

/* Process names the OOM rules care about. */
static int redis_comm(const char *s, size_t n) {
    return (n == 12 && !memcmp(s, "redis-server", 12)) || (n == 13 && !memcmp(s, "valkey-server", 13));
}

int rmd_host_oom_line(const char *line, char *comm, size_t commlen) {
    /* "Out of memory: Killed process 1234 (redis-server) ..." and
     * "Memory cgroup out of memory: Killed process 1234 (redis-server) ..." */
    const char *k = strstr(line, "Killed process ");
    if (k) {
        const char *lp = strchr(k, '('), *rp = lp ? strchr(lp, ')') : NULL;
        if (lp && rp && redis_comm(lp + 1, (size_t)(rp - lp - 1))) {
            rmd_memlcpy(comm, commlen, lp + 1, (size_t)(rp - lp - 1));
            return 1;
        }
    }
    return 0;
}

/* --------------------------------------------------------------- /proc */

/* Call fn for each data line of a small /proc file. Returns -1 if unreadable. */
static int each_line(const char *path, void (*fn)(const char *line, void *arg), void *arg) {
    char line[512];
    FILE *f = fopen(path, "r");
    if (!f) return -1;
    /* /proc/net/tcp can be megabytes (every TIME_WAIT socket): read it in
     * big chunks, not 4 KiB syscalls. */
    char *big = malloc(256 << 10);
    if (big) setvbuf(f, big, _IOFBF, 256 << 10);
    while (fgets(line, sizeof line, f)) {
        size_t l = strlen(line);
        if (l == sizeof line - 1 && line[l - 1] != '\n') { /* overlong line: skip its rest */
            int c;
            while ((c = fgetc(f)) != EOF && c != '\n') {}
            continue;
        }
        fn(line, arg);
    }
    fclose(f);
    free(big);
    return 0;
}

typedef struct tcp_scan {
    rmd_host   *h;
    const char *addr;  /* target address, numeric */
    int         port;
    int         ipv6;
} tcp_scan;

static int same_addr(const char *a, const char *b) {
    if (!strcmp(a, b)) return 1;
    /* ::ffff:127.0.0.1 vs 127.0.0.1 */
    if (!strncmp(a, "::ffff:", 7) && !strcmp(a + 7, b)) return 1;
    if (!strncmp(b, "::ffff:", 7) && !strcmp(b + 7, a)) return 1;
    return 0;
}

static void tcp_account(rmd_host *h, const rmd_tcp_entry *e, const char *addr, int port);

static void tcp_line(const char *line, void *arg) {
    tcp_scan *s = arg;
    rmd_tcp_entry e;
    if (rmd_host_parse_tcp_line(line, s->ipv6, &e) == 0) tcp_account(s->h, &e, s->addr, s->port);
}

typedef struct unix_scan {
    rmd_host   *h;
    const char *path;
} unix_scan;

/* /proc/net/unix: "Num RefCount Protocol Flags Type St Inode Path" */
static void unix_line(const char *line, void *arg) {
    unix_scan *s = arg;
    const char *p = line;
    unsigned long flags, inode = 0;
    if (skip_field(&p) || skip_field(&p) || skip_field(&p)) return;
    skip_spaces(&p);
    if (hex_var(&p, &flags) != 0) return;
    if (skip_field(&p) || skip_field(&p)) return;
    skip_spaces(&p);
    while (*p >= '0' && *p <= '9') inode = inode * 10 + (unsigned long)(*p++ - '0');
    skip_spaces(&p);
    size_t pl = strcspn(p, "\n");
    if (!(flags & 0x10000) || pl != strlen(s->path) || memcmp(p, s->path, pl) != 0) return;
    s->h->listening = 1;
    s->h->listen_inode = inode;
    rmd_strlcpy(s->h->listen_addr, s->path, sizeof s->h->listen_addr);
}

static int is_pid(const char *s) {
    if (!*s) return 0;
    for (; *s; s++)
        if (*s < '0' || *s > '9') return 0;
    return 1;
}

static int read_small(const char *path, char *buf, size_t n) {
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return -1;
    ssize_t r = read(fd, buf, n - 1);
    close(fd);
    if (r < 0) return -1;
    buf[r] = '\0';
    return (int)r;
}

/* Does process pid hold an fd that is the socket `want` ("socket:[N]")? */
static int pid_has_socket(const char *pid, const char *want) {
    char path[PATH_MAX_LEN], link[64];
    int found = 0;
    snprintf(path, sizeof path, "/proc/%s/fd", pid);
    DIR *fds = opendir(path);
    if (!fds) return 0;
    struct dirent *fe;
    while (!found && (fe = readdir(fds))) {
        if (!is_pid(fe->d_name)) continue;
        snprintf(path, sizeof path, "/proc/%s/fd/%s", pid, fe->d_name);
        ssize_t l = readlink(path, link, sizeof link - 1);
        if (l <= 0) continue;
        link[l] = '\0';
        found = !strcmp(link, want);
    }
    closedir(fds);
    return found;
}

/* Which process holds the socket inode? The redis-server processes already
 * found are asked first; then every process, stopping at the first match.
 * Fills pid and comm (left 0 / "" when not found). */
static void inode_owner(const rmd_host *h, unsigned long inode, int *pidp, char *comm, size_t commlen) {
    char want[48], path[PATH_MAX_LEN], pid[24], buf[64];
    snprintf(want, sizeof want, "socket:[%lu]", inode);
    for (int i = 0; i < h->n_procs && !*pidp; i++) {
        snprintf(pid, sizeof pid, "%d", h->procs[i].pid);
        if (pid_has_socket(pid, want)) *pidp = h->procs[i].pid;
    }
    DIR *proc = *pidp ? NULL : opendir("/proc");
    struct dirent *de;
    while (proc && !*pidp && (de = readdir(proc))) {
        long long n;
        if (!is_pid(de->d_name) || !pid_has_socket(de->d_name, want)) continue;
        if (rmd_parse_ll(de->d_name, strlen(de->d_name), &n) == 0) *pidp = (int)n;
    }
    if (proc) closedir(proc);
    if (!*pidp) return;
    snprintf(path, sizeof path, "/proc/%d/comm", *pidp);
    if (read_small(path, buf, sizeof buf) > 0) {
        buf[strcspn(buf, "\n")] = '\0';
        rmd_escape(comm, commlen, buf, strlen(buf));
    }
}

/* The listener's owner: pid, name, systemd unit or container, and cwd. */
static void find_owner(rmd_host *h) {
    char path[PATH_MAX_LEN];
    inode_owner(h, h->listen_inode, &h->listen_pid, h->listen_comm, sizeof h->listen_comm);
    if (h->listen_pid) {
        char line[512];
        snprintf(path, sizeof path, "/proc/%d/cgroup", h->listen_pid);
        FILE *cg = fopen(path, "r");
        while (cg && fgets(line, sizeof line, cg) && (h->listen_k8s |= strstr(line, "kubepods") != NULL, 1))
            rmd_host_cgroup_line(line, h->listen_service, sizeof h->listen_service, h->listen_container,
                                 sizeof h->listen_container);
        if (cg) fclose(cg);
        snprintf(path, sizeof path, "/proc/%d/status", h->listen_pid);
        FILE *stf = fopen(path, "r");
        while (stf && fgets(line, sizeof line, stf)) { /* "Uid:\treal\teffective..." */
            long long id;
            const char *u = !strncmp(line, "Uid:", 4) ? line + 4 : !strncmp(line, "Gid:", 4) ? line + 4 : NULL;
            if (!u) continue;
            u += strspn(u, " \t");
            size_t ul = strspn(u, "0123456789");
            const char *e2 = u + ul + strspn(u + ul, " \t"); /* the effective id is the second */
            size_t el = strspn(e2, "0123456789");
            if (el && rmd_parse_ll(e2, el, &id) == 0) {
                if (line[0] == 'U') h->listen_uid = (long)id;
                else h->listen_gid = (long)id;
            }
        }
        if (stf) fclose(stf);
        char cwd[256];
        snprintf(path, sizeof path, "/proc/%d/cwd", h->listen_pid);
        ssize_t l = readlink(path, cwd, sizeof cwd - 1);
        if (l > 0) rmd_term_escape(h->listen_cwd, sizeof h->listen_cwd, cwd, (size_t)l);
    }
}

/* The state letter of /proc/PID/stat (R, S, D, T, Z...), or '?'. */
static char proc_state(const char *pid) {
    char path[PATH_MAX_LEN], buf[512];
    snprintf(path, sizeof path, "/proc/%s/stat", pid);
    if (read_small(path, buf, sizeof buf) <= 0) return '?';
    const char *rp = strrchr(buf, ')');
    return rp && rp[1] == ' ' && rp[2] ? rp[2] : '?';
}

/* redis-server / valkey-server processes, and whether they are stopped. */
/* In a NUL-separated argv, overwrite the values of the options that carry
 * secrets (--requirepass X, --masterauth X, -a X, --pass X, --requirepass=X)
 * with '*': redis-server started with its password on the command line. */
static void redact_secret_args(char *buf, int n) {
    static const char *const opts[] = {"--requirepass", "--masterauth", "--masteruser-password", "-a", "--pass",
                                       "--tls-key-file-pass", "--tls-client-key-file-pass"};
    int hide_next = 0;
    for (int i = 0; i < n;) {
        char *arg = buf + i;
        int len = (int)strnlen(arg, (size_t)(n - i));
        if (hide_next) memset(arg, '*', (size_t)len);
        hide_next = 0;
        for (size_t k = 0; k < sizeof opts / sizeof opts[0]; k++) {
            size_t ol = strlen(opts[k]);
            if ((size_t)len == ol && !strncmp(arg, opts[k], ol)) hide_next = 1;
            else if ((size_t)len > ol && !strncmp(arg, opts[k], ol) && arg[ol] == '=')
                memset(arg + ol + 1, '*', (size_t)len - ol - 1);
        }
        i += len + 1;
    }
}

/* Fill one process entry from /proc/PID. 0, or -1 when it is gone or is
 * not a redis-server / valkey-server (or a zombie). */
static int read_proc(const char *pidtxt, rmd_host_proc *p) {
    char path[PATH_MAX_LEN], buf[512];
    snprintf(path, sizeof path, "/proc/%s/comm", pidtxt);
    int n = read_small(path, buf, sizeof buf);
    if (n <= 0) return -1;
    buf[strcspn(buf, "\n")] = '\0';
    if (!redis_comm(buf, strlen(buf))) return -1;
    char state = proc_state(pidtxt);
    if (state == 'Z' || state == 'X') return -1; /* dead, not yet reaped: not a server */
    long long pid = 0;
    rmd_parse_ll(pidtxt, strlen(pidtxt), &pid);
    memset(p, 0, sizeof *p);
    p->pid = (int)pid;
    p->state = state;
    rmd_strlcpy(p->comm, buf, sizeof p->comm);
    snprintf(path, sizeof path, "/proc/%s/cmdline", pidtxt);
    n = read_small(path, buf, sizeof buf);
    if (n > 0) {
        redact_secret_args(buf, n);
        for (int i = 0; i < n; i++)
            if (buf[i] == '\0') buf[i] = ' ';
        while (n > 0 && buf[n - 1] == ' ') buf[--n] = '\0';
        rmd_escape(p->args, sizeof p->args, buf, (size_t)n);
    }
    return 0;
}

/* Every redis-server / valkey-server: the first RMD_HOST_MAX_PROCS kept,
 * all counted (n_procs_total) and every stopped one counted. */
static void find_redis_procs(rmd_host *h) {
    DIR *proc = opendir("/proc");
    struct dirent *de;
    if (!proc) {
        note(h, "cannot read /proc: %s", strerror(errno));
        return;
    }
    while ((de = readdir(proc))) {
        rmd_host_proc p;
        if (!is_pid(de->d_name) || read_proc(de->d_name, &p) != 0) continue;
        h->n_procs_total++;
        if (p.state == 'T' || p.state == 't') h->n_stopped++;
        if (h->n_procs < RMD_HOST_MAX_PROCS) h->procs[h->n_procs++] = p;
    }
    closedir(proc);
}

/* The listener's own process is always among the kept ones, however many
 * instances the host runs. */
static void keep_listener_proc(rmd_host *h) {
    char pid[24];
    rmd_host_proc p;
    for (int i = 0; i < h->n_procs; i++)
        if (h->procs[i].pid == h->listen_pid) return;
    snprintf(pid, sizeof pid, "%d", h->listen_pid);
    if (read_proc(pid, &p) != 0) return;
    if (h->n_procs < RMD_HOST_MAX_PROCS) h->procs[h->n_procs++] = p;
    else h->procs[RMD_HOST_MAX_PROCS - 1] = p;
}

static void meminfo_line(const char *line, void *arg) {
    rmd_host *h = arg;
    long long v;
    const char *p;
    if (!strncmp(line, "MemTotal:", 9)) p = line + 9;
    else if (!strncmp(line, "MemAvailable:", 13)) p = line + 13;
    else return;
    while (*p == ' ') p++;
    size_t n = strspn(p, "0123456789");
    if (rmd_parse_ll(p, n, &v) != 0) return;
    if (line[3] == 'T') h->mem_total_kb = v;
    else h->mem_available_kb = v;
}

/* The filesystem facts of the server's dir, measured in a thread: a dir on a
 * mount that no longer answers (NFS gone, a hung FUSE daemon) blocks stat(2)
 * without end, and the server chooses the path. The job is shared: whoever
 * finishes last (the waiter, or a thread that returns after the deadline)
 * frees it. */
typedef struct disk_job {
    pthread_mutex_t mu;
    pthread_cond_t  cv;
    int             done, abandoned;
    char            path[256];      /* in: dir; out: nearest existing ancestor measured */
    int             exists;         /* 1, 0 (ENOENT), -1 unknown */
    unsigned        mode;           /* the dir's permission bits, when it exists */
    long            uid, gid;       /* its owner */
    int             measured;
    long long       free_bytes, total_bytes;
} disk_job;

static void *disk_worker(void *arg) {
    disk_job *j = arg;
    struct statvfs sv;
    struct stat st;
    char path[256];
    rmd_strlcpy(path, j->path, sizeof path);
    int exists = stat(path, &st) == 0 ? 1 : errno == ENOENT ? 0 : -1, ok = 1;
    unsigned mode = exists == 1 ? (unsigned)(st.st_mode & 07777) : 0;
    long uid = exists == 1 ? (long)st.st_uid : -1, gid = exists == 1 ? (long)st.st_gid : -1;
    while (statvfs(path, &sv) != 0) { /* free space of the nearest existing ancestor */
        char *slash = strrchr(path, '/');
        if (!slash || slash == path) {
            rmd_strlcpy(path, "/", sizeof path);
            ok = statvfs(path, &sv) == 0;
            break;
        }
        *slash = '\0';
    }
    pthread_mutex_lock(&j->mu);
    j->exists = exists;
    j->mode = mode;
    j->uid = uid;
    j->gid = gid;
    j->measured = ok;
    if (ok) {
        rmd_strlcpy(j->path, path, sizeof j->path);
        j->free_bytes = (long long)sv.f_bavail * (long long)sv.f_frsize;
        j->total_bytes = (long long)sv.f_blocks * (long long)sv.f_frsize;
    }
    j->done = 1;
    int abandoned = j->abandoned;
    pthread_cond_signal(&j->cv);
    pthread_mutex_unlock(&j->mu);
    if (abandoned) free(j);
    return NULL;
}

static void disk_facts(rmd_host *h, const char *dir, int timeout_ms) {
    disk_job *j = calloc(1, sizeof *j);
    pthread_t th;
    if (!j) return;
    pthread_mutex_init(&j->mu, NULL);
    pthread_cond_init(&j->cv, NULL);
    rmd_strlcpy(j->path, dir, sizeof j->path);
    if (pthread_create(&th, NULL, disk_worker, j) != 0) {
        free(j);
        return;
    }
    pthread_detach(th);
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    long long ns = until.tv_nsec + (long long)(timeout_ms > 0 ? timeout_ms : 2000) * 1000000LL;
    until.tv_sec += (time_t)(ns / 1000000000LL);
    until.tv_nsec = (long)(ns % 1000000000LL);
    pthread_mutex_lock(&j->mu);
    while (!j->done && pthread_cond_timedwait(&j->cv, &j->mu, &until) == 0) {}
    if (!j->done) {
        j->abandoned = 1; /* the worker frees it if it ever returns */
        pthread_mutex_unlock(&j->mu);
        note(h, "the data directory did not answer stat within %d ms: a hung mount (NFS, FUSE)?", timeout_ms);
        rmd_strlcpy(h->disk_path, dir, sizeof h->disk_path);
        h->disk_hung = 1;
        return;
    }
    pthread_mutex_unlock(&j->mu);
    h->disk_dir_exists = j->exists;
    if (j->exists == 1) {
        h->disk_dir_mode = j->mode;
        h->disk_dir_uid = j->uid;
        h->disk_dir_gid = j->gid;
    }
    if (j->measured) {
        rmd_strlcpy(h->disk_path, j->path, sizeof h->disk_path);
        h->disk_free_bytes = j->free_bytes;
        h->disk_total_bytes = j->total_bytes;
    }
    pthread_mutex_destroy(&j->mu);
    pthread_cond_destroy(&j->cv);
    free(j);
}

/* One kernel log message: count it if it records an OOM kill of redis.
 * secs is its time since boot, or < 0 when unknown. */
static void kmsg_message(rmd_host *h, const char *msg, size_t len, double secs, double *newest) {
    char line[512], comm[32];
    rmd_memlcpy(line, sizeof line, msg, len);
    if (!rmd_host_oom_line(line, comm, sizeof comm)) return;
    h->oom_count++;
    *newest = secs;
    rmd_escape(h->oom_line, sizeof h->oom_line, line, strlen(line));
}

/* The whole ring buffer in one syscall (klogctl READ_ALL): lines of
 * "<prio>[seconds.micros] message". Returns -1 when not permitted. */
static int kmsg_klogctl(rmd_host *h, double *newest) {
    int size = klogctl(10, NULL, 0); /* SYSLOG_ACTION_SIZE_BUFFER */
    if (size <= 0) return -1;
    if (size > (64 << 20)) size = 64 << 20;
    char *buf = malloc((size_t)size);
    if (!buf) return -1;
    int n = klogctl(3, buf, size); /* SYSLOG_ACTION_READ_ALL */
    if (n < 0) { free(buf); return -1; }
    const char *p = buf, *end = buf + n;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *le = nl ? nl : end, *m = p;
        double secs = -1;
        if (m < le && *m == '<') { const char *gt = memchr(m, '>', (size_t)(le - m)); if (gt) m = gt + 1; }
        if (m < le && *m == '[') {
            const char *rb = memchr(m, ']', (size_t)(le - m));
            if (rb) {
                const char *ts = m + 1;
                while (ts < rb && *ts == ' ') ts++;
                if (rmd_parse_double(ts, (size_t)(rb - ts), &secs) != 0) secs = -1;
                m = rb + 1;
                if (m < le && *m == ' ') m++;
            }
        }
        if (memmem(m, (size_t)(le - m), "Killed process", 14)) kmsg_message(h, m, (size_t)(le - m), secs, newest);
        p = nl ? nl + 1 : end;
    }
    free(buf);
    return 0;
}

/* Fallback: /dev/kmsg, one record per read ("prio,seq,usec,flags;message"). */
static int kmsg_dev(rmd_host *h, double *newest) {
    char rec[2048];
    int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) return -1;
    for (int i = 0; i < KMSG_MAX_RECORDS; i++) {
        ssize_t r = read(fd, rec, sizeof rec - 1);
        if (r < 0) {
            if (errno == EPIPE) continue; /* overwritten while reading: go on */
            break;                        /* EAGAIN: the end */
        }
        rec[r] = '\0';
        char *semi = strchr(rec, ';');
        if (!semi || !strstr(semi, "Killed process")) continue;
        char *c1 = strchr(rec, ','), *c2 = c1 ? strchr(c1 + 1, ',') : NULL, *c3 = c2 ? strchr(c2 + 1, ',') : NULL;
        long long us = -1;
        if (!c2 || !c3 || rmd_parse_ll(c2 + 1, (size_t)(c3 - c2 - 1), &us) != 0) us = -1;
        char *msg = semi + 1;
        kmsg_message(h, msg, strcspn(msg, "\n"), us >= 0 ? (double)us / 1e6 : -1, newest);
    }
    close(fd);
    return 0;
}

/* Kernel log: newest OOM-killer record naming redis-server / valkey-server.
 * Kernel timestamps count from boot on the monotonic clock. */
static void kmsg_facts(rmd_host *h) {
    double newest = -1;
    if (kmsg_klogctl(h, &newest) != 0 && kmsg_dev(h, &newest) != 0) {
        note(h, "kernel log not readable (needs CAP_SYSLOG): %s", strerror(errno));
        return;
    }
    h->kmsg_readable = 1;
    if (h->oom_count && newest >= 0) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        double now = (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
        h->oom_age_s = now > newest ? now - newest : 0;
    }
}

/* ---------------------------------------------------------- sock_diag */

/* Account one TCP socket (from netlink or /proc) into the host facts. */
static void tcp_account(rmd_host *h, const rmd_tcp_entry *e, const char *addr, int port) {
    if (e->state == 0x0A) {
        if (e->local_port != port) return;
        /* 0.0.0.0 accepts IPv4 only; :: accepts both (dual-stack, the Linux default) */
        int v6 = strchr(addr, ':') && strncmp(addr, "::ffff:", 7) != 0;
        int wild = (!v6 && !strcmp(e->local_addr, "0.0.0.0")) || !strcmp(e->local_addr, "::");
        int match = wild || same_addr(e->local_addr, addr);
        if (match && !h->listening) {
            h->listening = 1;
            h->listen_inode = e->inode;
            h->listen_backlog_queued = (int)e->rx_queue;
            rmd_strlcpy(h->listen_addr, e->local_addr, sizeof h->listen_addr);
        } else if (!match && h->n_other < RMD_HOST_MAX_OTHER) {
            rmd_strlcpy(h->other[h->n_other].addr, e->local_addr, sizeof h->other[0].addr);
            h->other[h->n_other++].inode = e->inode;
        }
        return;
    }
    if (e->local_port != port && e->remote_port != port) return;
    if (h->client_port && e->local_port == port && e->remote_port == h->client_port) {
        h->peer_found = 1;
        h->peer_state = e->state;
        /* in CLOSE_WAIT our FIN counts as one unread byte: it is not data */
        h->peer_rqueue = e->state == 8 && e->rx_queue > 0 ? e->rx_queue - 1 : e->rx_queue;
    }
    switch (e->state) {
    case 1: h->tcp_established++; break;
    case 2: h->tcp_syn_sent++; break;
    case 3: h->tcp_syn_recv++; break;
    case 6: h->tcp_time_wait++; break;
    case 8: h->tcp_close_wait++; break;
    default: h->tcp_other++; break;
    }
}

/* Ask the kernel (NETLINK_SOCK_DIAG, as ss(8) does) for the TCP sockets of
 * one family whose source or destination port is port: the kernel filters,
 * so a host with 100,000 TIME_WAIT sockets costs no more than an idle one.
 * Returns -1 when netlink is unavailable (the caller falls back to /proc). */
static int diag_dump(rmd_host *h, int family, const char *addr, int port) {
    struct {
        struct nlmsghdr         nlh;
        struct inet_diag_req_v2 req;
        struct nlattr           attr;
        struct inet_diag_bc_op  ops[5];
    } msg;
    char buf[32768];
    int fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
    if (fd < 0) return -1;
    memset(&msg, 0, sizeof msg);
    msg.nlh.nlmsg_len = sizeof msg;
    msg.nlh.nlmsg_type = SOCK_DIAG_BY_FAMILY;
    msg.nlh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
    msg.req.sdiag_family = (unsigned char)family;
    msg.req.sdiag_protocol = IPPROTO_TCP;
    msg.req.idiag_states = ~0U;
    msg.attr.nla_len = sizeof msg.attr + sizeof msg.ops;
    msg.attr.nla_type = INET_DIAG_REQ_BYTECODE;
    /* Bytecode (offsets in bytes; "yes" falls through, "no" jumps; ending
     * exactly at the end accepts, past it rejects), as ss(8) compiles OR:
     *  0: sport == port ? go to 8 : go to 12     (8: JMP to the end: accept)
     * 12: dport == port ? go to 20 (accept) : go to 24 (reject) */
    msg.ops[0] = (struct inet_diag_bc_op){INET_DIAG_BC_S_EQ, 8, 12};
    msg.ops[1] = (struct inet_diag_bc_op){0, 0, (unsigned short)port};
    msg.ops[2] = (struct inet_diag_bc_op){INET_DIAG_BC_JMP, 4, 12};
    msg.ops[3] = (struct inet_diag_bc_op){INET_DIAG_BC_D_EQ, 8, 12};
    msg.ops[4] = (struct inet_diag_bc_op){0, 0, (unsigned short)port};
    struct sockaddr_nl nl = {.nl_family = AF_NETLINK};
    if (sendto(fd, &msg, sizeof msg, 0, (struct sockaddr *)&nl, sizeof nl) < 0) {
        close(fd);
        return -1;
    }
    for (int rounds = 0; rounds < 100000; rounds++) {
        ssize_t n = recv(fd, buf, sizeof buf, 0);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        for (struct nlmsghdr *nh = (struct nlmsghdr *)(void *)buf; NLMSG_OK(nh, (size_t)n); nh = NLMSG_NEXT(nh, n)) {
            if (nh->nlmsg_type == NLMSG_DONE) { close(fd); return 0; }
            if (nh->nlmsg_type == NLMSG_ERROR) { close(fd); return -1; }
            const struct inet_diag_msg *m = NLMSG_DATA(nh);
            rmd_tcp_entry e;
            memset(&e, 0, sizeof e);
            inet_ntop(family, m->id.idiag_src, e.local_addr, sizeof e.local_addr);
            inet_ntop(family, m->id.idiag_dst, e.remote_addr, sizeof e.remote_addr);
            e.local_port = ntohs(m->id.idiag_sport);
            e.remote_port = ntohs(m->id.idiag_dport);
            e.state = m->idiag_state;
            e.rx_queue = m->idiag_rqueue;
            e.inode = m->idiag_inode;
            tcp_account(h, &e, addr, port);
        }
    }
    close(fd);
    return 0;
}

void rmd_host_collect(rmd_host *h, const char *addr, int port, const char *unix_path, const char *dir, int client_port,
                      int fs_timeout_ms) {
    memset(h, 0, sizeof *h);
    h->client_port = client_port;
    h->listen_uid = h->listen_gid = h->disk_dir_uid = h->disk_dir_gid = -1;
    h->mem_total_kb = h->mem_available_kb = -1;
    h->disk_free_bytes = h->disk_total_bytes = -1;
    h->disk_dir_exists = -1;
    h->oom_age_s = -1;
    h->collected = 1;
    h->is_local = unix_path ? 1 : rmd_host_addr_is_local(addr);
    if (!h->is_local) return;

    if (unix_path) {
        unix_scan us = {h, unix_path};
        h->listen_checked = each_line("/proc/net/unix", unix_line, &us) == 0;
        if (!h->listen_checked) note(h, "cannot read /proc/net/unix");
        struct stat st;
        if (stat(unix_path, &st) == 0) {
            h->sock_stat_ok = 1;
            h->sock_mode = (unsigned)(st.st_mode & 07777);
            h->sock_uid = (long)st.st_uid;
            h->sock_gid = (long)st.st_gid;
            h->self_uid = (long)geteuid();
            h->self_gid = (long)getegid();
        } else {
            h->sock_stat_errno = errno;
        }
    } else {
        int ok4 = diag_dump(h, AF_INET, addr, port) == 0;
        int ok6 = ok4 && diag_dump(h, AF_INET6, addr, port) == 0;
        if (!ok4 || !ok6) { /* no sock_diag here: parse the text tables */
            tcp_scan ts = {h, addr, port, 0};
            h->listening = h->n_other = 0;
            h->tcp_established = h->tcp_time_wait = h->tcp_close_wait = 0;
            h->tcp_syn_sent = h->tcp_syn_recv = h->tcp_other = 0;
            ok4 = each_line("/proc/net/tcp", tcp_line, &ts) == 0;
            ts.ipv6 = 1;
            ok6 = each_line("/proc/net/tcp6", tcp_line, &ts) == 0;
        }
        h->listen_checked = h->tcp_checked = ok4 || ok6;
        if (!h->listen_checked) note(h, "cannot read /proc/net/tcp");
    }
    find_redis_procs(h);
    if (h->listening && h->listen_inode) find_owner(h);
    if (h->listen_pid) keep_listener_proc(h);
    for (int i = 0; i < h->n_other; i++)
        if (h->other[i].inode) inode_owner(h, h->other[i].inode, &h->other[i].pid, h->other[i].comm, sizeof h->other[0].comm);
    char init[32];
    h->systemd = read_small("/proc/1/comm", init, sizeof init) > 0 && !strncmp(init, "systemd", 7);
    if (each_line("/proc/meminfo", meminfo_line, h) != 0) note(h, "cannot read /proc/meminfo");
    if (dir && dir[0]) disk_facts(h, dir, fs_timeout_ms);
    kmsg_facts(h);
}

const rmd_host_proc *rmd_host_listener_proc(const rmd_host *h) {
    for (int i = 0; i < h->n_procs && h->listen_pid; i++)
        if (h->procs[i].pid == h->listen_pid) return &h->procs[i];
    return NULL;
}

int rmd_host_listener_stopped(const rmd_host *h) {
    const rmd_host_proc *p = rmd_host_listener_proc(h);
    return p && (p->state == 'T' || p->state == 't');
}
