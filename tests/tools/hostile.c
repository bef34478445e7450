/* hostile.c -- a hostile peer for redis-medic's integration tests.
 *
 * Not a Redis mock: a server that is *not* Redis, or that abuses the protocol,
 * so the tests can check that `redis-medic diagnose` answers `not-redis` or a
 * timeout finding within its deadline, with bounded memory and no crash.
 *
 *   hostile MODE PORT [LIFETIME_S]
 *
 * Listens on 127.0.0.1:PORT only (never any other address) and serves every
 * connection according to MODE:
 *   http      on the first bytes received, answers "HTTP/1.1 400 Bad Request"
 *             and closes, as a web server would
 *   garbage   sends random binary bytes on accept and after every read
 *   bigbulk   answers any input with "$1073741824\r\n" and a few bytes, then
 *             keeps the connection open without sending the rest
 *   deepnest  answers the first input with "*1\r\n" repeated 1,000,000 times
 *   drip      answers every input with "+PONG\r\n", one byte per second
 *             (the first at once, so the client sees a reply begin)
 *   silent    accepts and reads, never answers
 *   ssh       sends an OpenSSH banner on accept; on input, the OpenSSH
 *             "Invalid SSH identification string." line, then closes
 *   close     accepts and closes at once, saying nothing (a proxy with no
 *             backend, a wrapper that drops connections)
 *   endless   answers the first input with "+" and then bytes without a
 *             line end, as fast as the client reads, forever
 *   pongjunk  answers the first input (PING) with "+PONG", everything after
 *             with garbage: a broken proxy
 *   pongbig   answers PING with "+PONG", then announces a 200 MB bulk reply
 *             and sends its first bytes
 *   pongmute  answers PING with "+PONG", then never again
 * Exits by itself after LIFETIME_S seconds (default 60), and on SIGTERM or
 * SIGINT. Prints nothing; the tests wait for the port to listen.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_CLIENTS 64
#define GARBAGE_LEN 4096
#define NEST_REPS 1000000L          /* "*1\r\n" this many times in deepnest mode */
#define NEST_CHUNK_REPS 10000L      /* reps per chunk written (divides NEST_REPS) */

enum mode { M_HTTP, M_GARBAGE, M_BIGBULK, M_DEEPNEST, M_DRIP, M_SILENT, M_SSH, M_CLOSE, M_ENDLESS, M_PONGJUNK, M_PONGBIG, M_PONGMUTE };

static const char *const mode_names[] = {"http", "garbage", "bigbulk", "deepnest",
                                         "drip", "silent", "ssh", "close", "endless", "pongjunk", "pongbig", "pongmute"};

static const char http_reply[] =
    "HTTP/1.1 400 Bad Request\r\n"
    "Server: nginx/1.22.1\r\n"
    "Content-Type: text/html\r\n"
    "Content-Length: 157\r\n"
    "Connection: close\r\n\r\n"
    "<html>\r\n<head><title>400 Bad Request</title></head>\r\n<body>\r\n"
    "<center><h1>400 Bad Request</h1></center>\r\n<hr><center>nginx/1.22.1</center>\r\n"
    "</body>\r\n</html>\r\n";
static const char bigbulk_reply[] = "$1073741824\r\nabcdefgh";
static const char ssh_banner[] = "SSH-2.0-OpenSSH_9.2\r\n";
static const char ssh_reject[] = "Invalid SSH identification string.\r\n";
static const char pong[] = "+PONG\r\n";
static const char pongbig_reply[] = "$209715200\r\n# Server\r\nredis_version:7.0.15\r\n";
static char endless_chunk[16384];  /* "+" then 'x' without a line end */

/* One accepted connection and what is still to be sent to it. */
struct client {
    int fd;               /* -1 when the slot is free */
    const char *buf;      /* pending output (borrowed from static storage) */
    size_t len, off;      /* pending output length, bytes already written */
    long reps;            /* times buf is still to be sent after this one */
    int close_after;      /* close once the pending output is written */
    int got_input;        /* the peer has sent something */
    size_t drip_left;     /* drip mode: bytes of "+PONG\r\n" still owed */
    size_t drip_pos;      /* drip mode: next byte of pong[] to send */
    double next_drip;     /* drip mode: monotonic time of the next byte */
};

static volatile sig_atomic_t stop_flag;
static unsigned char garbage[GARBAGE_LEN];
static char *nest_chunk;  /* NEST_CHUNK_REPS copies of "*1\r\n" */

static void on_signal(int sig) {
    (void)sig;
    stop_flag = 1;
}

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Fill the garbage buffer with xorshift noise whose first byte is never a
 * RESP type character (so the stream cannot be mistaken for a reply). */
