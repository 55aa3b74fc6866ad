/*
 * Fuzz target: the trace's redaction of what the server and the caller
 * send (src/client/trace.c). The input's first byte picks the kind (a
 * head received, a head sent, libcurl's text); the rest is the block,
 * given without a NUL after it. Every byte that reaches the trace
 * function is read (ASan sees a read past what was given), with a client
 * that has a secret name of its own.
 */
#include "../src/client/engine.h"
#include "apierr-client.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static void on_trace(void *payload, apierr_trace_kind kind, const char *data, size_t len)
{
    (void)payload, (void)kind;
    /* Touch every byte: ASan sees a read past the block given. */
    volatile char sum = 0;
    for (size_t i = 0; i < len; i++) sum ^= data[i];
    (void)sum;
}

static apierr_client *client(void)
{
    static apierr_client *c;
    if (!c) {
        static const char *const names[] = {"X-Custom"};
        apierr_client_opts o = APIERR_CLIENT_OPTS_INIT;
        o.trace = on_trace;
        o.secret_names = names;
        o.nsecret_names = 1;
        if (apierr_client_new(&c, &o) != APIERR_OK) abort();
    }
    return c;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    static const curl_infotype kinds[] = {CURLINFO_HEADER_IN, CURLINFO_HEADER_OUT, CURLINFO_TEXT};
    curl_infotype kind = kinds[data[0] % 3];
    char *block = malloc(size - 1 ? size - 1 : 1); /* exactly the block: no NUL after it */
    if (!block) return 0;
    memcpy(block, data + 1, size - 1);
    apierr__trace_cb(NULL, kind, block, size - 1, client());
    free(block);
    return 0;
}
