/*
 * The general structural decoder: one problem from a JSON error body of a
 * shape no named dialect claims, by rules over member names (the table in
 * member_table.h), not by vendor.
 *
 * - Where the error is: the body, or the first element holding an error
 *   when it is an array (a JSON-RPC batch); a body whose one unknown
 *   member holds the error (OpenStack's itemNotFound), that member, its
 *   name the code; from there envelopes are followed (error, errors,
 *   fault, detail, data, ...), each a level. A payload (data) beside a
 *   code and a message of their own says more but no longer names the
 *   error, but by a member the table names a code (tRPC). innerError,
 *   root_cause[0] and the like are inner objects, read after the levels.
 * - Which member plays a role: at each level the best-ranked member of the
 *   role; the innermost level that has one wins, then the inner objects.
 *   A token in `error` or `reason` is a code, a sentence a message; an
 *   integer code equal to the status only repeats the status; an RFC 9457
 *   type URI is the code when there is no other (about:blank never), then
 *   the identifier a message is or begins with (Firebase's EMAIL_NOT_FOUND);
 *   0 or 1 in `error` or `err` is a flag (Rollbar).
 * - Field details: the best-ranked list or map of the levels; items name
 *   their field (field, name, param, source.pointer, ...), message and
 *   code; maps nest (Rails' {message: {bio: [..]}}, Discord's _errors). A
 *   detail with a code and no message has the code as its message
 *   (GitHub's missing_field). A list of errors wrapping the error gives one
 *   detail per error; a list of results under data beside a code of its
 *   own, one per failed item (OKX's batch). Else a member whose name says
 *   it lists failed fields (missing_field, events_with_invalid_fields)
 *   names them.
 * - An identifier message (RESOURCE_INVALID_PARAM) beside a sentence
 *   (data, reason, description): the sentence is the message, the
 *   identifier the code, else the title.
 * - Request ids and retry hints: under any of the table's names (or a
 *   name ending in _request_id, _trace_id: Clerk's), at any level or inner
 *   object. apierr__general_fill() adds only these to what
 *   a named dialect decoded.
 */
#include "apierr/headers.h"
#include "apierr/status.h"
#include "general.h"
#include "member_table.h"

#include <string.h>

#define MAX_LEVELS 8
#define MAX_INNER  4
/* Field maps nest as deep as the forms they describe; real ones are shallow. */
#define MAX_DEPTH 16
/* A code is a token: no space, and short. */
#define MAX_TOKEN 64

typedef struct cand {
    const json_t *v;
    int rank;
} cand;

/* The best member of each role in one object; the envelope sits in the
 * slot of role NONE. */
typedef struct scan {
    cand c[APIERR__R__COUNT];
    int names_field; /* a member that names a field (field, param, source) */
} scan;

static void offer(scan *s, int role, const json_t *v, int rank)
{
    if (!s->c[role].v || rank < s->c[role].rank) s->c[role] = (cand){v, rank};
}

int apierr__is_token(const char *s)
{
    size_t n = 0;
    if (!s) return 0;
    for (; s[n]; n++)
        if (s[n] == ' ' || s[n] == '\t' || s[n] == '\n' || s[n] == '\r' || n >= MAX_TOKEN) return 0;
    return n > 0;
}

int apierr__is_code_token(const char *s, int status)
{
    return apierr__is_token(s) && !(status && strcmp(s, apierr_status_reason(status)) == 0);
}

int apierr__type_is_code(const char *type)
{
    /* ASP.NET and Spring link the HTTP RFC's section of the status: that
     * names the status, not the error. */
    static const char *const status_only[] = {"https://tools.ietf.org/html/rfc",
                                              "https://datatracker.ietf.org/doc/html/rfc",
                                              "https://www.rfc-editor.org/rfc/rfc", NULL};
    if (!type || !*type || strcmp(type, "about:blank") == 0) return 0;
    for (const char *const *s = status_only; *s; s++)
        if (strncmp(type, *s, strlen(*s)) == 0) return 0;
    return 1;
}

static int is_uri(const char *s)
{
    return strstr(s, "://") || strncmp(s, "urn:", 4) == 0 || strncmp(s, "tag:", 4) == 0;
}

static const char *nonempty(const json_t *v)
{
    const char *s = json_string_value(v);
    return s && *s ? s : NULL;
}

static int is_object_list(const json_t *v)
{
    return json_is_array(v) && json_is_object(json_array_get(v, 0));
}

/* Integers, and strings of digits (GitHub's "422"). */
static int int_value(const json_t *v, long long *out)
{
    if (json_is_integer(v)) {
        *out = json_integer_value(v);
        return 1;
    }
    const char *s = json_string_value(v);
    if (!s || !*s || strlen(s) > 9) return 0;
    long long n = 0;
    for (; *s; s++) {
        if (*s < '0' || *s > '9') return 0;
        n = n * 10 + (*s - '0');
    }
    *out = n;
    return 1;
}

/* 1 when v (a number or a string of digits) repeats the status. */
static int is_status_echo(const json_t *v, int status)
{
    long long n;
    return status && int_value(v, &n) && n == status;
}

/* A code, a message or a title, told apart by the value: a number or a token
 * is a code (unless it repeats the status), a sentence is the message; with
 * phrase, the reason phrase itself is the title, not a code (Twitch's
 * "error": "Unauthorized"; CouchDB's "conflict" is a code). */
static void offer_text(scan *s, const json_t *v, int rank, int status, int is_text, int phrase)
{
    const char *str = nonempty(v);
    if (phrase && apierr__is_token(str) && !apierr__is_code_token(str, status)) {
        offer(s, APIERR__R_TITLE, v, rank);
    } else if (is_status_echo(v, status)) {
        offer(s, APIERR__R_STATUS, v, rank);
    } else if (json_is_integer(v)) {
        /* 0 is the weakest code: Discord's general error 0 is its code,
         * Azure DevOps' errorCode 0 beside a typeKey is none. */
        offer(s, APIERR__R_CODE, v, rank + (json_integer_value(v) == 0 ? 50 : 0));
    } else if (!str) {
        return;
    } else if (!is_text) {
        /* a phrase is no code (SurveyMonkey's "name": "Bad Request") */
        if (apierr__is_token(str)) offer(s, APIERR__R_CODE, v, rank);
    } else if (!apierr__is_token(str)) {
        offer(s, APIERR__R_MESSAGE, v, rank);
    } else {
        offer(s, APIERR__R_CODE, v, rank);
        offer(s, APIERR__R_TEXT, v, rank); /* the message, should a code beat it */
    }
}

