/*
 * GCRA per key in a sharded hash table. Times are kept in units of
 * 1/limit ms, so the emission interval T = window / limit is the integer
 * window_s * 1000 and no rounding drifts over many requests.
 *
 * A denied request changes nothing, so a thread that was just denied on a
 * key answers the next request of that key from its own memo of the TAT,
 * without the shard's lock, as long as the shard's version says that no
 * take was allowed there since (only an allowed take writes: a TAT moved,
 * a key added or evicted). Under a flood on one key the workers then only
 * read that version, a cache line none of them writes, where each took
 * and gave back the shard's mutex, a line the other cores had just taken.
 * Every allowed take still goes through the lock, so the memo can never
 * grant what the table would not.
 */
#include "apierr/server/limiter.h"

#include "apierr/server/request_id.h"
#include "alloc.h"
#include "limiter_redis.h"
#include "server_impl.h"

#include <limits.h>
#include <stdatomic.h>
#include <stddef.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
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

/* Aligned so that a shard's version, read by every denied take, shares no
 * cache line with another shard's lock. */
typedef struct shard {
    _Alignas(64) pthread_mutex_t mu;
    entry **buckets;
    size_t nbuckets; /* a power of two */
    size_t count;
    atomic_ullong version; /* allowed takes so far: bumped under mu before each write */
} shard;

