/* The attempt records of a result: the array callers read (apierr_attempt,
 * whose size is part of the ABI: a program indexes it with its own header's
 * sizeof, and the struct carries no version, so it can never grow) and,
 * beside it, what later versions know of each attempt (the flags of
 * apierr_attempt_flags()).
 *
 * One block per result, the flags' header in front of the array as Redis's
 * sds keeps its length in front of its bytes: r->attempts still points at
 * the first record, and only this file knows of the header. */
#include "client_impl.h"

#include <stdalign.h>
#include <stddef.h>
#include <string.h>

typedef struct attempts_head {
    size_t cap;           /* records the block holds */
    unsigned char *flags; /* cap flags, APIERR_ATTEMPT_*; its own allocation */
} attempts_head;

/* The records start after the header, aligned for any member they have. */
#define HEAD_SIZE ((sizeof(attempts_head) + alignof(max_align_t) - 1) & ~(alignof(max_align_t) - 1))

static attempts_head *head_of(const apierr_attempt *v)
{
    return v ? (attempts_head *)(void *)((char *)(uintptr_t)v - HEAD_SIZE) : NULL;
}

/* Room for n records in r: 0, or -1 (out of memory; r unchanged). */
static int reserve(apierr_result *r, size_t n)
{
    attempts_head *h = head_of(r->attempts);
    size_t cap = h ? h->cap : 0;
    if (n <= cap) return 0;
    size_t want = cap ? cap : 4;
    while (want < n) want *= 2;
    unsigned char *flags = apierr__realloc(h ? h->flags : NULL, want);
    if (!flags) return -1;
    memset(flags + cap, 0, want - cap);
    char *block = apierr__realloc(h, HEAD_SIZE + want * sizeof(apierr_attempt));
    if (!block) {
        if (h)
            h->flags = flags; /* kept, larger: harmless */
        else
            apierr__free(flags);
        return -1;
    }
    h = (attempts_head *)(void *)block;
    h->cap = want;
    h->flags = flags;
    r->attempts = (apierr_attempt *)(void *)(block + HEAD_SIZE);
    return 0;
}

apierr_attempt *apierr__attempt_push(apierr_result *r)
{
    if (reserve(r, r->nattempts + 1)) return NULL;
    apierr_attempt *a = &r->attempts[r->nattempts];
    memset(a, 0, sizeof *a);
    head_of(r->attempts)->flags[r->nattempts] = 0;
    a->number = (int)++r->nattempts;
    return a;
}

void apierr__attempt_flag(apierr_result *r, size_t i, unsigned flag)
{
    if (i < r->nattempts) head_of(r->attempts)->flags[i] |= (unsigned char)flag;
}

int apierr__attempts_append(apierr_result *into, apierr_result *from)
{
    if (!from->nattempts) return 0;
    if (reserve(into, into->nattempts + from->nattempts)) return -1;
    unsigned char *flags = head_of(into->attempts)->flags;
    for (size_t i = 0; i < from->nattempts; i++) {
        size_t j = into->nattempts + i;
        into->attempts[j] = from->attempts[i];
        into->attempts[j].number = (int)(j + 1);
        flags[j] = (unsigned char)apierr_attempt_flags(from, i);
        from->attempts[i].code = NULL; /* owned by into now */
    }
    into->nattempts += from->nattempts;
    return 0;
}

void apierr__attempts_free(apierr_result *r)
{
    for (size_t i = 0; i < r->nattempts; i++) apierr__free((char *)r->attempts[i].code);
    attempts_head *h = head_of(r->attempts);
    if (h) apierr__free(h->flags);
    apierr__free(h);
    r->attempts = NULL;
    r->nattempts = 0;
}

unsigned apierr_attempt_flags(const apierr_result *r, size_t i)
{
    return r && i < r->nattempts ? head_of(r->attempts)->flags[i] : 0;
}