/* A list of strings says its first: Jira's errorMessages, Kraken's error. */
static const json_t *first_string(const json_t *v)
{
    return json_is_array(v) && nonempty(json_array_get(v, 0)) ? json_array_get(v, 0) : v;
}

/* Two or more messages in a list: each is a detail too, so that the
 * second is not lost behind the first (Jira's errorMessages, {"errors":
 * ["name is required", "email is invalid"]}). */
static int is_message_list(const json_t *v)
{
    size_t i, n = json_array_size(v);
    const json_t *item;
    if (n < 2) return 0;
    json_array_foreach(v, i, item) {
        if (!nonempty(item)) return 0;
    }
    return 1;
}

/* 1 when m, with value v, names the field the error object is about. A
 * path that is not a URL path is a field (Wise's "path": "targetAccount").
 * The weakest field names (location, in) say where a field is only in an
 * item of a list of failures (Google's errors[].location): on the error
 * itself they name a component (Onward's "location": "terraform-edit"). */
#define WEAKEST_FIELD_RANK 9
static const char *inner_field(const json_t *inner);

static int is_field_member(const apierr__member *m, const json_t *v)
{
    if (m->role == APIERR__R_PATH) return nonempty(v) && *json_string_value(v) != '/';
    if (m->drole == APIERR__R_FIELD && m->drank >= WEAKEST_FIELD_RANK) return 0;
    if (m->drole == APIERR__R_INNER) return inner_field(v) != NULL; /* Clerk's meta.param_name */
    return (m->drole == APIERR__R_FIELD || m->drole == APIERR__R_SOURCE) &&
           m->role != APIERR__R_CODE && (nonempty(v) || json_is_object(v) || json_is_array(v));
}

/* The field an object with more about a failure names (Clerk's
 * {"meta": {"param_name": "first_name"}}, GraphQL's extensions): its
 * best-ranked string member the table names a field, as on the error
 * itself (not a URL path, not the weakest names); or NULL. */
static const char *inner_field(const json_t *inner)
{
    const char *best = NULL, *key;
    const json_t *v;
    int rank = 0;
    json_object_foreach((json_t *)inner, key, v) {
        const apierr__member *m = apierr__member_find(key, strlen(key));
        if (m && m->drole == APIERR__R_FIELD && nonempty(v) && is_field_member(m, v) &&
            (!best || m->drank < rank))
            best = json_string_value(v), rank = m->drank;
    }
    return best;
}

/* 1 for a type that only says it is an error (Box's and Contentful's
 * "type": "error"): no code. */
static int says_error(const char *s)
{
    return s && strlen(s) == 5 && apierr__starts_nocase(s, 5, "error");
}

/* 1 for a status word that only says the call failed (JSend's "fail",
 * Kubernetes' "Failure", Prometheus' "error"): no code. */
static int says_failure(const char *s)
{
    static const char *const words[] = {"error", "fail", "failed", "failure", NULL};
    for (const char *const *w = words; *w; w++)
        if (strlen(s) == strlen(*w) && apierr__starts_nocase(s, strlen(s), *w)) return 1;
    return 0;
}

/* 1 when the object has a member that is a message (Phoenix's
 * {"errors": {"detail": "Not Found"}} wraps the error; it names no field). */
static int has_message(const json_t *obj)
{
    const char *key;
    const json_t *v;
    json_object_foreach((json_t *)obj, key, v) {
        const apierr__member *m = apierr__member_find(key, strlen(key));
        if (m && m->role == APIERR__R_MESSAGE && nonempty(v)) return 1;
    }
    return 0;
}

/* A longer message of obj that says msg whole, and more: Clerk's
 * {"message": "is invalid", "long_message": "first_name is invalid"}; the
 * best-ranked such (by the role in an error object, else in a detail), or
 * {NULL}. "Invalid host" beside a long message that does not contain it is
 * another sentence, and ranks decide. */
static cand longer_form(const json_t *obj, const json_t *msg, int in_detail)
{
    const char *key, *said = nonempty(msg);
    const json_t *v;
    cand best = {0};
    json_object_foreach((json_t *)obj, key, v) {
        const apierr__member *m = apierr__member_find(key, strlen(key));
        const char *str = nonempty(v);
        int role = m ? (in_detail ? m->drole : m->role) : 0;
        int rank = m ? (in_detail ? m->drank : m->rank) : 0;
        if (!said || !str || v == msg || strlen(str) <= strlen(said) ||
            role != (in_detail ? APIERR__R_DMESSAGE : APIERR__R_MESSAGE) ||
            !apierr__contains_nocase(str, said))
            continue;
        if (!best.v || rank < best.rank) best = (cand){v, rank};
    }
    return best;
}

