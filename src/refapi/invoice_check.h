/*
 * invoice_check.h - what an invoice body must look like.
 *
 *   { "documentNumber": "INV-1",                     required, 1..64 chars
 *     "currency": "EUR",                             required, ISO 4217
 *     "customer": {"name": "...", "email": "..."},   required, email valid
 *     "lines": [{"description": "...",               required, 1..1000 lines
 *                "quantity": 2, "unitPrice": 10.5}], quantity > 0, price >= 0
 *     "notes": "..." }                               optional
 */
#ifndef APIERR_REFAPI_INVOICE_CHECK_H
#define APIERR_REFAPI_INVOICE_CHECK_H

#include "apierr-server.h"

#include <jansson.h>

/* 1 when code is an active ISO 4217 currency code (three upper-case
 * letters found in the table). */
int refapi_currency_valid(const char *code);

/*
 * Checks body, adding one failure per problem to v with its field path
 * ("lines.1.quantity"). On success (no failure added) returns a new object
 * with the accepted members and the computed "total"; NULL otherwise, or on
 * out-of-memory (then nothing was added: the caller checks the count).
 */
json_t *refapi_invoice_check(apierr_validation *v, const json_t *body);

#endif
