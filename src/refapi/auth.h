/*
 * auth.h - who is calling, and whether they may: the credential a request
 * presents (a Bearer token, or the xa-token of a Gestix session), the rate
 * limit keyed by it, and the check that it is genuine, current and grants a
 * scope; with the lookups and comparisons of clients, secrets and scopes
 * that the endpoints issuing credentials (oauth.c, helo.c) make too.
 *
 * Apart from routes.c because these checks are the contract of the seeds
 * (which status, which code, which WWW-Authenticate), not routing; below the
 * handlers because two of them use it.
 */
#ifndef APIERR_REFAPI_AUTH_H
#define APIERR_REFAPI_AUTH_H

#include "req.h"

/* The index of the client with that id in cfg, or -1. */
int refapi_find_client(const refapi_config *cfg, const char *id);

/* 1 when two secrets are equal. Their SHA-256 digests are compared, in
 * time independent of where they differ and of either length. */
int refapi_secret_equal(const char *a, const char *b);

/* Before a secret is compared at an endpoint issuing credentials: 0 when
 * neither client_id (may be NULL) nor the peer address is over its failed
 * logins; else the reply is the 429, with Retry-After the time left. */
int refapi_auth_throttled(refapi_req *r, const char *client_id);

/* Counts a failed login against client_id (may be NULL) and the peer. */
void refapi_auth_failed(refapi_req *r, const char *client_id);

/* 1 when every space-separated scope of want is in have. */
int refapi_scopes_cover(const char *have, const char *want);

/* Counts the request against its key: the credential presented, else the
 * peer address. 0 when allowed (r->verdict is set for the RateLimit
 * headers); else the 429 is the reply. */
int refapi_rate_limit(refapi_req *r);

/* Checks the credential and, when scope is not NULL, that it grants scope;
 * sets r->token and r->client. With allow_expired, an expired but genuine
 * token passes (GET /status reports it). 0 when the request may go on; else
 * the reply is set. */
int refapi_authenticate(refapi_req *r, const char *scope, int allow_expired);

#endif
