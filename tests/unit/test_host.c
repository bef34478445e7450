/* test_host.c -- host fact parsers on real /proc and kernel lines, malformed
 * lines, and rmd_host_collect against a real redis-server started here. */
#include <signal.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <sys/socket.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "host.h"
#include "unit.h"
#include "util.h"

static int lines_of(const char *path, char lines[][512], int max) {
    FILE *f = fopen(path, "r");
    int n = 0;
    if (!f) return 0;
    while (n < max && fgets(lines[n], 512, f)) n++;
    fclose(f);
    return n;
}

TEST(tcp4_lines) {
    char l[8][512];
    rmd_tcp_entry e;
    int n = lines_of("tests/data/host/tcp.txt", l, 8);
    CHECK(n == 3);
    CHECK_INT(rmd_host_parse_tcp_line(l[0], 0, &e), -1); /* header */
    CHECK_INT(rmd_host_parse_tcp_line(l[1], 0, &e), 0);
    CHECK_STR(e.local_addr, "0.0.0.0");
    CHECK_INT(e.local_port, 0x07E8);
    CHECK_INT(e.state, 0x0A);
    CHECK_INT((long long)e.inode, 1145);
    CHECK_INT(rmd_host_parse_tcp_line(l[2], 0, &e), 0);
    CHECK_STR(e.local_addr, "127.0.0.1");
    CHECK_INT(e.local_port, 0x402E);
}

TEST(tcp6_lines) {
    char l[8][512];
    rmd_tcp_entry e;
    int n = lines_of("tests/data/host/tcp6.txt", l, 8);
    CHECK(n == 4);
    CHECK_INT(rmd_host_parse_tcp_line(l[1], 1, &e), 0);
    CHECK_STR(e.local_addr, "::");
    CHECK_INT(e.local_port, 6379);
    CHECK_INT((long long)e.rx_queue, 3);
    CHECK_INT((long long)e.inode, 48211);
    CHECK_INT(rmd_host_parse_tcp_line(l[2], 1, &e), 0);
    CHECK_STR(e.local_addr, "::1");
    CHECK_INT(e.remote_port, 6379);
    CHECK_INT(e.state, 1);
    CHECK_INT(rmd_host_parse_tcp_line(l[3], 1, &e), 0);
    CHECK_STR(e.local_addr, "::ffff:127.0.0.1");
    CHECK_INT(e.state, 8);
}

TEST(tcp_malformed) {
    rmd_tcp_entry e;
    static const char *bad[] = {
        "", "   0:", "   0: 0100007F:18EB", "   0: 0100007G:18EB 00000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0 1",
        "   0: 0100007F:18EB 00000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0",
        "   0: 0100007F18EB 00000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0 1",
        "garbage\xff\xfe",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) CHECK_INT(rmd_host_parse_tcp_line(bad[i], 0, &e), -1);
    /* an IPv4 line read as IPv6 is malformed, not misread */
    CHECK_INT(rmd_host_parse_tcp_line("   1: 0100007F:402E 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 261875 1", 1, &e), -1);
    char huge[5000];
    memset(huge, 'A', sizeof huge - 1);
    huge[sizeof huge - 1] = '\0';
    CHECK_INT(rmd_host_parse_tcp_line(huge, 0, &e), -1);
}

TEST(oom_lines) {
    char l[8][512], comm[32];
    int n = lines_of("tests/data/host/kmsg.txt", l, 8);
    CHECK(n == 3);
    CHECK_INT(rmd_host_oom_line(l[0], comm, sizeof comm), 1);
    CHECK_STR(comm, "redis-server");
    CHECK_INT(rmd_host_oom_line(l[1], comm, sizeof comm), 1);
    CHECK_INT(rmd_host_oom_line(l[2], comm, sizeof comm), 1);
    CHECK_STR(comm, "valkey-server");
    CHECK_INT(rmd_host_oom_line("Out of memory: Killed process 5 (java) total-vm:1kB", comm, sizeof comm), 0);
    CHECK_INT(rmd_host_oom_line("Killed process 5 (redis-server", comm, sizeof comm), 0);
    CHECK_INT(rmd_host_oom_line("redis-server started", comm, sizeof comm), 0);
}

