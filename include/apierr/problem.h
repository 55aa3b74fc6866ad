/*
 * apierr/problem.h - the normalized description of one API error.
 *
 * A problem is plain data: read its members directly. Its strings belong to
 * the problem and live until apierr_problem_free(); change them only through
 * the setters, which copy.
 */
#ifndef APIERR_PROBLEM_H
#define APIERR_PROBLEM_H

#include "custom.h"
#include "dialect.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct apierr_detail {
    const char *field;   /* dotted path ("items.0.price"), or NULL */
    const char *message; /* or NULL */
    const char *code;    /* or NULL */
} apierr_detail;

struct apierr__arena;

typedef struct apierr_problem {
    int status;             /* HTTP status, 0 when unknown */
    const char *code;       /* machine-readable code ("DB_TIMEOUT"), or NULL */
    const char *message;    /* what the server said, or NULL (see apierr_problem_text()) */
    apierr_detail *details; /* field-level failures */
    size_t ndetails;
    const char *request_id;   /* from the body or a request-id header */
    const char *timestamp;    /* as the server wrote it */
    const char *path;         /* request path the server reported */
    long long retry_after_ms; /* from Retry-After or a body hint; -1 when none */
    const char *type;         /* RFC 9457 type URI */
    const char *title;        /* RFC 9457 title */
    const char *instance;     /* RFC 9457 instance */
    const char *extensions;   /* JSON object of members no field took, or NULL */
    apierr_dialect dialect;   /* the shape it was read from (or is to be written in) */
    const char *raw;          /* the body as received (NUL-terminated copy), or NULL */
    size_t raw_len;
    struct apierr__arena *arena_; /* private */
    /* Members added after the first release go here, at the end: problems
     * are allocated by the library (apierr_problem_new(), decode), so a
     * program built against older headers still reads its members at their
     * offsets. */
    int effective_status; /* the status the body implies (a GraphQL or Slack
                             error sent with 200: 401, 404..), else status */
} apierr_problem;

/* The string members settable with apierr_problem_set(). Columns: enum
 * suffix, member, JSON name used by `apierr explain --json`. */
#define APIERR_PROBLEM_FIELD_MAP(X)         \
    X(CODE, code, "code")                   \
    X(MESSAGE, message, "message")          \
    X(REQUEST_ID, request_id, "request_id") \
    X(TIMESTAMP, timestamp, "timestamp")    \
    X(PATH, path, "path")                   \
    X(TYPE, type, "type")                   \
    X(TITLE, title, "title")                \
    X(INSTANCE, instance, "instance")       \
    X(EXTENSIONS, extensions, "extensions")

typedef enum apierr_problem_field {
#define APIERR__PF_ENUM(id, member, json) APIERR_PF_##id,
    APIERR_PROBLEM_FIELD_MAP(APIERR__PF_ENUM)
#undef APIERR__PF_ENUM
        APIERR_PF__COUNT
} apierr_problem_field;

/* Allocates an empty problem (status 0, retry_after_ms -1, dialect auto).
 * Returns APIERR_OK or APIERR_ENOMEM. */
APIERR_EXTERN int apierr_problem_new(apierr_problem **out);

/* A line to print for p: its message, else its title, else the reason
 * phrase of its effective status, else "Unknown error". Never NULL; the
 * string lives as long as p (or is static). */
APIERR_EXTERN const char *apierr_problem_text(const apierr_problem *p);

/* Frees the problem and everything it owns. Accepts NULL. */
APIERR_EXTERN void apierr_problem_free(apierr_problem *p);

/* Copies len bytes of value into the member f (NULL value clears it).
 * Returns APIERR_OK, APIERR_ENOMEM (the member is unchanged) or
 * APIERR_EINVAL for an unknown field. */
APIERR_EXTERN int apierr_problem_setn(apierr_problem *p, apierr_problem_field f, const char *value,
                                      size_t len);
/* apierr_problem_setn() with strlen(value). */
APIERR_EXTERN int apierr_problem_set(apierr_problem *p, apierr_problem_field f, const char *value);

