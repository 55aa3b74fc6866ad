/* The attempt records of a result: the array callers read (apierr_attempt,
 * whose size is part of the ABI: a program indexes it with its own header's
 * sizeof, and the struct carries no version, so it can never grow) and,
 * beside it, what later versions know of each attempt (the flags of
 * apierr_attempt_flags()) and of the result, whose struct cannot grow
 * either (callers allocate it): the last response's status line as sent,
 * the URL it came from after redirects, the secret names of the client,
 * the transfer figures of the last response.
 *
 * One block per result, the header in front of the array as Redis's sds
 * keeps its length in front of its bytes: r->attempts still points at the
 * first record (with no record yet when only the result's members are
 * set), and only this file knows of the header. */
#include "client_impl.h"

#include <stdalign.h>
#include <stddef.h>
#include <string.h>

typedef struct attempts_head {
    size_t cap;          /* records the block holds (and flags, after them) */
    char *status_line;   /* of the last response, as received; NULL: none */
    char *url_effective; /* where redirects led; NULL: none followed (r->url) */
    char **names;        /* the client's secret_names: one allocation, the strings after */
    size_t nnames;
    apierr_transfer_info *info; /* of the last response; NULL: none kept */
} attempts_head;

/* The records start after the header, aligned for any member they have. */
#define HEAD_SIZE ((sizeof(attempts_head) + alignof(max_align_t) - 1) & ~(alignof(max_align_t) - 1))

static attempts_head *head_of(const apierr_attempt *v)
{
    return v ? (attempts_head *)(void *)((char *)(uintptr_t)v - HEAD_SIZE) : NULL;
}

/* The cap flags (APIERR_ATTEMPT_*) after the records, in the same block:
 * one allocation per result, not two (bench_client counts them). */
static unsigned char *flags_of(const attempts_head *h)
{
    return (unsigned char *)(uintptr_t)h + HEAD_SIZE + h->cap * sizeof(apierr_attempt);
}

#define FIRST_CAP 3

/* Room for n records in r: 0, or -1 (out of memory; r unchanged). */
static int reserve(apierr_result *r, size_t n)
{
    attempts_head *h = head_of(r->attempts);
    size_t cap = h ? h->cap : 0;
    if (n <= cap) return 0;
    /* A first block of 3 records stays under 1,032 bytes, which glibc's
     * per-thread cache serves and takes back without its bins (4 records,
     * 1,268 bytes, cost some 900 instructions a call in bench_client);
     * most calls have one attempt, and three fit a call retried twice. */
    size_t want = cap ? cap : FIRST_CAP;
    while (want < n) want *= 2;
    char *block = apierr__realloc(h, HEAD_SIZE + want * (sizeof(apierr_attempt) + 1));
    if (!block) return -1;
    h = (attempts_head *)(void *)block;
    if (!cap) memset(h, 0, sizeof *h); /* a new block: no members yet */
    /* The flags move up past the room of the new records. */
    const unsigned char *old = flags_of(h);
    h->cap = want;
    unsigned char *flags = flags_of(h);
    memmove(flags, old, cap);
    memset(flags + cap, 0, want - cap);
    r->attempts = (apierr_attempt *)(void *)(block + HEAD_SIZE);
    return 0;
}

apierr_attempt *apierr__attempt_push(apierr_result *r)
{
    if (reserve(r, r->nattempts + 1)) return NULL;
    apierr_attempt *a = &r->attempts[r->nattempts];
    memset(a, 0, sizeof *a);
    flags_of(head_of(r->attempts))[r->nattempts] = 0;
    a->number = (int)++r->nattempts;
    return a;
}

void apierr__attempt_flag(apierr_result *r, size_t i, unsigned flag)
{
    if (i < r->nattempts) flags_of(head_of(r->attempts))[i] |= (unsigned char)flag;
}

