/*
 * curl easy handles: the settings every request shares, the callbacks that
 * collect an answer, and the handle of one attempt of a call (headers,
 * credentials, idempotency key, body, timeouts). One handle per attempt,
 * freed after it: a call that waits holds no handle.
 */
#include "alloc.h"
#include "engine.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static size_t on_body(char *ptr, size_t size, size_t n, void *userdata)
{
    apierr__buf *b = userdata;
    apierr__buf_append(b, ptr, size * n);
    return b->oom ? 0 : size * n;
}

static size_t on_header(char *ptr, size_t size, size_t n, void *userdata)
{
    apierr__buf *b = userdata;
    size_t len = size * n;
    /* A new status line (after 100 Continue or a redirect) starts over. */
    if (len >= 5 && strncmp(ptr, "HTTP/", 5) == 0) b->len = 0;
    apierr__buf_append(b, ptr, len);
    return b->oom ? 0 : len;
}

static size_t on_read(char *ptr, size_t size, size_t n, void *userdata)
{
    return fread(ptr, size, n, (FILE *)userdata);
}

static int on_seek(void *userdata, curl_off_t offset, int origin)
{
    return fseeko((FILE *)userdata, (off_t)offset, origin) ? CURL_SEEKFUNC_FAIL : CURL_SEEKFUNC_OK;
}

/* The string settings of curl's --cacert, --capath, --cert, --key,
 * --noproxy, --unix-socket and --proxy-user: each one's place in the
 * settings and in the options it is copied from, and its libcurl option. */
#define STRING(member, option)                                                                    \
    {                                                                                             \
        offsetof(apierr__transfer_settings, member), offsetof(apierr_client_opts, member), option \
    }
static const struct {
    size_t mine, given;
    CURLoption option;
} string_settings[] = {
    STRING(ca_file, CURLOPT_CAINFO),          STRING(ca_path, CURLOPT_CAPATH),
    STRING(client_cert, CURLOPT_SSLCERT),     STRING(client_key, CURLOPT_SSLKEY),
    STRING(noproxy, CURLOPT_NOPROXY),         STRING(unix_socket, CURLOPT_UNIX_SOCKET_PATH),
    STRING(proxy_user, CURLOPT_PROXYUSERPWD),
};
#undef STRING
#define NSTRINGS (sizeof string_settings / sizeof string_settings[0])

static char **string_of(const apierr__transfer_settings *t, size_t i)
{
    return (char **)(void *)((char *)(uintptr_t)t + string_settings[i].mine);
}

/* Those, the HTTP version, -b/-c's store, --resolve, -4, -6, version 7's
 * and the trace: only what was given, so that libcurl's defaults (its CA
 * bundle) stay. */
static void given_settings(apierr_client *c, const apierr__transfer_settings *t, CURL *e)
{
    for (size_t i = 0; i < NSTRINGS; i++)
        if (*string_of(t, i)) curl_easy_setopt(e, string_settings[i].option, *string_of(t, i));
    if (t->http_version != CURL_HTTP_VERSION_NONE)
        curl_easy_setopt(e, CURLOPT_HTTP_VERSION, t->http_version);
    if (t->cookies) { /* the engine on, its cookies the client's store */
        curl_easy_setopt(e, CURLOPT_SHARE, t->cookies);
        curl_easy_setopt(e, CURLOPT_COOKIEFILE, "");
    }
    if (t->resolve) curl_easy_setopt(e, CURLOPT_RESOLVE, t->resolve);
    if (t->ip_resolve != CURL_IPRESOLVE_WHATEVER)
        curl_easy_setopt(e, CURLOPT_IPRESOLVE, t->ip_resolve);
    if (t->path_as_is) curl_easy_setopt(e, CURLOPT_PATH_AS_IS, 1L);
    if (t->netrc != CURL_NETRC_IGNORED) curl_easy_setopt(e, CURLOPT_NETRC, t->netrc);
    if (t->netrc_file) curl_easy_setopt(e, CURLOPT_NETRC_FILE, t->netrc_file);
    if (t->max_recv_speed)
        curl_easy_setopt(e, CURLOPT_MAX_RECV_SPEED_LARGE, (curl_off_t)t->max_recv_speed);
    if (t->max_send_speed)
        curl_easy_setopt(e, CURLOPT_MAX_SEND_SPEED_LARGE, (curl_off_t)t->max_send_speed);
    if (t->trace) {
        curl_easy_setopt(e, CURLOPT_DEBUGFUNCTION, apierr__trace_cb);
        curl_easy_setopt(e, CURLOPT_DEBUGDATA, c);
        curl_easy_setopt(e, CURLOPT_VERBOSE, 1L);
    }
}

