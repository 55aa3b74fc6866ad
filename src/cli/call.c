/* `apierr call`: an HTTP call through libapierr-client (a batch of them is
 * batch.c's). Thin: options in, one request out, the outcome printed. */
#include "call.h"
#include "call_curlopts.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#define CMD         CALL_CMD
#define MAX_HEADERS CALL_MAX_HEADERS

#define SETTER(field)                                \
    static int set_##field(void *ctx, const char *v) \
    {                                                \
        ((struct call_args *)ctx)->field = v;        \
        return 0;                                    \
    }
SETTER(profile)
SETTER(token)
SETTER(token_file)
SETTER(oauth)
SETTER(client_id)
SETTER(client_secret)
SETTER(jitter)
SETTER(key)
SETTER(report)
SETTER(input)
SETTER(update)
SETTER(session_login)
SETTER(api_token)
SETTER(api_token_in)
SETTER(session_token)
SETTER(session_header)
SETTER(session_expires_in)
SETTER(dump_header)
SETTER(write_out)
SETTER(user)
SETTER(user_agent)
SETTER(proxy)
SETTER(upload_file)
SETTER(referer)
SETTER(cacert)
SETTER(capath)
SETTER(cert)
SETTER(key_file)
SETTER(cookie_jar)
SETTER(noproxy)
SETTER(unix_socket)
SETTER(proxy_user)
SETTER(stderr_file)
SETTER(netrc_file)
SETTER(output_dir)
SETTER(etag_save)
SETTER(etag_compare)
#undef SETTER

/* An option without a value that sets field to n. */
#define CHOICE(name, field, n)                      \
    static int set_##name(void *ctx, const char *v) \
    {                                               \
        (void)v;                                    \
        ((struct call_args *)ctx)->field = n;       \
        return 0;                                   \
    }
#define FLAG(field) CHOICE(field, field, 1)
FLAG(silent)
FLAG(verbose)
FLAG(output_json)
FLAG(pace)
FLAG(no_pace)
FLAG(include)
FLAG(head)
FLAG(fail)
FLAG(location)
FLAG(get)
FLAG(insecure)
FLAG(adaptive)
FLAG(fail_with_body)
FLAG(remote_name_all)
FLAG(retry_connrefused)
FLAG(retry_all_errors)
FLAG(create_dirs)
FLAG(fail_early)
FLAG(no_clobber)
FLAG(remote_header_name)
FLAG(remove_on_error)
CHOICE(parallel_z, parallel_z, 1)
FLAG(path_as_is)
FLAG(netrc)
FLAG(netrc_optional)
FLAG(junk_session_cookies)
FLAG(trace_time)
FLAG(version)
#undef FLAG
CHOICE(ipv4, ip_version, 4)
CHOICE(ipv6, ip_version, 6)
CHOICE(http10, http_version, 10)
CHOICE(http11, http_version, 11)
CHOICE(http2, http_version, 20)
CHOICE(http2_prior, http_version, 21)
#undef CHOICE

/* Options that are accepted and do nothing here: curl's -S, --compressed
 * and --basic are what apierr always does, -q's .curlrc is never read,
 * -K was read by cli_config_expand() before the options are parsed, -g's
 * globbing never happens, -# and -N: no progress meter is shown and the
 * body is written when the call has its answer. */
static int set_accepted(void *ctx, const char *v)
{
    (void)ctx, (void)v;
    return 0;
}

static int add_data(struct call_args *a, const char *v, enum call_data_kind kind)
{
    if (a->ndata == CALL_MAX_DATA) {
        cli_error(CMD, "at most %d -d, --data-* and --data-urlencode options", CALL_MAX_DATA);
        return -1;
    }
    a->data[a->ndata++] = (struct call_data){v, kind};
    return 0;
}

#define DATA(name, kind)                            \
    static int set_##name(void *ctx, const char *v) \
    {                                               \
        return add_data(ctx, v, kind);              \
    }
DATA(data, CALL_DATA)
DATA(data_binary, CALL_DATA_BINARY)
DATA(data_raw, CALL_DATA_RAW)
DATA(data_urlencode, CALL_DATA_URLENCODE)
#undef DATA

/* Appends v to a list of the options (what: their names, for the error
 * when it is full). 0 or -1 after saying why. */
static int append(const char **list, size_t *n, size_t cap, const char *v, const char *what)
{
    if (*n == cap) {
        cli_error(CMD, "at most %zu %s", cap, what);
        return -1;
    }
    list[(*n)++] = v;
    return 0;
}
#define APPEND(a, list, n, v, what) \
    append((a)->list, &(a)->n, sizeof(a)->list / sizeof *(a)->list, v, what)

/* A URL operand or --url: curl calls each in turn. */
static int set_url(void *ctx, const char *v)
{
    struct call_args *a = ctx;
    return APPEND(a, urls, nurls, v, "URLs");
}

/* -o FILE and -O: the next URL's output. */
static int add_output(struct call_args *a, const char *file)
{
    if (APPEND(a, outputs, noutputs, file, "-o and -O options")) return -1;
    a->remote_name |= !file;
    return 0;
}

static int set_output(void *ctx, const char *v)
{
    return add_output(ctx, v);
}

static int set_remote_name(void *ctx, const char *v)
{
    (void)v;
    return add_output(ctx, NULL);
}

static int set_method(void *ctx, const char *v)
{
    if (apierr_method_valid(v)) {
        ((struct call_args *)ctx)->method = v;
        return 0;
    }
    cli_error(CMD, "-X wants a method name (a token such as GET or PURGE), not '%s'", v);
    return -1;
}

/* -b: with '=' the cookies themselves (a Cookie header), else curl's
 * cookie file, read into the client's cookie store ("": none). */
static int set_cookie(void *ctx, const char *v)
{
    struct call_args *a = ctx;
    *(strchr(v, '=') ? &a->cookie : &a->cookie_file) = v;
    return 0;
}

/* -r RANGE: the Range header's value, "bytes=" and the range. */
static int set_range(void *ctx, const char *v)
{
    struct call_args *a = ctx;
    int n = snprintf(a->range, sizeof a->range, "bytes=%s", v);
    if (*v && n > 0 && (size_t)n < sizeof a->range) return 0;
    cli_error(CMD, "-r wants a byte range such as 0-99 (at most %zu bytes), not '%s'",
              sizeof a->range - 7, v);
    return -1;
}

/* --resolve HOST:PORT:ADDRESS[,ADDRESS]: the shape libcurl takes (it
 * ignores another one in silence, so it is refused here). */
static int set_resolve(void *ctx, const char *v)
{
    struct call_args *a = ctx;
    const char *port = strchr(v, ':'), *addr = port ? strchr(port + 1, ':') : NULL;
    int ok = port && port != v && addr && addr > port + 1 && addr[1];
    for (const char *p = port ? port + 1 : v; ok && p < addr; p++) ok = *p >= '0' && *p <= '9';
    if (!ok || a->nresolve == CALL_MAX_RESOLVE) {
        cli_error(CMD, "--resolve wants HOST:PORT:ADDRESS (at most %d), not '%s'", CALL_MAX_RESOLVE,
                  v);
        return -1;
    }
    a->resolve[a->nresolve++] = v;
    return 0;
}

