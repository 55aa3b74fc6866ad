/* `apierr call`: curl's flags that are each one libcurl setting (the table
 * of call_curlopts.h): read as curl reads them, kept in the order given,
 * set on every easy handle of the client through its easy_setup. A table
 * and not a client option each: the library has one hook for any libcurl
 * setting, and the command only maps curl's names onto it. */
#include "call_curlopts.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const struct {
    const char *flag;
    CURLoption option;
    enum call_curl_kind kind;
    long value;
    CURLoption also;
    long also_value;
} rows[] = {
#define CALL__CURL_ROW(id, flag, metavar, option, kind, value, also, also_value, help) \
    {flag, option, kind, value, (CURLoption)(also), also_value},
    CALL_CURL_FLAGS(CALL__CURL_ROW)
#undef CALL__CURL_ROW
};

/* PORT or FIRST-LAST, ports 1..65535: the first and how many. 0 or -1. */
static int parse_ports(const char *v, long *first, long long *count)
{
    char *end;
    long a = strtol(v, &end, 10), b = a;
    if (end == v) return -1;
    if (*end == '-') {
        const char *r = end + 1;
        b = strtol(r, &end, 10);
        if (end == r) return -1;
    }
    if (*end || a < 1 || b < a || b > 65535) return -1;
    *first = a;
    *count = b - a + 1;
    return 0;
}

/* The schemes apierr calls, as bits of a protocol set; another name
 * curl knows is in no set apierr can use, as "all" is these two. */
static const char *const schemes[] = {"http", "https"};
static const char *const scheme_sets[] = {"", "http", "https", "http,https"};

/* curl's --proto: "[+-=]NAME" items, comma-separated, from every scheme;
 * + adds, - takes away, = sets to only that; "all" is every one. Into the
 * set's bits. 0, or -1 for an empty item. */
static int parse_protocols(const char *v, long *bits)
{
    long set = 3;
    for (const char *p = v; *p;) {
        char op = *p == '+' || *p == '-' || *p == '=' ? *p++ : '+';
        size_t n = strcspn(p, ",");
        if (!n) return -1;
        long these = n == 3 && !strncmp(p, "all", 3) ? 3 : 0;
        for (size_t i = 0; i < 2; i++)
            if (strlen(schemes[i]) == n && !strncasecmp(p, schemes[i], n)) these = 1L << i;
        set = op == '=' ? these : op == '-' ? set & ~these : set | these;
        p += n + (p[n] == ',');
    }
    *bits = set;
    return 0;
}

/* Reads v by the kind of row id into set. 0 or -1. */
static int parse(struct call_curl_set *set, int id, const char *v)
{
    double seconds;
    int n;
    switch (rows[id].kind) {
    case CALL_CURL_FIXED:
    case CALL_CURL_BIT:
        set->n = rows[id].value;
        return 0;
    case CALL_CURL_COUNT:
        if (cli_parse_int(&n, v, 0, 1000000000)) return -1;
        set->n = n;
        return 0;
    case CALL_CURL_MS:
        if (call_parse_seconds(&seconds, v)) return -1;
        set->n = (long)(seconds * 1000 + 0.5);
        return 0;
    case CALL_CURL_STRING:
    case CALL_CURL_LIST:
        set->s = v;
        return 0;
    case CALL_CURL_SIZE:
        return call_parse_size(&set->off, v);
    case CALL_CURL_PORTS:
        return parse_ports(v, &set->n, &set->off);
    case CALL_CURL_PROTO:
        return parse_protocols(v, &set->n);
    }
    return -1;
}

/* The setter of every row: its value read and kept in order. */
static int add(struct call_args *a, int id, const char *v)
{
    struct call_curl_set set = {.id = id};
    if (a->ncurl_set == CALL_MAX_CURL) {
        cli_error(CALL_CMD, "at most %d of the flags of libcurl's settings", CALL_MAX_CURL);
        return -1;
    }
    if (parse(&set, id, v)) {
        cli_error(CALL_CMD, "%s: cannot read '%s'", rows[id].flag, v);
        return -1;
    }
    a->curl_set[a->ncurl_set++] = set;
    return 0;
}

