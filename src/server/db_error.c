/*
 * Database failures as problems: SQLite result codes and PostgreSQL
 * SQLSTATEs, one table each (most specific row first), both pointing at the
 * same few outcomes, so that an API tells its clients the same thing
 * whichever engine holds its data.
 */
#include "apierr/server/db_error.h"

#include "apierr/server/reply.h"

#include <sqlite3.h>
#include <string.h>

/* What the client is told. detail: when set, the column the engine names
 * becomes a detail with this message. validation: the status is the API's
 * validation status (422, or 400 under gestix) when the caller gives one. */
typedef struct outcome {
    int status;
    const char *code;
    const char *message;
    long long retry_after_ms;
    const char *detail;
    int validation;
} outcome;

#define BUSY_MESSAGE "The database is busy; retry after a short delay."

static const outcome duplicate = {
    409, "DUPLICATE_ENTRY", "A record with the same unique key already exists.",
    -1,  "already exists",  0};
static const outcome missing = {422, "CONSTRAINT_VIOLATION", "A required value is missing.",
                                -1,  "is required",          1};
static const outcome out_of_range = {
    422, "CONSTRAINT_VIOLATION", "A value is out of its allowed range.", -1, NULL, 1};
static const outcome dangling = {422,
                                 "CONSTRAINT_VIOLATION",
                                 "A value refers to a record that does not exist.",
                                 -1,
                                 "refers to a record that does not exist",
                                 1};
static const outcome busy = {503, "DB_TIMEOUT", BUSY_MESSAGE, APIERR_DB_RETRY_AFTER_MS, NULL, 0};
static const outcome interrupted = {
    504, "DB_INTERRUPTED", "The database operation took too long and was stopped.", -1, NULL, 0};
static const outcome unavailable = {503, "DB_UNAVAILABLE", "The database is unavailable.", -1, NULL,
                                    0};
/* Connections refused, dropped or too many: back soon, so say when. */
static const outcome unreachable = {503,
                                    "DB_UNAVAILABLE",
                                    "The database is unavailable; retry after a short delay.",
                                    APIERR_DB_RETRY_AFTER_MS,
                                    NULL,
                                    0};
static const outcome internal = {500, "INTERNAL_ERROR", "An internal error occurred.", -1, NULL, 0};

/* exact: match the extended code exactly, else its primary code (rc & 0xff).
 * A foreign key failure stays a 500 here, as it always was for SQLite. */
static const struct {
    int rc;
    int exact;
    const outcome *is;
} sqlite_map[] = {
    {SQLITE_CONSTRAINT_UNIQUE, 1, &duplicate},
    {SQLITE_CONSTRAINT_PRIMARYKEY, 1, &duplicate},
    {SQLITE_CONSTRAINT_NOTNULL, 1, &missing},
    {SQLITE_CONSTRAINT_CHECK, 1, &out_of_range},
    {SQLITE_BUSY, 0, &busy},
    {SQLITE_LOCKED, 0, &busy},
    {SQLITE_INTERRUPT, 0, &interrupted},
    {SQLITE_FULL, 0, &unavailable},
    {SQLITE_IOERR, 0, &unavailable},
};

/* A SQLSTATE of 5 characters matches exactly; one of 2, its whole class
 * (PostgreSQL, Appendix A). */
