/* `apierr call --input FILE --parallel N`: the batch runner. Reads the
 * request lines, keeps N calls submitted (a call that ends submits the
 * next), prints each outcome and a summary by category. */
#include "call.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

struct batch {
    const struct call_args *a;
    apierr_client *client;
    char **lines;
    size_t nlines, next, done, ok, attempts;
    size_t by_category[APIERR_CAT__COUNT];
    const char *body_type; /* of a body that is not JSON */
    long long last_progress;
    int progress;
};

static void submit_next(struct batch *b);

static void progress(struct batch *b, int final)
{
    if (!b->progress) return;
    fprintf(stderr, "\r%zu/%zu done, %zu ok, %zu failed%s", b->done, b->nlines, b->ok,
            b->done - b->ok, final ? "\n" : "");
}

static void batch_done(void *payload, apierr_result *r)
{
    struct batch *b = payload;
    b->done++;
    b->attempts += r->nattempts;
    b->by_category[r->category]++;
    if (r->ok) b->ok++;
    if (b->a->output_json) call_print_json(stdout, r);
    long long now = (long long)time(NULL);
    if (now != b->last_progress) {
        b->last_progress = now;
        progress(b, 0);
    }
    submit_next(b);
}

/* Submits the next line that holds a valid request; lines that do not
 * count as failed (invalid_request) without a call. */
static void submit_next(struct batch *b)
{
    while (b->next < b->nlines) {
        char *line = b->lines[b->next++];
        const char *method, *url, *body;
        if (apierr_batch_line_parse(line, &method, &url, &body) != APIERR_OK) {
            b->done++;
            b->by_category[APIERR_CAT_INVALID_REQUEST]++;
            continue;
        }
        apierr_request req = APIERR_REQUEST_INIT;
        req.method = method;
        req.url = url;
        req.headers = b->a->headers;
        req.nheaders = b->a->nheaders;
        req.idempotency_key = b->a->key;
        req.max_time_ms = (long long)(b->a->max_time * 1000 + 0.5);
        if (body) {
            req.body = body;
            req.body_len = strlen(body);
            req.content_type = body[0] == '{' || body[0] == '[' ? "application/json" : b->body_type;
        }
        if (apierr_client_submit(b->client, &req, batch_done, b) == APIERR_OK) return;
        b->done++;
        b->by_category[APIERR_CAT_INVALID_REQUEST]++;
    }
}

/* Splits text into lines in place; only lines that hold a request count. */
static char **split_lines(char *text, size_t *n)
{
    size_t cap = 1;
    for (const char *p = text; *p; p++) cap += *p == '\n';
    char **v = malloc(cap * sizeof *v);
    if (!v) return NULL;
    *n = 0;
    for (char *save = NULL, *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
        char *t = call_trim(l);
        if (*t && *t != '#') v[(*n)++] = t;
    }
    return v;
}

static void summary(const struct batch *b, long long t0)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    fprintf(stderr, "%zu calls: %zu ok, %zu failed, %zu attempts, %lld s, max RSS %ld KiB",
            b->nlines, b->ok, b->nlines - b->ok, b->attempts, (long long)time(NULL) - t0,
            ru.ru_maxrss);
    for (int c = 1; c < APIERR_CAT__COUNT; c++)
        if (b->by_category[c])
            fprintf(stderr, ", %s %zu", apierr_category_name((apierr_category)c),
                    b->by_category[c]);
    fputc('\n', stderr);
}

int call_batch(apierr_client *client, const struct call_args *a)
{
    char *text;
    size_t len;
    int rc = cli_read_input(&text, &len, CALL_CMD, a->input, (size_t)1 << 30);
    if (rc) return rc;
    struct batch b = {.a = a, .client = client, .body_type = "text/plain"};
    b.lines = split_lines(text, &b.nlines);
    if (!b.lines) {
        free(text);
        return CLI_EXIT_FAILURE;
    }
    b.progress = !a->silent && isatty(2);
    long long t0 = (long long)time(NULL);
    size_t n = a->parallel > 0 ? (size_t)a->parallel : 1;
    for (size_t i = 0; i < n && b.next < b.nlines; i++) submit_next(&b);
    rc = apierr_client_run(client) == APIERR_OK ? CLI_EXIT_OK : CLI_EXIT_FAILURE;
    progress(&b, 1);
    if (!a->silent) summary(&b, t0);
    if (rc == CLI_EXIT_OK && b.ok < b.nlines) {
        /* The exit code of the most frequent failure. */
        int worst = 1;
        for (int c = 1; c < APIERR_CAT__COUNT; c++)
            if (b.by_category[c] > b.by_category[worst]) worst = c;
        rc = call_exit_code((apierr_category)worst);
    }
    free(b.lines);
    free(text);
    return rc;
}
