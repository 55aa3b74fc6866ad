/* errlog.c - the per-client rings of recent errors (see errlog.h). */
#include "errlog.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#define KEY_PREFIX "apierr:errlog:"
#define KEEP_MS    "86400000"
#define STR(x)     #x
#define XSTR(x)    STR(x)
#define KEEP_N     XSTR(REFAPI_ERRLOG)

static const char PUSH[] = "redis.call('LPUSH', KEYS[1], ARGV[1])\n"
                           "redis.call('LTRIM', KEYS[1], 0, tonumber(ARGV[2]) - 1)\n"
                           "redis.call('PEXPIRE', KEYS[1], ARGV[3])\n"
                           "return 1\n";
static const char RECENT[] = "return redis.call('LRANGE', KEYS[1], 0, tonumber(ARGV[1]) - 1)\n";

void refapi_errlog_init(refapi_errlog *log)
{
    memset(log, 0, sizeof *log);
    for (size_t i = 0; i < REFAPI_SHARDS; i++) pthread_mutex_init(&log->shard[i].lock, NULL);
}

void refapi_errlog_destroy(refapi_errlog *log)
{
    for (size_t i = 0; i < REFAPI_SHARDS; i++) pthread_mutex_destroy(&log->shard[i].lock);
}

void refapi_errlog_share(refapi_errlog *log, apierr_redis *redis, const refapi_config *cfg)
{
    log->redis = redis;
    log->cfg = cfg;
}

/* Runs script on client's list (its one key) with args[0..n) after it. */
static int run(refapi_errlog *log, apierr_redis_reply **out, const char *script, int client, int n,
               const char **args)
{
    char key[96];
    snprintf(key, sizeof key, KEY_PREFIX "%s", log->cfg->clients[client].id);
    const char *argv[4] = {key};
    size_t lens[4] = {strlen(key)};
    for (int i = 0; i < n; i++) {
        argv[i + 1] = args[i];
        lens[i + 1] = strlen(args[i]);
    }
    return apierr_redis_eval(log->redis, out, script, 1, n + 1, argv, lens);
}

/* Keeps e in the fleet's list of client, as a JSON array. Best effort: an
 * error reply is not held up by a Redis that is away (the ring has it). */
static void share(refapi_errlog *log, int client, const refapi_errlog_entry *e)
{
    json_t *j = json_pack("[i, I, s, s, s, s]", e->status, (json_int_t)e->at_ms, e->code,
                          e->request_id, e->method, e->path);
    char *text = j ? json_dumps(j, JSON_COMPACT) : NULL;
    apierr_redis_reply *rep = NULL;
    if (text) {
        const char *args[] = {text, KEEP_N, KEEP_MS};
        run(log, &rep, PUSH, client, 3, args);
    }
    apierr_redis_reply_free(rep);
    free(text);
    json_decref(j);
}

/* One stored entry back; 0, or -1 when it is not one. */
static int entry_of(refapi_errlog_entry *out, const apierr_redis_reply *e)
{
    if (e->type != APIERR_REDIS_STRING) return -1;
    json_t *j = json_loadb(e->str, e->len, 0, NULL);
    json_int_t at = 0;
    const char *code, *rid, *method, *path;
    int ok = j && json_unpack(j, "[i, I, s, s, s, s]", &out->status, &at, &code, &rid, &method,
                              &path) == 0;
    if (ok) {
        out->at_ms = at;
        snprintf(out->code, sizeof out->code, "%s", code);
        snprintf(out->request_id, sizeof out->request_id, "%s", rid);
        snprintf(out->method, sizeof out->method, "%s", method);
        snprintf(out->path, sizeof out->path, "%s", path);
    }
    json_decref(j);
    return ok ? 0 : -1;
}

/* The fleet's errors of client, newest first; -1 when Redis cannot say. */
static long shared(refapi_errlog *log, int client, refapi_errlog_entry out[REFAPI_ERRLOG])
{
    const char *args[] = {KEEP_N};
    apierr_redis_reply *rep;
    if (run(log, &rep, RECENT, client, 1, args) != APIERR_OK) return -1;
    long k = 0;
    for (size_t i = 0; rep->type == APIERR_REDIS_ARRAY && i < rep->nelements && k < REFAPI_ERRLOG;
         i++) {
        if (entry_of(&out[k], &rep->element[i]) == 0) k++;
    }
    apierr_redis_reply_free(rep);
    return k;
}

void refapi_errlog_add(refapi_errlog *log, int client, const refapi_errlog_entry *e,
                       long long at_us)
{
    refapi_errlog_shard *sh = &log->shard[refapi_shard()];
    pthread_mutex_lock(&sh->lock);
    refapi_errlog_ring *ring = &sh->ring[client];
    ring->e[ring->next] = *e;
    ring->at_us[ring->next] = at_us;
    ring->seq[ring->next] = ++sh->seq;
    ring->next = (ring->next + 1) % REFAPI_ERRLOG;
    if (ring->count < REFAPI_ERRLOG) ring->count++;
    pthread_mutex_unlock(&sh->lock);
    if (log->redis) share(log, client, e);
}

size_t refapi_errlog_recent(refapi_errlog *log, int client, refapi_errlog_entry out[REFAPI_ERRLOG])
{
    long fleet = log->redis ? shared(log, client, out) : -1;
    if (fleet >= 0) return (size_t)fleet;
    /* The newest of every shard's newest: a merge, newest first. */
    long long taken_us[REFAPI_ERRLOG];
    unsigned long long taken_seq[REFAPI_ERRLOG];
    size_t n = 0;
    for (size_t i = 0; i < REFAPI_SHARDS; i++) {
        refapi_errlog_shard *sh = &log->shard[i];
        pthread_mutex_lock(&sh->lock);
        const refapi_errlog_ring *ring = &sh->ring[client];
        for (size_t k = 0; k < ring->count; k++) {
            size_t at = (ring->next + REFAPI_ERRLOG - 1 - k) % REFAPI_ERRLOG;
            long long us = ring->at_us[at];
            unsigned long long seq = ring->seq[at];
            size_t j = n < REFAPI_ERRLOG ? n++ : REFAPI_ERRLOG;
            while (j > 0 &&
                   (taken_us[j - 1] < us || (taken_us[j - 1] == us && taken_seq[j - 1] < seq))) {
                if (j < REFAPI_ERRLOG)
                    out[j] = out[j - 1], taken_us[j] = taken_us[j - 1],
                    taken_seq[j] = taken_seq[j - 1];
                j--;
            }
            if (j < REFAPI_ERRLOG) out[j] = ring->e[at], taken_us[j] = us, taken_seq[j] = seq;
        }
        pthread_mutex_unlock(&sh->lock);
    }
    return n;
}
