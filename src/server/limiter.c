/*
 * GCRA per key in a sharded hash table. Times are kept in units of
 * 1/limit ms, so the emission interval T = window / limit is the integer
 * window_s * 1000 and no rounding drifts over many requests.
 */
#include "apierr/server_limiter.h"

#include "server_impl.h"

#include <limits.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#define NSHARDS     16
#define MIN_BUCKETS 16

typedef struct entry {
    struct entry *next;
    uint64_t hash;
    long long tat; /* theoretical arrival time, in units */
    size_t len;
    char key[];
} entry;

typedef struct shard {
    pthread_mutex_t mu;
    entry **buckets;
    size_t nbuckets; /* a power of two */
    size_t count;
} shard;

struct apierr_limiter {
    long long limit, window_s, burst;
    long long interval;  /* T, in units */
    long long tolerance; /* burst * T, in units */
    size_t shard_cap;
    uint64_t seed;
    char policy_name[65];
    char policy[128]; /* the RateLimit-Policy value */
    shard shards[NSHARDS];
};

static int valid_policy_name(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 64) return 0;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
              *s == '_' || *s == '.' || *s == '-'))
            return 0;
    return 1;
}

int apierr_limiter_new(apierr_limiter **out, const apierr_limiter_opts *opts)
{
    static const apierr_limiter_opts init = APIERR_LIMITER_OPTS_INIT;
    const apierr_limiter_opts *o = opts ? opts : &init;
    const char *name = o->policy ? o->policy : "default";
    long long burst = o->burst ? o->burst : o->limit;
    *out = NULL;
    if (o->limit < 1 || o->limit > 1000000 || o->window_s < 1 || o->window_s > 86400 || burst < 1 ||
        burst > 1000000 || !valid_policy_name(name))
        return APIERR_EINVAL;
    apierr_limiter *l = calloc(1, sizeof *l);
    if (!l) return APIERR_ENOMEM;
    l->limit = o->limit;
    l->window_s = o->window_s;
    l->burst = burst;
    l->interval = o->window_s * 1000;
    l->tolerance = burst * l->interval;
    size_t max_keys = o->max_keys ? o->max_keys : 100000;
    l->shard_cap = (max_keys + NSHARDS - 1) / NSHARDS;
    /* A seed the client cannot guess keeps chains short under crafted keys;
     * without one the table still works, only less evenly. */
    if (getrandom(&l->seed, sizeof l->seed, GRND_NONBLOCK) != sizeof l->seed) l->seed = 0;
    strcpy(l->policy_name, name);
    snprintf(l->policy, sizeof l->policy, "\"%s\";q=%lld;w=%lld", name, l->limit, l->window_s);
    for (size_t i = 0; i < NSHARDS; i++) pthread_mutex_init(&l->shards[i].mu, NULL);
    *out = l;
    return APIERR_OK;
}

void apierr_limiter_free(apierr_limiter *l)
{
    if (!l) return;
    for (size_t i = 0; i < NSHARDS; i++) {
        shard *s = &l->shards[i];
        for (size_t b = 0; b < s->nbuckets; b++) {
            for (entry *e = s->buckets[b], *next; e; e = next) {
                next = e->next;
                free(e);
            }
        }
        free(s->buckets);
        pthread_mutex_destroy(&s->mu);
    }
    free(l);
}

static uint64_t hash_key(uint64_t seed, const char *key, size_t len)
{
    uint64_t h = 0xcbf29ce484222325ULL ^ seed;
    for (size_t i = 0; i < len; i++) h = (h ^ (unsigned char)key[i]) * 0x100000001b3ULL;
    return h ^ (h >> 29);
}

/* Doubles the bucket array; on failure the table keeps its size (longer
 * chains, still correct). */
