/*
 * logs.h - the server's two logs as JSON lines: the access log (--access-log
 * FILE or - for stdout, one line per request) and the error log (stderr:
 * the cause of every 500 with its request id, failed logins). A line is
 * added whole under a lock, so that lines of concurrent requests never
 * interleave. Strings are escaped here (or by jansson, for the error log's
 * objects), whatever a client sent; no token or secret is ever given.
 *
 * A log opened with flush_ms > 0 gathers its lines and writes them in one
 * go when 64 KiB are in, and flush_ms after the first of them came in (a
 * thread of its own): the access log, where a write and a flush per line
 * were a system call per request. Closing it writes what is left, so a
 * stop (SIGTERM, after the drain) loses no line; a crash loses at most the
 * last flush_ms of them.
 */
#ifndef APIERR_REFAPI_LOGS_H
#define APIERR_REFAPI_LOGS_H

#include <jansson.h>
#include <stddef.h>

typedef struct refapi_log refapi_log;

/* Opens a log appending to path ("-": stdout, "": stderr); flush_ms 0:
 * each line is written and flushed at once. NULL with a reason in err. */
refapi_log *refapi_log_open(const char *path, int flush_ms, char *err, size_t cap);

/* Writes what is gathered, flushes and closes (a file; stdout and stderr
 * stay open). Accepts NULL. */
void refapi_log_close(refapi_log *l);

/* Writes obj as one line with "time" (ISO 8601, ms) first, and takes obj.
 * Accepts NULL l (obj is freed). */
void refapi_log_write(refapi_log *l, long long now_ms, json_t *obj);

/* A member of a line: a string (NULL: null) or, with is_num, a number. */
typedef struct refapi_log_field {
    const char *name;
    const char *str;
    long long num;
    int is_num;
} refapi_log_field;

#define REFAPI_LOG_STR(name, s) \
    {                           \
        (name), (s), 0, 0       \
    }
#define REFAPI_LOG_NUM(name, v)         \
    {                                   \
        (name), NULL, (long long)(v), 1 \
    }

/* Writes f[0..n) as one line of one object, "time" first, without
 * building it as a JSON value (the access log's line on every request).
 * Accepts NULL l. */
void refapi_log_fields(refapi_log *l, long long now_ms, const refapi_log_field *f, size_t n);

#endif
