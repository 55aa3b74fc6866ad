/*
 * gmtime.c - gmtime_r() for the whole process, with a memo per thread of
 * the last time asked for. libmicrohttpd 0.9.75 writes the Date header of
 * every response through gmtime_r(), and glibc's takes the process's time
 * zone lock on every call, though UTC needs no zone: under a flood of 429s
 * both workers took that one lock on each answer (glibc's __tz_convert,
 * 1.1% of the server's time under perf). The executable's definition
 * takes the place of libc's for every library of the process (ELF symbol
 * interposition, as tap.c's recv()). The same time again is the same
 * broken-down time, copied from the memo; any other is libc's answer,
 * through dlsym(RTLD_NEXT), kept when it is one.
 */
#define _GNU_SOURCE /* RTLD_NEXT */
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <time.h>

typedef struct tm *(*gmtime_fn)(const time_t *, struct tm *);

static gmtime_fn libc_gmtime_r;
static pthread_once_t found = PTHREAD_ONCE_INIT;

/* dlsym() answers an object pointer; POSIX has it hold a function's. */
static void find_libc(void)
{
    void *f = dlsym(RTLD_NEXT, "gmtime_r");
    memcpy(&libc_gmtime_r, &f, sizeof f);
}

/* Visible, or the build's hidden default would keep it from
 * libmicrohttpd. */
__attribute__((visibility("default"))) struct tm *gmtime_r(const time_t *t, struct tm *tp)
{
    static _Thread_local struct {
        int valid;
        time_t t;
        struct tm tm;
    } last;
    if (last.valid && last.t == *t) {
        *tp = last.tm;
        return tp;
    }
    pthread_once(&found, find_libc);
    if (!libc_gmtime_r) {
        errno = ENOSYS;
        return NULL;
    }
    if (!libc_gmtime_r(t, tp)) return NULL;
    last.t = *t;
    last.tm = *tp;
    last.valid = 1;
    return tp;
}