static int set_json(void *ctx, const char *v)
{
    struct call_args *a = ctx;
    if (APPEND(a, jsons, njson, v, "--json options")) return -1;
    a->json = a->jsons[0];
    return 0;
}

static int set_url_query(void *ctx, const char *v)
{
    struct call_args *a = ctx;
    return APPEND(a, url_query, nurl_query, v, "--url-query options");
}

#define SECONDS(field, name)                                                         \
    static int set_##field(void *ctx, const char *v)                                 \
    {                                                                                \
        if (call_parse_seconds(&((struct call_args *)ctx)->field, v) == 0) return 0; \
        cli_error(CMD, "%s wants seconds, not '%s'", name, v);                       \
        return -1;                                                                   \
    }
SECONDS(max_time, "--max-time")
SECONDS(connect_timeout, "--connect-timeout")
SECONDS(attempt_timeout, "--attempt-timeout")
SECONDS(retry_delay, "--retry-delay")
SECONDS(retry_max_time, "--retry-max-time")
#undef SECONDS

/* Cuts "...;KEY=value" off s in place: the value, or NULL. */
static const char *cut_attr(char *s, const char *key)
{
    char *at = strstr(s, key);
    if (!at) return NULL;
    *at = '\0';
    return at + strlen(key);
}

/* -F, curl's forms: NAME=VALUE, NAME=@FILE (a file, named after it),
 * NAME=<FILE (a field read from the file), each with ;type=T and
 * ;filename=F after it. argv strings are writable: split in place. */
static int set_form(void *ctx, const char *v)
{
    struct call_args *a = ctx;
    char *s = (char *)v, *eq = strchr(s, '=');
    if (a->nform == CALL_MAX_FORM || !eq || eq == s) {
        cli_error(CMD, "-F wants NAME=VALUE, NAME=@FILE or NAME=<FILE (at most %d), not '%s'",
                  CALL_MAX_FORM, v);
        return -1;
    }
    apierr_form_part *p = &a->form[a->nform++];
    *eq = '\0';
    char *content = eq + 1;
    p->name = s;
    p->type = cut_attr(content, ";type=");
    p->filename = cut_attr(content, ";filename=");
    if (content[0] == '@' || content[0] == '<') {
        p->file = content + 1;
        if (content[0] == '<' && !p->filename) p->filename = "";
    } else {
        p->value = content;
    }
    return 0;
}

static int set_redact(void *ctx, const char *v)
{
    struct call_args *a = ctx;
    if (a->nredact == CALL_MAX_REDACT || !*v) {
        cli_error(CMD, "--redact wants a header or parameter name (at most %d), not '%s'",
                  CALL_MAX_REDACT, v);
        return -1;
    }
    a->redact[a->nredact++] = v;
    return 0;
}

static int set_max_redirs(void *ctx, const char *v)
{
    int n;
    if (cli_parse_int(&n, v, -1, 1000000) == 0) {
        ((struct call_args *)ctx)->max_redirs = n ? n : -2; /* -2: none at all */
        return 0;
    }
    cli_error(CMD, "--max-redirs wants a count (-1: no limit), not '%s'", v);
    return -1;
}

static int check_breaker(const char *v)
{
    int t;
    long long ms = 1;
    return call_parse_breaker(v, &t, &ms);
}

static int check_budget(const char *v)
{
    double t, r = 0;
    return call_parse_budget(v, &t, &r);
}

static int check_hedge(const char *v)
{
    apierr_hedge_opts o = APIERR_HEDGE_OPTS_INIT;
    return apierr_hedge_spec_parse(&o, v, strlen(v)) == APIERR_OK ? 0 : -1;
}

/* A value checked here and applied by call_tuning(). */
#define CHECKED(field, check, message)               \
    static int set_##field(void *ctx, const char *v) \
    {                                                \
        if (check(v) == 0) {                         \
            ((struct call_args *)ctx)->field = v;    \
            return 0;                                \
        }                                            \
        cli_error(CMD, message, v);                  \
        return -1;                                   \
    }
CHECKED(breaker, check_breaker,
        "--breaker wants THRESHOLD[:OPEN_MS] (failures >= 1, ms >= 1), not '%s'")
CHECKED(retry_budget, check_budget,
        "--retry-budget wants TOKENS[:RATIO] (tokens >= 1, ratio >= 0), not '%s'")
CHECKED(hedge, check_hedge,
        "--hedge wants DELAY[:MAX] (a duration such as 150ms or 2s, up to 1h; MAX 1..16), not "
        "'%s'")
#undef CHECKED

/* One header into a (split in place). 0 or -1 after saying why. */
static int add_header(struct call_args *a, char *v)
{
    if (a->nheaders == MAX_HEADERS) {
        cli_error(CMD, "at most %d -H options", MAX_HEADERS);
        return -1;
    }
    if (cli_parse_header(&a->headers[a->nheaders], v)) {
        cli_error(CMD, "-H wants 'Name: value', not '%s'", v);
        return -1;
    }
    a->nheaders++;
    return 0;
}

/* -H @FILE (curl 7.55): a header a line of FILE (-: stdin), CR LF or LF,
 * blank lines skipped; the text is kept, the headers point into it. Read
 * after the options are parsed, as -d @FILE: CLI_EXIT_OK, CLI_EXIT_FAILURE
 * (unreadable) or CLI_EXIT_USAGE (a line that is no header). */
static int read_header_files(struct call_args *a)
{
    for (size_t i = 0; i < a->nheader_files; i++) {
        size_t len;
        if (cli_read_input(&a->header_files[i], &len, CMD, a->header_paths[i], 1 << 20))
            return CLI_EXIT_FAILURE;
        for (char *line = a->header_files[i], *next; line && *line; line = next) {
            next = strchr(line, '\n');
            if (next) *next++ = '\0';
            size_t n = strlen(line);
            if (n && line[n - 1] == '\r') line[--n] = '\0';
            if (n && add_header(a, line)) return CLI_EXIT_USAGE;
        }
    }
    return CLI_EXIT_OK;
}

static int add_header_file(struct call_args *a, const char *path)
{
    return APPEND(a, header_paths, nheader_files, path, "-H @FILE options");
}

/* -H: argv strings are writable; the header is split in place. */
static int set_header(void *ctx, const char *v)
{
    return v[0] == '@' ? add_header_file(ctx, v + 1) : add_header(ctx, (char *)v);
}

static int set_retries(void *ctx, const char *v)
{
    if (cli_parse_int(&((struct call_args *)ctx)->retries, v, 0, 100) == 0) return 0;
    cli_error(CMD, "--retries wants 0..100, not '%s'", v);
    return -1;
}

/* --trace and --trace-ascii: the last one given names the file and the
 * form, as in curl. */
static int set_trace(void *ctx, const char *v)
{
    struct call_args *a = ctx;
    a->trace = v;
    a->trace_ascii = 0;
    return 0;
}

static int set_trace_ascii(void *ctx, const char *v)
{
    struct call_args *a = ctx;
    a->trace = v;
    a->trace_ascii = 1;
    return 0;
}