static void offer_member(scan *s, const apierr__member *m, const json_t *v, int status)
{
    const char *str = nonempty(v);
    long long n;
    switch (m->role) {
    case APIERR__R_TEXT:
        /* Rollbar's {"err": 1, "message": ..}: 0 or 1 there says whether it
         * failed, like true or false, and names nothing. */
        if (json_is_integer(v) && (json_integer_value(v) == 0 || json_integer_value(v) == 1)) break;
        /* fall through */
    case APIERR__R_CODE:
        /* Only `error` repeats the reason phrase (Twitch, Rails); a
         * Kubernetes reason "Forbidden" is its documented code. */
        offer_text(s, first_string(v), m->rank, status, m->role == APIERR__R_TEXT, m->env != 0);
        if (is_message_list(v)) offer(s, APIERR__R_DETAILS, v, m->rank); /* Kraken's error */
        break;
    case APIERR__R_MESSAGE:
        if (nonempty(json_object_get(v, "value"))) /* OData v2: {lang, value} */
            offer(s, APIERR__R_MESSAGE, json_object_get(v, "value"), m->rank);
        else if (json_is_object(v)) /* Rails, GitLab: {message: {bio: [..]}} */
            offer(s, APIERR__R_DETAILS, v, m->rank);
        else if (nonempty(first_string(v)))
            offer(s, APIERR__R_MESSAGE, first_string(v), m->rank);
        if (is_message_list(v)) offer(s, APIERR__R_DETAILS, v, m->rank);
        break;
    case APIERR__R_TYPE:
        if (!str || strcmp(str, "about:blank") == 0 || says_error(str)) break;
        offer(s, is_uri(str) ? APIERR__R_TYPE : APIERR__R_CODE, v, m->rank);
        break;
    case APIERR__R_DOC:
        if (str && is_uri(str)) offer(s, APIERR__R_DOC, v, m->rank);
        break;
    case APIERR__R_STATUS:
        if (int_value(v, &n) && n >= 100 && n <= 599)
            offer(s, APIERR__R_STATUS, v, m->rank);
        else if (apierr__is_token(str) && !int_value(v, &n) && !says_failure(str))
            /* Google Maps' "REQUEST_DENIED", ElevenLabs' "invalid_api_key" */
            offer(s, APIERR__R_CODE, v, m->rank + 35);
        break;
    case APIERR__R_REQUEST_ID:
        /* ids are opaque strings; a number there is a code (eBay's errorId) */
        if (str)
            offer(s, m->role, v, m->rank);
        else if (json_is_integer(v)) /* after code names, before category */
            offer(s, APIERR__R_CODE, v, m->rank + 20);
        break;
    case APIERR__R_RETRY_S:
    case APIERR__R_RETRY_MS:
    case APIERR__R_RETRY_DELAY:
        offer(s, m->role, v, m->rank);
        break;
    case APIERR__R_DETAILS:
        /* (an empty map says nothing: Jira's "errors": {} beside its messages) */
        if (is_object_list(v) || (json_is_object(v) && json_object_size(v) && !has_message(v)))
            offer(s, m->role, v, m->rank);
        else if (json_is_object(v))
            offer(s, APIERR__R_NONE, v, m->env ? m->env : 8);
        else if (nonempty(first_string(v)) && m->drole != APIERR__R_FIELD)
            /* Shopify's "errors": "..", Vault's [".."]; Salesforce's
             * "fields": ["Name"] names fields. A string there, or the first
             * of a list, is the message only when no member is one
             * (Easyship's details list, OpenStack's "details": "Error
             * Details..." beside its message): ranked after every message
             * name, so the order of the members does not decide. */
            offer(s, APIERR__R_MESSAGE, first_string(v), m->rank + 20);
        if (is_message_list(v) && m->drole != APIERR__R_FIELD) offer(s, m->role, v, m->rank);
        break;
    case APIERR__R_INNER:
        if (json_is_object(v) || is_object_list(v)) offer(s, m->role, v, m->rank);
        break;
    case APIERR__R_PATH:
        if (str && *str == '/') offer(s, m->role, v, m->rank);
        break;
    default:
        if (str) offer(s, m->role, v, m->rank);
    }
}

/* 1 for a message that is an identifier, not words: upper case
 * (RESOURCE_INVALID_PARAM, UNAUTHORIZED) or joined by underscores
 * (invalid_request). "Unauthorized" or "missing" stay messages. */
int apierr__is_identifier(const char *s)
{
    size_t n = 0, letters = 0, lower = 0, joins = 0;
    if (!apierr__is_token(s)) return 0;
    for (; s[n]; n++) {
        unsigned char c = (unsigned char)s[n];
        if (c == '_')
            joins++;
        else if (c >= 'a' && c <= 'z')
            letters++, lower++;
        else if (c >= 'A' && c <= 'Z')
            letters++;
        else if (!(c >= '0' && c <= '9') && c != '.' && c != '-' && c != ':')
            return 0;
    }
    if (s[n - 1] == '.' || letters < 2) return 0; /* "Unauthenticated." is a sentence */
    return joins || !lower;
}

size_t apierr__identifier_lead(const char *msg)
{
    static const char *const seps[] = {" : ", ": ", NULL};
    if (apierr__is_identifier(msg)) return strlen(msg);
    for (const char *const *sep = seps; msg && *sep; sep++) {
        const char *at = strstr(msg, *sep);
        size_t n = at ? (size_t)(at - msg) : 0;
        char lead[MAX_TOKEN + 1];
        if (!n || n > MAX_TOKEN) continue;
        memcpy(lead, msg, n);
        lead[n] = '\0';
        if (memchr(lead, '_', n) && apierr__is_identifier(lead)) return n;
    }
    return 0;
}

/* The sentence beside an identifier message: a member that says a message
 * (description, detail, reason, a string under details) or an envelope
 * name holding a string (Knox's data), the best-ranked; or {NULL}. */
static cand sentence_beside(const json_t *obj, const json_t *msg)
{
    const char *key;
    const json_t *v;
    cand best = {0};
    json_object_foreach((json_t *)obj, key, v) {
        const apierr__member *m = apierr__member_find(key, strlen(key));
        const char *str = nonempty(v);
        if (!m || !str || v == msg || apierr__is_token(str)) continue;
        int rank = m->role == APIERR__R_MESSAGE || m->role == APIERR__R_TEXT ? m->rank
                   : m->role == APIERR__R_DETAILS                            ? m->rank + 20
                   : m->role == APIERR__R_NONE && m->env                     ? 50 + m->env
                                                                             : 0;
        if (rank && (!best.v || rank < best.rank)) best = (cand){v, rank};
    }
    return best;
}

/* A name the table lacks that ends as a request id's does: Clerk's
 * clerk_trace_id, an x_request_id, a gatewayRequestId. Weaker than every
 * row of the table. */
static const apierr__member *id_by_suffix(const char *key)
{
    static const apierr__member id = {"", 0, APIERR__R_REQUEST_ID, 30, APIERR__R_NONE, 0, 0};
    static const char *const ends[] = {"_request_id", "_trace_id", "RequestId", "TraceId", NULL};
    size_t n = strlen(key);
    for (const char *const *e = ends; *e; e++)
        if (n > strlen(*e) && strcmp(key + n - strlen(*e), *e) == 0) return &id;
    return NULL;
}

/* Reads the members of one error object into s. status is the status known
 * so far, to tell a code that repeats it. */
