/*
 * Internal: the backends of the idempotency store (apierr/server/
 * idempotency.h), chosen when the store is opened: SQLite (a file, or
 * ":memory:") in idempotency.c, Redis (a redis:// or unix:// URL) in
 * idempotency_redis.c. The public functions check their arguments once and
 * call the backend; a backend keeps the same states and the same promises:
 * one NEW per key until it is completed or aborted, a byte-identical replay,
 * MISMATCH for another fingerprint, IN_PROGRESS while the lease runs, and a
 * takeover once it has run out.
 */
#ifndef APIERR_SERVER_IDEM_BACKEND_H
#define APIERR_SERVER_IDEM_BACKEND_H

#include "apierr/server/idempotency.h"

typedef struct apierr__idem_ops {
    int (*begin)(void *b, apierr_idempotency_state *state, apierr_reply *replay, const char *key,
                 const unsigned char fp[APIERR_SHA256_SIZE], long long now_ms);
    /* response's headers come packed (apierr__idem_pack()). */
    int (*complete)(void *b, const char *key, const apierr_reply *response, const char *headers,
                    size_t hlen);
    int (*abort)(void *b, const char *key);
    int (*purge)(void *b, long long now_ms);
    void (*close)(void *b);
    /* 1 when the answer can be recorded in the caller's transaction
     * (apierr_idempotency_complete_in()): a table in a SQLite file. */
    int (*records_in)(void *b);
} apierr__idem_ops;

/* The SQLite backend, for a Redis backend's journal too. */
extern const apierr__idem_ops apierr__idem_sqlite_ops;

/* Opens the SQLite backend on path. As a journal (journal 1) it records
 * answers and never judges a lease (Redis does): a key in progress is
 * always claimable. APIERR_OK, ENOMEM or EIO. */
int apierr__idem_sqlite_open(void **out, const char *path, const apierr_idempotency_opts *o,
                             int journal);

/* Opens the Redis backend for url (with o's journal, when set); APIERR_OK,
 * EINVAL (a malformed URL), ENOMEM, or EIO (the journal cannot be opened).
 * Nothing is connected yet. */
int apierr__idem_redis_open(void **out, const apierr__idem_ops **ops, const char *url,
                            const apierr_idempotency_opts *o);

/* The stored form of a response's headers: "name\0value\0" pairs, into a
 * new buffer (*out, freed with apierr__free()). APIERR_OK, APIERR_EINVAL for
 * an empty name or a NULL, APIERR_ENOMEM. */
int apierr__idem_pack(const apierr_reply *response, char **out, size_t *len);

/* A stored response back as a reply. APIERR_OK, APIERR_ENOMEM, or
 * APIERR_EIO for headers not in the stored form. */
int apierr__idem_unpack(apierr_reply *out, int status, const char *headers, size_t hlen,
                        const char *body, size_t blen);

#endif
