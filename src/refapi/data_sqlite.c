/*
 * data_sqlite.c - the invoices on SQLite (data.h): the embedded default,
 * over the pool and schema of store.c. Writers are serialized by BEGIN
 * IMMEDIATE; the journal is the idempotency store's own table in this
 * database (apierr_idempotency_complete_in).
 */
#include "data.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct sqlite_data {
    refapi_data d;
    refapi_store *store;
} sqlite_data;

/* Fills f for rc, a failure of db, and returns -1. */
static int failed(refapi_dbfail *f, sqlite3 *db, int rc)
{
    f->problem = NULL;
    apierr_db_sqlite_problem(&f->problem, rc, db ? sqlite3_errmsg(db) : NULL);
    snprintf(f->cause, sizeof f->cause, "database: %s (%d): %s", sqlite3_errstr(rc), rc,
             db ? sqlite3_errmsg(db) : "-");
    return -1;
}

static int exec(sqlite3 *db, refapi_dbfail *f, const char *sql)
{
    int rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
    return rc == SQLITE_OK ? 0 : failed(f, db, sqlite3_extended_errcode(db));
}

/* A prepared statement of sql (a literal: store.c keeps it per thread, so
 * its SQL is parsed once, not on every request) with its parameters bound,
 * one a letter of types: 't' text (const char *, kept by the caller until
 * the statement is done), 'i' a long long, '-' a const char * left unbound
 * (the statement has no such parameter); or NULL with f filled. Every
 * statement goes back with refapi_store_done(). */
static sqlite3_stmt *prepare(sqlite3 *db, refapi_dbfail *f, const char *sql, const char *types, ...)
{
    sqlite3_stmt *st = NULL;
    int rc = refapi_store_prepare(db, sql, &st);
    if (rc != SQLITE_OK) {
        failed(f, db, rc);
        return NULL;
    }
    va_list ap;
    va_start(ap, types);
    for (int i = 0; types[i]; i++) {
        if (types[i] == 't')
            sqlite3_bind_text(st, i + 1, va_arg(ap, const char *), -1, SQLITE_STATIC);
        if (types[i] == 'i') sqlite3_bind_int64(st, i + 1, va_arg(ap, long long));
        if (types[i] == '-') (void)va_arg(ap, const char *);
    }
    va_end(ap);
    return st;
}

/* Steps st (a statement that returns no row) and gives it back. */
static int run(sqlite3 *db, refapi_dbfail *f, sqlite3_stmt *st)
{
    int rc = sqlite3_step(st) == SQLITE_DONE ? SQLITE_OK : sqlite3_extended_errcode(db);
    refapi_store_done(st);
    return rc == SQLITE_OK ? 0 : failed(f, db, rc);
}

static void *s_acquire(void *impl)
{
    return refapi_store_acquire(((sqlite_data *)impl)->store);
}

static void s_release(void *impl, void *c)
{
    refapi_store_release(((sqlite_data *)impl)->store, c);
}

static int s_begin(void *c, refapi_dbfail *f)
{
    return exec(c, f, "BEGIN IMMEDIATE");
}

static int s_commit(void *c, refapi_dbfail *f)
{
    return exec(c, f, "COMMIT");
}

static void s_rollback(void *c)
{
    sqlite3_exec(c, "ROLLBACK", NULL, NULL, NULL);
}

static int s_insert(void *c, refapi_dbfail *f, const char *tenant, const char *number,
                    const char *doc, long long *id)
{
    sqlite3 *db = c;
    sqlite3_stmt *st = prepare(db, f,
                               "INSERT INTO invoices (tenant, documentNumber, version, doc)"
                               " VALUES (?1, ?2, 1, ?3)",
                               "ttt", tenant, number, doc);
    if (!st) return -1;
    if (run(db, f, st) != 0) return -1;
    *id = sqlite3_last_insert_rowid(db);
    return 0;
}

static int s_read(void *c, refapi_dbfail *f, const char *tenant, long long id, long long *version,
                  char **doc)
{
    sqlite3 *db = c;
    sqlite3_stmt *st = prepare(
        db, f, "SELECT version, doc FROM invoices WHERE id = ?1 AND tenant = ?2", "it", id, tenant);
    if (!st) return -1;
    int rc = sqlite3_step(st), out = 0;
    if (rc == SQLITE_ROW) {
        *version = sqlite3_column_int64(st, 0);
        *doc = strdup((const char *)sqlite3_column_text(st, 1));
        out = *doc ? 1 : failed(f, db, SQLITE_NOMEM);
    } else if (rc != SQLITE_DONE) {
        out = failed(f, db, sqlite3_extended_errcode(db));
    }
    refapi_store_done(st);
    return out;
}

static int s_list(void *c, refapi_dbfail *f, const char *tenant, long long after, long long limit,
                  refapi_row_fn fn, void *payload)
{
    sqlite3 *db = c;
    sqlite3_stmt *st = prepare(db, f,
                               "SELECT id, version, doc FROM invoices WHERE tenant = ?1 AND id > ?2"
                               " ORDER BY id LIMIT ?3",
                               "tii", tenant, after, limit);
    if (!st) return -1;
    int rc, n = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW && n < limit) {
        n++;
        if (fn(payload, sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1),
               (const char *)sqlite3_column_text(st, 2)) != 0)
            break;
    }
    int out =
        rc == SQLITE_ROW || rc == SQLITE_DONE ? n : failed(f, db, sqlite3_extended_errcode(db));
    refapi_store_done(st);
    return out;
}

static int s_write(void *c, refapi_dbfail *f, const char *tenant, long long id, long long version,
                   const char *number, const char *doc)
{
    sqlite3 *db = c;
    sqlite3_stmt *st =
        prepare(db, f,
                doc ? "UPDATE invoices SET documentNumber = ?1, version = version + 1, doc = ?2"
                      " WHERE id = ?3 AND tenant = ?4 AND version = ?5"
                    : "DELETE FROM invoices WHERE id = ?3 AND tenant = ?4 AND version = ?5",
                doc ? "ttiti" : "--iti", number, doc, id, tenant, version);
    if (!st) return -1;
    if (run(db, f, st) != 0) return -1;
    return sqlite3_changes(db) == 1;
}

static int s_record(void *c, refapi_dbfail *f, apierr_idempotency *idem, const char *key,
                    const unsigned char fp[APIERR_SHA256_SIZE], const apierr_reply *answer)
{
    (void)fp; /* the store's begin() kept it with the key */
    if (apierr_idempotency_complete_in(idem, c, key, answer) == APIERR_OK) return 0;
    return failed(f, NULL, SQLITE_BUSY);
}

static void s_close(void *impl)
{
    free(impl);
}

static const refapi_data_ops sqlite_ops = {
    s_acquire, s_release, s_begin, s_commit, s_rollback, s_insert,
    s_read,    s_list,    s_write, NULL,     s_record,   s_close,
};

int refapi_data_open_sqlite(refapi_data **out, refapi_store *store, int publish)
{
    sqlite_data *s = calloc(1, sizeof *s);
    if (!s) return -1;
    s->store = store;
    s->d = (refapi_data){&sqlite_ops, s, publish};
    *out = &s->d;
    return 0;
}
