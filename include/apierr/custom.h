/*
 * apierr/custom.h - a custom dialect: where an API's error body keeps its
 * code, message, field details, request id and retry hint, as JSON paths,
 * so that a profile adds an API without C.
 *
 * A path is dotted members with optional array indices: "error.id",
 * "$.errors[0].code", "errors.0.code" (a leading "$" or "$." is allowed).
 * The detail_* paths are relative to each item of the `details` list. A
 * member left empty, or one whose path finds nothing, is read by the
 * general rules (see apierr_problem_decode()).
 */
#ifndef APIERR_CUSTOM_H
#define APIERR_CUSTOM_H

#include "common.h"

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#define APIERR_CUSTOM_PATH_MAX 96

/* The paths. Columns: member, JSON name in a profile's "custom_dialect". */
#define APIERR_CUSTOM_FIELD_MAP(X)      \
    X(code, "code")                     \
    X(message, "message")               \
    X(request_id, "request_id")         \
    X(retry_after, "retry_after")       \
    X(details, "details")               \
    X(detail_field, "detail_field")     \
    X(detail_message, "detail_message") \
    X(detail_code, "detail_code")

/* Versioned like the options structs: start from APIERR_CUSTOM_DIALECT_INIT
 * (every path empty). retry_after holds seconds. */
typedef struct apierr_custom_dialect {
    unsigned version;
#define APIERR__CUSTOM_MEMBER(m, json) char m[APIERR_CUSTOM_PATH_MAX];
    APIERR_CUSTOM_FIELD_MAP(APIERR__CUSTOM_MEMBER)
#undef APIERR__CUSTOM_MEMBER
} apierr_custom_dialect;

#define APIERR_CUSTOM_DIALECT_VERSION 1
#define APIERR_CUSTOM_DIALECT_INIT                                    \
    {                                                                 \
        APIERR_CUSTOM_DIALECT_VERSION, "", "", "", "", "", "", "", "" \
    }

/*
 * Reads the "custom_dialect" member of a profile document (JSON bytes, as
 * apierr_profile_from_json() takes them) into *out:
 *   {"custom_dialect": {"code": "error.id", "message": "error.text", ...}}
 * Returns APIERR_OK; APIERR_ENOTFOUND when the document has no such member;
 * APIERR_EPARSE for malformed JSON, an unknown member, a path that is not a
 * string or is too long, with a one-line message in err (cap bytes, may be
 * NULL/0). *out is only written on success.
 */
APIERR_EXTERN int apierr_custom_dialect_from_json(apierr_custom_dialect *out, const char *json,
                                                  size_t len, char *err, size_t cap);

struct apierr_profile;

/*
 * Writes a profile file: p as apierr_profile_to_json() writes it, with
 * custom (NULL: none) as its "custom_dialect" member (the paths that are
 * not empty), so that apierr_profile_from_json() and
 * apierr_custom_dialect_from_json() read the document back to equal
 * values. *out is freed by the caller with apierr_free(). Returns
 * APIERR_OK, APIERR_ENOMEM, or APIERR_EVERSION (custom's or p's policy's
 * version 0 or unknown).
 */
APIERR_EXTERN int apierr_profile_to_json_custom(char **out, size_t *out_len,
                                                const struct apierr_profile *p,
                                                const apierr_custom_dialect *custom);

#ifdef __cplusplus
}
#endif
#endif
