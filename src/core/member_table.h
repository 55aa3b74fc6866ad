/*
 * The general decoder's one table (internal): the member names error
 * bodies use, the role each plays and how strongly it claims it.
 *
 * A body no named dialect claims is read by rules, not by a vendor's
 * decoder: every member of the error object is looked up here and the
 * best-ranked member of each role wins. To teach apierr a new name, add a
 * row. The same rows serve JSON member names and XML element names (local
 * name), the exact spelling first, else ASCII case ignored; a profile's custom
 * dialect maps its JSON paths onto the same roles.
 */
#ifndef APIERR_CORE_MEMBER_TABLE_H
#define APIERR_CORE_MEMBER_TABLE_H

#include "apierr/problem.h"

#include <stddef.h>

/*
 * Roles of a member. An error object is read at several levels (the body,
 * then each envelope it is wrapped in); a detail is one item of a list of
 * field failures.
 */
#define APIERR__ROLE_MAP(X)                                                           \
    X(NONE, "")                                                                       \
    X(INNER, "an object with more about the error, read after the levels")            \
    X(CODE, "the machine-readable code; an integer equal to the status is a status")  \
    X(TEXT, "a token is the code, a sentence the message")                            \
    X(MESSAGE, "the message; an object there is a field map")                         \
    X(TITLE, "the title")                                                             \
    X(TYPE, "a URI is the type (and the code when nothing better), a token the code") \
    X(DOC, "a URL that documents the error: the type")                                \
    X(INSTANCE, "the occurrence")                                                     \
    X(REQUEST_ID, "the request id")                                                   \
    X(TIMESTAMP, "when it happened")                                                  \
    X(PATH, "the request path")                                                       \
    X(STATUS, "the HTTP status the body states")                                      \
    X(RETRY_S, "seconds to wait (fractions allowed)")                                 \
    X(RETRY_MS, "milliseconds to wait")                                               \
    X(RETRY_DELAY, "a duration to wait (\"30s\", {seconds, nanos})")                  \
    X(DETAILS, "a list of field failures, or a map of field to messages")             \
    X(FIELD, "in a detail: the field")                                                \
    X(SOURCE, "in a detail: an object naming the field (pointer, parameter)")         \
    X(DCODE, "in a detail: the code")                                                 \
    X(DTEXT, "in a detail: a token is the code, a sentence the message")              \
    X(DMESSAGE, "in a detail: the message")

typedef enum apierr__role {
#define APIERR__ROLE_ENUM(id, doc) APIERR__R_##id,
    APIERR__ROLE_MAP(APIERR__ROLE_ENUM)
#undef APIERR__ROLE_ENUM
        APIERR__R__COUNT
} apierr__role;

/*
 * The table. Columns: member name, its role in an error object and rank
 * there, its role in a detail and rank there, and its rank as an envelope
 * when its value is an object or a list of objects (0: never one). A
 * lower rank wins: `code` beats `error_code` beats a token in `error`
 * beats `type`. The lookup folds ASCII case only, never `_` or `-`: each
 * spelling a server uses is a row of its own (errorCode and error_code,
 * originalMessage and original_message), at the same rank. Names are
 * looked up through a hash, so order does not matter for speed; keep rows
 * of one role together for the reader.
 */
