/*
 * The general decoder's XML side: SOAP 1.1 and 1.2 Faults, Twilio's
 * <TwilioResponse><RestException>, <errors><error>..</error></errors> and
 * other envelopes no named dialect claims, read by the table of
 * member_table.h with element names compared by their local part
 * (soap:Fault is Fault) and without ASCII case (MoreInfo is moreInfo).
 * No XML library: a bounded tag scanner, as in aws_xml; entities are
 * decoded and tags inside an element's text are dropped.
 */
#include "general.h"
#include "member_table.h"

#include <string.h>

/* Messages are a sentence or two; a cap keeps hostile bodies in check. */
#define MAX_TEXT 2048
#define MAX_NAME 64

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* The open tag at s[i] ('<'): its qualified name (*q, *qn) and its local
 * part (*l, *ln). 0 for close tags, declarations, comments and PIs. */
static int open_tag(const char *s, size_t n, size_t i, const char **q, size_t *qn, const char **l,
                    size_t *ln)
{
    size_t j = i + 1;
    if (j >= n || s[j] == '/' || s[j] == '?' || s[j] == '!') return 0;
    while (j < n && !is_space(s[j]) && s[j] != '>' && s[j] != '/') j++;
    *q = s + i + 1;
    *qn = j - i - 1;
    if (!*qn || *qn >= MAX_NAME) return 0;
    const char *colon = memchr(*q, ':', *qn);
    *l = colon ? colon + 1 : *q;
    *ln = *qn - (size_t)(*l - *q);
    return *ln > 0;
}

/* The content of the element whose open tag is at s[i], or NULL. */
static const char *content(const char *s, size_t n, size_t i, const char *q, size_t qn, size_t *len)
{
    char name[MAX_NAME];
    memcpy(name, q, qn);
    name[qn] = '\0';
    return apierr__markup_find(s + i, n - i, name, 0, len);
}

typedef struct xcand {
    const char *s;
    size_t len;
    int rank;
} xcand;

/* The element of s[0..n) that is the best-ranked envelope, as a range. */
static const char *envelope(const char *s, size_t n, size_t *len)
{
    const char *best = NULL, *q, *l;
    size_t qn, ln;
    int rank = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] != '<' || !open_tag(s, n, i, &q, &qn, &l, &ln)) continue;
        const apierr__member *m = apierr__member_find(l, ln);
        if (!m || !m->env || (best && m->env >= rank)) continue;
        size_t clen;
        const char *c = content(s, n, i, q, qn, &clen);
        if (c) best = c, *len = clen, rank = m->env;
    }
    return best;
}

/* SOAP 1.2 writes <Code><Value>env:Sender</Value><Subcode><Value>..: the
 * last Value is the most specific. */
static void last_value(xcand *c)
{
    const char *q, *l, *base = c->s;
    size_t qn, ln, n = c->len;
    for (size_t i = 0; i < n; i++) {
        if (base[i] != '<' || !open_tag(base, n, i, &q, &qn, &l, &ln)) continue;
        size_t vlen;
        const char *v;
        if (ln == 5 && apierr__starts_nocase(l, ln, "value") &&
            (v = content(base, n, i, q, qn, &vlen)) && !memchr(v, '<', vlen))
            c->s = v, c->len = vlen;
    }
}

static int has_space(const char *s, size_t n)
{
    size_t a = 0;
    while (a < n && is_space(s[a])) a++;
    while (n > a && is_space(s[n - 1])) n--;
    for (size_t i = a; i < n; i++)
        if (is_space(s[i])) return 1;
    return 0;
}

/* Offers value v (an element's text or an attribute's value) of member m. */
static void offer_value(xcand *c, const apierr__member *m, const char *v, size_t len)
{
    int role = m->role;
    if (role == APIERR__R_NONE) return;
    if (role == APIERR__R_TEXT) role = has_space(v, len) ? APIERR__R_MESSAGE : APIERR__R_CODE;
    if (role == APIERR__R_TYPE) role = APIERR__R_CODE;
    if (!c[role].s || m->rank < c[role].rank) c[role] = (xcand){v, len, m->rank};
}

/* The attributes of the open tag whose name ends at s[i], as members of
 * the error: Flickr's <rsp stat="fail"><err code="100" msg=".."/></rsp>
 * keeps its error in them. Namespace declarations name no member. */
