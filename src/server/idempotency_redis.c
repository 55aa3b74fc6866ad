/*
 * The idempotency store on Redis (idem_backend.h), shared by every instance
 * of a fleet: one hash per key (its fingerprint, its state, the lease of the
 * request running it and the store that holds the lease, then the stored
 * response), read and moved by one script per operation, so that a claim,
 * a replay or a takeover is atomic across instances, and judged on Redis's
 * clock. The hash expires ttl_ms after its claim. A store that lost its
 * lease (it was taken over) can no longer complete or abort the key.
 *
 * With a journal (the application's SQLite database), every claim Redis
 * grants is also made there, and complete_in() records the answer there in
 * the write's own transaction; a claim that finds a recorded answer (its
 * writer died between the commit and publishing to Redis, or Redis lost the
 * key) publishes it and replays it instead of running the write again. The
 * journal judges no lease: Redis has the one clock of the fleet.
 */
#include "alloc.h"
#include "idem_backend.h"
#include "redis_conn.h"

#include <stdio.h>
#include <string.h>
#include <sys/random.h>

/* KEYS[1]; ARGV: fingerprint, owner, ttl_ms, lock_ms. Returns {0} NEW (the
 * caller now holds the lease), {1, status, headers, body} REPLAY, {2}
 * MISMATCH, {3} IN_PROGRESS. */
static apierr__redis_script begin_script = APIERR__REDIS_SCRIPT_INIT(
    "local t = redis.call('TIME')\n"
    "local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)\n"
    "local h = redis.call('HMGET', KEYS[1], 'fp', 'st', 'lease', 'status', 'headers', 'body')\n"
    "if h[1] and h[1] ~= ARGV[1] then return {2} end\n"
    "if h[1] and h[2] == 'd' then return {1, h[4], h[5], h[6]} end\n"
    "if h[1] and tonumber(h[3]) > now then return {3} end\n"
    "redis.call('DEL', KEYS[1])\n"
    "redis.call('HSET', KEYS[1], 'fp', ARGV[1], 'st', 'p', 'lease',\n"
    "           now + tonumber(ARGV[4]), 'owner', ARGV[2])\n"
    "redis.call('PEXPIRE', KEYS[1], ARGV[3])\n"
    "return {0}\n");

/* KEYS[1]; ARGV: owner, status, headers, body. 1 stored, 0 not in progress
 * under this owner. */
static apierr__redis_script complete_script = APIERR__REDIS_SCRIPT_INIT(
    "local h = redis.call('HMGET', KEYS[1], 'st', 'owner')\n"
    "if h[1] ~= 'p' or h[2] ~= ARGV[1] then return 0 end\n"
    "redis.call('HSET', KEYS[1], 'st', 'd', 'status', ARGV[2], 'headers', ARGV[3],\n"
    "           'body', ARGV[4])\n"
    "return 1\n");

/* KEYS[1]; ARGV: owner. 1 forgotten, 0 not in progress under this owner. */
static apierr__redis_script abort_script =
    APIERR__REDIS_SCRIPT_INIT("local h = redis.call('HMGET', KEYS[1], 'st', 'owner')\n"
                              "if h[1] ~= 'p' or h[2] ~= ARGV[1] then return 0 end\n"
                              "redis.call('DEL', KEYS[1])\n"
                              "return 1\n");

#define PREFIX "apierr:idem:"

typedef struct redis_store {
    apierr__redis *redis;
    char ttl[24], lock[24];
    char owner[33]; /* this store, among the fleet's */
    void *journal;  /* the SQLite backend on the journal, or NULL */
} redis_store;

static int redis_complete(void *b, const char *key, const apierr_reply *response,
                          const char *headers, size_t hlen);
static int redis_abort(void *b, const char *key);

/* PREFIX + key into buf (the key is valid: at most 255 bytes). */
static size_t key_of(char *buf, const char *key)
{
    return (size_t)snprintf(buf, 300, PREFIX "%s", key);
}

/* The claim on Redis alone. */
static int claim(redis_store *s, apierr_idempotency_state *state, apierr_reply *replay,
                 const char *key, const unsigned char fp[APIERR_SHA256_SIZE])
{
    char k[300];
    const char *args[] = {k, (const char *)fp, s->owner, s->ttl, s->lock};
    size_t lens[] = {key_of(k, key), APIERR_SHA256_SIZE, strlen(s->owner), strlen(s->ttl),
                     strlen(s->lock)};
    redisReply *rep = apierr__redis_eval(s->redis, &begin_script, 1, 5, args, lens);
    int rc = APIERR_EIO;
    if (rep && rep->type == REDIS_REPLY_ARRAY && rep->elements >= 1 &&
        rep->element[0]->type == REDIS_REPLY_INTEGER) {
        long long st = rep->element[0]->integer;
        redisReply **e = rep->element;
        if (st == 1 && rep->elements == 4 && e[1]->type == REDIS_REPLY_STRING &&
            e[2]->type == REDIS_REPLY_STRING && e[3]->type == REDIS_REPLY_STRING) {
            *state = APIERR_IDEMPOTENCY_REPLAY;
            rc = apierr__idem_unpack(replay, atoi(e[1]->str), e[2]->str, e[2]->len, e[3]->str,
                                     e[3]->len);
        } else if (st == 0 || st == 2 || st == 3) {
            static const apierr_idempotency_state states[] = {
                APIERR_IDEMPOTENCY_NEW, APIERR_IDEMPOTENCY_REPLAY, APIERR_IDEMPOTENCY_MISMATCH,
                APIERR_IDEMPOTENCY_IN_PROGRESS};
            *state = states[st];
            rc = APIERR_OK;
        }
    }
    if (rep) freeReplyObject(rep);
    return rc;
}

