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
    long long at_us[REFAPI_ERRLOG];        /* when each entry's request came in */
    unsigned long long seq[REFAPI_ERRLOG]; /* the order of the adds to the shard */
    size_t next, count;
} refapi_errlog_ring;

/* The rings are kept per thread, in shards (shard.h): every worker added
 * each of its error replies (a flood of 429s) under one lock, and the
 * entries bounced between the cores. A reader merges the shards by the
 * time their requests came in (the monotonic clock), then by the order of
 * the adds to one shard: a count of the adds shared by the shards was a
 * cache line taken from the other core on every error. */

typedef struct refapi_errlog_shard {
    pthread_mutex_t lock;
    unsigned long long seq; /* of the shard's last add */
    refapi_errlog_ring ring[REFAPI_CLIENTS];
} refapi_errlog_shard;

typedef struct refapi_errlog {
    refapi_errlog_shard shard[REFAPI_SHARDS];
    apierr_redis *redis;      /* NULL: this process's rings only */
    const refapi_config *cfg; /* the clients' ids, with redis */
} refapi_errlog;

/* An empty log; refapi_errlog_destroy() frees its locks. */
void refapi_errlog_init(refapi_errlog *log);
void refapi_errlog_destroy(refapi_errlog *log);

/* From now on, shares the errors in redis (borrowed) under the ids of cfg's
 * clients. */
void refapi_errlog_share(refapi_errlog *log, apierr_redis *redis, const refapi_config *cfg);

/* Keeps e as the newest error of client (its index in the config), dropping
 * the oldest when full; at_us is when its request came in (refapi_mono_us),
 * by which the errors are listed. Thread-safe. */
void refapi_errlog_add(refapi_errlog *log, int client, const refapi_errlog_entry *e,
                       long long at_us);

/* Copies the errors of client into out, newest first, and returns how many.
 * Copies, so that the caller formats them without holding the lock.
 * Thread-safe. */
size_t refapi_errlog_recent(refapi_errlog *log, int client, refapi_errlog_entry out[REFAPI_ERRLOG]);

#endif