static void grow(shard *s)
{
    size_t n = s->nbuckets ? s->nbuckets * 2 : MIN_BUCKETS;
    entry **b = calloc(n, sizeof *b);
    if (!b) return;
    for (size_t i = 0; i < s->nbuckets; i++) {
        for (entry *e = s->buckets[i], *next; e; e = next) {
            next = e->next;
            e->next = b[e->hash & (n - 1)];
            b[e->hash & (n - 1)] = e;
        }
    }
    free(s->buckets);
    s->buckets = b;
    s->nbuckets = n;
}

/* Makes room for one key: drops every key whose TAT has passed (it behaves
 * exactly like an absent key), or if there is none, the key with the
 * earliest TAT, which is the one that gains least from being forgotten. */
static void evict(shard *s, long long now)
{
    entry **oldest = NULL;
    size_t dropped = 0;
    for (size_t i = 0; i < s->nbuckets; i++) {
        for (entry **pe = &s->buckets[i]; *pe;) {
            entry *e = *pe;
            if (e->tat <= now) {
                *pe = e->next;
                free(e);
                dropped++;
                continue;
            }
            if (!oldest || e->tat < (*oldest)->tat) oldest = pe;
            pe = &e->next;
        }
    }
    if (!dropped && oldest) {
        entry *e = *oldest;
        *oldest = e->next;
        free(e);
        dropped = 1;
    }
    s->count -= dropped;
}

static entry **find(shard *s, uint64_t h, const char *key, size_t len)
{
    if (!s->nbuckets) return NULL;
    entry **pe = &s->buckets[h & (s->nbuckets - 1)];
    for (; *pe; pe = &(*pe)->next)
        if ((*pe)->hash == h && (*pe)->len == len && memcmp((*pe)->key, key, len) == 0) return pe;
    return NULL;
}

/* units -> ms, rounded up, for delays (never negative). */
static long long to_ms(const apierr_limiter *l, long long units)
{
    return units <= 0 ? 0 : units / l->limit + (units % l->limit != 0);
}

int apierr_limiter_take(apierr_limiter *l, apierr_limit_verdict *out, const char *key, size_t len,
                        long long now_ms)
{
    /* Clamped so that now * limit + tolerance cannot overflow (year 2262
     * at the largest limit). */
    long long max_ms = (LLONG_MAX - 2 * l->tolerance) / l->limit;
    long long now = (now_ms < 0 ? 0 : now_ms > max_ms ? max_ms : now_ms) * l->limit;
    uint64_t h = hash_key(l->seed, key, len);
    shard *s = &l->shards[(h >> 32) % NSHARDS];
    int rc = APIERR_OK;

    pthread_mutex_lock(&s->mu);
    entry **pe = find(s, h, key, len);
    long long tat = pe && (*pe)->tat > now ? (*pe)->tat : now;
    long long next = tat + l->interval;
    int allowed = next - now <= l->tolerance;
    if (allowed && pe) {
        (*pe)->tat = next;
    } else if (allowed) {
        if (s->count >= l->shard_cap) evict(s, now);
        if (s->count >= s->nbuckets) grow(s);
        entry *e = s->nbuckets ? malloc(sizeof *e + len) : NULL;
        if (e) {
            e->hash = h;
            e->tat = next;
            e->len = len;
            memcpy(e->key, key, len);
            e->next = s->buckets[h & (s->nbuckets - 1)];
            s->buckets[h & (s->nbuckets - 1)] = e;
            s->count++;
        } else {
            rc = APIERR_ENOMEM;
        }
    }
    pthread_mutex_unlock(&s->mu);

    out->allowed = allowed;
    out->limit = l->limit;
    out->window_s = l->window_s;
    if (allowed) {
        out->remaining = (l->tolerance - (next - now)) / l->interval;
        out->reset_ms = to_ms(l, next - now);
        out->retry_after_ms = 0;
    } else {
        out->remaining = 0;
        out->reset_ms = to_ms(l, tat - now);
        out->retry_after_ms = to_ms(l, next - l->tolerance - now);
    }
    return rc;
}

