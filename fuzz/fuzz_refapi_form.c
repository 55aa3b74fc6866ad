/* Fuzz target: what the token endpoint decodes itself (form.c): form
 * bodies, the base64 of HTTP Basic, and query numbers (limit, cursor).
 * The first byte picks the parser; the rest is the untrusted text. */
#include "form.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0) return 0;
    const char *body = (const char *)data + 1;
    size_t len = size - 1;
    char *text = malloc(len + 1);
    if (!text) return 0;
    memcpy(text, body, len);
    text[len] = '\0';
    switch (data[0] % 3) {
    case 0: {
        json_t *j = refapi_form_parse(body, len);
        if (j && !json_is_object(j)) abort();
        if (j && memchr(body, '\0', len)) abort(); /* a NUL is refused */
        json_decref(j);
        break;
    }
    case 1: {
        char out[512];
        if (refapi_base64_decode(out, sizeof out, text) == 0 && strlen(out) >= sizeof out) abort();
        break;
    }
    default: {
        long long n = -7;
        if (refapi_query_number(text, 0, 1LL << 53, &n) == 0 && (n < 0 || n > (1LL << 53))) abort();
        break;
    }
    }
    free(text);
    return 0;
}
