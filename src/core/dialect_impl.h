/*
 * How a dialect plugs into the decoder and encoder (internal).
 *
 * Each dialect is one apierr__dialect_ops value in its own file, listed once
 * in dialect_table.c. Decoding asks every dialect's match() how sure it is
 * that the body has its shape and lets the most confident one decode.
 */
#ifndef APIERR_CORE_DIALECT_IMPL_H
#define APIERR_CORE_DIALECT_IMPL_H

#include "apierr/problem.h"
#include "buf.h"

#include <jansson.h>

#include <stdint.h>

/*
 * The top-level member names that some dialect looks for or understands.
 * Decoding walks the body's top-level object once and sets one bit per name
 * present, so detection can skip every dialect whose members are absent
 * without a hash lookup, and extension members are only collected when a
 * name outside the dialect's list is there. Hash lookups in jansson cost
 * about as much as parsing a short string, and 24 dialects each doing a few
 * made detection a third of the decode time.
 */
#define APIERR__KEY_MAP(X) \
    X(__type)              \
    X(Message)             \
    X(code)                \
    X(data)                \
    X(detail)              \
    X(details)             \
    X(documentation_url)   \
    X(error)               \
    X(error_description)   \
    X(error_uri)           \
    X(errors)              \
    X(exception)           \
    X(instance)            \
    X(jsonapi)             \
    X(links)               \
    X(message)             \
    X(meta)                \
    X(more_info)           \
    X(non_field_errors)    \
    X(ok)                  \
    X(path)                \
    X(request_id)          \
    X(requestId)           \
    X(response_metadata)   \
    X(retry_after)         \
    X(status)              \
    X(statusCode)          \
    X(timestamp)           \
    X(title)               \
    X(traceId)             \
    X(type)

enum {
#define APIERR__KEY_ENUM(name) APIERR__K_##name,
    APIERR__KEY_MAP(APIERR__KEY_ENUM)
#undef APIERR__KEY_ENUM
        APIERR__K__COUNT
};

/* The bit of a top-level member name, for apierr__body.keys and any_of. */
#define APIERR__KEY(name) (UINT64_C(1) << APIERR__K_##name)

/* An error response as the decoder sees it. */
typedef struct apierr__body {
    const json_t *json; /* the parsed body, NULL when it is not JSON */
    const char *text;   /* the raw bytes (NUL-terminated copy) */
    size_t len;
    const char *content_type;            /* or NULL */
    int status;                          /* HTTP status, 0 when unknown */
    uint64_t keys;                       /* APIERR__KEY() bits of the top-level members present */
    size_t unknown_keys;                 /* top-level members not in APIERR__KEY_MAP */
    const apierr_custom_dialect *custom; /* the caller's custom dialect, or NULL */
    size_t nested;                       /* top-level members that are objects or arrays */
    /* The values of the APIERR__KEY_MAP members, of the body and of its
     * top-level "error" object, found in the one walk that sets keys:
     * detection asks a dozen dialects about the same few members, and a
     * jansson lookup costs a hash each time. NULL: absent. */
    const json_t *top[APIERR__K__COUNT];
    const json_t *err[APIERR__K__COUNT];
} apierr__body;

/* The member name (an APIERR__KEY_MAP entry, unquoted) of the body, or of
 * its top-level "error" object: json_object_get() without the lookup. */
#define APIERR__TOP(b, name) ((b)->top[APIERR__K_##name])
#define APIERR__ERR(b, name) ((b)->err[APIERR__K_##name])

/* Bit index of a member name, or -1 when it is not in APIERR__KEY_MAP. */
int apierr__key_index(const char *name, size_t len);

typedef struct apierr__dialect_ops {
    apierr_dialect id;
    /* How sure it is that b has this shape: 0 (not at all) to 100. Scores
     * are compared across dialects, so be modest: 90+ only for members no
     * other shape uses (statusCode, __type, extensions.code). */
    int (*match)(const apierr__body *b);
    /* Fills p from b. p->status is preset from the response when known;
     * set it from the body only when it is 0. Field paths go through
     * apierr__add_detail(), which normalizes them. Returns APIERR_OK or
     * APIERR_ENOMEM; a shape that only half matches is not an error. */
    int (*decode)(apierr_problem *p, const apierr__body *b);
    /* Writes p in this shape; NULL for decode-only dialects. */
    void (*encode)(apierr__buf *out, const apierr_problem *p);
    /* Top-level members the dialect understands (NULL-terminated); others
     * are kept as extension members. NULL: keep none. */
    const char *const *members;
    /* match() is only asked when one of these top-level members is present
     * (APIERR__KEY bits); 0 asks it always (non-JSON shapes, DRF's maps of
     * arbitrary field names, problem's content type). */
    uint64_t any_of;
} apierr__dialect_ops;

