/*
 * Reading the structs callers built against an older header (see abi.h).
 * The policy's versions 1 to 3 had their rules after all their members, so
 * each older layout is declared here from the same per-version member maps
 * the public header uses, and read member by member.
 */
#include "abi.h"

#include <string.h>

int apierr__struct_read(void *dst, size_t dst_size, const void *src, const size_t *sizes,
                        size_t nsizes)
{
    if (!src) return APIERR_OK;
    unsigned v = *(const unsigned *)src;
    if (v == 0 || v > nsizes) return APIERR_EVERSION;
    unsigned current = *(const unsigned *)dst;
    size_t n = sizes[v - 1] < dst_size ? sizes[v - 1] : dst_size;
    memcpy(dst, src, n);
    *(unsigned *)dst = current;
    return APIERR_OK;
}

int apierr__struct_init(void *dst, const void *defaults, unsigned version, const size_t *sizes,
                        size_t nsizes)
{
    if (!dst || version == 0 || version > nsizes) return APIERR_EVERSION;
    memcpy(dst, defaults, sizes[version - 1]);
    *(unsigned *)dst = version;
    return APIERR_OK;
}

/* --- the policy's older layouts -------------------------------------------- */

#define MEMBER(kind, member, json, def, doc) APIERR__PTYPE_##kind member;
typedef struct policy_v1 {
    unsigned version;
    APIERR_POLICY_FIELD_MAP_V1(MEMBER)
    size_t nrules;
    apierr_rule rules[APIERR_POLICY_MAX_RULES];
} policy_v1;

typedef struct policy_v2 {
    unsigned version;
    APIERR_POLICY_FIELD_MAP_V1(MEMBER)
    APIERR_POLICY_FIELD_MAP_V2(MEMBER)
    size_t nrules;
    apierr_rule rules[APIERR_POLICY_MAX_RULES];
} policy_v2;
#undef MEMBER

#define COPY(kind, member, json, def, doc) dst->member = src->member;
#define COPY_RULES                                                                          \
    do {                                                                                    \
        dst->nrules =                                                                       \
            src->nrules <= APIERR_POLICY_MAX_RULES ? src->nrules : APIERR_POLICY_MAX_RULES; \
        memcpy(dst->rules, src->rules, sizeof dst->rules);                                  \
    } while (0)

static void read_v1(apierr_policy *dst, const policy_v1 *src)
{
    APIERR_POLICY_FIELD_MAP_V1(COPY)
    COPY_RULES;
}

static void read_v2(apierr_policy *dst, const policy_v2 *src)
{
    APIERR_POLICY_FIELD_MAP_V1(COPY)
    APIERR_POLICY_FIELD_MAP_V2(COPY)
    COPY_RULES;
}

static void write_v1(policy_v1 *dst, const apierr_policy *src)
{
    APIERR_POLICY_FIELD_MAP_V1(COPY)
    COPY_RULES;
}

static void write_v2(policy_v2 *dst, const apierr_policy *src)
{
    APIERR_POLICY_FIELD_MAP_V1(COPY)
    APIERR_POLICY_FIELD_MAP_V2(COPY)
    COPY_RULES;
}
#undef COPY
#undef COPY_RULES

static const apierr_policy policy_defaults = APIERR_POLICY_INIT;

/* From version 3 on, a version is a prefix of the current layout. */
static const size_t policy_sizes[] = {
    0,
    0, /* versions 1 and 2: layouts of their own */
    sizeof(apierr_policy),
};

int apierr__policy_read(apierr_policy *dst, const apierr_policy *src)
{
    *dst = policy_defaults;
    if (!src) return APIERR_OK;
    switch (src->version) {
    case 1:
        read_v1(dst, (const policy_v1 *)(const void *)src);
        return APIERR_OK;
    case 2:
        read_v2(dst, (const policy_v2 *)(const void *)src);
        return APIERR_OK;
    default:
        return APIERR__STRUCT_READ(dst, src, policy_sizes);
    }
}

const apierr_policy *apierr__policy_view(const apierr_policy *given, apierr_policy *scratch)
{
    if (given && given->version == APIERR_POLICY_VERSION) return given;
    if (apierr__policy_read(scratch, given) != APIERR_OK) return &policy_defaults;
    return scratch;
}

const apierr_rule *apierr__policy_rules(const apierr_policy *given, const apierr_policy *view,
                                        size_t *n)
{
    const apierr_rule *rules = view->rules;
    *n = view->nrules;
    if (given && given != view && given->version == 1)
        rules = ((const policy_v1 *)(const void *)given)->rules;
    else if (given && given != view && given->version == 2)
        rules = ((const policy_v2 *)(const void *)given)->rules;
    else if (given && given != view && APIERR__VERSION_KNOWN(given, APIERR_POLICY_VERSION))
        rules = given->rules;
    if (*n > APIERR_POLICY_MAX_RULES) *n = APIERR_POLICY_MAX_RULES;
    return rules;
}

int apierr__policy_write(apierr_policy *dst, unsigned version, const apierr_policy *src)
{
    switch (version) {
    case 1: {
        policy_v1 v = {.version = 1};
        write_v1(&v, src);
        memcpy(dst, &v, sizeof v);
        return APIERR_OK;
    }
    case 2: {
        policy_v2 v = {.version = 2};
        write_v2(&v, src);
        memcpy(dst, &v, sizeof v);
        return APIERR_OK;
    }
    default:
        return apierr__struct_init(dst, src, version, policy_sizes, APIERR__NSIZES(policy_sizes));
    }
}

int apierr_policy_init(apierr_policy *p, unsigned version)
{
    return apierr__policy_write(p, version, &policy_defaults);
}

int apierr__profile_read(apierr_profile *dst, const apierr_profile *src)
{
    memcpy(dst, src, offsetof(apierr_profile, policy));
    return apierr__policy_read(&dst->policy, &src->policy);
}