static void scan_level(scan *s, const json_t *obj, int status)
{
    const char *key;
    const json_t *v;
    cand strings = {0}; /* a list of messages under a name of failures */
    memset(s, 0, sizeof *s);
    json_object_foreach((json_t *)obj, key, v) {
        const apierr__member *m = apierr__member_find(key, strlen(key));
        if (!m) m = id_by_suffix(key);
        if (!m) continue;
        s->names_field |= is_field_member(m, v);
        if (m->role == APIERR__R_DETAILS && m->drole != APIERR__R_FIELD &&
            nonempty(json_array_get(v, 0)) && (!strings.v || m->rank < strings.rank))
            strings = (cand){v, m->rank};
        /* An object under `errors` is a field map (Rails, Jira), never an
         * envelope (unless it holds a message: Phoenix). */
        if (m->env && m->role != APIERR__R_DETAILS && (json_is_object(v) || is_object_list(v)))
            offer(s, APIERR__R_NONE, v, m->env);
        else if (m->env && m->role == APIERR__R_DETAILS && is_object_list(v))
            offer(s, APIERR__R_NONE, v, m->env);
        else
            offer_member(s, m, v, status);
        if (m->role == APIERR__R_DETAILS && is_object_list(v)) offer(s, m->role, v, m->rank);
    }
    /* Easyship's {"message": "..", "details": ["Target is not included .."]}:
     * one message in a list of failures beside a message of its own is a
     * detail; alone it is the message (Vault's {"errors": ["denied"]}). */
    if (strings.v && !s->c[APIERR__R_DETAILS].v && s->c[APIERR__R_MESSAGE].v &&
        s->c[APIERR__R_MESSAGE].v != json_array_get(strings.v, 0))
        offer(s, APIERR__R_DETAILS, strings.v, strings.rank);
    /* Clerk's "is invalid" beside its long_message "first_name is invalid":
     * the longer form says all the message says, and what it is about. */
    cand longer = longer_form(obj, s->c[APIERR__R_MESSAGE].v, 0);
    if (longer.v) s->c[APIERR__R_MESSAGE] = longer;
    /* Samsung Knox's {"code": "4000000", "message": "RESOURCE_INVALID_PARAM",
     * "data": "The specified request parameters are not valid."}: a message
     * that is an identifier names the error (the code, else the title), and
     * a sentence beside it is what the server said. */
    const json_t *said = s->c[APIERR__R_MESSAGE].v;
    if (apierr__is_identifier(nonempty(said))) {
        cand sentence = sentence_beside(obj, said);
        const char *code = json_string_value(s->c[APIERR__R_CODE].v);
        if (sentence.v) {
            s->c[APIERR__R_MESSAGE] = sentence;
            if (!s->c[APIERR__R_CODE].v)
                offer(s, APIERR__R_CODE, said, 90);
            else if (!code || strcmp(code, json_string_value(said)) != 0)
                offer(s, APIERR__R_TITLE, said, 90);
        }
    }
    /* CouchDB's {"error": "not_found", "reason": "missing"}: the token that
     * lost the code to a better one is the message. */
    if (!s->c[APIERR__R_MESSAGE].v && s->c[APIERR__R_TEXT].v) {
        cand best = {0};
        json_object_foreach((json_t *)obj, key, v) {
            const apierr__member *m = apierr__member_find(key, strlen(key));
            if (m && m->role == APIERR__R_TEXT && apierr__is_token(json_string_value(v)) &&
                v != s->c[APIERR__R_CODE].v && (!best.v || m->rank < best.rank))
                best = (cand){v, m->rank};
        }
        if (best.v) s->c[APIERR__R_MESSAGE] = best;
    }
}

/* Where the error is: the levels from the body inwards, and the inner
 * objects. */
typedef struct walk {
    scan level[MAX_LEVELS + MAX_INNER];
    size_t nlevels, ninner;
    const json_t *list;                  /* the list of errors the innermost error came from */
    const json_t *innermost;             /* the innermost error object */
    const json_t *level_obj[MAX_LEVELS]; /* the object of each level */
    size_t list_at;                      /* the first level inside a list (nlevels: none) */
    const char *kind;                    /* the name the error is wrapped in (OpenStack's) */
} walk;

/* 1 when the scan of a level found no member of any role. */
static int says_nothing(const scan *s)
{
    for (int r = 0; r < APIERR__R__COUNT; r++)
        if (s->c[r].v) return 0;
    return !s->names_field;
}

static const json_t *first_object(const json_t *v)
{
    return json_is_array(v) ? json_array_get(v, 0) : v;
}

/* The envelope rank of the names that wrap any payload, not only errors
 * (data, response): the table's weakest. */
#define PAYLOAD_ENV 9

/* 1 when v, a member of obj, is there under a name the table gives codes
 * (not a token of error, err or reason). */
static int named_code(const json_t *obj, const json_t *v)
{
    const char *key;
    const json_t *m;
    json_object_foreach((json_t *)obj, key, m) {
        if (m != v) continue;
        const apierr__member *row = apierr__member_find(key, strlen(key));
        return row && row->role == APIERR__R_CODE;
    }
    return 0;
}

/* 1 when an object holds an error: a message, or an envelope object
 * (JSON-RPC's {"id": 3, "error": {..}}). */
static int holds_error(const json_t *obj)
{
    const char *key;
    const json_t *v;
    if (has_message(obj)) return 1;
    json_object_foreach((json_t *)obj, key, v) {
        const apierr__member *m = apierr__member_find(key, strlen(key));
        if (m && m->env && m->env < PAYLOAD_ENV && json_is_object(v)) return 1;
    }
    return 0;
}

/* The first item of a list that holds an error, else its first: a JSON-RPC
 * batch answers each call in turn, the failed among the done. */
static const json_t *first_error(const json_t *list)
{
    size_t i;
    const json_t *item;
    json_array_foreach(list, i, item) {
        if (json_is_object(item) && holds_error(item)) return item;
    }
    return json_array_get(list, 0);
}

