/*
 * internal.h - what the HTTP layer (http.c) and the handlers (api.c) of
 * the reference API share: the server state and one request being answered.
 */
#ifndef APIERR_REFAPI_INTERNAL_H
#define APIERR_REFAPI_INTERNAL_H

#include "apierr-server.h"
#include "faults.h"
#include "refapi.h"
#include "store.h"

#include <microhttpd.h>
#include <pthread.h>

#define REFAPI_ERRLOG 20

/* One error as GET /status lists it. */
typedef struct refapi_errlog_entry {
    int status;
    long long at_ms;
    char code[48];
    char request_id[APIERR_REQUEST_ID_BUFSIZE];
    char method[8];
    char path[96];
} refapi_errlog_entry;

/* The last REFAPI_ERRLOG errors of one client, oldest first from `next`. */
typedef struct refapi_errlog {
    refapi_errlog_entry e[REFAPI_ERRLOG];
    size_t next, count;
} refapi_errlog;

typedef struct refapi_server {
    const refapi_config *cfg;
    refapi_store *store;
    apierr_limiter *limiter; /* NULL: no --rate */
    apierr_idempotency *idem;
    refapi_faults faults;
    long long start_ms;
    pthread_mutex_t errlog_lock;
    refapi_errlog errlog[REFAPI_CLIENTS];
} refapi_server;

/* One request, from its full arrival to its reply. */
typedef struct refapi_req {
    refapi_server *srv;
    struct MHD_Connection *conn;
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
} refapi_req;

/* Unix time in ms. */
long long refapi_now_ms(void);

/* Writes ms as 2024-11-15T10:30:00Z into buf (at least 32 bytes). */
void refapi_iso8601(char *buf, size_t cap, long long ms);

/* A request header (case-insensitive name) or query argument; NULL if absent. */
const char *refapi_req_header(refapi_req *r, const char *name);
const char *refapi_req_query(refapi_req *r, const char *name);

/* The index of the client with that id, or -1. */
int refapi_find_client(const refapi_config *cfg, const char *id);

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

/* Replies with a JSON body (copied) and up to a few extra headers. */
void refapi_req_json(refapi_req *r, int status, const char *body, size_t len,
                     const apierr_header *extra, size_t nextra);

/* Routes and answers one request whose body has fully arrived: fills
 * r->reply. */
void refapi_api_handle(refapi_req *r);

#endif
