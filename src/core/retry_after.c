/* STUB: Retry-After and HTTP-date parsing, to be implemented. */
#include "apierr/headers.h"

int apierr_retry_after_parse(long long *out_ms, const char *value, size_t len, long long now_ms)
{
    (void)out_ms, (void)value, (void)len, (void)now_ms;
    return APIERR_EPARSE;
}
