/* kblink.h -- which causes a team's runbook covers, and why.
 *
 * Advice stage: a runbook written without a `cause:` key (a team's own
 * format) is linked to causes by matching its title, symptoms, section
 * headings, commands and table rows against one table of cause words
 * (kblink.c, documented in docs/runbooks.md). Every link keeps its reason
 * ("the section 'Connection Leak'") so kb show and kb lint can say why.
 * Pure functions over text: no I/O.
 */
#ifndef RMD_KBLINK_H
#define RMD_KBLINK_H

#include <stddef.h>

/* Where a phrase may be found; the weight of a link is its best place. */
enum {
    RMD_LINK_TITLE   = 1 << 0,  /* the runbook's title (weight 3) */
    RMD_LINK_SECTION = 1 << 1,  /* a ## .. #### heading (weight 2) */
    RMD_LINK_SYMPTOM = 1 << 2,  /* a symptom (front matter or Symptoms section) (weight 2) */
    RMD_LINK_COMMAND = 1 << 3,  /* a command of a diagnosis/resolution code block (weight 1) */
    RMD_LINK_ROW     = 1 << 4   /* the first cell of a table row (weight 1) */
};

#define RMD_LINK_WEIGHT_EXPLICIT 4  /* cause: / causes: in the front matter */

/* One link found by rmd_kblink_match. */
typedef struct rmd_kblink_hit {
    const char *cause;          /* static cause id */
    const char *phrase;         /* static table phrase that matched */
    int         where;          /* one RMD_LINK_* bit */
} rmd_kblink_hit;

/* Weight of a place bit (3, 2, 2, 1, 1). */
int rmd_kblink_weight(int where);

/* Word of a place for reasons: "title", "section", "symptom", "command", "table row". */
const char *rmd_kblink_place(int where);

/* Match text[0..len) (borrowed) found at place where against the table;
 * up to max hits are written to out. Returns the number written. Matching is
 * case-insensitive on whole words after splitting CamelCase and punctuation
 * ("ConnectionRefused" and "connection-refused" both read "connection
 * refused"); a trailing plural "s" is accepted. */
size_t rmd_kblink_match(const char *text, size_t len, int where, rmd_kblink_hit *out, size_t max);

/* Print the table (for docs and `kb lint --explain`-like output) to f (FILE*). */
void rmd_kblink_table_print(void *f);

#endif
