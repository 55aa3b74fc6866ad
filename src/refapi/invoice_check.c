/* invoice_check.c - validation of invoice bodies (see invoice_check.h). */
#include "invoice_check.h"

#include <stdio.h>
#include <string.h>

/* Active ISO 4217 codes, sorted, each followed by a space. */
static const char CURRENCIES[] =
    "AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BRL BSD BTN "
    "BWP BYN BZD CAD CDF CHF CLP CNY COP CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD "
    "FKP GBP GEL GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY "
    "KES KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP "
    "MRU MUR MVR MWK MXN MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR "
    "RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT "
    "TND TOP TRY TTD TWD TZS UAH UGX USD UYU UZS VES VND VUV WST XAF XCD XOF XPF YER ZAR ZMW "
    "ZWL ";

int refapi_currency_valid(const char *code)
{
    if (!code || strlen(code) != 3) return 0;
    for (int i = 0; i < 3; i++) {
        if (code[i] < 'A' || code[i] > 'Z') return 0;
    }
    for (const char *p = CURRENCIES; *p; p += 4) {
        if (memcmp(p, code, 3) == 0) return 1;
    }
    return 0;
}

/* A pragmatic address check: one '@', a non-empty local part, a domain
 * with a dot, no spaces or controls. */
static int email_valid(const char *s)
{
    const char *at = strchr(s, '@');
    if (!at || at == s || strchr(at + 1, '@')) return 0;
    const char *dot = strrchr(at + 1, '.');
    if (!dot || dot == at + 1 || !dot[1]) return 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p <= ' ' || *p == 0x7f) return 0;
    }
    return strlen(s) <= 254;
}

/* Adds a failure; remembers out-of-memory in *oom. */
static void fail(apierr_validation *v, int *oom, const char *field, const char *message,
                 const char *code)
{
    if (apierr_validation_add(v, field, message, code) != APIERR_OK) *oom = 1;
}

/* A required string member of 1..max bytes; NULL when it failed. */
static const char *need_string(apierr_validation *v, int *oom, const json_t *obj, const char *field,
                               const char *name, size_t max)
{
    const json_t *m = json_object_get(obj, name);
    if (!m || json_is_null(m)) {
        fail(v, oom, field, "is required", "required");
        return NULL;
    }
    if (!json_is_string(m)) {
        fail(v, oom, field, "must be a string", "type");
        return NULL;
    }
    size_t len = json_string_length(m);
    if (len == 0 || len > max) {
        fail(v, oom, field, len ? "is too long" : "must not be empty", len ? "too_long" : "empty");
        return NULL;
    }
    return json_string_value(m);
}

/* A required number; -1 when it failed (the checks below need >= 0). */
static int need_number(apierr_validation *v, int *oom, const json_t *obj, const char *field,
                       const char *name, double *out)
{
    const json_t *m = json_object_get(obj, name);
    if (!m || json_is_null(m)) {
        fail(v, oom, field, "is required", "required");
        return -1;
    }
    if (!json_is_number(m)) {
        fail(v, oom, field, "must be a number", "type");
        return -1;
    }
    *out = json_number_value(m);
    return 0;
}

static void check_customer(apierr_validation *v, int *oom, const json_t *body)
{
    const json_t *c = json_object_get(body, "customer");
    if (!c || json_is_null(c)) {
        fail(v, oom, "customer", "is required", "required");
        return;
    }
    if (!json_is_object(c)) {
        fail(v, oom, "customer", "must be an object", "type");
        return;
    }
    need_string(v, oom, c, "customer.name", "name", 200);
    const char *email = need_string(v, oom, c, "customer.email", "email", 254);
    if (email && !email_valid(email)) {
        fail(v, oom, "customer.email", "must be a valid email address", "invalid_email");
    }
}

/* Checks the lines and sums them into *total. */
static void check_lines(apierr_validation *v, int *oom, const json_t *body, double *total)
{
    const json_t *lines = json_object_get(body, "lines");
    if (!lines || json_is_null(lines)) {
        fail(v, oom, "lines", "is required", "required");
        return;
    }
    if (!json_is_array(lines)) {
        fail(v, oom, "lines", "must be an array", "type");
        return;
    }
    size_t n = json_array_size(lines);
    if (n == 0 || n > 1000) {
        fail(v, oom, "lines", n ? "has more than 1000 lines" : "must not be empty",
             n ? "too_long" : "empty");
        return;
    }
    for (size_t i = 0; i < n; i++) {
        const json_t *line = json_array_get(lines, i);
        char field[64];
        if (!json_is_object(line)) {
            snprintf(field, sizeof field, "lines[%zu]", i);
            fail(v, oom, field, "must be an object", "type");
            continue;
        }
        double q = 0, price = 0;
        snprintf(field, sizeof field, "lines[%zu].quantity", i);
        int ok = need_number(v, oom, line, field, "quantity", &q) == 0;
        if (ok && !(q > 0)) fail(v, oom, field, "must be greater than 0", "not_positive");
        snprintf(field, sizeof field, "lines[%zu].unitPrice", i);
        ok = ok & (need_number(v, oom, line, field, "unitPrice", &price) == 0);
        if (ok && !(price >= 0)) fail(v, oom, field, "must not be negative", "negative");
        const json_t *d = json_object_get(line, "description");
        if (d && !json_is_string(d)) {
            snprintf(field, sizeof field, "lines[%zu].description", i);
            fail(v, oom, field, "must be a string", "type");
        }
        *total += q * price;
    }
}

json_t *refapi_invoice_check(apierr_validation *v, const json_t *body)
{
    int oom = 0;
    if (!json_is_object(body)) {
        fail(v, &oom, NULL, "The body must be a JSON object.", "type");
        return NULL;
    }
    need_string(v, &oom, body, "documentNumber", "documentNumber", 64);
    const char *cur = need_string(v, &oom, body, "currency", "currency", 3);
    if (cur && !refapi_currency_valid(cur)) {
        fail(v, &oom, "currency", "must be an ISO 4217 currency code", "invalid_currency");
    }
    check_customer(v, &oom, body);
    double total = 0;
    check_lines(v, &oom, body, &total);
    const json_t *notes = json_object_get(body, "notes");
    if (notes && !json_is_null(notes) && !json_is_string(notes)) {
        fail(v, &oom, "notes", "must be a string", "type");
    }
    if (oom || apierr_validation_count(v) > 0) return NULL;
    json_t *doc = json_object();
    static const char *const keep[] = {"documentNumber", "currency", "customer", "lines", "notes"};
    for (size_t i = 0; doc && i < sizeof keep / sizeof keep[0]; i++) {
        json_t *m = json_object_get(body, keep[i]);
        if (m && json_object_set(doc, keep[i], m) != 0) {
            json_decref(doc);
            return NULL;
        }
    }
    if (doc && json_object_set_new(doc, "total", json_real(total)) != 0) {
        json_decref(doc);
        return NULL;
    }
    return doc;
}
