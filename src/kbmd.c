/* kbmd.c -- markdown runbook bodies as classified lines (see kbmd.h). */
#include "kbmd.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util.h"

static size_t skip_spaces(const char *p, size_t i, size_t n) {
    while (i < n && (p[i] == ' ' || p[i] == '\t')) i++;
    return i;
}

/* Trim trailing blanks of a slice. */
static size_t rtrim(const char *p, size_t n) {
    while (n && (p[n - 1] == ' ' || p[n - 1] == '\t' || p[n - 1] == '\r')) n--;
    return n;
}

/* "**Key**: value" or "**Key:** value" at p (after indentation). */
static int meta_line(rmd_md_line *l, const char *p, size_t n) {
    if (n < 5 || p[0] != '*' || p[1] != '*') return 0;
    const char *end = NULL;
    for (size_t i = 2; i + 1 < n; i++)
        if (p[i] == '*' && p[i + 1] == '*') { end = p + i; break; }
    if (!end || end == p + 2) return 0;
    size_t klen = (size_t)(end - p - 2);
    const char *rest = end + 2;
    size_t rn = n - (size_t)(rest - p);
    if (p[2 + klen - 1] == ':') klen--;            /* **Key:** value */
    else if (rn && rest[0] == ':') { rest++; rn--; } /* **Key**: value */
    else return 0;
    size_t s = skip_spaces(rest, 0, rn);
    if (klen == 0 || klen > 40) return 0;
    l->kind = RMD_MD_META;
    l->key = p + 2;
    l->key_len = klen;
    l->text = rest + s;
    l->len = rn - s;
    return 1;
}

static void classify(rmd_md_line *l, const char *p, size_t n) {
    size_t i = skip_spaces(p, 0, n);
    const char *t = p + i;
    size_t tn = n - i;
    if (i == 0 && tn && t[0] == '#') {
        int lv = 0;
        while ((size_t)lv < tn && t[lv] == '#') lv++;
        if (lv <= 6 && ((size_t)lv == tn || t[lv] == ' ')) {
            size_t s = skip_spaces(t, (size_t)lv, tn);
            l->kind = RMD_MD_HEADING;
            l->level = lv;
            l->text = t + s;
            l->len = tn - s;
            l->col = (int)s + 1;
            return;
        }
    }
    if (tn >= 2 && (t[0] == '-' || t[0] == '*' || t[0] == '+') && t[1] == ' ') {
        size_t s = skip_spaces(t, 2, tn);
        l->kind = RMD_MD_BULLET;
        l->text = t + s;
        l->len = tn - s;
        l->col = (int)(i + s) + 1;
        return;
    }
    size_t d = 0;
    while (d < tn && d < 4 && isdigit((unsigned char)t[d])) d++;
    if (d && d + 1 < tn && (t[d] == '.' || t[d] == ')') && t[d + 1] == ' ') {
        size_t s = skip_spaces(t, d + 1, tn);
        l->kind = RMD_MD_BULLET;
        l->text = t + s;
        l->len = tn - s;
        l->col = (int)(i + s) + 1;
        return;
    }
    if (meta_line(l, t, tn)) { l->col = (int)(l->text - p) + 1; return; }
    if (tn && t[0] == '|') {
        size_t e = 1;
        while (e < tn && t[e] != '|') e++;
        size_t s = skip_spaces(t, 1, e);
        l->kind = RMD_MD_TABLE;
        l->text = t + s;
        l->len = rtrim(t + s, e - s);
        l->col = (int)(i + s) + 1;
        return;
    }
    l->text = t;
    l->len = tn;
    l->col = (int)i + 1;
}

/* Is the line a code fence ("```" or "~~~", 3 or more)? Sets *fc and *flen. */
static int fence_of(const char *t, size_t tn, char *fc, size_t *flen) {
    if (tn < 3 || (t[0] != '`' && t[0] != '~')) return 0;
    size_t k = 0;
    while (k < tn && t[k] == t[0]) k++;
    if (k < 3) return 0;
    *fc = t[0];
    *flen = k;
    return 1;
}

