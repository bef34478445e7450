/* extract.c -- endpoints and timestamps from log lines (see extract.h). */
#include "extract.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "target.h"
#include "util.h"

/* ------------------------------------------------------------- endpoint */

static int is_host_char(char c) { return isalnum((unsigned char)c) || c == '-' || c == '.' || c == '_'; }

/* Digits at s (max n) as a port 1..65535 not followed by more digits or
 * another ':' + digit (which would make it a clock time). */
static int port_at(const char *s, size_t n, size_t *used) {
    size_t i = 0;
    long v = 0;
    while (i < n && i < 6 && isdigit((unsigned char)s[i])) v = v * 10 + (s[i++] - '0');
    if (i == 0 || i > 5 || v < 1 || v > 65535) return 0;
    if (i < n && isdigit((unsigned char)s[i])) return 0;
    if (i + 1 < n && (s[i] == ':' || s[i] == '.') && isdigit((unsigned char)s[i + 1])) return 0;
    *used = i;
    return (int)v;
}

static void set_ep(rmd_endpoint *ep, const char *host, size_t hl, int port, int v6) {
    char h[256];
    rmd_memlcpy(h, sizeof h, host, hl);
    rmd_strlcpy(ep->host, h, sizeof ep->host);
    ep->port = port;
    if (!port) snprintf(ep->text, sizeof ep->text, "%s", h);
    else if (v6) snprintf(ep->text, sizeof ep->text, "[%s]:%d", h, port);
    else snprintf(ep->text, sizeof ep->text, "%s:%d", h, port);
}

static int url_at(const char *line, size_t len, rmd_endpoint *ep) {
    for (size_t i = 0; i + 8 < len; i++) {
        if (strncasecmp(line + i, "redis", 5) || (i && isalnum((unsigned char)line[i - 1]))) continue;
        size_t s = i + 5;
        if (s < len && (line[s] == 's' || line[s] == 'S')) s++;
        if (s + 3 > len || strncmp(line + s, "://", 3)) continue;
        size_t e = s + 3;
        while (e < len && !isspace((unsigned char)line[e]) && !strchr("\"'<>,;)]}", line[e])) e++;
        char url[600];
        if (e - i >= sizeof url) continue;
        memcpy(url, line + i, e - i);
        url[e - i] = '\0';
        for (char *p = url; p < url + 5; p++) *p = (char)tolower((unsigned char)*p);
        rmd_target t;
        char err[128];
        rmd_target_init(&t);
        if (rmd_target_parse_url(&t, url, err, sizeof err) == RMD_OK) {
            rmd_strlcpy(ep->host, t.host, sizeof ep->host);
            ep->port = t.port;
            rmd_target_redacted(&t, ep->text, sizeof ep->text);
            rmd_target_clear(&t);
            return 1;
        }
        rmd_target_clear(&t);
    }
    return 0;
}

static int socket_at(const char *line, size_t len, rmd_endpoint *ep) {
    for (size_t i = 0; i + 5 < len; i++) {
        if (strncmp(line + i, ".sock", 5) || (i + 5 < len && is_host_char(line[i + 5]) && line[i + 5] != '.')) continue;
        size_t b = i;
        while (b > 0 && (is_host_char(line[b - 1]) || line[b - 1] == '/' || line[b - 1] == '@')) b--;
        if (line[b] != '/') continue;
        set_ep(ep, line + b, i + 5 - b, 0, 0);
        return 1;
    }
    return 0;
}

static int v6_at(const char *line, size_t len, rmd_endpoint *ep) {
    for (size_t i = 0; i + 4 < len; i++) {
        if (line[i] != '[') continue;
        const char *rb = memchr(line + i, ']', len - i < 48 ? len - i : 48);
        if (!rb || (size_t)(rb - line) + 2 >= len || rb[1] != ':') continue;
        char a[48];
        unsigned char buf[16];
        rmd_memlcpy(a, sizeof a, line + i + 1, (size_t)(rb - line - i - 1));
        size_t used;
        int port = port_at(rb + 2, len - (size_t)(rb + 2 - line), &used);
        if (port && inet_pton(AF_INET6, a, buf) == 1) {
            set_ep(ep, a, strlen(a), port, 1);
            return 1;
        }
    }
    return 0;
}

