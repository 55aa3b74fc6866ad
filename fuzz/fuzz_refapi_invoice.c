/* Fuzz target: the invoice body's validation (invoice_check.c) on any JSON
 * a client can send: every failure is a field path, a success a document. */
#include "invoice_check.h"

#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_t *body = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, NULL);
    if (!body) return 0;
    apierr_validation_opts o = APIERR_VALIDATION_OPTS_INIT;
    apierr_validation *v = NULL;
    if (apierr_validation_new(&v, &o) != APIERR_OK) abort();
    json_t *doc = refapi_invoice_check(v, body);
    size_t n = apierr_validation_count(v);
    if (doc && n) abort();
    if (!doc && !n) abort(); /* only out of memory fails without a field */
    if (doc && !json_is_object(doc)) abort();
    apierr_problem *p = NULL;
    if (n && apierr_validation_problem(&p, v) == APIERR_OK) apierr_problem_free(p);
    json_decref(doc);
    json_decref(body);
    apierr_validation_free(v);
    return 0;
}