/* What every transfer of c shares, set once per handle: a handle a plain
 * GET attempt left keeps them (setting them again cost some 1,700
 * instructions an attempt in bench_client, of about 115,000: libcurl
 * copies the strings and rebuilds its Accept-Encoding list each time).
 * An attempt's User-Agent is a line of its header list (header_list.c);
 * libcurl's own is for a proxy's CONNECT. */
static void client_wide(apierr_client *c, CURL *e)
{
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    if (c->connect_timeout_ms > 0)
        curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, (long)c->connect_timeout_ms);
    if (c->xfer.proxy) {
        curl_easy_setopt(e, CURLOPT_PROXY, c->xfer.proxy);
        curl_easy_setopt(e, CURLOPT_USERAGENT, c->xfer.user_agent);
    } else if (!c->xfer.env_proxy) {
        /* No proxy, as the environment said when the client was made:
         * else libcurl reads five variables of it for every request
         * (some 1,600 instructions an attempt). */
        curl_easy_setopt(e, CURLOPT_PROXY, "");
        curl_easy_setopt(e, CURLOPT_NOPROXY, "");
    }
    if (c->xfer.insecure) {
        curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 0L);
        curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 0L);
    }
    given_settings(c, &c->xfer, e);
    if (c->xfer.easy_setup) c->xfer.easy_setup(c->xfer.payload, e); /* the caller's, last */
}

CURL *apierr__easy_new(apierr_client *c, const char *url, apierr__buf *body, apierr__buf *head,
                       void *private_, int *warm)
{
    CURL *e;
    int kept = 0;
    if (c->npool) {
        apierr__pooled p = c->easy_pool[--c->npool];
        e = p.easy;
        kept = p.plain && warm;
        if (p.plain && !warm) curl_easy_reset(e);
    } else {
        e = curl_easy_init();
    }
    if (warm) *warm = kept;
    if (!e) return NULL;
    if (!kept) client_wide(c, e);
    /* A token request or a session login has no header list of ours. */
    if (!warm && !c->xfer.proxy) curl_easy_setopt(e, CURLOPT_USERAGENT, c->xfer.user_agent);
    if (url) curl_easy_setopt(e, CURLOPT_URL, url);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, body);
    curl_easy_setopt(e, CURLOPT_HEADERDATA, head);
    curl_easy_setopt(e, CURLOPT_PRIVATE, private_);
    return e;
}

/* Keeps an ended attempt's handle for a later one: creating and freeing
 * one per attempt was most of what the engine cost over a raw libcurl
 * loop that reuses its handles (bench_client). Reset, it keeps only its
 * allocations; connections and DNS live in the multi handle anyway. A
 * plain GET's handle is not reset (curl_easy_reset() was the largest cost
 * of an ended attempt, some 3,200 instructions): every attempt sets anew
 * each option a plain GET sets (and the once-per-handle ones stay); only
 * the header list, freed with the leg, and the parsed URL, freed with the
 * call, are taken off it now. Any other
 * attempt's handle is reset here, and a plain one when a token request
 * takes it (apierr__easy_new() without warm). */