/* Appends a field detail; any of the three may be NULL. The field path is
 * stored as given (decoders normalize it first). APIERR_OK or ENOMEM. */
APIERR_EXTERN int apierr_problem_add_detail(apierr_problem *p, const char *field,
                                            const char *message, const char *code);

/* Keeps a copy of the raw body. APIERR_OK or APIERR_ENOMEM. */
APIERR_EXTERN int apierr_problem_set_raw(apierr_problem *p, const char *body, size_t len);

/* Options for apierr_problem_decode(). Versioned: start from
 * APIERR_DECODE_OPTS_INIT; a NULL pointer means these defaults. */
typedef struct apierr_decode_opts {
    unsigned version;
    apierr_dialect dialect;       /* APIERR_DIALECT_AUTO to detect */
    int status;                   /* HTTP status, 0 when unknown */
    const char *content_type;     /* Content-Type of the body, or NULL */
    const apierr_header *headers; /* response headers (Retry-After, request id) */
    size_t nheaders;
    long long now_ms; /* Unix time in ms, to read an HTTP-date
                         Retry-After; 0 ignores such dates */
    /* version 2 */
    const apierr_custom_dialect *custom; /* a profile's custom dialect, or NULL:
                                            read with dialect auto or custom */
} apierr_decode_opts;

#define APIERR_DECODE_OPTS_VERSION 2
#define APIERR_DECODE_OPTS_INIT                                                    \
    {                                                                              \
        APIERR_DECODE_OPTS_VERSION, APIERR_DIALECT_AUTO, 0, NULL, NULL, 0, 0, NULL \
    }

/* Fills *opts with the defaults of the given version of the struct (for
 * bindings that cannot use the macro). APIERR_OK, or APIERR_EVERSION for 0
 * or a version newer than the library's (*opts untouched). */
APIERR_EXTERN int apierr_decode_opts_init(apierr_decode_opts *opts, unsigned version);

/*
 * Reads an error response into a new problem. Any bytes are accepted. A body
 * of a shape no named dialect claims is read by the general rules (dialect
 * `general`: where the error is, which member is the code, field details,
 * request ids, retry hints); one they find nothing in (or no body: len 0)
 * still yields a problem with the status and the raw text kept, and dialect
 * `text`, `html` or `unknown`. Nothing is invented: message is what the
 * server said or NULL (apierr_problem_text() gives a line to print), and
 * status is the wire status; the status the body implies is
 * effective_status. With a forced dialect whose shape does not match, the
 * fields it finds are used.
 * Field paths in details are normalized to dotted form (items.0.price).
 * Returns APIERR_OK, APIERR_ENOMEM, or APIERR_EVERSION when opts has a
 * version of 0 or one newer than the library's (*out is then NULL).
 */
APIERR_EXTERN int apierr_problem_decode(apierr_problem **out, const char *body, size_t len,
                                        const apierr_decode_opts *opts);

/*
 * Writes p as a body in dialect d (p->dialect when d is AUTO; problem when
 * both are AUTO) into a new NUL-terminated buffer the caller frees with
 * apierr_free(). out_len may be NULL. Returns APIERR_OK, APIERR_ENOMEM, or
 * APIERR_EUNSUPPORTED for a decode-only dialect.
 */
APIERR_EXTERN int apierr_problem_encode(char **out, size_t *out_len, const apierr_problem *p,
                                        apierr_dialect d);

/*
 * Normalizes a field path to dotted form: "items[0].price", "/items/0/price",
 * "#/items/0/price", and "$.items[0].price" all become
 * "items.0.price". JSON Pointer escapes (~0, ~1) are undone. Writes at most
 * cap bytes including the NUL into buf; returns the length of the full
 * result (like snprintf), so a result >= cap means it was cut.
 */
APIERR_EXTERN size_t apierr_field_path_normalize(char *buf, size_t cap, const char *path,
                                                 size_t len);

#ifdef __cplusplus
}
#endif
#endif