/* The registry: every dialect, in apierr_dialect order (NULL for AUTO). */
const apierr__dialect_ops *apierr__dialect_ops_of(apierr_dialect d);

/* --- helpers for dialect implementations (decode_util.c) --- */

/* The string member `key` of obj, or NULL when absent or not a string. */
const char *apierr__json_str(const json_t *obj, const char *key);
/* Like apierr__json_str() but numbers are formatted too (Twilio's code
 * 20404, Google's code 400); tmp holds at least 32 bytes. */
const char *apierr__json_text(const json_t *obj, const char *key, char *tmp);
/* Sets member f of p from obj[key] when p has none yet and obj[key] is a
 * string (or number). APIERR_OK or APIERR_ENOMEM. */
int apierr__take(apierr_problem *p, apierr_problem_field f, const json_t *obj, const char *key);
/* Sets p->status from an integer (or numeric string) obj[key] in 100..599
 * when p->status is 0; when the response had a 2xx and the body states an
 * error status, that becomes the effective_status instead. */
void apierr__take_status(apierr_problem *p, const json_t *obj, const char *key);
/* One row of a member-to-field mapping for apierr__take_each(). */
typedef struct apierr__take_row {
    apierr_problem_field field;
    const char *key;
} apierr__take_row;
/* apierr__take() for each of the n rows, in order (the first member found
 * for a field wins). APIERR_OK or APIERR_ENOMEM. */
int apierr__take_each(apierr_problem *p, const json_t *obj, const apierr__take_row *rows, size_t n);
#define APIERR__TAKE_EACH(p, obj, rows) \
    apierr__take_each(p, obj, rows, sizeof rows / sizeof rows[0])

/* Adds a detail, normalizing the field path. */
int apierr__add_detail(apierr_problem *p, const char *field, const char *message, const char *code);
/* For `{field: ["msg", ...] | "msg" | {nested}}` maps (fieldmap, ASP.NET):
 * one detail per message; nested maps give dotted fields, Discord's
 * `_errors` adds no step (the general rules' field-map walker). */
int apierr__add_field_map(apierr_problem *p, const json_t *map);
/* Sets retry_after_ms from a body member holding seconds (number or
 * numeric string) when none is set. */
void apierr__take_retry_seconds(apierr_problem *p, const json_t *obj, const char *key);
/* The same from a value: a number of seconds (fractions kept: Discord's
 * 64.57), or a string a duration parser reads ("2.128", "30s"). */
void apierr__retry_seconds(apierr_problem *p, const json_t *v);
/* Sets retry_after_ms from a proto Duration (Google RetryInfo.retryDelay):
 * "30s" in JSON, {"seconds": 30, "nanos": 0} as some clients write it, or
 * seconds; when none is set. */
void apierr__retry_delay(apierr_problem *p, const json_t *delay);
/* The string member f of p (&p->code, ...), or NULL for an unknown field. */
const char **apierr__problem_member(apierr_problem *p, apierr_problem_field f);
/* Formats v in decimal into tmp (at least 32 bytes). */
void apierr__format_int(char *tmp, long long v);

/* Keeps the members of the object root for which taken() says 0 as the
 * problem's extensions (JSON text), unless it has some. APIERR_OK or
 * APIERR_ENOMEM. */
int apierr__keep_extensions(apierr_problem *p, const json_t *root,
                            int (*taken)(const char *key, const void *ctx), const void *ctx);

/* Frees what jansson allocated (json_dumps), with jansson's allocator. */
void apierr__json_free(void *ptr);

/* --- helpers for the decode-only dialects (decode_util.c) --- */

/* One detail per object of arr, from its members field_key, message_key
 * and code_key (a number is formatted; code_key may be NULL). Anything
 * that is not an object is skipped. APIERR_OK or APIERR_ENOMEM. */
