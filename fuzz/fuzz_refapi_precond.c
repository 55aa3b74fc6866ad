/* Fuzz target: If-Match and If-None-Match lists (precond.c). The first
 * byte is the version compared against; the rest is the header value. */
#include "precond.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0) return 0;
    long long version = data[0];
    char *v = malloc(size);
    if (!v) return 0;
    memcpy(v, data + 1, size - 1);
    v[size - 1] = '\0';
    int m = refapi_if_match(v, version), n = refapi_if_none_match(v, version);
    if ((m != 0 && m != 1) || (n != 0 && n != 1)) abort();
    /* The strong comparison is the stricter: a strong match is a weak one. */
    if (m && !n) abort();
    free(v);
    /* The version's own tag always matches, alone or after other tags. */
    char tag[64];
    snprintf(tag, sizeof tag, "W/\"x\", \"%lld\"", version);
    if (!refapi_if_match(tag, version) || refapi_if_match("W/\"1\"", 1)) abort();
    return 0;
}