/* --limit-rate SPEED: bytes a second, with curl's suffixes. */
static int set_limit_rate(void *ctx, const char *v)
{
    if (call_parse_size(&((struct call_args *)ctx)->limit_rate, v) == 0) return 0;
    cli_error(CMD, "--limit-rate wants bytes a second, with K, M or G after it or none, not '%s'",
              v);
    return -1;
}

static int set_parallel_max(void *ctx, const char *v)
{
    if (cli_parse_int(&((struct call_args *)ctx)->parallel_max, v, 1, 1000000) == 0) return 0;
    cli_error(CMD, "--parallel-max wants a count of calls, not '%s'", v);
    return -1;
}

static int set_parallel(void *ctx, const char *v)
{
    if (cli_parse_int(&((struct call_args *)ctx)->parallel, v, 1, 1000000) == 0) return 0;
    cli_error(CMD, "--parallel wants a count of calls, not '%s'", v);
    return -1;
}

/* curl's names and meanings where curl has the option (curl(1)); a long
 * form is a row of its own, as the man page gives every name an entry. */
static const cli_option options[] = {
    {"--url", "URL", set_url, "a URL to call, as an option (with the operands, in their order)", 0},
    {"--fail-early", NULL, set_fail_early, "with several URLs: stop at the first that fails", 0},
    {"-X", "METHOD", set_method, "request method (default GET, or POST with a body)", 0},
    {"--request", "METHOD", set_method, "same as -X", 0},
    {"-H", "'NAME: VALUE'|@FILE", set_header,
     "add a request header (repeatable; @FILE: one a line of FILE)", 0},
    {"--header", "'NAME: VALUE'|@FILE", set_header, "same as -H", 0},
    {"-d", "DATA|@FILE", set_data,
     "request body, or the file that holds it; repeated: joined "
     "with &",
     0},
    {"--data", "DATA|@FILE", set_data, "same as -d", 0},
    {"--data-ascii", "DATA|@FILE", set_data, "same as -d", 0},
    {"--data-binary", "DATA|@FILE", set_data_binary,
     "as -d, but @FILE is sent as it is (-d drops its CR and LF bytes, as curl does)", 0},
    {"--data-raw", "DATA", set_data_raw, "as -d, but a leading @ is a byte, not a file", 0},
    {"--data-urlencode", "[NAME]=DATA|[NAME]@FILE", set_data_urlencode,
     "as -d, URL-encoded (curl's forms)", 0},
    {"-F", "NAME=VALUE|NAME=@FILE|NAME=<FILE", set_form,
     "multipart/form-data part (repeatable; ;type=T ;filename=F)", 0},
    {"--form", "NAME=CONTENT", set_form, "same as -F", 0},
    {"--url-query", "[+]DATA", set_url_query,
     "add to the URL's query, in --data-urlencode's forms (+DATA: as it is; repeatable)", 0},
    {"-T", "FILE", set_upload_file,
     "PUT the bytes of FILE (-: stdin); a URL ending in / gets the file's name", 0},
    {"--upload-file", "FILE", set_upload_file, "same as -T", 0},
    {"-G", NULL, set_get, "send the -d data as the query of a GET", 0},
    {"--get", NULL, set_get, "same as -G", 0},
    {"--json", "BODY|@FILE", set_json,
     "JSON body (sets Content-Type and Accept; repeated: the pieces joined)", 0},
    {"-u", "USER:PASSWORD", set_user, "HTTP Basic authentication", 0},
    {"--user", "USER:PASSWORD", set_user, "same as -u", 0},
    {"--basic", NULL, set_accepted, "-u's scheme, the default (accepted)", 0},
    {"--oauth2-bearer", "TOKEN", set_token, "same as --token", 0},
    {"-n", NULL, set_netrc,
     "Basic credentials from the host's entry in ~/.netrc (its password replaces the URL's)", 0},
    {"--netrc", NULL, set_netrc, "same as -n", 0},
    {"--netrc-optional", NULL, set_netrc_optional, "as -n, but the URL's credentials win", 0},
    {"--netrc-file", "FILE", set_netrc_file, "as -n, from FILE instead of ~/.netrc", 0},
    {"-e", "URL", set_referer, "send Referer: URL", 0},
    {"--referer", "URL", set_referer, "same as -e", 0},
    {"-b", "'NAME=VALUE[; ...]'|FILE", set_cookie,
     "send these cookies, or those of a cookie file (\"\": none), kept for every call", 0},
    {"--cookie", "'NAME=VALUE[; ...]'|FILE", set_cookie, "same as -b", 0},
    {"-c", "FILE", set_cookie_jar, "write every cookie to FILE at the end (-: stdout)", 0},
    {"--cookie-jar", "FILE", set_cookie_jar, "same as -c", 0},
    {"-j", NULL, set_junk_session_cookies,
     "with -b FILE: leave out its session cookies (those without an expiry time)", 0},
    {"--junk-session-cookies", NULL, set_junk_session_cookies, "same as -j", 0},
    {"-r", "RANGE", set_range, "ask for these bytes only (Range: bytes=RANGE)", 0},
    {"--range", "RANGE", set_range, "same as -r", 0},
    {"-A", "NAME", set_user_agent, "User-Agent (default apierr/VERSION)", 0},
    {"--user-agent", "NAME", set_user_agent, "same as -A", 0},
    {"-o", "FILE", set_output, "write the response body to FILE instead of stdout", 0},
    {"--output", "FILE", set_output, "same as -o", 0},
    {"--output-dir", "DIR", set_output_dir, "the directory of the -o and -O files", 0},
    {"-J", NULL, set_remote_header_name,
     "with -O: the file name the response's Content-Disposition gives (never a path; never "
     "over a file that is there)",
     0},
    {"--remote-header-name", NULL, set_remote_header_name, "same as -J", 0},
    {"--etag-save", "FILE", set_etag_save, "write the response's ETag to FILE", 0},
    {"--etag-compare", "FILE", set_etag_compare,
     "send If-None-Match with the ETag FILE holds (none when FILE is not there)", 0},
    {"--no-clobber", NULL, set_no_clobber,
     "do not overwrite an -o or -O file: write NAME.1 ... NAME.100 instead", 0},
    {"--remove-on-error", NULL, set_remove_on_error,
     "remove the -o or -O file of a call that failed (--fail-with-body)", 0},
    {"--create-dirs", NULL, set_create_dirs,
     "create the directories -o and -D name that are missing", 0},
    {"--stderr", "FILE", set_stderr_file, "write what goes to stderr to FILE instead (-: stdout)",
     0},
    {"-K", "FILE", set_accepted, "read options from FILE, one a line (curl's config file)", 0},
    {"--config", "FILE", set_accepted, "same as -K", 0},
    {"-q", NULL, set_accepted, "accepted: apierr reads no .curlrc", 0},
    {"--disable", NULL, set_accepted, "same as -q", 0},
    {"-O", NULL, set_remote_name, "write the body to a file named as the URL's last path segment",
     0},
    {"--remote-name", NULL, set_remote_name, "same as -O", 0},
    {"-i", NULL, set_include, "show the response's status line and headers before the body", 0},
    {"--include", NULL, set_include, "same as -i", 0},
    {"-I", NULL, set_head, "HEAD request; show the status line and headers", 0},
    {"--head", NULL, set_head, "same as -I", 0},
    {"-D", "FILE", set_dump_header, "write the status line and headers to FILE (-: stdout)", 0},
    {"--dump-header", "FILE", set_dump_header, "same as -D", 0},
    {"-w", "FORMAT", set_write_out, "print FORMAT after the call: %{http_code}, %{category}, ...",
     0},
    {"--write-out", "FORMAT", set_write_out, "same as -w", 0},
    {"-f", NULL, set_fail, "fail on HTTP errors, no body on stdout (always so: accepted)", 0},
    {"--fail", NULL, set_fail, "same as -f", 0},
    {"--fail-with-body", NULL, set_fail_with_body,
     "as -f, and the body of an HTTP error still goes to stdout or -o", 0},
    {"-s", NULL, set_silent, "no retry lines, no progress", 0},
    {"--silent", NULL, set_silent, "same as -s", 0},
    {"--no-progress-meter", NULL, set_silent, "same as -s (apierr shows errors anyway)", 0},
    {"-S", NULL, set_accepted, "show errors with -s (always so: accepted)", 0},
    {"--show-error", NULL, set_accepted, "same as -S", 0},
    {"-v", NULL, set_verbose, "show requests and responses on stderr (secrets redacted)", 0},
    {"--verbose", NULL, set_verbose, "same as -v", 0},
    {"--trace", "FILE", set_trace,
     "write every byte sent and received to FILE, in hex and as text (-: stdout; the "
     "secrets -v hides are redacted)",
     0},
    {"--trace-ascii", "FILE", set_trace_ascii, "as --trace, as text only", 0},
    {"--trace-time", NULL, set_trace_time, "with --trace: the time before each block", 0},
    {"--redact", "NAME", set_redact,
     "a header or query parameter whose value is a secret too, hidden wherever apierr shows or "
     "records it (repeatable)",
     0},
    {"-L", NULL, set_location, "follow redirects (303: GET; 307, 308: same method and body)", 0},
    {"--location", NULL, set_location, "same as -L", 0},
    {"--max-redirs", "N", set_max_redirs,
     "with -L: at most N redirects (default 50, -1: no "
     "limit)",
     0},
    {"-k", NULL, set_insecure, "do not verify the server's TLS certificate", 0},
    {"--insecure", NULL, set_insecure, "same as -k", 0},
    {"--cacert", "FILE", set_cacert, "verify servers with the CA certificates of FILE (PEM)", 0},
    {"--capath", "DIR", set_capath, "verify servers with the hashed CA certificates in DIR", 0},
    {"-E", "FILE", set_cert, "send this client certificate (PEM) when the server asks", 0},
    {"--cert", "FILE", set_cert, "same as -E", 0},
    {"--key", "FILE", set_key_file, "the client certificate's private key (PEM)", 0},
    {"--resolve", "HOST:PORT:ADDRESS", set_resolve,
     "connect to ADDRESS for HOST:PORT, no DNS (repeatable)", 0},
    {"-4", NULL, set_ipv4, "resolve names to IPv4 addresses only", 0},
    {"--ipv4", NULL, set_ipv4, "same as -4", 0},
    {"-6", NULL, set_ipv6, "resolve names to IPv6 addresses only", 0},
    {"--ipv6", NULL, set_ipv6, "same as -6", 0},
    {"--http1.0", NULL, set_http10, "speak HTTP/1.0", 0},
    {"--http1.1", NULL, set_http11, "speak HTTP/1.1 only", 0},
    {"--http2", NULL, set_http2, "ask for HTTP/2 (TLS: ALPN; else 1.1)", 0},
    {"--http2-prior-knowledge", NULL, set_http2_prior, "speak HTTP/2 from the start, no upgrade",
     0},
    {"--path-as-is", NULL, set_path_as_is, "send /../ and /./ in the URL's path as they are", 0},
    {"--limit-rate", "SPEED", set_limit_rate,
     "at most SPEED bytes a second each way, per call (suffix K, M or G: times 1024)", 0},
    {"--unix-socket", "PATH", set_unix_socket, "connect to this Unix socket, not to the host", 0},
    {"-x", "URL", set_proxy, "use this proxy", 0},
    {"--proxy", "URL", set_proxy, "same as -x", 0},
    {"-U", "USER:PASSWORD", set_proxy_user, "the proxy's Basic credentials", 0},
    {"--proxy-user", "USER:PASSWORD", set_proxy_user, "same as -U", 0},
    {"--noproxy", "HOSTS", set_noproxy, "reach these hosts (comma-separated; *: all) directly", 0},
    {"--compressed", NULL, set_accepted, "ask for a compressed response (always so: accepted)", 0},
    {"--connect-timeout", "SECONDS", set_connect_timeout, "time to connect, per attempt", 0},
    {"--attempt-timeout", "SECONDS", set_attempt_timeout,
     "time for one attempt (the policy's "
     "attempt_timeout_ms)",
     0},
    {"-m", "SECONDS", set_max_time, "same as --max-time", 0},
    {"--max-time", "SECONDS", set_max_time, "deadline of the whole call, retries included", 0},
    {"--breaker", "THRESHOLD[:OPEN_MS]", set_breaker,
     "circuit breaker: open after THRESHOLD failures in a row, for OPEN_MS", 0},
    {"--retry-budget", "TOKENS[:RATIO]", set_retry_budget,
     "retry budget (gRPC's): retries stop at half the tokens; a success gives back RATIO", 0},
    {"--hedge", "DELAY[:MAX]", set_hedge,
     "hedged requests: after DELAY without an answer, send the request again (up to MAX times, "
     "default 1; idempotent methods or with an idempotency key); the first answer wins",
     0},
    {"--adaptive", NULL, set_adaptive,
     "adaptive client-side throttling: hold attempts back while the host rejects (429, 503)", 0},
    {"--profile", "NAME|FILE", set_profile, "API profile: built-in name or JSON file", 0},
    {"--token", "TOKEN", set_token, "bearer token", 0},
    {"--token-file", "FILE", set_token_file, "read the bearer token from FILE", 0},
    {"--oauth", "TOKEN_URL", set_oauth, "OAuth 2.0 client credentials token endpoint", 0},
    {"--client-id", "ID", set_client_id, "OAuth client id", 0},
    {"--client-secret", "SECRET", set_client_secret, "OAuth client secret", 0},
    {"--retries", "N", set_retries, "retries after the first attempt (default: the profile's)", 0},
    {"--retry", "N", set_retries, "same as --retries (curl's name)", 0},
    {"--retry-delay", "SECONDS", set_retry_delay,
     "wait this long before each retry, no backoff (Retry-After still honoured)", 0},
    {"--retry-max-time", "SECONDS", set_retry_max_time,
     "start no retry later than this after the first attempt (the one under way is not cut)", 0},
    {"--retry-connrefused", NULL, set_retry_connrefused, "retry a refused connection too", 0},
    {"--retry-all-errors", NULL, set_retry_all_errors,
     "retry every HTTP error and transport failure (not an unsafe request without a key)", 0},
    {"--jitter", "MODE", set_jitter, "none, full, equal or decorrelated", 0},
    {"--idempotency-key", "auto|KEY", set_key, "send an idempotency key (auto: a UUID per call)",
     0},
    {"--report", "FILE", set_report, "append failed attempts to FILE (JSON Lines, redacted)", 0},
    {"--output-json", NULL, set_output_json, "print the outcome as JSON on stdout", 0},
    {"--parallel", "N", set_parallel,
     "with --input or several URLs: N calls at a time (several URLs: shown in their order)", 0},
    {"-Z", NULL, set_parallel_z, "curl's: several URLs at once, --parallel-max at a time", 0},
    {"--parallel-max", "N", set_parallel_max, "with -Z: N at a time (default 50, as curl)", 0},
    {"--input", "FILE", set_input, "one request per line: METHOD URL [BODY]", 0},
    {"--update", "FILTER", set_update,
     "read-modify-write: GET URL, pipe the body through `sh -c FILTER`, PUT its output with "
     "If-Match; re-read when refused as stale",
     0},
    {"--session-login", "URL", set_session_login,
     "session login (Gestix: /helo): GET URL with the API token for a session token", 0},
    {"--api-token", "TOKEN", set_api_token, "the API token the session login sends", 0},
    {"--api-token-in", "header:NAME|query:NAME", set_api_token_in,
     "where the login sends it (default header:X-API-Token)", 0},
    {"--session-token", "member:NAME|header:NAME", set_session_token,
     "where the login's response holds the session token (default member:xa-token)", 0},
    {"--session-header", "NAME", set_session_header,
     "header carrying the session token (default xa-token; Authorization: as Bearer)", 0},
    {"--session-expires-in", "MEMBER|none", set_session_expires_in,
     "login member giving the session's lifetime in s (default expires_in; none: re-login on "
     "refusal only)",
     0},
    {"-N", NULL, set_accepted, "accepted: the body is written as soon as the call has it", 0},
    {"--no-buffer", NULL, set_accepted, "same as -N", 0},
    {"-#", NULL, set_accepted, "accepted: apierr shows no progress meter", 0},
    {"--progress-bar", NULL, set_accepted, "same as -#", 0},
    {"-g", NULL, set_accepted, "accepted: apierr never expands [] or {} in a URL", 0},
    {"--globoff", NULL, set_accepted, "same as -g", 0},
    {"--remote-name-all", NULL, set_remote_name_all, "as -O for every URL that no -o or -O names",
     0},
    {"-V", NULL, set_version, "print apierr's and libcurl's versions and exit", 0},
    {"--version", NULL, set_version, "same as -V", 0},
    {"--pace", NULL, set_pace, "pace calls by the RateLimit / X-RateLimit headers (default)", 0},
    {"--no-pace", NULL, set_no_pace, "send even when the server says the quota is spent", 0},
    /* curl's flags that are one libcurl setting each (call_curlopts.h) */
    CALL_CURL_FLAGS(CALL_CURL_OPTION)};
