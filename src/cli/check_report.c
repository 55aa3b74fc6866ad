/* `apierr check`: the report, in three forms: a line per check for people,
 * JSON with stable keys for scripts (documented in apierr(1)), JUnit XML
 * for CI. Evidence is printable ASCII already (check_quote()); the
 * decoded fields of the probes are quoted here the same way. */
#include "check.h"
#include "check_scan.h"

#include <jansson.h>
#include <string.h>

/* An untrusted string made printable ASCII, into buf. */
static const char *quoted(char *buf, size_t cap, const char *s)
{
    if (!s) return NULL;
    check_quote(buf, cap, s, strlen(s));
    return buf;
}

/* --- text ------------------------------------------------------------------------- */

static const char *verdict_color(enum check_verdict v)
{
    return v == CHECK_PASS ? "\033[32m" : v == CHECK_FAIL ? "\033[31m" : "\033[33m";
}

static void text_probe(FILE *f, const struct check_run *run, enum check_probe_id id)
{
    const struct check_answer *a = &run->probe[id];
    fprintf(f, "  %-22s ", check_probe_name(id));
    if (a->skipped) {
        fprintf(f, "not sent: %s\n", a->skipped);
        return;
    }
    fprintf(f, "%s %s -> ", a->method, a->path);
    if (!a->result.status) {
        fprintf(f, "no answer (%s)\n", a->result.reason);
        return;
    }
    fprintf(f, "%d", a->result.status);
    const apierr_problem *p = a->problem;
    if (p) {
        char b[120];
        fprintf(f, " %s", p->raw_len ? apierr_dialect_name(p->dialect) : "empty");
        if (p->code) fprintf(f, " code=%s", quoted(b, 60, p->code));
        if (p->message) fprintf(f, " \"%s\"", quoted(b, sizeof b, p->message));
        if (p->ndetails) fprintf(f, " %zu field(s)", p->ndetails);
        fprintf(f, " -> %s, %s", apierr_category_name(a->cls.category),
                apierr_action_name(a->cls.action));
    }
    fputc('\n', f);
}

int check_write_text(FILE *f, const struct check_report *rep, int color)
{
    const struct check_run *run = rep->run;
    fprintf(f, "apierr check %s (profile %s, %d requests)\n", run->shown_url, run->profile.name,
            run->requests);
    for (size_t i = 0; i < rep->n; i++) {
        const struct check_outcome *o = &rep->outcomes[i];
        const char *v = o->verdict == CHECK_PASS   ? "PASS"
                        : o->verdict == CHECK_FAIL ? "FAIL"
                                                   : "SKIP";
        fprintf(f, "%s%s%s %-7s %-27s %s\n", color ? verdict_color(o->verdict) : "", v,
                color ? "\033[0m" : "", check_severity_name(o->severity), o->id, o->evidence);
    }
    fprintf(f, "probes (status, dialect, fields, what a client following the profile would do):\n");
    for (int i = 0; i < CHECK_PROBE__COUNT; i++) text_probe(f, run, (enum check_probe_id)i);
    fprintf(f, "score: %d/100 (%d passed, %d failed, %d skipped; %d of severity error failed)\n",
            rep->score, rep->passed, rep->failed, rep->skipped, rep->errors_failed);
    return ferror(f) ? -1 : 0;
}

/* --- JSON ------------------------------------------------------------------------- */

static json_t *jstr(const char *s)
{
    return s ? json_string(s) : json_null();
}

/* Sets key to v; a NULL v (out of memory) makes it fail. 0 or -1. */
static int put(json_t *obj, const char *key, json_t *v)
{
    return v ? json_object_set_new(obj, key, v) : -1;
}

static json_t *json_check(const struct check_outcome *o)
{
    json_t *j = json_object();
    if (!j) return NULL;
    int bad = put(j, "id", json_string(o->id));
    bad |= put(j, "ok",
               o->verdict == CHECK_SKIP ? json_null() : json_boolean(o->verdict == CHECK_PASS));
    bad |= put(j, "result", json_string(check_verdict_name(o->verdict)));
    bad |= put(j, "severity", json_string(check_severity_name(o->severity)));
    bad |= put(j, "description", json_string(o->description));
    bad |= put(j, "evidence", json_string(o->evidence));
    if (bad) json_decref(j);
    return bad ? NULL : j;
}

