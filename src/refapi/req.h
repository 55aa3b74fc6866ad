/*
 * req.h - one request being answered, and what every handler needs to read
 * it and to reply: headers, query and body, the clock, and replies that keep
 * the error contract (the profile's dialect, the request id, the RateLimit
 * headers of the request's verdict).
 *
 * The bottom layer of the reference API (http.c -> routes.c -> handlers ->
 * auth.c -> req.c): it calls nothing above it. It does not see libmicrohttpd
 * either: http.c lends each request a refapi_wire to read its connection
 * with, so that the HTTP layer stays the one file that knows the server
 * library, and the call graph has no way back up to it.
 */
#ifndef APIERR_REFAPI_REQ_H
#define APIERR_REFAPI_REQ_H

#include "apierr-server.h"
#include "authfail.h"
#include "errlog.h"
#include "logs.h"
#include "metrics.h"
#include "tokcache.h"
#include "refapi.h"
#include "store.h"
#include "tokens.h"

#include <jansson.h>
#include <sqlite3.h>
#include <stddef.h>
#include <string.h>

/* What the handlers of a running server share. */
typedef struct refapi_server {
    const refapi_config *cfg;
    refapi_store *store;      /* SQLite: tokens, and invoices unless --db is PostgreSQL */
    struct refapi_data *data; /* the invoices (data.h) */
    apierr_redis *redis;      /* --redis: credentials and /status errors shared there; else NULL */
    refapi_tokens *tokens;    /* in store, or in redis */
    apierr_limiter *limiter;  /* NULL: no --rate */
    apierr_idempotency *idem;
    refapi_errlog errlog;
    refapi_authfail *authfail; /* failed logins per client id and address */
    refapi_log *access;        /* --access-log, or NULL */
    refapi_log *errors;        /* stderr: 500 causes, failed logins */
    refapi_metrics *metrics;
    refapi_tokcache *tokcache; /* token -> client, for the 429s of /status */
} refapi_server;

/* How a request reads its connection; filled in by the HTTP layer. */
typedef struct refapi_wire {
    /* A request header (case-insensitive name) or query argument; NULL if
     * absent. */
    const char *(*header)(void *conn, const char *name);
    const char *(*query)(void *conn, const char *name);
    /* The peer's address as text when it is IPv4, else "". */
    void (*peer)(void *conn, char *buf, size_t cap);
} refapi_wire;

/* One request, from its full arrival to its reply. */
typedef struct refapi_req {
    refapi_server *srv;
    const refapi_wire *wire;
    void *conn; /* the HTTP layer's, for wire */
    const char *method;
    const char *path;
    const char *body;
    size_t len;
    long long now_ms;
    char request_id[APIERR_REQUEST_ID_BUFSIZE];
    apierr_dialect dialect; /* of error bodies: the profile's, oauth at /oauth/token */
    int client;             /* index in cfg->clients once known, else -1 */
    refapi_token token;     /* the credential presented, once looked up */
    apierr_limit_verdict verdict;
    int have_verdict;
    apierr_reply reply; /* the answer */
    char code[48];      /* code of an error reply, for the error log */
    int committed;      /* a write reached the database: a drop fault may apply */
    int die_at_commit;  /* a die fault: the process ends right after the commit */
    int executed;       /* the operation ran: its answer may be kept under an idempotency key */
    int stored;         /* ... and was, in the operation's own transaction */
    refapi_metric_route route; /* for the metrics; set by routes.c */
    const char *accept;        /* the Accept header, once accept_read */
    int accept_read;
    char cause[160]; /* why a 500 is one, for the error log */
} refapi_req;

/* A write of r has committed: noted (for a drop fault), and with a die
 * fault the process ends here, before anything else is done (the answer
 * published to Redis, the reply sent), as a crash or kill -9 would. */
void refapi_req_committed(refapi_req *r);

/* Unix time in ms. */
long long refapi_now_ms(void);
/* CLOCK_MONOTONIC in microseconds: for deadlines and latencies, which a
 * change of the wall clock must not move. */
