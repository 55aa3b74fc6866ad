/*
 * apierr/server/validation.h - collect field failures while checking a
 * request body, then reply with all of them at once.
 *
 * The status, code and message depend on the API (a profile fills the
 * options): 422 "validation_failed" "Request validation failed." by
 * default; Gestix (seed 004) uses 400 INVALID_ARGUMENT and a single message
 * that names the first failure ("Field 'currency' is required"), with every
 * failure still in the details.
 */
#ifndef APIERR_SERVER_VALIDATION_H
#define APIERR_SERVER_VALIDATION_H

#include "../problem.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct apierr_validation apierr_validation;

/* Options for apierr_validation_new(). Versioned: start from
 * APIERR_VALIDATION_OPTS_INIT or apierr_validation_opts_init(); a NULL
 * pointer means these defaults.
 * The layout is ABI: new members go at the end, always, and
 * APIERR_VALIDATION_OPTS_VERSION is bumped whenever the struct grows; a struct
 * of an older version is read only up to the members it had.
 * A zero or NULL member takes the dialect's default:
 *   dialect   status  code               message
 *   gestix    400     INVALID_ARGUMENT   names the first failure
 *   oauth     400     invalid_request    names the first failure
 *   others    422     validation_failed  "Request validation failed." */
typedef struct apierr_validation_opts {
    unsigned version;
    apierr_dialect dialect; /* the API's dialect (AUTO: the defaults of "others") */
    int status;             /* 0: the dialect's default */
    const char *code;       /* NULL: the dialect's default */
    const char *message;    /* NULL: the dialect's default */
} apierr_validation_opts;

#define APIERR_VALIDATION_OPTS_VERSION 1
#define APIERR_VALIDATION_OPTS_INIT                                        \
    {                                                                      \
        APIERR_VALIDATION_OPTS_VERSION, APIERR_DIALECT_AUTO, 0, NULL, NULL \
    }

/* Fills *opts with the defaults of the given version of the struct (for
 * bindings that cannot use the macro). APIERR_OK, or APIERR_EVERSION for 0
 * or a version newer than the library's (*opts untouched). */
APIERR_EXTERN int apierr_validation_opts_init(apierr_validation_opts *opts, unsigned version);

/* A new, empty collector, freed by apierr_validation_free(). The options'
 * strings are copied. APIERR_OK, APIERR_ENOMEM, or APIERR_EVERSION when opts
 * has version 0 or one newer than the library's (*out is NULL on failure). */
APIERR_EXTERN int apierr_validation_new(apierr_validation **out,
                                        const apierr_validation_opts *opts);

/* Frees the collector. Accepts NULL. */
APIERR_EXTERN void apierr_validation_free(apierr_validation *v);

/* Records one failure: field is a dotted path ("lines.0.quantity"; the
 * bracket and pointer forms are normalized), message a sentence or a
 * predicate ("is required"), code a machine-readable reason ("required").
 * Any may be NULL. APIERR_OK or APIERR_ENOMEM. */
APIERR_EXTERN int apierr_validation_add(apierr_validation *v, const char *field,
                                        const char *message, const char *code);

/* Number of failures recorded so far: 0 means the body is valid. */
APIERR_EXTERN size_t apierr_validation_count(const apierr_validation *v);

/* Forgets the failures, to check another body with the same options. */
APIERR_EXTERN void apierr_validation_reset(apierr_validation *v);

/*
 * A new problem (free it with apierr_problem_free()) with every failure as a
 * detail, in the order added, with the
 * status, code and message of the options. A message that names the first
 * failure is "Field 'f' <message>" when the message starts in lower case (a
 * predicate), "Field 'f': <message>" otherwise, followed by
 * " (and N more)" when there are others. APIERR_OK, APIERR_ENOMEM, or
 * APIERR_EINVAL when nothing was recorded.
 */
APIERR_EXTERN int apierr_validation_problem(apierr_problem **out, const apierr_validation *v);

#ifdef __cplusplus
}
#endif
#endif
