/* logs.c - JSON-lines logs (see logs.h). */
#include "logs.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct refapi_log {
    FILE *f;
    int owned;
    pthread_mutex_t mu;
};

refapi_log *refapi_log_open(const char *path, char *err, size_t cap)
{
    refapi_log *l = calloc(1, sizeof *l);
    if (!l) {
        snprintf(err, cap, "out of memory");
        return NULL;
    }
    if (!strcmp(path, "-")) {
        l->f = stdout;
    } else if (!*path) {
        l->f = stderr;
    } else {
        l->f = fopen(path, "a");
        l->owned = 1;
        if (!l->f) {
            snprintf(err, cap, "cannot open '%s': %s", path, strerror(errno));
            free(l);
            return NULL;
        }
    }
    pthread_mutex_init(&l->mu, NULL);
    return l;
}

void refapi_log_close(refapi_log *l)
{
    if (!l) return;
    if (l->owned)
        fclose(l->f);
    else
        fflush(l->f);
    pthread_mutex_destroy(&l->mu);
    free(l);
}

void refapi_log_write(refapi_log *l, long long now_ms, json_t *obj)
{
    if (!l || !obj) {
        json_decref(obj);
        return;
    }
    char at[40];
    time_t t = (time_t)(now_ms / 1000);
    struct tm tm;
    gmtime_r(&t, &tm);
    size_t n = strftime(at, sizeof at, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(at + n, sizeof at - n, ".%03lldZ", now_ms % 1000);
    char *text = json_dumps(obj, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(obj);
    if (!text) return;
    pthread_mutex_lock(&l->mu);
    if (text[1] == '}')
        fprintf(l->f, "{\"time\":\"%s\"}\n", at);
    else
        fprintf(l->f, "{\"time\":\"%s\",%s\n", at, text + 1);
    fflush(l->f);
    pthread_mutex_unlock(&l->mu);
    free(text);
}
