/* SQLite result codes as problems: one table, most specific row first. */
#include "apierr/server/db_error.h"

#include "apierr/server/reply.h"

#include <sqlite3.h>
#include <string.h>

/* exact: match the extended code exactly, else its primary code (rc & 0xff).
 * detail: when set, the column the message names becomes a detail with it. */
static const struct {
    int rc;
    int exact;
    int status;
    const char *code;
    const char *message;
    long long retry_after_ms;
    const char *detail; /* detail message for the named column */
} map[] = {
    {SQLITE_CONSTRAINT_UNIQUE, 1, 409, "DUPLICATE_ENTRY",
     "A record with the same unique key already exists.", -1, "already exists"},
    {SQLITE_CONSTRAINT_PRIMARYKEY, 1, 409, "DUPLICATE_ENTRY",
     "A record with the same unique key already exists.", -1, "already exists"},
    {SQLITE_CONSTRAINT_NOTNULL, 1, 422, "CONSTRAINT_VIOLATION", "A required value is missing.", -1,
     "is required"},
    {SQLITE_CONSTRAINT_CHECK, 1, 422, "CONSTRAINT_VIOLATION",
     "A value is out of its allowed range.", -1, NULL},
    {SQLITE_BUSY, 0, 503, "DB_TIMEOUT", "The database is busy; retry after a short delay.",
     APIERR_DB_RETRY_AFTER_MS, NULL},
    {SQLITE_LOCKED, 0, 503, "DB_TIMEOUT", "The database is busy; retry after a short delay.",
     APIERR_DB_RETRY_AFTER_MS, NULL},
    {SQLITE_INTERRUPT, 0, 504, "DB_INTERRUPTED",
     "The database operation took too long and was stopped.", -1, NULL},
    {SQLITE_FULL, 0, 503, "DB_UNAVAILABLE", "The database is unavailable.", -1, NULL},
    {SQLITE_IOERR, 0, 503, "DB_UNAVAILABLE", "The database is unavailable.", -1, NULL},
    {-1, 0, 500, "INTERNAL_ERROR", "An internal error occurred.", -1, NULL},
};

static size_t row_of(int rc)
{
    size_t i = 0;
    for (; map[i].rc != -1; i++)
        if (map[i].exact ? rc == map[i].rc : (rc & 0xff) == map[i].rc) break;
    return i;
}

int apierr_db_sqlite_status(int rc)
{
    return map[row_of(rc)].status;
}

/* The column of "UNIQUE constraint failed: t.a, t.b" (its first one, "a"),
 * or NULL. Only the text after the last '.' of the first item is taken, so
 * no table name leaves the server. */
static const char *column_of(const char *errmsg, char *buf, size_t cap)
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
    if (n == 0 || n >= cap) return NULL;
    memcpy(buf, s, n);
    buf[n] = '\0';
    return buf;
}

int apierr_db_sqlite_problem(apierr_problem **out, int rc, const char *errmsg)
{
    size_t i = row_of(rc);
    int r = apierr_server_problem(out, map[i].status, map[i].code, map[i].message);
    if (r) return r;
    (*out)->retry_after_ms = map[i].retry_after_ms;
    char col[128];
    const char *field = map[i].detail ? column_of(errmsg, col, sizeof col) : NULL;
    if (field && apierr_problem_add_detail(*out, field, map[i].detail, map[i].code)) {
        apierr_problem_free(*out);
        *out = NULL;
        return APIERR_ENOMEM;
    }
    return APIERR_OK;
}
