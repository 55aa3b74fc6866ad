/*
 * apierr-server.h - the umbrella header of libapierr-server.
 *
 * libapierr-server keeps the error contract on the server side for any C
 * HTTP server: it turns problems into replies (status, headers, body), and
 * gives the building blocks that produce problems (validation collector,
 * SQLite and PostgreSQL error mapping, rate limiter, idempotency store,
 * request ids, scripts on the Redis a fleet shares). It
 * knows no HTTP server library; the caller copies a reply onto the wire.
 */
#ifndef APIERR_SERVER_H
#define APIERR_SERVER_H

#include "apierr/server/reply.h"
#include "apierr/server/request_id.h"
#include "apierr/server/validation.h"
#include "apierr/server/db_error.h"
#include "apierr/server/limiter.h"
#include "apierr/server/idempotency.h"
#include "apierr/server/redis.h"

#endif
