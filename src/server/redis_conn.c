/* A pool of connections to one Redis server (see redis_conn.h). */
#include "redis_conn.h"

#include "alloc.h"
#include "apierr/common.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Enough for the threads of a server: a caller waits only for a slot whose
 * command is running, and a command is one round trip. */
#define NSLOTS     16
#define TIMEOUT_MS 1000

typedef struct slot {
    pthread_mutex_t mu;
    redisContext *c;
    long long down_until_ms;
} slot;

struct apierr__redis {
    char *host; /* or the socket path */
    int port;   /* 0: a Unix socket */
    char *password;
    int db;
    atomic_uint next;
    slot slots[NSLOTS];
};

static long long mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Reads "N" as a number in [lo, hi] into *out; 0 on success. */
static int number(const char *s, size_t n, long lo, long hi, int *out)
{
    if (n == 0 || n > 9) return -1;
    long v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') return -1;
        v = v * 10 + (s[i] - '0');
    }
    if (v < lo || v > hi) return -1;
    *out = (int)v;
    return 0;
}

/* Splits url into r's host/port/password/db. 0, -1 when malformed, or
 * -2 when out of memory. */
static int parse_url(apierr__redis *r, const char *url)
{
    const char *db = NULL;
    if (strncmp(url, "unix://", 7) == 0) {
        const char *path = url + 7, *q = strchr(path, '?');
        size_t n = q ? (size_t)(q - path) : strlen(path);
        if (n == 0 || path[0] != '/') return -1;
        if (q && strncmp(q, "?db=", 4) != 0) return -1;
        db = q ? q + 4 : NULL;
        if (db && number(db, strlen(db), 0, 1000000, &r->db)) return -1;
        r->host = apierr__strndup(path, n);
        r->port = 0;
        return r->host ? 0 : -2;
    }
    if (strncmp(url, "redis://", 8) != 0) return -1;
    const char *s = url + 8, *at = strchr(s, '@'), *slash;
    if (at) {
        const char *colon = memchr(s, ':', (size_t)(at - s));
        const char *pw = colon ? colon + 1 : s; /* redis://:PASSWORD@ or redis://USER:PASS@ */
        r->password = apierr__strndup(pw, (size_t)(at - pw));
        if (!r->password) return -2;
        s = at + 1;
    }
    slash = strchr(s, '/');
    size_t hostport = slash ? (size_t)(slash - s) : strlen(s);
    const char *colon = memchr(s, ':', hostport);
    size_t hn = colon ? (size_t)(colon - s) : hostport;
    if (hn == 0) return -1;
    r->port = 6379;
    if (colon && number(colon + 1, hostport - hn - 1, 1, 65535, &r->port)) return -1;
    if (slash && slash[1] && number(slash + 1, strlen(slash + 1), 0, 1000000, &r->db)) return -1;
    r->host = apierr__strndup(s, hn);
    return r->host ? 0 : -2;
}

int apierr__redis_open(apierr__redis **out, const char *url)
{
    *out = NULL;
    apierr__redis *r = apierr__calloc(1, sizeof *r);
    if (!r) return APIERR_ENOMEM;
    int bad = url ? parse_url(r, url) : -1;
    if (bad) {
        apierr__redis_close(r);
        return bad == -2 ? APIERR_ENOMEM : APIERR_EINVAL;
    }
    const char *env = getenv("REDIS_PASSWORD");
    if (!r->password && env && *env && !(r->password = apierr__strdup(env))) {
        apierr__redis_close(r);
        return APIERR_ENOMEM;
    }
    for (size_t i = 0; i < NSLOTS; i++) pthread_mutex_init(&r->slots[i].mu, NULL);
    *out = r;
    return APIERR_OK;
}

void apierr__redis_close(apierr__redis *r)
{
    if (!r) return;
    for (size_t i = 0; r->host && i < NSLOTS; i++) {
        if (r->slots[i].c) redisFree(r->slots[i].c);
        pthread_mutex_destroy(&r->slots[i].mu);
    }
    apierr__free(r->host);
    apierr__free(r->password);
    apierr__free(r);
}

