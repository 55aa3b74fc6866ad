#include "apierr/category.h"

#include <string.h>

static const struct {
    const char *name, *doc;
} categories[] = {
#define APIERR__CAT_ROW(id, name, doc) {name, doc},
    APIERR_CATEGORY_MAP(APIERR__CAT_ROW)
#undef APIERR__CAT_ROW
};

static const struct {
    const char *name, *doc;
} actions[] = {
#define APIERR__ACT_ROW(id, name, doc) {name, doc},
    APIERR_ACTION_MAP(APIERR__ACT_ROW)
#undef APIERR__ACT_ROW
};

const char *apierr_category_name(apierr_category c)
{
    return (unsigned)c < APIERR_CAT__COUNT ? categories[c].name : NULL;
}

const char *apierr_category_doc(apierr_category c)
{
    return (unsigned)c < APIERR_CAT__COUNT ? categories[c].doc : NULL;
}

int apierr_category_from_name(apierr_category *out, const char *name)
{
    for (unsigned i = 0; name && i < APIERR_CAT__COUNT; i++)
        if (strcmp(categories[i].name, name) == 0) return *out = (apierr_category)i, APIERR_OK;
    return APIERR_ENOTFOUND;
}

const char *apierr_action_name(apierr_action a)
{
    return (unsigned)a < APIERR_ACTION__COUNT ? actions[a].name : NULL;
}

const char *apierr_action_doc(apierr_action a)
{
    return (unsigned)a < APIERR_ACTION__COUNT ? actions[a].doc : NULL;
}

int apierr_action_from_name(apierr_action *out, const char *name)
{
    for (unsigned i = 0; name && i < APIERR_ACTION__COUNT; i++)
        if (strcmp(actions[i].name, name) == 0) return *out = (apierr_action)i, APIERR_OK;
    return APIERR_ENOTFOUND;
}
