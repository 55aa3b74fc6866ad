/*
 * The general structural decoder (internal): decode_general.c reads JSON,
 * decode_xml.c XML envelopes, both by the rules of member_table.h.
 */
#ifndef APIERR_CORE_GENERAL_H
#define APIERR_CORE_GENERAL_H

#include "dialect_impl.h"

/* Reads any body by the general rules: JSON, else XML. APIERR_OK or
 * ENOMEM. The ops of the general and unknown dialects. */
int apierr__general_decode(apierr_problem *p, const apierr__body *b);
/* Reads any JSON error body by the general rules. APIERR_OK or ENOMEM. */
int apierr__general_decode_json(apierr_problem *p, const apierr__body *b);
/* Reads an XML error body (SOAP Fault, Twilio's RestException, <error>
 * envelopes) by the same table. APIERR_OK or ENOMEM. */
int apierr__general_decode_xml(apierr_problem *p, const apierr__body *b);
/* The values the general fill took for the code, the message or the type
 * (at most APIERR__NTOOK): a top-level member among them says what the
 * error is, so it is no extension (Knox's data, taken as the message). */
#define APIERR__NTOOK 4 /* the message said again, code, message, type */
typedef struct apierr__took {
    const json_t *v[APIERR__NTOOK];
    size_t n;
} apierr__took;
/* After a named dialect decoded b: adds what the general rules find
 * (code, message, type, details, request id, retry hint) where the dialect
 * found none; records in took the values taken for the first three. */
int apierr__general_fill(apierr_problem *p, const apierr__body *b, apierr__took *took);

/* 1 for a message that is an identifier, not words (RESOURCE_INVALID_PARAM,
 * invalid_request). */
int apierr__is_identifier(const char *s);
/* The length of the identifier a message is, or begins with before " : "
 * or ": " (Firebase's "WEAK_PASSWORD : Password should be .."); 0 when
 * none. */
size_t apierr__identifier_lead(const char *msg);
/* The member of obj that the table names a code (error_code, errorCode,
 * error_type: ranked before `type`), when its value is a token; or NULL. */
const json_t *apierr__code_member(const json_t *obj);
/* The field an error item names by a member of the table (field, attr,
 * param, ...: the best-ranked string), or NULL. */
const char *apierr__field_member(const json_t *item);
/* One detail from an object of a list of failures, its field under prefix
 * (may be NULL). APIERR_OK or ENOMEM. */
int apierr__detail_from_object(apierr_problem *p, const json_t *item, const char *prefix);
/* A detail from each object of list, as above: the seeds' {field, message,
 * code} and the names others give them ({field, issue, description},
 * {target, reason}). APIERR_OK or ENOMEM. */
int apierr__details_general(apierr_problem *p, const json_t *list);
/* Details from a field map ({field: [msgs] | "msg" | {nested}}); strict
 * takes a lone string only when it is a sentence. APIERR_OK or ENOMEM. */
int apierr__add_field_tree(apierr_problem *p, const json_t *map, int strict);

#endif
