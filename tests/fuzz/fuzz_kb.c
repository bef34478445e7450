/* fuzz_kb.c -- libFuzzer target for runbook parsing: the YAML front matter
 * (through rmd_yaml_load and its caps), the markdown body readers (title,
 * metadata lines, symptoms, escalation, cause linking), steps with placeholder
 * maps, lint explanations and kb import's printing. Any input: no crash, no
 * leak, bounded time. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kb.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    rmd_kb_problems p = {0};
    rmd_runbook rb;
    if (size > RMD_KB_MAX_FILE) return 0;
    char *text = malloc(size + 1);
    if (!text) return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    if (rmd_kb_parse("fuzz.md", text, size, &rb, &p) == RMD_OK) {
        rmd_strlist steps = {0};
        rmd_kb_steps(&rb, &steps);
        for (size_t i = 0; i < rb.n_links; i++) rmd_kb_steps_for(&rb, rb.links[i].cause, &steps);
        rmd_strlist_free(&steps);
        rmd_kb_explain(&rb, 1764547200, &p);
        for (size_t i = 0; i < rb.contacts.n; i++) {
            char handle[64];
            rmd_kb_contact_kind(rb.contacts.items[i], handle, sizeof handle);
        }
        FILE *null = fopen("/dev/null", "w");
        if (null) {
            rmd_kb_print_normalised(&rb, null);
            fclose(null);
        }
    }
    rmd_runbook_free(&rb);
    rmd_kb_problems_free(&p);
    free(text);
    return 0;
}