static void make_garbage(void) {
    unsigned long x = (unsigned long)time(NULL) ^ ((unsigned long)getpid() << 16) ^ 0x9e3779b9UL;
    for (size_t i = 0; i < GARBAGE_LEN; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        garbage[i] = (unsigned char)(x >> 11);
    }
    garbage[0] = (unsigned char)(0x80 | garbage[0]);
}

/* Build the deepnest chunk. Returns 0, or -1 on allocation failure. */
static void make_endless_chunk(void) {
    memset(endless_chunk, 'x', sizeof endless_chunk);
    endless_chunk[0] = '+';
}

static int make_nest_chunk(void) {
    nest_chunk = malloc((size_t)NEST_CHUNK_REPS * 4);
    if (nest_chunk == NULL) return -1;
    for (long i = 0; i < NEST_CHUNK_REPS; i++) memcpy(nest_chunk + i * 4, "*1\r\n", 4);
    return 0;
}

static int parse_mode(const char *s) {
    for (size_t i = 0; i < sizeof mode_names / sizeof mode_names[0]; i++)
        if (strcmp(s, mode_names[i]) == 0) return (int)i;
    return -1;
}

/* Parse a decimal integer in [lo, hi] without atoi; -1 when invalid. */
static long parse_num(const char *s, long lo, long hi) {
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno != 0 || end == s || *end != '\0' || v < lo || v > hi) return -1;
    return v;
}

/* Open the listening socket on 127.0.0.1:port. Returns the fd or -1. */
static int listen_on(int port) {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = htons((unsigned short)port);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0 || listen(fd, 64) < 0) {
        int saved = errno;
        close(fd);
        errno = saved;
        return -1;
    }
    return fd;
}

static void queue(struct client *c, const void *buf, size_t len, long reps, int close_after) {
    c->buf = buf;
    c->len = len;
    c->off = 0;
    c->reps = reps;
    c->close_after = close_after;
}

static void drop(struct client *c) {
    close(c->fd);
    memset(c, 0, sizeof *c);
    c->fd = -1;
}

/* What a fresh connection gets before it has said anything. */
static void on_accept(struct client *c, enum mode m) {
    if (m == M_SSH) queue(c, ssh_banner, sizeof ssh_banner - 1, 0, 0);
    if (m == M_GARBAGE) queue(c, garbage, 256, 0, 0);
}

/* React to bytes from the peer (already read and discarded). */
static void on_input(struct client *c, enum mode m, double now) {
    int first = !c->got_input;
    c->got_input = 1;
    int idle = c->buf == NULL;
    switch (m) {
    case M_HTTP:
        if (first) queue(c, http_reply, sizeof http_reply - 1, 0, 1);
        break;
    case M_GARBAGE:
        if (idle) queue(c, garbage, GARBAGE_LEN, 0, 0);
        break;
    case M_BIGBULK:
        if (idle) queue(c, bigbulk_reply, sizeof bigbulk_reply - 1, 0, 0);
        break;
    case M_DEEPNEST:
        if (first) queue(c, nest_chunk, (size_t)NEST_CHUNK_REPS * 4,
                         NEST_REPS / NEST_CHUNK_REPS - 1, 0);
        break;
    case M_DRIP:
        if (c->drip_left == 0) c->next_drip = now;  /* first byte at once */
        c->drip_left += sizeof pong - 1;
        break;
    case M_SILENT:
        break;
    case M_SSH:
        if (idle) queue(c, ssh_reject, sizeof ssh_reject - 1, 0, 1);
        break;
    case M_CLOSE:
        break;
    case M_ENDLESS:
        if (first) queue(c, endless_chunk, sizeof endless_chunk, 1L << 40, 0);
        break;
    case M_PONGJUNK:
        if (first) queue(c, pong, sizeof pong - 1, 0, 0);
        else if (idle) queue(c, garbage, GARBAGE_LEN, 0, 0);
        break;
    case M_PONGMUTE:
        if (first) queue(c, pong, sizeof pong - 1, 0, 0);
        break;
    case M_PONGBIG:
        if (first) queue(c, pong, sizeof pong - 1, 0, 0);
        else if (idle) queue(c, pongbig_reply, sizeof pongbig_reply - 1, 0, 0);
        break;
    }
}

