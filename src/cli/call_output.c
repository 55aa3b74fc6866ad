/* `apierr call`: the outcome printed: the response's head as curl's -i, -I
 * and -D show it, the body, the problem of a failure, --output-json. */
#define _GNU_SOURCE /* strcasestr */
#include "call.h"
#include "util.h"

#include <errno.h>
#include <string.h>

void call_shown_url(char *buf, size_t cap, const apierr_result *r, const char *url)
{
    apierr_result_redact_url(buf, cap, r, url ? url : "");
}

/* The user's own data, as curl shows it: nothing redacted. The status line
 * is the server's, reason phrase and all; a result without one (out of
 * memory) gets the registry's. */
int call_print_headers(FILE *f, const apierr_result *r)
{
    if (!r->status) return CLI_EXIT_OK; /* no response came: nothing to show */
    const char *line = apierr_result_status_line(r);
    if (line)
        fprintf(f, "%s\r\n", line);
    else
        fprintf(f, "HTTP/1.1 %d %s\r\n", r->status, apierr_status_reason(r->status));
    for (size_t i = 0; i < r->nheaders; i++)
        fprintf(f, "%s: %s\r\n", r->headers[i].name, r->headers[i].value);
    fputs("\r\n", f);
    return ferror(f) ? CLI_EXIT_FAILURE : CLI_EXIT_OK;
}

static void print_problem(const apierr_result *r)
{
    const apierr_problem *p = r->problem;
    char url[2048];
    call_shown_url(url, sizeof url, r, r->url);
    fprintf(stderr, "apierr call: %s %s failed after %zu attempt%s: %s (%s)\n", r->method, url,
            r->nattempts, r->nattempts == 1 ? "" : "s", apierr_category_name(r->category),
            r->reason);
    if (!p) return;
    if (p->status)
        fprintf(stderr, "  status:     %d %s\n", p->status, apierr_status_reason(p->status));
    if (p->code) fprintf(stderr, "  code:       %s\n", p->code);
    if (p->message) fprintf(stderr, "  message:    %s\n", p->message);
    for (size_t i = 0; i < p->ndetails; i++)
        fprintf(stderr, "  field:      %s: %s\n", p->details[i].field ? p->details[i].field : "-",
                p->details[i].message ? p->details[i].message : "");
    const char *rid = p->request_id;
    for (size_t i = r->nattempts; !rid && i > 0; i--)
        if (r->attempts[i - 1].request_id[0]) rid = r->attempts[i - 1].request_id;
    if (rid) fprintf(stderr, "  request id: %s (give it to support)\n", rid);
}

int call_print_json(FILE *f, const apierr_result *r)
{
    char *json;
    if (apierr_result_to_json(&json, r, 1) != APIERR_OK) return CLI_EXIT_FAILURE;
    fprintf(f, "%s\n", json);
    apierr_free(json);
    return CLI_EXIT_OK;
}

/* -J: the file name of the response's Content-Disposition (RFC 6266
 * filename=, quoted or not), what follows its last / or \ only, so that
 * a server names a file and never a path; NULL when it gives none. */
static const char *disposition_name(const apierr_result *r, char *buf, size_t cap)
{
    const char *v = apierr_header_find(r->headers, r->nheaders, "Content-Disposition");
    const char *at = v ? strcasestr(v, "filename=") : NULL;
    if (!at || (at > v && at[-1] == '*')) return NULL;
    at += 9;
    size_t n = 0;
    int quoted = *at == '"';
    for (const char *p = at + quoted; *p && n + 1 < cap; p++) {
        if (quoted ? *p == '"' : (*p == ';' || *p == ' ')) break;
        if (quoted && *p == '\\' && p[1]) p++;
        buf[n++] = *p;
        if (*p == '/' || *p == '\\') n = 0; /* a path: its last part */
    }
    buf[n] = '\0';
    return n && strcmp(buf, ".") && strcmp(buf, "..") ? buf : NULL;
}

/* --etag-save FILE: the response's ETag and a line end, or an empty file
 * when it sent none (curl's). CLI_EXIT_OK or CLI_EXIT_FAILURE. */
