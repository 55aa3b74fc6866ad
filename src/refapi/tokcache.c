/* tokcache.c - the token to client memo of tokcache.h. */
#include "tokcache.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define SLOTS 1024

typedef struct slot {
    char token[65]; /* the whole token: a hash collision must not file one
                       client's 429 under another */
    int client;
    long long expires_ms;
} slot;

struct refapi_tokcache {
    pthread_mutex_t mu;
    unsigned id; /* of this cache among those of the process, for the memo */
    slot s[SLOTS];
};

static atomic_uint next_id = 1;

/* Each thread's last answer: under a flood of 429s one token is asked for
 * again and again, and the cache's one mutex was fought over by every
 * worker on every request. A token's client never changes, and the memo
 * keeps its expiry, so it answers as the cache would. */
static _Thread_local struct {
    unsigned id;
    slot s;
} memo;

refapi_tokcache *refapi_tokcache_new(void)
{
    refapi_tokcache *c = calloc(1, sizeof *c);
    if (c) {
        pthread_mutex_init(&c->mu, NULL);
        c->id = atomic_fetch_add(&next_id, 1);
    }
    return c;
}

void refapi_tokcache_free(refapi_tokcache *c)
{
    if (!c) return;
    pthread_mutex_destroy(&c->mu);
    free(c);
}

static slot *slot_of(refapi_tokcache *c, const char *token)
{
    uint32_t h = 2166136261u;
    for (const char *p = token; *p; p++) h = (h ^ (unsigned char)*p) * 16777619u;
    return &c->s[h % SLOTS];
}

void refapi_tokcache_put(refapi_tokcache *c, const char *token, int client, long long expires_ms)
{
    if (!c || strlen(token) >= sizeof c->s[0].token) return;
    pthread_mutex_lock(&c->mu);
    slot *s = slot_of(c, token);
    strcpy(s->token, token);
    s->client = client;
    s->expires_ms = expires_ms;
    pthread_mutex_unlock(&c->mu);
}

int refapi_tokcache_get(refapi_tokcache *c, const char *token, long long now_ms)
{
    if (!c || strlen(token) >= sizeof c->s[0].token) return -2;
    if (memo.id == c->id && now_ms < memo.s.expires_ms && strcmp(memo.s.token, token) == 0)
        return memo.s.client;
    int client = -2;
    pthread_mutex_lock(&c->mu);
    slot *s = slot_of(c, token);
    if (s->token[0] && strcmp(s->token, token) == 0 && now_ms < s->expires_ms) {
        client = s->client;
        memo.id = c->id;
        memo.s = *s;
    }
    pthread_mutex_unlock(&c->mu);
    return client;
}
