/* `apierr call -w FORMAT`: curl's --write-out. %{name} is a variable of the
 * table below, %header{name} a response header (a secret one REDACTED), %%
 * a percent sign, \n \r \t
 * and \\ the escapes curl knows; %{stdout} and %{stderr} switch the stream;
 * -w @FILE reads the format from FILE.
 * An unknown variable is named on stderr and prints nothing, as in curl. */
#include "call.h"
#include "util.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef void (*var_fn)(FILE *f, const apierr_result *r);

static void v_http_code(FILE *f, const apierr_result *r)
{
    fprintf(f, "%03d", r->status);
}

/* The whole call, retries and waits included; to the microsecond of the
 * last attempt's end when its figures were kept (the call's own clock
 * counts milliseconds, and a total under the attempt's time_starttransfer
 * would read as nonsense). */
static void v_time_total(FILE *f, const apierr_result *r)
{
    double total = (double)r->elapsed_ms / 1000.0;
    apierr_transfer_info info = {.version = APIERR_TRANSFER_INFO_VERSION};
    if (r->nattempts && apierr_result_transfer_info(r, &info) == APIERR_OK) {
        double last = (double)r->attempts[r->nattempts - 1].started_ms / 1000.0 + info.time_total;
        if (last > total) total = last;
    }
    fprintf(f, "%.6f", total);
}

static void v_num_retries(FILE *f, const apierr_result *r)
{
    fprintf(f, "%zu", r->nattempts ? r->nattempts - 1 : 0);
}

static void v_num_attempts(FILE *f, const apierr_result *r)
{
    fprintf(f, "%zu", r->nattempts);
}

/* Attempts sent as hedges (--hedge), cancelled ones included: they count in
 * num_attempts and num_retries too. */
static void v_num_hedges(FILE *f, const apierr_result *r)
{
    size_t n = 0;
    for (size_t i = 0; i < r->nattempts; i++)
        n += (apierr_attempt_flags(r, i) & APIERR_ATTEMPT_HEDGE) != 0;
    fprintf(f, "%zu", n);
}

/* Where -L's redirects led (the URL called without them), redacted as
 * every URL apierr prints. */
static void v_url_effective(FILE *f, const apierr_result *r)
{
    char url[4096];
    call_shown_url(url, sizeof url, r, apierr_result_url_effective(r));
    fputs(url, f);
}

/* The URL asked for, before any redirect. */
static void v_url(FILE *f, const apierr_result *r)
{
    char url[4096];
    call_shown_url(url, sizeof url, r, r->url);
    fputs(url, f);
}

static void v_method(FILE *f, const apierr_result *r)
{
    fputs(r->method ? r->method : "", f);
}

static void v_category(FILE *f, const apierr_result *r)
{
    fputs(apierr_category_name(r->category), f);
}

static void v_reason(FILE *f, const apierr_result *r)
{
    fputs(r->reason, f);
}

static void v_exitcode(FILE *f, const apierr_result *r)
{
    fprintf(f, "%d", call_exit_code(r->category));
}

static void v_size_download(FILE *f, const apierr_result *r)
{
    fprintf(f, "%zu", r->body_len);
}

static void v_content_type(FILE *f, const apierr_result *r)
{
    const char *v = apierr_header_find(r->headers, r->nheaders, "Content-Type");
    fputs(v ? v : "", f);
}

static void v_code(FILE *f, const apierr_result *r)
{
    if (r->problem && r->problem->code) fputs(r->problem->code, f);
}

static void v_request_id(FILE *f, const apierr_result *r)
{
    const char *rid = r->problem ? r->problem->request_id : NULL;
    for (size_t i = r->nattempts; !rid && i > 0; i--)
        if (r->attempts[i - 1].request_id[0]) rid = r->attempts[i - 1].request_id;
    if (rid) fputs(rid, f);
}

static void json_str(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            fprintf(f, "\\%c", c);
        else if (c < 0x20)
            fprintf(f, "\\u%04x", c);
        else
            fputc(c, f);
    }
    fputc('"', f);
}

/* curl's form, line breaks included: names in lower case, each with the
 * array of its values; unlike curl's, a secret's values (Set-Cookie, the
 * --redact names) are REDACTED: -w output ends up in logs and CI
 * transcripts, where -i and -D (the user's own files) do not. */
