/* The validation collector: field failures in, one problem out. */
#include "apierr/server/validation.h"

#include "alloc.h"
#include "server_impl.h"

#include <stdio.h>
#include <string.h>

/* What each dialect expects of a validation error; the last row is the
 * default. first_failure: the message names the first failure, because the
 * dialect's clients read only the message (Gestix, OAuth). */
static const struct {
    apierr_dialect dialect;
    int status;
    const char *code;
    int first_failure;
} defaults[] = {
    {APIERR_DIALECT_GESTIX, 400, "INVALID_ARGUMENT", 1},
    {APIERR_DIALECT_OAUTH, 400, "invalid_request", 1},
    {APIERR_DIALECT_AUTO, 422, "validation_failed", 0},
};

#define GENERIC_MESSAGE "Request validation failed."

struct apierr_validation {
    int status;
    char *code;
    char *message;     /* NULL: name the first failure */
    apierr_problem *p; /* holds the details */
};

static size_t defaults_row(apierr_dialect d)
{
    size_t i = 0;
    while (defaults[i].dialect != APIERR_DIALECT_AUTO && defaults[i].dialect != d) i++;
    return i;
}

static const apierr_validation_opts validation_defaults = APIERR_VALIDATION_OPTS_INIT;
/* The size of each version of apierr_validation_opts, from version 1. */
static const size_t validation_opts_sizes[] = {sizeof(apierr_validation_opts)};

APIERR__OPTS_INIT_FUNC(apierr_validation_opts, validation_defaults, validation_opts_sizes)

int apierr_validation_new(apierr_validation **out, const apierr_validation_opts *opts)
{
    apierr_validation_opts given = validation_defaults;
    const apierr_validation_opts *o = &given;
    *out = NULL;
    int rc = APIERR__STRUCT_READ(&given, opts, validation_opts_sizes);
    if (rc) return rc;
    size_t row = defaults_row(o->dialect);
    apierr_validation *v = apierr__calloc(1, sizeof *v);
    if (!v) return APIERR_ENOMEM;
    v->status = o->status ? o->status : defaults[row].status;
    v->code = apierr__strdup(o->code ? o->code : defaults[row].code);
    const char *message = o->message;
    if (!message && !defaults[row].first_failure) message = GENERIC_MESSAGE;
    v->message = message ? apierr__strdup(message) : NULL;
    if (!v->code || (message && !v->message) || apierr_problem_new(&v->p)) {
        apierr_validation_free(v);
        return APIERR_ENOMEM;
    }
    *out = v;
    return APIERR_OK;
}

void apierr_validation_free(apierr_validation *v)
{
    if (!v) return;
    apierr__free(v->code);
    apierr__free(v->message);
    apierr_problem_free(v->p);
    apierr__free(v);
}

int apierr_validation_add(apierr_validation *v, const char *field, const char *message,
                          const char *code)
{
    char path[256];
    if (field) {
        size_t n = apierr_field_path_normalize(path, sizeof path, field, strlen(field));
        /* A path too long for the stack buffer is kept as given. */
        if (n < sizeof path) field = path;
    }
    return apierr_problem_add_detail(v->p, field, message, code);
}

size_t apierr_validation_count(const apierr_validation *v)
{
    return v->p->ndetails;
}

void apierr_validation_reset(apierr_validation *v)
{
    apierr_problem *fresh;
    /* Details cannot be removed one by one; a new problem is the reset. When
     * it cannot be had, the old one stays, which only keeps old failures. */
    if (apierr_problem_new(&fresh)) return;
    apierr_problem_free(v->p);
    v->p = fresh;
}

/* "Field 'currency' is required (and 2 more)". */
static char *first_failure_message(const apierr_problem *p)
{
    const apierr_detail *d = &p->details[0];
    const char *msg = d->message ? d->message : "is invalid";
    const char *field = d->field ? d->field : "";
    const char *sep = !d->field ? "" : *msg >= 'a' && *msg <= 'z' ? " " : ": ";
    const char *fmt = d->field ? "Field '%s'%s%s%s" : "%s%s%s%s";
    char more[48] = "";
    if (p->ndetails > 1) snprintf(more, sizeof more, " (and %zu more)", p->ndetails - 1);
    int n = snprintf(NULL, 0, fmt, field, sep, msg, more);
    char *out = n < 0 ? NULL : apierr__malloc((size_t)n + 1);
    if (out) snprintf(out, (size_t)n + 1, fmt, field, sep, msg, more);
    return out;
}

int apierr_validation_problem(apierr_problem **out, const apierr_validation *v)
{
    *out = NULL;
    if (v->p->ndetails == 0) return APIERR_EINVAL;
    apierr_problem *p;
    if (apierr_problem_new(&p)) return APIERR_ENOMEM;
    p->status = v->status;
    char *msg = v->message ? NULL : first_failure_message(v->p);
    int rc = v->message || msg ? APIERR_OK : APIERR_ENOMEM;
    if (!rc) rc = apierr_problem_set(p, APIERR_PF_CODE, v->code);
    if (!rc) rc = apierr_problem_set(p, APIERR_PF_MESSAGE, v->message ? v->message : msg);
    for (size_t i = 0; !rc && i < v->p->ndetails; i++) {
        const apierr_detail *d = &v->p->details[i];
        rc = apierr_problem_add_detail(p, d->field, d->message, d->code);
    }
    apierr__free(msg);
    if (rc) {
        apierr_problem_free(p);
        return rc;
    }
    *out = p;
    return APIERR_OK;
}
