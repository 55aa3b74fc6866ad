/*
 * apierr/server/db_error.h - database failures as problems: SQLite result
 * codes and PostgreSQL SQLSTATEs.
 *
 * For SQLite, one table maps extended result codes (an exact extended code first, then
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
 *
 * For PostgreSQL, one table maps SQLSTATEs (PostgreSQL docs, Appendix A) to
 * the same outcomes:
 *   23505 unique_violation                  409 DUPLICATE_ENTRY (column as field)
 *   23502 not_null, 23514 check,            422 CONSTRAINT_VIOLATION (or the API's
 *   23503 foreign_key                           validation status, 400 under gestix)
 *   40001 serialization, 40P01 deadlock,    503 DB_TIMEOUT, Retry-After 1 s: the
 *   55P03 lock_not_available                    same request will pass
 *   57014 query_canceled                    504 DB_INTERRUPTED
 *   53300 too_many_connections, 57P01-03    503 DB_UNAVAILABLE, Retry-After 1 s
 *   shutdown/starting, class 08 connection
 *   anything else                           500 INTERNAL_ERROR
 * The library takes the SQLSTATE and fields as strings, so it does not link
 * libpq: the caller passes PQresultErrorField(res, PG_DIAG_SQLSTATE), ...
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

/*
 * A new problem (free it with apierr_problem_free()) for a PostgreSQL error:
 * sqlstate is PG_DIAG_SQLSTATE (NULL or malformed: 500), column
 * PG_DIAG_COLUMN_NAME and detail PG_DIAG_MESSAGE_DETAIL (either may be NULL;
 * they are only read to name the column of a unique, not-null or foreign key
 * failure: "Key (number)=(42) already exists." gives the field "number", and
 * only a plain identifier is ever taken, never a value). validation_status:
 * the status of a CONSTRAINT_VIOLATION (0: 422). APIERR_OK or APIERR_ENOMEM
 * (*out is then NULL).
 */
APIERR_EXTERN int apierr_db_pg_problem(apierr_problem **out, const char *sqlstate,
                                       const char *column, const char *detail,
                                       int validation_status);

/* The HTTP status a SQLSTATE maps to, without building a problem. */
APIERR_EXTERN int apierr_db_pg_status(const char *sqlstate, int validation_status);

#ifdef __cplusplus
}
#endif
#endif
