/* `apierr check`: reading the answers of a run and writing the evidence
 * of a check: the helpers every evaluator of check_checks.c shares. */
#include "check_evidence.h"
#include "check_scan.h"

#include <stdarg.h>
#include <string.h>

/* Appends to the evidence, cut to fit. */
void check_ev_add(char *ev, size_t cap, const char *fmt, ...)
{
    size_t n = strlen(ev);
    if (n + 1 >= cap) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(ev + n, cap - n, fmt, ap);
    va_end(ap);
}

void check_ev_item(char *ev, size_t cap, int nth, const char *lead, const char *sep,
                   const char *fmt, ...)
{
    char item[200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(item, sizeof item, fmt, ap);
    va_end(ap);
    if (nth && strstr(ev, item)) return;
    check_ev_add(ev, cap, "%s%s", nth ? sep : lead, item);
}

/* Appends untrusted text (a header, a message), quoted for any report. */
void check_ev_text(char *ev, size_t cap, const char *s, size_t max)
{
    char q[200];
    size_t len = s ? strlen(s) : 0;
    check_quote(q, max < sizeof q ? max : sizeof q, s ? s : "", len);
    check_ev_add(ev, cap, "%s", q);
}

const struct check_answer *check_sent(const struct check_run *run, enum check_probe_id id)
{
    const struct check_answer *a = &run->probe[id];
    return a->skipped ? NULL : a;
}

/* The verdict of a check whose probe was not sent. */
enum check_verdict check_not_sent(const struct check_run *run, enum check_probe_id id, char *ev,
                                  size_t cap)
{
    check_ev_add(ev, cap, "probe %s not sent: %s", check_probe_name(id), run->probe[id].skipped);
    return CHECK_SKIP;
}

/* "GET /x -> 404" for the evidence; "no answer (why)" on a transport failure. */
void check_ev_answer(char *ev, size_t cap, const struct check_answer *a)
{
    check_ev_add(ev, cap, "%s %s -> ", a->method, a->path);
    if (a->result.status)
        check_ev_add(ev, cap, "%d", a->result.status);
    else
        check_ev_add(ev, cap, "no answer (%s)", a->result.reason);
}

/* The answer of a probe, its request and status already in the evidence;
 * NULL (the evidence saying why) when the probe was not sent. */
const struct check_answer *check_open_probe(const struct check_run *run, enum check_probe_id id,
                                            char *ev, size_t cap)
{
    const struct check_answer *a = check_sent(run, id);
    if (a)
        check_ev_answer(ev, cap, a);
    else
        check_not_sent(run, id, ev, cap);
    return a;
}

const char *check_header(const struct check_answer *a, const char *name)
{
    return apierr_header_find(a->result.headers, a->result.nheaders, name);
}

static int check_is_error(const struct check_answer *a)
{
    return a && !a->skipped && a->result.status >= 400;
}

/* A body a program can read: a JSON dialect, not a page or prose. */
int check_machine_readable(const apierr_problem *p)
{
    return p && p->raw_len > 0 && p->dialect != APIERR_DIALECT_HTML &&
           p->dialect != APIERR_DIALECT_TEXT && p->dialect != APIERR_DIALECT_UNKNOWN &&
           p->dialect != APIERR_DIALECT_AUTO;
}

const char *check_dialect_of(const struct check_answer *a)
{
    if (!a->problem) return "none";
    return a->problem->raw_len ? apierr_dialect_name(a->problem->dialect) : "empty";
}

/* Every error answer of the run, in a fixed order: the probes, then the
 * first 429 and the first 503 of the burst. Returns NULL past the end. */
const struct check_answer *check_nth_error(const struct check_run *run, size_t *i)
{
    for (; *i < CHECK_PROBE__COUNT + 2; (*i)++) {
        const struct check_answer *a = *i < CHECK_PROBE__COUNT    ? &run->probe[*i]
                                       : *i == CHECK_PROBE__COUNT ? &run->burst_first_429
                                                                  : &run->unavailable;
        if (check_is_error(a)) {
            (*i)++;
            return a;
        }
    }
    return NULL;
}

/* The media type of a Content-Type, lowercased, parameters dropped. */
void check_media_type(char *out, size_t cap, const char *ct)
{
    size_t n = 0;
    for (; ct && *ct && *ct != ';' && *ct != ' ' && n + 1 < cap; ct++)
        out[n++] = (char)(*ct >= 'A' && *ct <= 'Z' ? *ct + 32 : *ct);
    out[n] = '\0';
}

int check_is_json_type(const char *mt)
{
    size_t n = strlen(mt);
    return !strcmp(mt, "application/json") || (n > 5 && !strcmp(mt + n - 5, "+json"));
}

/* A status, or the profile's rules calling it unauthenticated (gestix:
 * 403 for a missing or invalid session). */
int check_unauthenticated(const struct check_answer *a)
{
    return a->result.status == 401 ||
           (a->result.status >= 400 && a->cls.category == APIERR_CAT_UNAUTHENTICATED);
}

/* A check over every error answer of the run: skipped when none concerns
 * it (none says which); passed when all are good, with all_good (a format
 * taking the count twice) as the evidence, when given. */
enum check_verdict check_every_error(const struct check_run *run, check_answer_judge judge,
                                     char *ev, size_t cap, const char *none, const char *all_good)
{
    int n = 0, bad = 0;
    const struct check_answer *a;
    for (size_t i = 0; (a = check_nth_error(run, &i));) {
        int r = judge(a, ev, cap, bad);
        if (r < 0) continue;
        n++;
        bad += !r;
    }
    if (!n) {
        check_ev_add(ev, cap, "%s", none);
        return CHECK_SKIP;
    }
    if (!bad && all_good) check_ev_add(ev, cap, all_good, n, n);
    return bad ? CHECK_FAIL : CHECK_PASS;
}