CLI_OPTIONS_FIT(options);

static const cli_command command = {
    CMD,
    "URL...",
    "Make an HTTP call that survives failures: the profile's policy decides every retry, wait\n"
    "and credential refresh; several URLs are called in turn, as curl does. APIERR_TIME_SCALE=F\n"
    "in the environment multiplies every wait by F (tests); the attempt history still shows the\n"
    "policy's delays.",
    options,
    sizeof options / sizeof options[0],
    set_url};

const cli_command *cli_call_table(void)
{
    return &command;
}

/* Exit code of each category: one table. */
static const struct {
    apierr_category category;
    int exit_code;
} exit_of[] = {
    {APIERR_CAT_OK, CLI_EXIT_OK},
    {APIERR_CAT_INVALID_REQUEST, CLI_EXIT_FIX_REQUEST},
    {APIERR_CAT_NOT_FOUND, CLI_EXIT_FIX_REQUEST},
    {APIERR_CAT_CONFLICT, CLI_EXIT_FIX_REQUEST},
    {APIERR_CAT_UNPROCESSABLE, CLI_EXIT_FIX_REQUEST},
    {APIERR_CAT_UNAUTHENTICATED, CLI_EXIT_AUTH},
    {APIERR_CAT_FORBIDDEN, CLI_EXIT_AUTH},
    {APIERR_CAT_RATE_LIMITED, CLI_EXIT_RATE_LIMITED},
    {APIERR_CAT_SERVER, CLI_EXIT_SERVER},
    {APIERR_CAT_BUDGET_EXHAUSTED, CLI_EXIT_SERVER},
    {APIERR_CAT_CIRCUIT_OPEN, CLI_EXIT_SERVER},
    {APIERR_CAT_THROTTLED_LOCALLY, CLI_EXIT_SERVER}, /* retried like a 503 */
    {APIERR_CAT_NETWORK, CLI_EXIT_NETWORK},
    {APIERR_CAT_TIMEOUT, CLI_EXIT_DEADLINE},
    {APIERR_CAT_DEADLINE, CLI_EXIT_DEADLINE},
};