static void walk_body(walk *w, const json_t *root, int status)
{
    /* Each level is cleared as it is scanned: 12 of them would cost more
     * to clear than a small body costs to read. */
    w->nlevels = w->ninner = w->list_at = 0;
    w->list = w->innermost = NULL;
    w->kind = NULL;
    const json_t *cur = root;
    int more = 0;              /* cur is a payload beside a named error (JSON-RPC's data) */
    if (json_is_array(root)) { /* [{"message": .., "errorCode": ..}] */
        w->list = root;
        cur = first_error(root);
    }
    while (json_is_object(cur) && w->nlevels < MAX_LEVELS) {
        w->level_obj[w->nlevels] = cur;
        scan *s = &w->level[w->nlevels++];
        w->innermost = cur;
        scan_level(s, cur, status);
        /* PocketBase's {"data": {"title": {code, message}}}: an envelope
         * with no member of the table is a map of fields. */
        if (w->nlevels > 1 && json_object_size(cur) && says_nothing(s))
            offer(s, APIERR__R_DETAILS, cur, 60);
        /* JSON-RPC's {"code": -32602, "message": .., "data": {..}}: a payload
         * object beside a code and a message of their own, and all below
         * it, says more about the error (details, ids, hints, a status) but
         * only a member the table names a code names it more precisely
         * (tRPC's data.code "BAD_REQUEST"); Solana's data.err or a message
         * in it describe, and it names no field of the error. */
        if (more) {
            static const int names[] = {APIERR__R_TEXT, APIERR__R_MESSAGE, APIERR__R_TITLE,
                                        APIERR__R_TYPE};
            for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) s->c[names[i]] = (cand){0};
            if (!named_code(cur, s->c[APIERR__R_CODE].v)) s->c[APIERR__R_CODE] = (cand){0};
            s->names_field = 0;
        }
        /* OpenStack's {"itemNotFound": {"code": 404, "message": ..}}: a body
         * whose one member, a name the table lacks, holds a message is that
         * error under the name of its kind, which is the code. */
        const char *kind = w->nlevels == 1 && json_object_size(cur) == 1 && says_nothing(s)
                               ? json_object_iter_key(json_object_iter((json_t *)cur))
                               : NULL;
        if (kind && json_is_object(json_object_get(cur, kind)) &&
            has_message(json_object_get(cur, kind))) {
            w->kind = kind;
            cur = json_object_get(cur, kind);
            continue;
        }
        const json_t *env = s->c[APIERR__R_NONE].v;
        if (!env) break;
        /* A list next to a message of its own is that message's details
         * (GitHub's errors); so is a list of results under a payload name
         * (data, response) next to a code of its own: OKX's batch {"code":
         * "1", "msg": "", "data": [{"sCode": "51008", "sMsg": ..}]} reports
         * each order; and any list in a payload beside a named error
         * (Payload CMS' errors[].data.errors). An object always wraps the
         * error. */
        int payload = s->c[APIERR__R_NONE].rank >= PAYLOAD_ENV && s->c[APIERR__R_CODE].v;
        if (json_is_array(env) && (s->c[APIERR__R_MESSAGE].v || payload || more)) {
            offer(s, APIERR__R_DETAILS, env, 50);
            break;
        }
        if (json_is_array(env)) {
            if (!w->list) w->list_at = w->nlevels;
            w->list = env; /* its errors are details of their own (take_details) */
            if (s->c[APIERR__R_DETAILS].v == env) s->c[APIERR__R_DETAILS].v = NULL;
        }
        more = more || (json_is_object(env) && s->c[APIERR__R_NONE].rank >= PAYLOAD_ENV &&
                        s->c[APIERR__R_CODE].v && s->c[APIERR__R_MESSAGE].v);
        cur = first_object(env);
    }
    if (!w->list || w->list == root) w->list_at = w->list ? 0 : w->nlevels;
    for (size_t i = 0; i < w->nlevels && w->ninner < MAX_INNER; i++) {
        const json_t *in = first_object(w->level[i].c[APIERR__R_INNER].v);
        if (json_is_object(in)) scan_level(&w->level[w->nlevels + w->ninner++], in, status);
    }
    /* Graph nests innerError in innerError; one step more is enough. */
    if (w->ninner && w->ninner < MAX_INNER) {
        const json_t *in = first_object(w->level[w->nlevels].c[APIERR__R_INNER].v);
        if (json_is_object(in)) scan_level(&w->level[w->nlevels + w->ninner++], in, status);
    }
}

/* The value of a role in the levels below upto: the innermost first, then
 * the inner objects. */
static const json_t *pick_upto(const walk *w, int role, size_t upto)
{
    for (size_t i = upto; i-- > 0;)
        if (w->level[i].c[role].v) return w->level[i].c[role].v;
    for (size_t i = 0; i < w->ninner; i++)
        if (w->level[w->nlevels + i].c[role].v) return w->level[w->nlevels + i].c[role].v;
    return NULL;
}

static const json_t *pick(const walk *w, int role)
{
    return pick_upto(w, role, w->nlevels);
}

static int set_text(apierr_problem *p, apierr_problem_field f, const json_t *v)
{
    char tmp[32];
    const char *s = json_string_value(v);
    if (!s && json_is_integer(v)) {
        apierr__format_int(tmp, json_integer_value(v));
        s = tmp;
    }
    return s ? apierr_problem_set(p, f, s) : APIERR_OK;
}

static void take_status(apierr_problem *p, const json_t *v)
{
    long long n;
    if (!int_value(v, &n) || n < 100 || n > 599) return;
    if (!p->status)
        p->status = (int)n;
    else if (p->status < 300 && n >= 400)
        p->effective_status = (int)n; /* the body's error sent with a 2xx */
}

/* set_text(), noting in took the value taken. */
static int set_took(apierr_problem *p, apierr_problem_field f, const json_t *v, apierr__took *took)
{
    if (v && took->n < APIERR__NTOOK) took->v[took->n++] = v;
    return set_text(p, f, v);
}

static void take_retry(apierr_problem *p, const walk *w)
{
    const json_t *v;
    if (p->retry_after_ms >= 0) return;
    if ((v = pick(w, APIERR__R_RETRY_MS)) && json_is_integer(v) && json_integer_value(v) >= 0)
        p->retry_after_ms = json_integer_value(v);
    else if ((v = pick(w, APIERR__R_RETRY_S)))
        apierr__retry_seconds(p, v);
    else if ((v = pick(w, APIERR__R_RETRY_DELAY)))
        apierr__retry_delay(p, v);
}

static int fill(apierr_problem *p, const walk *w)
{
    if (!p->request_id && set_text(p, APIERR_PF_REQUEST_ID, pick(w, APIERR__R_REQUEST_ID)))
        return APIERR_ENOMEM;
    take_retry(p, w);
    return APIERR_OK;
}

/* --- field details ---------------------------------------------------------- */

/* The field a detail's `source` object names (JSON:API): the pointer, kept
 * whole (data.attributes.firstName), else the query parameter or header;
 * else the name of its only member (X's "parameters": {"ids": [..]}). */
