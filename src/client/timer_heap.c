/* The timer heaps of the async engine: every wait (backoff, Retry-After,
 * a hedge's delay) is one entry, so a thousand backing-off calls cost no
 * thread. */
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

static void sift_up(apierr__heap *h, size_t i);

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
    sift_up(h, i);
    return 0;
}

const apierr__timer *apierr__heap_peek(const apierr__heap *h)
{
    return h->n ? &h->v[0] : NULL;
}

static void sift_up(apierr__heap *h, size_t i)
{
    while (i > 0 && before(&h->v[i], &h->v[(i - 1) / 2])) {
        swap(&h->v[i], &h->v[(i - 1) / 2]);
        i = (i - 1) / 2;
    }
}

static void sift_down(apierr__heap *h, size_t i)
{
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < h->n && before(&h->v[l], &h->v[m])) m = l;
        if (r < h->n && before(&h->v[r], &h->v[m])) m = r;
        if (m == i) break;
        swap(&h->v[i], &h->v[m]);
        i = m;
    }
}

/* Takes entry i out: the last one fills its place and moves up or down. */
static void take(apierr__heap *h, size_t i)
{
    h->v[i] = h->v[--h->n];
    if (i < h->n) {
        sift_up(h, i);
        sift_down(h, i);
    }
}

int apierr__heap_pop(apierr__heap *h, apierr__timer *out)
{
    if (!h->n) return -1;
    *out = h->v[0];
    take(h, 0);
    return 0;
}

int apierr__heap_remove(apierr__heap *h, const void *item)
{
    for (size_t i = 0; i < h->n; i++)
        if (h->v[i].item == item) {
            take(h, i);
            return 0;
        }
    return -1;
}

void apierr__heap_free(apierr__heap *h)
{
    apierr__free(h->v);
    *h = (apierr__heap){0};
}
