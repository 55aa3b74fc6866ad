/*
 * A growable byte buffer with a sticky out-of-memory flag (internal).
 *
 * Appends after a failed allocation are no-ops, so a writer can emit a whole
 * document and check b->oom once at the end. data is always NUL-terminated
 * when not NULL.
 */
#ifndef APIERR_CORE_BUF_H
#define APIERR_CORE_BUF_H

#include "alloc.h"

#include <stddef.h>

typedef struct apierr__buf {
    char *data;
    size_t len;
    size_t cap;
    int oom;
} apierr__buf;

#define APIERR__BUF_INIT \
    {                    \
        NULL, 0, 0, 0    \
    }

/* Makes room for n more bytes; 0 on success, -1 (and oom set) on failure. */
APIERR__PRIVATE_EXPORT int apierr__buf_reserve(apierr__buf *b, size_t n);
APIERR__PRIVATE_EXPORT void apierr__buf_append(apierr__buf *b, const char *s, size_t n);
APIERR__PRIVATE_EXPORT void apierr__buf_puts(apierr__buf *b, const char *s);
APIERR__PRIVATE_EXPORT void apierr__buf_putc(apierr__buf *b, char c);
APIERR__PRIVATE_EXPORT void apierr__buf_printf(apierr__buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Appends a decimal integer. */
APIERR__PRIVATE_EXPORT void apierr__buf_int(apierr__buf *b, long long v);
/* Appends s as a JSON string literal, quotes included; NULL gives `null`.
 * Invalid UTF-8 bytes become U+FFFD so the output is always valid JSON. */
APIERR__PRIVATE_EXPORT void apierr__buf_json_str(apierr__buf *b, const char *s);
APIERR__PRIVATE_EXPORT void apierr__buf_json_strn(apierr__buf *b, const char *s, size_t n);
/* Copies src into dst[cap] (cap > 0), cut to fit; NULL gives "". What
 * snprintf(dst, cap, "%s", src) does, without the format machinery (the
 * client copies reasons and ids on every attempt). */
APIERR__PRIVATE_EXPORT void apierr__copy_text(char *dst, size_t cap, const char *src);
/* Hands the data to the caller (NULL on oom, buffer freed) and resets b. */
APIERR__PRIVATE_EXPORT char *apierr__buf_take(apierr__buf *b, size_t *len);
APIERR__PRIVATE_EXPORT void apierr__buf_free(apierr__buf *b);

#endif
