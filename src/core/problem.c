/* The problem: creation, setters that copy into its arena, field details. */
#include "apierr/problem.h"
#include "apierr/status.h"
#include "alloc.h"
#include "arena.h"

#include <string.h>

/* The problem, its arena and the first chunk come in one allocation, sized
 * to stay within glibc's per-thread cache (requests up to 1032 bytes): a
 * decode then costs one cached malloc instead of a trip to the arena bins,
 * which measured as much as the rest of the tree walk. */
#define FIRST_CHUNK 864

typedef struct problem_block {
    apierr_problem p;
    apierr__arena arena;
    max_align_t chunk[FIRST_CHUNK / sizeof(max_align_t)];
} problem_block;

int apierr_problem_new(apierr_problem **out)
{
    problem_block *b = apierr__malloc(sizeof *b);
    *out = NULL;
    if (!b) return APIERR_ENOMEM;
    memset(&b->p, 0, sizeof b->p);
    b->p.retry_after_ms = -1;
    b->p.dialect = APIERR_DIALECT_AUTO;
    apierr__arena_init(&b->arena, b->chunk, sizeof b->chunk);
    b->p.arena_ = &b->arena;
    *out = &b->p;
    return APIERR_OK;
}

const char *apierr_problem_text(const apierr_problem *p)
{
    if (!p) return "Unknown error";
    if (p->message && *p->message) return p->message;
    if (p->title && *p->title) return p->title;
    int status = p->effective_status ? p->effective_status : p->status;
    return status ? apierr_status_reason(status) : "Unknown error";
}

void apierr_problem_free(apierr_problem *p)
{
    if (!p) return;
    apierr__arena_release(p->arena_);
    apierr__free((problem_block *)p);
}

static const char **member(apierr_problem *p, apierr_problem_field f)
{
    switch (f) {
#define APIERR__PF_CASE(id, m, json) \
    case APIERR_PF_##id:             \
        return &p->m;
        APIERR_PROBLEM_FIELD_MAP(APIERR__PF_CASE)
#undef APIERR__PF_CASE
    default:
        return NULL;
    }
}

int apierr_problem_setn(apierr_problem *p, apierr_problem_field f, const char *value, size_t len)
{
    const char **m = member(p, f);
    if (!m) return APIERR_EINVAL;
    if (!value) {
        *m = NULL;
        return APIERR_OK;
    }
    char *copy = apierr__arena_strndup(p->arena_, value, len);
    if (!copy) return APIERR_ENOMEM;
    *m = copy;
    return APIERR_OK;
}

int apierr_problem_set(apierr_problem *p, apierr_problem_field f, const char *value)
{
    return apierr_problem_setn(p, f, value, value ? strlen(value) : 0);
}

static int dup_opt(apierr_problem *p, const char *s, const char **out)
{
    *out = NULL;
    if (!s) return APIERR_OK;
    *out = apierr__arena_strndup(p->arena_, s, strlen(s));
    return *out ? APIERR_OK : APIERR_ENOMEM;
}

int apierr_problem_add_detail(apierr_problem *p, const char *field, const char *message,
                              const char *code)
{
    apierr_detail d;
    if (dup_opt(p, field, &d.field) || dup_opt(p, message, &d.message) || dup_opt(p, code, &d.code))
        return APIERR_ENOMEM;
    /* Capacity doubles at powers of two; the old array stays in the arena. */
    size_t n = p->ndetails;
    if ((n & (n - 1)) == 0) {
        size_t cap = n ? n * 2 : 4;
        if (n == 0 || n >= 4) {
            apierr_detail *arr = apierr__arena_alloc(p->arena_, cap * sizeof *arr);
            if (!arr) return APIERR_ENOMEM;
            if (n) memcpy(arr, p->details, n * sizeof *arr);
            p->details = arr;
        }
    }
    p->details[p->ndetails++] = d;
    return APIERR_OK;
}

int apierr_problem_set_raw(apierr_problem *p, const char *body, size_t len)
{
    if (!body) {
        p->raw = NULL;
        p->raw_len = 0;
        return APIERR_OK;
    }
    char *copy = apierr__arena_strndup(p->arena_, body, len);
    if (!copy) return APIERR_ENOMEM;
    p->raw = copy;
    p->raw_len = len;
    return APIERR_OK;
}