int call_exit_code(apierr_category c)
{
    for (size_t i = 0; i < sizeof exit_of / sizeof exit_of[0]; i++)
        if (exit_of[i].category == c) return exit_of[i].exit_code;
    return CLI_EXIT_FAILURE;
}

/* State shared with the client's callbacks. */
struct run {
    const struct call_args *a;
    int max_retries;
    apierr_client *client;
    struct call_trace trace; /* --trace, --trace-ascii */
};

static void on_easy_setup(void *payload, void *easy)
{
    call_curl_setup(((struct run *)payload)->a, easy);
}

static void on_trace(void *payload, apierr_trace_kind kind, const char *data, size_t len)
{
    call_trace_write(&((struct run *)payload)->trace, kind, data, len);
}

static void on_verbose(void *payload, const char *line)
{
    (void)payload;
    fprintf(stderr, "%s\n", line);
}

static void on_retry(void *payload, const apierr_result *r, const apierr_attempt *at)
{
    struct run *run = payload;
    (void)r;
    if (run->a->silent) return;
    char total[16] = "";
    if (run->max_retries > 0) snprintf(total, sizeof total, "/%d", run->max_retries);
    fprintf(stderr, "retry %d%s in %.1f s: ", at->number, total, (double)at->delay_ms / 1000.0);
    if (at->status)
        fprintf(stderr, "%d %s", at->status, at->status_text ? at->status_text : "");
    else
        fprintf(stderr, "%s", at->status_text ? at->status_text : "transport failure");
    if (at->code) fprintf(stderr, " (%s)", at->code);
    fputc('\n', stderr);
}

/* Raises the soft limit of open files to the hard one: many calls in flight
 * each hold a socket. */
static void raise_nofile(void)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
}

char *call_trim(char *s)
{
    while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r') s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\n' || s[n - 1] == '\r'))
        s[--n] = '\0';
    return s;
}

