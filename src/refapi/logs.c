/* logs.c - JSON-lines logs (see logs.h). */
#include "logs.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define GATHER_CAP (64 * 1024) /* lines gathered before a write */
#define LINE_STACK 4096        /* a line formatted on the stack up to this */

struct refapi_log {
    FILE *f;
    int owned;
    pthread_mutex_t mu;
    /* Gathering (flush_ms > 0): lines wait in buf, written when it is full
     * and by the flusher at most flush_ms after they came in. */
    int flush_ms;
    char *buf;
    size_t len;
    pthread_t flusher;
    pthread_cond_t wake;
    struct timespec due; /* when the gathered lines are written out */
    int stop;
};

/* Writes out what is gathered; l->mu held. */
static void write_out(refapi_log *l)
{
    if (l->len) fwrite(l->buf, 1, l->len, l->f);
    l->len = 0;
    fflush(l->f);
}

/* Writes the lines out flush_ms after the first of them came in (l->due),
 * and sleeps while there are none. */
static void *flush_loop(void *arg)
{
    refapi_log *l = arg;
    pthread_mutex_lock(&l->mu);
    while (!l->stop) {
        if (!l->len)
            pthread_cond_wait(&l->wake, &l->mu);
        else if (pthread_cond_timedwait(&l->wake, &l->mu, &l->due) == ETIMEDOUT)
            write_out(l);
    }
    pthread_mutex_unlock(&l->mu);
    return NULL;
}

refapi_log *refapi_log_open(const char *path, int flush_ms, char *err, size_t cap)
{
    refapi_log *l = calloc(1, sizeof *l);
    if (!l) {
        snprintf(err, cap, "out of memory");
        return NULL;
    }
    if (!strcmp(path, "-")) {
        l->f = stdout;
    } else if (!*path) {
        l->f = stderr;
    } else {
        l->f = fopen(path, "a");
        l->owned = 1;
        if (!l->f) {
            snprintf(err, cap, "cannot open '%s': %s", path, strerror(errno));
            free(l);
            return NULL;
        }
    }
    pthread_mutex_init(&l->mu, NULL);
    pthread_cond_init(&l->wake, NULL);
    if (flush_ms > 0 && (l->buf = malloc(GATHER_CAP)) != NULL) {
        l->flush_ms = flush_ms;
        if (pthread_create(&l->flusher, NULL, flush_loop, l) != 0) {
            free(l->buf);
            l->buf = NULL;
            l->flush_ms = 0; /* no flusher: each line written at once */
        }
    }
    return l;
}

void refapi_log_close(refapi_log *l)
{
    if (!l) return;
    if (l->flush_ms) {
        pthread_mutex_lock(&l->mu);
        l->stop = 1;
        pthread_cond_signal(&l->wake);
        pthread_mutex_unlock(&l->mu);
        pthread_join(l->flusher, NULL);
    }
    pthread_mutex_lock(&l->mu);
    write_out(l); /* the lines gathered since the flusher's last write: none is lost */
    pthread_mutex_unlock(&l->mu);
    if (l->owned) fclose(l->f);
    pthread_cond_destroy(&l->wake);
    pthread_mutex_destroy(&l->mu);
    free(l->buf);
    free(l);
}

/* Adds the whole line text[0..n) to the log: gathered, or written at once. */
static void add_line(refapi_log *l, const char *text, size_t n)
{
    pthread_mutex_lock(&l->mu);
    if (!l->flush_ms) {
        fwrite(text, 1, n, l->f);
        fflush(l->f);
    } else {
        if (l->len + n > GATHER_CAP) write_out(l);
        if (n > GATHER_CAP) {
            fwrite(text, 1, n, l->f);
            fflush(l->f);
        } else {
            if (!l->len) {
                /* The first line in: the flusher writes them out then. */
                clock_gettime(CLOCK_REALTIME, &l->due);
                l->due.tv_nsec += (long)l->flush_ms * 1000000L;
                l->due.tv_sec += l->due.tv_nsec / 1000000000L;
                l->due.tv_nsec %= 1000000000L;
                pthread_cond_signal(&l->wake);
            }
            memcpy(l->buf + l->len, text, n);
            l->len += n;
        }
    }
    pthread_mutex_unlock(&l->mu);
}

/* {"time":"2024-11-15T10:30:00.123Z" into out (at least 40 bytes): the
 * second formatted once a second per thread, gmtime being a tenth of a
 * line's cost. */
static size_t put_time(char *out, long long now_ms)
{
    static _Thread_local long long last_s = -1;
    static _Thread_local char second[24];
    static _Thread_local size_t second_len;
    if (now_ms / 1000 != last_s) {
        last_s = now_ms / 1000;
        time_t t = (time_t)last_s;
        struct tm tm;
        gmtime_r(&t, &tm);
        second_len = strftime(second, sizeof second, "%Y-%m-%dT%H:%M:%S", &tm);
    }
    size_t n = 0;
    memcpy(out, "{\"time\":\"", 9);
    n = 9;
    memcpy(out + n, second, second_len);
    n += second_len;
    int ms = (int)(now_ms % 1000);
    out[n++] = '.';
    out[n++] = (char)('0' + ms / 100);
    out[n++] = (char)('0' + ms / 10 % 10);
    out[n++] = (char)('0' + ms % 10);
    memcpy(out + n, "Z\"", 2);
    return n + 2;
}