static const struct {
    const char *state;
    const outcome *is;
} pg_map[] = {
    {"23505", &duplicate},    /* unique_violation */
    {"23502", &missing},      /* not_null_violation */
    {"23514", &out_of_range}, /* check_violation */
    {"23503", &dangling},     /* foreign_key_violation */
    {"40001", &busy},         /* serialization_failure: the same request will pass */
    {"40P01", &busy},         /* deadlock_detected: likewise */
    {"55P03", &busy},         /* lock_not_available */
    {"57014", &interrupted},  /* query_canceled (statement_timeout) */
    {"53300", &unreachable},  /* too_many_connections */
    {"57P01", &unreachable},  /* admin_shutdown */
    {"57P02", &unreachable},  /* crash_shutdown */
    {"57P03", &unreachable},  /* cannot_connect_now (starting up) */
    {"08", &unreachable},     /* connection_exception, the whole class */
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static const outcome *sqlite_outcome(int rc)
{
    for (size_t i = 0; i < COUNT(sqlite_map); i++)
        if (sqlite_map[i].exact ? rc == sqlite_map[i].rc : (rc & 0xff) == sqlite_map[i].rc)
            return sqlite_map[i].is;
    return &internal;
}

static const outcome *pg_outcome(const char *state)
{
    if (!state || strlen(state) != 5) return &internal;
    for (size_t i = 0; i < COUNT(pg_map); i++)
        if (strncmp(state, pg_map[i].state, strlen(pg_map[i].state)) == 0) return pg_map[i].is;
    return &internal;
}

static int status_of(const outcome *o, int validation_status)
{
    return o->validation && validation_status ? validation_status : o->status;
}

int apierr_db_sqlite_status(int rc)
{
    return sqlite_outcome(rc)->status;
}

int apierr_db_pg_status(const char *sqlstate, int validation_status)
{
    return status_of(pg_outcome(sqlstate), validation_status);
}

/* Copies s[0..n) into buf when it is a plain identifier (so that no value,
 * expression or table name leaves the server); NULL otherwise. */
static const char *identifier(const char *s, size_t n, char *buf, size_t cap)
{
    if (n == 0 || n >= cap) return NULL;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_'))
            return NULL;
    }
    memcpy(buf, s, n);
    buf[n] = '\0';
    return buf;
}

/* The column of "UNIQUE constraint failed: t.a, t.b" (its first one, "a"),
 * or NULL. Only the text after the last '.' of the first item is taken. */
static const char *sqlite_column(const char *errmsg, char *buf, size_t cap)
{
    const char *s = errmsg ? strstr(errmsg, "constraint failed: ") : NULL;
    if (!s) return NULL;
    s += strlen("constraint failed: ");
    size_t n = strcspn(s, ", ");
    const char *dot = memchr(s, '.', n);
    while (dot) {
        n -= (size_t)(dot + 1 - s);
        s = dot + 1;
        dot = memchr(s, '.', n);
    }
    return identifier(s, n, buf, cap);
}

/* The column PostgreSQL names: PG_DIAG_COLUMN_NAME when it gives one (not
 * null), else the first of "Key (a, b)=(..) already exists." (unique,
 * foreign key) from PG_DIAG_MESSAGE_DETAIL; never the value. */
static const char *pg_column(const char *column, const char *detail, char *buf, size_t cap)
{
    if (column) return identifier(column, strlen(column), buf, cap);
    const char *s = detail ? strstr(detail, "Key (") : NULL;
    if (!s) return NULL;
    s += strlen("Key (");
    return identifier(s, strcspn(s, ",)"), buf, cap);
}

static int build(apierr_problem **out, const outcome *o, const char *column, int validation_status)
{
    int r = apierr_server_problem(out, status_of(o, validation_status), o->code, o->message);
    if (r) return r;
    (*out)->retry_after_ms = o->retry_after_ms;
    if (o->detail && column && apierr_problem_add_detail(*out, column, o->detail, o->code)) {
        apierr_problem_free(*out);
        *out = NULL;
        return APIERR_ENOMEM;
    }
    return APIERR_OK;
}

int apierr_db_sqlite_problem(apierr_problem **out, int rc, const char *errmsg)
{
    char col[128];
    return build(out, sqlite_outcome(rc), sqlite_column(errmsg, col, sizeof col), 0);
}

int apierr_db_pg_problem(apierr_problem **out, const char *sqlstate, const char *column,
                         const char *detail, int validation_status)
{
    char col[128];
    return build(out, pg_outcome(sqlstate), pg_column(column, detail, col, sizeof col),
                 validation_status);
}
