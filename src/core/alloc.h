/* Internal allocation wrapper: every allocation of libapierr goes here. */
#ifndef APIERR_CORE_ALLOC_H
#define APIERR_CORE_ALLOC_H
#include <stddef.h>

void *apierr__malloc(size_t n);
void *apierr__calloc(size_t count, size_t n);
void *apierr__realloc(void *p, size_t n);
void apierr__free(void *p);
/* Copies len bytes plus a NUL; NULL when out of memory. */
char *apierr__strndup(const char *s, size_t len);
char *apierr__strdup(const char *s);

#endif