static void scan_attributes(xcand *c, const char *s, size_t n, size_t i)
{
    while (i < n && s[i] != '>') {
        while (i < n && (is_space(s[i]) || s[i] == '/')) i++;
        size_t name = i;
        while (i < n && !is_space(s[i]) && s[i] != '=' && s[i] != '>' && s[i] != '/') i++;
        size_t nlen = i - name;
        while (i < n && is_space(s[i])) i++;
        if (i >= n || s[i] != '=') continue; /* a bare name (HTML), or the end */
        i++;
        while (i < n && is_space(s[i])) i++;
        if (i >= n || (s[i] != '"' && s[i] != '\'')) return; /* unquoted: not XML */
        const char *quote = memchr(s + i + 1, s[i], n - i - 1);
        if (!quote) return;
        const char *v = s + i + 1;
        size_t len = (size_t)(quote - v);
        i = (size_t)(quote - s) + 1;
        const apierr__member *m = nlen ? apierr__member_find(s + name, nlen) : NULL;
        if (m && len && !m->env) offer_value(c, m, v, len);
    }
}

/* The best element (or attribute) of each role in s[0..n). With outer,
 * the content of nested envelopes is skipped: a SOAP Fault's own faultcode
 * and faultstring come before what its <detail> says. */
static void scan_elements(xcand *c, const char *s, size_t n, int outer)
{
    const char *q, *l;
    size_t qn, ln;
    for (size_t i = 0; i < n; i++) {
        if (s[i] != '<' || !open_tag(s, n, i, &q, &qn, &l, &ln)) continue;
        scan_attributes(c, s, n, (size_t)(q - s) + qn);
        const apierr__member *m = apierr__member_find(l, ln);
        if (!m) continue;
        size_t len;
        const char *v = content(s, n, i, q, qn, &len);
        if (!v || !len) continue;
        if (m->env && memchr(v, '<', len)) { /* an envelope, not a value */
            if (outer) i = (size_t)(v - s) + len;
            continue;
        }
        offer_value(c, m, v, len);
    }
}

int apierr__general_decode_xml(apierr_problem *p, const apierr__body *b)
{
    size_t n = b->len, elen = 0;
    if (!b->text) return APIERR_OK;
    const char *s = apierr__skip_space(b->text, &n);
    if (!n || *s != '<') return APIERR_OK;
    xcand c[APIERR__R__COUNT] = {{0}};
    const char *env = envelope(s, n, &elen);
    scan_elements(c, env ? env : s, env ? elen : n, 1);
    xcand inner[APIERR__R__COUNT] = {{0}};
    scan_elements(inner, env ? env : s, env ? elen : n, 0);
    for (int r = 0; r < APIERR__R__COUNT; r++)
        if (!c[r].s) c[r] = inner[r];
    /* <errors><error>Name can't be blank</error>: the envelope's own text */
    if (env && elen && !memchr(env, '<', elen))
        c[has_space(env, elen) ? APIERR__R_MESSAGE : APIERR__R_CODE] = (xcand){env, elen, 0};
    if (env) { /* request ids often sit beside the envelope (AWS, Azure) */
        xcand outer[APIERR__R__COUNT] = {{0}};
        scan_elements(outer, s, n, 0);
        /* what the envelope lacks, beside it: request ids (AWS, Azure),
         * Braintree's message next to its empty <errors> */
        for (int r = 0; r < APIERR__R__COUNT; r++)
            if (!c[r].s) c[r] = outer[r];
    }
    if (c[APIERR__R_CODE].s) last_value(&c[APIERR__R_CODE]);
    for (size_t i = 0; i < apierr__nrole_fields; i++) {
        const apierr__role_field *rf = &apierr__role_fields[i];
        const xcand *x = &c[rf->role];
        if (x->s && !*apierr__problem_member(p, rf->field) &&
            apierr__take_clean_text(p, rf->field, x->s, x->len, MAX_TEXT, 1))
            return APIERR_ENOMEM;
    }
    const xcand *st = &c[APIERR__R_STATUS];
    if (!p->status && st->s && st->len == 3) {
        int v = 0;
        for (size_t i = 0; i < 3; i++) v = v * 10 + (st->s[i] - '0');
        if (v >= 100 && v <= 599 && strspn(st->s, "0123456789") >= 3) p->status = v;
    }
    return APIERR_OK;
}
