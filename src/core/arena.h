/*
 * A bump allocator for the strings of one problem (internal).
 *
 * A problem's strings are never freed one by one, so they come from chunks
 * that are released together: decoding a typical error body costs one
 * allocation instead of ten.
 */
#ifndef APIERR_CORE_ARENA_H
#define APIERR_CORE_ARENA_H

#include <stddef.h>

typedef struct apierr__arena apierr__arena;

/* Initializes an arena whose first chunk is the `size` bytes at `mem`
 * (caller-owned, may be NULL/0). */
void apierr__arena_init(apierr__arena *a, void *mem, size_t size);
/* n bytes aligned for any type, or NULL when out of memory. */
void *apierr__arena_alloc(apierr__arena *a, size_t n);
/* A NUL-terminated copy of len bytes of s, or NULL when out of memory. */
char *apierr__arena_strndup(apierr__arena *a, const char *s, size_t len);
/* Frees the chunks the arena allocated (not the first, caller-owned one). */
void apierr__arena_release(apierr__arena *a);

struct apierr__arena_chunk;
struct apierr__arena {
    char *cur, *end;
    struct apierr__arena_chunk *chunks;
};

#endif
