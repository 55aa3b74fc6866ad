/*
 * Fuzz target: rate-limit headers. The input is split at newlines into up
 * to 8 header lines; each line's first byte picks the header name ('0' is
 * RateLimit, '1' RateLimit-Policy, ...), the rest is its value. The whole
 * input is also read as one RateLimit and one RateLimit-Policy value (not
 * NUL-terminated).
 */
#include "apierr.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define MAX_LINES 8

static const char *const names[] = {
    "RateLimit",          "RateLimit-Policy",  "RateLimit-Limit",       "RateLimit-Remaining",
    "RateLimit-Reset",    "X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset",
    "x-rate-limit-reset", "Retry-After",
};

static void check(const apierr_ratelimit *rl)
{
    /* Every member is "not stated" (-1) or a real amount. */
    if (rl->limit < -1 || rl->remaining < -1 || rl->reset_ms < -1 || rl->window_ms < -1) abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apierr_ratelimit rl = APIERR_RATELIMIT_INIT;
    if (apierr_ratelimit_field_parse(&rl, (const char *)data, size) == APIERR_OK) check(&rl);
    if (apierr_ratelimit_policy_parse(&rl, (const char *)data, size) == APIERR_OK) check(&rl);

    char *copy = malloc(size + 1);
    if (!copy) return 0;
    memcpy(copy, data, size);
    copy[size] = '\0';
    apierr_header h[MAX_LINES];
    size_t n = 0;
    for (char *line = copy; line && n < MAX_LINES;) {
        char *nl = strchr(line, '\n');
        if (nl) *nl = '\0';
        if (*line) {
            h[n].name = names[(unsigned)(*line - '0') % (sizeof names / sizeof names[0])];
            h[n].value = line + 1;
            n++;
        }
        line = nl ? nl + 1 : NULL;
    }
    static const long long clocks[] = {0, 1700000000000LL};
    for (size_t c = 0; c < 2; c++) {
        int rc = apierr_ratelimit_parse(&rl, h, n, clocks[c]);
        if (rc != APIERR_OK && rc != APIERR_ENOTFOUND) abort();
        check(&rl);
    }
    free(copy);
    return 0;
}
