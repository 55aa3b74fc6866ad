/*
 * precond.h - the preconditions of RFC 9110 13.1 on an invoice, whose
 * entity tag is its version as a strong tag ("3"): If-Match with the
 * strong comparison (W/"3" never matches), lists and "*"; If-None-Match
 * with the weak one. Pure functions of the header's untrusted text, so
 * that a fuzz target reaches them.
 */
#ifndef APIERR_REFAPI_PRECOND_H
#define APIERR_REFAPI_PRECOND_H

/* 1 when the If-Match value lets a write to an invoice at version go on
 * ("*", or a strong tag of that version among the list); 0 otherwise,
 * malformed values included (they match no representation). */
int refapi_if_match(const char *value, long long version);

/* 1 when the If-None-Match value matches the invoice at version ("*", or
 * its tag, weak or not): a GET then answers 304. */
int refapi_if_none_match(const char *value, long long version);

#endif