static void easy_put(apierr_client *c, CURL *e, int plain)
{
    if (c->npool == c->pool_cap) {
        size_t cap = c->pool_cap ? c->pool_cap * 2 : 16;
        apierr__pooled *v =
            cap <= c->max_in_flight * 2 ? apierr__realloc(c->easy_pool, cap * sizeof *v) : NULL;
        if (!v) {
            curl_easy_cleanup(e);
            return;
        }
        c->easy_pool = v;
        c->pool_cap = cap;
    }
    if (plain) {
        curl_easy_setopt(e, CURLOPT_HTTPHEADER, NULL);
        curl_easy_setopt(e, CURLOPT_CURLU, NULL); /* the call's, freed with it */
    } else {
        curl_easy_reset(e);
    }
    c->easy_pool[c->npool++] = (apierr__pooled){e, plain};
}

void apierr__easy_pool_free(apierr_client *c)
{
    while (c->npool) curl_easy_cleanup(c->easy_pool[--c->npool].easy);
    apierr__free(c->easy_pool);
    c->easy_pool = NULL;
    c->pool_cap = 0;
}

/* The content codings this libcurl decodes, in CURLOPT_ACCEPT_ENCODING's
 * "" order, by the feature bit that says it was built with them. */
static const struct {
    int feature;
    const char *codings;
} decoders[] = {
    {CURL_VERSION_LIBZ, "deflate, gzip"},
    {CURL_VERSION_BROTLI, "br"},
    {CURL_VERSION_ZSTD, "zstd"},
};

/* "deflate, gzip, br, zstd", as libcurl lists them for
 * CURLOPT_ACCEPT_ENCODING "" ("" when it decodes none: the line
 * "Accept-Encoding: " then tells libcurl to send none). NULL when out of
 * memory. */
static char *decoded_codings(void)
{
    int features = curl_version_info(CURLVERSION_NOW)->features;
    apierr__buf b = APIERR__BUF_INIT;
    for (size_t i = 0; i < sizeof decoders / sizeof decoders[0]; i++)
        if (features & decoders[i].feature)
            apierr__buf_printf(&b, "%s%s", b.len ? ", " : "", decoders[i].codings);
    return apierr__buf_take(&b, NULL);
}

/* "Name: value" (owned), or NULL when out of memory (or value is NULL). */
static char *header_line(const char *name, const char *value)
{
    if (!value) return NULL;
    apierr__buf b = APIERR__BUF_INIT;
    apierr__buf_printf(&b, "%s: %s", name, value);
    return apierr__buf_take(&b, NULL);
}

/* The variables libcurl takes a proxy from (for http and https URLs; it
 * ignores HTTP_PROXY, named here all the same). */
static const char *const proxy_variables[] = {
    "http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY",
};

static int env_names_proxy(void)
{
    for (size_t i = 0; i < sizeof proxy_variables / sizeof proxy_variables[0]; i++) {
        const char *v = getenv(proxy_variables[i]);
        if (v && *v) return 1;
    }
    return 0;
}

/* The cookie store of curl's -b and -c: one share handle for every
 * transfer, the file read into it here, once (a file set on each handle
 * would be read again by each, over what the server set since). 0 or -1. */
static int cookies_init(apierr__transfer_settings *t, const apierr_client_opts *o)
{
    if (!o->cookie_file && !o->cookie_jar) return 0;
    if (!(t->cookies = curl_share_init()) ||
        curl_share_setopt(t->cookies, CURLSHOPT_SHARE, CURL_LOCK_DATA_COOKIE) != CURLSHE_OK)
        return -1;
    if (o->cookie_jar && !(t->cookie_jar = apierr__strdup(o->cookie_jar))) return -1;
    if (!o->cookie_file || !*o->cookie_file) return 0;
    CURL *e = curl_easy_init();
    if (!e) return -1;
    curl_easy_setopt(e, CURLOPT_SHARE, t->cookies);
    /* -j: the file's cookies without an expiry ended with the session
     * that set them. */
    if (o->cookie_session == 1) curl_easy_setopt(e, CURLOPT_COOKIESESSION, 1L);
    curl_easy_setopt(e, CURLOPT_COOKIEFILE, o->cookie_file);
    curl_easy_setopt(e, CURLOPT_COOKIELIST, "RELOAD");
    curl_easy_cleanup(e);
    return 0;
}