size_t apierr_limiter_size(apierr_limiter *l)
{
    size_t n = 0;
    for (size_t i = 0; i < NSHARDS; i++) {
        pthread_mutex_lock(&l->shards[i].mu);
        n += l->shards[i].count;
        pthread_mutex_unlock(&l->shards[i].mu);
    }
    return n;
}

/* Appends the decimal digits of v (>= 0) at w; returns the end. snprintf()
 * costs more than the rest of a limiter verdict, and the headers and the
 * message of a 429 are written for every rejected request. */
static char *put_ll(char *w, long long v)
{
    char tmp[24];
    size_t n = 0;
    unsigned long long u = v < 0 ? 0 : (unsigned long long)v;
    do tmp[n++] = (char)('0' + u % 10);
    while (u /= 10);
    while (n) *w++ = tmp[--n];
    return w;
}

static char *put_str(char *w, const char *s)
{
    size_t n = strlen(s);
    memcpy(w, s, n);
    return w + n;
}

void apierr_limiter_headers(apierr_limit_headers *out, const apierr_limiter *l,
                            const apierr_limit_verdict *v)
{
    /* Fits in 96: a name of 64 at most, remaining <= burst <= 10^6 (7 digits),
     * t <= burst * window_s < 10^11 (11 digits), 9 bytes of syntax. */
    long long t = v->reset_ms / 1000 + (v->reset_ms % 1000 != 0);
    char *w = out->ratelimit;
    *w++ = '"';
    w = put_str(w, l->policy_name);
    w = put_ll(put_str(w, "\";r="), v->remaining);
    w = put_ll(put_str(w, ";t="), t);
    *w = '\0';
    memcpy(out->policy, l->policy, sizeof out->policy);
    out->h[0] = (apierr_header){"RateLimit", out->ratelimit};
    out->h[1] = (apierr_header){"RateLimit-Policy", out->policy};
    out->n = 2;
}

/* The default message of a 429, into buf (96 bytes). */
static const char *default_message(char *buf, const apierr_limit_verdict *v)
{
    long long s = v->retry_after_ms / 1000 + (v->retry_after_ms % 1000 != 0);
    char *w = put_ll(put_str(buf, "Too many requests. Retry after "), s);
    strcpy(w, s == 1 ? " second." : " seconds.");
    return buf;
}

int apierr_limiter_problem_with(apierr_problem **out, const apierr_limit_verdict *v,
                                const char *code, const char *message)
{
    char msg[96];
    int rc = apierr_server_problem(out, 429, code ? code : APIERR_LIMITER_CODE,
                                   message ? message : default_message(msg, v));
    if (rc == APIERR_OK) (*out)->retry_after_ms = v->retry_after_ms;
    return rc;
}

int apierr_limiter_problem(apierr_problem **out, const apierr_limit_verdict *v)
{
    return apierr_limiter_problem_with(out, v, NULL, NULL);
}

int apierr_limiter_reply(apierr_reply *out, const apierr_limiter *l, const apierr_limit_verdict *v,
                         const char *code, const char *message, const apierr_reply_opts *opts)
{
    memset(out, 0, sizeof *out);
    if (v->allowed) return APIERR_EINVAL;
    /* The problem apierr_limiter_problem_with() would make, on the stack: the
     * reply builder only reads it. Same defaults as apierr_problem_new(). */
    char msg[96];
    apierr_problem p;
    memset(&p, 0, sizeof p);
    p.status = 429;
    p.code = code ? code : APIERR_LIMITER_CODE;
    p.message = message ? message : default_message(msg, v);
    p.retry_after_ms = v->retry_after_ms;
    p.dialect = APIERR_DIALECT_AUTO;
    apierr_limit_headers lh;
    apierr_limiter_headers(&lh, l, v);
    return apierr__reply_build_pre(out, &p, opts, lh.h, lh.n);
}
