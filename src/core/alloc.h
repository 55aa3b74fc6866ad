/* Internal allocation wrapper: every allocation of libapierr goes here. */
#ifndef APIERR_CORE_ALLOC_H
#define APIERR_CORE_ALLOC_H
#include <stddef.h>

/*
 * Internal functions that apierr's other libraries (libapierr-client) call
 * across the shared-library boundary: exported from libapierr.so, but in no
 * installed header, so they are a private ABI between libraries built from
 * the same tree. Exporting the allocator (rather than giving each library a
 * copy) keeps apierr_set_alloc_funcs() in force for all of them.
 */
#define APIERR__PRIVATE_EXPORT __attribute__((visibility("default")))

APIERR__PRIVATE_EXPORT void *apierr__malloc(size_t n);
APIERR__PRIVATE_EXPORT void *apierr__calloc(size_t count, size_t n);
APIERR__PRIVATE_EXPORT void *apierr__realloc(void *p, size_t n);
APIERR__PRIVATE_EXPORT void apierr__free(void *p);
/* Copies len bytes plus a NUL; NULL when out of memory. */
APIERR__PRIVATE_EXPORT char *apierr__strndup(const char *s, size_t len);
APIERR__PRIVATE_EXPORT char *apierr__strdup(const char *s);

#endif
