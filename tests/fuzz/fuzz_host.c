/* fuzz_host.c -- libFuzzer target for the /proc/net/tcp{,6} line parser and the
 * kernel-log OOM line matcher. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "host.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    char *line = size > (64u << 10) ? NULL : malloc(size + 1); /* cap: /proc lines are short */
    rmd_tcp_entry e;
    char comm[32];
    if (!line) return 0;
    memcpy(line, data, size);
    line[size] = '\0';
    rmd_host_parse_tcp_line(line, 0, &e);
    rmd_host_parse_tcp_line(line, 1, &e);
    rmd_host_oom_line(line, comm, sizeof comm);
    free(line);
    return 0;
}
