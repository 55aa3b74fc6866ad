/* Fuzz target: the reference API's reader of message boundaries (tap.c
 * runs it on every byte libmicrohttpd reads): heads, Content-Length and
 * chunked bodies, the next head. The first byte sets the limits, the second
 * the size of the reads; the rest is the bytes on the wire. Oracle: the
 * reads' sizes change nothing, neither where a refusal falls, nor its
 * status, nor how many heads were passed before it. */
#include "framer.h"

#include <stdint.h>
#include <stdlib.h>

typedef struct outcome {
    size_t passed; /* bytes before the refusal, all when none */
    int status;    /* of the refusal, 0 when none */
    int in_request;
    unsigned long heads;
} outcome;

static outcome run(const char *p, size_t n, size_t max_line, size_t step)
{
    refapi_framer f;
    refapi_framer_init(&f, max_line, max_line * 4);
    outcome o = {0, 0, 0, 0};
    for (size_t at = 0; at < n && !f.refused;) {
        size_t len = n - at < step ? n - at : step;
        refapi_framer_verdict v;
        size_t ok = refapi_framer_feed(&f, p + at, len, &v);
        if (ok > len) abort();
        o.passed += ok;
        if (f.refused) {
            if (v.why.status < 400 || v.why.status > 599 || !v.why.code || !v.why.message) abort();
            o.status = v.why.status;
            o.in_request = v.in_request;
        } else if (ok != len)
            abort();
        at += len;
    }
    o.heads = f.heads;
    refapi_framer_free(&f);
    return o;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2) return 0;
    size_t max_line = 16 + (size_t)(data[0] & 0x0f) * 64, step = 1 + data[1];
    const char *p = (const char *)data + 2;
    size_t n = size - 2;
    outcome whole = run(p, n, max_line, n ? n : 1), split = run(p, n, max_line, step);
    if (whole.status != split.status || whole.heads != split.heads) abort();
    /* Where a refusal falls: at the bad byte of a chunked body, whatever
     * the reads; at the start of a refused head when it came in one read,
     * and no more than a head's bytes later when it came in several (the
     * bytes of an unfinished head pass: they are not known bad yet). */
    if (whole.in_request != split.in_request) abort();
    if (whole.status && whole.in_request && whole.passed != split.passed) abort();
    if (whole.status &&
        (split.passed < whole.passed || split.passed > whole.passed + max_line * 4 + 1))
        abort();
    return 0;
}