/* host:port with host an IPv4 address, "localhost" or a name with a letter. */
static int hostport_at(const char *line, size_t len, rmd_endpoint *ep) {
    rmd_endpoint best = {0};
    int found = 0;
    for (size_t i = 1; i + 1 < len; i++) {
        if (line[i] != ':' || !is_host_char(line[i - 1])) continue;
        size_t used;
        int port = port_at(line + i + 1, len - i - 1, &used);
        if (!port) continue;
        size_t b = i;
        while (b > 0 && is_host_char(line[b - 1])) b--;
        if (b >= 5 && !strncmp(line + b - 5, "addr=", 5) && !(b >= 6 && line[b - 6] == 'l'))
            continue; /* a client's address in a server log line (laddr= is the server's) */
        size_t hl = i - b;
        if (hl == 0 || hl > 253 || line[b] == '.' || line[b] == '-') continue;
        char h[256];
        rmd_memlcpy(h, sizeof h, line + b, hl);
        unsigned char a4[4];
        int ip = inet_pton(AF_INET, h, a4) == 1;
        int alpha = 0;
        for (size_t k = 0; k < hl; k++) alpha |= isalpha((unsigned char)h[k]);
        if (!ip && !alpha) continue;
        if (!ip && !strchr(h, '.') && strcasecmp(h, "localhost") && !strcasestr(h, "redis") && !strcasestr(h, "cache") &&
            !strcasestr(h, "valkey"))
            continue; /* "Error:6379" or "key:123" are not endpoints */
        rmd_endpoint cand;
        set_ep(&cand, h, hl, port, 0);
        /* prefer well-known Redis ports when a line names several */
        int good = port == 6379 || port == 6380 || port == 26379 || (port >= 6379 && port <= 7010);
        if (!found || good) {
            best = cand;
            found = 1;
            if (good) break;
        }
    }
    if (found) *ep = best;
    return found;
}

int rmd_extract_endpoint(const char *line, size_t len, rmd_endpoint *ep) {
    memset(ep, 0, sizeof *ep);
    if (len > 65536) len = 65536;
    return url_at(line, len, ep) || v6_at(line, len, ep) || hostport_at(line, len, ep) || socket_at(line, len, ep);
}

/* ----------------------------------------------------------------- time */

static int num(const char *s, int n, int *out) {
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (!isdigit((unsigned char)s[i])) return 0;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return 1;
}

static int month_of(const char *s) {
    static const char *const m[] = {"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"};
    for (int i = 0; i < 12; i++)
        if (!strncasecmp(s, m[i], 3)) return i;
    return -1;
}

/* Seconds since the epoch. tzoff_s is the line's own zone offset; a line
 * without a zone (has_zone 0: syslog, redis-server, most application logs)
 * is in the local time of the machine that wrote it, taken to be this one. */
static double mk(int y, int mo, int d, int h, int mi, int s, double frac, int tzoff_s, int has_zone) {
    struct tm tm = {0};
    if (y < 1970 || y > 2200 || mo < 0 || mo > 11 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60) return -1;
    tm.tm_year = y - 1900;
    tm.tm_mon = mo;
    tm.tm_mday = d;
    tm.tm_hour = h;
    tm.tm_min = mi;
    tm.tm_sec = s;
    if (!has_zone) {
        tm.tm_isdst = -1;
        time_t t = mktime(&tm);
        return t == (time_t)-1 ? -1 : (double)t + frac;
    }
    return (double)timegm(&tm) + frac - tzoff_s;
}

/* Fraction ".123" or ",123" at s; advances *i. */
static double frac_at(const char *s, size_t n, size_t *i) {
    double f = 0, scale = 0.1;
    if (*i < n && (s[*i] == '.' || s[*i] == ',') && *i + 1 < n && isdigit((unsigned char)s[*i + 1])) {
        (*i)++;
        while (*i < n && isdigit((unsigned char)s[*i])) {
            f += (s[*i] - '0') * scale;
            scale /= 10;
            (*i)++;
        }
    }
    return f;
}

/* "+HH:MM" or "+HHMM" (or '-') at s into *tz seconds; 1 when there is one. */
static int zone_at(const char *s, size_t n, int *tz) {
    int th, tm;
    if (n >= 6 && num(s + 1, 2, &th) && s[3] == ':' && num(s + 4, 2, &tm)) {}
    else if (n >= 5 && num(s + 1, 2, &th) && num(s + 3, 2, &tm)) {}
    else return 0;
    *tz = (th * 3600 + tm * 60) * (s[0] == '-' ? -1 : 1);
    return 1;
}

/* YYYY-MM-DD[T ]HH:MM:SS[.frac][Z|+HH:MM|+HHMM] at s. */
static double iso_at(const char *s, size_t n) {
    int y, mo, d, h, mi, sec;
    if (n < 19 || !num(s, 4, &y) || (s[4] != '-' && s[4] != '/') || !num(s + 5, 2, &mo) || s[7] != s[4] || !num(s + 8, 2, &d) ||
        (s[10] != 'T' && s[10] != ' ') || !num(s + 11, 2, &h) || s[13] != ':' || !num(s + 14, 2, &mi) || s[16] != ':' ||
        !num(s + 17, 2, &sec))
        return -1;
    size_t i = 19;
    double f = frac_at(s, n, &i);
    int tz = 0, zoned = i < n && (s[i] == 'Z' || s[i] == 'z');
    if (i < n && (s[i] == '+' || s[i] == '-')) zoned = zone_at(s + i, n - i, &tz);
    return mk(y, mo - 1, d, h, mi, sec, f, tz, zoned);
}