#define APIERR__MEMBER_MAP(X)                            \
    /* where the error is */                             \
    X("error", TEXT, 20, DTEXT, 20, 1)                   \
    X("errors", DETAILS, 9, NONE, 0, 2)                  \
    X("reasons", DETAILS, 9, NONE, 0, 2)                 \
    X("fault", NONE, 0, NONE, 0, 3)                      \
    X("Fault", NONE, 0, NONE, 0, 3)                      \
    X("RestException", NONE, 0, NONE, 0, 3)              \
    X("Error", NONE, 0, NONE, 0, 4)                      \
    X("data", NONE, 0, NONE, 0, 9)                       \
    X("response", NONE, 0, NONE, 0, 9)                   \
    X("Response", NONE, 0, NONE, 0, 9)                   \
    X("response_data", NONE, 0, NONE, 0, 9)              \
    X("sys", NONE, 0, NONE, 0, 9)                        \
    X("innerError", INNER, 1, NONE, 0, 0)                \
    X("innererror", INNER, 1, NONE, 0, 0)                \
    X("inner_error", INNER, 1, NONE, 0, 0)               \
    X("root_cause", INNER, 2, NONE, 0, 0)                \
    X("extensions", INNER, 3, INNER, 3, 0)               \
    X("meta", INNER, 4, INNER, 4, 0)                     \
    X("parameters", INNER, 5, SOURCE, 2, 0)              \
    X("context_info", INNER, 6, NONE, 0, 0)              \
    X("context", INNER, 7, NONE, 0, 0)                   \
    /* which member is the code */                       \
    X("code", CODE, 10, DCODE, 10, 0)                    \
    X("Code", CODE, 10, DCODE, 10, 0)                    \
    X("error_code", CODE, 11, DCODE, 11, 0)              \
    X("errorCode", CODE, 12, DCODE, 12, 0)               \
    X("ErrorCode", CODE, 12, DCODE, 12, 0)               \
    X("errorcode", CODE, 12, DCODE, 12, 0)               \
    X("err_code", CODE, 13, DCODE, 13, 0)                \
    X("api_error_code", CODE, 11, DCODE, 11, 0)          \
    X("retCode", CODE, 13, NONE, 0, 0)                   \
    X("ret_code", CODE, 13, NONE, 0, 0)                  \
    X("faultcode", CODE, 14, NONE, 0, 0)                 \
    X("error_type", CODE, 25, DCODE, 25, 0)              \
    X("errorType", CODE, 25, DCODE, 25, 0)               \
    X("errcode", CODE, 13, NONE, 0, 0)                   \
    X("ECODE", CODE, 13, NONE, 0, 0)                     \
    X("serviceErrorCode", CODE, 12, NONE, 0, 0)          \
    X("err", TEXT, 21, NONE, 0, 0)                       \
    X("cod", CODE, 15, NONE, 0, 0)                       \
    X("className", CODE, 33, NONE, 0, 0)                 \
    X("typeKey", CODE, 33, NONE, 0, 0)                   \
    X(".tag", CODE, 33, NONE, 0, 0)                      \
    X("category", CODE, 40, NONE, 0, 0)                  \
    X("scimType", CODE, 20, NONE, 0, 0)                  \
    X("id", CODE, 60, NONE, 0, 0)                        \
    X("type", TYPE, 30, DCODE, 30, 0)                    \
    X("Type", TYPE, 30, DCODE, 30, 0)                    \
    X("reason", TEXT, 31, DTEXT, 31, 0)                  \
    X("name", CODE, 32, FIELD, 6, 0)                     \
    X("subcode", NONE, 0, NONE, 0, 0)                    \
    X("issue", NONE, 0, DTEXT, 8, 0)                     \
    X("rule", NONE, 0, DCODE, 40, 0)                     \
    X("constraintId", NONE, 0, DCODE, 14, 0)             \
    X("ruleId", NONE, 0, DCODE, 14, 0)                   \
    X("sCode", NONE, 0, DCODE, 14, 0)                    \
    /* the message */                                    \
    X("message", MESSAGE, 10, DMESSAGE, 10, 0)           \
    X("Message", MESSAGE, 10, DMESSAGE, 10, 0)           \
    X("error_description", MESSAGE, 11, DMESSAGE, 11, 0) \
    X("errorMessage", MESSAGE, 12, DMESSAGE, 12, 0)      \
    X("error_message", MESSAGE, 12, DMESSAGE, 12, 0)     \
    X("ErrorMessage", MESSAGE, 12, DMESSAGE, 12, 0)      \
    X("error_msg", MESSAGE, 12, DMESSAGE, 12, 0)         \
    X("errorMsg", MESSAGE, 12, DMESSAGE, 12, 0)          \
    X("errmsg", MESSAGE, 12, NONE, 0, 0)                 \
    X("retMsg", MESSAGE, 12, NONE, 0, 0)                 \
    X("ret_msg", MESSAGE, 12, NONE, 0, 0)                \
    X("help_message", NONE, 0, DMESSAGE, 12, 0)          \
    X("sMsg", NONE, 0, DMESSAGE, 16, 0)                  \
    X("errorSummary", MESSAGE, 13, DMESSAGE, 13, 0)      \
    X("errorMessages", MESSAGE, 13, NONE, 0, 0)          \
    X("error_messages", MESSAGE, 14, NONE, 0, 0)         \
    X("error_summary", MESSAGE, 13, NONE, 0, 0)          \
    X("errorDetail", MESSAGE, 15, NONE, 0, 0)            \
    X("originalMessage", MESSAGE, 21, NONE, 0, 0)        \
    X("original_message", MESSAGE, 21, NONE, 0, 0)       \
    X("long_message", MESSAGE, 21, DMESSAGE, 21, 0)      \
    X("longMessage", MESSAGE, 21, DMESSAGE, 21, 0)       \
    X("info", MESSAGE, 20, NONE, 0, 0)                   \
    X("hydra:description", MESSAGE, 20, NONE, 0, 0)      \
    X("faultstring", MESSAGE, 13, NONE, 0, 0)            \
    X("detail", MESSAGE, 14, DMESSAGE, 14, 5)            \
    X("description", MESSAGE, 15, DMESSAGE, 9, 0)        \
    X("msg", MESSAGE, 16, DMESSAGE, 16, 0)               \
    X("defaultMessage", MESSAGE, 17, DMESSAGE, 17, 0)    \
    X("userMessage", MESSAGE, 18, DMESSAGE, 18, 0)       \
    X("Reason", MESSAGE, 19, NONE, 0, 0)                 \
    X("title", TITLE, 10, DMESSAGE, 30, 0)               \
    X("hydra:title", TITLE, 11, NONE, 0, 0)              \
    /* what documents it */                              \
    X("documentation_url", DOC, 10, NONE, 0, 0)          \
    X("doc_url", DOC, 11, NONE, 0, 0)                    \
    X("more_info", DOC, 12, NONE, 0, 0)                  \
    X("moreInfo", DOC, 12, NONE, 0, 0)                   \
    X("help_url", DOC, 13, NONE, 0, 0)                   \
    X("helpUrl", DOC, 13, NONE, 0, 0)                    \
    X("error_url", DOC, 13, NONE, 0, 0)                  \
    X("link", DOC, 14, NONE, 0, 0)                       \
    X("url", DOC, 20, NONE, 0, 0)                        \
    X("instance", INSTANCE, 10, NONE, 0, 0)              \
    /* request ids */                                    \
    X("request_id", REQUEST_ID, 10, NONE, 0, 0)          \
    X("requestId", REQUEST_ID, 10, NONE, 0, 0)           \
    X("request-id", REQUEST_ID, 10, NONE, 0, 0)          \
    X("RequestId", REQUEST_ID, 10, NONE, 0, 0)           \
    X("requestID", REQUEST_ID, 10, NONE, 0, 0)           \
    X("x-request-id", REQUEST_ID, 11, NONE, 0, 0)        \
    X("client-request-id", REQUEST_ID, 12, NONE, 0, 0)   \
    X("traceId", REQUEST_ID, 13, NONE, 0, 0)             \
    X("trace_id", REQUEST_ID, 13, NONE, 0, 0)            \
    X("traceID", REQUEST_ID, 13, NONE, 0, 0)             \
    X("correlation_id", REQUEST_ID, 14, NONE, 0, 0)      \
    X("correlationId", REQUEST_ID, 14, NONE, 0, 0)       \
    X("debug_id", REQUEST_ID, 15, NONE, 0, 0)            \
    X("errorId", REQUEST_ID, 16, NONE, 0, 0)             \
    X("error_id", REQUEST_ID, 16, NONE, 0, 0)            \
    X("fbtrace_id", REQUEST_ID, 17, NONE, 0, 0)          \
    X("incident_id", REQUEST_ID, 18, NONE, 0, 0)         \
    X("ErrorIdentifier", REQUEST_ID, 16, NONE, 0, 0)     \
    X("trackingId", REQUEST_ID, 19, NONE, 0, 0)          \
    X("transactionId", REQUEST_ID, 19, NONE, 0, 0)       \
    X("transaction_id", REQUEST_ID, 19, NONE, 0, 0)      \
    X("contextId", REQUEST_ID, 19, NONE, 0, 0)           \
    X("trace", REQUEST_ID, 19, NONE, 0, 0)               \
    X("pspReference", REQUEST_ID, 20, NONE, 0, 0)        \
    X("api_id", REQUEST_ID, 20, NONE, 0, 0)              \
    /* when and where */                                 \
    X("timestamp", TIMESTAMP, 10, NONE, 0, 0)            \
    X("time", TIMESTAMP, 11, NONE, 0, 0)                 \
    X("date", TIMESTAMP, 12, NONE, 0, 0)                 \
    X("path", PATH, 10, FIELD, 4, 0)                     \
    /* the status the body states */                     \
    X("status", STATUS, 10, NONE, 0, 9)                  \
    X("Status", STATUS, 10, NONE, 0, 9)                  \
    X("statusCode", STATUS, 11, NONE, 0, 0)              \
    X("status_code", STATUS, 11, NONE, 0, 0)             \
    X("httpStatus", STATUS, 12, NONE, 0, 0)              \
    X("http_status", STATUS, 12, NONE, 0, 0)             \
    X("httpStatusCode", STATUS, 12, NONE, 0, 0)          \
    X("originalStatus", STATUS, 19, NONE, 0, 0)          \
    X("original_status", STATUS, 19, NONE, 0, 0)         \
    /* retry hints */                                    \
    X("retry_after", RETRY_S, 10, NONE, 0, 0)            \
    X("retryAfter", RETRY_S, 10, NONE, 0, 0)             \
    X("retry-after", RETRY_S, 10, NONE, 0, 0)            \
    X("retry_after_seconds", RETRY_S, 11, NONE, 0, 0)    \
    X("retryAfterSeconds", RETRY_S, 11, NONE, 0, 0)      \
    X("retry_after_ms", RETRY_MS, 10, NONE, 0, 0)        \
    X("retryAfterMs", RETRY_MS, 10, NONE, 0, 0)          \
    X("retryDelay", RETRY_DELAY, 10, NONE, 0, 0)         \
    /* field details */                                  \
    X("details", DETAILS, 10, NONE, 0, 0)                \
    X("invalid-params", DETAILS, 11, NONE, 0, 0)         \
    X("invalid_params", DETAILS, 11, NONE, 0, 0)         \
    X("invalidParams", DETAILS, 11, NONE, 0, 0)          \
    X("causes", DETAILS, 12, NONE, 0, 0)                 \
    X("errorCauses", DETAILS, 12, NONE, 0, 0)            \
    X("fieldErrors", DETAILS, 13, NONE, 0, 0)            \
    X("field_errors", DETAILS, 13, NONE, 0, 0)           \
    X("fieldViolations", DETAILS, 13, NONE, 0, 0)        \
    X("fieldList", DETAILS, 13, NONE, 0, 0)              \
    X("violations", DETAILS, 13, NONE, 0, 0)             \
    X("validation_errors", DETAILS, 14, NONE, 0, 0)      \
    X("validationErrors", DETAILS, 14, NONE, 0, 0)       \
    X("issues", DETAILS, 15, NONE, 0, 0)                 \
    X("_errors", DETAILS, 16, NONE, 0, 0)                \
    X("messages", DETAILS, 17, DMESSAGE, 15, 0)          \
    X("params", DETAILS, 18, NONE, 0, 0)                 \
    X("fields", DETAILS, 19, FIELD, 3, 0)                \
    X("field", NONE, 0, FIELD, 1, 0)                     \
    X("fieldName", NONE, 0, FIELD, 2, 0)                 \
    X("fieldPath", NONE, 0, FIELD, 2, 0)                 \
    X("field_name", NONE, 0, FIELD, 2, 0)                \
    X("parameterName", NONE, 0, FIELD, 2, 0)             \
    X("argument_name", NONE, 0, FIELD, 3, 0)             \
    X("propertyPath", NONE, 0, FIELD, 3, 0)              \
    X("property", NONE, 0, FIELD, 3, 0)                  \
    X("param", NONE, 0, FIELD, 4, 0)                     \
    X("param_name", NONE, 0, FIELD, 4, 0)                \
    X("paramName", NONE, 0, FIELD, 4, 0)                 \
    X("parameter", NONE, 0, FIELD, 4, 0)                 \
    X("pointer", NONE, 0, FIELD, 4, 0)                   \
    X("attribute", NONE, 0, FIELD, 6, 0)                 \
    X("target", NONE, 0, FIELD, 7, 0)                    \
    X("loc", NONE, 0, FIELD, 8, 0)                       \
    X("location", NONE, 0, FIELD, 9, 0)                  \
    X("attr", NONE, 0, FIELD, 5, 0)                      \
    X("in", NONE, 0, FIELD, 10, 0)                       \
    X("source", NONE, 0, SOURCE, 1, 0)

typedef struct apierr__member {
    const char *name;
    unsigned char len;
    unsigned char role, rank;   /* in an error object */
    unsigned char drole, drank; /* in a detail */
    unsigned char env;          /* as an envelope; 0: never */
} apierr__member;

/* The row of a member name (a JSON name, an XML local name): the row
 * spelled exactly so, else the first equal but for ASCII case (.NET's
 * "TraceId", Xero's "Message", <MoreInfo>). NULL when the table has no
 * such name. */
const apierr__member *apierr__member_find(const char *name, size_t len);

/* The roles that fill one string member of the problem each, in the order
 * they are taken (the first sets the type: TYPE before DOC). */
typedef struct apierr__role_field {
    apierr__role role;
    apierr_problem_field field;
} apierr__role_field;
extern const apierr__role_field apierr__role_fields[];
extern const size_t apierr__nrole_fields;

#endif