static void v_header_json(FILE *f, const apierr_result *r)
{
    fputc('{', f);
    for (size_t i = 0; i < r->nheaders; i++) {
        size_t first = 0;
        while (strcasecmp(r->headers[first].name, r->headers[i].name)) first++;
        if (first < i) continue; /* listed with the first of its name */
        char name[256];
        size_t n = 0;
        for (const char *s = r->headers[i].name; *s && n < sizeof name - 1; s++)
            name[n++] = (char)(*s >= 'A' && *s <= 'Z' ? *s + 32 : *s);
        name[n] = '\0';
        fputs(i ? ",\n" : "", f);
        json_str(f, name);
        int secret = apierr_result_header_is_secret(r, r->headers[i].name);
        fputs(":[", f);
        for (size_t j = i, k = 0; j < r->nheaders; j++) {
            if (strcasecmp(r->headers[j].name, r->headers[i].name)) continue;
            fputs(k++ ? "," : "", f);
            json_str(f, secret ? "REDACTED" : r->headers[j].value);
        }
        fputc(']', f);
    }
    fputs(r->nheaders ? "\n}" : "}", f);
}

/* The last attempt's transport failure, as curl's %{errormsg} gives it;
 * empty when a response came. */
static void v_errormsg(FILE *f, const apierr_result *r)
{
    const apierr_attempt *last = r->nattempts ? &r->attempts[r->nattempts - 1] : NULL;
    if (last && !last->status && last->status_text) fputs(last->status_text, f);
}

static void v_num_headers(FILE *f, const apierr_result *r)
{
    fprintf(f, "%zu", r->nheaders);
}

/* How a variable is printed, and typed in %{json}: by its function, as a
 * number or a string; or, for what libcurl measured of the last response
 * (apierr_result_transfer_info(), kept because -w asks the client for it),
 * from its member, as its kind says. Without a response those are zeros
 * and empty strings, as curl prints them then. */
enum var_kind {
    V_NUMBER, /* by fn: a number */
    V_STRING, /* by fn: a string */
    F_LONG,   /* the figures: numbers up to F_SECONDS */
    F_BYTES,
    F_SPEED,
    F_SECONDS,
    F_TEXT,
    F_URL,
    F_VERSION,
    F_SCHEME
};

/* The variables: curl's names, apierr's own (category, reason, code,
 * request_id, num_attempts, num_hedges), then curl's transfer figures. */
#define AT(member) offsetof(apierr_transfer_info, member)
static const struct {
    const char *name;
    var_fn fn; /* NULL for a figure */
    enum var_kind kind;
    size_t at; /* of a figure's member */
} vars[] = {
    {"http_code", v_http_code, V_NUMBER, 0},
    {"response_code", v_http_code, V_NUMBER, 0},
    {"time_total", v_time_total, V_NUMBER, 0},
    {"num_retries", v_num_retries, V_NUMBER, 0},
    {"url_effective", v_url_effective, V_STRING, 0},
    {"url", v_url, V_STRING, 0},
    {"method", v_method, V_STRING, 0},
    {"header_json", v_header_json, V_STRING, 0},
    {"content_type", v_content_type, V_STRING, 0},
    {"size_download", v_size_download, V_NUMBER, 0},
    {"exitcode", v_exitcode, V_NUMBER, 0},
    {"category", v_category, V_STRING, 0},
    {"reason", v_reason, V_STRING, 0},
    {"code", v_code, V_STRING, 0},
    {"request_id", v_request_id, V_STRING, 0},
    {"num_attempts", v_num_attempts, V_NUMBER, 0},
    {"num_hedges", v_num_hedges, V_NUMBER, 0},
    {"errormsg", v_errormsg, V_STRING, 0},
    {"num_headers", v_num_headers, V_NUMBER, 0},
    {"http_version", NULL, F_VERSION, AT(http_version)},
    {"scheme", NULL, F_SCHEME, AT(scheme)},
    {"remote_ip", NULL, F_TEXT, AT(remote_ip)},
    {"remote_port", NULL, F_LONG, AT(remote_port)},
    {"local_ip", NULL, F_TEXT, AT(local_ip)},
    {"local_port", NULL, F_LONG, AT(local_port)},
    {"size_header", NULL, F_BYTES, AT(size_header)},
    {"size_request", NULL, F_BYTES, AT(size_request)},
    {"size_upload", NULL, F_BYTES, AT(size_upload)},
    {"speed_download", NULL, F_SPEED, AT(speed_download)},
    {"speed_upload", NULL, F_SPEED, AT(speed_upload)},
    {"time_namelookup", NULL, F_SECONDS, AT(time_namelookup)},
    {"time_connect", NULL, F_SECONDS, AT(time_connect)},
    {"time_appconnect", NULL, F_SECONDS, AT(time_appconnect)},
    {"time_pretransfer", NULL, F_SECONDS, AT(time_pretransfer)},
    {"time_starttransfer", NULL, F_SECONDS, AT(time_starttransfer)},
    {"time_redirect", NULL, F_SECONDS, AT(time_redirect)},
    {"num_connects", NULL, F_LONG, AT(num_connects)},
    {"num_redirects", NULL, F_LONG, AT(num_redirects)},
    {"redirect_url", NULL, F_URL, AT(redirect_url)},
    {"ssl_verify_result", NULL, F_LONG, AT(ssl_verify_result)},
};
#undef AT