/* A reply to a setup command that went well, freed; 0, or -1. */
static int ok_reply(redisReply *rep)
{
    int ok = rep && rep->type != REDIS_REPLY_ERROR;
    if (rep) freeReplyObject(rep);
    return ok ? 0 : -1;
}

/* Connects s, authenticates and selects the database; 0, or -1. */
static int connect_slot(const apierr__redis *r, slot *s)
{
    struct timeval tv = {TIMEOUT_MS / 1000, (TIMEOUT_MS % 1000) * 1000};
    redisContext *c = r->port ? redisConnectWithTimeout(r->host, r->port, tv)
                              : redisConnectUnixWithTimeout(r->host, tv);
    if (!c || c->err || redisSetTimeout(c, tv) != REDIS_OK ||
        (r->password && ok_reply(redisCommand(c, "AUTH %s", r->password))) ||
        (r->db && ok_reply(redisCommand(c, "SELECT %d", r->db)))) {
        if (c) redisFree(c);
        return -1;
    }
    s->c = c;
    return 0;
}

redisReply *apierr__redis_command(apierr__redis *r, int argc, const char **argv, const size_t *lens)
{
    slot *s = &r->slots[atomic_fetch_add(&r->next, 1) % NSLOTS];
    redisReply *rep = NULL;
    pthread_mutex_lock(&s->mu);
    for (int round = 0; round < 2 && !rep; round++) {
        if (!s->c) {
            if (mono_ms() < s->down_until_ms || connect_slot(r, s)) {
                s->down_until_ms = mono_ms() + APIERR__REDIS_DOWN_MS;
                break;
            }
        }
        rep = redisCommandArgv(s->c, argc, argv, lens);
        if (!rep) { /* the connection is gone: drop it, try a new one once */
            redisFree(s->c);
            s->c = NULL;
        }
    }
    pthread_mutex_unlock(&s->mu);
    return rep;
}

/* The script's SHA1, loaded once; 0, or -1 when Redis cannot be reached. */
static int script_sha(apierr__redis *r, apierr__redis_script *sc, char sha[41])
{
    pthread_mutex_lock(&sc->mu);
    memcpy(sha, sc->sha, sizeof sc->sha);
    pthread_mutex_unlock(&sc->mu);
    if (sha[0]) return 0;
    const char *argv[] = {"SCRIPT", "LOAD", sc->text};
    size_t lens[] = {6, 4, sc->len};
    redisReply *rep = apierr__redis_command(r, 3, argv, lens);
    int ok = rep && rep->type == REDIS_REPLY_STRING && rep->len == 40;
    if (ok) {
        memcpy(sha, rep->str, 40);
        sha[40] = '\0';
        pthread_mutex_lock(&sc->mu);
        memcpy(sc->sha, sha, sizeof sc->sha);
        pthread_mutex_unlock(&sc->mu);
    }
    if (rep) freeReplyObject(rep);
    return ok ? 0 : -1;
}

redisReply *apierr__redis_eval(apierr__redis *r, apierr__redis_script *script, int nkeys, int nargs,
                               const char **args, const size_t *lens)
{
    char sha[41], nk[12];
    if (nargs > APIERR__REDIS_MAX_ARGS || script_sha(r, script, sha)) return NULL;
    const char *argv[APIERR__REDIS_MAX_ARGS + 3] = {"EVALSHA", sha, nk};
    size_t alen[APIERR__REDIS_MAX_ARGS + 3] = {7, 40, (size_t)snprintf(nk, sizeof nk, "%d", nkeys)};
    if (nargs > 0) { /* a script of no args may come with NULL arrays */
        memcpy(argv + 3, args, (size_t)nargs * sizeof *args);
        memcpy(alen + 3, lens, (size_t)nargs * sizeof *lens);
    }
    redisReply *rep = apierr__redis_command(r, nargs + 3, argv, alen);
    if (rep && rep->type == REDIS_REPLY_ERROR && strncmp(rep->str, "NOSCRIPT", 8) == 0) {
        freeReplyObject(rep);
        argv[0] = "EVAL";
        alen[0] = 4;
        argv[1] = script->text;
        alen[1] = script->len;
        rep = apierr__redis_command(r, nargs + 3, argv, alen);
    }
    return rep;
}
