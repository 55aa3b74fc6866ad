/*
 * A redis-server of the test's own for the tests of tests/engines (include
 * after cmocka.h): started on the free 127.0.0.1 port the calling script
 * gives in $REDIS_TEST_PORT, stopped, and started again empty, so that a
 * test can see a backend go away and come back. url names its database 3.
 */
#ifndef APIERR_TEST_REDIS_FIXTURE_H
#define APIERR_TEST_REDIS_FIXTURE_H

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

static int port;
static pid_t redis_pid;
static char url[64];

static inline void redis_cli(const char *command)
{
    char cmd[160];
    snprintf(cmd, sizeof cmd, "redis-cli -p %d %s >/dev/null", port, command);
    assert_int_equal(system(cmd), 0);
}

static inline void redis_start(void)
{
    char portstr[16];
    snprintf(portstr, sizeof portstr, "%d", port);
    redis_pid = fork();
    assert_true(redis_pid >= 0);
    if (redis_pid == 0) {
        /* Ends with the test, even one that aborts (a sanitizer): an
         * orphan would hold the test's output open, and ctest would wait
         * on it for ever. */
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (!freopen("/dev/null", "w", stdout)) _exit(126);
        execlp("redis-server", "redis-server", "--port", portstr, "--bind", "127.0.0.1", "--save",
               "", "--appendonly", "no", (char *)NULL);
        _exit(127);
    }
    char cmd[96];
    snprintf(cmd, sizeof cmd, "redis-cli -p %d ping 2>/dev/null | grep -q PONG", port);
    for (int i = 0; i < 200 && system(cmd) != 0; i++) usleep(20000);
    assert_int_equal(system(cmd), 0);
}

static inline void redis_stop(void)
{
    kill(redis_pid, SIGTERM);
    waitpid(redis_pid, NULL, 0);
}

/* Reads $REDIS_TEST_PORT and starts the server; 77 (skip) without it. */
static inline int redis_fixture_start(const char *runner)
{
    const char *p = getenv("REDIS_TEST_PORT");
    if (!p) {
        fprintf(stderr, "skipped: REDIS_TEST_PORT is not set (run by %s)\n", runner);
        return 77;
    }
    port = atoi(p);
    snprintf(url, sizeof url, "redis://127.0.0.1:%d/3", port);
    redis_start();
    return 0;
}

#endif