/* Prints variable i. */
static void print_var(FILE *f, size_t i, const apierr_result *r)
{
    if (vars[i].fn) {
        vars[i].fn(f, r);
        return;
    }
    apierr_transfer_info info = {.version = APIERR_TRANSFER_INFO_VERSION};
    if (apierr_result_transfer_info(r, &info) != APIERR_OK)
        info = (apierr_transfer_info){.version = APIERR_TRANSFER_INFO_VERSION};
    const void *v = (const char *)&info + vars[i].at;
    switch (vars[i].kind) {
    case V_NUMBER:
    case V_STRING:
        break; /* printed by their functions */
    case F_LONG:
        fprintf(f, "%ld", *(const long *)v);
        break;
    case F_BYTES:
        fprintf(f, "%lld", *(const long long *)v);
        break;
    case F_SPEED:
        fprintf(f, "%.0f", *(const double *)v);
        break;
    case F_SECONDS:
        fprintf(f, "%.6f", *(const double *)v);
        break;
    case F_TEXT:
        fputs((const char *)v, f);
        break;
    case F_URL: { /* redacted, as every URL apierr prints */
        char url[sizeof info.redirect_url];
        call_shown_url(url, sizeof url, r, v);
        fputs(*(const char *)v ? url : "", f);
        break;
    }
    case F_VERSION: { /* curl's "1.1", "2"; "0" without a response */
        int n = *(const int *)v;
        if (n % 10)
            fprintf(f, "%d.%d", n / 10, n % 10);
        else
            fprintf(f, "%d", n / 10);
        break;
    }
    case F_SCHEME: /* upper case, as curl 7.88 prints it */
        for (const char *c = v; *c; c++) fputc(*c >= 'a' && *c <= 'z' ? *c - 32 : *c, f);
        break;
    }
}

/* One member of %{json}, typed as curl types it: a number, or a string
 * (null when empty). "000", no response, is the number 0. */
static void json_member(FILE *f, const char *name, const char *value, int number, int *first)
{
    fputs(*first ? "{" : ",", f);
    *first = 0;
    json_str(f, name);
    fputc(':', f);
    if (number && value[0] == '0' && value[1] >= '0' && value[1] <= '9')
        fprintf(f, "%.15g", strtod(value, NULL)); /* "000" is no JSON number */
    else if (number)
        fputs(*value ? value : "0", f); /* as -w prints it: time_total 0.001234 */
    else if (*value)
        json_str(f, value);
    else
        fputs("null", f);
}

/* %{json}: every variable as one JSON object, as curl's (header_json has
 * %{header_json}). */
static void all_json(FILE *f, const apierr_result *r, const struct call_args *a, const char *file)
{
    int first = 1;
    for (size_t i = 0; i < sizeof vars / sizeof vars[0]; i++) {
        if (vars[i].fn == v_header_json) continue;
        char *text = NULL;
        size_t len = 0;
        FILE *m = open_memstream(&text, &len);
        if (!m) return;
        print_var(m, i, r);
        fclose(m);
        int number =
            vars[i].kind == V_NUMBER || (vars[i].kind >= F_LONG && vars[i].kind <= F_SECONDS);
        json_member(f, vars[i].name, text ? text : "", number, &first);
        free(text);
    }
    char urlnum[24];
    snprintf(urlnum, sizeof urlnum, "%zu", a->urlnum);
    json_member(f, "urlnum", urlnum, 1, &first);
    json_member(f, "filename_effective", file, 0, &first);
    fputc('}', f);
}

