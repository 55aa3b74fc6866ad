/*
 * handlers.h - the handlers that routes.c dispatches to, one file per
 * resource: oauth.c, helo.c, status.c, invoices.c.
 *
 * The contract between routing and handling: routes.c has matched the path
 * and the method, set the dialect of the path's errors, and made the checks
 * the route asks for (rate limit, credential and scope, tenant), so that
 * r->client and r->token are set where a credential was needed. A handler
 * does its resource's work and sets r->reply; it never routes.
 */
#ifndef APIERR_REFAPI_HANDLERS_H
#define APIERR_REFAPI_HANDLERS_H

#include "req.h"

/* POST /oauth/token (oauth.c). */
void refapi_oauth_token(refapi_req *r);

/* GET /helo, gestix profile only (helo.c). */
void refapi_helo(refapi_req *r);

/* GET /status (status.c); the credential may have expired. */
void refapi_status(refapi_req *r);

/* The invoices of tenant (invoices.c): its collection (id unused) and the
 * invoice id of it. */
void refapi_invoices_list(refapi_req *r, const char *tenant, long long id);
void refapi_invoices_create(refapi_req *r, const char *tenant, long long id);
void refapi_invoice_get(refapi_req *r, const char *tenant, long long id);
void refapi_invoice_replace(refapi_req *r, const char *tenant, long long id);
void refapi_invoice_delete(refapi_req *r, const char *tenant, long long id);

/* 404 for invoice id of tenant: also the answer to an id that cannot be
 * one, reported as 0. */
void refapi_invoice_missing(refapi_req *r, const char *tenant, long long id);

#endif
