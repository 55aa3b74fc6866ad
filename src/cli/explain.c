/*
 * apierr explain: reads an error response and tells a person what happened,
 * what to do, which fields failed and which step of the troubleshooting
 * checklist (seed 000) applies; --json says the same to a script.
 */
#include "util.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The troubleshooting checklist of seed 000, in its order (step 1 first). */
static const char *const checklist_steps[] = {
    "check the HTTP code", "read the response body", "verify the token", "verify tenantId",
    "check rate limits",   "retry (if appropriate)", "contact support",
};

#define STEP_RETRY   6
#define STEP_SUPPORT 7

/*
 * Which checklist step applies to a status, and the one that follows it
 * (0: none). The first row whose range holds the status wins, so specific
 * codes come before their class.
 */
static const struct checklist_row {
    int lo, hi;
    int step, next;
    const char *why;
} checklist_map[] = {
    {401, 401, 3, STEP_RETRY, "the token may be missing, expired or revoked"},
    {403, 403, 3, 0, "a scope may be missing: verify the token's OAuth scope and the user's role"},
    {404, 404, 4, 0,
     "for a resource you know exists, the tenantId may be wrong: verify it and the ID"},
    {429, 429, 5, STEP_RETRY, "too many requests: wait for Retry-After, then retry"},
    {500, 599, STEP_RETRY, STEP_SUPPORT,
     "retry with exponential backoff (1 s, 2 s, 4 s), up to 3 attempts"},
    {400, 499, 2, 0, "the message and the field errors tell which values to fix"},
    {100, 399, 1, 0, "this status is not an error: check the HTTP code you actually received"},
    {0, 0, 1, 0, "no HTTP status is known: check the HTTP code first (pass --status)"},
};

static const struct checklist_row *checklist_for(int status)
{
    for (size_t i = 0; i < sizeof checklist_map / sizeof checklist_map[0]; i++)
        if (status >= checklist_map[i].lo && status <= checklist_map[i].hi)
            return &checklist_map[i];
    return &checklist_map[sizeof checklist_map / sizeof checklist_map[0] - 1];
}

/* What the failure is and what to do, under the profile (NULL: the default
 * one). Without a status there is nothing to judge by: the category is
 * "unknown", and a person should report it rather than retry blindly. `rule`
 * is why, when a profile rule (or a GraphQL code) decided rather than the
 * status registry; otherwise NULL. */
typedef struct verdict {
    const char *category, *category_doc;
    const char *action, *action_doc;
    const char *rule;
    apierr_action action_id;
    int step, next_step; /* of the checklist; next_step 0: none */
    const char *step_why;
} verdict;

static verdict judge(const apierr_problem *p, const apierr_profile *profile,
                     apierr_graphql_kind gql)
{
    int status = p->effective_status ? p->effective_status : p->status;
    if (status < 100 || status > 599)
        return (verdict){.category = "unknown",
                         .category_doc = "no HTTP status is known, so it cannot be classified",
                         .action = apierr_action_name(APIERR_ACTION_GIVE_UP),
                         .action_doc = apierr_action_doc(APIERR_ACTION_GIVE_UP),
                         .action_id = APIERR_ACTION_GIVE_UP};
    apierr_outcome outcome = APIERR_OUTCOME_INIT;
    apierr_classification c;
    outcome.status = p->status;
    outcome.problem = p;
    /* The client's own decision on a GraphQL 200 (apierr_graphql_kind_of()):
     * a partial success is judged by its status alone. */
    if (gql == APIERR_GRAPHQL_PARTIAL) {
        outcome.status = 200; /* a 2xx, whatever status its errors name */
        outcome.problem = NULL;
    }
    if (gql == APIERR_GRAPHQL_FAILED)
        apierr_graphql_classify(&c, &outcome, profile ? &profile->policy : NULL);
    else
        apierr_profile_classify(&c, &outcome, profile);
    if (gql == APIERR_GRAPHQL_PARTIAL) c.reason = "GraphQL partial success: data with errors";
    int from_registry = strcmp(c.reason, apierr_status_reason(c.status)) == 0;
    return (verdict){.category = apierr_category_name(c.category),
                     .category_doc = apierr_category_doc(c.category),
                     .action = apierr_action_name(c.action),
                     .action_doc = apierr_action_doc(c.action),
                     .rule = from_registry ? NULL : c.reason,
                     .action_id = c.action};
}