static const char *source_field(const json_t *source)
{
    const char *f = nonempty(json_object_get(source, "pointer"));
    if (!f) f = nonempty(json_object_get(source, "parameter"));
    if (!f) f = nonempty(json_object_get(source, "header"));
    if (!f && json_object_size(source) == 1)
        f = json_object_iter_key(json_object_iter((json_t *)source));
    return f;
}

const char *apierr__field_member(const json_t *item)
{
    const char *best = NULL, *key;
    const json_t *v;
    int rank = 0;
    json_object_foreach((json_t *)item, key, v) {
        const apierr__member *m = apierr__member_find(key, strlen(key));
        if (m && m->drole == APIERR__R_FIELD && nonempty(v) && (!best || m->drank < rank))
            best = json_string_value(v), rank = m->drank;
    }
    return best;
}

static int detail_at(apierr_problem *p, const json_t *item, const char *prefix, int depth)
{
    cand c[APIERR__R__COUNT] = {{0}};
    const char *source = NULL, *inner = NULL, *key;
    const json_t *v;
    json_object_foreach((json_t *)item, key, v) {
        const apierr__member *m = apierr__member_find(key, strlen(key));
        if (!m) continue;
        const char *str = nonempty(v);
        int role = m->drole, ok = 0;
        if (role == APIERR__R_DTEXT && str)
            role = apierr__is_token(str) ? APIERR__R_DCODE : APIERR__R_DMESSAGE;
        switch (role) {
        case APIERR__R_SOURCE:
            if (!source) source = source_field(v);
            break;
        case APIERR__R_INNER: /* weaker than a source: it says more, not where */
            if (!inner) inner = inner_field(v);
            break;
        case APIERR__R_FIELD:
            ok = str || json_is_array(v);
            break;
        case APIERR__R_DMESSAGE: /* Hetzner's "messages": [..] says its first */
            v = first_string(v);
            ok = nonempty(v) != NULL;
            break;
        case APIERR__R_DCODE:
            ok = str || json_is_integer(v);
            break;
        }
        if (ok && (!c[role].v || m->drank < c[role].rank)) c[role] = (cand){v, m->drank};
    }
    if (!source) source = inner;
    cand longer = longer_form(item, c[APIERR__R_DMESSAGE].v, 1);
    if (longer.v) c[APIERR__R_DMESSAGE] = longer;
    /* JSON-RPC's batch item {"id": "5", "error": {"code": .., "message": ..}}:
     * an item that says nothing itself but wraps an error is that error. */
    const json_t *wrapped = NULL;
    if (!c[APIERR__R_DMESSAGE].v && !c[APIERR__R_DCODE].v && !c[APIERR__R_FIELD].v && !source) {
        json_object_foreach((json_t *)item, key, v) {
            const apierr__member *m = apierr__member_find(key, strlen(key));
            if (m && m->env && m->env < PAYLOAD_ENV && json_is_object(v)) wrapped = v;
        }
    }
    if (wrapped && depth < 2) return detail_at(p, wrapped, prefix, depth + 1);
    apierr__buf field = APIERR__BUF_INIT;
    const json_t *f = c[APIERR__R_FIELD].v;
    if (prefix && *prefix) apierr__buf_puts(&field, prefix);
    if (field.len && (f || source)) apierr__buf_putc(&field, '.');
    if (json_is_array(f)) /* loc: ["body", "items", 0], fields: ["Name"] */
        apierr__json_path_text(&field, f, 0);
    else if (f)
        apierr__buf_puts(&field, json_string_value(f));
    else if (source)
        apierr__buf_puts(&field, source);
    char tmp[32];
    const char *code = json_string_value(c[APIERR__R_DCODE].v);
    if (!code && c[APIERR__R_DCODE].v) {
        apierr__format_int(tmp, json_integer_value(c[APIERR__R_DCODE].v));
        code = tmp;
    }
    const char *msg = json_string_value(c[APIERR__R_DMESSAGE].v);
    /* An item with neither message nor code, only a type, describes a
     * thing, not a failure (Docker's detail: [{Type, Name, Action}]); one
     * whose code is 0 succeeded (OKX's batch results, sCode "0"). */
    int says = msg || (code && c[APIERR__R_DCODE].rank < 30);
    if (code && strcmp(code, "0") == 0) says = 0;
    if (!msg) msg = code; /* GitHub's {field, code: "missing_field"} */
    int rc = APIERR_OK;   /* an item that says nothing is no detail */
    if (field.oom)
        rc = APIERR_ENOMEM;
    else if (says && (field.len || msg))
        rc = apierr__add_detail(p, field.len ? field.data : NULL, msg, code);
    apierr__buf_free(&field);
    return rc;
}

int apierr__detail_from_object(apierr_problem *p, const json_t *item, const char *prefix)
{
    return detail_at(p, item, prefix, 0);
}

int apierr__details_general(apierr_problem *p, const json_t *list)
{
    size_t i;
    const json_t *d;
    json_array_foreach(list, i, d) {
        if (json_is_object(d) && apierr__detail_from_object(p, d, NULL)) return APIERR_ENOMEM;
    }
    return APIERR_OK;
}

/* 1 when the object says what failed (a message or a code), rather than
 * nesting further (Zendesk's {"email": [{"description", "error"}]}). */
static int is_detail_item(const json_t *obj)
{
    const char *key;
    const json_t *v;
    json_object_foreach((json_t *)obj, key, v) {
        const apierr__member *m = apierr__member_find(key, strlen(key));
        if (m && (nonempty(v) || json_is_integer(v)) &&
            (m->drole == APIERR__R_DMESSAGE || m->drole == APIERR__R_DCODE ||
             m->drole == APIERR__R_DTEXT))
            return 1;
    }
    return 0;
}

/* Walks a field map: {field: ["msg", ..] | "msg" | {nested} | [{message,
 * code}]}. `_errors` (Discord) adds no path step. With strict, a lone
 * string counts only when it is a sentence: Kubernetes' details object
 * holds {name: "grafana", kind: "pods"}, which are no messages. */
