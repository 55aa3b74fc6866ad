/*
 * apierr/server/idempotency.h - an idempotency store (IETF httpapi
 * Idempotency-Key draft), on SQLite in WAL mode, or on Redis for a fleet.
 *
 * A POST with an Idempotency-Key header is run once; its response is kept
 * with the key and a fingerprint of the request. A retry with the same key
 * and the same request gets the same response, byte for byte, without
 * running again; the same key with another request is refused with 422; the
 * same key while the first request is still running is refused with 409.
 *
 *   state = begin(key, fingerprint)
 *   NEW          run the request, then complete(key, response), or
 *                abort(key) when it failed in a way worth retrying
 *   REPLAY       send the stored response
 *   MISMATCH     send the 422 of apierr_idempotency_problem()
 *   IN_PROGRESS  send the 409 of apierr_idempotency_problem()
 *
 * Keys are one namespace per store: prefix them with the client or tenant
 * (`acme:` + key) so that two clients never share one. Keys expire ttl_ms
 * after begin. A key left in progress by a crashed request is taken over by
 * the next begin() once lock_ms has passed.
 *
 * Thread-safe: one connection per store, under a mutex. Several processes may
 * share one database file.
 *
 * On Redis (a redis:// or unix:// URL given to apierr_idempotency_open()),
 * every instance of a fleet that names the same server shares the keys: one
 * hash per key, claimed, completed, replayed and taken over by scripts that
 * run atomically in Redis and judge leases and expiry on Redis's clock
 * (now_ms is then not used). Each store is one owner: only the store that
 * holds a key's lease completes or aborts it (APIERR_ENOTFOUND for another,
 * e.g. after its lease ran out and another store took the key over). While
 * Redis cannot be reached, every call fails with APIERR_EIO (reply 503: the
 * request is not run), and the store connects again by itself.
 */
#ifndef APIERR_SERVER_IDEMPOTENCY_H
#define APIERR_SERVER_IDEMPOTENCY_H

#include "reply.h"

