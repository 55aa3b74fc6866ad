/*
 * authfail.c - the failure counters of authfail.h: an open-addressed table
 * under one mutex (failures are rare next to requests). A full probe run
 * gives its stalest slot to the new key: an attacker spraying keys can
 * evict counters, but each eviction costs them as many requests as it
 * buys, and the per-address key still counts every one of them.
 */
#include "authfail.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SLOTS 4096
#define PROBE 16

typedef struct slot {
    char key[80];
    long long start_ms; /* of the window; 0: free */
    long long count;
} slot;

struct refapi_authfail {
    long long limit, window_ms;
    pthread_mutex_t mu;
    slot s[SLOTS];
};

refapi_authfail *refapi_authfail_new(long long limit, long long window_ms)
{
    refapi_authfail *a = calloc(1, sizeof *a);
    if (!a) return NULL;
    a->limit = limit;
    a->window_ms = window_ms;
    pthread_mutex_init(&a->mu, NULL);
    return a;
}

void refapi_authfail_free(refapi_authfail *a)
{
    if (!a) return;
    pthread_mutex_destroy(&a->mu);
    free(a);
}

static uint32_t fnv1a(const char *k)
{
    uint32_t h = 2166136261u;
    for (; *k; k++) h = (h ^ (unsigned char)*k) * 16777619u;
    return h;
}

/* The slot of key (create: a fresh one for it when absent), or NULL. */
static slot *find(refapi_authfail *a, const char *key, long long now_ms, int create)
{
    uint32_t h = fnv1a(key);
    slot *stale = NULL; /* the first dead slot, else the oldest live one */
    int stale_live = 1;
    for (int i = 0; i < PROBE; i++) {
        slot *s = &a->s[(h + (uint32_t)i) % SLOTS];
        int live = s->start_ms && now_ms - s->start_ms < a->window_ms;
        if (live && strncmp(s->key, key, sizeof s->key - 1) == 0) return s;
        if (stale_live && (!live || !stale || s->start_ms < stale->start_ms)) {
            stale = s;
            stale_live = live;
        }
    }
    if (!create || !stale) return NULL;
    snprintf(stale->key, sizeof stale->key, "%s", key);
    stale->start_ms = now_ms;
    stale->count = 0;
    return stale;
}

long long refapi_authfail_blocked(refapi_authfail *a, const char *key, long long now_ms)
{
    long long left = 0;
    pthread_mutex_lock(&a->mu);
    slot *s = find(a, key, now_ms, 0);
    if (s && s->count >= a->limit) left = s->start_ms + a->window_ms - now_ms;
    pthread_mutex_unlock(&a->mu);
    return left > 0 ? left : 0;
}

void refapi_authfail_record(refapi_authfail *a, const char *key, long long now_ms)
{
    pthread_mutex_lock(&a->mu);
    slot *s = find(a, key, now_ms, 1);
    if (s) s->count++;
    pthread_mutex_unlock(&a->mu);
}