/* Write what is pending for c. Returns -1 when the connection must go. */
static int flush_out(struct client *c) {
    while (c->buf != NULL) {
        ssize_t n = send(c->fd, c->buf + c->off, c->len - c->off, MSG_NOSIGNAL);
        if (n < 0) return (errno == EAGAIN || errno == EINTR) ? 0 : -1;
        c->off += (size_t)n;
        if (c->off < c->len) continue;
        if (c->reps > 0) {
            c->reps--;
            c->off = 0;
            continue;
        }
        c->buf = NULL;
        if (c->close_after) return -1;
    }
    return 0;
}

/* Send the next drip byte when it is due. Returns -1 when the connection must go. */
static int drip(struct client *c, double now) {
    if (c->drip_left == 0 || now < c->next_drip) return 0;
    if (send(c->fd, pong + c->drip_pos, 1, MSG_NOSIGNAL) != 1) return -1;
    c->drip_pos = (c->drip_pos + 1) % (sizeof pong - 1);
    c->drip_left--;
    c->next_drip = now + 1.0;
    return 0;
}

static void accept_all(int lfd, struct client *cl, enum mode m) {
    for (;;) {
        int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) return;
        struct client *c = NULL;
        for (int i = 0; i < MAX_CLIENTS && c == NULL; i++)
            if (cl[i].fd < 0) c = &cl[i];
        if (c == NULL) {
            close(fd);
            continue;
        }
        if (m == M_CLOSE) {
            close(fd);
            continue;
        }
        c->fd = fd;
        on_accept(c, m);
    }
}

/* Serve one readiness event on client c. */
static void serve(struct client *c, short revents, enum mode m, double now) {
    if (revents & POLLIN) {
        char buf[4096];
        ssize_t n = recv(c->fd, buf, sizeof buf, 0);
        if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
            drop(c);
            return;
        }
        if (n > 0) on_input(c, m, now);
    } else if (revents & (POLLERR | POLLHUP | POLLNVAL)) {
        drop(c);
        return;
    }
    if (flush_out(c) < 0 || drip(c, now) < 0) drop(c);
}

static int run(int lfd, enum mode m, double deadline) {
    struct client cl[MAX_CLIENTS];
    struct pollfd pfd[MAX_CLIENTS + 1];
    struct client *who[MAX_CLIENTS + 1];
    for (int i = 0; i < MAX_CLIENTS; i++) {
        memset(&cl[i], 0, sizeof cl[i]);
        cl[i].fd = -1;
    }
    while (!stop_flag) {
        double now = now_s();
        if (now >= deadline) break;
        int n = 0;
        pfd[n].fd = lfd;
        pfd[n].events = POLLIN;
        who[n++] = NULL;
        for (int i = 0; i < MAX_CLIENTS; i++) {
            if (cl[i].fd < 0) continue;
            pfd[n].fd = cl[i].fd;
            pfd[n].events = (short)(POLLIN | (cl[i].buf != NULL ? POLLOUT : 0));
            who[n++] = &cl[i];
        }
        int wait_ms = (int)((deadline - now) * 1000.0) + 1;
        if (wait_ms > 200) wait_ms = 200;  /* drip clock and signal checks */
        if (poll(pfd, (nfds_t)n, wait_ms) < 0 && errno != EINTR) return 1;
        now = now_s();
        if (pfd[0].revents & POLLIN) accept_all(lfd, cl, m);
        for (int i = 1; i < n; i++) serve(who[i], pfd[i].revents, m, now);
    }
    for (int i = 0; i < MAX_CLIENTS; i++)
        if (cl[i].fd >= 0) drop(&cl[i]);
    return 0;
}

int main(int argc, char **argv) {
    if (argc < 3 || argc > 4) {
        fprintf(stderr, "usage: hostile http|garbage|bigbulk|deepnest|drip|silent|ssh|close PORT [LIFETIME_S]\n");
        return 64;
    }
    int m = parse_mode(argv[1]);
    long port = parse_num(argv[2], 1, 65535);
    long life = argc == 4 ? parse_num(argv[3], 1, 3600) : 60;
    if (m < 0 || port < 0 || life < 0) {
        fprintf(stderr, "hostile: bad mode, port or lifetime\n");
        return 64;
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    make_garbage();
    make_endless_chunk();
    if (make_nest_chunk() < 0) {
        fprintf(stderr, "hostile: out of memory\n");
        return 70;
    }
    int lfd = listen_on((int)port);
    if (lfd < 0) {
        fprintf(stderr, "hostile: cannot listen on 127.0.0.1:%ld: %s\n", port, strerror(errno));
        free(nest_chunk);
        return 1;
    }
    int rc = run(lfd, (enum mode)m, now_s() + (double)life);
    close(lfd);
    free(nest_chunk);
    return rc;
}
