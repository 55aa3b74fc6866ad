/* faults.c - the --faults grammar and the keyed, seeded draw (see faults.h). */
#include "faults.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define GOLDEN 0x9e3779b97f4a7c15ULL

/* splitmix64's finalizer: every bit of z moves about half of the result. */
static uint64_t mix(uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* splitmix64: small, seedable, and good enough to pick faults. */
static uint64_t next_u64(uint64_t *state)
{
    return mix(*state += GOLDEN);
}

/* A uniform double in [0, 1). */
static double next_unit(uint64_t *state)
{
    return (double)(next_u64(state) >> 11) / 9007199254740992.0;
}

static int parse_prob(double *out, const char *s)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || *end || !(v >= 0.0 && v <= 1.0)) return -1;
    *out = v;
    return 0;
}

static int parse_ll(long long *out, const char *s, long long min, long long max)
{
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || end == s || *end || v < min || v > max) return -1;
    *out = v;
    return 0;
}

/* Splits item at ':' into at most 3 fields; returns how many. */
static int split(char *item, char *fields[3])
{
    int n = 0;
    char *save = NULL;
    for (char *t = strtok_r(item, ":", &save); t; t = strtok_r(NULL, ":", &save)) {
        if (n == 3) return 4;
        fields[n++] = t;
    }
    return n;
}

/* Parses one item into f; 0, or -1 with a reason. */
static int parse_item(refapi_faults *f, char *item, char *err, size_t cap)
{
    char *a[3] = {NULL, NULL, NULL};
    int n = split(item, a);
    long long v;
    if (n < 2 || n > 3) goto bad;
    if (strcmp(a[0], "latency") == 0) {
        if (parse_ll(&f->latency_ms, a[1], 0, 600000) != 0) goto bad;
        f->latency_p = 1.0;
        if (n == 3 && parse_prob(&f->latency_p, a[2]) != 0) goto bad;
    } else if (strcmp(a[0], "outage") == 0) {
        if (parse_ll(&f->outage_s, a[1], 0, 86400) != 0) goto bad;
        f->outage_status = 503;
        if (n == 3 && parse_ll(&v, a[2], 400, 599) != 0) goto bad;
        if (n == 3) f->outage_status = (int)v;
    } else if (strcmp(a[0], "reset") == 0 || strcmp(a[0], "drop") == 0 ||
               strcmp(a[0], "die") == 0) {
        double *p = a[0][0] == 'r' ? &f->reset_p : a[0][1] == 'r' ? &f->drop_p : &f->die_p;
        if (n != 2 || parse_prob(p, a[1]) != 0) goto bad;
    } else {
        if (f->nstatuses == REFAPI_FAULT_STATUSES) goto bad;
        if (parse_ll(&v, a[0], 400, 599) != 0) goto bad;
        size_t i = f->nstatuses;
        f->statuses[i].status = (int)v;
        f->statuses[i].retry_after_s = -1;
        if (parse_prob(&f->statuses[i].p, a[1]) != 0) goto bad;
        if (n == 3 && parse_ll(&f->statuses[i].retry_after_s, a[2], 0, 86400) != 0) goto bad;
        f->nstatuses++;
    }
    return 0;
bad:
    snprintf(err, cap,
             "bad fault item (want STATUS:P[:RA], latency:MS[:P], outage:S[:STATUS], reset:P, "
             "drop:P or die:P)");
    return -1;
}

refapi_fault_key refapi_fault_key_init(void)
{
    return 0xcbf29ce484222325ULL; /* FNV-1a's offset basis */
}

static void fnv1a(refapi_fault_key *k, const void *data, size_t n)
{
    const unsigned char *p = data;
    for (size_t i = 0; i < n; i++) *k = (*k ^ p[i]) * 0x100000001b3ULL;
}

void refapi_fault_key_add(refapi_fault_key *k, const char *part)
{
    /* The length first (an absent part: all ones), so that the parts cannot
     * run into each other. */
    uint64_t len = part ? strlen(part) : UINT64_MAX;
    fnv1a(k, &len, sizeof len);
    if (part) fnv1a(k, part, (size_t)len);
}