static json_t *json_probe(const struct check_run *run, enum check_probe_id id)
{
    const struct check_answer *a = &run->probe[id];
    const apierr_problem *p = a->problem;
    char b1[200], b2[300], b3[100], b4[100];
    json_t *j = json_object();
    if (!j) return NULL;
    int bad = put(j, "id", json_string(check_probe_name(id)));
    bad |= put(j, "sent", json_boolean(!a->skipped));
    bad |= put(j, "skipped", jstr(a->skipped));
    bad |= put(j, "method", jstr(a->skipped ? NULL : a->method));
    bad |= put(j, "path", jstr(a->skipped ? NULL : a->path));
    bad |= put(j, "status", a->result.status ? json_integer(a->result.status) : json_null());
    bad |= put(j, "content_type", jstr(quoted(b1, sizeof b1, a->content_type)));
    bad |= put(j, "dialect", jstr(p ? apierr_dialect_name(p->dialect) : NULL));
    bad |= put(j, "code", jstr(p ? quoted(b3, sizeof b3, p->code) : NULL));
    bad |= put(j, "message", jstr(p ? quoted(b2, sizeof b2, p->message) : NULL));
    bad |= put(j, "details", json_integer(p ? (json_int_t)p->ndetails : 0));
    bad |= put(j, "request_id", jstr(p ? quoted(b4, sizeof b4, p->request_id) : NULL));
    int judged = !a->skipped && a->result.status;
    bad |= put(j, "category", jstr(judged ? apierr_category_name(a->cls.category) : NULL));
    bad |= put(j, "action", jstr(judged ? apierr_action_name(a->cls.action) : NULL));
    if (bad) json_decref(j);
    return bad ? NULL : j;
}

int check_write_json(FILE *f, const struct check_report *rep)
{
    const struct check_run *run = rep->run;
    json_t *root = json_object(), *checks = json_array(), *probes = json_array();
    int bad = !root || !checks || !probes;
    for (size_t i = 0; !bad && i < rep->n; i++) {
        json_t *c = json_check(&rep->outcomes[i]);
        bad = !c || json_array_append_new(checks, c);
    }
    for (int i = 0; !bad && i < CHECK_PROBE__COUNT; i++) {
        json_t *p = json_probe(run, (enum check_probe_id)i);
        bad = !p || json_array_append_new(probes, p);
    }
    if (!bad) {
        char b[300];
        bad |= put(root, "base_url", json_string(quoted(b, sizeof b, run->shown_url)));
        bad |= put(root, "profile", json_string(run->profile.name));
        bad |= put(root, "requests", json_integer(run->requests));
        bad |= put(root, "score", json_integer(rep->score));
        bad |= put(root, "passed", json_integer(rep->passed));
        bad |= put(root, "failed", json_integer(rep->failed));
        bad |= put(root, "skipped", json_integer(rep->skipped));
        bad |= put(root, "errors_failed", json_integer(rep->errors_failed));
        json_t *burst = run->a->burst > 0 ? json_object() : json_null();
        bad |= !burst;
        if (burst && json_is_object(burst)) {
            bad |= put(burst, "sent", json_integer(run->burst_sent));
            bad |= put(burst, "answered_429", json_integer(run->burst_429));
        }
        bad |= put(root, "burst", burst);
        bad |= put(root, "checks", checks);
        checks = NULL;
        bad |= put(root, "probes", probes);
        probes = NULL;
    }
    if (!bad) bad = json_dumpf(root, f, JSON_INDENT(2) | JSON_PRESERVE_ORDER) || fputc('\n', f) < 0;
    json_decref(checks);
    json_decref(probes);
    json_decref(root);
    return bad ? -1 : 0;
}

/* --- JUnit ------------------------------------------------------------------------ */

static void xml_text(FILE *f, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '&':
            fputs("&amp;", f);
            break;
        case '<':
            fputs("&lt;", f);
            break;
        case '>':
            fputs("&gt;", f);
            break;
        case '"':
            fputs("&quot;", f);
            break;
        case '\'':
            fputs("&apos;", f);
            break;
        default:
            fputc(*s, f);
        }
    }
}

int check_write_junit(const char *path, const struct check_report *rep)
{
    FILE *f = fopen(path, "w");
    if (!f) return -1;
    fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    fprintf(f, "<testsuite name=\"apierr check ");
    xml_text(f, rep->run->shown_url);
    fprintf(f, "\" tests=\"%zu\" failures=\"%d\" skipped=\"%d\" errors=\"0\">\n", rep->n,
            rep->failed, rep->skipped);
    for (size_t i = 0; i < rep->n; i++) {
        const struct check_outcome *o = &rep->outcomes[i];
        fprintf(f, "  <testcase classname=\"apierr.check.%s\" name=\"%s\">\n",
                check_severity_name(o->severity), o->id);
        if (o->verdict != CHECK_PASS) {
            fprintf(f, "    <%s message=\"", o->verdict == CHECK_FAIL ? "failure" : "skipped");
            xml_text(f, o->evidence);
            fprintf(f, "\"/>\n");
        }
        fprintf(f, "    <system-out>");
        xml_text(f, o->description);
        fprintf(f, ": ");
        xml_text(f, o->evidence);
        fprintf(f, "</system-out>\n  </testcase>\n");
    }
    fprintf(f, "</testsuite>\n");
    int bad = ferror(f);
    return fclose(f) || bad ? -1 : 0;
}
