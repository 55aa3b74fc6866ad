/* Fuzz target: the clients file and APIERR_SERVE_CLIENTS (config.c). The
 * first byte picks the separator rule; the rest is the text. A refusal
 * never echoes a secret. */
#include "refapi.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0) return 0;
    static refapi_config cfg;
    refapi_config_init(&cfg);
    char *text = malloc(size);
    if (!text) return 0;
    memcpy(text, data + 1, size - 1);
    text[size - 1] = '\0';
    char err[512];
    int rc = refapi_parse_clients(&cfg, text, data[0] & 1, err, sizeof err);
    if (rc != 0 && rc != -1) abort();
    if (cfg.nclients > REFAPI_CLIENTS) abort();
    for (size_t i = 0; i < cfg.nclients; i++) {
        const refapi_client *c = &cfg.clients[i];
        if (!c->id[0] || !c->secret[0] || !c->tenant[0] || !c->scopes[0]) abort();
    }
    /* A refused line is named by its id only: nothing after its first ':'
     * (the secret) is quoted. (Checking for another line's secret in the
     * message is no test: ids may equal secrets.) */
    static const char prefix[] = "bad client line '";
    if (rc != 0 && strncmp(err, prefix, sizeof prefix - 1) == 0) {
        const char *q = err + sizeof prefix - 1, *end = strstr(q, ":...'");
        if (!end || memchr(q, ':', (size_t)(end - q))) abort();
    }
    free(text);
    return 0;
}