/* Writes the store to the jar, as curl -c does when it ends. */
static void cookies_save(apierr__transfer_settings *t)
{
    if (!t->cookies || !t->cookie_jar) return;
    CURL *e = curl_easy_init();
    if (!e) return;
    curl_easy_setopt(e, CURLOPT_SHARE, t->cookies);
    curl_easy_setopt(e, CURLOPT_COOKIEJAR, t->cookie_jar);
    curl_easy_setopt(e, CURLOPT_COOKIELIST, "FLUSH");
    curl_easy_cleanup(e);
}

/* -4/-6 and the HTTP versions: an option's number, its libcurl value (0 in
 * a slot: no such number). */
static const long families[] = {[4] = CURL_IPRESOLVE_V4, [6] = CURL_IPRESOLVE_V6};
static const long versions[] = {[10] = CURL_HTTP_VERSION_1_0,
                                [11] = CURL_HTTP_VERSION_1_1,
                                [20] = CURL_HTTP_VERSION_2TLS,
                                [21] = CURL_HTTP_VERSION_2_PRIOR_KNOWLEDGE};

/* The libcurl value of option number n in table (n entries); 0 for n 0
 * (libcurl's default, 0 for both), -1 when the table has none. */
static long mapped(const long *table, size_t size, int n)
{
    if (n == 0) return 0;
    return n > 0 && (size_t)n < size && table[n] ? table[n] : -1;
}
#define MAPPED(table, n) mapped(table, sizeof table / sizeof table[0], n)

/* --netrc-optional and -n: CURL_NETRC_OPTIONAL and _REQUIRED (libcurl's
 * names: "required" only means the file's entry wins over the URL's). */
static const long netrc_modes[] = {[1] = CURL_NETRC_OPTIONAL, [2] = CURL_NETRC_REQUIRED};

int apierr__transfer_opts_check(const apierr_client_opts *o)
{
    return MAPPED(families, o->ip_version) < 0 || MAPPED(versions, o->http_version) < 0 ||
                   MAPPED(netrc_modes, o->netrc) < 0 || o->max_recv_speed < 0 ||
                   o->max_send_speed < 0
               ? APIERR_EINVAL
               : APIERR_OK;
}

/* Version 6's members copied (checked by apierr__transfer_opts_check()):
 * APIERR_OK or APIERR_ENOMEM. */
static int tls_settings_init(apierr__transfer_settings *t, const apierr_client_opts *o)
{
    t->ip_resolve = MAPPED(families, o->ip_version);
    t->http_version = MAPPED(versions, o->http_version);
    t->keep_info = o->transfer_info == 1;
    t->path_as_is = o->path_as_is == 1;
    t->netrc = MAPPED(netrc_modes, o->netrc); /* CURL_NETRC_IGNORED is 0 */
    t->max_recv_speed = o->max_recv_speed;
    t->max_send_speed = o->max_send_speed;
    t->trace = o->trace;
    t->easy_setup = o->easy_setup;
    t->payload = o->payload;
    if (o->netrc_file && !(t->netrc_file = apierr__strdup(o->netrc_file))) return APIERR_ENOMEM;
    for (size_t i = 0; i < NSTRINGS; i++) {
        const char *given =
            *(const char *const *)(const void *)((const char *)o + string_settings[i].given);
        if (given && !(*string_of(t, i) = apierr__strdup(given))) return APIERR_ENOMEM;
    }
    for (size_t i = 0; o->resolve && i < o->nresolve; i++) {
        if (!o->resolve[i]) continue;
        struct curl_slist *l = curl_slist_append(t->resolve, o->resolve[i]);
        if (!l) return APIERR_ENOMEM;
        t->resolve = l;
    }
    return APIERR_OK;
}

