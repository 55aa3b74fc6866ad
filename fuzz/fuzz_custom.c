/* Fuzz target: a profile's custom dialect. The input up to the first
 * newline is a profile document, read by apierr_custom_dialect_from_json();
 * when it declares a custom dialect, the rest is decoded with its paths. */
#include "apierr.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data;
    const char *nl = memchr(s, '\n', size);
    size_t plen = nl ? (size_t)(nl - s) : size;
    apierr_custom_dialect c = APIERR_CUSTOM_DIALECT_INIT;
    char err[128];
    if (apierr_custom_dialect_from_json(&c, s, plen, err, sizeof err) != APIERR_OK) return 0;
    apierr_decode_opts o = APIERR_DECODE_OPTS_INIT;
    o.custom = &c;
    o.status = 422;
    const char *body = nl ? nl + 1 : "";
    size_t blen = nl ? size - plen - 1 : 0;
    apierr_problem *p;
    if (apierr_problem_decode(&p, body, blen, &o) != APIERR_OK) return 0;
    if (!apierr_problem_text(p)) abort();
    apierr_problem_free(p);
    return 0;
}