/* The profile named by --profile: a built-in, or a file with the custom
 * dialect it may declare (*has_custom). */
static int load_profile(apierr_profile *p, apierr_custom_dialect *custom, int *has_custom,
                        const char *name)
{
    *has_custom = 0;
    if (!name) name = "default";
    if (apierr_profile_builtin(p, name) == APIERR_OK) return CLI_EXIT_OK;
    char *text;
    size_t len;
    if (access(name, R_OK) != 0) {
        cli_error(CMD, "no profile named '%s' (see `apierr profiles`) and no such file", name);
        cli_usage_hint(CMD);
        return CLI_EXIT_USAGE;
    }
    int rc = cli_read_input(&text, &len, CMD, name, CLI_BODY_MAX);
    if (rc) return rc;
    char err[200];
    rc = cli_profile_parse(p, custom, has_custom, text, len, err, sizeof err);
    free(text);
    if (rc != APIERR_OK) {
        cli_error(CMD, "profile '%s': %s", name, err);
        cli_usage_hint(CMD);
        return CLI_EXIT_USAGE;
    }
    return CLI_EXIT_OK;
}

/* --- one call ------------------------------------------------------------------ */

/* A URL without "scheme://" is taken as http://, as curl takes it
 * (`apierr call localhost:8080/x`); into buf when it fits, else as given,
 * to be refused. */
static const char *guess_scheme(const char *url, char *buf, size_t cap)
{
    if (!strncmp(url + strcspn(url, ":/?#"), "://", 3) || url[0] == '/') return url;
    int n = snprintf(buf, cap, "http://%s", url);
    return n > 0 && (size_t)n < cap ? buf : url;
}

/* The last segment of url's path (query and fragment cut off): its start,
 * with *len set; *len is 0 when the path ends in '/' or has none. */
static const char *path_leaf(const char *url, size_t *len)
{
    const char *s = strstr(url, "://");
    s = s ? s + 3 : url;
    size_t end = strcspn(s, "?#");
    const char *slash = memchr(s, '/', end);
    if (!slash) {
        *len = 0;
        return s + end;
    }
    const char *leaf = slash;
    for (const char *p = slash; p < s + end; p++)
        if (*p == '/') leaf = p + 1;
    *len = (size_t)(s + end - leaf);
    return leaf;
}

/* Each URL's output, as curl binds -o and -O: the i-th of them to the
 * i-th URL; a -O (or --remote-name-all) file is named as the URL's last
 * path segment (its query left out), and a URL without one is a usage
 * error, before any request. The names in a->remote_names; NULL: stdout.
 * CLI_EXIT_OK or CLI_EXIT_USAGE after saying why. */
static int output_names(struct call_args *a)
{
    for (size_t i = 0; i < a->nurls; i++) {
        int remote = i < a->noutputs ? !a->outputs[i] : a->remote_name_all;
        if (!remote) continue;
        size_t n;
        const char *leaf = path_leaf(a->urls[i], &n);
        if (!n || n >= sizeof a->remote_names[i]) {
            cli_error(CMD, "-O: the path of '%s' has no file name to write to (use -o FILE)",
                      a->urls[i]);
            cli_usage_hint(CMD);
            return CLI_EXIT_USAGE;
        }
        memcpy(a->remote_names[i], leaf, n);
        a->remote_names[i][n] = '\0';
        a->outputs[i] = a->remote_names[i];
    }
    if (a->remote_name_all && a->nurls > a->noutputs) a->noutputs = a->nurls;
    return CLI_EXIT_OK;
}

/* Shows URL i next: its output file. */
static void output_of(struct call_args *a, size_t i)
{
    a->urlnum = i;
    a->output = i < a->noutputs ? a->outputs[i] : NULL;
    a->output_remote = a->output == a->remote_names[i];
}

/* One URL's request, as the options make it: its body and query
 * (free()) in *body and *query. CLI_EXIT_OK or call_body()'s code. */
static int request_of(const struct call_args *a, const char *url, apierr_request *req, char **body,
                      char **query)
{
    size_t len;
    const char *type;
    int rc = call_body(a, body, &len, &type, query);
    if (rc) return rc;
    *req = (apierr_request)APIERR_REQUEST_INIT;
    req->method = a->method                     ? a->method
                  : a->head                     ? "HEAD"
                  : a->upload_file || a->update ? "PUT"
                  : *body || a->nform           ? "POST"
                                                : "GET";
    req->url = url;
    req->query = *query;
    req->headers = a->headers;
    req->nheaders = a->nheaders;
    req->body = *body;
    req->body_len = len;
    req->content_type = type;
    req->form = a->form;
    req->nform = a->nform;
    req->idempotency_key = a->key;
    req->max_time_ms = (long long)(a->max_time * 1000 + 0.5);
    return CLI_EXIT_OK;
}

/* A request the library refused (crc), before anything was sent: a URL
 * it does not take is a usage error, quoted redacted as every URL apierr
 * prints (the user's mistake is in the scheme or the spaces, not in the
 * password). */
static int refused(const struct run *run, const char *url, int crc)
{
    if (crc == APIERR_EINVAL) {
        char shown[4096];
        apierr_client_redact_url(shown, sizeof shown, run->client, url);
        cli_error(CMD, "'%s' is not an http:// or https:// URL with a host and no white space",
                  shown);
        cli_usage_hint(CMD);
        return CLI_EXIT_USAGE;
    }
    cli_error(CMD, "%s", apierr_strerror(crc));
    return CLI_EXIT_FAILURE;
}

static int run_one(struct run *run, const struct call_args *a, const char *url)
{
    char guessed[4096], *body, *query;
    url = guess_scheme(url, guessed, sizeof guessed);
    apierr_request req;
    int rc = request_of(a, url, &req, &body, &query);
    if (rc) return rc;
    apierr_result r;
    int crc = a->update ? apierr_update(run->client, &req, call_run_filter, (void *)a->update, &r)
                        : apierr_call(run->client, &req, &r);
    free(body);
    free(query);
    if (crc != APIERR_OK) return refused(run, url, crc);
    rc = call_show(a, &r, call_exit_code(r.category));
    apierr_result_clear(&r);
    return rc;
}

/* -Z, --parallel with several URLs: each one's result, kept until all have
 * ended, to be shown in the order of the URLs. */
struct parallel_slot {
    apierr_result r;
    int ended;
};

static void parallel_done(void *payload, apierr_result *r)
{
    struct parallel_slot *slot = r->user;
    (void)payload;
    apierr_result_move(&slot->r, r);
    slot->ended = 1;
}

/* The URLs at once, a->parallel at a time (the client's max_in_flight),
 * shown in their order when all have ended: curl -Z's calls, with output
 * that does not interleave. The exit code as run_urls() gives it. */
