/* Fuzz target: Retry-After and HTTP-date parsing, with a format/parse round
 * trip for every date that reads. */
#include "apierr.h"

#include <stdint.h>
#include <stdlib.h>

#define NOW 1700000000000LL /* a fixed clock: runs must be reproducible */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data;
    long long ms = -1;
    int rc = apierr_retry_after_parse(&ms, s, size, NOW);
    if (rc == APIERR_OK && ms < 0) abort(); /* a delay is never negative */
    rc = apierr_retry_after_parse(&ms, s, size, 0);
    if (rc == APIERR_OK && ms < 0) abort();

    if (apierr_http_date_parse(&ms, s, size) != APIERR_OK) return 0;
    char buf[30];
    if (apierr_http_date_format(buf, ms) != 29 || buf[29] != '\0') abort();
    /* Within 1970..9999 a formatted date reads back as the same second. */
    long long back;
    if (ms >= 0 && ms <= 253402300799000LL &&
        (apierr_http_date_parse(&back, buf, 29) != APIERR_OK || back != ms / 1000 * 1000))
        abort();
    return 0;
}
