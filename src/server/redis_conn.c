/* A pool of connections to one Redis server (see redis_conn.h). */
#include "redis_conn.h"

#include "alloc.h"
#include "apierr/common.h"
#include "redis_url.h"

#include <pthread.h>
#include <semaphore.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/*
 * A few connections, each carrying many callers' commands at once: the
 * callers that arrive while a command is on the wire queue behind it, and
 * the next of them to run sends the whole queue in one write and reads its
 * replies in order (a pipeline, as redis-benchmark -P). Redis then reads
 * and answers a batch in one system call each way instead of one per
 * command, and a caller never waits for a free connection, only for the
 * round trip before its own. Each command is still run by Redis alone
 * (a script is atomic whatever rides with it on the connection), so
 * batching changes no decision. bench/fleet measured 64 callers on 16
 * connections of one command each at 0.38x redis-benchmark's INCR ceiling
 * (-c 64 -P 1); see it for what this gives.
 */
#define NSLOTS     APIERR__REDIS_CONNECTIONS
#define TIMEOUT_MS 1000

/* A caller's command, on its own stack, while it waits on a slot. */
typedef struct waiter {
    int argc;
    const char **argv;
    const size_t *lens;
    redisReply *reply;
    enum { QUEUED, LEAD, DONE } state; /* LEAD: handed the slot's connection */
    /* Posted once the state moved on. A semaphore, not a condition: it is
     * posted after the slot's mutex is let go, so a woken caller does not
     * wake only to wait for that mutex (two switches a command where one
     * will do); and the waiter may destroy it as soon as its wait is over. */
    sem_t posted;
    struct waiter *next;
} waiter;

typedef struct slot {
    pthread_mutex_t mu; /* guards leading and the queue */
    int leading;        /* a caller is running a batch on c */
    waiter *head, **tail;
    redisContext *c; /* touched only by the caller leading (the mutex orders them) */
} slot;

struct apierr__redis {
    apierr__redis_url url;
    atomic_uint next;
    /* After a failed connect, no slot tries again before this: one outage
     * costs one connect attempt per window, not one per slot or call. */
    atomic_llong down_until_ms;
    slot slots[NSLOTS];
};

static long long mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int apierr__redis_open(apierr__redis **out, const char *url)
{
    *out = NULL;
    apierr__redis *r = apierr__calloc(1, sizeof *r);
    if (!r) return APIERR_ENOMEM;
    int rc = apierr__redis_url_parse(&r->url, url);
    if (rc != APIERR_OK) {
        apierr__free(r);
        return rc;
    }
    for (size_t i = 0; i < NSLOTS; i++) {
        pthread_mutex_init(&r->slots[i].mu, NULL);
        r->slots[i].tail = &r->slots[i].head;
    }
    *out = r;
    return APIERR_OK;
}

void apierr__redis_close(apierr__redis *r)
{
    if (!r) return;
    for (size_t i = 0; i < NSLOTS; i++) {
        if (r->slots[i].c) redisFree(r->slots[i].c);
        pthread_mutex_destroy(&r->slots[i].mu);
    }
    apierr__redis_url_clear(&r->url);
    apierr__free(r);
}

/* A reply to a setup command: 0 when it went well, else -1 with Redis's
 * words in err (or "no reply" when the connection failed). Frees it. */
static int setup_reply(redisReply *rep, char *err, size_t errlen)
{
    int ok = rep && rep->type != REDIS_REPLY_ERROR;
    if (!ok && errlen) snprintf(err, errlen, "%s", rep ? rep->str : "no reply");
    if (rep) freeReplyObject(rep);
    return ok ? 0 : -1;
}

/* A connection to r's server, authenticated, on the URL's database; NULL
 * on failure, with *refused set when Redis answered but said no (AUTH or
 * SELECT: a setting to fix, not an outage) and its words in err. */