void refapi_log_write(refapi_log *l, long long now_ms, json_t *obj)
{
    if (!l || !obj) {
        json_decref(obj);
        return;
    }
    char *text = json_dumps(obj, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(obj);
    if (!text) return;
    size_t n = strlen(text);
    char *line = malloc(n + 48);
    if (line) {
        size_t at = put_time(line, now_ms);
        /* text is {...}: its members after the time, or none. */
        if (n > 2) line[at++] = ',';
        memcpy(line + at, text + 1, n - 1);
        at += n - 1;
        line[at++] = '\n';
        add_line(l, line, at);
    }
    free(line);
    free(text);
}

/* The length of the valid UTF-8 sequence at s (RFC 3629: no overlong
 * forms, no surrogates), or 0. */
static size_t utf8_len(const unsigned char *s)
{
    unsigned char c = s[0];
    if (c < 0x80) return 1;
    size_t n = c >= 0xc2 && c <= 0xdf   ? 2
               : c >= 0xe0 && c <= 0xef ? 3
               : c >= 0xf0 && c <= 0xf4 ? 4
                                        : 0;
    if (!n) return 0;
    unsigned char lo = c == 0xe0 ? 0xa0 : c == 0xf0 ? 0x90 : 0x80;
    unsigned char hi = c == 0xed ? 0x9f : c == 0xf4 ? 0x8f : 0xbf;
    if (s[1] < lo || s[1] > hi) return 0;
    for (size_t i = 2; i < n; i++) {
        if ((s[i] & 0xc0) != 0x80) return 0;
    }
    return n;
}

/* s as a JSON string into out, which has room for 6 bytes per byte of s
 * and 2: quotes and backslashes escaped, control bytes as \u00XX, invalid
 * UTF-8 as U+FFFD, so that whatever a client sent leaves the line one
 * line of JSON. */
static size_t put_str(char *out, const char *s)
{
    static const char hex[] = "0123456789abcdef";
    static const char short_escape[0x20] = {
        ['\b'] = 'b', ['\f'] = 'f', ['\n'] = 'n', ['\r'] = 'r', ['\t'] = 't'};
    size_t n = 0;
    out[n++] = '"';
    for (const unsigned char *p = (const unsigned char *)s; *p;) {
        unsigned char c = *p;
        if (c == '"' || c == '\\') {
            out[n++] = '\\';
            out[n++] = (char)c;
            p++;
        } else if (c < 0x20 && short_escape[c]) {
            out[n++] = '\\';
            out[n++] = short_escape[c];
            p++;
        } else if (c < 0x20) {
            memcpy(out + n, "\\u00", 4);
            out[n + 4] = hex[c >> 4];
            out[n + 5] = hex[c & 15];
            n += 6;
            p++;
        } else {
            size_t k = utf8_len(p);
            if (k) {
                memcpy(out + n, p, k);
                n += k;
                p += k;
            } else {
                memcpy(out + n, "\\ufffd", 6);
                n += 6;
                p++;
            }
        }
    }
    out[n++] = '"';
    return n;
}

static size_t put_num(char *out, long long v)
{
    char digits[24];
    size_t n = 0, k = 0;
    unsigned long long u = v < 0 ? 0ull - (unsigned long long)v : (unsigned long long)v;
    do {
        digits[k++] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0) out[n++] = '-';
    while (k) out[n++] = digits[--k];
    return n;
}

/* The bytes line of f[0..n) can take: each string escaped at its worst. */
static size_t line_bound(const refapi_log_field *f, size_t n)
{
    size_t b = 64; /* the time, braces, newline */
    for (size_t i = 0; i < n; i++)
        b += strlen(f[i].name) + 32 + (f[i].str ? 6 * strlen(f[i].str) : 0);
    return b;
}

void refapi_log_fields(refapi_log *l, long long now_ms, const refapi_log_field *f, size_t n)
{
    if (!l) return;
    char stack[LINE_STACK];
    size_t bound = line_bound(f, n);
    char *line = bound <= sizeof stack ? stack : malloc(bound);
    if (!line) return;
    size_t at = put_time(line, now_ms);
    for (size_t i = 0; i < n; i++) {
        line[at++] = ',';
        at += put_str(line + at, f[i].name);
        line[at++] = ':';
        if (f[i].is_num)
            at += put_num(line + at, f[i].num);
        else if (f[i].str)
            at += put_str(line + at, f[i].str);
        else {
            memcpy(line + at, "null", 4);
            at += 4;
        }
    }
    line[at++] = '}';
    line[at++] = '\n';
    add_line(l, line, at);
    if (line != stack) free(line);
}