/* How a libcurl figure lands in apierr_transfer_info. */
enum info_kind {
    AS_LONG,     /* a long, as it is */
    LONG_BYTES,  /* a long into a long long */
    OFF_BYTES,   /* a curl_off_t into a long long */
    OFF_SPEED,   /* a curl_off_t, bytes a second, into a double */
    OFF_SECONDS, /* a curl_off_t of microseconds into seconds */
};

void apierr__transfer_info_read(CURL *e, apierr_transfer_info *out)
{
    *out = (apierr_transfer_info){.version = APIERR_TRANSFER_INFO_VERSION};
#define AT(member) offsetof(apierr_transfer_info, member)
    static const struct {
        CURLINFO info;
        enum info_kind kind;
        size_t at;
    } figures[] = {
        {CURLINFO_PRIMARY_PORT, AS_LONG, AT(remote_port)},
        {CURLINFO_LOCAL_PORT, AS_LONG, AT(local_port)},
        {CURLINFO_NUM_CONNECTS, AS_LONG, AT(num_connects)},
        {CURLINFO_REDIRECT_COUNT, AS_LONG, AT(num_redirects)},
        {CURLINFO_SSL_VERIFYRESULT, AS_LONG, AT(ssl_verify_result)},
        {CURLINFO_HEADER_SIZE, LONG_BYTES, AT(size_header)},
        {CURLINFO_REQUEST_SIZE, LONG_BYTES, AT(size_request)},
        {CURLINFO_SIZE_UPLOAD_T, OFF_BYTES, AT(size_upload)},
        {CURLINFO_SPEED_DOWNLOAD_T, OFF_SPEED, AT(speed_download)},
        {CURLINFO_SPEED_UPLOAD_T, OFF_SPEED, AT(speed_upload)},
        {CURLINFO_NAMELOOKUP_TIME_T, OFF_SECONDS, AT(time_namelookup)},
        {CURLINFO_CONNECT_TIME_T, OFF_SECONDS, AT(time_connect)},
        {CURLINFO_APPCONNECT_TIME_T, OFF_SECONDS, AT(time_appconnect)},
        {CURLINFO_PRETRANSFER_TIME_T, OFF_SECONDS, AT(time_pretransfer)},
        {CURLINFO_STARTTRANSFER_TIME_T, OFF_SECONDS, AT(time_starttransfer)},
        {CURLINFO_REDIRECT_TIME_T, OFF_SECONDS, AT(time_redirect)},
        {CURLINFO_TOTAL_TIME_T, OFF_SECONDS, AT(time_total)},
    };
#undef AT
    for (size_t i = 0; i < sizeof figures / sizeof figures[0]; i++) {
        void *to = (char *)out + figures[i].at;
        long l = 0;
        curl_off_t off = 0;
        if (figures[i].kind == AS_LONG || figures[i].kind == LONG_BYTES)
            curl_easy_getinfo(e, figures[i].info, &l);
        else
            curl_easy_getinfo(e, figures[i].info, &off);
        switch (figures[i].kind) {
        case AS_LONG:
            *(long *)to = l;
            break;
        case LONG_BYTES:
            *(long long *)to = l;
            break;
        case OFF_BYTES:
            *(long long *)to = (long long)off;
            break;
        case OFF_SPEED:
            *(double *)to = (double)off;
            break;
        case OFF_SECONDS:
            *(double *)to = (double)off / 1e6;
            break;
        }
    }
    long version = 0;
    curl_easy_getinfo(e, CURLINFO_HTTP_VERSION, &version);
    out->http_version = version == CURL_HTTP_VERSION_1_0   ? 10
                        : version == CURL_HTTP_VERSION_1_1 ? 11
                        : version == CURL_HTTP_VERSION_2_0 ? 20
                        : version == CURL_HTTP_VERSION_3   ? 30
                                                           : 0;
    char *text = NULL;
    if (curl_easy_getinfo(e, CURLINFO_SCHEME, &text) == CURLE_OK && text)
        for (size_t i = 0; text[i] && i + 1 < sizeof out->scheme; i++)
            out->scheme[i] = (char)(text[i] >= 'A' && text[i] <= 'Z' ? text[i] + 32 : text[i]);
    if (curl_easy_getinfo(e, CURLINFO_PRIMARY_IP, &text) == CURLE_OK && text)
        snprintf(out->remote_ip, sizeof out->remote_ip, "%s", text);
    if (curl_easy_getinfo(e, CURLINFO_LOCAL_IP, &text) == CURLE_OK && text)
        snprintf(out->local_ip, sizeof out->local_ip, "%s", text);
    if (curl_easy_getinfo(e, CURLINFO_REDIRECT_URL, &text) == CURLE_OK && text)
        snprintf(out->redirect_url, sizeof out->redirect_url, "%s", text);
}

