/* `apierr call --input FILE --parallel N`: the batch runner. Reads the
 * request lines, keeps N calls submitted (a call that ends submits the
 * next), prints each outcome (or, without --output-json, each failure, by
 * its line number) and a summary by category. */
#include "call.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

/* A request line, and where it stands in the file (people fix line 12). */
struct line {
    char *text;
    size_t no;
};

struct batch {
    const struct call_args *a;
    apierr_client *client;
    struct line *lines;
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

/* One JSON line: the result's, with the member "line" added. */
static void print_json_line(const apierr_result *r, size_t no)
{
    char *json;
    if (apierr_result_to_json(&json, r, 1) != APIERR_OK) return;
    size_t n = strlen(json);
    if (n && json[n - 1] == '}') json[n - 1] = '\0';
    printf("%s,\"line\":%zu}\n", json, no);
    apierr_free(json);
}

/* A line that holds no request: an error line of its own, never silence. */
static void line_failed(struct batch *b, const struct line *l, const char *why)
{
    b->done++;
    b->by_category[APIERR_CAT_INVALID_REQUEST]++;
    if (b->a->output_json)
        printf("{\"ok\":false,\"category\":\"invalid_request\",\"status\":0,\"reason\":\"%s\","
               "\"problem\":null,\"attempts\":[],\"line\":%zu}\n",
               why, l->no);
    else if (!b->a->silent)
        fprintf(stderr, "line %zu: invalid_request: %s\n", l->no, why);
}

static void batch_done(void *payload, apierr_result *r)
{
    struct batch *b = payload;
    const struct line *l = r->user;
    b->done++;
    b->attempts += r->nattempts;
    b->by_category[r->category]++;
    if (r->ok) b->ok++;
    if (b->a->output_json) {
        print_json_line(r, l->no);
    } else if (!r->ok && !b->a->silent) {
        char url[2048];
        call_shown_url(url, sizeof url, r, r->url);
        const char *msg = r->problem && r->problem->message ? r->problem->message : r->reason;
        fprintf(stderr, "line %zu: %s %s: %s: %s\n", l->no, r->method ? r->method : "?", url,
                apierr_category_name(r->category), msg);
    }
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
        struct line *l = &b->lines[b->next++];
        const char *method, *url, *body;
        if (apierr_batch_line_parse(l->text, &method, &url, &body) != APIERR_OK) {
            line_failed(b, l, "no URL: a line is METHOD URL [BODY]");
            continue;
        }
        apierr_request req = APIERR_REQUEST_INIT;
        req.method = method;
        req.url = url;
        req.headers = b->a->headers;
        req.nheaders = b->a->nheaders;
        req.idempotency_key = b->a->key;
        req.max_time_ms = (long long)(b->a->max_time * 1000 + 0.5);
        req.user = l;
        if (body) {
            req.body = body;
            req.body_len = strlen(body);
            req.content_type = body[0] == '{' || body[0] == '[' ? "application/json" : b->body_type;
        }
        int rc = apierr_client_submit(b->client, &req, batch_done, b);
        if (rc == APIERR_OK) return;
        line_failed(b, l,
                    rc != APIERR_EINVAL            ? "the call could not be queued"
                    : !apierr_method_valid(method) ? "the method is not a token (GET, POST, ...)"
                                                   : "not an http:// or https:// URL with a host "
                                                     "and no white space");
    }
}

/* Splits text into lines in place, numbered from 1; only lines that hold
 * a request count (not blank ones or comments). */
static struct line *split_lines(char *text, size_t *n)
{
    size_t cap = 1;
    for (const char *p = text; *p; p++) cap += *p == '\n';
    struct line *v = malloc(cap * sizeof *v);
    if (!v) return NULL;
    *n = 0;
    size_t no = 1;
    for (char *p = text; p; no++) {
        char *nl = strchr(p, '\n');
        if (nl) *nl = '\0';
        char *t = call_trim(p);
        if (*t && *t != '#') v[(*n)++] = (struct line){t, no};
        p = nl ? nl + 1 : NULL;
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
