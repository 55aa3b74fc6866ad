/*
 * routes.h - the one entry of the application for the HTTP layer: a request
 * whose body has fully arrived goes in, r->reply comes out. One function, so
 * that http.c depends on the application only here, and nothing of the
 * application depends on http.c.
 */
#ifndef APIERR_REFAPI_ROUTES_H
#define APIERR_REFAPI_ROUTES_H

#include "req.h"

/* Routes and answers r: fills r->reply (and r->code for an error). */
void refapi_route(refapi_req *r);

/* Sets r->route (for the metrics) from the path alone, for replies made
 * before routing (an injected fault). */
void refapi_route_classify(refapi_req *r);

#endif
