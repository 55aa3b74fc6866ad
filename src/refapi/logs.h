/*
 * logs.h - the server's two logs as JSON lines: the access log (--access-log
 * FILE or - for stdout, one line per request) and the error log (stderr:
 * the cause of every 500 with its request id, failed logins). A line is
 * written whole under a lock, so that lines of concurrent requests never
 * interleave. Values come from jansson, which escapes whatever a client
 * sent; no token or secret is ever given to it.
 */
#ifndef APIERR_REFAPI_LOGS_H
#define APIERR_REFAPI_LOGS_H

#include <jansson.h>
#include <stddef.h>

typedef struct refapi_log refapi_log;

/* Opens a log appending to path ("-": stdout, "": stderr). NULL with a
 * reason in err. */
refapi_log *refapi_log_open(const char *path, char *err, size_t cap);

/* Flushes and closes (a file; stdout and stderr stay open). Accepts NULL. */
void refapi_log_close(refapi_log *l);

/* Writes obj as one line with "time" (ISO 8601, ms) first, and takes obj.
 * Accepts NULL l (obj is freed). */
void refapi_log_write(refapi_log *l, long long now_ms, json_t *obj);

#endif
