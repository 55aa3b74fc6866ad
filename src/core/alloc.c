/* The one allocator of the three libraries (see alloc.h): the functions set
 * by apierr_set_alloc_funcs(), and the public side for callers. */
#include "apierr/common.h"
#include "alloc.h"

#include <stdlib.h>
#include <string.h>

static apierr_malloc_fn g_malloc = malloc;
static apierr_realloc_fn g_realloc = realloc;
static apierr_free_fn g_free = free;

void apierr_set_alloc_funcs(apierr_malloc_fn m, apierr_realloc_fn r, apierr_free_fn f)
{
    g_malloc = m ? m : malloc;
    g_realloc = r ? r : realloc;
    g_free = f ? f : free;
}

void *apierr__malloc(size_t n)
{
    return g_malloc(n ? n : 1);
}

void *apierr__calloc(size_t count, size_t n)
{
    if (n && count > (size_t)-1 / n) return NULL;
    void *p = apierr__malloc(count * n);
    if (p) memset(p, 0, count * n);
    return p;
}

void *apierr__realloc(void *p, size_t n)
{
    return g_realloc(p, n ? n : 1);
}

void apierr__free(void *p)
{
    if (p) g_free(p);
}

void *apierr_malloc(size_t n)
{
    return apierr__malloc(n);
}

void apierr_free(void *p)
{
    apierr__free(p);
}

char *apierr__strndup(const char *s, size_t len)
{
    char *d = apierr__malloc(len + 1);
    if (!d) return NULL;
    memcpy(d, s, len);
    d[len] = '\0';
    return d;
}

char *apierr__strdup(const char *s)
{
    return s ? apierr__strndup(s, strlen(s)) : NULL;
}