int apierr__attempts_append(apierr_result *into, apierr_result *from)
{
    if (!from->nattempts) return 0;
    if (reserve(into, into->nattempts + from->nattempts)) return -1;
    unsigned char *flags = flags_of(head_of(into->attempts));
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

/* The result's own members of the header (not the records' flags). */
static void members_free(attempts_head *h)
{
    apierr__free(h->status_line);
    apierr__free(h->url_effective);
    apierr__free(h->names);
    apierr__free(h->info);
    h->status_line = h->url_effective = NULL;
    h->names = NULL;
    h->nnames = 0;
    h->info = NULL;
}

void apierr__attempts_free(apierr_result *r)
{
    for (size_t i = 0; i < r->nattempts; i++) apierr__free((char *)r->attempts[i].code);
    attempts_head *h = head_of(r->attempts);
    if (h) members_free(h);
    apierr__free(h);
    r->attempts = NULL;
    r->nattempts = 0;
}

void apierr__attempts_adopt(apierr_result *r, apierr_result *history)
{
    attempts_head *mine = head_of(r->attempts), *theirs = head_of(history->attempts);
    if (!theirs) return; /* no records anywhere: r's block stays as it is */
    if (mine) {
        members_free(theirs);
        theirs->status_line = mine->status_line;
        theirs->url_effective = mine->url_effective;
        theirs->names = mine->names;
        theirs->nnames = mine->nnames;
        theirs->info = mine->info;
        mine->status_line = mine->url_effective = NULL;
        mine->names = NULL;
        mine->info = NULL;
    }
    apierr__attempts_free(r);
    r->attempts = history->attempts;
    r->nattempts = history->nattempts;
    history->attempts = NULL;
    history->nattempts = 0;
}

/* Replaces *slot with a copy of s (n bytes; NULL: none). 0, or -1 when
 * out of memory (then *slot is NULL) or r has no block. */
static int set_member(apierr_result *r, size_t offset, const char *s, size_t n)
{
    if (reserve(r, 1)) return -1;
    char **slot = (char **)(void *)((char *)head_of(r->attempts) + offset);
    apierr__free(*slot);
    *slot = s ? apierr__strndup(s, n) : NULL;
    return s && !*slot ? -1 : 0;
}

int apierr__result_set_status_line(apierr_result *r, const char *line, size_t len)
{
    return set_member(r, offsetof(attempts_head, status_line), line, len);
}

int apierr__result_set_url_effective(apierr_result *r, const char *url)
{
    return set_member(r, offsetof(attempts_head, url_effective), url, url ? strlen(url) : 0);
}

int apierr__result_set_names(apierr_result *r, const char *const *names, size_t n)
{
    if (!n) return 0;
    size_t bytes = n * sizeof(char *);
    for (size_t i = 0; i < n; i++) bytes += strlen(names[i]) + 1;
    if (reserve(r, 1)) return -1;
    attempts_head *h = head_of(r->attempts);
    char **v = apierr__malloc(bytes);
    if (!v) return -1;
    char *s = (char *)(v + n);
    for (size_t i = 0; i < n; i++) {
        size_t len = strlen(names[i]) + 1;
        memcpy(s, names[i], len);
        v[i] = s;
        s += len;
    }
    apierr__free(h->names);
    h->names = v;
    h->nnames = n;
    return 0;
}

const char *const *apierr__result_names(const apierr_result *r, size_t *n)
{
    const attempts_head *h = r ? head_of(r->attempts) : NULL;
    *n = h ? h->nnames : 0;
    return h ? (const char *const *)h->names : NULL;
}

int apierr__result_set_info(apierr_result *r, const apierr_transfer_info *info)
{
    if (reserve(r, 1)) return -1;
    attempts_head *h = head_of(r->attempts);
    if (!h->info && !(h->info = apierr__malloc(sizeof *h->info))) return -1;
    *h->info = *info;
    return 0;
}

int apierr_result_transfer_info(const apierr_result *r, apierr_transfer_info *out)
{
    if (!out || out->version == 0 || out->version > APIERR_TRANSFER_INFO_VERSION)
        return APIERR_EVERSION;
    const attempts_head *h = r && r->status ? head_of(r->attempts) : NULL;
    if (!h || !h->info) return APIERR_ENOTFOUND;
    *out = *h->info; /* version 1 is the only one */
    return APIERR_OK;
}

const char *apierr_result_status_line(const apierr_result *r)
{
    const attempts_head *h = r && r->status ? head_of(r->attempts) : NULL;
    return h ? h->status_line : NULL;
}

const char *apierr_result_url_effective(const apierr_result *r)
{
    const attempts_head *h = r ? head_of(r->attempts) : NULL;
    return h && h->url_effective ? h->url_effective : r ? r->url : NULL;
}

unsigned apierr_attempt_flags(const apierr_result *r, size_t i)
{
    return r && i < r->nattempts ? flags_of(head_of(r->attempts))[i] : 0;
}
