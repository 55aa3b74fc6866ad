/* redis.c - the public handle of apierr/server/redis.h over the pool of
 * redis_conn.c: scripts by address, replies copied out of hiredis's. */
#include "apierr/server/redis.h"

#include "alloc.h"
#include "redis_conn.h"

#include <string.h>

/* Scripts remembered by address; a script beyond these is run by its text
 * every time (EVAL: correct, one round trip, only slower for Redis). */
#define NSCRIPTS 32

struct apierr_redis {
    apierr__redis *conn;
    pthread_mutex_t mu; /* guards nscripts and the script slots' text */
    size_t nscripts;
    apierr__redis_script scripts[NSCRIPTS];
};

int apierr_redis_open(apierr_redis **out, const char *url)
{
    *out = NULL;
    apierr_redis *r = apierr__calloc(1, sizeof *r);
    if (!r) return APIERR_ENOMEM;
    int rc = apierr__redis_open(&r->conn, url);
    if (rc != APIERR_OK) {
        apierr__free(r);
        return rc;
    }
    pthread_mutex_init(&r->mu, NULL);
    for (size_t i = 0; i < NSCRIPTS; i++) pthread_mutex_init(&r->scripts[i].mu, NULL);
    *out = r;
    return APIERR_OK;
}

void apierr_redis_close(apierr_redis *r)
{
    if (!r) return;
    apierr__redis_close(r->conn);
    for (size_t i = 0; i < NSCRIPTS; i++) pthread_mutex_destroy(&r->scripts[i].mu);
    pthread_mutex_destroy(&r->mu);
    apierr__free(r);
}

int apierr_redis_check(apierr_redis *r, char *err, size_t errlen)
{
    return apierr__redis_check(r->conn, err, errlen);
}

/* The slot of script: found by its address, or taken; NULL when all are
 * taken by others. */
static apierr__redis_script *script_slot(apierr_redis *r, const char *script)
{
    apierr__redis_script *sc = NULL;
    pthread_mutex_lock(&r->mu);
    for (size_t i = 0; i < r->nscripts && !sc; i++) {
        if (r->scripts[i].text == script) sc = &r->scripts[i];
    }
    if (!sc && r->nscripts < NSCRIPTS) {
        sc = &r->scripts[r->nscripts++];
        sc->text = script;
        sc->len = strlen(script);
    }
    pthread_mutex_unlock(&r->mu);
    return sc;
}

/* A copy of hiredis's reply into out; APIERR_OK, EIO (an error reply) or
 * ENOMEM. */
static int copy_reply(apierr_redis_reply *out, const redisReply *in)
{
    memset(out, 0, sizeof *out);
    switch (in->type) {
    case REDIS_REPLY_INTEGER:
        out->type = APIERR_REDIS_INTEGER;
        out->integer = in->integer;
        return APIERR_OK;
    case REDIS_REPLY_STRING:
    case REDIS_REPLY_STATUS:
        out->type = APIERR_REDIS_STRING;
        out->len = in->len;
        out->str = apierr__strndup(in->str, in->len);
        return out->str ? APIERR_OK : APIERR_ENOMEM;
    case REDIS_REPLY_ARRAY:
        out->type = APIERR_REDIS_ARRAY;
        if (!in->elements) return APIERR_OK;
        out->element = apierr__calloc(in->elements, sizeof *out->element);
        if (!out->element) return APIERR_ENOMEM;
        out->nelements = in->elements;
        for (size_t i = 0; i < in->elements; i++) {
            int rc = copy_reply(&out->element[i], in->element[i]);
            if (rc != APIERR_OK) return rc;
        }
        return APIERR_OK;
    case REDIS_REPLY_ERROR:
        return APIERR_EIO;
    default: /* NIL; RESP3 types are not asked for */
        return APIERR_OK;
    }
}

static void reply_clear(apierr_redis_reply *r)
{
    for (size_t i = 0; i < r->nelements; i++) reply_clear(&r->element[i]);
    apierr__free(r->element);
    apierr__free(r->str);
}

void apierr_redis_reply_free(apierr_redis_reply *reply)
{
    if (!reply) return;
    reply_clear(reply);
    apierr__free(reply);
}

int apierr_redis_eval(apierr_redis *r, apierr_redis_reply **out, const char *script, int nkeys,
                      int nargs, const char **args, const size_t *lens)
{
    *out = NULL;
    if (nargs < 0 || nargs > APIERR__REDIS_MAX_ARGS || nkeys < 0 || nkeys > nargs)
        return APIERR_EINVAL;
    apierr__redis_script *sc = script_slot(r, script), once;
    if (!sc) {
        /* Not remembered: a slot of this call's own, loaded and dropped. */
        once = (apierr__redis_script){script, strlen(script), PTHREAD_MUTEX_INITIALIZER, ""};
        sc = &once;
    }
    redisReply *rep = apierr__redis_eval(r->conn, sc, nkeys, nargs, args, lens);
    if (!rep) return APIERR_EBACKEND;
    apierr_redis_reply *copy = apierr__calloc(1, sizeof *copy);
    int rc = copy ? copy_reply(copy, rep) : APIERR_ENOMEM;
    freeReplyObject(rep);
    if (rc != APIERR_OK) {
        apierr_redis_reply_free(copy);
        return rc;
    }
    *out = copy;
    return APIERR_OK;
}
