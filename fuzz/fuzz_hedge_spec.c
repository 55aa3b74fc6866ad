/* Fuzz target: apierr_hedge_spec_parse() on any bytes (the --hedge value). */
#include "apierr.h"

#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apierr_hedge_opts o = APIERR_HEDGE_OPTS_INIT;
    int rc = apierr_hedge_spec_parse(&o, (const char *)data, size);
    if (rc == APIERR_OK && (o.delay_ms < 0 || o.delay_ms > APIERR_HEDGE_DELAY_MAX_MS ||
                            o.max_hedges < 1 || o.max_hedges > APIERR_HEDGE_MAX_HEDGES))
        abort();
    if (rc != APIERR_OK && rc != APIERR_EPARSE && rc != APIERR_ERANGE) abort();
    return 0;
}
