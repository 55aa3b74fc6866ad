/*
 * html: an error page from a proxy, load balancer or framework, e.g.
 * nginx's <html><head><title>502 Bad Gateway</title></head><body>
 * <center><h1>502 Bad Gateway</h1></center>...
 * The message is the text of <title>, else of the first <h1>, else of the
 * first <pre> (a title of just "Error" says nothing), with tags
 * dropped, entities decoded and whitespace collapsed. When the response
 * had no status and the text starts with one ("502 Bad Gateway"), that is
 * the status.
 */
#include "dialect_impl.h"

#define MAX_MESSAGE 300

static int match(const apierr__body *b)
{
    size_t n = b->len, len;
    if (b->json || !b->text) return 0;
    const char *s = apierr__skip_space(b->text, &n);
    if (apierr__starts_nocase(s, n, "<!doctype html") || apierr__starts_nocase(s, n, "<html"))
        return 80;
    if (apierr__ctype_has(b, "html")) return 70;
    /* An XML prolog or a comment may come first; the html element is then
     * somewhere in the body. */
    return n && *s == '<' && apierr__markup_find(s, n, "html", 1, &len) ? 60 : 0;
}

/* "502 Bad Gateway" -> 502 */
static void take_status(apierr_problem *p)
{
    const char *m = p->message;
    if (p->status || !m) return;
    for (int i = 0; i < 3; i++)
        if (m[i] < '0' || m[i] > '9') return;
    if (m[3] >= '0' && m[3] <= '9') return;
    int st = (m[0] - '0') * 100 + (m[1] - '0') * 10 + (m[2] - '0');
    if (st >= 100 && st <= 599) p->status = st;
}

static int decode(apierr_problem *p, const apierr__body *b)
{
    static const char *const tags[] = {"title", "h1", "pre", NULL};
    if (!b->text) return APIERR_OK;
    for (const char *const *t = tags; *t && !p->message; t++) {
        size_t len;
        const char *v = apierr__markup_find(b->text, b->len, *t, 1, &len);
        if (v && apierr__take_clean_text(p, APIERR_PF_MESSAGE, v, len, MAX_MESSAGE, 1))
            return APIERR_ENOMEM;
        /* Express titles every page "Error" and says what in <pre>. */
        if (p->message && apierr__same_nocase(p->message, "Error")) p->message = NULL;
    }
    take_status(p);
    return APIERR_OK;
}

const apierr__dialect_ops apierr__dialect_HTML = {
    APIERR_DIALECT_HTML, match, decode, NULL, NULL, 0};