/* What one write-out is about: the stream it writes to, the result, the
 * call's options and the file the body went to. */
struct out {
    FILE *f;
    const apierr_result *r;
    const struct call_args *a;
    const char *file;
};

/* The variables that are not the result's own (the vars table): the
 * stream, the call's options, the file written, %{json}. Each returns 1
 * when the rest of the format is not to be shown. */
static int s_onerror(struct out *o)
{
    return o->r->ok; /* curl 7.75: the rest only for a call that failed */
}

static int s_filename_effective(struct out *o)
{
    fputs(o->file, o->f);
    return 0;
}

static int s_urlnum(struct out *o)
{
    fprintf(o->f, "%zu", o->a->urlnum);
    return 0;
}

static int s_json(struct out *o)
{
    all_json(o->f, o->r, o->a, o->file);
    return 0;
}

static int s_stdout(struct out *o)
{
    o->f = stdout;
    return 0;
}

static int s_stderr(struct out *o)
{
    o->f = stderr;
    return 0;
}

static const struct {
    const char *name;
    int (*fn)(struct out *o);
} specials[] = {
    {"onerror", s_onerror}, {"filename_effective", s_filename_effective},
    {"urlnum", s_urlnum},   {"json", s_json},
    {"stdout", s_stdout},   {"stderr", s_stderr},
};

/* Prints the variable named by name..name+len, or says it is unknown. 1
 * when the rest of the format is not to be shown (%{onerror}). */
static int variable(struct out *o, const char *name, size_t len)
{
    for (size_t i = 0; i < sizeof specials / sizeof specials[0]; i++)
        if (strlen(specials[i].name) == len && !strncmp(specials[i].name, name, len))
            return specials[i].fn(o);
    for (size_t i = 0; i < sizeof vars / sizeof vars[0]; i++)
        if (strlen(vars[i].name) == len && !strncmp(vars[i].name, name, len)) {
            print_var(o->f, i, o->r);
            return 0;
        }
    fprintf(stderr, "apierr call: unknown --write-out variable: '%.*s'\n", (int)len, name);
    return 0;
}

/* %header{name}: the header's value, REDACTED when it is a secret one, as
 * %{header_json} shows it (the two would otherwise disagree in one log). */
static void header(FILE *f, const char *name, size_t len, const apierr_result *r)
{
    char n[256];
    if (len >= sizeof n) return;
    memcpy(n, name, len);
    n[len] = '\0';
    const char *v = apierr_header_find(r->headers, r->nheaders, n);
    if (v) fputs(apierr_result_header_is_secret(r, n) ? "REDACTED" : v, f);
}

static void write_out(const char *fmt, const apierr_result *r, const struct call_args *a,
                      const char *file)
{
    static const char escapes[][2] = {{'n', '\n'}, {'r', '\r'}, {'t', '\t'}, {'\\', '\\'}};
    struct out o = {stdout, r, a, file};
    for (const char *s = fmt; *s; s++) {
        const char *close;
        if (*s == '%' && s[1] == '%') {
            fputc('%', o.f);
            s++;
        } else if (*s == '%' && s[1] == '{' && (close = strchr(s + 2, '}'))) {
            if (variable(&o, s + 2, (size_t)(close - s - 2))) break;
            s = close;
        } else if (*s == '%' && !strncmp(s + 1, "header{", 7) && (close = strchr(s + 8, '}'))) {
            header(o.f, s + 8, (size_t)(close - s - 8), r);
            s = close;
        } else if (*s == '\\' && s[1]) {
            size_t i = 0;
            while (i < 4 && escapes[i][0] != s[1]) i++;
            if (i < 4) {
                fputc(escapes[i][1], o.f);
                s++;
            } else {
                fputc(*s, o.f);
            }
        } else {
            fputc(*s, o.f);
        }
    }
    fflush(o.f);
}

/* "@FILE" (curl's form; "@-": standard input) reads the format from FILE. */
int call_write_out(const struct call_args *a, const apierr_result *r, const char *file)
{
    const char *fmt = a->write_out;
    if (fmt[0] != '@') {
        write_out(fmt, r, a, file);
        return CLI_EXIT_OK;
    }
    char *text;
    size_t len;
    int rc = cli_read_input(&text, &len, CALL_CMD, fmt + 1, CLI_BODY_MAX);
    if (rc) return rc;
    write_out(text, r, a, file);
    free(text);
    return CLI_EXIT_OK;
}