static redisContext *dial(const apierr__redis *r, int *refused, char *err, size_t errlen)
{
    const apierr__redis_url *u = &r->url;
    struct timeval tv = {TIMEOUT_MS / 1000, (TIMEOUT_MS % 1000) * 1000};
    redisContext *c = u->port ? redisConnectWithTimeout(u->host, u->port, tv)
                              : redisConnectUnixWithTimeout(u->host, tv);
    *refused = 0;
    if (!c || c->err || redisSetTimeout(c, tv) != REDIS_OK) {
        if (errlen) snprintf(err, errlen, "%s", c ? c->errstr : "out of memory");
        if (c) redisFree(c);
        return NULL;
    }
    int bad = 0;
    if (u->password && u->user)
        bad = setup_reply(redisCommand(c, "AUTH %s %s", u->user, u->password), err, errlen);
    else if (u->password)
        bad = setup_reply(redisCommand(c, "AUTH %s", u->password), err, errlen);
    if (!bad && u->db) bad = setup_reply(redisCommand(c, "SELECT %d", u->db), err, errlen);
    if (bad) {
        *refused = !c->err; /* an error reply, not a broken connection */
        redisFree(c);
        return NULL;
    }
    return c;
}

int apierr__redis_check(apierr__redis *r, char *err, size_t errlen)
{
    int refused;
    redisContext *c = dial(r, &refused, err, errlen);
    if (!c) return refused ? APIERR_EINVAL : APIERR_EBACKEND;
    int rc = APIERR_OK;
    redisReply *rep = redisCommand(c, "PING"); /* a server that wants AUTH says so here */
    if (!rep || rep->type == REDIS_REPLY_ERROR) {
        rc = rep ? APIERR_EINVAL : APIERR_EBACKEND;
        if (errlen) snprintf(err, errlen, "%s", rep ? rep->str : c->errstr);
    }
    if (rep) freeReplyObject(rep);
    redisFree(c);
    return rc;
}

/* Sends the batch on s's connection (made when there is none) and gives
 * each of its commands its reply; one whose reply did not come (the
 * connection broke: the server closed it while idle, or went away) is sent
 * once more on a new connection. Left NULL when Redis cannot be reached,
 * and then no batch of the pool connects for APIERR__REDIS_DOWN_MS. */
static void run_batch(apierr__redis *r, slot *s, waiter *batch)
{
    for (int round = 0; round < 2 && batch; round++) {
        int refused;
        if (!s->c && mono_ms() < atomic_load(&r->down_until_ms)) return;
        if (!s->c && !(s->c = dial(r, &refused, NULL, 0))) {
            /* Only a failed attempt opens the window: calls failed fast
             * must not push it on, or a busy pool would never try again. */
            atomic_store(&r->down_until_ms, mono_ms() + APIERR__REDIS_DOWN_MS);
            return;
        }
        int ok = 1;
        for (waiter *w = batch; w && ok; w = w->next)
            ok = redisAppendCommandArgv(s->c, w->argc, w->argv, w->lens) == REDIS_OK;
        while (batch && ok) { /* the first read writes them all */
            ok = redisGetReply(s->c, (void **)&batch->reply) == REDIS_OK;
            if (ok) batch = batch->next;
        }
        if (!ok) { /* the connection is gone: drop it, try a new one once */
            redisFree(s->c);
            s->c = NULL;
        }
    }
}

redisReply *apierr__redis_command(apierr__redis *r, int argc, const char **argv, const size_t *lens)
{
    slot *s = &r->slots[atomic_fetch_add(&r->next, 1) % NSLOTS];
    waiter me = {argc, argv, lens, NULL, QUEUED, {{0}}, NULL};
    sem_init(&me.posted, 0, 0);
    pthread_mutex_lock(&s->mu);
    *s->tail = &me;
    s->tail = &me.next;
    int wait = s->leading;
    s->leading = 1;
    pthread_mutex_unlock(&s->mu);
    if (wait) {
        while (sem_wait(&me.posted) != 0) continue; /* EINTR */
    }
    if (me.state != DONE) { /* leading: the whole queue is the batch (this caller heads it) */
        pthread_mutex_lock(&s->mu);
        waiter *batch = s->head;
        s->head = NULL;
        s->tail = &s->head;
        pthread_mutex_unlock(&s->mu);
        run_batch(r, s, batch);
        pthread_mutex_lock(&s->mu);
        waiter *next_leader = s->head; /* came meanwhile: the first of them leads next */
        s->leading = next_leader != NULL;
        pthread_mutex_unlock(&s->mu);
        if (next_leader) { /* first: the connection idles until the next batch leaves */
            next_leader->state = LEAD;
            sem_post(&next_leader->posted);
        }
        for (waiter *w = batch, *next; w; w = next) {
            next = w->next; /* w is gone once posted */
            w->state = DONE;
            if (w != &me) sem_post(&w->posted);
        }
    }
    sem_destroy(&me.posted);
    return me.reply;
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
