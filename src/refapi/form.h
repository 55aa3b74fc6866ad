/*
 * form.h - form bodies and HTTP Basic's base64, as the token endpoint reads
 * them, and the numbers of query strings (limit, cursor) (form.c).
 */
#ifndef APIERR_REFAPI_FORM_H
#define APIERR_REFAPI_FORM_H

#include <jansson.h>
#include <stddef.h>

/* Decodes %XX and '+' of a form value in place. */
void refapi_form_decode(char *s);

/* Decodes standard base64 into out (cap bytes, NUL-terminated); -1 when
 * it is not base64, does not fit, or holds a NUL. */
int refapi_base64_decode(char *out, size_t cap, const char *in);

/* The pairs of a form body (body[0..len), not NUL-terminated) as a JSON
 * object of strings, the last of a repeated name winning; NULL when the
 * body holds a NUL, a value is not UTF-8, or on out-of-memory. */
json_t *refapi_form_parse(const char *body, size_t len);

/* A query parameter that is a whole number (limit, or a paging cursor: an
 * invoice id) in min..max into *out: 0, or -1 when it is not one. */
int refapi_query_number(const char *s, long long min, long long max, long long *out);

#endif
