/*
 * Internal: reading the versioned structs callers hand in (libgit2's
 * GIT_ERROR_CHECK_VERSION, grown to read older versions). Every public
 * options struct starts with `unsigned version` and grows only at its end,
 * so version v is a prefix of the current struct whose size the owner of the
 * struct lists in a table: sizes[v - 1]. The policy is the one exception
 * (versions 1 to 3 kept the rules last, so members moved); it has readers of
 * its own.
 */
#ifndef APIERR_CORE_ABI_H
#define APIERR_CORE_ABI_H

#include "alloc.h"
#include "apierr/policy.h"
#include "apierr/profile.h"

#include <stddef.h>

/*
 * Reads a caller's struct src into dst, which holds the current version's
 * defaults: the first sizes[v - 1] bytes of src are copied (v is src's
 * version), the rest keeps the defaults and dst's version stays the current
 * one. src NULL: dst keeps the defaults. APIERR_OK, or APIERR_EVERSION for
 * version 0 or above nsizes (dst untouched).
 */
APIERR__PRIVATE_EXPORT int apierr__struct_read(void *dst, size_t dst_size, const void *src,
                                               const size_t *sizes, size_t nsizes);

/*
 * The other way, for the public _init(opts, version) functions: writes the
 * first sizes[version - 1] bytes of defaults into dst and sets its version.
 * APIERR_OK, or APIERR_EVERSION (dst untouched).
 */
APIERR__PRIVATE_EXPORT int apierr__struct_init(void *dst, const void *defaults, unsigned version,
                                               const size_t *sizes, size_t nsizes);

#define APIERR__NSIZES(sizes) (sizeof(sizes) / sizeof((sizes)[0]))
/* apierr__struct_read() for a struct type with its table of sizes. */
#define APIERR__STRUCT_READ(dst, src, sizes) \
    apierr__struct_read((dst), sizeof *(dst), (src), (sizes), APIERR__NSIZES(sizes))

/*
 * The versioned options structs (abi.h): each one's owner keeps its defaults
 * (the _INIT macro) and a table of its size per version, sizes[v - 1], and
 * reads a caller's struct with APIERR__STRUCT_READ() into a copy holding the
 * defaults, so that the rest of the library only ever sees the current
 * layout. This defines the public type##_init(opts, version) of such a
 * struct, which writes the defaults of an older version by the same table.
 */
#define APIERR__OPTS_INIT_FUNC(type, defaults, sizes)                                           \
    int type##_init(type *opts, unsigned version)                                               \
    {                                                                                           \
        return apierr__struct_init(opts, &(defaults), version, (sizes), APIERR__NSIZES(sizes)); \
    }

/* 1 when a struct's version is one this library knows. */
#define APIERR__VERSION_KNOWN(s, max) ((s)->version >= 1 && (s)->version <= (max))

/*
 * Reads a caller's policy, of any known version, into dst. src NULL: the
 * defaults. APIERR_OK, or APIERR_EVERSION (dst gets the defaults).
 */
APIERR__PRIVATE_EXPORT int apierr__policy_read(apierr_policy *dst, const apierr_policy *src);

/*
 * The policy a function that returns no code works with: given itself when
 * it is of the current version (no copy on the hot path), else given read
 * into *scratch, else (NULL, or an unknown version) the defaults.
 */
APIERR__PRIVATE_EXPORT const apierr_policy *apierr__policy_view(const apierr_policy *given,
                                                                apierr_policy *scratch);

/*
 * The rules of a caller's policy where its version keeps them (view is what
 * apierr__policy_view() gave for it), so that what points into a rule (a
 * classification's reason) points into the caller's struct, not a copy.
 * *n gets their number.
 */
APIERR__PRIVATE_EXPORT const apierr_rule *
apierr__policy_rules(const apierr_policy *given, const apierr_policy *view, size_t *n);

/*
 * Writes the current-layout policy src into a caller's policy dst in the
 * layout of the given version (the members that version has). APIERR_OK or
 * APIERR_EVERSION (dst untouched).
 */
APIERR__PRIVATE_EXPORT int apierr__policy_write(apierr_policy *dst, unsigned version,
                                                const apierr_policy *src);

/*
 * Reads a caller's profile: its members before the policy have not changed,
 * its policy is read by its own version. APIERR_OK or APIERR_EVERSION.
 */
APIERR__PRIVATE_EXPORT int apierr__profile_read(apierr_profile *dst, const apierr_profile *src);

#endif