int rmd_md_parse(const char *body, size_t len, int first_line, rmd_md *md) {
    size_t cap = 0;
    int stack[7] = {-1, -1, -1, -1, -1, -1, -1}, line = first_line; /* last heading per level */
    char fc = 0;
    size_t flen = 0;
    const char *lang = "";
    size_t lang_len = 0;
    memset(md, 0, sizeof *md);
    for (size_t off = 0; off < len && md->n < RMD_MD_MAX_LINES; line++) {
        const char *p = body + off;
        const char *nl = memchr(p, '\n', len - off);
        size_t n = nl ? (size_t)(nl - p) : len - off;
        off += n + (nl ? 1 : 0);
        n = rtrim(p, n);
        if (md->n == cap) {
            size_t nc = cap ? cap * 2 : 128;
            rmd_md_line *nw = realloc(md->lines, nc * sizeof *nw);
            if (!nw) { rmd_md_free(md); return -1; }
            md->lines = nw;
            cap = nc;
        }
        rmd_md_line *l = &md->lines[md->n];
        memset(l, 0, sizeof *l);
        l->line = line;
        size_t ind = skip_spaces(p, 0, n);
        char c2;
        size_t k2;
        if (fence_of(p + ind, n - ind, &c2, &k2) && (!fc || (c2 == fc && k2 >= flen && rtrim(p + ind, n - ind) == k2))) {
            l->kind = RMD_MD_FENCE;
            if (!fc) {
                fc = c2;
                flen = k2;
                size_t s = skip_spaces(p, ind + k2, n), e = s;
                while (e < n && p[e] != ' ' && p[e] != '{') e++;
                lang = p + s;
                lang_len = e - s;
            } else {
                fc = 0;
            }
            l->key = lang;
            l->key_len = lang_len;
            l->text = p + ind;
            l->len = n - ind;
            l->col = (int)ind + 1;
        } else if (fc) {
            l->kind = RMD_MD_CODE;
            l->text = p + ind;
            l->len = n - ind;
            l->col = (int)ind + 1;
            l->key = lang;
            l->key_len = lang_len;
        } else {
            classify(l, p, n);
        }
        int top = l->kind == RMD_MD_HEADING ? l->level - 1 : 6;
        l->head = -1;
        for (int lv = top; lv >= 1 && l->head < 0; lv--) l->head = stack[lv];
        if (l->kind == RMD_MD_HEADING) {
            stack[l->level] = (int)md->n;
            for (int lv = l->level + 1; lv <= 6; lv++) stack[lv] = -1;
        }
        md->n++;
    }
    return 0;
}

int rmd_md_under(const rmd_md *md, size_t i, int (*kind)(const rmd_md_line *h, void *arg), void *arg) {
    int guard = 0;
    for (int h = md->lines[i].kind == RMD_MD_HEADING ? (int)i : md->lines[i].head; h >= 0 && guard < 8;
         h = md->lines[h].head, guard++) {
        int k = kind(&md->lines[h], arg);
        if (k) return k;
    }
    return 0;
}

void rmd_md_free(rmd_md *md) {
    free(md->lines);
    md->lines = NULL;
    md->n = 0;
}

void rmd_md_heading_words(const rmd_md_line *l, char *out, size_t outlen) {
    size_t i = 0, n = l->len;
    const char *t = l->text;
    /* emoji and symbols, then "1." / "A." numbering */
    while (i < n && !isalnum((unsigned char)t[i])) i++;
    size_t j = i;
    while (j < n && isdigit((unsigned char)t[j])) j++;
    if (j > i && j < n && t[j] == '.') i = skip_spaces(t, j + 1, n);
    else if (i + 1 < n && isupper((unsigned char)t[i]) && t[i + 1] == '.') i = skip_spaces(t, i + 2, n);
    rmd_memlcpy(out, outlen, t + i, n - i);
}

int rmd_md_shell_lang(const char *lang, size_t n) {
    static const char *const shells[] = {"bash", "sh", "shell", "zsh", "console", "shell-session"};
    if (n == 0) return 1;
    for (size_t i = 0; i < sizeof shells / sizeof shells[0]; i++)
        if (strlen(shells[i]) == n && !strncasecmp(lang, shells[i], n)) return 1;
    return 0;
}
