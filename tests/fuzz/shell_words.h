/* shell_words.h -- a small, pure-C model of how a POSIX shell (bash) splits
 * one command line into words and operators, for the step-expansion oracle
 * of fuzz_advice.c. Test code only; independent of src/ on purpose (an oracle
 * that shared the quoting code under test would agree with its bugs).
 *
 * Modelled: blanks between words; newline and | & ; ( ) < > as operators;
 * '...' literal; "..." with \ escaping only $ ` " \ newline; \ outside quotes;
 * backslash-newline continuation; # comments at a word start. Anything the
 * shell would expand rather than take literally is recorded as a flag on the
 * word: $ and ` (unquoted or in double quotes), $'...' / $"...", unquoted
 * glob characters * ? [, brace expansion {, a leading ~. Words and flags are
 * what two expansions are compared on; no expansion is performed.
 */
#ifndef RMD_SHELL_WORDS_H
#define RMD_SHELL_WORDS_H

#include <stdlib.h>
#include <string.h>

enum { SW_WORD = 0, SW_OP = 1 };
enum { SW_EXP = 1, SW_GLOB = 2, SW_BRACE = 4, SW_TILDE = 8 };

typedef struct sw_tok {
    int      kind;   /* SW_WORD or SW_OP */
    unsigned flags;  /* SW_* for words */
    char    *text;   /* owned, NUL-terminated (a word may hold no NUL) */
    size_t   len;
} sw_tok;

typedef struct sw_list {
    sw_tok *t;
    size_t  n, cap;
} sw_list;

static inline void sw_free(sw_list *l) {
    for (size_t i = 0; i < l->n; i++) free(l->t[i].text);
    free(l->t);
    memset(l, 0, sizeof *l);
}

typedef struct sw_word {
    char    *buf;
    size_t   len, cap;
    unsigned flags;
    int      open;  /* a word has started (even an empty '' one) */
} sw_word;

static inline int sw_put(sw_word *w, char c) {
    if (w->len + 2 > w->cap) {
        size_t nc = w->cap ? w->cap * 2 : 64;
        char *nb = realloc(w->buf, nc);
        if (!nb) return -1;
        w->buf = nb;
        w->cap = nc;
    }
    w->buf[w->len++] = c;
    w->buf[w->len] = '\0';
    w->open = 1;
    return 0;
}

static inline int sw_push(sw_list *l, int kind, unsigned flags, const char *s, size_t n) {
    if (l->n == l->cap) {
        size_t nc = l->cap ? l->cap * 2 : 16;
        sw_tok *nt = realloc(l->t, nc * sizeof *nt);
        if (!nt) return -1;
        l->t = nt;
        l->cap = nc;
    }
    char *c = malloc(n + 1);
    if (!c) return -1;
    memcpy(c, s, n);
    c[n] = '\0';
    l->t[l->n++] = (sw_tok){kind, flags, c, n};
    return 0;
}

static inline int sw_end_word(sw_list *l, sw_word *w) {
    if (!w->open) return 0;
    int rc = sw_push(l, SW_WORD, w->flags, w->buf ? w->buf : "", w->len);
    w->len = 0;
    w->flags = 0;
    w->open = 0;
    return rc;
}

/* Does the character after '$' start an expansion? */
static inline int sw_dollar_expands(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '{' ||
           c == '(' || c == '\'' || c == '"' || (c != '\0' && strchr("?#@*!$-", c));
}

/* Split s into out. 0, or -1 on unterminated quotes (a syntax error the
 * shell would refuse) or allocation failure. */
static inline int sw_split(const char *s, sw_list *out) {
    sw_word w = {0};
    size_t i = 0;
    int rc = -1;
    memset(out, 0, sizeof *out);
    while (s[i]) {
        char c = s[i];
        if (!w.open && c == '#') {                     /* comment to end of line */
            while (s[i] && s[i] != '\n') i++;
            continue;
        }
        if (c == ' ' || c == '\t') {
            if (sw_end_word(out, &w)) goto out;
            i++;
        } else if (c == '\n' || strchr("|&;()<>", c)) {
            if (sw_end_word(out, &w) || sw_push(out, SW_OP, 0, &s[i], 1)) goto out;
            i++;
        } else if (c == '\\') {
            if (s[i + 1] == '\n') { i += 2; continue; }  /* continuation */
            if (s[i + 1] == '\0') { if (sw_put(&w, '\\')) goto out; i++; continue; }
            if (sw_put(&w, s[i + 1])) goto out;
            i += 2;
        } else if (c == '\'') {
            const char *e = strchr(s + i + 1, '\'');
            if (!e) goto out;
            w.open = 1;
            for (const char *p = s + i + 1; p < e; p++)
                if (sw_put(&w, *p)) goto out;
            i = (size_t)(e - s) + 1;
        } else if (c == '"') {
            i++;
            w.open = 1;
            for (;;) {
                char d = s[i];
                if (d == '\0') goto out;
                if (d == '"') { i++; break; }
                if (d == '\\' && s[i + 1] && strchr("$`\"\\\n", s[i + 1])) {
                    if (s[i + 1] != '\n' && sw_put(&w, s[i + 1])) goto out;
                    i += 2;
                    continue;
                }
                if (d == '`' || (d == '$' && sw_dollar_expands(s[i + 1]) && s[i + 1] != '\'' && s[i + 1] != '"'))
                    w.flags |= SW_EXP;
                if (sw_put(&w, d)) goto out;
                i++;
            }
        } else {
            if (c == '`' || (c == '$' && sw_dollar_expands(s[i + 1]))) w.flags |= SW_EXP;
            else if (c == '*' || c == '?' || c == '[') w.flags |= SW_GLOB;
            else if (c == '{') w.flags |= SW_BRACE;
            else if (c == '~' && !w.open) w.flags |= SW_TILDE;
            if (sw_put(&w, c)) goto out;
            i++;
        }
    }
    rc = sw_end_word(out, &w);
out:
    free(w.buf);
    if (rc != 0) sw_free(out);
    return rc;
}

#endif
