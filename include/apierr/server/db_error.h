/*
 * apierr/server/db_error.h - SQLite result codes as problems.
 *
 * One table maps extended result codes (an exact extended code first, then
 * its primary code) to what the client should be told:
 *   SQLITE_CONSTRAINT_UNIQUE, _PRIMARYKEY   409 DUPLICATE_ENTRY
 *   SQLITE_CONSTRAINT_CHECK, _NOTNULL       422 CONSTRAINT_VIOLATION
 *   SQLITE_BUSY*, SQLITE_LOCKED*            503 DB_TIMEOUT, Retry-After 1 s
 *   SQLITE_INTERRUPT                        504 DB_INTERRUPTED
 *   SQLITE_FULL, SQLITE_IOERR*              503 DB_UNAVAILABLE
 *   anything else                           500 INTERNAL_ERROR
 * Nothing of SQLite's own message reaches the client except, for UNIQUE,
 * PRIMARY KEY and NOT NULL failures, the column name (as the detail's
 * field); table names, SQL and file paths never do.
 */
#ifndef APIERR_SERVER_DB_ERROR_H
#define APIERR_SERVER_DB_ERROR_H

#include "../problem.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Retry-After given with DB_TIMEOUT. */
#define APIERR_DB_RETRY_AFTER_MS 1000

/*
 * A new problem (free it with apierr_problem_free()) for the SQLite result
 * code rc (extended or primary; use sqlite3_extended_errcode()). errmsg is sqlite3_errmsg() of the
 * failing connection, or NULL: it is only read to name the column of a UNIQUE, PRIMARY KEY or NOT
 * NULL failure ("UNIQUE constraint failed: invoices.number" gives the detail field "number").
 * APIERR_OK or APIERR_ENOMEM (*out is then NULL).
 */
APIERR_EXTERN int apierr_db_sqlite_problem(apierr_problem **out, int rc, const char *errmsg);

/* The HTTP status rc maps to, without building a problem. */
APIERR_EXTERN int apierr_db_sqlite_status(int rc);

#ifdef __cplusplus
}
#endif
#endif
