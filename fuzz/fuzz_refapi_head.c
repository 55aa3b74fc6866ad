/* Fuzz target: the reference API's strict reader of request heads (gate.c
 * peeks them before libmicrohttpd): request line, fields, framing rules.
 * The first byte splits the limits; the rest is the bytes on the wire. */
#include "head.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0) return 0;
    size_t max_line = 16 + (size_t)(data[0] & 0x0f) * 64, max_head = max_line * 4;
    static refapi_head h;
    refapi_head_error e;
    int rc = refapi_head_parse((const char *)data + 1, size - 1, max_line, max_head, &h, &e);
    if (rc < -1 || rc > 1) abort();
    if (rc == -1 && ((e.status < 400 || e.status > 499) && e.status != 505)) abort();
    if (rc == -1 && (!e.code || !e.message)) abort();
    if (rc == 1) {
        /* A head accepted is within its bytes and its limit, and frames its
         * body one way only. */
        if (h.len == 0 || h.len > size - 1 || h.len > max_head) abort();
        if (h.framing.ncl && h.framing.te) abort();
        if (h.framing.http11 && h.framing.nhost != 1) abort();
        for (size_t i = 0; i < h.nfields; i++) {
            const refapi_head_field *f = &h.fields[i];
            if (f->name < (const char *)data || f->value + f->vlen > (const char *)data + size)
                abort();
        }
        char buf[64];
        refapi_head_value(&h, "Host", buf, sizeof buf);
    }
    /* The same bytes, the same verdict: no hidden state. */
    static refapi_head h2;
    refapi_head_error e2;
    if (refapi_head_parse((const char *)data + 1, size - 1, max_line, max_head, &h2, &e2) != rc)
        abort();
    return 0;
}
