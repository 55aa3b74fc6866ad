/* errlog.c - the per-client rings of recent errors (see errlog.h). */
#include "errlog.h"

#include <string.h>

void refapi_errlog_init(refapi_errlog *log)
{
    memset(log, 0, sizeof *log);
    pthread_mutex_init(&log->lock, NULL);
}

void refapi_errlog_destroy(refapi_errlog *log)
{
    pthread_mutex_destroy(&log->lock);
}

void refapi_errlog_add(refapi_errlog *log, int client, const refapi_errlog_entry *e)
{
    pthread_mutex_lock(&log->lock);
    refapi_errlog_ring *ring = &log->ring[client];
    ring->e[ring->next] = *e;
    ring->next = (ring->next + 1) % REFAPI_ERRLOG;
    if (ring->count < REFAPI_ERRLOG) ring->count++;
    pthread_mutex_unlock(&log->lock);
}

size_t refapi_errlog_recent(refapi_errlog *log, int client, refapi_errlog_entry out[REFAPI_ERRLOG])
{
    pthread_mutex_lock(&log->lock);
    refapi_errlog_ring *ring = &log->ring[client];
    size_t n = ring->count;
    for (size_t k = 0; k < n; k++)
        out[k] = ring->e[(ring->next + REFAPI_ERRLOG - 1 - k) % REFAPI_ERRLOG];
    pthread_mutex_unlock(&log->lock);
    return n;
}
