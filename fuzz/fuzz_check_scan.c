/* Fuzz target: the scanners `apierr check` runs over response headers and
 * bodies (src/cli/check_scan.c: comma lists, method lists, WWW-Authenticate
 * parameters, signs of leaked internals, quoting for the report). The CLI is
 * no library, so its one file of parsers is compiled in here. The first
 * byte picks the name looked for and the size of the output buffers; the
 * rest is the untrusted value, not NUL-terminated. */
#include "../src/cli/check_scan.c"

#include <stdint.h>
#include <stdlib.h>

static const char *const names[] = {"error", "realm", "no-store", "Accept", "TRACE", "*", ""};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0) return 0;
    const char *name = names[data[0] % (sizeof names / sizeof *names)];
    size_t cap = 8 + (size_t)(data[0] >> 3);
    /* A copy of exactly the value's length, so that ASan sees any read past it. */
    size_t len = size - 1;
    char *v = malloc(len ? len : 1);
    if (!v) return 0;
    memcpy(v, data + 1, len);

    int has = check_list_has(v, len, name);
    if (has != 0 && has != 1) abort();
    int valid = check_token_list_valid(v, len);
    if (valid != 0 && valid != 1) abort();
    /* A number is digits and blanks only (v is not NUL-terminated). */
    int num = check_is_uint(v, len);
    for (size_t i = 0; num && i < len; i++)
        if (!strchr("0123456789 \t", v[i]) || !v[i]) abort();

    char *out = malloc(cap);
    if (!out) abort();
    int found = check_challenge_param(v, len, name, out, cap);
    if ((found != 0 && found != 1) || strlen(out) >= cap || (!found && out[0])) abort();

    check_leak leak;
    if (check_leak_find(&leak, v, len) && (!leak.kind || !find(v, len, leak.needle))) abort();

    size_t n = check_quote(out, cap, v, len);
    if (n != strlen(out) || n >= cap) abort();
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)out[i] < 0x20 || (unsigned char)out[i] >= 0x7f) abort();
    free(out);
    free(v);
    return 0;
}