int apierr__transfer_settings_init(apierr__transfer_settings *t, const apierr_client_opts *o)
{
    apierr__buf ua = APIERR__BUF_INIT;
    if (o->user_agent)
        apierr__buf_printf(&ua, "%s", o->user_agent);
    else
        apierr__buf_printf(&ua, "apierr/%s", apierr_version());
    t->user_agent = apierr__buf_take(&ua, NULL);
    t->user_agent_line = header_line("User-Agent", t->user_agent);
    t->codings = decoded_codings();
    t->accept_encoding_line = header_line("Accept-Encoding", t->codings);
    t->follow = o->follow_redirects == 1;
    t->max_redirects = o->max_redirects ? o->max_redirects : 50;
    t->insecure = o->insecure == 1;
    t->proxy = apierr__strdup(o->proxy);
    t->env_proxy = env_names_proxy();
    if ((o->proxy && !t->proxy) || !t->user_agent || !t->user_agent_line ||
        !t->accept_encoding_line || tls_settings_init(t, o) || cookies_init(t, o))
        return APIERR_ENOMEM;
    return APIERR_OK;
}

void apierr__transfer_settings_free(apierr__transfer_settings *t)
{
    apierr__free(t->proxy);
    apierr__free(t->user_agent);
    apierr__free(t->user_agent_line);
    apierr__free(t->accept_encoding_line);
    apierr__free(t->codings);
    t->proxy = t->user_agent = t->user_agent_line = t->accept_encoding_line = t->codings = NULL;
    for (size_t i = 0; i < NSTRINGS; i++) {
        apierr__free(*string_of(t, i));
        *string_of(t, i) = NULL;
    }
    curl_slist_free_all(t->resolve);
    t->resolve = NULL;
    apierr__free(t->netrc_file);
    t->netrc_file = NULL;
    cookies_save(t);
    if (t->cookies) curl_share_cleanup(t->cookies);
    t->cookies = NULL;
    apierr__free(t->cookie_jar);
    t->cookie_jar = NULL;
}

/* Redirects as curl -L follows them (apierr_client_opts.follow_redirects);
 * libcurl keeps credentials to the first host (CURLOPT_UNRESTRICTED_AUTH
 * off) and, for a POST, turns 301/302/303 into GET. */
static void set_redirects(const apierr__call *k, CURL *e)
{
    if (!k->c->xfer.follow) return;
    curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(e, CURLOPT_MAXREDIRS, k->c->xfer.max_redirects);
}

