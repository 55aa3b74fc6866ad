/*
 * errlog.h - the last errors each client met, for GET /status: a client that
 * keeps failing can ask what the server saw (codes, request ids) without
 * access to the server's logs.
 *
 * A leaf of its own because two layers meet here that must not call each
 * other: the HTTP layer writes every error reply in (whatever produced it, a
 * handler or an injected fault), and status.c reads them out.
 *
 * With --redis the log is the fleet's: each client's errors are a list in
 * Redis, apierr:errlog:CLIENT_ID (the newest REFAPI_ERRLOG, kept a day after
 * the last), so that /status on any instance lists what the client met on
 * every other. The process keeps its own rings too: while Redis cannot be
 * reached, /status lists what this instance saw.
 */
#ifndef APIERR_REFAPI_ERRLOG_H
#define APIERR_REFAPI_ERRLOG_H

#include "apierr-server.h"
#include "refapi.h"
#include "shard.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>

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
typedef struct refapi_errlog_ring {
    refapi_errlog_entry e[REFAPI_ERRLOG];
    unsigned long long seq[REFAPI_ERRLOG]; /* the order of each entry's add */
    size_t next, count;
} refapi_errlog_ring;

/* The rings are kept per thread, in shards (shard.h): every worker added
 * each of its error replies (a flood of 429s) under one lock, and the
 * entries bounced between the cores. A reader merges the shards by the
 * order of the adds. */

typedef struct refapi_errlog_shard {
    pthread_mutex_t lock;
    refapi_errlog_ring ring[REFAPI_CLIENTS];
} refapi_errlog_shard;

typedef struct refapi_errlog {
    refapi_errlog_shard shard[REFAPI_SHARDS];
    _Atomic unsigned long long seq; /* of the last add */
    apierr_redis *redis;            /* NULL: this process's rings only */
    const refapi_config *cfg;       /* the clients' ids, with redis */
} refapi_errlog;

/* An empty log; refapi_errlog_destroy() frees its locks. */
void refapi_errlog_init(refapi_errlog *log);
void refapi_errlog_destroy(refapi_errlog *log);

/* From now on, shares the errors in redis (borrowed) under the ids of cfg's
 * clients. */
void refapi_errlog_share(refapi_errlog *log, apierr_redis *redis, const refapi_config *cfg);

/* Keeps e as the newest error of client (its index in the config), dropping
 * the oldest when full. Thread-safe. */
void refapi_errlog_add(refapi_errlog *log, int client, const refapi_errlog_entry *e);

/* Copies the errors of client into out, newest first, and returns how many.
 * Copies, so that the caller formats them without holding the lock.
 * Thread-safe. */
size_t refapi_errlog_recent(refapi_errlog *log, int client, refapi_errlog_entry out[REFAPI_ERRLOG]);

#endif