#ifdef __cplusplus
extern "C" {
#endif

#define APIERR_SHA256_SIZE 32

/* SHA-256 (FIPS 180-4) of data[0..len). */
APIERR_EXTERN void apierr_sha256(unsigned char out[APIERR_SHA256_SIZE], const void *data,
                                 size_t len);

/* The fingerprint of a request: SHA-256 over the method, the path (with its
 * query) and the body, each preceded by its length so that no two different
 * requests share one. body may be NULL when len is 0. */
APIERR_EXTERN void apierr_idempotency_fingerprint(unsigned char out[APIERR_SHA256_SIZE],
                                                  const char *method, const char *path,
                                                  const void *body, size_t len);

typedef struct apierr_idempotency apierr_idempotency;

typedef enum apierr_idempotency_state {
    APIERR_IDEMPOTENCY_NEW = 0,
    APIERR_IDEMPOTENCY_REPLAY,
    APIERR_IDEMPOTENCY_MISMATCH,
    APIERR_IDEMPOTENCY_IN_PROGRESS
} apierr_idempotency_state;

/* Options for apierr_idempotency_open(). Versioned: start from
 * APIERR_IDEMPOTENCY_OPTS_INIT or apierr_idempotency_opts_init(); a NULL
 * pointer means these defaults.
 * The layout is ABI: new members go at the end, always, and
 * APIERR_IDEMPOTENCY_OPTS_VERSION is bumped whenever the struct grows; a struct
 * of an older version is read only up to the members it had. */
typedef struct apierr_idempotency_opts {
    unsigned version;
    long long ttl_ms;  /* how long a key is remembered; default 24 h */
    long long lock_ms; /* after this, a key still in progress is taken over; default 60 s */
    /* Version 2: how long a statement waits for a database another
     * connection holds locked before APIERR_EIO (SQLite's busy timeout; the
     * thread is blocked meanwhile); default 5 s. */
    long long busy_timeout_ms;
    /* Version 3, for a store on Redis: the SQLite database (a path; the
     * application's data) where apierr_idempotency_complete_in() records
     * each answer in the transaction of the write it answers. A claim that
     * Redis grants (NEW: a fresh key, or a takeover after the lease) reads
     * this record first and replays the answer found there, so that an
     * instance dying between its commit and publishing the answer to Redis
     * costs the retry nothing. NULL: none (complete_in() is then
     * unsupported on Redis). Ignored by a store in SQLite, whose own table
     * is that record. */
    const char *journal;
} apierr_idempotency_opts;

/* 1: the first; 2: busy_timeout_ms; 3: journal. */
#define APIERR_IDEMPOTENCY_OPTS_VERSION 3
#define APIERR_IDEMPOTENCY_OPTS_INIT                                       \
    {                                                                      \
        APIERR_IDEMPOTENCY_OPTS_VERSION, 86400000LL, 60000LL, 5000LL, NULL \
    }

/* Fills *opts with the defaults of the given version of the struct (for
 * bindings that cannot use the macro). APIERR_OK, or APIERR_EVERSION for 0
 * or a version newer than the library's (*opts untouched). */
APIERR_EXTERN int apierr_idempotency_opts_init(apierr_idempotency_opts *opts, unsigned version);

/* Longest key accepted (bytes). */
#define APIERR_IDEMPOTENCY_KEY_MAX 255

/* Opens (creating if needed) the store in the SQLite database at path
 * (":memory:" for a private one), or on the Redis server of a URL
 * (as apierr_redis_open() reads it: "redis://[[USER]:PASSWORD@]HOST[:PORT][/DB]",
 * "unix://[[USER]:PASSWORD@]/PATH", ?db=N and ?password=PW; the password,
 * when the URL has none, from $REDIS_PASSWORD; not connected until first
 * used); apierr_idempotency_close() closes it.
 * APIERR_OK, APIERR_ENOMEM, APIERR_EINVAL for bad options or a malformed
 * URL, APIERR_EIO when
 * the database cannot be opened, or APIERR_EVERSION when opts has version 0
 * or one newer than the library's (*out is NULL on failure). */
APIERR_EXTERN int apierr_idempotency_open(apierr_idempotency **out, const char *path,
                                          const apierr_idempotency_opts *opts);

/* Closes the store. Accepts NULL. No other thread may use it then. */
APIERR_EXTERN void apierr_idempotency_close(apierr_idempotency *s);

/* 1 when key is 1..APIERR_IDEMPOTENCY_KEY_MAX bytes of visible ASCII
 * (0x21..0x7e); 0 otherwise. */
APIERR_EXTERN int apierr_idempotency_key_valid(const char *key);

/*
 * Looks key up at now_ms and sets *state. On REPLAY, *replay (which need not
 * be initialized) receives the stored response, which the caller clears with
 * apierr_reply_clear();
 * otherwise it is left empty. On NEW the key is now in progress. Returns
 * APIERR_OK, APIERR_EINVAL for an invalid key, APIERR_ENOMEM, or APIERR_EIO
 * for a database failure (the caller should then reply 503).
 */
APIERR_EXTERN int apierr_idempotency_begin(apierr_idempotency *s, apierr_idempotency_state *state,
                                           apierr_reply *replay, const char *key,
                                           const unsigned char fingerprint[APIERR_SHA256_SIZE],
                                           long long now_ms);

/* Stores the response of the request that began key; later begin() calls
 * replay it. APIERR_OK, APIERR_ENOTFOUND when key is not in progress (never
 * begun, completed, aborted or purged), APIERR_EINVAL (invalid key or a
 * header HTTP forbids), APIERR_ENOMEM, or APIERR_EIO. */
APIERR_EXTERN int apierr_idempotency_complete(apierr_idempotency *s, const char *key,
                                              const apierr_reply *response);

struct sqlite3;

/* As apierr_idempotency_complete(), through db: the caller's own
 * connection to the same database file, inside the caller's transaction,
 * so that the stored response commits with the write it answers, or
 * neither does (a crash between the two would leave a write whose retry
 * runs it again). The caller commits. Same return codes.
 * On Redis with a journal (version 3 of the options; db then connects to
 * the journal's file), this records the answer there, and the caller calls
 * apierr_idempotency_complete() after the commit as well, to publish it to
 * the fleet: a crash between the two leaves the key in progress until the
 * lease runs out, and the retry that claims it then gets the recorded
 * answer. On Redis without a journal: APIERR_EUNSUPPORTED (call
 * apierr_idempotency_complete() after the commit; a crash in between then
 * lets the retry run the write again after the lease, so the write itself
 * must refuse a second execution, e.g. by a unique column). */
APIERR_EXTERN int apierr_idempotency_complete_in(apierr_idempotency *s, struct sqlite3 *db,
                                                 const char *key, const apierr_reply *response);

/* Forgets a key in progress, so that a retry runs the request again.
 * APIERR_OK, APIERR_ENOTFOUND, APIERR_EINVAL or APIERR_EIO. */
APIERR_EXTERN int apierr_idempotency_abort(apierr_idempotency *s, const char *key);

/* Deletes expired keys (begin() also does, now and then). APIERR_OK or
 * APIERR_EIO. */
APIERR_EXTERN int apierr_idempotency_purge(apierr_idempotency *s, long long now_ms);

/* A new problem for MISMATCH (422 IDEMPOTENCY_KEY_MISMATCH) or IN_PROGRESS
 * (409 IDEMPOTENCY_KEY_IN_USE, Retry-After 1 s); free it with
 * apierr_problem_free(). APIERR_OK, APIERR_ENOMEM,
 * or APIERR_EINVAL for another state. */
APIERR_EXTERN int apierr_idempotency_problem(apierr_problem **out, apierr_idempotency_state state);

#ifdef __cplusplus
}
#endif
#endif