void apierr__leg_release(apierr_client *c, apierr__leg *l)
{
    if (l->easy) {
        /* Also how a hedge that lost is cancelled: off the multi handle,
         * its connection closed or kept by libcurl. */
        curl_multi_remove_handle(c->multi, l->easy);
        easy_put(c, l->easy, l->plain);
        l->easy = NULL;
        c->in_flight--;
    }
    apierr__leg_headers_free(l);
    curl_mime_free(l->mime); /* after the handle that used it */
    l->mime = NULL;
    if (l->bodyf) fclose(l->bodyf);
    l->bodyf = NULL;
    apierr__buf_free(&l->rbody);
    apierr__buf_free(&l->rhead);
}

void apierr__transfer_release(apierr__call *k)
{
    apierr__leg_release(k->c, &k->run->at);
    for (int i = 0; i < k->run->nhedges; i++) apierr__leg_release(k->c, &k->run->hedges[i]);
}

/* --- one attempt's request ---------------------------------------------------------- */

/* Opens the body (l->bodyf: the file, or memory; each leg its own) to be
 * read by libcurl, which rewinds it to send it again; *size gets its
 * length. 0 or -1. */
static int read_body_from(apierr__call *k, apierr__leg *l, CURL *e, curl_off_t *size)
{
    l->bodyf = k->body_file ? fopen(k->body_file, "rb") : fmemopen(k->body, k->body_len, "rb");
    if (!l->bodyf || fseeko(l->bodyf, 0, SEEK_END)) return -1;
    *size = (curl_off_t)ftello(l->bodyf);
    rewind(l->bodyf);
    curl_easy_setopt(e, CURLOPT_READFUNCTION, on_read);
    curl_easy_setopt(e, CURLOPT_READDATA, l->bodyf);
    curl_easy_setopt(e, CURLOPT_SEEKFUNCTION, on_seek);
    curl_easy_setopt(e, CURLOPT_SEEKDATA, l->bodyf);
    return 0;
}

static int set_body(apierr__call *k, apierr__leg *l, CURL *e)
{
    if (k->body_file) {
        curl_off_t size;
        if (read_body_from(k, l, e, &size)) return -1;
        curl_easy_setopt(e, CURLOPT_POST, 1L);
        curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, size);
    } else {
        curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)k->body_len);
        curl_easy_setopt(e, CURLOPT_POSTFIELDS, k->body ? k->body : "");
    }
    return 0;
}

/* A PUT that may be redirected goes as libcurl's own PUT (an upload read
 * from the body), not as a custom method: libcurl keeps a custom method
 * through every redirect, and a 303 must turn it into a GET (RFC 9110
 * 15.4.4); a 307 or 308 sends the body again, read from the start. */
static int set_upload(apierr__call *k, apierr__leg *l, CURL *e)
{
    curl_off_t size;
    if (read_body_from(k, l, e, &size)) return -1;
    curl_easy_setopt(e, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(e, CURLOPT_INFILESIZE_LARGE, size);
    return 0;
}

/* The attempt's own timeout, cut to what is left of the call's deadline. */
static long long attempt_timeout(const apierr__call *k)
{
    long long timeout = k->policy->attempt_timeout_ms;
    if (k->policy->deadline_ms > 0) {
        long long left = k->run->pstate.start_ms + k->policy->deadline_ms - apierr__call_now(k);
        if (left < 1) left = 1;
        if (!timeout || left < timeout) timeout = left;
    }
    return timeout;
}

/* The method, and the body that goes with it. 0, or -1 when the body file
 * cannot be read. */
static int set_method(apierr__call *k, apierr__leg *l, CURL *e)
{
    const char *m = k->run->res.method;
    int has_body = k->body || k->body_file;
    int bad = 0;
    if (k->nform) {
        bad |= apierr__form_attach(k, &l->mime, e);
        if (strcmp(m, "POST") != 0) curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, m);
    } else if (!strcmp(m, "GET") && !has_body) {
        curl_easy_setopt(e, CURLOPT_HTTPGET, 1L);
        l->plain = 1;
    } else if (!strcmp(m, "HEAD")) {
        curl_easy_setopt(e, CURLOPT_NOBODY, 1L);
    } else if (k->c->xfer.follow && (k->body_file || k->body_len) && !strcmp(m, "PUT")) {
        bad |= set_upload(k, l, e);
    } else {
        if (has_body || !strcmp(m, "POST")) bad |= set_body(k, l, e);
        if (strcmp(m, "POST") != 0) curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, m);
    }
    return bad;
}

