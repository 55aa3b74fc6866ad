/*
 * data.h - the invoices' data store behind one interface, chosen at open
 * time: SQLite (data_sqlite.c, the embedded default, over store.c's pool)
 * or PostgreSQL (data_pg.c, --db postgresql://...: a libpq connection
 * string). invoices.c speaks only this interface, so that the request path
 * is the same on both.
 *
 * A connection is the calling thread's (acquire, release); a write runs in
 * begin .. commit or rollback, and begin serializes writers (SQLite's
 * BEGIN IMMEDIATE, a row lock on PostgreSQL), so that what a write reads
 * in its transaction (the row's version, the key's recorded answer) is
 * still so when it commits. A failed statement leaves the transaction
 * usable (a duplicate's 409 is recorded under its key and committed).
 *
 * The idempotency journal: with a key, the answer of a create is recorded
 * in the create's transaction (record), so that a crash between the commit
 * and the reply leaves the retry an answer instead of a second execution.
 * On SQLite the record is the idempotency store's own table (or its Redis
 * journal, this database); on PostgreSQL it is a table of that database,
 * read back (recorded) in the write's transaction before the write runs,
 * and the key store (SQLite or Redis) learns the answer after the commit
 * (publish).
 *
 * Each failing call fills a refapi_dbfail: the problem the client is owed
 * (mapped by apierr_db_sqlite_problem or apierr_db_pg_problem) and, for
 * the error log, the engine's own words.
 */
#ifndef APIERR_REFAPI_DATA_H
#define APIERR_REFAPI_DATA_H

#include "apierr-server.h"
#include "store.h"

typedef struct refapi_dbfail {
    apierr_problem *problem; /* NULL: out of memory (a 500) */
    char cause[200];
} refapi_dbfail;

/* One row of a list: 0 to go on. */
typedef int (*refapi_row_fn)(void *payload, long long id, long long version, const char *doc);

/* Return values: 0 (or a count, or 1 for found / changed) on success, -1
 * with *f filled on failure. */
typedef struct refapi_data_ops {
    void *(*acquire)(void *impl);
    void (*release)(void *impl, void *c);
    int (*begin)(void *c, refapi_dbfail *f);
    int (*commit)(void *c, refapi_dbfail *f);
    void (*rollback)(void *c);
    /* A new invoice (version 1) into *id. */
    int (*insert)(void *c, refapi_dbfail *f, const char *tenant, const char *number,
                  const char *doc, long long *id);
    /* 1 with *version and *doc (a copy the caller frees), 0 when absent. */
    int (*read)(void *c, refapi_dbfail *f, const char *tenant, long long id, long long *version,
                char **doc);
    /* The tenant's invoices after id `after`, at most limit, in id order,
     * each to fn: how many were given. */
    int (*list)(void *c, refapi_dbfail *f, const char *tenant, long long after, long long limit,
                refapi_row_fn fn, void *payload);
    /* Replaces (doc non-NULL: version + 1) or deletes (doc NULL) the
     * invoice when it is at version: 1 changed, 0 not. */
    int (*write)(void *c, refapi_dbfail *f, const char *tenant, long long id, long long version,
                 const char *number, const char *doc);
    /* The answer recorded under key in this database: *state NEW (none),
     * REPLAY (*replay filled: the caller clears it) or MISMATCH (another
     * fingerprint). NULL: the idempotency store reads its own record. */
    int (*recorded)(void *c, refapi_dbfail *f, const char *key,
                    const unsigned char fp[APIERR_SHA256_SIZE], apierr_idempotency_state *state,
                    apierr_reply *replay);
    /* Records answer under key in the open transaction. */
    int (*record)(void *c, refapi_dbfail *f, apierr_idempotency *idem, const char *key,
                  const unsigned char fp[APIERR_SHA256_SIZE], const apierr_reply *answer);
    void (*close)(void *impl);
} refapi_data_ops;

typedef struct refapi_data {
    const refapi_data_ops *ops;
    void *impl;
    /* The key store learns a recorded answer after the commit
     * (apierr_idempotency_complete): it is not this database. */
    int publish;
} refapi_data;

/* 1 when db (a --db value) names a PostgreSQL database: a postgresql:// or
 * postgres:// URL. */
int refapi_data_is_pg(const char *db);

/* The SQLite store over store's pool; publish as above (with --redis). */
int refapi_data_open_sqlite(refapi_data **out, refapi_store *store, int publish);

/* The PostgreSQL store at conninfo with nconn connections, its schema
 * created when missing; validation_status is the profile's (a constraint
 * violation's status). 0, or -1 with a reason on stderr (PostgreSQL
 * unreachable at start). */
int refapi_data_open_pg(refapi_data **out, const char *conninfo, unsigned nconn,
                        int validation_status);

/* Closes the store. Accepts NULL. */
void refapi_data_close(refapi_data *d);

#endif