static int walk_map(apierr_problem *p, apierr__buf *path, const json_t *v, int depth, int strict)
{
    size_t mark = path->len, i;
    const char *key;
    const json_t *child;
    if (depth > MAX_DEPTH) return APIERR_OK;
    if (json_is_string(v)) {
        const char *s = json_string_value(v);
        if (!*s || (strict && apierr__is_token(s))) return APIERR_OK;
        return apierr__add_detail(p, path->len ? path->data : NULL, s, NULL);
    }
    if (json_is_object(v) && depth > 0 && is_detail_item(v)) /* WordPress' {code, message} */
        return apierr__detail_from_object(p, v, path->len ? path->data : NULL);
    if (json_is_object(v)) {
        json_object_foreach((json_t *)v, key, child) {
            if (strcmp(key, "_errors") != 0) {
                if (path->len) apierr__buf_putc(path, '.');
                apierr__buf_puts(path, key);
            }
            if (path->oom || walk_map(p, path, child, depth + 1, strict)) return APIERR_ENOMEM;
            path->len = mark;
            if (path->data) path->data[mark] = '\0';
        }
        return APIERR_OK;
    }
    json_array_foreach(v, i, child) {
        int rc;
        if (json_is_object(child) && is_detail_item(child)) {
            rc = apierr__detail_from_object(p, child, path->len ? path->data : NULL);
        } else {
            if (json_is_object(child)) { /* a list of forms: the index is a path step */
                char idx[32];
                apierr__format_int(idx + 1, (long long)i);
                idx[0] = '.';
                apierr__buf_puts(path, path->len ? idx : idx + 1);
            }
            rc = path->oom ? APIERR_ENOMEM : walk_map(p, path, child, depth + 1, strict);
        }
        if (rc) return rc;
        path->len = mark;
        if (path->data) path->data[mark] = '\0';
    }
    return APIERR_OK;
}

int apierr__add_field_tree(apierr_problem *p, const json_t *map, int strict)
{
    apierr__buf path = APIERR__BUF_INIT;
    int rc = walk_map(p, &path, map, 0, strict);
    apierr__buf_free(&path);
    return rc;
}

/* One detail per item of a list of failures; a RetryInfo-like item gives a
 * retry hint instead. */
static int details_from_list(apierr_problem *p, const json_t *list)
{
    size_t i;
    const json_t *item;
    json_array_foreach(list, i, item) {
        int rc = APIERR_OK;
        const json_t *delay = json_object_get(item, "retryDelay");
        if (delay) {
            if (p->retry_after_ms < 0) apierr__retry_delay(p, delay);
        } else if (json_is_object(item) && !json_object_get(item, "@type")) {
            /* (a protobuf Any is typed data, not a failure: google reads those) */
            rc = apierr__detail_from_object(p, item, NULL);
        } else if (nonempty(item)) {
            rc = apierr__add_detail(p, NULL, json_string_value(item), NULL);
        }
        if (rc) return rc;
    }
    return APIERR_OK;
}

/* A details object: a list inside it (Kubernetes' details.causes), else a
 * field map. */
static int details_from(apierr_problem *p, const json_t *d, int strict)
{
    if (json_is_array(d)) return details_from_list(p, d);
    const char *key;
    const json_t *v;
    json_object_foreach((json_t *)d, key, v) {
        const apierr__member *m = apierr__member_find(key, strlen(key));
        if (m && m->role == APIERR__R_DETAILS && (json_is_array(v) || json_is_object(v)))
            return details_from(p, v, 0); /* LoopBack's details.messages */
    }
    return apierr__add_field_tree(p, d, strict);
}

/* The words of a member name that say it lists the fields that failed:
 * one of the first kind and, last, one of the second. */
static const char *const failed_words[] = {"missing",      "invalid",   "unknown",
                                           "required",     "rejected",  "unexpected",
                                           "unrecognized", "duplicate", NULL};
static const char *const field_words[] = {"field",     "fields",     "param",    "params",
                                          "parameter", "parameters", "property", "properties",
                                          "attribute", "attributes", NULL};

static int is_word(const char *w, size_t n, const char *const *words)
{
    for (const char *const *x = words; *x; x++)
        if (strlen(*x) == n && apierr__starts_nocase(w, n, *x)) return 1;
    return 0;
}

/* 1 for a member name, outside the table, that says its value names the
 * fields that failed: Amplitude's missing_field and
 * events_with_invalid_fields, an invalidFields, an unknown_parameters.
 * Words are split at _, - and a lower-to-upper case step. */
static int names_failed_fields(const char *key)
{
    int failed = 0, last_field = 0;
    for (size_t i = 0, start = 0;; i++) {
        char c = key[i];
        int step = c >= 'A' && c <= 'Z' && i > start && key[i - 1] >= 'a' && key[i - 1] <= 'z';
        if (c && c != '_' && c != '-' && !step) continue;
        if (i > start) {
            failed |= is_word(key + start, i - start, failed_words);
            last_field = is_word(key + start, i - start, field_words);
        }
        if (!c) break;
        start = step ? i : i + 1;
    }
    return failed && last_field;
}

/* One detail per field such a member names: its value is the field, a
 * list of fields, or a map keyed by them (Amplitude's {"time": [3, 4, 7]},
 * the indices of the events). The member's name is the detail's code. */
static int details_from_field_names(apierr_problem *p, const json_t *obj)
{
    const char *key, *field;
    const json_t *v, *item, *ignored;
    size_t i;
    json_object_foreach((json_t *)obj, key, v) {
        if (apierr__member_find(key, strlen(key)) || !names_failed_fields(key)) continue;
        int rc = APIERR_OK;
        if (nonempty(v)) rc = apierr__add_detail(p, json_string_value(v), key, key);
        json_array_foreach(v, i, item) {
            if (!rc && nonempty(item))
                rc = apierr__add_detail(p, json_string_value(item), key, key);
        }
        json_object_foreach((json_t *)v, field, ignored) {
            if (!rc) rc = apierr__add_detail(p, field, key, key);
        }
        if (rc) return rc;
    }
    return APIERR_OK;
}

static int take_listed_details(apierr_problem *p, const walk *w);

/* The details of the error: its lists and maps of failures, else the
 * fields its members name (details_from_field_names). */
static int take_details(apierr_problem *p, const walk *w)
{
    size_t before = p->ndetails;
    int rc = take_listed_details(p, w);
    for (size_t i = 0; !rc && p->ndetails == before && i < w->nlevels; i++)
        rc = details_from_field_names(p, w->level_obj[i]);
    return rc;
}