static int run_parallel(struct run *run, struct call_args *a)
{
    struct parallel_slot *slots = calloc(a->nurls, sizeof *slots);
    if (!slots) {
        cli_error(CMD, "out of memory");
        return CLI_EXIT_FAILURE;
    }
    int rc = CLI_EXIT_OK;
    for (size_t i = 0; i < a->nurls && !rc; i++) {
        char guessed[4096], *body, *query;
        const char *url = guess_scheme(a->urls[i], guessed, sizeof guessed);
        apierr_request req;
        if ((rc = request_of(a, url, &req, &body, &query))) break;
        req.user = &slots[i];
        int crc = apierr_client_submit(run->client, &req, parallel_done, NULL);
        free(body);
        free(query);
        if (crc != APIERR_OK) rc = refused(run, url, crc);
    }
    if (!rc && apierr_client_run(run->client) != APIERR_OK) rc = CLI_EXIT_FAILURE;
    int shown = CLI_EXIT_OK, failed = 0;
    for (size_t i = 0; i < a->nurls; i++) {
        if (!rc && slots[i].ended && !(failed && a->fail_early)) {
            output_of(a, i);
            shown = call_show(a, &slots[i].r, call_exit_code(slots[i].r.category));
            failed |= shown != CLI_EXIT_OK;
        }
        apierr_result_clear(&slots[i].r);
    }
    free(slots);
    return rc ? rc : shown;
}

/* Every URL in turn, as curl calls them, on one client (its connections,
 * credentials, cookies and limits shared): each one's output and -w as
 * for one; the exit code of the last, or with --fail-early of the first
 * that fails. */
static int run_urls(struct run *run, struct call_args *a)
{
    if (a->parallel && a->nurls > 1) return run_parallel(run, a);
    int rc = CLI_EXIT_OK;
    for (size_t i = 0; i < a->nurls; i++) {
        output_of(a, i);
        if ((rc = run_one(run, a, a->urls[i])) && a->fail_early) break;
    }
    return rc;
}

/* "kind:NAME" of --api-token-in and --session-token: 0 with *name set and
 * *is_header telling which kind, or -1. */
static int where(const char *v, const char *other, int *is_header, const char **name)
{
    const char *colon = v ? strchr(v, ':') : NULL;
    if (!colon || !colon[1]) return -1;
    size_t k = (size_t)(colon - v);
    if (k == 6 && !strncmp(v, "header", 6))
        *is_header = 1;
    else if (k == strlen(other) && !strncmp(v, other, k))
        *is_header = 0;
    else
        return -1;
    *name = colon + 1;
    return 0;
}

/* The session login options into o. CLI_EXIT_OK or CLI_EXIT_USAGE. */
static int session_opts(apierr_client_opts *o, const struct call_args *a)
{
    int hdr;
    const char *name;
    if (!a->session_login) {
        if (a->api_token || a->api_token_in || a->session_token || a->session_expires_in) {
            cli_error(CMD, "--api-token and the --session-* options need --session-login URL");
            cli_usage_hint(CMD);
            return CLI_EXIT_USAGE;
        }
        o->session_header = a->session_header;
        return CLI_EXIT_OK;
    }
    o->session_login_url = a->session_login;
    o->api_token = a->api_token;
    o->session_header = a->session_header;
    if (a->api_token_in) {
        if (where(a->api_token_in, "query", &hdr, &name)) {
            cli_error(CMD, "--api-token-in wants header:NAME or query:NAME, not '%s'",
                      a->api_token_in);
            cli_usage_hint(CMD);
            return CLI_EXIT_USAGE;
        }
        *(hdr ? &o->api_token_header : &o->api_token_query) = name;
    }
    if (a->session_token) {
        if (where(a->session_token, "member", &hdr, &name)) {
            cli_error(CMD, "--session-token wants member:NAME or header:NAME, not '%s'",
                      a->session_token);
            cli_usage_hint(CMD);
            return CLI_EXIT_USAGE;
        }
        *(hdr ? &o->session_token_from_header : &o->session_token_member) = name;
    }
    if (a->session_expires_in)
        o->session_expiry_member =
            strcmp(a->session_expires_in, "none") == 0 ? "" : a->session_expires_in;
    return CLI_EXIT_OK;
}

/* curl's -T FILE to a URL whose path ends in '/' goes to that path plus
 * FILE's own name (the query kept after it): into *url (buf). CLI_EXIT_OK
 * or CLI_EXIT_USAGE after saying why. */
static int upload_name(struct call_args *a, const char **url, char *buf, size_t cap)
{
    size_t n;
    const char *leaf = path_leaf(*url, &n);
    if (a->upload_file && !n && strcmp(a->upload_file, "-")) {
        const char *base = strrchr(a->upload_file, '/');
        base = base ? base + 1 : a->upload_file;
        int w = snprintf(buf, cap, "%.*s%s%s%s", (int)(leaf - *url), *url,
                         leaf > *url && leaf[-1] == '/' ? "" : "/", base, leaf);
        if (w < 0 || (size_t)w >= cap) {
            cli_error(CMD, "-T: the URL with the file's name is too long");
            return CLI_EXIT_USAGE;
        }
        *url = buf;
    }
    return CLI_EXIT_OK;
}

/* --stderr FILE (curl's): what apierr writes to standard error goes to
 * FILE, "-" standard output. CLI_EXIT_OK or CLI_EXIT_FAILURE. */
static int redirect_stderr(const struct call_args *a)
{
    if (!a->stderr_file) return CLI_EXIT_OK;
    int ok = strcmp(a->stderr_file, "-") == 0 ? dup2(STDOUT_FILENO, STDERR_FILENO) >= 0
                                              : freopen(a->stderr_file, "w", stderr) != NULL;
    if (ok) return CLI_EXIT_OK;
    fprintf(stdout, "apierr call: cannot write '%s'\n", a->stderr_file); /* stderr is gone */
    return CLI_EXIT_FAILURE;
}

/* The options that do not go together, each with its own line. */
static int check_args(const struct call_args *a)
{
    const struct {
        int bad;
        const char *why;
    } rules[] = {
        {!a->nurls && !a->input, "give a URL, or --input FILE"},
        {a->nurls && a->input, "a URL or --input FILE, not both"},
        {a->nurls > 1 && (a->upload_file || a->update || a->dump_header),
         "-T, -D and --update are for one URL: not with several"},
        {a->nurls && a->noutputs > a->nurls, "more -o and -O options than URLs"},
        {a->parallel && !a->input && a->nurls < 2, "--parallel N needs --input FILE or URLs"},
        {a->ndata && a->json, "-d or --json, not both"},
        {a->update && (a->input || a->ndata || a->json), "--update takes a URL and no body"},
        {a->pace && a->no_pace, "--pace or --no-pace, not both"},
        {a->head && (a->ndata || a->json), "-I sends no body: not with -d or --json"},
        {a->get && a->json, "-G sends the -d data as the query: not with --json"},
        {a->nform && (a->ndata || a->json || a->get || a->head || a->update),
         "-F makes the body: not with -d, --json, -G, -I or --update"},
        {a->input && (a->include || a->head || a->dump_header || a->write_out || a->nform ||
                      a->upload_file || a->remote_name || a->remote_name_all || a->nurl_query),
         "-i, -I, -D, -w, -F, -T, -O and --url-query are for one URL, not --input"},
        {a->upload_file && (a->ndata || a->json || a->nform || a->get || a->head || a->update),
         "-T sends the file: not with -d, --json, -F, -G, -I or --update"},
        {a->fail && a->fail_with_body, "-f or --fail-with-body, not both"},
    };
    for (size_t i = 0; i < sizeof rules / sizeof rules[0]; i++)
        if (rules[i].bad) {
            cli_error(CMD, "%s", rules[i].why);
            cli_usage_hint(CMD);
            return CLI_EXIT_USAGE;
        }
    return CLI_EXIT_OK;
}