long long refapi_mono_us(void);
static inline long long refapi_mono_ms(void)
{
    return refapi_mono_us() / 1000;
}

/* src into dst[cap], cut to fit: the copies of every answer, where
 * snprintf("%s") cost 3% of the CPU of the 429 path. */
static inline void refapi_put(char *dst, size_t cap, const char *src)
{
    size_t n = strnlen(src, cap - 1);
    memcpy(dst, src, n);
    dst[n] = '\0';
}

/* Writes ms as 2024-11-15T10:30:00Z into buf (at least 32 bytes). */
void refapi_iso8601(char *buf, size_t cap, long long ms);

/* Starts request r of server s on conn: no body, no client, the clock read
 * now, and the request id the client sent in X-Request-Id when usable. */
void refapi_req_init(refapi_req *r, refapi_server *s, const refapi_wire *wire, void *conn,
                     const char *method, const char *path);

/* A request header (case-insensitive name) or query argument; NULL if
 * absent. */
const char *refapi_req_header(refapi_req *r, const char *name);

/* The Accept header (NULL if absent), looked up once a request: the reply
 * and its accounting both choose the dialect by it. */
const char *refapi_req_accept(refapi_req *r);
const char *refapi_req_query(refapi_req *r, const char *name);

/* The peer's IPv4 address as text into buf, "" for other peers. */
void refapi_req_peer(refapi_req *r, char *buf, size_t cap);

/* 1 when the server plays the gestix profile (seed 004), whose sessions and
 * codes differ. */
int refapi_req_gestix(const refapi_req *r);

/* 1 when the Content-Type is type (parameters aside); application/json
 * also accepts any +json type. */
int refapi_req_content_is(refapi_req *r, const char *type);

/* Parses the JSON body; NULL after replying 415 or 400. */
json_t *refapi_req_json_body(refapi_req *r);

/* A validation collector in the request's dialect and the profile's status;
 * NULL on out-of-memory. */
apierr_validation *refapi_req_validation(refapi_req *r);

/* Replies with the failures collected in v (which stays the caller's). */
void refapi_req_validation_failed(refapi_req *r, apierr_validation *v);

/* A new problem; Gestix's codes are upper-case (seed 004). NULL on OOM. */
apierr_problem *refapi_req_new_problem(refapi_req *r, int status, const char *code,
                                       const char *message);

/*
 * Replies with an error of status, code (upper-cased for the gestix dialect,
 * whose codes are) and message. opts may be NULL; its dialect, accept,
 * request id, now and RateLimit headers are filled in here.
 */
void refapi_req_error(refapi_req *r, int status, const char *code, const char *message,
                      const apierr_reply_opts *opts);

/* Replies with problem p (taken: freed here); NULL p means out of memory. */
void refapi_req_problem(refapi_req *r, apierr_problem *p, const apierr_reply_opts *opts);

/* Replies with the 429 of the request's denied verdict, in the limiter's
 * fast path; code and message as apierr_limiter_reply() (NULL: defaults). */
void refapi_req_rate_limited(refapi_req *r, const char *code, const char *message);

/* Notes why the reply is a 500 (the first cause given wins). */
void refapi_req_cause(refapi_req *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Replies with a JSON body (copied) and up to a few extra headers. */
void refapi_req_json(refapi_req *r, int status, const char *body, size_t len,
                     const apierr_header *extra, size_t nextra);

/* Replies with the problem of SQLite result rc (db may be NULL: no
 * message). */
void refapi_req_db_failure(refapi_req *r, sqlite3 *db, int rc);

/* Replies with p, a database's problem (taken; NULL: out of memory);
 * cause, the engine's words, goes to the error log when p is a 5xx. */
void refapi_req_db_problem(refapi_req *r, apierr_problem *p, const char *cause);

/* 405 with Allow: allow, and 404 with message. */
void refapi_req_method_not_allowed(refapi_req *r, const char *allow);
void refapi_req_not_found(refapi_req *r, const char *message);

#endif
