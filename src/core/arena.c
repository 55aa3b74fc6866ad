/* The arena a problem's strings live in: one block list, freed at once with
 * the problem (see arena.h). */
#include "arena.h"
#include "alloc.h"

#include <stdint.h>
#include <string.h>

struct apierr__arena_chunk {
    struct apierr__arena_chunk *next;
    max_align_t data[];
};

#define ALIGN (sizeof(max_align_t))

void apierr__arena_init(apierr__arena *a, void *mem, size_t size)
{
    a->cur = mem;
    a->end = mem ? (char *)mem + size : NULL;
    a->chunks = NULL;
}

void *apierr__arena_alloc(apierr__arena *a, size_t n)
{
    uintptr_t p = ((uintptr_t)a->cur + ALIGN - 1) & ~(uintptr_t)(ALIGN - 1);
    if (a->cur && n <= (size_t)((uintptr_t)a->end - p) && p <= (uintptr_t)a->end) {
        a->cur = (char *)p + n;
        return (void *)p;
    }
    if (n > (size_t)-1 / 2) return NULL;
    /* 1008 + the chunk header stays within glibc's per-thread cache. */
    size_t size = n < 1008 ? 1008 : n;
    struct apierr__arena_chunk *c = apierr__malloc(sizeof *c + size);
    if (!c) return NULL;
    c->next = a->chunks;
    a->chunks = c;
    char *base = (char *)c->data;
    /* Keep bump-allocating from whichever chunk has more room left. */
    if (size - n > (size_t)(a->end - a->cur) || !a->cur) {
        a->cur = base + n;
        a->end = base + size;
    }
    return base;
}

char *apierr__arena_strndup(apierr__arena *a, const char *s, size_t len)
{
    char *d = apierr__arena_alloc(a, len + 1);
    if (!d) return NULL;
    memcpy(d, s, len);
    d[len] = '\0';
    return d;
}

void apierr__arena_release(apierr__arena *a)
{
    struct apierr__arena_chunk *c = a->chunks;
    while (c) {
        struct apierr__arena_chunk *next = c->next;
        apierr__free(c);
        c = next;
    }
    a->chunks = NULL;
    a->cur = a->end = NULL;
}