/* What curl's transfer flags set in the client options. */
static void transfer_opts(apierr_client_opts *o, const struct call_args *a)
{
    o->follow_redirects = (a->location || call_curl_given(a, CALL_CURL_location_trusted)) &&
                          a->max_redirs != -2; /* --max-redirs 0: none */
    o->max_redirects = a->max_redirs > 0 || a->max_redirs == -1 ? a->max_redirs : 0;
    o->insecure = a->insecure;
    o->proxy = a->proxy;
    o->user_agent = a->user_agent;
    o->ca_file = a->cacert;
    o->ca_path = a->capath;
    o->client_cert = a->cert;
    o->client_key = a->key_file;
    o->resolve = a->resolve;
    o->nresolve = a->nresolve;
    o->ip_version = a->ip_version;
    o->transfer_info = a->write_out != NULL; /* -w's curl figures */
    /* -b FILE, -c FILE: the client's cookie store. */
    o->cookie_file = a->cookie_file;
    o->cookie_jar = a->cookie_jar;
    o->http_version = a->http_version;
    o->noproxy = a->noproxy;
    o->unix_socket = a->unix_socket;
    o->proxy_user = a->proxy_user;
    o->path_as_is = a->path_as_is;
    /* curl's order: --netrc-optional before -n and --netrc-file. */
    o->netrc = a->netrc_optional ? 1 : a->netrc || a->netrc_file ? 2 : 0;
    o->netrc_file = a->netrc_file;
    o->max_recv_speed = o->max_send_speed = a->limit_rate;
    o->cookie_session = a->junk_session_cookies;
}

/* The command with its options parsed into a (what a owns is freed by
 * the caller). */
static int call_run(struct call_args *a)
{
    int rc;
    if (a->version) {
        printf("apierr %s (libcurl %s)\n", apierr_version(),
               curl_version_info(CURLVERSION_NOW)->version);
        return CLI_EXIT_OK;
    }
    /* -Z with one URL is that call, as in curl. */
    if (!a->parallel && a->parallel_z && (a->nurls > 1 || a->input))
        a->parallel = a->parallel_max ? a->parallel_max : 50;
    if ((rc = check_args(a)) || (rc = call_curl_check(a)) || (rc = read_header_files(a))) return rc;
    if ((rc = redirect_stderr(a))) return rc;
    char named_url[4096];
    if ((a->nurls == 1 && (rc = upload_name(a, &a->urls[0], named_url, sizeof named_url))) ||
        (rc = output_names(a)))
        return rc;
    /* --json asks for JSON back too, as curl's --json does, unless -H says
     * otherwise. */
    if (a->json && !apierr_header_find(a->headers, a->nheaders, "Accept") &&
        a->nheaders < MAX_HEADERS)
        a->headers[a->nheaders++] = (apierr_header){"Accept", "application/json"};
    apierr_profile profile;
    apierr_custom_dialect custom;
    int has_custom;
    if ((rc = load_profile(&profile, &custom, &has_custom, a->profile))) return rc;
    if (a->retries >= 0) profile.policy.max_attempts = a->retries + 1;
    if (a->jitter && apierr_jitter_from_name(&profile.policy.jitter, a->jitter) != APIERR_OK) {
        cli_error(CMD, "--jitter wants none, full, equal or decorrelated, not '%s'", a->jitter);
        cli_usage_hint(CMD);
        return CLI_EXIT_USAGE;
    }
    char *token_text = NULL;
    const char *token = a->token;
    if (a->token_file) {
        size_t len;
        if ((rc = cli_read_input(&token_text, &len, CMD, a->token_file, 1 << 16))) return rc;
        token = call_trim(token_text);
    }
    raise_nofile();
    struct run run = {.a = a, .max_retries = profile.policy.max_attempts - 1};
    apierr_client_opts o = APIERR_CLIENT_OPTS_INIT;
    o.profile = &profile;
    o.custom_dialect = has_custom ? &custom : NULL;
    o.token = token;
    o.oauth_token_url = a->oauth;
    o.client_id = a->client_id;
    o.client_secret = a->client_secret;
    o.pace = a->no_pace ? -1 : 1;
    transfer_opts(&o, a);
    if ((rc = session_opts(&o, a)) || (rc = call_tuning(a, &profile, &o)) ||
        (rc = call_basic_auth(a)) || (rc = call_curl_headers(a))) {
        free(token_text);
        return rc;
    }
    o.secret_names = a->redact;
    o.nsecret_names = a->nredact;
    o.report_path = a->report;
    o.verbose = a->verbose ? on_verbose : NULL;
    o.on_retry = on_retry;
    o.trace = a->trace ? on_trace : NULL;
    o.easy_setup = a->ncurl_set ? on_easy_setup : NULL;
    o.payload = &run;
    if (a->parallel) {
        o.max_in_flight = a->parallel < 256 ? a->parallel : 256;
        o.max_host_connections = o.max_in_flight;
    }
    if ((rc = call_trace_open(&run.trace, a->trace, a->trace_ascii, a->trace_time))) {
        free(token_text);
        return rc;
    }
    int crc = apierr_client_new(&run.client, &o);
    if (crc != APIERR_OK) {
        call_trace_close(&run.trace);
        cli_error(CMD, "%s",
                  crc == APIERR_EINVAL ? "give one of --token, --token-file, --oauth "
                                         "(with --client-id), --session-login (with --api-token)"
                                       : apierr_strerror(crc));
        if (crc == APIERR_EINVAL) cli_usage_hint(CMD);
        free(token_text);
        return crc == APIERR_EINVAL ? CLI_EXIT_USAGE : CLI_EXIT_FAILURE;
    }
    rc = a->input ? call_batch(run.client, a) : run_urls(&run, a);
    apierr_client_free(run.client); /* its last trace lines first */
    call_trace_close(&run.trace);
    free(token_text);
    return rc;
}

static int call_main(int argc, char **argv)
{
    struct call_args a = {.retries = -1};
    const char *none;
    int rc = cli_parse_args(&command, argc, argv, &a, &none); /* the URLs: set_url() */
    rc = rc == CLI_ARGS_HELP ? CLI_EXIT_OK : rc != CLI_ARGS_OK ? CLI_EXIT_USAGE : call_run(&a);
    for (size_t i = 0; i < a.nheader_files; i++) free(a.header_files[i]);
    call_curl_free(&a);
    free(a.basic);
    return rc;
}

int cli_call(int argc, char **argv)
{
    cli_config cfg;
    int rc = cli_config_expand(&cfg, &command, argc, argv);
    if (rc) return rc;
    rc = call_main((int)cfg.argc, cfg.argv);
    cli_config_free(&cfg);
    return rc;
}
