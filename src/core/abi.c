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

/* The members of each older version, and its layout: rules last. */
#define POLICY_V1_MAPS(X) APIERR_POLICY_FIELD_MAP_V1(X)
#define POLICY_V2_MAPS(X) APIERR_POLICY_FIELD_MAP_V1(X) APIERR_POLICY_FIELD_MAP_V2(X)

#define MEMBER(kind, member, json, def, doc) APIERR__PTYPE_##kind member;
#define COPY(kind, member, json, def, doc)   d->member = s->member;
#define COPY_RULES                                                                          \
    d->nrules = s->nrules <= APIERR_POLICY_MAX_RULES ? s->nrules : APIERR_POLICY_MAX_RULES; \
    memcpy(d->rules, s->rules, sizeof d->rules);

/* policy_vN, and its reader and writer from and to the current layout. */
#define LEGACY_POLICY(n)                                      \
    typedef struct policy_v##n {                              \
        unsigned version;                                     \
        POLICY_V##n##_MAPS(MEMBER) size_t nrules;             \
        apierr_rule rules[APIERR_POLICY_MAX_RULES];           \
    } policy_v##n;                                            \
    static void read_v##n(apierr_policy *d, const void *from) \
    {                                                         \
        const policy_v##n *s = from;                          \
        POLICY_V##n##_MAPS(COPY) COPY_RULES                   \
    }                                                         \
    static void write_v##n(void *to, const apierr_policy *s)  \
    {                                                         \
        policy_v##n *d = to;                                  \
        d->version = n;                                       \
        POLICY_V##n##_MAPS(COPY) COPY_RULES                   \
    }
LEGACY_POLICY(1)
LEGACY_POLICY(2)
#undef LEGACY_POLICY
#undef COPY_RULES
#undef COPY
#undef MEMBER

/* Versions 1 and 2, by their own layouts. */
static const struct {
    void (*read)(apierr_policy *dst, const void *src);
    void (*write)(void *dst, const apierr_policy *src);
    size_t rules_offset;
} legacy[] = {
    {read_v1, write_v1, offsetof(policy_v1, rules)},
    {read_v2, write_v2, offsetof(policy_v2, rules)},
};
#define NLEGACY (sizeof legacy / sizeof legacy[0])

static const apierr_policy policy_defaults = APIERR_POLICY_INIT;

/* From version 3 on, a version is a prefix of the current layout: version
 * 3 ended with the rules, version 4 added graphql_partial_ok after them,
 * version 5 the hedging and adaptive throttling members, version 6
 * retry_window_ms. */
static const size_t policy_sizes[] = {
    0,
    0, /* versions 1 and 2: the legacy table */
    offsetof(apierr_policy, graphql_partial_ok),
    offsetof(apierr_policy, hedge_delay_ms),
    offsetof(apierr_policy, retry_window_ms),
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
    if (given && given != view && APIERR__VERSION_KNOWN(given, APIERR_POLICY_VERSION)) {
        size_t off = given->version <= NLEGACY ? legacy[given->version - 1].rules_offset
                                               : offsetof(apierr_policy, rules);
        rules = (const apierr_rule *)(const void *)((const char *)given + off);
    }
    if (*n > APIERR_POLICY_MAX_RULES) *n = APIERR_POLICY_MAX_RULES;
    return rules;
}

int apierr__policy_write(apierr_policy *dst, unsigned version, const apierr_policy *src)
{
    if (version >= 1 && version <= NLEGACY) {
        legacy[version - 1].write(dst, src);
        return APIERR_OK;
    }
    return apierr__struct_init(dst, src, version, policy_sizes, APIERR__NSIZES(policy_sizes));
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
