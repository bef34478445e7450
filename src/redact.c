/* redact.c -- secrets out of log lines (see redact.h). */
#include "redact.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

#define MASK "***"

typedef struct out {
    char  *p;
    size_t n, o;
} out;

static void put(out *w, const char *s, size_t n) {
    for (size_t i = 0; i < n && w->o + 1 < w->n; i++) w->p[w->o++] = s[i];
}

static int is_word(char c) { return isalnum((unsigned char)c) || c == '_'; }

/* A token at in[i]: quoted ('...' or "...", to the closing quote) or bare
 * (to whitespace or , ; ) ] }). Sets [*b, *e) to its text without quotes
 * and *next past it. Returns 0 when there is none. */
static int token(const char *in, size_t n, size_t i, size_t *b, size_t *e, size_t *next, int *quoted) {
    if (i >= n) return 0;
    if (in[i] == '"' || in[i] == '\'') {
        char q = in[i];
        size_t k = i + 1;
        while (k < n && in[k] != q) k++;
        *b = i + 1;
        *e = k;
        *next = k < n ? k + 1 : n;
        *quoted = 1;
        return 1;
    }
    size_t k = i;
    while (k < n && !isspace((unsigned char)in[k]) && !strchr(",;)]}", in[k])) k++;
    if (k == i) return 0;
    *b = i;
    *e = k;
    *next = k;
    *quoted = 0;
    return 1;
}

/* Words that follow AUTH or "password" in prose, not a secret. */
static int is_prose(const char *s, size_t n) {
    static const char *const words[] = {
        "failed", "failure", "fails", "error", "errors", "required", "requires", "ok", "succeeded", "successful",
        "is", "was", "are", "with", "for", "called", "command", "to", "the", "using", "mechanism", "method",
        "timeout", "authentication", "pair", "not", "supplied", "incorrect", "invalid", "expired", "must", "set",
        "file", "no", "yes", "masked", "hidden", "mismatch", "and", "or", "of", "in", "on", "from", "sent", "but",
        "provided", "configured", "needed", "protected", "(error)", "-", ":", "=", "changed", "reset"};
    if (n > 0 && s[0] == '<' && s[n - 1] == '>') return 1; /* a placeholder such as <password> */
    while (n > 1 && strchr(":.!?", s[n - 1])) n--;      /* "failed:" is prose too */
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        if (strlen(words[i]) == n && !strncasecmp(s, words[i], n)) return 1;
    return 0;
}

static size_t skip_spaces(const char *in, size_t n, size_t i) {
    while (i < n && (in[i] == ' ' || in[i] == '\t')) i++;
    return i;
}

/* Write the token [b, e) masked, with its quotes if quoted; return next. */
static size_t put_mask(out *w, const char *in, size_t from, size_t b, size_t e, size_t next, int quoted) {
    put(w, in + from, b - from); /* what separates it, and an opening quote */
    put(w, MASK, 3);
    if (quoted && e < next) put(w, in + e, next - e);
    return next;
}

/* scheme://user:PASS@ and, for Redis schemes, scheme://PASS@. i is at "://". */
static size_t url_userinfo(out *w, const char *in, size_t n, size_t i) {
    size_t s = i;
    while (s > 0 && (isalnum((unsigned char)in[s - 1]) || strchr("+.-", in[s - 1]))) s--;
    int redisish = (i - s >= 5 && !strncasecmp(in + s, "redis", 5)) || (i - s >= 6 && !strncasecmp(in + s, "valkey", 6)) ||
                   (i - s >= 8 && !strncasecmp(in + s, "sentinel", 8));
    size_t u = i + 3, e = u, at = 0;
    put(w, in + i, 3);
    while (e < n && !isspace((unsigned char)in[e]) && !strchr("/?#\"'<>,;", in[e])) {
        if (in[e] == '@') at = e;
        e++;
    }
    if (!at) return u;
    const char *colon = memchr(in + u, ':', at - u);
    if (colon) {
        put(w, in + u, (size_t)(colon - (in + u)) + 1);
        put(w, MASK, 3);
    } else if (redisish && at > u) {
        put(w, MASK, 3);
    } else {
        put(w, in + u, at - u);
    }
    put(w, "@", 1);
    return at + 1;
}

