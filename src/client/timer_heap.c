/* The timer heap of the async engine: every wait (backoff, Retry-After) is
 * one entry, so a thousand backing-off calls cost no thread. */
#include "alloc.h"
#include "client_impl.h"

static int before(const apierr__timer *a, const apierr__timer *b)
{
    return a->due_ms < b->due_ms || (a->due_ms == b->due_ms && a->seq < b->seq);
}

static void swap(apierr__timer *a, apierr__timer *b)
{
    apierr__timer t = *a;
    *a = *b;
    *b = t;
}

int apierr__heap_push(apierr__heap *h, long long due_ms, void *item)
{
    if (h->n == h->cap) {
        size_t cap = h->cap ? h->cap * 2 : 64;
        apierr__timer *v = apierr__realloc(h->v, cap * sizeof *v);
        if (!v) return -1;
        h->v = v;
        h->cap = cap;
    }
    size_t i = h->n++;
    h->v[i] = (apierr__timer){due_ms, h->seq++, item};
    while (i > 0 && before(&h->v[i], &h->v[(i - 1) / 2])) {
        swap(&h->v[i], &h->v[(i - 1) / 2]);
        i = (i - 1) / 2;
    }
    return 0;
}

const apierr__timer *apierr__heap_peek(const apierr__heap *h)
{
    return h->n ? &h->v[0] : NULL;
}

int apierr__heap_pop(apierr__heap *h, apierr__timer *out)
{
    if (!h->n) return -1;
    *out = h->v[0];
    h->v[0] = h->v[--h->n];
    for (size_t i = 0;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < h->n && before(&h->v[l], &h->v[m])) m = l;
        if (r < h->n && before(&h->v[r], &h->v[m])) m = r;
        if (m == i) break;
        swap(&h->v[i], &h->v[m]);
        i = m;
    }
    return 0;
}

void apierr__heap_free(apierr__heap *h)
{
    apierr__free(h->v);
    *h = (apierr__heap){0};
}
