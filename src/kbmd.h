/* kbmd.h -- markdown runbook bodies as classified lines.
 *
 * Part of the advice stage's knowledge base (kb.c): a runbook body is split
 * into lines, each classified once (heading, fence, code, bullet, bold
 * metadata, table row, text) with the ## and ### section it belongs to, so
 * that the readers of kb.c (title, severity line, symptoms, escalation
 * contacts, steps, cause linking) walk one array instead of re-scanning
 * text. Bytes in, lines out: no I/O, no allocation per line beyond the array.
 * Slices borrow from the body.
 */
#ifndef RMD_KBMD_H
#define RMD_KBMD_H

#include <stddef.h>

typedef enum rmd_md_kind {
    RMD_MD_TEXT,     /* any other line (blank included) */
    RMD_MD_HEADING,  /* "# x" .. "###### x": level set, text = heading words */
    RMD_MD_FENCE,    /* "```lang" opening or "```" closing a code block (indent allowed) */
    RMD_MD_CODE,     /* a line inside a fenced block: text = the line without its indent */
    RMD_MD_BULLET,   /* "- x", "* x", "1. x": text = x */
    RMD_MD_META,     /* "**Key**: value" / "**Key:** value": key and text = value */
    RMD_MD_TABLE     /* "| a | b |": text = the first cell */
} rmd_md_kind;

typedef struct rmd_md_line {
    rmd_md_kind kind;
    int         level;        /* heading level 1..6; 0 otherwise */
    int         line;         /* 1-based line in the file */
    int         col;          /* 1-based column where text starts */
    const char *text;         /* borrowed slice, not NUL-terminated */
    size_t      len;
    const char *key;          /* META: the bold key; FENCE/CODE: the block's language ("" if none) */
    size_t      key_len;
    int         head;         /* index (into lines) of the heading this line is under; a
                                 heading's own head is its parent (a lower level); -1: none */
} rmd_md_line;

typedef struct rmd_md {
    rmd_md_line *lines;       /* owned */
    size_t       n;
} rmd_md;

#define RMD_MD_MAX_LINES 200000  /* lines beyond this are not classified (a 1 MiB file has fewer) */

/* Classify body[0..len) (borrowed; must outlive md), whose first line is
 * file line first_line. Returns 0, or -1 when out of memory. */
int rmd_md_parse(const char *body, size_t len, int first_line, rmd_md *md);
void rmd_md_free(rmd_md *md);

/* The kind of section a line is under: walks up its headings (nearest
 * first) and returns the first non-zero answer of kind(heading, arg). */
int rmd_md_under(const rmd_md *md, size_t i, int (*kind)(const rmd_md_line *h, void *arg), void *arg);

/* Heading words without leading '#', emoji, digits, "1." or "A." numbering,
 * copied into out (NUL-terminated). */
void rmd_md_heading_words(const rmd_md_line *l, char *out, size_t outlen);

/* Is lang a shell a person types commands into ("", bash, sh, shell, zsh, console)? */
int rmd_md_shell_lang(const char *lang, size_t n);

#endif