int refapi_faults_parse(refapi_faults *f, const char *spec, uint64_t seed, char *err, size_t cap)
{
    memset(f, 0, sizeof *f);
    f->seed = seed;
    pthread_mutex_init(&f->lock, NULL);
    if (!spec || !*spec) return 0;
    char *copy = strdup(spec);
    if (!copy) {
        snprintf(err, cap, "out of memory");
        return -1;
    }
    int rc = 0;
    char *save = NULL;
    for (char *item = strtok_r(copy, ",", &save); item && rc == 0;
         item = strtok_r(NULL, ",", &save)) {
        rc = parse_item(f, item, err, cap);
    }
    double total = 0;
    for (size_t i = 0; i < f->nstatuses; i++) total += f->statuses[i].p;
    if (rc == 0 && total > 1.0 + 1e-9) {
        snprintf(err, cap, "the probabilities of the statuses add up to more than 1");
        rc = -1;
    }
    free(copy);
    if (rc == 0 && refapi_faults_any(f) &&
        !(f->seen = calloc(2 * REFAPI_FAULT_KEYS, sizeof *f->seen))) {
        snprintf(err, cap, "out of memory");
        rc = -1;
    }
    return rc;
}

void refapi_faults_destroy(refapi_faults *f)
{
    free(f->seen);
    f->seen = NULL;
    pthread_mutex_destroy(&f->lock);
}

int refapi_faults_any(const refapi_faults *f)
{
    return f->nstatuses || f->latency_p > 0 || f->outage_s > 0 || f->reset_p > 0 || f->drop_p > 0 ||
           f->die_p > 0;
}

/* How many times key k drew before, counting this draw; under f->lock. A
 * key beyond the table becomes the key 0 of every such request, counted in
 * arrival order. */
static uint64_t count_draw(refapi_faults *f, refapi_fault_key *k)
{
    uint64_t h = mix(*k);
    if (!h) h = 1; /* 0 marks a free slot */
    size_t mask = 2 * REFAPI_FAULT_KEYS - 1;
    for (size_t i = (size_t)h & mask;; i = (i + 1) & mask) {
        refapi_fault_seen *e = &f->seen[i];
        if (e->key == h) return e->n++;
        if (e->key) continue;
        if (f->nseen == REFAPI_FAULT_KEYS) break; /* half the slots stay free: probes end */
        e->key = h;
        e->n = 1;
        f->nseen++;
        return 0;
    }
    *k = 0;
    return f->unkeyed++;
}

void refapi_faults_draw(refapi_faults *f, refapi_fault *out, long long uptime_ms,
                        refapi_fault_key k)
{
    memset(out, 0, sizeof *out);
    out->retry_after_s = -1;
    if (f->outage_s > 0 && uptime_ms < f->outage_s * 1000) {
        out->status = f->outage_status;
        out->retry_after_s = (f->outage_s * 1000 - uptime_ms + 999) / 1000;
        return;
    }
    pthread_mutex_lock(&f->lock);
    uint64_t n = count_draw(f, &k);
    pthread_mutex_unlock(&f->lock);
    /* The generator of this draw alone: (seed, key, n), whoever came
     * before. Always four draws from it, so that one kind of fault never
     * shifts another's. */
    uint64_t rng = mix(f->seed ^ mix(k ^ mix(n + GOLDEN)));
    double r_reset = next_unit(&rng), r_status = next_unit(&rng);
    double r_latency = next_unit(&rng), r_drop = next_unit(&rng);
    if (r_reset < f->reset_p) {
        out->reset = 1;
        return;
    }
    double acc = 0;
    for (size_t i = 0; i < f->nstatuses; i++) {
        acc += f->statuses[i].p;
        if (r_status < acc) {
            out->status = f->statuses[i].status;
            out->retry_after_s = f->statuses[i].retry_after_s;
            break;
        }
    }
    if (f->latency_ms > 0 && r_latency < f->latency_p) out->latency_ms = f->latency_ms;
    out->drop = r_drop < f->drop_p;
    /* The drop's draw, so that the sequence of the others stays as it was. */
    out->die = !out->drop && r_drop < f->drop_p + f->die_p;
}