/* The verdict on p, with the checklist step that applies. Step 6 reads
 * "retry (if appropriate)": the action under the profile says whether it
 * is (Gestix's 403 means "re-authenticate, then retry"; a 501 or seed 003's
 * 401 is not worth retrying). */
static verdict assess(const apierr_problem *p, const apierr_profile *profile,
                      apierr_graphql_kind gql)
{
    verdict v = judge(p, profile, gql);
    const struct checklist_row *c =
        checklist_for(p->effective_status ? p->effective_status : p->status);
    int retryable =
        v.action_id == APIERR_ACTION_RETRY || v.action_id == APIERR_ACTION_REFRESH_CREDENTIALS;
    v.step = c->step;
    v.step_why = c->why;
    v.next_step = c->next;
    if (!retryable && v.step == STEP_RETRY) {
        v.step = STEP_SUPPORT;
        v.step_why = "retrying will not help here: report it";
        v.next_step = 0;
    } else if (!retryable && v.next_step == STEP_RETRY) {
        v.next_step = 0;
    } else if (retryable && !v.next_step && v.step < STEP_RETRY) {
        v.next_step = STEP_RETRY;
    }
    return v;
}

struct explain_args {
    apierr_decode_opts opts;
    apierr_header *headers; /* room for one per argument */
    int dialect_given;
    int json;
    const apierr_profile *profile; /* &profile_value, or NULL */
    apierr_profile profile_value;
    apierr_custom_dialect custom; /* a profile file's custom_dialect, if any */
};

static int set_status(void *ctx, const char *v)
{
    return cli_parse_status(&((struct explain_args *)ctx)->opts.status, "explain", v);
}

static int set_header(void *ctx, const char *v)
{
    struct explain_args *a = ctx;
    /* The argument is split in place; argv strings are ours to modify. */
    if (cli_parse_header(&a->headers[a->opts.nheaders], (char *)v) == 0) {
        a->opts.nheaders++;
        return 0;
    }
    cli_error("explain", "--header wants 'Name: value', not '%s'", v);
    return -1;
}

static int set_content_type(void *ctx, const char *v)
{
    ((struct explain_args *)ctx)->opts.content_type = v;
    return 0;
}

static int set_dialect(void *ctx, const char *v)
{
    struct explain_args *a = ctx;
    a->dialect_given = 1;
    return cli_parse_dialect(&a->opts.dialect, "explain", v, 0);
}

/* A profile file is named by a path: it holds a '/' or ends in ".json". */
static int is_profile_path(const char *v)
{
    size_t n = strlen(v);
    return strchr(v, '/') || (n > 5 && strcmp(v + n - 5, ".json") == 0);
}

/* Reads a profile file, and its custom dialect when it declares one (the
 * body is then read by its paths: opts.custom). */
static int load_profile_file(struct explain_args *a, const char *path)
{
    char *text, err[160] = "";
    size_t len;
    if (cli_read_input(&text, &len, "explain", path, CLI_BODY_MAX)) return -1;
    int has_custom;
    int rc =
        cli_profile_parse(&a->profile_value, &a->custom, &has_custom, text, len, err, sizeof err);
    if (rc == APIERR_OK && has_custom) a->opts.custom = &a->custom;
    free(text);
    if (rc == APIERR_OK) return 0;
    cli_error("explain", "profile '%s': %s", path, err[0] ? err : apierr_strerror(rc));
    return -1;
}

static int set_profile(void *ctx, const char *v)
{
    struct explain_args *a = ctx;
    if (is_profile_path(v)) {
        if (load_profile_file(a, v)) return -1;
    } else if (apierr_profile_builtin(&a->profile_value, v) != APIERR_OK) {
        fprintf(stderr, "apierr explain: unknown profile '%s'; the profiles are:", v);
        for (size_t i = 0; apierr_profile_builtin_name(i); i++)
            fprintf(stderr, " %s", apierr_profile_builtin_name(i));
        fprintf(stderr, " (or a profile file: a path with a '/' or ending in .json)\n");
        return -1;
    }
    a->profile = &a->profile_value;
    return 0;
}