TEST(local_addresses) {
    CHECK(rmd_host_addr_is_local("127.0.0.1"));
    CHECK(rmd_host_addr_is_local("127.3.4.5"));
    CHECK(rmd_host_addr_is_local("::1"));
    CHECK(rmd_host_addr_is_local("::ffff:127.0.0.1"));
    CHECK(!rmd_host_addr_is_local("192.0.2.7")); /* TEST-NET-1: never assigned */
    CHECK(!rmd_host_addr_is_local("not-an-ip"));
    CHECK(!rmd_host_addr_is_local(""));
}

/* Start redis-server on a spare loopback port; returns its pid (0 on failure). */
static pid_t start_server(int port) {
    char ps[16];
    snprintf(ps, sizeof ps, "%d", port);
    pid_t pid = fork();
    if (pid == 0) {
        freopen("/dev/null", "w", stdout);
        execlp("redis-server", "redis-server", "--port", ps, "--bind", "127.0.0.1", "--save", "", "--dir", "/tmp",
               "--logfile", "", (char *)NULL);
        _exit(127);
    }
    for (int i = 0; i < 200; i++) {
        rmd_host h;
        struct timespec ts = {0, 20 * 1000 * 1000};
        nanosleep(&ts, NULL);
        rmd_host_collect(&h, "127.0.0.1", port, NULL, NULL, 0, 1000);
        if (h.listening) return pid;
    }
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
    return 0;
}

/* A loopback port nobody uses now: the kernel picks it (bind to port 0). */
static int free_port(void) {
    int fd = socket(AF_INET, SOCK_STREAM, 0), port = 0;
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    if (fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof a) == 0 && getsockname(fd, (struct sockaddr *)&a, &len) == 0)
        port = ntohs(a.sin_port);
    if (fd >= 0) close(fd);
    return port;
}

TEST(collect_against_a_real_server) {
    int port = free_port();
    CHECK(port > 0);
    pid_t pid = start_server(port);
    CHECK(pid > 0);
    if (pid <= 0) return;
    rmd_host h;
    double t0 = rmd_now_ms();
    rmd_host_collect(&h, "127.0.0.1", port, NULL, "/tmp", 0, 1000);
    double ms = rmd_now_ms() - t0;
    CHECK(h.collected && h.is_local && h.listen_checked);
    CHECK(h.listening);
    CHECK_INT(h.listen_pid, pid);
    CHECK_STR(h.listen_comm, "redis-server");
    CHECK_STR(h.listen_addr, "127.0.0.1");
    CHECK(h.n_procs >= 1);
    int found = 0;
    for (int i = 0; i < h.n_procs; i++) found |= h.procs[i].pid == pid;
    CHECK(found);
    CHECK(h.mem_total_kb > 0 && h.mem_available_kb > 0);
    CHECK_INT(h.disk_dir_exists, 1);
    CHECK(h.disk_free_bytes > 0);
    printf("  (rmd_host_collect took %.2f ms)\n", ms);
    /* stopped */
    kill(pid, SIGSTOP);
    struct timespec ts = {0, 50 * 1000 * 1000};
    nanosleep(&ts, NULL);
    rmd_host_collect(&h, "127.0.0.1", port, NULL, "/nonexistent/dir/below", 0, 1000);
    CHECK(h.n_stopped >= 1);
    CHECK_INT(h.disk_dir_exists, 0);
    CHECK_STR(h.disk_path, "/");
    kill(pid, SIGCONT);
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
    rmd_host_collect(&h, "127.0.0.1", port, NULL, NULL, 0, 1000);
    CHECK(!h.listening);
    /* not local: nothing is read */
    rmd_host_collect(&h, "192.0.2.7", port, NULL, NULL, 0, 1000);
    CHECK(h.collected && !h.is_local && !h.listen_checked);
}

int main(void) {
    RUN(tcp4_lines);
    RUN(tcp6_lines);
    RUN(tcp_malformed);
    RUN(oom_lines);
    RUN(local_addresses);
    RUN(collect_against_a_real_server);
    return UNIT_END();
}
