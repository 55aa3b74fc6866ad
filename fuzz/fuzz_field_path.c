/*
 * Fuzz target: apierr_field_path_normalize() with caps from 0 to roomy. The
 * contract is snprintf's: the return value is the full length whatever the
 * cap, and the buffer holds its NUL-terminated prefix.
 */
#include "apierr.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = (const char *)data;
    /* A normalized path is never longer than its source. */
    size_t full_cap = size + 1;
    char *full = malloc(full_cap);
    if (!full) return 0;
    size_t n = apierr_field_path_normalize(full, full_cap, path, size);
    if (n > size || full[n] != '\0') abort();
    if (apierr_field_path_normalize(NULL, 0, path, size) != n) abort();

    static const size_t caps[] = {1, 2, 3, 8, 64};
    for (size_t k = 0; k < sizeof caps / sizeof caps[0]; k++) {
        size_t cap = caps[k];
        /* Exact-size buffers: ASan catches any write past cap. */
        char *small = malloc(cap);
        if (!small) break;
        if (apierr_field_path_normalize(small, cap, path, size) != n) abort();
        size_t kept = n < cap ? n : cap - 1;
        if (small[kept] != '\0' || memcmp(small, full, kept) != 0) abort();
        free(small);
    }
    free(full);
    return 0;
}