static int set_json(void *ctx, const char *v)
{
    (void)v;
    ((struct explain_args *)ctx)->json = 1;
    return 0;
}

static const cli_option options[] = {
    {"--status", "N", set_status, "HTTP status of the response", 0},
    {"--header", "'Name: value'", set_header, "a response header (repeatable)", 0},
    {"--content-type", "T", set_content_type, "Content-Type of the body", 0},
    {"--dialect", "NAME", set_dialect, "read the body in this dialect instead of detecting it", 0},
    {"--profile", "NAME|FILE", set_profile,
     "the API's profile: default, giponext, gotab, ..., or a file", 0},
    {"--json", NULL, set_json, "print one JSON object instead of prose", 0},
};
CLI_OPTIONS_FIT(options);

static const cli_command command = {
    "explain",
    "[FILE|-]",
    "Explains an HTTP error response: what happened, what to do, which fields failed\n"
    "and which step of the troubleshooting checklist applies. Reads the body from\n"
    "FILE, or standard input when FILE is - or absent.",
    options,
    sizeof options / sizeof options[0],
    NULL};

const cli_command *cli_explain_table(void)
{
    return &command;
}

/* --- prose --------------------------------------------------------------- */

/* Writes s for a terminal: control bytes, which a hostile body could use to
 * drive the terminal, are shown as \xNN. */
static void put_text(const char *s)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c < 0x20 || c == 0x7f)
            printf("\\x%02x", c);
        else
            putchar(c);
    }
}

static void put_line(const char *label, const char *value)
{
    if (!value) return;
    printf("%-14s ", label);
    put_text(value);
    putchar('\n');
}

static void print_prose(const apierr_problem *p, const struct explain_args *a, const verdict *v)
{
    if (p->status)
        printf("HTTP %d %s\n", p->status, apierr_status_reason(p->status));
    else
        printf("HTTP status unknown (pass --status N)\n");
    if (p->effective_status && p->effective_status != p->status)
        printf("%-14s %d %s (what the body says)\n", "effective:", p->effective_status,
               apierr_status_reason(p->effective_status));
    printf("%-14s %s: %s\n", "dialect:", apierr_dialect_name(p->dialect),
           apierr_dialect_doc(p->dialect));
    if (a->profile) put_line("profile:", a->profile->name);
    put_line("code:", p->code);
    put_line("message:", p->message);
    put_line("title:", p->title);
    put_line("type:", p->type);
    put_line("instance:", p->instance);
    put_line("path:", p->path);
    if (p->ndetails) printf("fields:\n");
    for (size_t i = 0; i < p->ndetails; i++) {
        const apierr_detail *d = &p->details[i];
        printf("  ");
        put_text(d->field ? d->field : "(no field)");
        printf(": ");
        put_text(d->message ? d->message : "(no message)");
        if (d->code) {
            printf(" [");
            put_text(d->code);
            printf("]");
        }
        putchar('\n');
    }
    put_line("request id:", p->request_id);
    put_line("timestamp:", p->timestamp);
    if (p->retry_after_ms >= 0) {
        if (p->retry_after_ms % 1000 == 0)
            printf("%-14s %lld s\n", "retry after:", p->retry_after_ms / 1000);
        else
            printf("%-14s %lld ms\n", "retry after:", p->retry_after_ms);
    }
    printf("\n%-14s %s: %s\n", "what happened:", v->category, v->category_doc);
    printf("%-14s %s: %s\n", "what to do:", v->action, v->action_doc);
    put_line("because:", v->rule);
    printf("%-14s step %d of %zu, %s: %s\n", "checklist:", v->step,
           sizeof checklist_steps / sizeof checklist_steps[0], checklist_steps[v->step - 1],
           v->step_why);
    if (v->next_step)
        printf("%-14s then step %d, %s\n", "", v->next_step, checklist_steps[v->next_step - 1]);
    /* Step 7 applies to every failure that persists; say what to send. */
    printf("%-14s if it persists, write to support with the endpoint, the HTTP code", "support:");
    if (p->status) printf(" (%d)", p->status);
    printf(", the error body and the timestamp");
    if (p->timestamp) {
        printf(" (");
        put_text(p->timestamp);
        printf(")");
    }
    if (p->request_id) {
        printf("; mention request id ");
        put_text(p->request_id);
    }
    printf("\n");
}