/* After AUTH: its one or two arguments. i is just past the word. */
static size_t auth_args(out *w, const char *in, size_t n, size_t i) {
    size_t from = i;
    if (i < n && in[i] == '(') { /* a call: jedis.auth("secret"), client.auth(user, "secret") */
        size_t j = skip_spaces(in, n, i + 1), b, e, next;
        int q;
        put(w, in + i, j - i);
        while (j < n && token(in, n, j, &b, &e, &next, &q) && q) {
            j = put_mask(w, in, j, b, e, next, q);
            size_t c = skip_spaces(in, n, j);
            if (c >= n || in[c] != ',') return j;
            put(w, in + j, c + 1 - j);
            j = skip_spaces(in, n, c + 1);
        }
        return j;
    }
    if (i < n && (in[i] == '"' || in[i] == '\'')) i++; /* the closing quote of "AUTH" */
    int word_quoted = i > from;
    size_t b, e, next, b2, e2, next2;
    int q, q2;
    i = skip_spaces(in, n, i);
    if (i == from || !token(in, n, i, &b, &e, &next, &q) || (!q && is_prose(in + b, e - b))) {
        put(w, in + from, i - from);
        return i;
    }
    size_t j = skip_spaces(in, n, next);
    /* a second word is the password of "AUTH user password" unless it reads as prose
     * ("AUTH s3cret failed"): over-redaction is preferred to a leak */
    int two = token(in, n, j, &b2, &e2, &next2, &q2) &&
              (word_quoted || q2 || skip_spaces(in, n, next2) >= n || !is_prose(in + b2, e2 - b2));
    size_t r = put_mask(w, in, from, b, e, next, q);
    if (two) r = put_mask(w, in, r, b2, e2, next2, q2);
    return r;
}

/* After requirepass / masterauth / password / passwd: its value. */
static size_t key_value(out *w, const char *in, size_t n, size_t i) {
    size_t from = i, b, e, next;
    int q, sep = 0;
    if (i < n && (in[i] == '"' || in[i] == '\'')) i++;
    i = skip_spaces(in, n, i);
    if (i + 1 < n && in[i] == '=' && in[i + 1] == '>') { i += 2; sep = 1; }
    else if (i < n && (in[i] == '=' || in[i] == ':')) { i++; sep = 1; }
    i = skip_spaces(in, n, i);
    if (i == from || !token(in, n, i, &b, &e, &next, &q) || e == b || (!q && (is_prose(in + b, e - b) || (!sep && in[i] == '(')))) {
        put(w, in + from, i - from);
        return i;
    }
    return put_mask(w, in, from, b, e, next, q);
}

/* -a PASS, --pass PASS, --pass=PASS, --password PASS. i is just past the flag. */
static size_t flag_value(out *w, const char *in, size_t n, size_t i) {
    size_t from = i, b, e, next;
    int q;
    int eq = i < n && in[i] == '=';
    if (eq) i++;
    else i = skip_spaces(in, n, i);
    /* "-a --tls": the next flag, not a value; "--pass=-x": a value whatever it starts with */
    if (i == from || !token(in, n, i, &b, &e, &next, &q) || (in[b] == '-' && !eq)) {
        put(w, in + from, i - from);
        return i;
    }
    return put_mask(w, in, from, b, e, next, q);
}

/* "with args beginning with: 'a' 'b'": every quoted argument. */
static size_t echoed_args(out *w, const char *in, size_t n, size_t i) {
    for (;;) {
        size_t j = skip_spaces(in, n, i), b, e, next;
        int q;
        if (j >= n || (in[j] != '\'' && in[j] != '"') || !token(in, n, j, &b, &e, &next, &q)) return i;
        i = put_mask(w, in, i, b, e, next, q);
    }
}

static int word_at(const char *in, size_t n, size_t i, const char *wd) {
    size_t l = strlen(wd);
    return i + l <= n && !strncasecmp(in + i, wd, l) && (i + l == n || !is_word(in[i + l]));
}

/* Does the identifier in[0..len) name a secret (REDIS_PASSWORD,
 * redis_password, REDISCLI_AUTH, db.pwd, api_token)? By its last part. */
static int secret_key(const char *id, size_t len) {
    static const char *const ends[] = {"password", "passwd", "pwd", "pass", "secret", "token", "auth", "apikey",
                                       "api_key", "requirepass", "masterauth", "credentials"};
    for (size_t k = 0; k < sizeof ends / sizeof ends[0]; k++) {
        size_t l = strlen(ends[k]);
        if (len < l || strncasecmp(id + len - l, ends[k], l) != 0) continue;
        if (len == l || !isalnum((unsigned char)id[len - l - 1]) || (l >= 6 && !strchr("_-.", id[len - l - 1])))
            return 1;
    }
    return 0;
}

/* Is the token at j itself a word that names a secret (requirepass, AUTH,
 * a *password key)? Then it is no value: the secret follows it. */
static int names_secret_next(const char *in, size_t n, size_t j) {
    static const char *const words[] = {"requirepass", "masterauth", "password", "passwd", "auth", "bearer", "-a",
                                        "--pass", "--password"};
    if (j < n && (in[j] == '"' || in[j] == '\'')) j++; /* "password": */
    size_t e = j;
    while (e < n && (is_word(in[e]) || in[e] == '-' || in[e] == '.')) e++;
    for (size_t k = 0; k < sizeof words / sizeof words[0]; k++)
        if (e - j == strlen(words[k]) && !strncasecmp(in + j, words[k], e - j)) return 1;
    size_t f = skip_spaces(in, n, e < n && (in[e] == '"' || in[e] == '\'') ? e + 1 : e); /* another KEY= / KEY: */
    return e > j && f < n && (in[f] == '=' || in[f] == ':') && secret_key(in + j, e - j);
}

/* An identifier that names a secret, followed by = or : (KEY=value,
 * "key": "value", <key>value</key> handled apart): mask the value. */
