/*
 * apierr/status.h - the HTTP status registry.
 *
 * Every code in IANA's "HTTP Status Code Registry" with its reason phrase,
 * plus the meaning the seed documents give it by default: the category of
 * failure and the action a client should take. Profiles refine this (a 403
 * that means "session expired" for Gestix, a 409 that means "re-read and
 * retry" for GipoNext); this table is the consensus.
 */
#ifndef APIERR_STATUS_H
#define APIERR_STATUS_H

#include "category.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum apierr_status_class {
    APIERR_CLASS_UNKNOWN = 0,
    APIERR_CLASS_INFORMATIONAL = 1,
    APIERR_CLASS_SUCCESS = 2,
    APIERR_CLASS_REDIRECTION = 3,
    APIERR_CLASS_CLIENT_ERROR = 4,
    APIERR_CLASS_SERVER_ERROR = 5
} apierr_status_class;

typedef struct apierr_status_info {
    int code;
    const char *reason; /* "Too Many Requests" */
    apierr_status_class klass;
    apierr_category category; /* default category of this status */
    apierr_action action;     /* default action for a client */
    int registered;           /* 1 when the code is in IANA's registry */
} apierr_status_info;

/*
 * Fills *out with what is known of `code`. A code outside the registry but in
 * 100..599 gets its class's defaults and reason "Unknown Status"
 * (registered = 0). Returns APIERR_ERANGE for a code outside 100..599.
 */
APIERR_EXTERN int apierr_status_lookup(apierr_status_info *out, int code);

/* Reason phrase for code, "Unknown Status" when not registered. Never NULL. */
APIERR_EXTERN const char *apierr_status_reason(int code);

/* Class of code (code / 100 when in 100..599, else APIERR_CLASS_UNKNOWN). */
APIERR_EXTERN apierr_status_class apierr_status_class_of(int code);

/* Iterates the registry: the i-th registered entry, or NULL past the end. */
APIERR_EXTERN const apierr_status_info *apierr_status_at(size_t i);

#ifdef __cplusplus
}
#endif
#endif