/* A recorded answer, published to the fleet (best effort: if it fails,
 * the next claim after the lease finds the record again). */
static void publish(redis_store *s, const char *key, const apierr_reply *answer)
{
    char *h;
    size_t hlen;
    if (apierr__idem_pack(answer, &h, &hlen) != APIERR_OK) return;
    redis_complete(s, key, answer, h, hlen);
    apierr__free(h);
}

static int redis_begin(void *b, apierr_idempotency_state *state, apierr_reply *replay,
                       const char *key, const unsigned char fp[APIERR_SHA256_SIZE],
                       long long now_ms)
{
    redis_store *s = b;
    int rc = claim(s, state, replay, key, fp); /* on Redis's clock: now_ms is not used */
    if (rc || *state != APIERR_IDEMPOTENCY_NEW || !s->journal) return rc;
    apierr_idempotency_state recorded;
    rc = apierr__idem_sqlite_ops.begin(s->journal, &recorded, replay, key, fp, now_ms);
    if (rc == APIERR_OK && recorded == APIERR_IDEMPOTENCY_NEW) return rc;
    if (rc == APIERR_OK && recorded == APIERR_IDEMPOTENCY_REPLAY) {
        publish(s, key, replay);
        *state = recorded;
        return rc;
    }
    /* Another request's key (Redis forgot it; the journal did not), or a
     * journal that failed: the claim is given back. */
    redis_abort(s, key);
    if (rc == APIERR_OK) *state = recorded;
    return rc;
}

/* Runs a script that answers 1 (done) or 0 (not in progress here). */
static int run_owned(redis_store *s, apierr__redis_script *script, int nargs, const char **args,
                     size_t *lens)
{
    redisReply *rep = apierr__redis_eval(s->redis, script, 1, nargs, args, lens);
    int rc = !rep || rep->type != REDIS_REPLY_INTEGER ? APIERR_EIO
             : rep->integer == 1                      ? APIERR_OK
                                                      : APIERR_ENOTFOUND;
    if (rep) freeReplyObject(rep);
    return rc;
}

static int redis_complete(void *b, const char *key, const apierr_reply *response,
                          const char *headers, size_t hlen)
{
    redis_store *s = b;
    char k[300], status[12];
    const char *args[] = {k, s->owner, status, headers, response->body ? response->body : ""};
    size_t lens[] = {key_of(k, key), strlen(s->owner),
                     (size_t)snprintf(status, sizeof status, "%d", response->status), hlen,
                     response->body ? response->body_len : 0};
    return run_owned(s, &complete_script, 5, args, lens);
}

static int redis_abort(void *b, const char *key)
{
    redis_store *s = b;
    char k[300];
    const char *args[] = {k, s->owner};
    size_t lens[] = {key_of(k, key), strlen(s->owner)};
    int rc = run_owned(s, &abort_script, 2, args, lens);
    if (rc == APIERR_OK && s->journal) apierr__idem_sqlite_ops.abort(s->journal, key);
    return rc;
}

/* Keys expire by themselves. */
static int redis_purge(void *b, long long now_ms)
{
    (void)b;
    (void)now_ms;
    return APIERR_OK;
}

static void redis_close(void *b)
{
    redis_store *s = b;
    apierr__redis_close(s->redis);
    if (s->journal) apierr__idem_sqlite_ops.close(s->journal);
    apierr__free(s);
}

static int redis_records_in(void *b)
{
    return ((redis_store *)b)->journal != NULL;
}

static const apierr__idem_ops redis_ops = {redis_begin, redis_complete, redis_abort,
                                           redis_purge, redis_close,    redis_records_in};

int apierr__idem_redis_open(void **out, const apierr__idem_ops **ops, const char *url,
                            const apierr_idempotency_opts *o)
{
    redis_store *s = apierr__calloc(1, sizeof *s);
    if (!s) return APIERR_ENOMEM;
    int rc = apierr__redis_open(&s->redis, url);
    if (rc == APIERR_OK && o->journal) rc = apierr__idem_sqlite_open(&s->journal, o->journal, o, 1);
    if (rc) {
        redis_close(s);
        return rc;
    }
    snprintf(s->ttl, sizeof s->ttl, "%lld", o->ttl_ms);
    snprintf(s->lock, sizeof s->lock, "%lld", o->lock_ms);
    unsigned char id[16] = {0};
    if (getrandom(id, sizeof id, 0) != sizeof id) { /* a clock-free fallback: the address */
        size_t a = (size_t)s;
        memcpy(id, &a, sizeof a);
    }
    for (size_t i = 0; i < sizeof id; i++) snprintf(s->owner + 2 * i, 3, "%02x", id[i]);
    *out = s;
    *ops = &redis_ops;
    return APIERR_OK;
}