/* Builds the handle of one attempt of k on leg l (empty) and adds it to the
 * multi handle. NULL on success, else why it failed (l holds what was
 * taken; apierr__leg_release() frees it) and *cat the category. */
static const char *leg_start(apierr__call *k, apierr__leg *l, apierr_category *cat)
{
    apierr_client *c = k->c;
    *cat = APIERR_CAT_NETWORK;
    /* Numbered in the order they leave: the ones answered, the ones out. */
    l->number = k->run->res.nattempts + apierr__call_legs_out(k) + 1;
    int warm;
    CURL *e = apierr__easy_new(c, NULL, &l->rbody, &l->rhead, k, &warm);
    if (!e) return "curl_easy_init failed";
    apierr__parsed_url_set(e, k->parsed, k->url_sent);
    l->plain = 0;
    l->easy = e;
    c->in_flight++;
    l->attempt_start = apierr__mono_ms();
    if (c->verbose) {
        char url[2048];
        apierr__redact_url_names(url, sizeof url, k->url_sent, c->secret_names, c->nsecret_names);
        apierr__client_logf(c, "> %s %s (attempt %zu%s)", k->run->res.method, url, l->number,
                            l->hedge ? ", a hedge" : "");
    }
    int bad;
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, apierr__leg_headers(k, l, &bad));
    /* The codings of the Accept-Encoding line: libcurl decodes a body only
     * when this is set, and sends the line of the list, not its own. */
    if (!warm) curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, c->xfer.codings);
    /* Always set (0: none), as every option of a plain GET: a pooled
     * handle keeps what the last one set. */
    long long timeout = attempt_timeout(k);
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, timeout > 0 ? (long)timeout : 0L);
    /* libcurl sends a request again by itself, unrecorded, when a reused
     * connection turns out closed before any answer: but the server may
     * have read and acted on it. A request that is not idempotent goes on
     * a connection of its own, which curl never re-sends on: it leaves at
     * most once per attempt, and each re-send is the policy's, recorded
     * (with a key) or refused (without). Idempotent requests keep reuse. */
    if (!apierr_method_idempotent(k->method)) curl_easy_setopt(e, CURLOPT_FRESH_CONNECT, 1L);
    bad |= set_method(k, l, e);
    if (!warm) set_redirects(k, e);
    if (bad) {
        *cat = APIERR_CAT_INVALID_REQUEST;
        return k->body_file && !l->bodyf ? "cannot read the body file" : "out of memory";
    }
    if (curl_multi_add_handle(c->multi, e) != CURLM_OK) return "curl_multi_add_handle failed";
    return NULL;
}

void apierr__transfer_start(apierr__call *k)
{
    apierr__call_move(k, APIERR__MSTATE_INFLIGHT);
    k->cred_gen = k->c->creds.gen;
    k->throttle_passed = 0;
    apierr_category cat;
    const char *why = leg_start(k, &k->run->at, &cat);
    if (why) {
        apierr__call_fail(k, cat, why, NULL);
        return;
    }
    apierr__hedge_arm(k, 1);
}

int apierr__transfer_hedge(apierr__call *k, apierr__leg *l)
{
    apierr_category cat;
    l->hedge = 1;
    if (!leg_start(k, l, &cat)) return 0;
    apierr__leg_release(k->c, l);
    return -1;
}
