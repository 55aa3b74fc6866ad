/*
 * Profiles as JSON: the format of profile files and of `apierr profiles
 * show`. Both directions, and equality, are driven by the same tables (the
 * profile members below, the policy members in APIERR_POLICY_FIELD_MAP), so
 * a new option is read, written and compared without touching this file.
 */
#include "apierr/profile.h"
#include "abi.h"
#include "buf.h"
#include "enum_names.h"

#include <jansson.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Profile members other than the policy. Columns: kind, member, JSON name. */
#define PROFILE_FIELD_MAP(X)                            \
    X(TEXT, name, "name")                               \
    X(TEXT, description, "description")                 \
    X(DIALECT, dialect, "dialect")                      \
    X(TEXT, idempotency_key, "idempotency_key")         \
    X(KEYLOC, idempotency_key_in, "idempotency_key_in") \
    X(INT, validation_status, "validation_status")

/* How a member is passed to the kind's functions: strings as char arrays,
 * everything else by address. */
#define ARG_TEXT(m)       (m)
#define ARG_INT(m)        (&(m))
#define ARG_BOOL(m)       (&(m))
#define ARG_MS(m)         (&(m))
#define ARG_DOUBLE(m)     (&(m))
#define ARG_JITTER(m)     (&(m))
#define ARG_BUDGET(m)     (&(m))
#define ARG_STATUSES(m)   (&(m))
#define ARG_TRANSPORTS(m) (&(m))
#define ARG_DIALECT(m)    (&(m))
#define ARG_KEYLOC(m)     (&(m))

/* --- reading ----------------------------------------------------------------- */

typedef struct ctx {
    char *err;
    size_t cap;
    const char *where; /* the member being read, for messages */
} ctx;