static size_t keyed_secret(out *w, const char *in, size_t n, size_t i) {
    size_t e = i;
    while (e < n && (is_word(in[e]) || in[e] == '-' || in[e] == '.')) e++;
    if (e == i || !secret_key(in + i, e - i)) return i;
    size_t j = e;
    if (j < n && (in[j] == '"' || in[j] == '\'')) j++;
    j = skip_spaces(in, n, j);
    if (j >= n || (in[j] != '=' && in[j] != ':') || (in[j] == ':' && j + 1 < n && in[j + 1] == ':')) return i;
    size_t v = j + 1 + (in[j] == '=' && j + 1 < n && in[j + 1] == '>'); /* past = : or => */
    if (names_secret_next(in, n, skip_spaces(in, n, v))) return i; /* "pwd=requirepass X": X is the secret */
    put(w, in + i, e - i);
    return key_value(w, in, n, e);
}

/* <password>value</password> (any secret-named tag): the element's text. */
static size_t xml_secret(out *w, const char *in, size_t n, size_t i) {
    size_t e = i + 1;
    while (e < n && (is_word(in[e]) || in[e] == '-')) e++;
    if (e >= n || in[e] != '>' || !secret_key(in + i + 1, e - i - 1)) return i;
    size_t v = e + 1, z = v;
    while (z < n && in[z] != '<') z++;
    /* only an element: the same name closes it ("AUTH <password> called" is prose) */
    size_t name = e - i - 1;
    if (z == v || z + 2 + name > n || in[z + 1] != '/' || strncasecmp(in + z + 2, in + i + 1, name) != 0) return i;
    put(w, in + i, v - i);
    put(w, MASK, 3);
    return z;
}

/* "Bearer TOKEN" and an ACL SETUSER ">password" rule. */
static size_t bearer_or_acl(out *w, const char *in, size_t n, size_t i, int setuser) {
    size_t b, e, next;
    int q;
    if (word_at(in, n, i, "bearer")) {
        size_t j = skip_spaces(in, n, i + 6);
        if (j == i + 6 || !token(in, n, j, &b, &e, &next, &q) || e == b || names_secret_next(in, n, j)) return i;
        put(w, in + i, j - i);
        return put_mask(w, in, j, b, e, next, q);
    }
    if (setuser && in[i] == '>' && i > 0 && isspace((unsigned char)in[i - 1]) && i + 1 < n &&
        !isspace((unsigned char)in[i + 1])) {
        put(w, ">", 1);
        if (!token(in, n, i + 1, &b, &e, &next, &q)) return i + 1;
        return put_mask(w, in, i + 1, b, e, next, q);
    }
    return i;
}

size_t rmd_redact(char *o, size_t outlen, const char *in, size_t n) {
    static const char *const keys[] = {"requirepass", "masterauth", "password", "passwd"};
    out w = {o, outlen, 0};
    if (!outlen) return 0;
    int setuser = 0;
    for (size_t i = 0; i + 7 <= n && !setuser; i++) setuser = !strncasecmp(in + i, "setuser", 7);
    for (size_t i = 0; i < n;) {
        int boundary = i == 0 || !is_word(in[i - 1]);
        size_t k = i;
        if (boundary && is_word(in[i]) && (k = keyed_secret(&w, in, n, i)) != i) {
            i = k;
            continue;
        }
        if (in[i] == '<' && (k = xml_secret(&w, in, n, i)) != i) {
            i = k;
            continue;
        }
        if ((boundary || in[i] == '>') && (k = bearer_or_acl(&w, in, n, i, setuser)) != i) {
            i = k;
            continue;
        }
        if (i + 3 <= n && in[i] == ':' && in[i + 1] == '/' && in[i + 2] == '/') {
            k = url_userinfo(&w, in, n, i);
        } else if (boundary && n - i >= 25 && !memcmp(in + i, "with args beginning with:", 25)) {
            put(&w, in + i, 25);
            k = echoed_args(&w, in, n, i + 25);
        } else if (boundary && in[i] != '-' && word_at(in, n, i, "auth") && (i == 0 || in[i - 1] != '-')) {
            put(&w, in + i, 4);
            k = auth_args(&w, in, n, i + 4);
        } else if (in[i] == '-' && (i == 0 || isspace((unsigned char)in[i - 1])) &&
                   (word_at(in, n, i, "-a") || word_at(in, n, i, "--pass") || word_at(in, n, i, "--password"))) {
            size_t l = word_at(in, n, i, "-a") ? 2 : word_at(in, n, i, "--pass") ? 6 : 10;
            put(&w, in + i, l);
            k = flag_value(&w, in, n, i + l);
        } else if (boundary) {
            for (size_t j = 0; j < sizeof keys / sizeof keys[0] && k == i; j++)
                if (word_at(in, n, i, keys[j])) {
                    put(&w, in + i, strlen(keys[j]));
                    k = key_value(&w, in, n, i + strlen(keys[j]));
                }
        }
        if (k == i) put(&w, in + i, 1), k = i + 1;
        i = k;
    }
    o[w.o] = '\0';
    return w.o;
}
