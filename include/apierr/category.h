/*
 * apierr/category.h - what a failure is (category) and what to do (action).
 *
 * Categories and actions have stable names: scripts read them from
 * `apierr explain --json` and `apierr call --output-json`. Append-only.
 *
 * Stable names, of these and of every other vocabulary of the library
 * (dialects, jitters, budget modes, methods, transports, decisions, key
 * locations), are ASCII and lower-case snake ("rate_limited"), except HTTP
 * methods, upper case as on the wire ("GET"). Every *_from_name() matches
 * them exactly, byte for byte: "RATE_LIMITED" is not a category, "get" is not
 * a method. A *_name() or *_doc() of a value out of range gives NULL.
 */
#ifndef APIERR_CATEGORY_H
#define APIERR_CATEGORY_H

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Columns: enum suffix, stable name, one-line meaning. */
#define APIERR_CATEGORY_MAP(X)                                                           \
    X(OK, "ok", "the call succeeded")                                                    \
    X(INVALID_REQUEST, "invalid_request", "the request is malformed")                    \
    X(UNAUTHENTICATED, "unauthenticated", "credentials are missing, expired or invalid") \
    X(FORBIDDEN, "forbidden", "the credentials lack permission")                         \
    X(NOT_FOUND, "not_found", "the resource or path does not exist")                     \
    X(CONFLICT, "conflict", "the request conflicts with the resource's state")           \
    X(UNPROCESSABLE, "unprocessable", "the data fails validation or business rules")     \
    X(RATE_LIMITED, "rate_limited", "too many requests")                                 \
    X(SERVER, "server", "the server failed")                                             \
    X(NETWORK, "network", "the request or response was lost on the network")             \
    X(TIMEOUT, "timeout", "an attempt took longer than its timeout")                     \
    X(DEADLINE, "deadline", "the call's overall deadline passed")                        \
    X(BUDGET_EXHAUSTED, "budget_exhausted", "the client's retry budget is spent")        \
    X(CIRCUIT_OPEN, "circuit_open", "the circuit breaker for the host is open")          \
    X(THROTTLED_LOCALLY, "throttled_locally",                                            \
      "the client's adaptive throttling held the attempt back: the host was rejecting")

typedef enum apierr_category {
#define APIERR__CAT_ENUM(id, name, doc) APIERR_CAT_##id,
    APIERR_CATEGORY_MAP(APIERR__CAT_ENUM)
#undef APIERR__CAT_ENUM
        APIERR_CAT__COUNT
} apierr_category;

/* Columns: enum suffix, stable name, advice for a person. */
#define APIERR_ACTION_MAP(X)                                                                  \
    X(NONE, "none", "nothing to do")                                                          \
    X(RETRY, "retry", "retry after a delay")                                                  \
    X(REFRESH_CREDENTIALS, "refresh_credentials", "refresh the credentials, then retry once") \
    X(FIX_REQUEST, "fix_request", "fix the request before sending it again")                  \
    X(GIVE_UP, "give_up", "do not retry; report it")

typedef enum apierr_action {
#define APIERR__ACT_ENUM(id, name, doc) APIERR_ACTION_##id,
    APIERR_ACTION_MAP(APIERR__ACT_ENUM)
#undef APIERR__ACT_ENUM
        APIERR_ACTION__COUNT
} apierr_action;

/* Stable name ("rate_limited"), or NULL when out of range. */
APIERR_EXTERN const char *apierr_category_name(apierr_category c);
/* One-line meaning, or NULL when out of range. */
APIERR_EXTERN const char *apierr_category_doc(apierr_category c);
/* The category with that stable name; APIERR_ENOTFOUND when there is none. */
APIERR_EXTERN int apierr_category_from_name(apierr_category *out, const char *name);

APIERR_EXTERN const char *apierr_action_name(apierr_action a);
APIERR_EXTERN const char *apierr_action_doc(apierr_action a);
APIERR_EXTERN int apierr_action_from_name(apierr_action *out, const char *name);

#ifdef __cplusplus
}
#endif
#endif
