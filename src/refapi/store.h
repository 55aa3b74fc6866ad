/*
 * store.h - the reference API's SQLite database: a pool of connections in
 * WAL mode, the tokens (stored as SHA-256 hashes only) and the invoices.
 *
 * One connection per pool slot, each under its own mutex; a thread keeps its
 * slot, so the MHD pool threads never wait for each other's reads.
 */
#ifndef APIERR_REFAPI_STORE_H
#define APIERR_REFAPI_STORE_H

#include <sqlite3.h>
#include <stddef.h>

typedef struct refapi_store refapi_store;

/* Token kinds. */
enum { REFAPI_TOKEN_ACCESS = 1, REFAPI_TOKEN_REFRESH = 2, REFAPI_TOKEN_SESSION = 3 };

/* How a presented token looks up. */
typedef enum refapi_token_state {
    REFAPI_TOKEN_OK = 0,
    REFAPI_TOKEN_EXPIRED,
    REFAPI_TOKEN_UNKNOWN, /* never issued, revoked, or of another kind */
    REFAPI_TOKEN_DBERROR
} refapi_token_state;

/* 64 hex digits and a NUL: the size of a token; 32 and a NUL, of a family. */
#define REFAPI_TOKEN_BUFSIZE  65
#define REFAPI_FAMILY_BUFSIZE 33

/* A token as stored: its client, scopes and expiry; its family (every token
 * issued from one client_credentials grant down its refresh chain, RFC 9700
 * 4.14.2) and whether it was revoked (a used refresh token is). */
typedef struct refapi_token {
    char client[64];
    char scopes[256];
    long long expires_ms;
    int kind;
    int revoked;
    char family[REFAPI_FAMILY_BUFSIZE];
} refapi_token;

/* The stored form of a token: only its SHA-256, in hex, so that a copy of
 * the database (or of Redis) gives no usable credential. */
void refapi_token_hash(char out[REFAPI_TOKEN_BUFSIZE], const char *token);

/* A new random token into out and its stored form into hash. 0, or -1 when
 * the system has no randomness to give. */
int refapi_token_mint(char out[REFAPI_TOKEN_BUFSIZE], char hash[REFAPI_TOKEN_BUFSIZE]);

/* How a stored token t answers a presentation as kind at now_ms: UNKNOWN
 * when revoked or of another kind (a session stands for an access token),
 * EXPIRED, or OK. The one rule of every token backend. */
refapi_token_state refapi_token_judge(const refapi_token *t, int kind, long long now_ms);

/* Opens (creating) the database at path with nconn connections. 0, or -1
 * with a reason on stderr. */
int refapi_store_open(refapi_store **out, const char *path, unsigned nconn, int busy_ms);

/* Checkpoints and closes every connection. Accepts NULL. */
void refapi_store_close(refapi_store *s);

/* The calling thread's connection, locked; give it back with release. */
sqlite3 *refapi_store_acquire(refapi_store *s);
void refapi_store_release(refapi_store *s, sqlite3 *db);

/* sqlite3_prepare_v2() of sql (a string literal: kept by its address) on
 * db, an acquired connection, prepared once per thread and kept; give it
 * back with refapi_store_done(), which resets it for the next request
 * (and finalizes one that was not kept). */
int refapi_store_prepare(sqlite3 *db, const char *sql, sqlite3_stmt **out);
void refapi_store_done(sqlite3_stmt *st);

/* Issues a new random token of kind for client with scopes, valid until
 * expires_ms, of family (NULL: none) into out. SQLite result code
 * (SQLITE_OK on success). */
int refapi_store_token_issue(sqlite3 *db, char out[REFAPI_TOKEN_BUFSIZE], int kind,
                             const char *client, const char *scopes, long long expires_ms,
                             const char *family);

/* A new random family id into out. SQLite result code. */
int refapi_store_family_new(char out[REFAPI_FAMILY_BUFSIZE]);

/* Revokes every token of family: a used refresh token came back, so one of
 * its holders is not the client. SQLite result code. */
int refapi_store_family_revoke(sqlite3 *db, const char *family);

/* Looks a presented token of kind up at now_ms into *out. */
refapi_token_state refapi_store_token_find(sqlite3 *db, refapi_token *out, const char *token,
                                           int kind, long long now_ms);

/* Revokes a token of kind once: SQLITE_OK when this call revoked it,
 * SQLITE_NOTFOUND when it was not valid (already used, unknown), or another
 * SQLite code. */
int refapi_store_token_revoke(sqlite3 *db, const char *token, int kind, long long now_ms);

#endif
