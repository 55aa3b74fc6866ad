/* precond.c - If-Match and If-None-Match lists (see precond.h). */
#include "precond.h"

#include <stdio.h>
#include <string.h>

/* Walks a list of entity tags: 1 when one matches version ("*" matches
 * any), with weak tags matching only when weak_ok. Stops at the first
 * malformed member: what follows it cannot be read reliably. */
static int list_matches(const char *v, long long version, int weak_ok)
{
    char want[32];
    int wn = snprintf(want, sizeof want, "%lld", version);
    const char *p = v;
    for (;;) {
        while (*p == ' ' || *p == '\t' || *p == ',') p++;
        if (!*p) return 0;
        if (*p == '*') {
            p++;
            return 1;
        }
        int weak = 0;
        if (p[0] == 'W' && p[1] == '/') {
            weak = 1;
            p += 2;
        }
        if (*p != '"') return 0;
        const char *q = strchr(p + 1, '"');
        if (!q) return 0;
        /* etagc: %x21 / %x23-7E / obs-text; no spaces, no quotes inside. */
        for (const char *c = p + 1; c < q; c++) {
            if ((unsigned char)*c < 0x21 || *c == 0x7f) return 0;
        }
        if ((!weak || weak_ok) && q - (p + 1) == wn && memcmp(p + 1, want, (size_t)wn) == 0)
            return 1;
        p = q + 1;
        while (*p == ' ' || *p == '\t') p++;
        if (*p && *p != ',') return 0;
    }
}

int refapi_if_match(const char *value, long long version)
{
    return list_matches(value, version, 0);
}

int refapi_if_none_match(const char *value, long long version)
{
    return list_matches(value, version, 1);
}
