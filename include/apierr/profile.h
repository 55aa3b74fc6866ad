/*
 * apierr/profile.h - API profiles: dialect + retry policy + auth semantics.
 *
 * A profile is a plain value (no pointers, no allocation): copy it freely.
 * The built-in ones encode what their seed documents say; others are loaded
 * from JSON (the format `apierr profiles show` prints).
 */
#ifndef APIERR_PROFILE_H
#define APIERR_PROFILE_H

#include "policy.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Where the idempotency key travels. Columns: enum suffix, stable name. */
#define APIERR_KEY_LOCATION_MAP(X) \
    X(HEADER, "header")            \
    X(QUERY, "query")

typedef enum apierr_key_location {
#define APIERR__KEYLOC_ENUM(id, name) APIERR_KEY_IN_##id,
    APIERR_KEY_LOCATION_MAP(APIERR__KEYLOC_ENUM)
#undef APIERR__KEYLOC_ENUM
        APIERR_KEY_IN__COUNT
} apierr_key_location;

#define APIERR_PROFILE_NAME_MAX 32
#define APIERR_PROFILE_TEXT_MAX 160
#define APIERR_PROFILE_KEY_MAX  64

/*
 * A profile is not versioned itself: its members before `policy` never
 * change, and it ends with the policy, whose own version tells its layout.
 * Functions that read a profile (apierr_profile_to_json(), _equal(),
 * _classify(), apierr_client_new()) read the policy by that version. Those
 * that fill one (apierr_profile_builtin(), apierr_profile_from_json()) write
 * the current layout: a program built against an older header must give
 * them a struct of today's size (or be rebuilt).
 */
typedef struct apierr_profile {
    char name[APIERR_PROFILE_NAME_MAX];
    char description[APIERR_PROFILE_TEXT_MAX];
    apierr_dialect dialect;                       /* the shape of the API's error bodies; auto (the
                                                     default profile): detect when reading, write
                                                     RFC 9457 problem+json */
    char idempotency_key[APIERR_PROFILE_KEY_MAX]; /* "Idempotency-Key", "nonce" */
    apierr_key_location idempotency_key_in;
    int validation_status; /* status of validation errors: 422, or 400 */
    apierr_policy policy;
} apierr_profile;

/* The built-in profiles, in a stable order: default, giponext, gotab,
 * nested, laravel, gestix. */
APIERR_EXTERN size_t apierr_profile_builtin_count(void);
/* Name and one-line description of the i-th built-in; NULL past the end. */
APIERR_EXTERN const char *apierr_profile_builtin_name(size_t i);
APIERR_EXTERN const char *apierr_profile_builtin_description(size_t i);

/* Fills *out with the built-in profile named name (exact match).
 * APIERR_OK, or APIERR_ENOTFOUND (*out untouched). */
APIERR_EXTERN int apierr_profile_builtin(apierr_profile *out, const char *name);

/*
 * Reads a profile from the bytes of a JSON document (no file access: the
 * caller reads the file). Members not given keep the values of the profile
 * named by "extends" (default: the `default` profile); unknown members are
 * errors, so a typo does not pass silently. Returns APIERR_OK; APIERR_EPARSE
 * for malformed JSON or a bad member, with a one-line message in err (cap
 * bytes, may be NULL/0). *out is only written on success.
 */
APIERR_EXTERN int apierr_profile_from_json(apierr_profile *out, const char *json, size_t len,
                                           char *err, size_t cap);

/*
 * Writes p as a JSON document (indented, newline-terminated) that
 * apierr_profile_from_json() reads back to an equal profile. *out is
 * NUL-terminated and freed by the caller with apierr_free(); out_len may be
 * NULL. Returns APIERR_OK, APIERR_ENOMEM, or APIERR_EVERSION (its policy).
 */
APIERR_EXTERN int apierr_profile_to_json(char **out, size_t *out_len, const apierr_profile *p);

/* 1 when the two profiles are equal in every member (strings compared as
 * strings, rules in order). */
APIERR_EXTERN int apierr_profile_equal(const apierr_profile *a, const apierr_profile *b);

/* apierr_policy_classify() under the profile's policy (NULL: the default
 * profile): the profile-aware category and action of an outcome. */
APIERR_EXTERN void apierr_profile_classify(apierr_classification *out,
                                           const apierr_outcome *outcome,
                                           const apierr_profile *profile);

APIERR_EXTERN const char *apierr_key_location_name(apierr_key_location k);

#ifdef __cplusplus
}
#endif
#endif