int apierr__details_from_array(apierr_problem *p, const json_t *arr, const char *field_key,
                               const char *message_key, const char *code_key);
/* A well-known error code and the HTTP status it stands for, for shapes
 * that are usually sent with 200 (GraphQL, Slack). */
typedef struct apierr__code_status {
    const char *code;
    int status;
} apierr__code_status;
/* When p has no status or a 2xx, sets its effective_status (never the
 * wire status) from the row of map (n rows) whose code equals p->code. */
void apierr__status_from_code(apierr_problem *p, const apierr__code_status *map, size_t n);
#define APIERR__STATUS_FROM_CODE(p, map) \
    apierr__status_from_code(p, map, sizeof map / sizeof map[0])

/* Appends a JSON path array (["items", 0, "price"]) as "items.0.price",
 * leaving out its first `skip` elements and any that are not strings or
 * integers. APIERR_OK or APIERR_ENOMEM (out->oom). */
int apierr__json_path_text(apierr__buf *out, const json_t *path, size_t skip);
/* 1 when the body's content type contains needle (lower case), ignoring
 * case; 0 when there is none. */
int apierr__ctype_has(const apierr__body *b, const char *needle);
/* 1 when s[0..n) starts with prefix (lower case), ignoring ASCII case. */
int apierr__starts_nocase(const char *s, size_t n, const char *prefix);
/* 1 when s is a token (a code), not a sentence: not empty, no whitespace,
 * short (decode_general.c). NULL is no token. */
int apierr__is_token(const char *s);
/* A token that is not the reason phrase of status ("Unauthorized" at a 401
 * is the status said again, a title, not a code). */
int apierr__is_code_token(const char *s, int status);
/* 1 when an RFC 9457 type URI can stand for the code (issue 10): not
 * about:blank, not a link to the HTTP RFC's section of a status. */
int apierr__type_is_code(const char *type);
/* 1 when s contains part, ASCII case ignored. */
int apierr__contains_nocase(const char *s, const char *part);
/* 1 when the strings are equal but for ASCII case. */
int apierr__same_nocase(const char *a, const char *b);
/* Skips a UTF-8 byte-order mark and ASCII whitespace; *n is reduced. */
const char *apierr__skip_space(const char *s, size_t *n);
/* The content of the first element <tag>..</tag> of the markup s[0..n)
 * (attributes allowed; ASCII case ignored when nocase, tag then in lower
 * case), or NULL when there is none. A self-closing <tag/> has empty
 * content; an unclosed one runs to the end. Never reads outside s[0..n).
 * *out_len receives the content's length. */
const char *apierr__markup_find(const char *s, size_t n, const char *tag, int nocase,
                                size_t *out_len);
/* Sets member f of p (replacing it) from the text s[0..n): whitespace runs
 * become one space and the ends are trimmed; with markup, tags count as
 * whitespace and entities (&amp; &lt; &gt; &quot; &apos; &nbsp; &#..;) are
 * decoded. The result is cut to at most max bytes on a UTF-8 boundary.
 * Nothing is set when it is empty. APIERR_OK or APIERR_ENOMEM. */
int apierr__take_clean_text(apierr_problem *p, apierr_problem_field f, const char *s, size_t n,
                            size_t max, int markup);

/* --- helpers for encoders --- */

/* Writes `"key":` with a leading comma unless *first; sets *first = 0. */
void apierr__enc_key(apierr__buf *b, int *first, const char *key);
/* Writes "key":"value" when value is not NULL. */
void apierr__enc_str(apierr__buf *b, int *first, const char *key, const char *value);
/* Writes "key":number. */
void apierr__enc_int(apierr__buf *b, int *first, const char *key, long long v);
/* Writes the members of the extensions object (without its braces),
 * skipping any whose name is in `taken` (NULL-terminated). */
void apierr__enc_extensions(apierr__buf *b, int *first, const apierr_problem *p,
                            const char *const *taken);
/* Writes "key":[{"field","message","code"},..] when p has details. */
void apierr__enc_details(apierr__buf *b, int *first, const char *key, const apierr_problem *p);
/* Message to write: p->message, else the title, else the reason phrase. */
const char *apierr__enc_message(const apierr_problem *p);

#endif
