/* The general decoder's table of member names (member_table.h), and its
 * lookup. */
#include "member_table.h"

#include <stdatomic.h>
#include <stdint.h>
#include <string.h>

static const apierr__member rows[] = {
#define APIERR__MEMBER_ROW(name, role, rank, drole, drank, env) \
    {name, sizeof name - 1, APIERR__R_##role, rank, APIERR__R_##drole, drank, env},
    APIERR__MEMBER_MAP(APIERR__MEMBER_ROW)
#undef APIERR__MEMBER_ROW
};

#define NROWS (sizeof rows / sizeof rows[0])
/* Open addressing, at most a quarter full: probes stay short. */
#define NSLOTS 1024
_Static_assert(NROWS * 4 <= NSLOTS, "the member index is too small for the table");

static int lower(int c)
{
    return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

/* FNV-1a over the name with bit 5 set in every byte, which folds ASCII
 * case (and a few punctuation pairs, which the compare then tells apart):
 * one index serves both exact and case-blind lookups, without a branch. */
static uint32_t hash(const char *s, size_t n)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++) h = (h ^ ((unsigned char)s[i] | 0x20u)) * 16777619u;
    return h;
}

/* Slot -> row + 1 (0: empty). Built once by the first caller that wins the
 * race to build it; the others search linearly meanwhile, so nobody ever
 * reads a half-built index. */
static uint16_t slots[NSLOTS];
static atomic_int built; /* 0: not built, 1: being built, 2: ready */

static void build(void)
{
    for (size_t r = 0; r < NROWS; r++) {
        uint32_t i = hash(rows[r].name, rows[r].len) & (NSLOTS - 1);
        while (slots[i]) i = (i + 1) & (NSLOTS - 1);
        slots[i] = (uint16_t)(r + 1);
    }
}

static int same(const apierr__member *m, const char *name, size_t len, int nocase)
{
    if (m->len != len) return 0;
    if (!nocase) return memcmp(m->name, name, len) == 0;
    for (size_t i = 0; i < len; i++)
        if (lower((unsigned char)m->name[i]) != lower((unsigned char)name[i])) return 0;
    return 1;
}

const apierr__member *apierr__member_find(const char *name, size_t len)
{
    int state = atomic_load_explicit(&built, memory_order_acquire);
    if (state == 0) {
        int expect = 0;
        if (atomic_compare_exchange_strong(&built, &expect, 1)) {
            build();
            atomic_store_explicit(&built, 2, memory_order_release);
            state = 2;
        }
    }
    const apierr__member *folded = NULL; /* the first row equal but for case */
    if (state != 2) {
        for (size_t r = 0; r < NROWS; r++) {
            if (same(&rows[r], name, len, 0)) return &rows[r];
            if (!folded && same(&rows[r], name, len, 1)) folded = &rows[r];
        }
        return folded;
    }
    if (len > 255) return NULL;
    /* The hash folds case: rows that differ only by it share a probe run. */
    for (uint32_t i = hash(name, len) & (NSLOTS - 1); slots[i]; i = (i + 1) & (NSLOTS - 1)) {
        const apierr__member *m = &rows[slots[i] - 1];
        if (same(m, name, len, 0)) return m;
        if (!folded && same(m, name, len, 1)) folded = m;
    }
    return folded;
}

const apierr__role_field apierr__role_fields[] = {
    {APIERR__R_CODE, APIERR_PF_CODE},
    {APIERR__R_MESSAGE, APIERR_PF_MESSAGE},
    {APIERR__R_TITLE, APIERR_PF_TITLE},
    {APIERR__R_TYPE, APIERR_PF_TYPE},
    {APIERR__R_DOC, APIERR_PF_TYPE},
    {APIERR__R_INSTANCE, APIERR_PF_INSTANCE},
    {APIERR__R_TIMESTAMP, APIERR_PF_TIMESTAMP},
    {APIERR__R_PATH, APIERR_PF_PATH},
    {APIERR__R_REQUEST_ID, APIERR_PF_REQUEST_ID},
};
const size_t apierr__nrole_fields = sizeof apierr__role_fields / sizeof apierr__role_fields[0];
