/*
 * apierr/common.h - version, library return codes, allocator.
 *
 * Thread safety, stated once for the whole library (libuv's rule): an object
 * is used by one thread at a time; functions without an object are
 * thread-safe unless their comment says otherwise.
 */
#ifndef APIERR_COMMON_H
#define APIERR_COMMON_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#define APIERR_VERSION_MAJOR 0
#define APIERR_VERSION_MINOR 1
#define APIERR_VERSION_PATCH 0
#define APIERR_VERSION       "0.1.0"

#if defined(__GNUC__) && !defined(APIERR_STATIC)
#define APIERR_EXTERN __attribute__((visibility("default")))
#else
#define APIERR_EXTERN
#endif

/*
 * Library return codes: a failure of an apierr call itself, never an API
 * error (that is an apierr_problem). Append-only: never renumber, never
 * remove. Columns: name, value, message.
 *
 * APIERR_EVERSION: an options struct whose `version` is 0 (not initialized
 * from its _INIT macro or _init() function) or newer than the library that
 * was linked. Every versioned struct grows only at its end, and a struct of an
 * older version is read only up to the members that version had.
 *
 * APIERR_EBACKEND: a store the library keeps shared state in (Redis) could
 * not be reached; the function's comment says what happened instead.
 */
#define APIERR_ERRNO_MAP(X)                       \
    X(OK, 0, "success")                           \
    X(ENOMEM, -1, "out of memory")                \
    X(EINVAL, -2, "invalid argument")             \
    X(EPARSE, -3, "malformed input")              \
    X(ENOTFOUND, -4, "not found")                 \
    X(ERANGE, -5, "value out of range")           \
    X(EIO, -6, "input/output error")              \
    X(EUNSUPPORTED, -7, "not supported")          \
    X(EVERSION, -8, "unsupported struct version") \
    X(EBACKEND, -9, "backend unavailable")

typedef enum apierr_rc {
#define APIERR__RC_ENUM(name, value, msg) APIERR_##name = value,
    APIERR_ERRNO_MAP(APIERR__RC_ENUM)
#undef APIERR__RC_ENUM
} apierr_rc;

/* Returns a static, human-readable message for a library return code, or
 * "unknown error" for a value not in the table. Never NULL. */
APIERR_EXTERN const char *apierr_strerror(int rc);

/* Returns the symbolic name of a return code ("APIERR_ENOMEM"), or NULL. */
APIERR_EXTERN const char *apierr_rc_name(int rc);

/* Returns APIERR_VERSION of the library actually linked. */
APIERR_EXTERN const char *apierr_version(void);

/*
 * Every allocation of the three libraries (libapierr, libapierr-client,
 * libapierr-server) goes through these functions, so a program can account
 * for them and a test can make the n-th one fail and prove that each error
 * path frees what it took. Passing NULL for all three restores
 * malloc/realloc/free. Not thread-safe: set it before any other call.
 * jansson, libcurl and SQLite keep their own allocators; a test that wants
 * jansson to fail too sets json_set_alloc_funcs() itself.
 */
typedef void *(*apierr_malloc_fn)(size_t size);
typedef void *(*apierr_realloc_fn)(void *ptr, size_t size);
typedef void (*apierr_free_fn)(void *ptr);
APIERR_EXTERN void apierr_set_alloc_funcs(apierr_malloc_fn m, apierr_realloc_fn r,
                                          apierr_free_fn f);

/* Frees memory the library handed to the caller (encoded bodies, strings). */
APIERR_EXTERN void apierr_free(void *ptr);

/* Allocates through the library's allocator: memory a callback hands to the
 * library (apierr_update_fn's new body) comes from here, because the library
 * frees it with apierr_free(). NULL when out of memory. */
APIERR_EXTERN void *apierr_malloc(size_t size);

/* A header as a name/value pair; neither needs to be NUL-free of case. */
typedef struct apierr_header {
    const char *name;
    const char *value;
} apierr_header;

#ifdef __cplusplus
}
#endif
#endif