static int save_etag(const struct call_args *a, const apierr_result *r)
{
    if (!a->etag_save || !r->status) return CLI_EXIT_OK;
    const char *etag = apierr_header_find(r->headers, r->nheaders, "ETag");
    FILE *f = fopen(a->etag_save, "w");
    if (f && etag) fprintf(f, "%s\n", etag);
    if (!f || fclose(f)) {
        cli_error(CALL_CMD, "cannot write '%s'", a->etag_save);
        return CLI_EXIT_FAILURE;
    }
    return CLI_EXIT_OK;
}

/* Opens the output of a's URL as curl would: -o - (or none) is stdout;
 * --output-dir DIR goes before the name; --no-clobber takes NAME.1 up to
 * NAME.100 when NAME is there (each made anew, never one that exists).
 * The name opened in file (cap bytes: "" for stdout). NULL after saying
 * why. */
static FILE *open_output(const struct call_args *a, const apierr_result *r, char *file, size_t cap)
{
    file[0] = '\0';
    if (!a->output || !strcmp(a->output, "-")) return stdout;
    char given[256];
    const char *name =
        a->output_remote && a->remote_header_name ? disposition_name(r, given, sizeof given) : NULL;
    int n = snprintf(file, cap, "%s%s%s", a->output_dir ? a->output_dir : "",
                     a->output_dir ? "/" : "", name ? name : a->output);
    if (n < 0 || (size_t)n + 5 >= cap) {
        cli_error(CALL_CMD, "the output file's name is too long");
        return NULL;
    }
    if (a->create_dirs) cli_make_parents(file);
    FILE *out = NULL;
    if (name && (out = fopen(file, "wbx")) == NULL && errno == EEXIST) {
        cli_error(CALL_CMD, "-J: refusing to overwrite '%s'", file);
        return NULL;
    }
    if (!out) out = fopen(file, a->no_clobber ? "wbx" : "wb");
    for (int i = 1; !out && a->no_clobber && errno == EEXIST && i <= 100; i++) {
        snprintf(file + n, cap - (size_t)n, ".%d", i);
        out = fopen(file, "wbx");
    }
    if (!out) cli_error(CALL_CMD, "cannot write '%s'", file);
    return out;
}

/* The outcome as -o, -i, -I, -D and -w ask: the head and the body of a
 * success to the output, the problem of a failure to stderr (its body to
 * the output only with --fail-with-body: curl's -f is the way apierr
 * always is; --remove-on-error takes that file away again), -w's text
 * last. */
int call_show(const struct call_args *a, const apierr_result *r, int rc)
{
    char file[4096] = "";
    if (a->output_json) return call_print_json(stdout, r) ? CLI_EXIT_FAILURE : rc;
    if (a->dump_header) {
        int to_stdout = !strcmp(a->dump_header, "-");
        if (!to_stdout && a->create_dirs) cli_make_parents(a->dump_header);
        FILE *d = to_stdout ? stdout : fopen(a->dump_header, "wb");
        if (!d || call_print_headers(d, r)) {
            cli_error(CALL_CMD, "cannot write '%s'", a->dump_header);
            rc = CLI_EXIT_FAILURE;
        }
        if (d && !to_stdout) fclose(d);
    }
    int head = a->include || a->head;
    int body = (r->ok || (a->fail_with_body && r->status)) && !a->head;
    if (body || head) {
        FILE *out = open_output(a, r, file, sizeof file);
        if (!out) return CLI_EXIT_FAILURE;
        if (head) call_print_headers(out, r);
        if (body) fwrite(r->body ? r->body : "", 1, r->body_len, out);
        if (out != stdout) fclose(out);
        if (out != stdout && !r->ok && a->remove_on_error) remove(file);
    }
    /* A GraphQL partial success: the data went out, the errors are said,
     * even with -s (they are part of the answer). */
    if (r->ok && r->problem)
        cli_error(CALL_CMD, "partial success: %s (GraphQL errors%s%s)",
                  r->problem->message ? r->problem->message : "errors with the data",
                  r->problem->code ? ", code " : "", r->problem->code ? r->problem->code : "");
    if (!r->ok) print_problem(r);
    /* curl's %{filename_effective} names the -o file even when nothing
     * went to it. */
    if (!file[0] && a->output && strcmp(a->output, "-"))
        snprintf(file, sizeof file, "%s%s%s", a->output_dir ? a->output_dir : "",
                 a->output_dir ? "/" : "", a->output);
    if (save_etag(a, r)) rc = CLI_EXIT_FAILURE;
    if (a->write_out && call_write_out(a, r, file)) rc = CLI_EXIT_FAILURE;
    return rc;
}
