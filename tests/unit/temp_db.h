/*
 * A scratch SQLite database for one test: cmocka setup/teardown that make a
 * fresh directory under $TMPDIR (or /tmp) and remove it with the database
 * and its WAL, SHM and journal files. Shared by the server tests that need a
 * real file (WAL mode, two connections). Include after cmocka.h.
 */
#ifndef APIERR_TEST_TEMP_DB_H
#define APIERR_TEST_TEMP_DB_H

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static char dir[512];    /* the scratch directory */
static char dbpath[600]; /* the database file in it */

static int setup(void **state)
{
    (void)state;
    const char *tmp = getenv("TMPDIR");
    snprintf(dir, sizeof dir, "%s/apierr-test-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(dir)) return -1;
    snprintf(dbpath, sizeof dbpath, "%s/test.db", dir);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    static const char *const suffixes[] = {"", "-wal", "-shm", "-journal"};
    char path[700];
    for (size_t i = 0; i < sizeof suffixes / sizeof *suffixes; i++) {
        snprintf(path, sizeof path, "%s%s", dbpath, suffixes[i]);
        unlink(path);
    }
    return rmdir(dir);
}

#endif
