/* Fuzz target: the Accept header parser of the reply builder (RFC 9110
 * 12.5.1 media ranges, parameters, quoted strings, qvalues). The first byte
 * picks the configured dialect and the media type asked about; the rest is
 * the header value. */
#include "apierr-server.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static const char *const media_types[] = {
    "application/problem+json", "application/json", "text/html", "application/xml", "x/y",
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0) return 0;
    apierr_dialect configured = (apierr_dialect)(data[0] % APIERR_DIALECT__COUNT);
    const char *type = media_types[(data[0] >> 4) % (sizeof media_types / sizeof *media_types)];
    char *accept = malloc(size); /* the header value, NUL-terminated */
    if (!accept) return 0;
    memcpy(accept, data + 1, size - 1);
    accept[size - 1] = '\0';

    int q = apierr_accept_quality(accept, type);
    if (q < 0 || q > 1000) abort();
    if (apierr_accept_quality(accept, type) != q) abort(); /* no hidden state */
    /* A value with nothing but whitespace means "anything". */
    if (accept[strspn(accept, " \t")] == '\0' && q != 1000) abort();

    /* The reply is the configured dialect or RFC 9457 problem, never
     * something else, and problem only when it is asked for or the
     * configured dialect cannot be written. */
    apierr_dialect d = apierr_reply_dialect(configured, accept);
    int writable = configured != APIERR_DIALECT_AUTO && apierr_dialect_can_encode(configured);
    if (d != configured && d != APIERR_DIALECT_PROBLEM) abort();
    if (!writable && d != APIERR_DIALECT_PROBLEM) abort();
    if (writable && d == APIERR_DIALECT_PROBLEM && configured != APIERR_DIALECT_PROBLEM &&
        apierr_accept_quality(accept, "application/problem+json") == 0)
        abort();
    if (apierr_reply_dialect(configured, NULL) != (writable ? configured : APIERR_DIALECT_PROBLEM))
        abort();
    free(accept);
    return 0;
}
