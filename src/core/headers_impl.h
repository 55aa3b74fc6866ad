/*
 * Lexing helpers shared by the header parsers (internal): header values are
 * untrusted bytes with an explicit length, never NUL-terminated at len.
 */
#ifndef APIERR_CORE_HEADERS_IMPL_H
#define APIERR_CORE_HEADERS_IMPL_H

#include "apierr/headers.h"

/* Narrows [*s, *s + *n) to drop leading and trailing SP, HTAB, CR and LF
 * (OWS, plus the line ending a raw header line may still carry). */
void apierr__trim_ows(const char **s, size_t *n);

/* The index of the next header named name (case-insensitive) at or after
 * *i, advancing *i past it; -1 when there is none. Lets a parser read every
 * line of a field that was sent more than once. */
long apierr__header_next(const apierr_header *headers, size_t n, const char *name, size_t *i);

/*
 * Reads `1*DIGIT [ "." 1*DIGIT ]` (exactly s[0..n), nothing else) as a count
 * of units of unit_ms milliseconds; a fraction is allowed only when
 * allow_frac, and a part finer than a millisecond rounds up, so a client
 * never waits less than it was told. Returns APIERR_OK, APIERR_EPARSE, or
 * APIERR_ERANGE when the result does not fit in a long long.
 */
int apierr__decimal_ms(long long *out_ms, const char *s, size_t n, long long unit_ms,
                       int allow_frac);

#endif
