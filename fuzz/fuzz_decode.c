/* Fuzz target: apierr_problem_decode() on any bytes, with every dialect
 * forced in turn by the first byte, then the result re-encoded. */
#include "apierr.h"

#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apierr_decode_opts o = APIERR_DECODE_OPTS_INIT;
    if (size) {
        o.dialect = (apierr_dialect)(data[0] % APIERR_DIALECT__COUNT);
        /* custom: paths into the shapes the general rules know */
        static const apierr_custom_dialect paths = {APIERR_CUSTOM_DIALECT_VERSION,
                                                    "error.code",
                                                    "$.errors[0].message",
                                                    "meta.request_id",
                                                    "retry_after",
                                                    "errors",
                                                    "source.pointer",
                                                    "detail",
                                                    "code"};
        if (o.dialect == APIERR_DIALECT_CUSTOM) o.custom = &paths;
        o.status = 400 + data[0] % 200;
        data++, size--;
    }
    apierr_problem *p;
    if (apierr_problem_decode(&p, (const char *)data, size, &o) != APIERR_OK) return 0;
    const char *text = apierr_problem_text(p);
    if (!text || !*text) abort();                  /* the contract: a line to print, always */
    if (o.status && !p->effective_status) abort(); /* and a status to act on */
    for (unsigned d = 0; d < APIERR_DIALECT__COUNT; d++) {
        char *out;
        if (apierr_problem_encode(&out, NULL, p, (apierr_dialect)d) == APIERR_OK) apierr_free(out);
    }
    apierr_problem_free(p);
    return 0;
}
