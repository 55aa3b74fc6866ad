/* Fuzz target: apierr_duration_parse() on any bytes. */
#include "apierr.h"

#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    long long ms = -1;
    int rc = apierr_duration_parse(&ms, (const char *)data, size);
    if (rc == APIERR_OK && ms < 0) abort();
    if (rc != APIERR_OK && rc != APIERR_EPARSE && rc != APIERR_ERANGE) abort();
    return 0;
}