/* redis-server: "22 Nov 2026 15:21:47.123" ; also "22/Nov/2026:15:21:47 +0000" (web logs). */
static double dmy_at(const char *s, size_t n) {
    int d, y, h, mi, sec;
    if (n < 20 || !num(s, 2, &d) || (s[2] != ' ' && s[2] != '/')) return -1;
    int mo = month_of(s + 3);
    if (mo < 0 || s[6] != s[2] || !num(s + 7, 4, &y) || (s[11] != ' ' && s[11] != ':') || !num(s + 12, 2, &h) ||
        s[14] != ':' || !num(s + 15, 2, &mi) || s[17] != ':' || !num(s + 18, 2, &sec))
        return -1;
    size_t i = 20;
    double f = frac_at(s, n, &i);
    int tz = 0, zoned = 0;
    if (i + 1 < n && s[i] == ' ' && (s[i + 1] == '+' || s[i + 1] == '-')) zoned = zone_at(s + i + 1, n - i - 1, &tz);
    return mk(y, mo, d, h, mi, sec, f, tz, zoned);
}

/* syslog: "Nov 22 15:21:47" (no year). */
static double syslog_at(const char *s, size_t n, int year) {
    int d, h, mi, sec, mo = month_of(s);
    if (n < 15 || mo < 0 || s[3] != ' ') return -1;
    const char *p = s + 4;
    if (*p == ' ') p++;
    int dl = isdigit((unsigned char)p[1]) ? 2 : 1;
    if (!num(p, dl, &d) || p[dl] != ' ') return -1;
    p += dl + 1;
    if ((size_t)(p - s) + 8 > n || !num(p, 2, &h) || p[2] != ':' || !num(p + 3, 2, &mi) || p[5] != ':' || !num(p + 6, 2, &sec))
        return -1;
    return mk(year, mo, d, h, mi, sec, 0, 0, 0);
}

/* JSON epoch fields: "ts": 1700000000.5, "time":1700000000123 */
static double epoch_field(const char *line, size_t len) {
    static const char *const keys[] = {"\"ts\"", "\"time\"", "\"timestamp\"", "\"@timestamp\"", "\"t\""};
    for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++) {
        size_t kl = strlen(keys[k]);
        for (size_t i = 0; i + kl < len; i++) {
            if (memcmp(line + i, keys[k], kl)) continue;
            size_t j = i + kl;
            while (j < len && (line[j] == ' ' || line[j] == ':')) j++;
            if (j < len && line[j] == '"') j++;
            size_t d = j;
            while (d < len && isdigit((unsigned char)line[d])) d++;
            if (d - j == 10 || d - j == 13) {
                char buf[24];
                memcpy(buf, line + j, d - j);
                buf[d - j] = '\0';
                double v = strtod(buf, NULL);
                if (d - j == 13) v /= 1000.0;
                else if (d < len && line[d] == '.') {
                    size_t fi = d;
                    v += frac_at(line, len, &fi);
                }
                return v;
            }
        }
    }
    return -1;
}

int rmd_extract_time(const char *line, size_t len, int ref_year, double *t) {
    double v;
    if (len > 4096) len = 4096;
    for (size_t i = 0; i + 15 <= len; i++) {
        char c = line[i];
        if (isdigit((unsigned char)c) && (i == 0 || !isdigit((unsigned char)line[i - 1]))) {
            if ((v = iso_at(line + i, len - i)) >= 0 || (v = dmy_at(line + i, len - i)) >= 0) {
                *t = v;
                return 1;
            }
        } else if (isalpha((unsigned char)c) && (i == 0 || !isalpha((unsigned char)line[i - 1])) && i < 64 &&
                   (v = syslog_at(line + i, len - i, ref_year)) >= 0) {
            *t = v;
            return 1;
        }
    }
    if ((v = epoch_field(line, len)) >= 0) {
        *t = v;
        return 1;
    }
    return 0;
}

int rmd_parse_when(const char *s, double now, double *t) {
    size_t n = strlen(s);
    if (n >= 2 && n < 16) {
        char *end;
        double v = strtod(s, &end);
        double mult = *end == 's' ? 1 : *end == 'm' ? 60 : *end == 'h' ? 3600 : *end == 'd' ? 86400 : 0;
        if (end != s && mult > 0 && end[1] == '\0' && v >= 0) {
            *t = now - v * mult;
            return 1;
        }
    }
    struct tm tm;
    time_t tn = (time_t)now;
    gmtime_r(&tn, &tm);
    return rmd_extract_time(s, n, tm.tm_year + 1900, t);
}
