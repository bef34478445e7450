/* yamlx.h -- YAML loading with hard limits, for every YAML input we read.
 *
 * libyaml's scanner costs time quadratic in the nesting depth of flow
 * collections: a 1 MB runbook of "[[[[..." keeps yaml_parser_load busy for
 * minutes. rmd_yaml_load first walks the events (which lets us stop early)
 * and refuses input nested deeper than a cap, or with more nodes than a cap,
 * before building the document. Runbook front matter (kb.c) uses it; later
 * YAML inputs (fix policy, watch configuration) must too.
 *
 * Parsing never does I/O: bytes in, a yaml_document_t out.
 */
#ifndef RMD_YAMLX_H
#define RMD_YAMLX_H

#include <stddef.h>
#include <yaml.h>

#include "err.h"

#define RMD_YAML_MAX_DEPTH 32        /* nested sequences/maps; runbooks need 3 */
#define RMD_YAML_MAX_NODES 100000    /* scalars, sequences and maps together */

typedef struct rmd_yaml_limits {
    int    max_depth;                /* 0: RMD_YAML_MAX_DEPTH */
    size_t max_nodes;                /* 0: RMD_YAML_MAX_NODES */
} rmd_yaml_limits;

typedef struct rmd_yaml_error {
    int  line, col;                  /* 1-based within the input; 0 when unknown */
    int  tab;                        /* the offending byte is a tab (indentation) */
    int  ctx_line, ctx_col;          /* where the construct being parsed began; 0 when none */
    char msg[256];                   /* one sentence, no position */
} rmd_yaml_error;

/* Load one YAML document from text[0..len) (borrowed) into *doc (owned by the
 * caller on RMD_OK: yaml_document_delete). lim may be NULL for the defaults.
 * Returns RMD_OK; RMD_EPARSE for a syntax error; RMD_ETOOBIG when the input
 * is nested deeper or holds more nodes than the limits allow (err says which
 * and where); RMD_ENOMEM. An empty input loads as a document without root. */
rmd_err rmd_yaml_load(const char *text, size_t len, const rmd_yaml_limits *lim, yaml_document_t *doc,
                      rmd_yaml_error *err);

/* Check only the limits (the event walk of rmd_yaml_load), without building a
 * document. Same return values. */
rmd_err rmd_yaml_check(const char *text, size_t len, const rmd_yaml_limits *lim, rmd_yaml_error *err);

#endif