/* --- JSON ------------------------------------------------------------------ */

/* Length of the valid UTF-8 sequence at s (n bytes left), 0 when invalid:
 * no overlong forms, no surrogates, nothing above U+10FFFF, as jansson
 * demands. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
    unsigned cp;
    size_t len;
    if (s[0] < 0x80) return 1;
    if (s[0] >= 0xC2 && s[0] <= 0xDF)
        len = 2, cp = s[0] & 0x1F;
    else if (s[0] >= 0xE0 && s[0] <= 0xEF)
        len = 3, cp = s[0] & 0x0F;
    else if (s[0] >= 0xF0 && s[0] <= 0xF4)
        len = 4, cp = s[0] & 0x07;
    else
        return 0;
    if (n < len) return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80) return 0;
        cp = cp << 6 | (s[i] & 0x3F);
    }
    if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) || cp > 0x10FFFF ||
        (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return len;
}

/* A JSON string of s, invalid UTF-8 replaced by U+FFFD so that any body
 * still gives valid JSON; JSON null for NULL. NULL only when out of memory. */
static json_t *jstr(const char *s)
{
    if (!s) return json_null();
    size_t n = strlen(s);
    json_t *j = json_stringn(s, n);
    if (j) return j;
    char *clean = malloc(n * 3 + 1), *w = clean;
    if (!clean) return NULL;
    const unsigned char *r = (const unsigned char *)s, *end = r + n;
    while (r < end) {
        size_t len = utf8_len(r, (size_t)(end - r));
        if (len) {
            memcpy(w, r, len);
            w += len, r += len;
        } else {
            memcpy(w, "\xEF\xBF\xBD", 3);
            w += 3, r++;
        }
    }
    j = json_stringn(clean, (size_t)(w - clean));
    free(clean);
    return j;
}

static json_t *jint_or_null(long long v, int present)
{
    return present ? json_integer(v) : json_null();
}

/* Sets key to v; a NULL v (out of memory) makes it fail. Returns 0 or -1. */
static int put(json_t *obj, const char *key, json_t *v)
{
    return v ? json_object_set_new(obj, key, v) : -1;
}

static json_t *detail_json(const apierr_detail *d)
{
    json_t *o = json_object();
    if (o && !(put(o, "field", jstr(d->field)) | put(o, "message", jstr(d->message)) |
               put(o, "code", jstr(d->code))))
        return o;
    json_decref(o);
    return NULL;
}

static json_t *details_json(const apierr_problem *p)
{
    json_t *arr = json_array();
    for (size_t i = 0; arr && i < p->ndetails; i++) {
        /* append_new takes the detail even when it fails, NULL included */
        if (json_array_append_new(arr, detail_json(&p->details[i]))) {
            json_decref(arr);
            return NULL;
        }
    }
    return arr;
}

/* The problem's extension members as an object (the decoder keeps them as
 * JSON text), or null. */
static json_t *extensions_json(const apierr_problem *p)
{
    if (!p->extensions) return json_null();
    json_t *j = json_loads(p->extensions, 0, NULL);
    return j ? j : jstr(p->extensions);
}

