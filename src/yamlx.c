/* yamlx.c -- YAML loading with depth and node caps (see yamlx.h). */
#include "yamlx.h"

#include <stdio.h>
#include <string.h>

static void set_err(rmd_yaml_error *err, const yaml_mark_t *m, const char *msg) {
    if (!err) return;
    err->line = m ? (int)m->line + 1 : 0;
    err->col = m ? (int)m->column + 1 : 0;
    err->tab = 0;
    err->ctx_line = err->ctx_col = 0;
    snprintf(err->msg, sizeof err->msg, "%s", msg);
}

/* A libyaml parser error in words, with the position libyaml gives. */
static void parser_err(const yaml_parser_t *p, const char *text, size_t len, rmd_yaml_error *err) {
    char msg[256];
    snprintf(msg, sizeof msg, "bad YAML: %s%s%s", p->problem ? p->problem : "syntax error", p->context ? " " : "",
             p->context ? p->context : "");
    set_err(err, &p->problem_mark, msg);
    if (err && p->context) {
        err->ctx_line = (int)p->context_mark.line + 1;
        err->ctx_col = (int)p->context_mark.column + 1;
    }
    if (err && p->problem_mark.index < len && text[p->problem_mark.index] == '\t') {
        err->tab = 1;
        snprintf(err->msg, sizeof err->msg, "tab character in YAML: YAML indents with spaces only");
    }
}

rmd_err rmd_yaml_check(const char *text, size_t len, const rmd_yaml_limits *lim, rmd_yaml_error *err) {
    int max_depth = lim && lim->max_depth > 0 ? lim->max_depth : RMD_YAML_MAX_DEPTH;
    size_t max_nodes = lim && lim->max_nodes > 0 ? lim->max_nodes : RMD_YAML_MAX_NODES;
    yaml_parser_t p;
    yaml_event_t ev;
    int depth = 0, done = 0;
    size_t nodes = 0;
    rmd_err rc = RMD_OK;
    if (!yaml_parser_initialize(&p)) return RMD_ENOMEM;
    yaml_parser_set_input_string(&p, (const unsigned char *)text, len);
    while (!done) {
        if (!yaml_parser_parse(&p, &ev)) {
            parser_err(&p, text, len, err);
            rc = p.error == YAML_MEMORY_ERROR ? RMD_ENOMEM : RMD_EPARSE;
            break;
        }
        switch (ev.type) {
        case YAML_SEQUENCE_START_EVENT:
        case YAML_MAPPING_START_EVENT:
            depth++;
            /* fall through */
        case YAML_SCALAR_EVENT:
            nodes++;
            break;
        case YAML_ALIAS_EVENT:
            /* an alias repeats a whole subtree wherever it stands: 90,000 of
             * them to a 60 KB value are 5 GB once loaded. Not accepted. */
            set_err(err, &ev.start_mark, "YAML aliases (*name) are not accepted: write the value out where it is used");
            rc = RMD_EPARSE;
            done = 1;
            break;
        case YAML_SEQUENCE_END_EVENT:
        case YAML_MAPPING_END_EVENT:
            depth--;
            break;
        case YAML_STREAM_END_EVENT:
            done = 1;
            break;
        default:
            break;
        }
        if (depth > max_depth) {
            char msg[128];
            snprintf(msg, sizeof msg, "YAML nested more than %d levels deep", max_depth);
            set_err(err, &ev.start_mark, msg);
            rc = RMD_ETOOBIG;
            done = 1;
        } else if (nodes > max_nodes) {
            char msg[128];
            snprintf(msg, sizeof msg, "YAML holds more than %zu values", max_nodes);
            set_err(err, &ev.start_mark, msg);
            rc = RMD_ETOOBIG;
            done = 1;
        }
        yaml_event_delete(&ev);
    }
    yaml_parser_delete(&p);
    return rc;
}

rmd_err rmd_yaml_load(const char *text, size_t len, const rmd_yaml_limits *lim, yaml_document_t *doc,
                      rmd_yaml_error *err) {
    yaml_parser_t p;
    rmd_err rc = rmd_yaml_check(text, len, lim, err);
    if (rc != RMD_OK) return rc;
    if (!yaml_parser_initialize(&p)) return RMD_ENOMEM;
    yaml_parser_set_input_string(&p, (const unsigned char *)text, len);
    if (!yaml_parser_load(&p, doc)) {
        parser_err(&p, text, len, err);
        rc = p.error == YAML_MEMORY_ERROR ? RMD_ENOMEM : RMD_EPARSE;
    }
    yaml_parser_delete(&p);
    return rc;
}