static int fail(ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int fail(ctx *c, const char *fmt, ...)
{
    if (c->err && c->cap) {
        int n = snprintf(c->err, c->cap, "%s: ", c->where ? c->where : "profile");
        if (n >= 0 && (size_t)n < c->cap) {
            va_list ap;
            va_start(ap, fmt);
            vsnprintf(c->err + n, c->cap - (size_t)n, fmt, ap);
            va_end(ap);
        }
    }
    return APIERR_EPARSE;
}

static int load_TEXT(char *dst, size_t cap, const json_t *v, ctx *c)
{
    if (json_is_null(v)) return dst[0] = '\0', APIERR_OK;
    if (!json_is_string(v)) return fail(c, "expected a string");
    if (json_string_length(v) >= cap || strlen(json_string_value(v)) != json_string_length(v))
        return fail(c, "longer than %zu bytes or holds a NUL", cap - 1);
    memset(dst, 0, cap);
    memcpy(dst, json_string_value(v), json_string_length(v));
    return APIERR_OK;
}

static int load_integer(long long *out, long long lo, long long hi, const json_t *v, ctx *c)
{
    if (!json_is_integer(v)) return fail(c, "expected an integer");
    json_int_t x = json_integer_value(v);
    if (x < lo || x > hi) return fail(c, "%lld is outside %lld..%lld", (long long)x, lo, hi);
    *out = x;
    return APIERR_OK;
}

static int load_INT(int *dst, size_t size, const json_t *v, ctx *c)
{
    long long x = 0;
    (void)size;
    if (load_integer(&x, 0, INT_MAX, v, c)) return APIERR_EPARSE;
    *dst = (int)x;
    return APIERR_OK;
}

static int load_MS(long long *dst, size_t size, const json_t *v, ctx *c)
{
    (void)size;
    return load_integer(dst, -1, LLONG_MAX / 4, v, c);
}

static int load_BOOL(int *dst, size_t size, const json_t *v, ctx *c)
{
    (void)size;
    if (!json_is_boolean(v)) return fail(c, "expected true or false");
    *dst = json_is_true(v);
    return APIERR_OK;
}

static int load_DOUBLE(double *dst, size_t size, const json_t *v, ctx *c)
{
    (void)size;
    if (!json_is_number(v)) return fail(c, "expected a number");
    double x = json_number_value(v);
    if (!(x >= 0)) return fail(c, "expected a number >= 0");
    *dst = x;
    return APIERR_OK;
}

static const char *string_of(const json_t *v, ctx *c)
{
    if (!json_is_string(v)) {
        fail(c, "expected a name");
        return NULL;
    }
    return json_string_value(v);
}

static int load_JITTER(apierr_jitter *dst, size_t size, const json_t *v, ctx *c)
{
    const char *s = string_of(v, c);
    (void)size;
    if (!s) return APIERR_EPARSE;
    if (apierr_jitter_from_name(dst, s)) return fail(c, "unknown jitter '%s'", s);
    return APIERR_OK;
}

static int load_BUDGET(apierr_budget_mode *dst, size_t size, const json_t *v, ctx *c)
{
    const char *s = string_of(v, c);
    (void)size;
    if (!s) return APIERR_EPARSE;
    if (apierr_budget_mode_from_name(dst, s)) return fail(c, "unknown budget '%s'", s);
    return APIERR_OK;
}

static int load_DIALECT(apierr_dialect *dst, size_t size, const json_t *v, ctx *c)
{
    const char *s = string_of(v, c);
    (void)size;
    if (!s) return APIERR_EPARSE;
    if (apierr_dialect_from_name(dst, s)) return fail(c, "unknown dialect '%s'", s);
    return APIERR_OK;
}

static int load_KEYLOC(apierr_key_location *dst, size_t size, const json_t *v, ctx *c)
{
    const char *s = string_of(v, c);
    (void)size;
    if (!s) return APIERR_EPARSE;
    int k;
    if (apierr__enum_from_name(&apierr__key_location_names, s, &k) == APIERR_OK)
        return *dst = (apierr_key_location)k, APIERR_OK;
    return fail(c, "expected \"header\" or \"query\", not '%s'", s);
}

/* [429, 500, "5xx"]: codes, or a whole class as "Nxx". */
static int load_STATUSES(apierr_status_set *dst, size_t size, const json_t *v, ctx *c)
{
    apierr_status_set s;
    size_t i;
    const json_t *e;
    (void)size;
    if (!json_is_array(v)) return fail(c, "expected an array of statuses");
    memset(&s, 0, sizeof s);
    json_array_foreach(v, i, e) {
        const char *t = json_string_value(e);
        if (t && strlen(t) == 3 && t[0] >= '1' && t[0] <= '5' && !strcmp(t + 1, "xx")) {
            for (int k = 0; k < 100; k++) apierr_status_set_put(&s, (t[0] - '0') * 100 + k, 1);
            continue;
        }
        long long code = 0;
        if (load_integer(&code, 100, 599, e, c)) return fail(c, "expected 100..599 or \"5xx\"");
        apierr_status_set_put(&s, (int)code, 1);
    }
    *dst = s;
    return APIERR_OK;
}

static int load_TRANSPORTS(unsigned *dst, size_t size, const json_t *v, ctx *c)
{
    unsigned mask = 0;
    size_t i;
    const json_t *e;
    apierr_transport t;
    (void)size;
    if (!json_is_array(v)) return fail(c, "expected an array of transport failures");
    json_array_foreach(v, i, e) {
        const char *s = string_of(e, c);
        if (!s) return APIERR_EPARSE;
        if (apierr_transport_from_name(&t, s) || t == APIERR_TRANSPORT_NONE)
            return fail(c, "unknown transport failure '%s'", s);
        mask |= APIERR_TRANSPORT_BIT(t);
    }
    *dst = mask;
    return APIERR_OK;
}

static int load_rule(apierr_policy *p, const json_t *o, ctx *c)
{
    const char *key;
    const json_t *v;
    int status = 0;
    char code[APIERR_RULE_CODE_MAX] = "", note[APIERR_RULE_NOTE_MAX] = "";
    long long delay = -1, x;
    apierr_category cat = APIERR_CAT__COUNT;
    apierr_action act = APIERR_ACTION__COUNT;
    if (!json_is_object(o)) return fail(c, "a rule is an object");
    json_object_foreach((json_t *)o, key, v) {
        int rc;
        if (!strcmp(key, "status")) {
            x = 0;
            rc = json_is_null(v) ? 0 : load_integer(&x, 0, 599, v, c);
            if (!rc && x && x < 100) rc = fail(c, "a rule's status is 0 (any) or 100..599");
            status = (int)x;
        } else if (!strcmp(key, "code")) {
            rc = load_TEXT(code, sizeof code, v, c);
        } else if (!strcmp(key, "note")) {
            rc = load_TEXT(note, sizeof note, v, c);
        } else if (!strcmp(key, "delay_ms")) {
            rc = load_MS(&delay, 0, v, c);
        } else if (!strcmp(key, "category")) {
            const char *s = string_of(v, c);
            rc = !s || apierr_category_from_name(&cat, s) ? fail(c, "unknown category") : 0;
        } else if (!strcmp(key, "action")) {
            const char *s = string_of(v, c);
            rc = !s || apierr_action_from_name(&act, s) ? fail(c, "unknown action") : 0;
        } else {
            rc = fail(c, "unknown rule member '%s'", key);
        }
        if (rc) return rc;
    }
    if (cat == APIERR_CAT__COUNT || act == APIERR_ACTION__COUNT)
        return fail(c, "a rule needs a category and an action");
    int rc = apierr_policy_add_rule(p, status, code, cat, act, delay, note);
    if (rc == APIERR_EINVAL) return fail(c, "a rule needs a status or a code");
    if (rc) return fail(c, "more than %d rules", APIERR_POLICY_MAX_RULES);
    return APIERR_OK;
}

static int load_policy(apierr_policy *p, const json_t *o, ctx *c)
{
    const char *key;
    const json_t *v;
    if (!json_is_object(o)) return fail(c, "expected an object");
    json_object_foreach((json_t *)o, key, v) {
        c->where = key;
        if (!strcmp(key, "rules")) {
            size_t i;
            const json_t *r;
            if (!json_is_array(v)) return fail(c, "expected an array of rules");
            p->nrules = 0;
            memset(p->rules, 0, sizeof p->rules);
            json_array_foreach(v, i, r) {
                if (load_rule(p, r, c)) return APIERR_EPARSE;
            }
            continue;
        }
#define LOAD(kind, member, json, def, doc)                                                    \
    if (!strcmp(key, json)) {                                                                 \
        if (load_##kind(ARG_##kind(p->member), sizeof p->member, v, c)) return APIERR_EPARSE; \
        continue;                                                                             \
    }
        APIERR_POLICY_FIELD_MAP(LOAD)
#undef LOAD
        return fail(c, "unknown policy member");
    }
    return APIERR_OK;
}

int apierr_profile_from_json(apierr_profile *out, const char *text, size_t len, char *err,
                             size_t cap)
{
    ctx c = {err, cap, NULL};
    json_error_t je;
    apierr_profile p;
    if (err && cap) err[0] = '\0';
    json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
    if (!root) return fail(&c, "line %d column %d: %s", je.line, je.column, je.text);
    int rc = APIERR_OK;
    if (!json_is_object(root)) {
        rc = fail(&c, "expected a JSON object");
        goto done;
    }
    const json_t *base = json_object_get(root, "extends");
    c.where = "extends";
    if (base && !json_is_string(base)) {
        rc = fail(&c, "expected the name of a built-in profile");
        goto done;
    }
    const char *base_name = base ? json_string_value(base) : "default";
    if (apierr_profile_builtin(&p, base_name)) {
        rc = fail(&c, "no built-in profile '%s'", base_name);
        goto done;
    }
    const char *key;
    json_t *v;
    json_object_foreach(root, key, v) {
        c.where = key;
        /* read by apierr_custom_dialect_from_json(): not a profile value */
        if (!strcmp(key, "extends") || !strcmp(key, "custom_dialect")) continue;
        if (!strcmp(key, "policy")) {
            if ((rc = load_policy(&p.policy, v, &c))) goto done;
            continue;
        }
#define LOAD(kind, member, json)                                                         \
    if (!strcmp(key, json)) {                                                            \
        if ((rc = load_##kind(ARG_##kind(p.member), sizeof p.member, v, &c))) goto done; \
        continue;                                                                        \
    }
        PROFILE_FIELD_MAP(LOAD)
#undef LOAD
        rc = fail(&c, "unknown member");
        goto done;
    }
    *out = p;
done:
    json_decref(root);
    return rc;
}

/* --- writing ----------------------------------------------------------------- */

static void print_TEXT(apierr__buf *b, const char *s)
{
    apierr__buf_json_str(b, s);
}

static void print_INT(apierr__buf *b, const int *v)
{
    apierr__buf_int(b, *v);
}

static void print_BOOL(apierr__buf *b, const int *v)
{
    apierr__buf_puts(b, *v ? "true" : "false");
}

static void print_MS(apierr__buf *b, const long long *v)
{
    apierr__buf_int(b, *v);
}

/* Whole numbers as "500.0", others in the shortest form that reads back to
 * the same double. */
static void print_DOUBLE(apierr__buf *b, const double *v)
{
    char tmp[40];
    if (*v == (double)(long long)*v && *v < 1e15 && *v > -1e15) {
        snprintf(tmp, sizeof tmp, "%.1f", *v);
    } else {
        for (int prec = 1; prec <= 17; prec++) {
            snprintf(tmp, sizeof tmp, "%.*g", prec, *v);
            if (strtod(tmp, NULL) == *v) break;
        }
    }
    apierr__buf_puts(b, tmp);
}

static void print_JITTER(apierr__buf *b, const apierr_jitter *v)
{
    apierr__buf_json_str(b, apierr_jitter_name(*v));
}

static void print_BUDGET(apierr__buf *b, const apierr_budget_mode *v)
{
    apierr__buf_json_str(b, apierr_budget_mode_name(*v));
}

static void print_DIALECT(apierr__buf *b, const apierr_dialect *v)
{
    apierr__buf_json_str(b, apierr_dialect_name(*v));
}

static void print_KEYLOC(apierr__buf *b, const apierr_key_location *v)
{
    apierr__buf_json_str(b, apierr_key_location_name(*v));
}

static void print_STATUSES(apierr__buf *b, const apierr_status_set *v)
{
    int first = 1;
    apierr__buf_putc(b, '[');
    for (int klass = 1; klass <= 5; klass++) {
        int all = 1;
        for (int k = 0; k < 100 && all; k++) all = apierr_status_set_has(v, klass * 100 + k);
        for (int k = 0; k < 100; k++) {
            if (!all && !apierr_status_set_has(v, klass * 100 + k)) continue;
            apierr__buf_puts(b, first ? "" : ", ");
            first = 0;
            if (all) {
                apierr__buf_printf(b, "\"%dxx\"", klass);
                break;
            }
            apierr__buf_int(b, klass * 100 + k);
        }
    }
    apierr__buf_putc(b, ']');
}

static void print_TRANSPORTS(apierr__buf *b, const unsigned *v)
{
    int first = 1;
    apierr__buf_putc(b, '[');
    for (unsigned t = 1; t < APIERR_TRANSPORT__COUNT; t++) {
        if (!(*v & APIERR_TRANSPORT_BIT(t))) continue;
        apierr__buf_puts(b, first ? "" : ", ");
        first = 0;
        apierr__buf_json_str(b, apierr_transport_name((apierr_transport)t));
    }
    apierr__buf_putc(b, ']');
}

static void key(apierr__buf *b, int *first, int indent, const char *name)
{
    apierr__buf_printf(b, "%s\n%*s", *first ? "" : ",", indent, "");
    *first = 0;
    apierr__buf_json_str(b, name);
    apierr__buf_puts(b, ": ");
}

static void print_rule(apierr__buf *b, const apierr_rule *r)
{
    int first = 1;
    apierr__buf_putc(b, '{');
    key(b, &first, 8, "status");
    print_INT(b, &r->status);
    key(b, &first, 8, "code");
    if (r->code[0])
        print_TEXT(b, r->code);
    else
        apierr__buf_puts(b, "null");
    key(b, &first, 8, "category");
    apierr__buf_json_str(b, apierr_category_name(r->category));
    key(b, &first, 8, "action");
    apierr__buf_json_str(b, apierr_action_name(r->action));
    key(b, &first, 8, "delay_ms");
    print_MS(b, &r->delay_ms);
    key(b, &first, 8, "note");
    print_TEXT(b, r->note);
    apierr__buf_puts(b, "\n      }");
}

/* The custom dialect as the "custom_dialect" member, after the policy:
 * its non-empty paths (one not terminated within its array, filled by
 * hand, is left out). */
static void print_custom(apierr__buf *b, const apierr_custom_dialect *c)
{
    int first = 0; /* the policy came before */
    key(b, &first, 2, "custom_dialect");
    first = 1;
    apierr__buf_putc(b, '{');
#define PRINT(m, json)                                \
    if (c->m[0] && memchr(c->m, '\0', sizeof c->m)) { \
        key(b, &first, 4, json);                      \
        apierr__buf_json_str(b, c->m);                \
    }
    APIERR_CUSTOM_FIELD_MAP(PRINT)
#undef PRINT
    apierr__buf_puts(b, first ? "}" : "\n  }");
}

int apierr_profile_to_json(char **out, size_t *out_len, const apierr_profile *given)
{
    return apierr_profile_to_json_custom(out, out_len, given, NULL);
}

int apierr_profile_to_json_custom(char **out, size_t *out_len, const apierr_profile *given,
                                  const apierr_custom_dialect *custom)
{
    apierr_profile copy;
    const apierr_profile *p = given;
    if (custom && !APIERR__VERSION_KNOWN(custom, APIERR_CUSTOM_DIALECT_VERSION))
        return APIERR_EVERSION;
    if (given->policy.version != APIERR_POLICY_VERSION) {
        int rc = apierr__profile_read(&copy, given);
        if (rc) return rc;
        p = &copy;
    }
    apierr__buf b = APIERR__BUF_INIT;
    int first = 1;
    apierr__buf_putc(&b, '{');
#define PRINT(kind, member, json) \
    key(&b, &first, 2, json);     \
    print_##kind(&b, ARG_##kind(p->member));
    PROFILE_FIELD_MAP(PRINT)
#undef PRINT
    key(&b, &first, 2, "policy");
    apierr__buf_putc(&b, '{');
    int pfirst = 1;
#define PRINT(kind, member, json, def, doc) \
    key(&b, &pfirst, 4, json);              \
    print_##kind(&b, ARG_##kind(p->policy.member));
    APIERR_POLICY_FIELD_MAP(PRINT)
#undef PRINT
    key(&b, &pfirst, 4, "rules");
    apierr__buf_putc(&b, '[');
    for (size_t i = 0; i < p->policy.nrules && i < APIERR_POLICY_MAX_RULES; i++) {
        apierr__buf_printf(&b, "%s\n      ", i ? "," : "");
        print_rule(&b, &p->policy.rules[i]);
    }
    apierr__buf_puts(&b, p->policy.nrules ? "\n    ]" : "]");
    apierr__buf_puts(&b, "\n  }");
    if (custom) print_custom(&b, custom);
    apierr__buf_puts(&b, "\n}\n");
    char *s = apierr__buf_take(&b, out_len);
    if (!s) return APIERR_ENOMEM;
    *out = s;
    return APIERR_OK;
}

/* --- equality ---------------------------------------------------------------- */

#define EQ_SCALAR(kind, type)                          \
    static int eq_##kind(const type *a, const type *b) \
    {                                                  \
        return *a == *b;                               \
    }
EQ_SCALAR(INT, int)
EQ_SCALAR(BOOL, int)
EQ_SCALAR(MS, long long)
EQ_SCALAR(DOUBLE, double)
EQ_SCALAR(JITTER, apierr_jitter)
EQ_SCALAR(BUDGET, apierr_budget_mode)
EQ_SCALAR(TRANSPORTS, unsigned)
EQ_SCALAR(DIALECT, apierr_dialect)
EQ_SCALAR(KEYLOC, apierr_key_location)
#undef EQ_SCALAR

static int eq_TEXT(const char *a, const char *b)
{
    return strcmp(a, b) == 0;
}

static int eq_STATUSES(const apierr_status_set *a, const apierr_status_set *b)
{
    return memcmp(a->bits, b->bits, sizeof a->bits) == 0;
}

static int eq_rule(const apierr_rule *a, const apierr_rule *b)
{
    return a->status == b->status && eq_TEXT(a->code, b->code) && a->category == b->category &&
           a->action == b->action && a->delay_ms == b->delay_ms && eq_TEXT(a->note, b->note);
}

int apierr_profile_equal(const apierr_profile *ga, const apierr_profile *gb)
{
    /* Profiles built against an older header compare by what they hold. */
    apierr_profile ca, cb;
    const apierr_profile *a = ga, *b = gb;
    if (ga->policy.version != APIERR_POLICY_VERSION)
        a = apierr__profile_read(&ca, ga) == APIERR_OK ? &ca : NULL;
    if (gb->policy.version != APIERR_POLICY_VERSION)
        b = apierr__profile_read(&cb, gb) == APIERR_OK ? &cb : NULL;
    if (!a || !b) return 0;
#define EQ(kind, member, json) \
    if (!eq_##kind(ARG_##kind(a->member), ARG_##kind(b->member))) return 0;
    PROFILE_FIELD_MAP(EQ)
#undef EQ
#define EQ(kind, member, json, def, doc) \
    if (!eq_##kind(ARG_##kind(a->policy.member), ARG_##kind(b->policy.member))) return 0;
    APIERR_POLICY_FIELD_MAP(EQ)
#undef EQ
    if (a->policy.nrules != b->policy.nrules || a->policy.nrules > APIERR_POLICY_MAX_RULES)
        return 0;
    for (size_t i = 0; i < a->policy.nrules; i++)
        if (!eq_rule(&a->policy.rules[i], &b->policy.rules[i])) return 0;
    return 1;
}