struct apierr_limiter {
    unsigned long long id; /* this limiter among every one made: the memo's owner */
    long long limit, window_s, burst;
    long long interval;  /* T, in units */
    long long tolerance; /* burst * T, in units */
    long long max_ms;    /* the latest now a take reads (apierr_limiter_take) */
    size_t shard_cap;
    uint64_t seed;
    char policy_name[65];
    char policy[128]; /* the RateLimit-Policy value */
    shard shards[NSHARDS];
    apierr__gcra_redis *redis; /* the shared backend, or NULL: the shards */
    int fail_closed;
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

static const apierr_limiter_opts limiter_defaults = APIERR_LIMITER_OPTS_INIT;
/* The size of each version of apierr_limiter_opts, from version 1. */
static const size_t limiter_opts_sizes[] = {offsetof(apierr_limiter_opts, backend),
                                            sizeof(apierr_limiter_opts)};

APIERR__OPTS_INIT_FUNC(apierr_limiter_opts, limiter_defaults, limiter_opts_sizes)

int apierr_limiter_new(apierr_limiter **out, const apierr_limiter_opts *opts)
{
    apierr_limiter_opts given = limiter_defaults;
    const apierr_limiter_opts *o = &given;
    *out = NULL;
    int rc = APIERR__STRUCT_READ(&given, opts, limiter_opts_sizes);
    if (rc) return rc;
    const char *name = o->policy ? o->policy : "default";
    long long burst = o->burst ? o->burst : o->limit;
    if (o->limit < 1 || o->limit > 1000000 || o->window_s < 1 || o->window_s > 86400 || burst < 1 ||
        burst > 1000000 || !valid_policy_name(name))
        return APIERR_EINVAL;
    apierr_limiter *l = apierr__calloc(1, sizeof *l);
    if (!l) return APIERR_ENOMEM;
    static atomic_ullong made;
    l->id = atomic_fetch_add_explicit(&made, 1, memory_order_relaxed) + 1;
    l->limit = o->limit;
    l->window_s = o->window_s;
    l->burst = burst;
    l->interval = o->window_s * 1000;
    l->tolerance = burst * l->interval;
    /* So that now * limit + tolerance cannot overflow (year 2262 at the
     * largest limit); divided once here: in each take, that division had
     * a fifth of a denied take's samples under perf. */
    l->max_ms = (LLONG_MAX - 2 * l->tolerance) / l->limit;
    size_t max_keys = o->max_keys ? o->max_keys : 100000;
    l->shard_cap = (max_keys + NSHARDS - 1) / NSHARDS;
    /* A seed the client cannot guess keeps chains short under crafted keys;
     * without one the table still works, only less evenly. */
    if (getrandom(&l->seed, sizeof l->seed, GRND_NONBLOCK) != sizeof l->seed) l->seed = 0;
    strcpy(l->policy_name, name);
    snprintf(l->policy, sizeof l->policy, "\"%s\";q=%lld;w=%lld", name, l->limit, l->window_s);
    for (size_t i = 0; i < NSHARDS; i++) pthread_mutex_init(&l->shards[i].mu, NULL);
    l->fail_closed = o->fail_closed;
    if (o->backend && (rc = apierr__gcra_redis_open(&l->redis, o->backend, name, l->limit,
                                                    l->window_s, l->burst))) {
        apierr_limiter_free(l);
        return rc;
    }
    *out = l;
    return APIERR_OK;
}

void apierr_limiter_free(apierr_limiter *l)
{
    if (!l) return;
    apierr__gcra_redis_close(l->redis);
    for (size_t i = 0; i < NSHARDS; i++) {
        shard *s = &l->shards[i];
        for (size_t b = 0; b < s->nbuckets; b++) {
            for (entry *e = s->buckets[b], *next; e; e = next) {
                next = e->next;
                apierr__free(e);
            }
        }
        apierr__free(s->buckets);
        pthread_mutex_destroy(&s->mu);
    }
    apierr__free(l);
}

static uint64_t hash_key(uint64_t seed, const char *key, size_t len)
{
    uint64_t h = 0xcbf29ce484222325ULL ^ seed;
    for (size_t i = 0; i < len; i++) h = (h ^ (unsigned char)key[i]) * 0x100000001b3ULL;
    /* MurmurHash3's finalizer: FNV's last bytes barely reach the high bits
     * that pick the shard (200 keys "other-N" fell into 2 shards of 16). */
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    return h ^ (h >> 33);
}

/* Doubles the bucket array; on failure the table keeps its size (longer
 * chains, still correct). */
static void grow(shard *s)
{
    size_t n = s->nbuckets ? s->nbuckets * 2 : MIN_BUCKETS;
    entry **b = apierr__calloc(n, sizeof *b);
    if (!b) return;
    for (size_t i = 0; i < s->nbuckets; i++) {
        for (entry *e = s->buckets[i], *next; e; e = next) {
            next = e->next;
            e->next = b[e->hash & (n - 1)];
            b[e->hash & (n - 1)] = e;
        }
    }
    apierr__free(s->buckets);
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
                apierr__free(e);
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
        apierr__free(e);
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

/* The verdict while the backend cannot be reached (limiter.h). */
static int backend_down(const apierr_limiter *l, apierr_limit_verdict *out)
{
    *out = (apierr_limit_verdict){!l->fail_closed,          l->limit, l->window_s, 0, 0,
                                  l->fail_closed ? 1000 : 0};
    return APIERR_EBACKEND;
}

/*
 * The thread's memo of its last denied key: the limiter, the shard and its
 * version then, and the key's TAT. Keys longer than MEMO_KEY are not kept.
 */
#define MEMO_KEY 128

typedef struct take_memo {
    unsigned long long id; /* the limiter's; 0: empty */
    unsigned long long version;
    size_t shard, len;
    long long tat;
    char key[MEMO_KEY];
} take_memo;

static _Thread_local take_memo denied_memo;

/* The memo's TAT for key when it is still the table's, else -1. */
static long long memo_tat(const apierr_limiter *l, const char *key, size_t len)
{
    const take_memo *m = &denied_memo;
    if (m->id != l->id || m->len != len || memcmp(m->key, key, len) != 0) return -1;
    unsigned long long v = atomic_load_explicit(&l->shards[m->shard].version, memory_order_acquire);
    return v == m->version ? m->tat : -1;
}

/* The verdict of a take at now with the key's TAT before it (tat, at least
 * now) and after it (next, when allowed). */
static void verdict(const apierr_limiter *l, apierr_limit_verdict *out, int allowed, long long tat,
                    long long next, long long now)
{
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
}

int apierr_limiter_take(apierr_limiter *l, apierr_limit_verdict *out, const char *key, size_t len,
                        long long now_ms)
{
    if (l->redis)
        return apierr__gcra_redis_take(l->redis, out, key, len) ? backend_down(l, out) : APIERR_OK;
    long long now = (now_ms < 0 ? 0 : now_ms > l->max_ms ? l->max_ms : now_ms) * l->limit;
    long long known = memo_tat(l, key, len);
    if (known >= 0) {
        long long tat = known > now ? known : now;
        if (tat + l->interval - now > l->tolerance) {
            verdict(l, out, 0, tat, tat + l->interval, now);
            return APIERR_OK;
        }
    }
    uint64_t h = hash_key(l->seed, key, len);
    size_t si = (h >> 32) % NSHARDS;
    shard *s = &l->shards[si];
    int rc = APIERR_OK;

    pthread_mutex_lock(&s->mu);
    entry **pe = find(s, h, key, len);
    long long tat = pe && (*pe)->tat > now ? (*pe)->tat : now;
    long long next = tat + l->interval;
    int allowed = next - now <= l->tolerance;
    if (allowed) atomic_fetch_add_explicit(&s->version, 1, memory_order_release);
    if (allowed && pe) {
        (*pe)->tat = next;
    } else if (allowed) {
        if (s->count >= l->shard_cap) evict(s, now);
        if (s->count >= s->nbuckets) grow(s);
        entry *e = s->nbuckets ? apierr__malloc(sizeof *e + len) : NULL;
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
    } else if (pe && len <= MEMO_KEY) {
        /* Denied: what the next take of this key in this thread needs,
         * read under the lock, so the version and the TAT agree. */
        take_memo *m = &denied_memo;
        m->id = l->id;
        m->version = atomic_load_explicit(&s->version, memory_order_relaxed);
        m->shard = si;
        m->len = len;
        m->tat = (*pe)->tat;
        memcpy(m->key, key, len);
    }
    pthread_mutex_unlock(&s->mu);

    verdict(l, out, allowed, tat, next, now);
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
    /* A denied request's t is its Retry-After: r=0 until then, and a client
     * reading either field waits as long (draft-ietf-httpapi-ratelimit-
     * headers: the two must not disagree). Allowed, t is when the whole
     * burst is back. */
    long long ms = v->allowed ? v->reset_ms : v->retry_after_ms;
    long long t = ms / 1000 + (ms % 1000 != 0);
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

/* The reply of the slow path: a problem on the stack (the reply builder only
 * reads it; same defaults as apierr_problem_new()) and the RateLimit fields. */
static int build_reply(apierr_reply *out, const apierr_limiter *l, const apierr_limit_verdict *v,
                       const char *code, const char *message, const apierr_reply_opts *opts)
{
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

/*
 * Per-thread memo of the last 429: under a flood one key gets the same reply,
 * but for its request id, for a whole second. The memo holds that reply
 * built with a placeholder id of fixed width and where the id went; a hit is
 * one copy and the id written in place, without encoder or header checks.
 * Everything the bytes depend on is in the key: the limiter (its id: its
 * policy is the RateLimit-Policy value and the name in RateLimit), the
 * remaining count and the Retry-After second (a denial's RateLimit is
 * r=remaining;t=that second), dialect, timestamp second, code and message.
 * The numbers, not the header values they make: formatting those to
 * compare them was a fifth of the hit. Fixed storage (no heap) so that a
 * thread's exit leaks nothing.
 */
#define MEMO_BLOCK 1536 /* bytes of a memoised reply */
#define MEMO_TEXT  128  /* longest code or message memoised */
#define MEMO_HDRS  8
#define MEMO_RIDS  4 /* places of the id: header and body */

typedef struct memo {
    unsigned long long lid; /* the limiter's id; 0: nothing memoised */
    long long remaining, retry_s, stamp_s;
    apierr_dialect dialect;
    int has_code, has_message;
    char code[MEMO_TEXT], message[MEMO_TEXT];
    size_t size, nheaders, body_at, body_len, nrids;
    size_t name_at[MEMO_HDRS], value_at[MEMO_HDRS], rid_at[MEMO_RIDS];
    _Alignas(max_align_t) char block[MEMO_BLOCK];
} memo;

static _Thread_local memo cache;

/* The placeholder id: no code or message with a ':' is memoised, and nothing
 * else in a 429 holds two of them in a row, so it is found only where the id
 * went. */
static const char placeholder[APIERR_REQUEST_ID_LEN + 1] = "::::::::::::::::::::::::::::::::";

static int copy_text(char *dst, int *has, const char *s)
{
    *has = s != NULL;
    if (!s) return 1;
    size_t n = strlen(s);
    if (n >= MEMO_TEXT || memchr(s, ':', n)) return 0;
    memcpy(dst, s, n + 1);
    return 1;
}

static int same_text(const char *kept, int has, const char *s)
{
    return s ? has && strcmp(kept, s) == 0 : !has;
}

/* The first placeholder in [from, end), or NULL. */
static const char *find_placeholder(const char *from, const char *end)
{
    for (; (size_t)(end - from) >= APIERR_REQUEST_ID_LEN; from++) {
        from = memchr(from, ':', (size_t)(end - from) - APIERR_REQUEST_ID_LEN + 1);
        if (!from) return NULL;
        if (memcmp(from, placeholder, APIERR_REQUEST_ID_LEN) == 0) return from;
    }
    return NULL;
}

/* Builds the reply with the placeholder id into the memo, keyed by the
 * given parts. 1 when memoised, 0 when the reply does not fit the memo. */
static int memo_fill(memo *m, const apierr_limiter *l, const apierr_limit_verdict *v,
                     const char *code, const char *message, const apierr_reply_opts *opts)
{
    m->lid = 0;
    if (!copy_text(m->code, &m->has_code, code) || !copy_text(m->message, &m->has_message, message))
        return 0;
    apierr_reply_opts o = *opts;
    o.request_id = placeholder;
    apierr_reply r;
    if (build_reply(&r, l, v, code, message, &o) != APIERR_OK) return 0;
    char *base = (char *)r.headers;
    size_t size = (size_t)(r.body + r.body_len + 1 - base);
    int ok = size <= MEMO_BLOCK && r.nheaders <= MEMO_HDRS;
    for (size_t i = 0; ok && i < r.nheaders; i++) {
        m->name_at[i] = (size_t)(r.headers[i].name - base);
        m->value_at[i] = (size_t)(r.headers[i].value - base);
    }
    m->nrids = 0;
    const char *from = (const char *)(r.headers + r.nheaders), *end = base + size;
    while (ok) {
        const char *at = find_placeholder(from, end);
        if (!at) break;
        ok = m->nrids < MEMO_RIDS;
        if (ok) m->rid_at[m->nrids++] = (size_t)(at - base);
        from = at + APIERR_REQUEST_ID_LEN;
    }
    if (ok) {
        memcpy(m->block, base, size);
        m->size = size;
        m->nheaders = r.nheaders;
        m->body_at = (size_t)(r.body - base);
        m->body_len = r.body_len;
        m->lid = l->id;
    }
    apierr_reply_clear(&r);
    return ok;
}

/* The memoised reply with id rid (APIERR_REQUEST_ID_LEN bytes) into *out. */
static int memo_reply(apierr_reply *out, const memo *m, const char *rid)
{
    char *b = apierr__malloc(m->size);
    if (!b) return APIERR_ENOMEM;
    memcpy(b, m->block, m->size);
    for (size_t i = 0; i < m->nrids; i++) memcpy(b + m->rid_at[i], rid, APIERR_REQUEST_ID_LEN);
    apierr_header *hs = (apierr_header *)(void *)b;
    for (size_t i = 0; i < m->nheaders; i++) {
        hs[i].name = b + m->name_at[i];
        hs[i].value = b + m->value_at[i];
    }
    out->status = 429;
    out->headers = hs;
    out->nheaders = m->nheaders;
    out->body = b + m->body_at;
    out->body_len = m->body_len;
    return APIERR_OK;
}

int apierr_limiter_reply(apierr_reply *out, const apierr_limiter *l, const apierr_limit_verdict *v,
                         const char *code, const char *message, const apierr_reply_opts *opts)
{
    /* Read once here, so that the memo, its key and the slow path all see
     * the current layout. */
    apierr_reply_opts given;
    const apierr_reply_opts *o = &given;
    memset(out, 0, sizeof *out);
    int rc = apierr__reply_opts_read(&given, opts);
    if (rc) return rc;
    if (v->allowed) return APIERR_EINVAL;
    /* Only fixed-width ids (fresh ones, or incoming ones of that width) can
     * be patched in; extra headers are the caller's business. */
    char rid[APIERR_REQUEST_ID_BUFSIZE];
    if (o->nheaders || v->retry_after_ms < 0) goto slow;
    if (o->request_id) {
        size_t n = strnlen(o->request_id, APIERR_REQUEST_ID_LEN + 1);
        if (n != APIERR_REQUEST_ID_LEN || !apierr_request_id_valid(o->request_id, n)) goto slow;
        memcpy(rid, o->request_id, n + 1);
    } else if ((rc = apierr_request_id_new(rid))) {
        return rc;
    }
    long long retry_s = v->retry_after_ms / 1000 + (v->retry_after_ms % 1000 != 0);
    long long stamp_s = o->now_ms > 0 ? o->now_ms / 1000 : -1;
    apierr_dialect d = apierr_reply_dialect(o->dialect, o->accept);
    memo *m = &cache;
    if (m->lid != l->id || m->remaining != v->remaining || m->retry_s != retry_s ||
        m->stamp_s != stamp_s || m->dialect != d || !same_text(m->code, m->has_code, code) ||
        !same_text(m->message, m->has_message, message)) {
        if (!memo_fill(m, l, v, code, message, o)) goto slow;
        m->remaining = v->remaining;
        m->retry_s = retry_s;
        m->stamp_s = stamp_s;
        m->dialect = d;
    }
    return memo_reply(out, m, rid);
slow:
    return build_reply(out, l, v, code, message, o);
}