/* Builds the stable `explain --json` object; documented in apierr(1). */
static json_t *problem_json(const apierr_problem *p, const struct explain_args *a, const verdict *v)
{
    json_t *o = json_object();
    if (!o) return NULL;
    int err = put(o, "status", jint_or_null(p->status, p->status != 0));
    err |= put(o, "reason", p->status ? jstr(apierr_status_reason(p->status)) : json_null());
    err |= put(o, "effective_status", jint_or_null(p->effective_status, p->effective_status != 0));
    err |= put(o, "text", jstr(apierr_problem_text(p)));
    /* extensions is JSON text: written as an object below */
#define CLI__JSON_FIELD(id, member, name) \
    if (APIERR_PF_##id != APIERR_PF_EXTENSIONS) err |= put(o, name, jstr(p->member));
    APIERR_PROBLEM_FIELD_MAP(CLI__JSON_FIELD)
#undef CLI__JSON_FIELD
    err |= put(o, "details", details_json(p));
    err |= put(o, "retry_after_ms", jint_or_null(p->retry_after_ms, p->retry_after_ms >= 0));
    err |= put(o, "dialect", jstr(apierr_dialect_name(p->dialect)));
    err |= put(o, "profile", a->profile ? jstr(a->profile->name) : json_null());
    err |= put(o, "category", jstr(v->category));
    err |= put(o, "action", jstr(v->action));
    err |= put(o, "rule", jstr(v->rule));
    err |= put(o, "checklist_step", json_integer(v->step));
    err |= put(o, "checklist_next", jint_or_null(v->next_step, v->next_step != 0));
    err |= put(o, "extensions", extensions_json(p));
    if (err) {
        json_decref(o);
        return NULL;
    }
    return o;
}

static int print_json(const apierr_problem *p, const struct explain_args *a, const verdict *v)
{
    json_t *o = problem_json(p, a, v);
    int rc = !o || json_dumpf(o, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER) || putchar('\n') < 0;
    json_decref(o);
    if (rc) cli_error("explain", "out of memory writing JSON");
    return rc ? CLI_EXIT_FAILURE : CLI_EXIT_OK;
}

/* --- the command ----------------------------------------------------------- */

static long long now_ms(void)
{
    struct timespec ts;
    if (clock_gettime(CLOCK_REALTIME, &ts)) return 0;
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* `apierr explain`: see apierr(1). Returns a CLI_EXIT_ code. */
int cli_explain(int argc, char **argv)
{
    struct explain_args a = {.opts = APIERR_DECODE_OPTS_INIT};
    const char *file;
    char *body = NULL;
    size_t len;
    apierr_problem *p = NULL;
    int rc;

    a.headers = calloc((size_t)argc + 1, sizeof *a.headers);
    if (!a.headers) {
        cli_error("explain", "out of memory");
        return CLI_EXIT_FAILURE;
    }
    a.opts.headers = a.headers;
    switch (cli_parse_args(&command, argc, argv, &a, &file)) {
    case CLI_ARGS_HELP:
        rc = CLI_EXIT_OK;
        goto out;
    case CLI_ARGS_USAGE:
        rc = CLI_EXIT_USAGE;
        goto out;
    }
    /* A profile says how its API writes errors; --dialect overrides it. */
    if (a.profile && !a.dialect_given) a.opts.dialect = a.profile->dialect;
    if ((rc = cli_read_input(&body, &len, "explain", file, CLI_BODY_MAX))) goto out;
    a.opts.now_ms = now_ms();
    if (apierr_problem_decode(&p, body, len, &a.opts) != APIERR_OK) {
        cli_error("explain", "out of memory decoding the body");
        rc = CLI_EXIT_FAILURE;
        goto out;
    }
    /* A 2xx GraphQL body with errors is read as GraphQL whatever the
     * profile's dialect, as the client reads it. */
    apierr_graphql_kind gql =
        apierr_graphql_kind_of(a.opts.status, body, len, a.profile ? &a.profile->policy : NULL);
    if (gql != APIERR_GRAPHQL_NONE && p->dialect != APIERR_DIALECT_GRAPHQL && !a.dialect_given) {
        apierr_problem_free(p);
        p = NULL;
        a.opts.dialect = APIERR_DIALECT_GRAPHQL;
        if (apierr_problem_decode(&p, body, len, &a.opts) != APIERR_OK) {
            cli_error("explain", "out of memory decoding the body");
            rc = CLI_EXIT_FAILURE;
            goto out;
        }
    }
    verdict v = assess(p, a.profile, gql);
    if (a.json)
        rc = print_json(p, &a, &v);
    else
        print_prose(p, &a, &v);
    if (fflush(stdout)) rc = CLI_EXIT_FAILURE;
out:
    apierr_problem_free(p);
    free(body);
    free(a.headers);
    return rc;
}
