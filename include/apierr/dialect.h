/*
 * apierr/dialect.h - wire shapes of error bodies.
 *
 * The first six can be encoded and decoded; the rest are shapes that real
 * APIs send and that apierr only reads. `auto` asks the decoder to detect.
 */
#ifndef APIERR_DIALECT_H
#define APIERR_DIALECT_H

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Columns: enum suffix, stable name, can encode, description. Append-only. */
#define APIERR_DIALECT_MAP(X)                                                                 \
    X(AUTO, "auto", 0, "detect the shape from the body")                                      \
    X(PROBLEM, "problem", 1, "RFC 9457 problem details (application/problem+json)")           \
    X(FIELDMAP, "fieldmap", 1, "{message, errors:{field:[...]}} (GipoNext, Laravel)")         \
    X(FLAT, "flat", 1, "{error, message, statusCode, details:[{field,message}]} (GoTab)")     \
    X(NESTED, "nested", 1, "{error:{code, message, details:[{field,message}]}}")              \
    X(GESTIX, "gestix", 1, "{code, message, timestamp, path, request_id} (Gestix)")           \
    X(GRAPHQL, "graphql", 1, "{errors:[{message, path, extensions:{code}}]}")                 \
    X(OAUTH, "oauth", 1, "{error, error_description} (RFC 6749)")                             \
    X(GOOGLE, "google", 0, "Google AIP-193 {error:{code,status,message,details}}")            \
    X(STRIPE, "stripe", 0, "{error:{type, code, message, param}} (Stripe, OpenAI)")           \
    X(GITHUB, "github", 0, "{message, errors:[{resource,field,code}]} (GitHub)")              \
    X(JSONAPI, "jsonapi", 0, "JSON:API {errors:[{status,code,title,detail,source}]}")         \
    X(FASTAPI, "fastapi", 0, "FastAPI/Pydantic {detail:[{loc,msg,type}]}")                    \
    X(DRF, "drf", 0, "Django REST framework {field:[...]} or {detail}")                       \
    X(SPRING, "spring", 0, "Spring Boot {timestamp,status,error,path}")                       \
    X(ASPNET, "aspnet", 0, "ASP.NET ValidationProblemDetails {title,status,errors:{f:[..]}}") \
    X(AZURE, "azure", 0, "Microsoft/Azure {error:{code,message,target,details}}")             \
    X(AWS_JSON, "aws_json", 0, "AWS JSON protocols {__type, message}")                        \
    X(AWS_XML, "aws_xml", 0, "AWS XML <Error><Code>..</Code><Message>..</Message>")           \
    X(SLACK, "slack", 0, "Slack {ok:false, error}")                                           \
    X(TWILIO, "twilio", 0, "Twilio {code, message, more_info, status}")                       \
    X(TEXT, "text", 0, "plain text")                                                          \
    X(HTML, "html", 0, "an HTML error page (proxies, load balancers)")                        \
    X(UNKNOWN, "unknown", 0, "a body no rule recognizes")                                     \
    X(GENERAL, "general", 0, "any other shape, read by the general rules of member names")    \
    X(CUSTOM, "custom", 0, "a profile's custom dialect: JSON paths to code, message, details")

typedef enum apierr_dialect {
#define APIERR__DIALECT_ENUM(id, name, enc, doc) APIERR_DIALECT_##id,
    APIERR_DIALECT_MAP(APIERR__DIALECT_ENUM)
#undef APIERR__DIALECT_ENUM
        APIERR_DIALECT__COUNT
} apierr_dialect;

/* Stable name ("fieldmap"), or NULL when out of range. */
APIERR_EXTERN const char *apierr_dialect_name(apierr_dialect d);
/* One-line description, or NULL when out of range. */
APIERR_EXTERN const char *apierr_dialect_doc(apierr_dialect d);
/* The dialect with that name (matched exactly, like every stable name: see
 * category.h); APIERR_ENOTFOUND if none. */
APIERR_EXTERN int apierr_dialect_from_name(apierr_dialect *out, const char *name);
/* 1 when apierr can write bodies in this dialect. */
APIERR_EXTERN int apierr_dialect_can_encode(apierr_dialect d);
/* Media type of bodies written in d: "application/problem+json" for
 * problem, "application/json" for the others. */
APIERR_EXTERN const char *apierr_dialect_content_type(apierr_dialect d);

#ifdef __cplusplus
}
#endif
#endif
