/* `apierr call --trace FILE` and `--trace-ascii FILE`: the library's trace
 * (apierr_trace_fn, secrets already taken out) written in curl's dump
 * format, so that a trace of apierr reads, and diffs, like one of curl:
 * "== Info: ..." for libcurl's own lines, "=> Send header, N bytes (0xN)"
 * and its rows for bytes, 16 a row in hex and as characters, or with
 * --trace-ascii as characters only, 64 a row, a row ending at each CRLF.
 * --trace-time puts the local time before each block. */
#include "call.h"
#include "util.h"

#include <string.h>
#include <sys/time.h>
#include <time.h>

/* The head of each kind's block. */
static const char *const block_name[] = {
    [APIERR_TRACE_HEADER_IN] = "<= Recv header",
    [APIERR_TRACE_HEADER_OUT] = "=> Send header",
    [APIERR_TRACE_DATA_IN] = "<= Recv data",
    [APIERR_TRACE_DATA_OUT] = "=> Send data",
};

int call_trace_open(struct call_trace *t, const char *path, int ascii, int with_time)
{
    *t = (struct call_trace){.ascii = ascii, .with_time = with_time};
    if (!path) return CLI_EXIT_OK;
    if (!strcmp(path, "-")) {
        t->f = stdout;
    } else if (!strcmp(path, "%")) { /* curl's: standard error */
        t->f = stderr;
    } else if (!(t->f = fopen(path, "w"))) {
        cli_error(CALL_CMD, "cannot write the trace to '%s'", path);
        return CLI_EXIT_FAILURE;
    } else {
        t->own = 1;
    }
    return CLI_EXIT_OK;
}

void call_trace_close(struct call_trace *t)
{
    if (t->own) fclose(t->f);
    t->f = NULL;
}

static void put_time(const struct call_trace *t)
{
    if (!t->with_time) return;
    struct timeval tv;
    struct tm tm;
    gettimeofday(&tv, NULL);
    time_t s = tv.tv_sec;
    localtime_r(&s, &tm);
    fprintf(t->f, "%02d:%02d:%02d.%06ld ", tm.tm_hour, tm.tm_min, tm.tm_sec, (long)tv.tv_usec);
}

static int is_crlf(const unsigned char *p, size_t at, size_t size)
{
    return at + 1 < size && p[at] == '\r' && p[at + 1] == '\n';
}

/* The rows of one block. A row of --trace-ascii ends after a CRLF (not
 * shown) or at its width, whichever comes first. */
static void put_rows(const struct call_trace *t, const unsigned char *p, size_t size)
{
    const size_t width = t->ascii ? 64 : 16;
    for (size_t i = 0; i < size;) {
        size_t next = i + width;
        fprintf(t->f, "%04zx: ", i);
        for (size_t c = 0; !t->ascii && c < width; c++)
            if (i + c < size)
                fprintf(t->f, "%02x ", p[i + c]);
            else
                fputs("   ", t->f);
        for (size_t c = 0; c < width && i + c < size; c++) {
            if (t->ascii && is_crlf(p, i + c, size)) {
                next = i + c + 2;
                break;
            }
            fputc(p[i + c] >= 0x20 && p[i + c] < 0x80 ? p[i + c] : '.', t->f);
            if (t->ascii && is_crlf(p, i + c + 1, size)) {
                next = i + c + 3;
                break;
            }
        }
        fputc('\n', t->f);
        i = next;
    }
}

void call_trace_write(struct call_trace *t, apierr_trace_kind kind, const char *data, size_t len)
{
    if (!t->f) return;
    put_time(t);
    if (kind == APIERR_TRACE_TEXT) {
        fprintf(t->f, "== Info: %.*s", (int)len, data);
    } else {
        fprintf(t->f, "%s, %zu bytes (0x%zx)\n", block_name[kind], len, len);
        put_rows(t, (const unsigned char *)data, len);
    }
    fflush(t->f);
}