static int take_listed_details(apierr_problem *p, const walk *w)
{
    for (size_t i = w->nlevels; i-- > 0;) {
        const json_t *d = w->level[i].c[APIERR__R_DETAILS].v;
        if (!d) continue;
        /* `details` may hold anything; `errors` and the like are failures. */
        int strict = json_is_object(d) && w->level[i].c[APIERR__R_DETAILS].rank == 10;
        size_t before = p->ndetails;
        int rc = details_from(p, d, strict);
        if (rc || p->ndetails > before) return rc;
    }
    /* A list of failures inside an inner object (Box's
     * context_info.errors); only lists: inner objects hold much else. */
    for (size_t i = 0; i < w->ninner; i++) {
        const json_t *d = w->level[w->nlevels + i].c[APIERR__R_DETAILS].v;
        if (is_object_list(d)) return details_from_list(p, d);
    }
    size_t n = json_array_size(w->list);
    if (n > 1) return details_from_list(p, w->list);
    const json_t *only = n == 1 ? json_array_get(w->list, 0) : w->innermost;
    if (!json_is_object(only)) return APIERR_OK;
    /* One error naming its field is a detail too (JSON:API's source,
     * Mollie's and Razorpay's field). The scan of its level said so. */
    int names = 0;
    for (size_t i = 0; i < w->nlevels; i++)
        if (w->level[i].names_field && w->level_obj[i] == only) names = 1;
    if (!names) return APIERR_OK;
    size_t before = p->ndetails;
    int rc = apierr__detail_from_object(p, only, NULL);
    /* The error's own code is no code of the field's (Razorpay) */
    if (!rc && !n && p->ndetails > before) p->details[before].code = NULL;
    return rc;
}

/* --- the decoder -------------------------------------------------------------- */

static int take_scalars(apierr_problem *p, const walk *w)
{
    for (size_t i = 0; i < apierr__nrole_fields; i++) {
        const apierr__role_field *rf = &apierr__role_fields[i];
        if (!*apierr__problem_member(p, rf->field) && set_text(p, rf->field, pick(w, rf->role)))
            return APIERR_ENOMEM;
    }
    /* Firebase Auth's "EMAIL_NOT_FOUND", "WEAK_PASSWORD : Password should
     * be at least 6 characters": the identifier a message is or begins with
     * names the error when nothing else does. */
    size_t lead = p->code ? 0 : apierr__identifier_lead(p->message);
    if (lead && apierr_problem_setn(p, APIERR_PF_CODE, p->message, lead)) return APIERR_ENOMEM;
    /* An RFC 9457 type URI is the code when nothing better names it. */
    if (!p->code && apierr__type_is_code(p->type) && !pick(w, APIERR__R_DOC) &&
        apierr_problem_set(p, APIERR_PF_CODE, p->type))
        return APIERR_ENOMEM;
    return APIERR_OK;
}

const json_t *apierr__code_member(const json_t *obj)
{
    const char *key;
    const json_t *v, *best = NULL;
    int rank = 0;
    json_object_foreach((json_t *)obj, key, v) {
        const apierr__member *m = apierr__member_find(key, strlen(key));
        if (m && m->role == APIERR__R_CODE && m->rank < 30 && apierr__is_token(nonempty(v)) &&
            (!best || m->rank < rank))
            best = v, rank = m->rank;
    }
    return best;
}

/* Members the table does not know are the body's extensions. */
static int known(const char *key, const void *ctx)
{
    (void)ctx;
    return apierr__member_find(key, strlen(key)) || id_by_suffix(key);
}

int apierr__general_decode_json(apierr_problem *p, const apierr__body *b)
{
    walk w;
    walk_body(&w, b->json, b->status);
    const json_t *st = pick(&w, APIERR__R_STATUS);
    if (st) take_status(p, st);
    int rc = take_scalars(p, &w);
    if (!rc && !p->code && w.kind) rc = apierr_problem_set(p, APIERR_PF_CODE, w.kind);
    if (!rc) rc = take_details(p, &w);
    if (!rc) rc = fill(p, &w);
    if (!rc) rc = apierr__keep_extensions(p, b->json, known, NULL);
    return rc;
}

int apierr__general_decode(apierr_problem *p, const apierr__body *b)
{
    return b->json ? apierr__general_decode_json(p, b) : apierr__general_decode_xml(p, b);
}

/* The type URI of the error objects: a type that is a URI, else the link
 * that documents the error (as take_scalars orders them). */
static const json_t *type_upto(const walk *w, size_t upto)
{
    const json_t *v = pick_upto(w, APIERR__R_TYPE, upto);
    return v ? v : pick_upto(w, APIERR__R_DOC, upto);
}

int apierr__general_fill(apierr_problem *p, const apierr__body *b, apierr__took *took)
{
    if (!b->json || (p->request_id && p->retry_after_ms >= 0 && p->code && p->message && p->type &&
                     !apierr__is_identifier(p->message)))
        return APIERR_OK;
    walk w;
    walk_body(&w, b->json, b->status);
    /* Only from the error objects themselves: the first of a list of
     * errors (FastAPI's detail[0].msg) is not the message of the whole. */
    size_t upto = w.list_at;
    /* What is taken for the code, the message or the type says what the
     * error is in the dialect's place: took notes it, no extension then.
     * The request id and the retry hint (fill) are only looked up in what
     * the dialect left, which stays the body's (ASP.NET's traceId is an
     * extension member of its problem).
     * A dialect that took Knox's identifier message as the message: the
     * rules found the sentence beside it (scan_level), which says more. */
    const json_t *said = pick_upto(&w, APIERR__R_MESSAGE, upto);
    if (p->message && apierr__is_identifier(p->message) && !apierr__is_token(nonempty(said)) &&
        nonempty(said)) {
        if (!p->title && (!p->code || strcmp(p->code, p->message) != 0) &&
            apierr_problem_set(p, APIERR_PF_TITLE, p->message))
            return APIERR_ENOMEM;
        if (set_took(p, APIERR_PF_MESSAGE, said, took)) return APIERR_ENOMEM;
    }
    if ((!p->code && set_took(p, APIERR_PF_CODE, pick_upto(&w, APIERR__R_CODE, upto), took)) ||
        (!p->message &&
         set_took(p, APIERR_PF_MESSAGE, pick_upto(&w, APIERR__R_MESSAGE, upto), took)) ||
        /* Paddle's error.documentation_url beside Stripe's type and code */
        (!p->type && set_took(p, APIERR_PF_TYPE, type_upto(&w, upto), took)) ||
        (!p->ndetails && take_details(p, &w)))
        return APIERR_ENOMEM;
    return fill(p, &w);
}