#define CALL__CURL_SETTER(id, ...)                   \
    int call_set_curl_##id(void *ctx, const char *v) \
    {                                                \
        return add(ctx, CALL_CURL_##id, v);          \
    }
CALL_CURL_FLAGS(CALL__CURL_SETTER)
#undef CALL__CURL_SETTER

int call_curl_given(const struct call_args *a, enum call_curl_id id)
{
    for (size_t i = 0; i < a->ncurl_set; i++)
        if (a->curl_set[i].id == (int)id) return 1;
    return 0;
}

int call_curl_auth(const struct call_args *a)
{
    for (size_t i = 0; i < a->ncurl_set; i++)
        if (rows[a->curl_set[i].id].option == CURLOPT_HTTPAUTH ||
            rows[a->curl_set[i].id].option == CURLOPT_AWS_SIGV4)
            return 1;
    return 0;
}

/* Sets one given flag on e; a BIT row sets the OR of every bit given for
 * its option. libcurl's code. */
static CURLcode set_one(const struct call_args *a, const struct call_curl_set *set, CURL *e)
{
    CURLoption o = rows[set->id].option;
    switch (rows[set->id].kind) {
    case CALL_CURL_BIT: {
        long bits = 0;
        for (size_t i = 0; i < a->ncurl_set; i++)
            if (rows[a->curl_set[i].id].option == o) bits |= a->curl_set[i].n;
        return curl_easy_setopt(e, o, bits);
    }
    case CALL_CURL_STRING:
        return curl_easy_setopt(e, o, set->s);
    case CALL_CURL_PROTO:
        return curl_easy_setopt(e, o, scheme_sets[set->n & 3]);
    case CALL_CURL_LIST: /* the whole list, from the option's first entry */
        for (size_t i = 0; i < a->ncurl_set; i++)
            if (rows[a->curl_set[i].id].option == o && a->curl_set[i].list)
                return curl_easy_setopt(e, o, (struct curl_slist *)a->curl_set[i].list);
        return CURLE_OK;
    case CALL_CURL_SIZE:
        return curl_easy_setopt(e, o, (curl_off_t)set->off);
    case CALL_CURL_PORTS: {
        CURLcode rc = curl_easy_setopt(e, o, set->n);
        return rc ? rc : curl_easy_setopt(e, CURLOPT_LOCALPORTRANGE, (long)set->off);
    }
    default:
        return curl_easy_setopt(e, o, set->n);
    }
}

/* Everything given on e: the second options first, then each row's own
 * in the order given (the last of one option wins, as in curl). The first
 * flag libcurl refused, or NULL. */
static const struct call_curl_set *setup(const struct call_args *a, CURL *e, CURLcode *rc)
{
    /* -u with libcurl's own scheme: its user and password (a Basic header
     * of ours is not made, call_basic_auth()). */
    if (a->user && call_curl_auth(a)) curl_easy_setopt(e, CURLOPT_USERPWD, a->user);
    for (size_t i = 0; i < a->ncurl_set; i++) {
        int id = a->curl_set[i].id;
        if (rows[id].also && (*rc = curl_easy_setopt(e, rows[id].also, rows[id].also_value)))
            return &a->curl_set[i];
    }
    for (size_t i = 0; i < a->ncurl_set; i++)
        if ((*rc = set_one(a, &a->curl_set[i], e))) return &a->curl_set[i];
    return NULL;
}

void call_curl_setup(const struct call_args *a, CURL *e)
{
    CURLcode rc;
    (void)setup(a, e, &rc); /* call_curl_check() saw each one taken */
}

/* The curl_slist of each LIST option, on its first entry: every value
 * given for it, in order. 0, or -1 out of memory. */
static int make_lists(struct call_args *a)
{
    for (size_t i = 0; i < a->ncurl_set; i++) {
        struct call_curl_set *first = &a->curl_set[i];
        if (rows[first->id].kind != CALL_CURL_LIST || first->list) continue;
        int taken = 0; /* by an entry before: this one's value is on its list */
        for (size_t j = 0; j < i; j++) taken |= a->curl_set[j].id == first->id;
        for (size_t j = i; !taken && j < a->ncurl_set; j++) {
            if (a->curl_set[j].id != first->id) continue;
            struct curl_slist *l = curl_slist_append(first->list, a->curl_set[j].s);
            if (!l) return -1;
            first->list = l;
        }
    }
    return 0;
}

void call_curl_free(struct call_args *a)
{
    for (size_t i = 0; i < a->ncurl_set; i++) {
        curl_slist_free_all(a->curl_set[i].list);
        a->curl_set[i].list = NULL;
    }
}

int call_curl_check(struct call_args *a)
{
    if (!a->ncurl_set) return CLI_EXIT_OK;
    CURL *e = make_lists(a) ? NULL : curl_easy_init();
    if (!e) {
        cli_error(CALL_CMD, "out of memory");
        return CLI_EXIT_FAILURE;
    }
    CURLcode rc = CURLE_OK;
    const struct call_curl_set *bad = setup(a, e, &rc);
    curl_easy_cleanup(e);
    if (!bad) return CLI_EXIT_OK;
    cli_error(CALL_CMD, "%s: libcurl %s refuses it (%s)", rows[bad->id].flag,
              curl_version_info(CURLVERSION_NOW)->version, curl_easy_strerror(rc));
    cli_usage_hint(CALL_CMD);
    return CLI_EXIT_USAGE;
}
