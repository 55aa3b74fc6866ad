/* `apierr call --update FILTER`: the filter of a read-modify-write, run
 * with /bin/sh. */
#include "call.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define CMD CALL_CMD

/* The apierr_update_fn of --update: runs `sh -c filter` with cur on stdin
 * (a temporary file, so a filter that writes before it reads cannot
 * deadlock) and its stdout as the new body. A filter that fails (non-zero
 * exit) stops the update. */
int call_run_filter(void *payload, const char *cur, size_t len, char **out, size_t *out_len)
{
    const char *filter = payload;
    char path[] = "/tmp/apierr-update-XXXXXX";
    int in = mkstemp(path);
    if (in < 0) return APIERR_EIO;
    unlink(path);
    int ok = write(in, cur, len) == (ssize_t)len && lseek(in, 0, SEEK_SET) == 0;
    int fd[2];
    if (!ok || pipe(fd) != 0) {
        close(in);
        return APIERR_EIO;
    }
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        dup2(in, 0);
        dup2(fd[1], 1);
        close(in);
        close(fd[0]);
        close(fd[1]);
        execl("/bin/sh", "sh", "-c", filter, (char *)NULL);
        _exit(127);
    }
    close(in);
    close(fd[1]);
    size_t cap = 4096, n = 0;
    char *buf = pid > 0 ? malloc(cap) : NULL;
    ssize_t got = 0;
    while (buf && (got = read(fd[0], buf + n, cap - n)) > 0) {
        n += (size_t)got;
        if (n == cap) {
            char *b = realloc(buf, cap *= 2);
            if (!b) free(buf);
            buf = b;
        }
    }
    close(fd[0]);
    int status = 1;
    if (pid > 0) waitpid(pid, &status, 0);
    if (!buf || got < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        if (pid > 0) cli_error(CMD, "--update filter '%s' failed", filter);
        free(buf);
        return APIERR_EIO;
    }
    /* apierr frees the new body with apierr_free(), so it must come from
     * apierr_malloc(); the output is read into a buffer of our own first,
     * as there is no apierr realloc to grow it with. */
    *out = apierr_malloc(n);
    if (*out) memcpy(*out, buf, n);
    free(buf);
    if (!*out) return APIERR_ENOMEM;
    *out_len = n;
    return APIERR_OK;
}
